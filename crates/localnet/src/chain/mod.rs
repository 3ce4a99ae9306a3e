//! The chain: accounts, blocks and epochs, and the execution of transactions and receipts with
//! nearcore's fee, refund and failure rules (protocol 88).
//!
//! Every receipt created in block `h` executes in block `h + 1`; a transaction's receipt to the
//! signer itself runs in the block that includes the transaction. A receipt that waits for
//! promise results runs in the block where its last result arrives.
//!
//! Transactions are submitted ([`Chain::submit`]) and included by the next block produced
//! ([`Chain::produce_block`]), in submission order, so several transactions share blocks and
//! one can land between another's cross-contract call and its callback. As in nearcore's chunk
//! application, a block first converts its transactions (running receipts to the signer
//! itself at once), then runs the receipts due in it in the order they were created.
//! [`Chain::transact`] submits one and produces blocks until it has finished.

mod actions;
mod call;
mod fees;
mod routing;
mod transactions;

use actions::Applied;
use fees::*;
use routing::final_status;

use crate::cheats::{Fault, FaultRule};
use crate::config::Config;
use crate::errors::{
    self, ActionError, ActionErrorKind, Failure, InvalidTxError, balance, execution_error, no_account, no_code,
};
use crate::ext::{Ext, NewReceipt, Recorded};
use crate::outcome::{ExecutionResult, ReceiptOutcome, Status};
use crate::receipt::{Action, ActionReceipt, DataReceipt, FunctionCall, KeyPermission, Receipt, SYSTEM_ACCOUNT};
use crate::staking::Staking;
use crate::state::{AccessKey, AccountState};
use crate::validate::{validate_actions, validate_new_receipt};
use crate::{tx, vm};
use near_crypto::{KeyType, PublicKey};
use near_parameters::{ActionCosts, ExtCosts, RuntimeFeesConfig};
use near_primitives::transaction::SignedTransaction;
use near_primitives_core::account::AccountContract;
use near_primitives_core::config::ViewConfig;
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::{AccountId, Balance, Gas};
use near_vm_runner::logic::types::{PromiseResult, ReturnData};
use near_vm_runner::logic::{VMContext, VMOutcome};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// Nonces of a key added at height `h` start at `(h - 1) * ACCESS_KEY_NONCE_RANGE`, and a
/// transaction's nonce must stay below `h * ACCESS_KEY_NONCE_RANGE` (nearcore's rule).
pub const ACCESS_KEY_NONCE_RANGE: u64 = 1_000_000;
/// The genesis account that creates test accounts (the registrar of top-level names).
pub const ROOT_ACCOUNT: &str = "near";

pub struct Chain {
    pub config: Config,
    pub accounts: BTreeMap<AccountId, AccountState>,
    pub staking: Staking,
    pub height: u64,
    /// Receipts that execute in the next block.
    next_block: Vec<Receipt>,
    /// Receipts waiting for promise results, by receipt id.
    waiting: HashMap<CryptoHash, ActionReceipt>,
    /// Promise results that arrived, by data id.
    received: HashMap<CryptoHash, Option<Vec<u8>>>,
    pub(crate) faults: Vec<FaultRule>,
    /// Transactions submitted, not yet included in a block, in submission order.
    queued: Vec<Queued>,
    /// Transactions submitted and not yet collected with [`Chain::take_result`].
    txs: HashMap<usize, TxRecord>,
    /// Transactions whose handle was dropped: their records go once they finish.
    forgotten: Vec<usize>,
    transactions: usize,
    /// Contract keys written or removed in the current block, by account, with whether they
    /// existed when it started (the chunk's changes: writing them again walks no trie node).
    changed: HashMap<AccountId, BTreeMap<Vec<u8>, bool>>,
}

/// A transaction waiting for the next block.
struct Queued {
    tx: usize,
    /// The signed transaction's hash (a test's transaction: a hash of its handle).
    hash: Option<CryptoHash>,
    signer: AccountId,
    receiver: AccountId,
    actions: Vec<Action>,
    /// The key and nonce it was signed with (`None`: a test's transaction, signed implicitly
    /// with the account's test key when it has one).
    signed: Option<(PublicKey, u64)>,
}

/// A submitted transaction's progress.
#[derive(Default)]
struct TxRecord {
    /// The block that included it (0: not yet).
    included: u64,
    conversion_gas: u64,
    tokens_burnt: u128,
    hash: CryptoHash,
    first: CryptoHash,
    /// Why it could not be included, if it could not.
    invalid: Option<InvalidTxError>,
    /// Outcomes of its receipts, in execution order.
    outcomes: Vec<ReceiptOutcome>,
}

/// The deterministic key localnet gives an account created by a test.
pub fn account_key(account: &AccountId) -> PublicKey {
    PublicKey::from_seed(KeyType::ED25519, account.as_str())
}

/// The hash naming the block at `height` (blocks carry no content): a digest of the height
/// whose last 8 bytes hide the height itself (XOR its first 8), so a transaction's block hash
/// is resolved without a table that would grow with every block.
fn block_hash(height: u64) -> CryptoHash {
    let mut bytes = CryptoHash::hash_bytes(format!("localnet block {height}").as_bytes()).0;
    let mask = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    bytes[24..].copy_from_slice(&(height ^ mask).to_le_bytes());
    CryptoHash(bytes)
}

/// The height of the block `hash` names, if it names one (produced or not).
fn block_height(hash: &CryptoHash) -> Option<u64> {
    let bytes = hash.as_bytes();
    let mask = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    let height = u64::from_le_bytes(bytes[24..].try_into().expect("8 bytes")) ^ mask;
    (block_hash(height) == *hash).then_some(height)
}

fn system() -> AccountId {
    SYSTEM_ACCOUNT.parse().expect("valid account id")
}

fn child_id(parent: &CryptoHash, index: u64) -> CryptoHash {
    let mut seed = parent.as_bytes().to_vec();
    seed.extend_from_slice(&index.to_le_bytes());
    CryptoHash::hash_bytes(&seed)
}

impl Chain {
    pub fn new(config: Config) -> Self {
        let staking = Staking::new(config.rewards.clone(), config.seats.clone());
        let mut chain = Chain {
            config,
            accounts: BTreeMap::new(),
            staking,
            height: 0,
            next_block: vec![],
            waiting: HashMap::new(),
            received: HashMap::new(),
            faults: vec![],
            queued: vec![],
            txs: HashMap::new(),
            forgotten: vec![],
            transactions: 0,
            changed: HashMap::new(),
        };
        let root: AccountId = ROOT_ACCOUNT.parse().expect("valid account id");
        let key = account_key(&root);
        let mut account = AccountState {
            amount: chain.config.root_balance,
            storage_usage: fee_config().storage_usage_config.num_bytes_account,
            ..Default::default()
        };
        account.storage_usage += key_storage(&key, &KeyPermission::FullAccess);
        account.keys.insert(key, AccessKey { nonce: 0, permission: KeyPermission::FullAccess });
        chain.accounts.insert(root, account);
        chain
    }

    /// All NEAR held by accounts, liquid and locked.
    pub fn total_supply(&self) -> u128 {
        self.accounts.values().map(|a| a.amount + a.locked).sum()
    }

    pub fn epoch_height(&self) -> u64 {
        self.height / self.config.epoch_length + 1
    }

    pub fn block_timestamp(&self) -> u64 {
        self.config.genesis_time_ns + self.height * self.config.block_time_ns
    }

    /// Produces one block: crosses an epoch boundary when the new height starts an epoch.
    fn new_block(&mut self) {
        self.height += 1;
        self.changed.clear();
        if self.height.is_multiple_of(self.config.epoch_length) {
            self.end_epoch();
        }
    }

    fn end_epoch(&mut self) {
        let locked: BTreeMap<AccountId, u128> =
            self.accounts.iter().filter(|(_, a)| a.locked > 0).map(|(id, a)| (id.clone(), a.locked)).collect();
        let duration = self.config.epoch_length * self.config.block_time_ns;
        for (id, change) in self.staking.end_epoch(&locked, self.total_supply(), duration) {
            if let Some(account) = self.accounts.get_mut(&id) {
                account.locked = account.locked + change.reward - change.returned;
                account.amount += change.returned + change.minted;
            }
        }
    }

    /// Produces `blocks` blocks, running whatever is submitted or due in them.
    pub fn fast_forward(&mut self, blocks: u64) {
        for _ in 0..blocks {
            self.produce_block();
        }
    }

    /// Executes a transaction and every receipt it causes, producing blocks until it has
    /// finished (other transactions in flight advance in the same blocks). `Err` means the
    /// transaction was invalid and was not included (nothing changed).
    pub fn transact(
        &mut self,
        signer: &AccountId,
        receiver: &AccountId,
        actions: Vec<Action>,
    ) -> Result<ExecutionResult, InvalidTxError> {
        let tx = self.submit(signer, receiver, actions)?;
        loop {
            self.produce_block();
            if let Some(result) = self.take_result(tx) {
                return result;
            }
        }
    }

    /// Checks a transaction as the RPC does before accepting it and queues it for the next
    /// block. Returns its handle for [`Chain::take_result`]; `Err`: invalid, not queued.
    pub fn submit(
        &mut self,
        signer: &AccountId,
        receiver: &AccountId,
        actions: Vec<Action>,
    ) -> Result<usize, InvalidTxError> {
        self.check_transaction(signer, receiver, &actions, None, self.height + 1)?;
        let (signer, receiver) = (signer.clone(), receiver.clone());
        Ok(self.enqueue(Queued { tx: 0, hash: None, signer, receiver, actions, signed: None }))
    }

    /// Checks a signed transaction as nearcore does (signature, recent block hash, the access
    /// key's nonce and permission, balance) and queues it for the next block; `Err`: invalid,
    /// not queued (nothing changed).
    pub fn submit_signed(&mut self, signed: &SignedTransaction) -> Result<usize, InvalidTxError> {
        let t = &signed.transaction;
        tx::check_signature(signed)?;
        let Some(height) = block_height(t.block_hash()).filter(|h| *h <= self.height) else {
            return Err(InvalidTxError::InvalidChain);
        };
        if self.height - height > self.config.transaction_validity_period {
            return Err(InvalidTxError::Expired);
        }
        let (signer, receiver, actions) = (t.signer_id().clone(), t.receiver_id().clone(), tx::actions(signed));
        let key = Some((t.public_key().clone(), t.nonce().nonce()));
        self.check_transaction(&signer, &receiver, &actions, key.as_ref(), self.height + 1)?;
        Ok(self.enqueue(Queued { tx: 0, hash: Some(signed.get_hash()), signer, receiver, actions, signed: key }))
    }

    fn enqueue(&mut self, mut queued: Queued) -> usize {
        self.transactions += 1;
        queued.tx = self.transactions;
        self.txs.insert(queued.tx, TxRecord::default());
        self.queued.push(queued);
        self.transactions
    }

    /// The hash of the block at `height` (blocks here carry no content: it names the height).
    pub fn block_hash(&self, height: u64) -> CryptoHash {
        block_hash(height)
    }

    /// The height `hash` names, if it names one (produced or not).
    pub fn block_height_of(&self, hash: &CryptoHash) -> Option<u64> {
        block_height(hash)
    }

    /// The access key `public_key` of `account`, if it has one.
    pub fn access_key(&self, account: &AccountId, public_key: &PublicKey) -> Option<AccessKey> {
        self.accounts.get(account)?.keys.get(public_key).cloned()
    }

    /// Whether nothing submitted or caused is still to run.
    pub fn is_idle(&self) -> bool {
        self.queued.is_empty() && self.next_block.is_empty() && self.waiting.is_empty()
    }

    /// Produces one block: includes the queued transactions, then runs the receipts due.
    pub fn produce_block(&mut self) {
        self.new_block();
        let due = std::mem::take(&mut self.next_block);
        for queued in std::mem::take(&mut self.queued) {
            let tx = queued.tx;
            if let Err(e) = self.include(queued) {
                self.txs.get_mut(&tx).expect("submitted").invalid = Some(e);
            }
        }
        for receipt in due {
            self.apply(receipt);
        }
        let forgotten = std::mem::take(&mut self.forgotten);
        self.forgotten = forgotten.into_iter().filter(|tx| self.take_result(*tx).is_none()).collect();
    }

    /// Drops the record of transaction `tx` once it has finished: nobody will collect it.
    pub fn forget(&mut self, tx: usize) {
        if self.txs.contains_key(&tx) && self.take_result(tx).is_none() {
            self.forgotten.push(tx);
        }
    }

    /// The outcome of transaction `tx` once every receipt it caused has run, collected once.
    /// `Err`: it had become invalid when a block tried to include it (nothing changed).
    pub fn take_result(&mut self, tx: usize) -> Option<Result<ExecutionResult, InvalidTxError>> {
        let record = self.txs.get(&tx)?;
        if record.invalid.is_none() {
            if record.included == 0 || self.next_block.iter().any(|r| r.tx() == tx) {
                return None;
            }
            assert!(
                !self.waiting.values().any(|r| r.tx == tx),
                "receipts still wait for promise results that never come"
            );
        }
        let record = self.txs.remove(&tx).expect("checked above");
        if let Some(e) = record.invalid {
            return Some(Err(e));
        }
        let status = final_status(&record.outcomes, record.first);
        let (transaction_hash, first_receipt) = (record.hash, record.first);
        Some(Ok(ExecutionResult {
            transaction_hash,
            first_receipt,
            block_height: record.included,
            transaction_gas_burnt: record.conversion_gas,
            transaction_tokens_burnt: record.tokens_burnt,
            receipts: record.outcomes,
            status,
        }))
    }

    fn apply(&mut self, receipt: Receipt) {
        match receipt {
            Receipt::Action(r) => {
                if r.input_data_ids.iter().all(|id| self.received.contains_key(id)) {
                    self.apply_action_receipt(r);
                } else {
                    self.waiting.insert(r.id, r);
                }
            }
            Receipt::Data(d) => {
                self.received.insert(d.data_id, d.data);
                let ready = self
                    .waiting
                    .iter()
                    .find(|(_, r)| {
                        r.input_data_ids.contains(&d.data_id)
                            && r.input_data_ids.iter().all(|id| self.received.contains_key(id))
                    })
                    .map(|(id, _)| *id);
                if let Some(id) = ready {
                    let r = self.waiting.remove(&id).expect("waiting receipt");
                    self.apply_action_receipt(r);
                }
            }
        }
    }

    fn apply_action_receipt(&mut self, r: ActionReceipt) {
        let promise_results: Arc<[PromiseResult]> = r
            .input_data_ids
            .iter()
            .map(|id| match self.received.remove(id).expect("all inputs arrived") {
                Some(data) => PromiseResult::Successful(data.into()),
                None => PromiseResult::Failed,
            })
            .collect();
        let existed = self.accounts.contains_key(&r.receiver);
        // The account is taken out while its actions run; `saved` restores it on failure.
        let mut account = self.accounts.remove(&r.receiver);
        let saved = account.as_ref().map(AccountState::clone_header);
        let mut overlay = HashMap::new();
        let mut applied = self.apply_actions(&r, &mut account, &mut overlay, promise_results);

        if applied.result.is_ok()
            && let Some(a) = &account
            && let Some(lacking) = storage_shortfall(a.storage_usage, a.amount + a.locked)
        {
            let kind =
                ActionErrorKind::LackBalanceForState { account_id: r.receiver.clone(), amount: balance(lacking) };
            applied.result = Err(ActionError { index: None, kind });
        }

        let exists_after = match (&applied.result, account) {
            (Ok(_), Some(mut a)) => {
                let changed = self.changed.entry(r.receiver.clone()).or_default();
                for (key, value) in overlay {
                    changed.entry(key.clone()).or_insert_with(|| a.data.contains_key(&key));
                    match value {
                        Some(v) => a.data.insert(key, v),
                        None => a.data.remove(&key),
                    };
                }
                self.accounts.insert(r.receiver.clone(), a);
                true
            }
            (Ok(_), None) => false,
            (Err(_), Some(mut a)) => {
                if let Some(s) = saved {
                    a.restore_header(s);
                    self.accounts.insert(r.receiver.clone(), a);
                }
                existed
            }
            (Err(_), None) => existed,
        };

        let created_from = self.next_block.len();
        // Refunds and burnt tokens (refund receipts cost nothing and create no refunds).
        let mut tokens_burnt = 0;
        if !r.is_refund() {
            let created = !existed && exists_after && applied.result.is_ok();
            let settled = settle_gas(&r, &applied, self.config.gas_price, created);
            tokens_burnt = settled.tokens_burnt;
            if applied.result.is_err() {
                let deposit: u128 = r.actions.iter().map(deposit_of).sum();
                self.refund(&r, r.refund_to.clone(), deposit);
            }
            self.refund(&r, r.signer.clone(), settled.refund);
        } else if applied.result.is_err() {
            // A refund to a deleted account is burnt.
            tokens_burnt = r.actions.iter().map(deposit_of).sum();
        }

        let status = self.route_results(&r, &mut applied);
        let (refunds, new): (Vec<&ActionReceipt>, Vec<&ActionReceipt>) = self.next_block[created_from..]
            .iter()
            .filter_map(|receipt| match receipt {
                Receipt::Action(action) => Some(action),
                Receipt::Data(_) => None,
            })
            .partition(|action| action.is_refund());
        let receipt_ids = new.iter().chain(&refunds).map(|action| action.id).collect();
        let outcomes = &mut self.txs.get_mut(&r.tx).expect("a receipt's transaction is tracked").outcomes;
        outcomes.push(ReceiptOutcome {
            id: r.id,
            predecessor: r.predecessor.clone(),
            receiver: r.receiver.clone(),
            methods: r
                .actions
                .iter()
                .filter_map(|a| match a {
                    Action::FunctionCall(fc) => Some(fc.method.clone()),
                    _ => None,
                })
                .collect(),
            prepaid_gas: r.actions.iter().map(fc_gas).sum(),
            deposit: r.actions.iter().map(deposit_of).sum(),
            block_height: self.height,
            receipt_ids,
            gas_burnt: applied.gas_burnt,
            vm_gas_burnt: applied.vm_gas_burnt,
            value_bytes_gas: applied.value_bytes_gas,
            trie_node_gas: applied.trie_node_gas,
            tokens_burnt,
            logs: applied.logs,
            status,
            is_refund: r.is_refund(),
            receipt: r,
        });
    }
}

impl AccountState {
    /// Everything but the contract state (cheap to copy).
    fn clone_header(&self) -> AccountState {
        AccountState {
            amount: self.amount,
            locked: self.locked,
            storage_usage: self.storage_usage,
            code: self.code.clone(),
            keys: self.keys.clone(),
            data: BTreeMap::new(),
        }
    }

    fn restore_header(&mut self, saved: AccountState) {
        self.amount = saved.amount;
        self.locked = saved.locked;
        self.storage_usage = saved.storage_usage;
        self.code = saved.code;
        self.keys = saved.keys;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_hashes_name_their_height_and_nothing_else() {
        for height in [0, 1, 86_400, u64::MAX] {
            assert_eq!(block_height(&block_hash(height)), Some(height));
        }
        assert_eq!(block_height(&CryptoHash::hash_bytes(b"not a block")), None);
    }

    #[test]
    fn a_forgotten_transaction_leaves_no_record_once_it_finishes() {
        let mut chain = Chain::new(Config::default());
        let root: AccountId = ROOT_ACCOUNT.parse().unwrap();
        let (kept, dropped) = (
            chain.submit(&root, &root, vec![Action::Transfer(1)]).unwrap(),
            chain.submit(&root, &root, vec![Action::Transfer(2)]).unwrap(),
        );
        chain.forget(dropped);
        chain.produce_block();
        // Its gas refund is still to come.
        assert_eq!(chain.forgotten, vec![dropped]);
        chain.produce_block();
        assert_eq!(chain.txs.keys().copied().collect::<Vec<_>>(), vec![kept]);
        assert!(chain.forgotten.is_empty());
        assert!(chain.take_result(kept).unwrap().is_ok());
        assert!(chain.txs.is_empty());
    }
}
