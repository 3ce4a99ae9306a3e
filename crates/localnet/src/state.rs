//! Accounts: balances, storage usage, contract code, access keys and key-value state.

use crate::receipt::KeyPermission;
use crate::vm::Code;
use near_crypto::PublicKey;
use std::collections::{BTreeMap, HashMap};

/// An access key: the nonce of the last transaction it signed and what it may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKey {
    pub nonce: u64,
    pub permission: KeyPermission,
}

/// One account as the protocol stores it.
#[derive(Clone, Default)]
pub struct AccountState {
    /// Liquid balance in yocto.
    pub amount: u128,
    /// Balance locked by staking.
    pub locked: u128,
    /// Bytes the account occupies: the account record, access keys, code and contract state.
    pub storage_usage: u64,
    pub code: Option<Code>,
    pub keys: HashMap<PublicKey, AccessKey>,
    /// The contract's key-value state, in key order (the trie's order, which trie-node gas
    /// depends on).
    pub data: BTreeMap<Vec<u8>, Vec<u8>>,
}

/// A read-only snapshot of an account's balances and usage, as RPC's `view_account` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountView {
    pub amount: u128,
    pub locked: u128,
    pub storage_usage: u64,
    /// Hash of the deployed code (base58), if any.
    pub code_hash: Option<String>,
}

impl AccountState {
    pub fn view(&self) -> AccountView {
        AccountView {
            amount: self.amount,
            locked: self.locked,
            storage_usage: self.storage_usage,
            code_hash: self.code.as_ref().map(|c| c.hash().to_string()),
        }
    }
}
