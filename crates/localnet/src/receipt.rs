//! Receipts and actions, as nearcore routes them between accounts.

use crate::vm::Code;
use near_crypto::PublicKey;
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::AccountId;

/// An action of a transaction or of a receipt created by a contract.
#[derive(Clone, Debug)]
pub enum Action {
    CreateAccount,
    DeployContract(Code),
    FunctionCall(FunctionCall),
    Transfer(u128),
    Stake {
        stake: u128,
        public_key: PublicKey,
    },
    AddKey {
        public_key: PublicKey,
        permission: KeyPermission,
    },
    DeleteKey(PublicKey),
    DeleteAccount {
        beneficiary: AccountId,
    },
    /// A protocol feature localnet does not model; the receipt fails with its name.
    Unsupported(&'static str),
}

#[derive(Clone, Debug)]
pub struct FunctionCall {
    pub method: String,
    pub args: Vec<u8>,
    pub deposit: u128,
    pub gas: u64,
    /// Share of the caller's unused gas this call receives (0: none).
    pub gas_weight: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyPermission {
    FullAccess,
    /// `receiver_id` as given (nearcore stores it unvalidated).
    FunctionCall {
        allowance: Option<u128>,
        receiver_id: String,
        method_names: Vec<String>,
    },
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Code({} bytes, {})", self.len(), self.hash())
    }
}

/// A receipt carrying actions to `receiver`.
#[derive(Clone, Debug)]
pub struct ActionReceipt {
    pub id: CryptoHash,
    pub predecessor: AccountId,
    pub receiver: AccountId,
    pub signer: AccountId,
    pub signer_public_key: PublicKey,
    pub gas_price: u128,
    /// Where a failed receipt's deposits go (the predecessor unless the contract said otherwise).
    pub refund_to: AccountId,
    /// Receipts waiting for this receipt's result: (data id, their receiver).
    pub output_data_receivers: Vec<(CryptoHash, AccountId)>,
    /// Results this receipt waits for before it runs, in promise order.
    pub input_data_ids: Vec<CryptoHash>,
    pub actions: Vec<Action>,
    /// The transaction this receipt descends from.
    pub tx: usize,
}

impl ActionReceipt {
    /// Balance refunds come from the system account and cost no gas.
    pub fn is_refund(&self) -> bool {
        self.predecessor.as_str() == SYSTEM_ACCOUNT
    }
}

/// A receipt delivering one promise's result (`None` when the promise failed).
#[derive(Clone, Debug)]
pub struct DataReceipt {
    pub data_id: CryptoHash,
    pub data: Option<Vec<u8>>,
    /// The transaction this result descends from.
    pub tx: usize,
}

/// Receipts live only in the short block queue, so their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Receipt {
    Action(ActionReceipt),
    Data(DataReceipt),
}

impl Receipt {
    /// The transaction the receipt descends from.
    pub fn tx(&self) -> usize {
        match self {
            Receipt::Action(r) => r.tx,
            Receipt::Data(d) => d.tx,
        }
    }
}

/// The predecessor of refund receipts, as on chain.
pub const SYSTEM_ACCOUNT: &str = "system";
