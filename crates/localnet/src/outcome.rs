//! What a transaction or a view did: status, value, logs, events and gas, per receipt.

use crate::errors::{Failure, TxExecutionError};
use crate::receipt::ActionReceipt;
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::AccountId;
use serde::de::DeserializeOwned;

/// How a receipt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Returned a value (empty when the method returns nothing).
    Value(Vec<u8>),
    /// Returned a promise: the value comes from this receipt.
    Receipt(CryptoHash),
    /// Failed with this error (a contract panic's message reads `Smart contract panicked: ...`).
    Failure(Failure),
}

impl Status {
    /// The failure's message (see [`Failure::message`]), if the receipt failed.
    pub fn failure(&self) -> Option<&str> {
        match self {
            Status::Failure(failure) => Some(failure.message()),
            _ => None,
        }
    }
}

/// The outcome of one executed receipt.
#[derive(Clone, Debug)]
pub struct ReceiptOutcome {
    pub id: CryptoHash,
    pub predecessor: AccountId,
    pub receiver: AccountId,
    /// Method names of the receipt's function calls.
    pub methods: Vec<String>,
    /// Gas attached to the receipt's function calls (after the sender's weighted share).
    pub prepaid_gas: u64,
    /// Deposits attached to the receipt's actions.
    pub deposit: u128,
    pub block_height: u64,
    /// The action receipts it created: its new receipts, then balance refunds.
    pub receipt_ids: Vec<CryptoHash>,
    /// Gas burnt: the receipt's exec fees plus what the VM burnt.
    pub gas_burnt: u64,
    /// Gas burnt inside the VM alone (wasm, host functions, loading, outgoing send fees).
    pub vm_gas_burnt: u64,
    /// The part of `vm_gas_burnt` charged for the bytes of values overwritten or removed
    /// (`storage_write_evicted_byte`, `storage_remove_ret_value_byte`).
    pub value_bytes_gas: u64,
    /// The part of `vm_gas_burnt` charged for trie nodes walked by writes and removals
    /// (`read_cached_trie_node`).
    pub trie_node_gas: u64,
    /// Tokens burnt for this receipt (refund receipts burn none).
    pub tokens_burnt: u128,
    pub logs: Vec<String>,
    pub status: Status,
    /// A balance refund from the system account.
    pub is_refund: bool,
    /// The receipt itself: its signer, actions and data dependencies (what nearcore's
    /// `EXPERIMENTAL_tx_status` shows).
    pub receipt: ActionReceipt,
}

/// The outcome of a transaction: its conversion to a receipt and every receipt it caused.
#[derive(Clone, Debug)]
pub struct ExecutionResult {
    /// The transaction's hash (for a signed transaction, nearcore's: the hash of its borsh).
    pub transaction_hash: CryptoHash,
    /// The receipt the transaction was converted to.
    pub first_receipt: CryptoHash,
    /// Height of the block that included the transaction.
    pub block_height: u64,
    /// Gas burnt converting the transaction (send fees).
    pub transaction_gas_burnt: u64,
    pub transaction_tokens_burnt: u128,
    /// Receipts in execution order.
    pub receipts: Vec<ReceiptOutcome>,
    /// The transaction's final result: the value of the first receipt, following returned
    /// promises, or the first failure on that path.
    pub status: Result<Vec<u8>, Failure>,
}

impl ExecutionResult {
    pub fn is_success(&self) -> bool {
        self.status.is_ok()
    }

    pub fn is_failure(&self) -> bool {
        self.status.is_err()
    }

    /// The message of a failed transaction (see [`Failure::message`]).
    pub fn failure(&self) -> Option<&str> {
        self.status.as_ref().err().map(Failure::message)
    }

    /// nearcore's error of a failed transaction.
    pub fn error(&self) -> Option<&TxExecutionError> {
        self.status.as_ref().err().map(Failure::error)
    }

    /// Panics with the error message if the transaction failed; otherwise returns it.
    #[track_caller]
    pub fn unwrap(self) -> Self {
        if let Err(e) = &self.status {
            panic!("transaction failed: {e}\nlogs: {:?}", self.logs());
        }
        self
    }

    /// The returned value's raw bytes.
    #[track_caller]
    pub fn value(&self) -> &[u8] {
        match &self.status {
            Ok(v) => v,
            Err(e) => panic!("transaction failed: {e}"),
        }
    }

    /// The returned value parsed as JSON.
    #[track_caller]
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(self.value()).unwrap_or_else(|e| {
            panic!("return value is not the expected JSON ({e}): {}", String::from_utf8_lossy(self.value()))
        })
    }

    /// Failures of any receipt, including callbacks whose failure did not fail the transaction.
    pub fn receipt_failures(&self) -> Vec<&ReceiptOutcome> {
        self.receipts.iter().filter(|r| matches!(r.status, Status::Failure(_))).collect()
    }

    /// All logs, in execution order.
    pub fn logs(&self) -> Vec<&str> {
        self.receipts.iter().flat_map(|r| r.logs.iter().map(String::as_str)).collect()
    }

    /// NEP-297 events (`EVENT_JSON:` logs) of successful receipts, parsed, in execution order.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.receipts
            .iter()
            .filter(|r| !matches!(r.status, Status::Failure(_)))
            .flat_map(|r| parse_events(&r.logs))
            .collect()
    }

    /// Gas burnt by the transaction and all its receipts, refunds included (as explorers show).
    pub fn total_gas_burnt(&self) -> u64 {
        self.transaction_gas_burnt + self.receipts.iter().map(|r| r.gas_burnt).sum::<u64>()
    }

    /// Tokens burnt by the transaction and all its receipts: what the signer paid for gas.
    pub fn total_tokens_burnt(&self) -> u128 {
        self.transaction_tokens_burnt + self.receipts.iter().map(|r| r.tokens_burnt).sum::<u128>()
    }

    /// The first receipt that ran `method`.
    #[track_caller]
    pub fn receipt(&self, method: &str) -> &ReceiptOutcome {
        self.receipts
            .iter()
            .find(|r| r.methods.iter().any(|m| m == method))
            .unwrap_or_else(|| panic!("no receipt ran {method}"))
    }
}

/// The result of a view call.
#[derive(Clone, Debug)]
pub struct ViewResult {
    pub result: Vec<u8>,
    pub logs: Vec<String>,
    pub gas_burnt: u64,
}

impl ViewResult {
    #[track_caller]
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.result).unwrap_or_else(|e| {
            panic!("view result is not the expected JSON ({e}): {}", String::from_utf8_lossy(&self.result))
        })
    }
}

/// Parses the `EVENT_JSON:` logs among `logs`. A malformed event log is a contract bug, so it
/// panics rather than being skipped.
pub fn parse_events(logs: &[String]) -> Vec<serde_json::Value> {
    logs.iter()
        .filter_map(|log| log.strip_prefix("EVENT_JSON:"))
        .map(|json| serde_json::from_str(json).unwrap_or_else(|e| panic!("malformed event log ({e}): {json}")))
        .collect()
}
