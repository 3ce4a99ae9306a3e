//! The keeper's view of a NEAR network, through any JSON-RPC endpoint with near-jsonrpc-client:
//! views of the contract, key nonces, transactions and their status, and validators. Every
//! call has a deadline, and every failure is sorted into a [`Failure`] the keeper knows how to
//! handle.

use localnet::AccountId;
use localnet::near_primitives::errors::{InvalidTxError, TxExecutionError};
use localnet::near_primitives::hash::CryptoHash;
use localnet::near_primitives::transaction::SignedTransaction;
use localnet::near_primitives::types::{BlockReference, EpochReference, Finality, FunctionArgs};
use localnet::near_primitives::views::{
    EpochValidatorInfo, FinalExecutionOutcomeView, QueryRequest, TxExecutionStatus,
};
use near_jsonrpc_client::errors::{JsonRpcError, JsonRpcServerError};
use near_jsonrpc_client::{JsonRpcClient, methods};
use near_jsonrpc_primitives::types::query::{QueryResponseKind, RpcQueryError};
use near_jsonrpc_primitives::types::transactions::RpcTransactionError;
use serde_json::Value;
use std::time::Duration;

/// Why a call did not give an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The endpoint could not be reached, or its answer was cut off or unreadable.
    Transport(String),
    /// No answer in time (the client's deadline, or the node's `TIMEOUT_ERROR`).
    Timeout,
    /// The endpoint answered with an error of its own (internal error, unknown block, ...).
    Server(String),
    /// The key's nonce moved on: the next transaction needs a nonce above `ak_nonce`.
    InvalidNonce { ak_nonce: u64 },
    /// The transaction was refused for another reason (expired, not enough balance, ...).
    InvalidTransaction(String),
    /// The contract's view failed.
    View(String),
}

impl Failure {
    /// The failure's kind, as the metrics count it.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Transport(_) => "transport",
            Failure::Timeout => "timeout",
            Failure::Server(_) => "server",
            Failure::InvalidNonce { .. } => "invalid_nonce",
            Failure::InvalidTransaction(_) => "invalid_transaction",
            Failure::View(_) => "view",
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Transport(e) => write!(f, "transport error: {e}"),
            Failure::Timeout => write!(f, "timed out"),
            Failure::Server(e) => write!(f, "server error: {e}"),
            Failure::InvalidNonce { ak_nonce } => write!(f, "nonce already used (the key is at {ak_nonce})"),
            Failure::InvalidTransaction(e) => write!(f, "transaction refused: {e}"),
            Failure::View(e) => write!(f, "view failed: {e}"),
        }
    }
}

/// Sorts a client error; `handler` sorts the method's own errors.
fn sort<E: std::fmt::Debug>(error: JsonRpcError<E>, handler: impl FnOnce(E) -> Failure) -> Failure {
    match error {
        JsonRpcError::TransportError(e) => Failure::Transport(e.to_string()),
        JsonRpcError::ServerError(JsonRpcServerError::HandlerError(e)) => handler(e),
        JsonRpcError::ServerError(e) => Failure::Server(format!("{e:?}")),
    }
}

fn transaction_failure(error: RpcTransactionError) -> Failure {
    match error {
        RpcTransactionError::InvalidTransaction { context: InvalidTxError::InvalidNonce { ak_nonce, .. } } => {
            Failure::InvalidNonce { ak_nonce }
        }
        RpcTransactionError::InvalidTransaction { context } => Failure::InvalidTransaction(format!("{context:?}")),
        RpcTransactionError::TimeoutError(_) => Failure::Timeout,
        other => Failure::Server(format!("{other:?}")),
    }
}

/// What a view returned, with the block it was read at.
pub struct Viewed {
    pub value: Value,
    pub block_height: u64,
    pub block_hash: CryptoHash,
}

pub struct Chain {
    client: JsonRpcClient,
    timeout: Duration,
}

impl Chain {
    pub fn new(url: &str, timeout: Duration) -> Chain {
        Chain { client: JsonRpcClient::connect(url), timeout }
    }

    /// Calls `method` with the deadline; its expiry is a [`Failure::Timeout`], the method's own
    /// errors are sorted by `handler`.
    async fn call<M>(&self, method: M, handler: impl FnOnce(M::Error) -> Failure) -> Result<M::Response, Failure>
    where
        M: methods::RpcMethod,
        M::Error: std::fmt::Debug,
    {
        match tokio::time::timeout(self.timeout, self.client.call(method)).await {
            Err(_) => Err(Failure::Timeout),
            Ok(result) => result.map_err(|e| sort(e, handler)),
        }
    }

    async fn query(&self, request: QueryRequest) -> Result<(QueryResponseKind, u64, CryptoHash), Failure> {
        // The optimistic head: what the keeper's own last transaction changed is visible at once.
        let block_reference = BlockReference::Finality(Finality::None);
        let response = self
            .call(methods::query::RpcQueryRequest { block_reference, request }, |e| match e {
                RpcQueryError::ContractExecutionError { vm_error, .. } => Failure::View(vm_error),
                other => Failure::Server(format!("{other:?}")),
            })
            .await?;
        Ok((response.kind, response.block_height, response.block_hash))
    }

    /// A JSON view of `contract`.
    pub async fn view(&self, contract: &AccountId, method: &str, args: Value) -> Result<Viewed, Failure> {
        let request = QueryRequest::CallFunction {
            account_id: contract.clone(),
            method_name: method.into(),
            args: FunctionArgs::from(args.to_string().into_bytes()),
        };
        match self.query(request).await? {
            (QueryResponseKind::CallResult(result), block_height, block_hash) => {
                let value = serde_json::from_slice(&result.result)
                    .map_err(|e| Failure::View(format!("{method} returned no JSON: {e}")))?;
                Ok(Viewed { value, block_height, block_hash })
            }
            (other, ..) => Err(Failure::Server(format!("not a call result: {other:?}"))),
        }
    }

    /// The nonce of `account`'s key `public_key`.
    pub async fn nonce(&self, account: &AccountId, public_key: &near_crypto::PublicKey) -> Result<u64, Failure> {
        let request = QueryRequest::ViewAccessKey { account_id: account.clone(), public_key: public_key.clone() };
        match self.query(request).await? {
            (QueryResponseKind::AccessKey(key), ..) => Ok(key.nonce),
            (other, ..) => Err(Failure::Server(format!("not an access key: {other:?}"))),
        }
    }

    /// Sends a signed transaction and waits until its receipts have run.
    pub async fn send(&self, signed: SignedTransaction) -> Result<FinalExecutionOutcomeView, Failure> {
        let request = methods::send_tx::RpcSendTransactionRequest {
            signed_transaction: signed,
            wait_until: TxExecutionStatus::ExecutedOptimistic,
        };
        let response = self.call(request, transaction_failure).await?;
        response.final_execution_outcome.map(|o| o.into_outcome()).ok_or(Failure::Timeout)
    }

    /// The outcome of a transaction sent before (`None`: the network has not seen it).
    pub async fn status(
        &self,
        hash: CryptoHash,
        sender: &AccountId,
    ) -> Result<Option<FinalExecutionOutcomeView>, Failure> {
        let request = methods::tx::RpcTransactionStatusRequest {
            transaction_info: methods::tx::TransactionInfo::TransactionId {
                tx_hash: hash,
                sender_account_id: sender.clone(),
            },
            wait_until: TxExecutionStatus::ExecutedOptimistic,
        };
        match tokio::time::timeout(self.timeout, self.client.call(request)).await {
            Err(_) => Err(Failure::Timeout),
            Ok(Ok(response)) => Ok(response.final_execution_outcome.map(|o| o.into_outcome())),
            Ok(Err(JsonRpcError::ServerError(JsonRpcServerError::HandlerError(
                RpcTransactionError::UnknownTransaction { .. },
            )))) => Ok(None),
            Ok(Err(e)) => Err(sort(e, transaction_failure)),
        }
    }

    /// The validators of the latest epoch, with what each produced of what it was expected to.
    pub async fn validators(&self) -> Result<EpochValidatorInfo, Failure> {
        let request = methods::validators::RpcValidatorRequest { epoch_reference: EpochReference::Latest };
        self.call(request, |e| Failure::Server(format!("{e:?}"))).await
    }

    /// The most gas a transaction may carry on this network.
    pub async fn max_gas(&self) -> Result<u64, Failure> {
        let block_reference = BlockReference::Finality(Finality::Final);
        let request = methods::EXPERIMENTAL_protocol_config::RpcProtocolConfigRequest { block_reference };
        let config = self.call(request, |e| Failure::Server(format!("{e:?}"))).await?;
        Ok(config.runtime_config.wasm_config.limit_config.max_total_prepaid_gas.as_gas())
    }
}

/// Whether a finished transaction failed, and how.
pub fn failure(outcome: &FinalExecutionOutcomeView) -> Option<&TxExecutionError> {
    match &outcome.status {
        localnet::near_primitives::views::FinalExecutionStatus::Failure(e) => Some(e),
        _ => None,
    }
}
