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

/// Accounts up to this size need no balance for storage (NEP-448).
const ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT: u64 = 770;
/// DeleteAccount refuses accounts with more state than this (bytes beyond the contract code).
const DELETE_ACCOUNT_STATE_LIMIT: u64 = 10_000;
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
    first: CryptoHash,
    /// Why it could not be included, if it could not.
    invalid: Option<InvalidTxError>,
    /// Outcomes of its receipts, in execution order.
    outcomes: Vec<ReceiptOutcome>,
}

/// What applying a receipt's actions produced, before it is committed or rolled back.
struct Applied {
    gas_burnt: u64,
    gas_used: u64,
    vm_gas_burnt: u64,
    value_bytes_gas: u64,
    trie_node_gas: u64,
    logs: Vec<String>,
    result: Result<ReturnData, ActionError>,
    new_receipts: Vec<NewReceipt>,
    /// Balance receipts produced by the actions themselves (DeleteAccount's beneficiary).
    transfers: Vec<(AccountId, u128)>,
    proposals: Vec<(AccountId, u128)>,
    /// The receipt's storage proof so far, which its function calls share.
    recorded: Mutex<Recorded>,
}

fn fees() -> &'static RuntimeFeesConfig {
    &vm::runtime_config().fees
}

fn gas(g: Gas) -> u64 {
    g.as_gas()
}

fn exec_fee(cost: ActionCosts) -> u64 {
    gas(fees().fee(cost).exec_fee().gas)
}

fn send_fee(cost: ActionCosts, sir: bool) -> u64 {
    gas(fees().fee(cost).send_fee(sir).gas)
}

/// Borsh size of an access key record's value: nonce, permission tag and its fields.
fn access_key_len(permission: &KeyPermission) -> u64 {
    match permission {
        KeyPermission::FullAccess => 8 + 1,
        KeyPermission::FunctionCall { allowance, receiver_id, method_names } => {
            let allowance_len = if allowance.is_some() { 17 } else { 1 };
            let names: u64 = method_names.iter().map(|m| 4 + m.len() as u64).sum();
            8 + 1 + allowance_len + 4 + receiver_id.len() as u64 + 4 + names
        }
    }
}

/// Storage an access key occupies: key, value and the per-record overhead.
fn key_storage(public_key: &PublicKey, permission: &KeyPermission) -> u64 {
    let extra = fees().storage_usage_config.num_extra_bytes_record;
    borsh::to_vec(public_key).expect("keys serialize").len() as u64 + access_key_len(permission) + extra
}

/// (send fee, exec fee) of one action; `sir` when sender and receiver are the same account.
fn action_fees(action: &Action, sir: bool, receiver: &AccountId) -> (u64, u64) {
    use ActionCosts::*;
    let both = |c: ActionCosts| (send_fee(c, sir), exec_fee(c));
    let per_byte = |base: ActionCosts, byte: ActionCosts, n: u64| {
        (send_fee(base, sir) + send_fee(byte, sir) * n, exec_fee(base) + exec_fee(byte) * n)
    };
    match action {
        Action::CreateAccount => both(create_account),
        Action::DeployContract(code) => per_byte(deploy_contract_base, deploy_contract_byte, code.len() as u64),
        Action::FunctionCall(fc) => {
            per_byte(function_call_base, function_call_byte, (fc.method.len() + fc.args.len()) as u64)
        }
        Action::Transfer(_) if is_near_implicit(receiver) => {
            let (s1, e1) = both(transfer);
            let (s2, e2) = both(create_account);
            let (s3, e3) = both(add_full_access_key);
            (s1 + s2 + s3, e1 + e2 + e3)
        }
        Action::Transfer(_) => both(transfer),
        Action::Stake { .. } => both(stake),
        Action::AddKey { permission: KeyPermission::FullAccess, .. } => both(add_full_access_key),
        Action::AddKey { permission: KeyPermission::FunctionCall { method_names, .. }, .. } => {
            let n = method_names.iter().map(|m| m.len() as u64 + 1).sum();
            per_byte(add_function_call_key_base, add_function_call_key_byte, n)
        }
        Action::DeleteKey(_) => both(delete_key),
        Action::DeleteAccount { .. } => both(delete_account),
        Action::Unsupported(_) => (0, 0),
    }
}

fn deposit_of(action: &Action) -> u128 {
    match action {
        Action::Transfer(d) => *d,
        Action::FunctionCall(fc) => fc.deposit,
        _ => 0,
    }
}

fn is_near_implicit(account: &AccountId) -> bool {
    account.len() == 64 && account.as_str().bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
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
            storage_usage: fees().storage_usage_config.num_bytes_account,
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

    /// Gas is bought at no less than the protocol's minimum purchase price.
    fn purchase_price(&self) -> u128 {
        self.config.gas_price.max(vm::runtime_config().min_gas_purchase_price.as_yoctonear())
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
        Ok(self.enqueue(Queued { tx: 0, signer: signer.clone(), receiver: receiver.clone(), actions, signed: None }))
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
        Ok(self.enqueue(Queued { tx: 0, signer, receiver, actions, signed: key }))
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
        Some(Ok(ExecutionResult {
            block_height: record.included,
            transaction_gas_burnt: record.conversion_gas,
            transaction_tokens_burnt: record.tokens_burnt,
            receipts: record.outcomes,
            status,
        }))
    }

    /// The transaction's fees and cost: (conversion gas, total cost in yocto).
    fn transaction_cost(&self, sir: bool, receiver: &AccountId, actions: &[Action]) -> (u64, u128) {
        let mut conversion_gas = send_fee(ActionCosts::new_action_receipt, sir);
        let mut prepaid_gas = exec_fee(ActionCosts::new_action_receipt);
        let mut deposits: u128 = 0;
        for action in actions {
            let (send, exec) = action_fees(action, sir, receiver);
            conversion_gas += send;
            prepaid_gas += exec;
            if let Action::FunctionCall(fc) = action {
                prepaid_gas += fc.gas;
            }
            deposits += deposit_of(action);
        }
        let cost =
            conversion_gas as u128 * self.config.gas_price + prepaid_gas as u128 * self.purchase_price() + deposits;
        (conversion_gas, cost)
    }

    /// nearcore's checks of a transaction against the signer's account now, in its order;
    /// returns the signer's balance after paying for it and the signing key as it is after the
    /// transaction. `signed`: the key and nonce it was signed with (a test's transaction uses
    /// the account's test key, with the next nonce, when it has one); `height`: the block that
    /// includes it (the next one, for a check before submission).
    fn check_transaction(
        &self,
        signer: &AccountId,
        receiver: &AccountId,
        actions: &[Action],
        signed: Option<&(PublicKey, u64)>,
        height: u64,
    ) -> Result<(u128, Option<(PublicKey, AccessKey)>), InvalidTxError> {
        validate_actions(actions).map_err(InvalidTxError::ActionsValidation)?;
        let (_, cost) = self.transaction_cost(signer == receiver, receiver, actions);
        let account = self
            .accounts
            .get(signer)
            .ok_or_else(|| InvalidTxError::SignerDoesNotExist { signer_id: signer.clone() })?;
        let mut key = match signed {
            Some((public_key, nonce)) => {
                let key = tx::check_nonce(signer, public_key, account.keys.get(public_key), *nonce, height)?;
                Some((public_key.clone(), key))
            }
            None => {
                let public_key = account_key(signer);
                let key = account.keys.get(&public_key).map(|k| AccessKey { nonce: k.nonce + 1, ..k.clone() });
                key.map(|key| (public_key, key))
            }
        };
        if account.amount < cost {
            let (balance, cost) = (balance(account.amount), balance(cost));
            return Err(InvalidTxError::NotEnoughBalance { signer_id: signer.clone(), balance, cost });
        }
        if let (Some((public_key, key)), Some(_)) = (&mut key, signed) {
            tx::spend_allowance(signer, public_key, key, cost)?;
        }
        let left = account.amount - cost;
        if let Some(lacking) = storage_shortfall(account.storage_usage, left + account.locked) {
            return Err(InvalidTxError::LackBalanceForState { signer_id: signer.clone(), amount: balance(lacking) });
        }
        if let (Some((_, key)), Some(_)) = (&key, signed) {
            tx::check_permission(key, receiver, actions)?;
        }
        Ok((left, key))
    }

    /// Includes transaction `tx` in the current block: charges the signer, and runs its receipt
    /// now if it is to the signer itself, else in the next block.
    fn include(&mut self, queued: Queued) -> Result<(), InvalidTxError> {
        let Queued { tx, signer, receiver, actions, signed } = queued;
        let (signer, receiver) = (&signer, &receiver);
        let (left, key) = self.check_transaction(signer, receiver, &actions, signed.as_ref(), self.height)?;
        let sir = signer == receiver;
        let (conversion_gas, _) = self.transaction_cost(sir, receiver, &actions);
        let account = self.accounts.get_mut(signer).expect("signer exists");
        account.amount = left;
        let signer_public_key = key.as_ref().map_or_else(|| account_key(signer), |(public_key, _)| public_key.clone());
        if let Some((public_key, key)) = key {
            account.keys.insert(public_key, key);
        }
        let tx_hash = CryptoHash::hash_bytes(format!("tx{tx}").as_bytes());
        let receipt = ActionReceipt {
            id: child_id(&tx_hash, 0),
            predecessor: signer.clone(),
            receiver: receiver.clone(),
            signer: signer.clone(),
            signer_public_key,
            gas_price: self.purchase_price(),
            refund_to: signer.clone(),
            output_data_receivers: vec![],
            input_data_ids: vec![],
            actions,
            tx,
        };
        let record = self.txs.get_mut(&tx).expect("submitted");
        record.included = self.height;
        record.conversion_gas = conversion_gas;
        record.tokens_burnt = conversion_gas as u128 * self.config.gas_price;
        record.first = receipt.id;
        if sir {
            self.apply(Receipt::Action(receipt));
        } else {
            self.next_block.push(Receipt::Action(receipt));
        }
        Ok(())
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

        // Refunds and burnt tokens (refund receipts cost nothing and create no refunds).
        let mut tokens_burnt = 0;
        if !r.is_refund() {
            let burn_price = r.gas_price.min(self.config.gas_price);
            let prepaid: u64 = exec_fee(ActionCosts::new_action_receipt)
                + r.actions
                    .iter()
                    .map(|a| action_fees(a, r.predecessor == r.receiver, &r.receiver).1 + fc_gas(a))
                    .sum::<u64>();
            let spent = if applied.result.is_ok() { applied.gas_used } else { applied.gas_burnt };
            let gross = prepaid.saturating_sub(spent);
            let penalty = gas(fees().gas_penalty_for_gas_refund(Gas::from_gas(gross))) as u128 * burn_price;
            let unused_refund = (gross as u128 * r.gas_price).saturating_sub(penalty);
            let mut surplus = (r.gas_price - burn_price) * applied.gas_burnt as u128;
            let mut creation_charge = 0;
            if !existed && exists_after && applied.result.is_ok() {
                let charge = vm::runtime_config().account_creation_charge.as_yoctonear();
                let covered = burn_price * exec_fee(ActionCosts::create_account) as u128;
                creation_charge = charge.saturating_sub(covered).min(surplus);
                surplus -= creation_charge;
            }
            tokens_burnt = burn_price * applied.gas_burnt as u128 + penalty + creation_charge;
            if applied.result.is_err() {
                let deposit: u128 = r.actions.iter().map(deposit_of).sum();
                self.refund(&r, r.refund_to.clone(), deposit);
            }
            self.refund(&r, r.signer.clone(), unused_refund + surplus);
        } else if applied.result.is_err() {
            // A refund to a deleted account is burnt.
            tokens_burnt = r.actions.iter().map(deposit_of).sum();
        }

        let status = self.route_results(&r, &mut applied);
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
            gas_burnt: applied.gas_burnt,
            vm_gas_burnt: applied.vm_gas_burnt,
            value_bytes_gas: applied.value_bytes_gas,
            trie_node_gas: applied.trie_node_gas,
            tokens_burnt,
            logs: applied.logs,
            status,
            is_refund: r.is_refund(),
        });
    }

    /// Sends a balance refund from the system account (nothing when the amount is 0).
    fn refund(&mut self, parent: &ActionReceipt, to: AccountId, amount: u128) {
        if amount == 0 {
            return;
        }
        let index = self.next_block.len() as u64 + 1_000_000;
        self.next_block.push(Receipt::Action(ActionReceipt {
            id: child_id(&parent.id, index),
            predecessor: system(),
            receiver: to,
            signer: system(),
            signer_public_key: PublicKey::empty(KeyType::ED25519),
            gas_price: 0,
            refund_to: system(),
            output_data_receivers: vec![],
            input_data_ids: vec![],
            actions: vec![Action::Transfer(amount)],
            tx: parent.tx,
        }));
    }

    /// Commits a receipt's outputs: on success its new receipts, proposals and the promise
    /// results its callers wait for; on failure only failed results for those callers.
    fn route_results(&mut self, r: &ActionReceipt, applied: &mut Applied) -> Status {
        let result = std::mem::replace(&mut applied.result, Ok(ReturnData::None));
        let send_data = |chain: &mut Chain, data: Option<Vec<u8>>| {
            for (data_id, _) in &r.output_data_receivers {
                chain.next_block.push(Receipt::Data(DataReceipt { data_id: *data_id, data: data.clone(), tx: r.tx }));
            }
        };
        let return_data = match result {
            Err(e) => {
                send_data(self, None);
                return Status::Failure(e.into());
            }
            Ok(data) => data,
        };
        for (account, stake) in applied.proposals.drain(..) {
            self.staking.propose(&account, stake);
        }
        for (to, amount) in applied.transfers.drain(..) {
            self.refund(r, to, amount);
        }
        // Build the new receipts: ids, data dependencies, then hand over our callers.
        let new = std::mem::take(&mut applied.new_receipts);
        let ids: Vec<CryptoHash> = (0..new.len() as u64).map(|i| child_id(&r.id, i)).collect();
        let mut receipts: Vec<ActionReceipt> = new
            .iter()
            .zip(&ids)
            .map(|(n, id)| ActionReceipt {
                id: *id,
                predecessor: r.receiver.clone(),
                receiver: n.receiver.clone(),
                signer: r.signer.clone(),
                signer_public_key: r.signer_public_key.clone(),
                gas_price: r.gas_price,
                refund_to: n.refund_to.clone().unwrap_or_else(|| r.receiver.clone()),
                output_data_receivers: vec![],
                input_data_ids: vec![],
                actions: n.actions.clone(),
                tx: r.tx,
            })
            .collect();
        for (i, n) in new.iter().enumerate() {
            for &dep in &n.dependencies {
                let data_id = child_id(&ids[i], 2_000_000 + dep);
                receipts[dep as usize].output_data_receivers.push((data_id, n.receiver.clone()));
                receipts[i].input_data_ids.push(data_id);
            }
        }
        let status = match return_data {
            ReturnData::ReceiptIndex(i) => {
                receipts[i as usize].output_data_receivers.extend(r.output_data_receivers.iter().cloned());
                Status::Receipt(ids[i as usize])
            }
            ReturnData::Value(v) => {
                send_data(self, Some(v.clone()));
                Status::Value(v)
            }
            ReturnData::None => {
                send_data(self, Some(vec![]));
                Status::Value(vec![])
            }
        };
        self.next_block.extend(receipts.into_iter().map(Receipt::Action));
        status
    }

    /// Applies the receipt's actions in order, stopping at the first failure.
    fn apply_actions(
        &mut self,
        r: &ActionReceipt,
        account: &mut Option<AccountState>,
        overlay: &mut HashMap<Vec<u8>, Option<Vec<u8>>>,
        promise_results: Arc<[PromiseResult]>,
    ) -> Applied {
        // Refunds burn no tokens, but their outcomes report the exec fees, as on chain.
        let receipt_fee = exec_fee(ActionCosts::new_action_receipt);
        let mut applied = Applied {
            gas_burnt: receipt_fee,
            gas_used: receipt_fee,
            vm_gas_burnt: 0,
            value_bytes_gas: 0,
            trie_node_gas: 0,
            logs: vec![],
            result: Ok(ReturnData::None),
            new_receipts: vec![],
            transfers: vec![],
            proposals: vec![],
            recorded: Mutex::default(),
        };
        let sir = r.predecessor == r.receiver;
        let mut actor = r.predecessor.clone();
        let only_action = r.actions.len() == 1;
        let mut data_ids = 0;
        for (index, action) in r.actions.iter().enumerate() {
            let fee = action_fees(action, sir, &r.receiver).1;
            applied.gas_burnt += fee;
            applied.gas_used += fee;
            let result = match action {
                Action::CreateAccount => self.create_account(r, account).map(|()| {
                    actor = r.receiver.clone();
                    ReturnData::None
                }),
                Action::Transfer(amount) => match account {
                    Some(a) => {
                        a.amount += amount;
                        Ok(ReturnData::None)
                    }
                    None if is_near_implicit(&r.receiver) && only_action && !r.is_refund() => {
                        *account = Some(self.new_implicit_account(&r.receiver, *amount));
                        Ok(ReturnData::None)
                    }
                    None => Err(no_account(&r.receiver)),
                },
                Action::FunctionCall(fc) => {
                    let is_last = index + 1 == r.actions.len();
                    let results = promise_results.clone();
                    self.function_call(r, fc, account, overlay, results, is_last, &mut applied, &mut data_ids)
                }
                other => self.apply_account_action(r, other, &actor, account, &mut applied),
            };
            match result {
                Ok(data) => applied.result = Ok(data),
                Err(kind) => {
                    applied.result = Err(ActionError { index: Some(index as u64), kind });
                    break;
                }
            }
        }
        applied
    }

    fn create_account(&self, r: &ActionReceipt, account: &mut Option<AccountState>) -> Result<(), ActionErrorKind> {
        if account.is_some() {
            return Err(ActionErrorKind::AccountAlreadyExists { account_id: r.receiver.clone() });
        }
        let parent_ok = match r.receiver.get_parent_account_id() {
            Some(parent) => parent.as_str() == r.predecessor.as_str(),
            None => r.predecessor.as_str() == ROOT_ACCOUNT,
        };
        if !parent_ok {
            let (account_id, predecessor_id) = (r.receiver.clone(), r.predecessor.clone());
            return Err(ActionErrorKind::CreateAccountNotAllowed { account_id, predecessor_id });
        }
        *account =
            Some(AccountState { storage_usage: fees().storage_usage_config.num_bytes_account, ..Default::default() });
        Ok(())
    }

    fn new_implicit_account(&self, id: &AccountId, amount: u128) -> AccountState {
        let bytes: Vec<u8> =
            (0..32).map(|i| u8::from_str_radix(&id.as_str()[2 * i..2 * i + 2], 16).expect("hex")).collect();
        let key = PublicKey::ED25519(near_crypto::ED25519PublicKey(bytes.try_into().expect("32 bytes")));
        let size = key_storage(&key, &KeyPermission::FullAccess);
        let mut account = AccountState {
            amount,
            storage_usage: fees().storage_usage_config.num_bytes_account + size,
            ..Default::default()
        };
        account.keys.insert(key, AccessKey { nonce: self.new_key_nonce(), permission: KeyPermission::FullAccess });
        account
    }

    /// A key added in the current block starts from this nonce (nearcore's nonce range:
    /// `(height - 1) * 10^6`), so transactions signed for a deleted and re-added key cannot
    /// be replayed.
    fn new_key_nonce(&self) -> u64 {
        self.height.saturating_sub(1) * ACCESS_KEY_NONCE_RANGE
    }

    /// Actions only the account itself may do: deploy, stake, keys, delete.
    fn apply_account_action(
        &mut self,
        r: &ActionReceipt,
        action: &Action,
        actor: &AccountId,
        account: &mut Option<AccountState>,
        applied: &mut Applied,
    ) -> Result<ReturnData, ActionErrorKind> {
        let Some(a) = account.as_mut() else {
            return Err(no_account(&r.receiver));
        };
        if let Action::Unsupported(feature) = action {
            return Err(execution_error(format!("localnet does not support {feature}")));
        }
        if actor != &r.receiver {
            return Err(ActionErrorKind::ActorNoPermission { account_id: r.receiver.clone(), actor_id: actor.clone() });
        }
        let account_id = r.receiver.clone();
        match action {
            Action::DeployContract(code) => {
                let old = a.code.as_ref().map_or(0, |c| c.len() as u64);
                a.storage_usage = a.storage_usage - old + code.len() as u64;
                a.code = Some(code.clone());
            }
            Action::Stake { stake, .. } => {
                let increment = stake.saturating_sub(a.locked);
                if a.amount < increment {
                    let (stake, locked, balance) = (balance(*stake), balance(a.locked), balance(a.amount));
                    return Err(ActionErrorKind::TriesToStake { account_id, stake, locked, balance });
                }
                if a.locked == 0 && *stake == 0 {
                    return Err(ActionErrorKind::TriesToUnstake { account_id });
                }
                let minimum_stake = self.staking.minimum_stake();
                if *stake > 0 && *stake < minimum_stake {
                    let (stake, minimum_stake) = (balance(*stake), balance(minimum_stake));
                    return Err(ActionErrorKind::InsufficientStake { account_id, stake, minimum_stake });
                }
                applied.proposals.push((r.receiver.clone(), *stake));
                if *stake > a.locked {
                    a.amount -= increment;
                    a.locked = *stake;
                }
            }
            Action::AddKey { public_key, permission } => {
                if a.keys.contains_key(public_key) {
                    let public_key = Box::new(public_key.clone());
                    return Err(ActionErrorKind::AddKeyAlreadyExists { account_id, public_key });
                }
                a.storage_usage += key_storage(public_key, permission);
                let key = AccessKey { nonce: self.new_key_nonce(), permission: permission.clone() };
                a.keys.insert(public_key.clone(), key);
            }
            Action::DeleteKey(public_key) => {
                let Some(key) = a.keys.remove(public_key) else {
                    let public_key = Box::new(public_key.clone());
                    return Err(ActionErrorKind::DeleteKeyDoesNotExist { account_id, public_key });
                };
                a.storage_usage -= key_storage(public_key, &key.permission);
            }
            Action::DeleteAccount { beneficiary } => {
                if a.locked != 0 {
                    return Err(ActionErrorKind::DeleteAccountStaking { account_id });
                }
                let code = a.code.as_ref().map_or(0, |c| c.len() as u64);
                if a.storage_usage - code > DELETE_ACCOUNT_STATE_LIMIT {
                    return Err(ActionErrorKind::DeleteAccountWithLargeState { account_id });
                }
                applied.transfers.push((beneficiary.clone(), a.amount));
                *account = None;
            }
            Action::CreateAccount | Action::Transfer(_) | Action::FunctionCall(_) | Action::Unsupported(_) => {
                unreachable!("handled by apply_actions")
            }
        }
        Ok(ReturnData::None)
    }

    #[allow(clippy::too_many_arguments)]
    fn function_call(
        &mut self,
        r: &ActionReceipt,
        fc: &FunctionCall,
        account: &mut Option<AccountState>,
        overlay: &mut HashMap<Vec<u8>, Option<Vec<u8>>>,
        promise_results: Arc<[PromiseResult]>,
        is_last: bool,
        applied: &mut Applied,
        data_ids: &mut u64,
    ) -> Result<ReturnData, ActionErrorKind> {
        let Some(a) = account.as_mut() else {
            return Err(no_account(&r.receiver));
        };
        let Some(code) = a.code.clone() else {
            return Err(no_code(&r.receiver));
        };
        let max_burnt = gas(vm::runtime_config().wasm_config.limit_config.max_gas_burnt);
        match self.take_fault(&r.receiver, &fc.method) {
            Some(Fault::Fail) => return Err(execution_error("Smart contract panicked: localnet: injected failure")),
            Some(Fault::OutOfGas) => {
                let burnt = fc.gas.min(max_burnt);
                applied.gas_burnt += burnt;
                applied.gas_used += burnt;
                applied.vm_gas_burnt += burnt;
                return Err(execution_error("Exceeded the prepaid gas."));
            }
            None => {}
        }
        let context = VMContext {
            signer_account_id: r.signer.clone(),
            signer_account_pk: borsh::to_vec(&r.signer_public_key).expect("keys serialize"),
            predecessor_account_id: r.predecessor.clone(),
            refund_to_account_id: r.refund_to.clone(),
            promise_results,
            attached_deposit: Balance::from_yoctonear(fc.deposit),
            prepaid_gas: Gas::from_gas(fc.gas),
            random_seed: child_id(&r.id, self.height).as_bytes().to_vec(),
            view_config: None,
            output_data_receivers: if is_last {
                r.output_data_receivers.iter().map(|(_, receiver)| receiver.clone()).collect()
            } else {
                vec![]
            },
            ..self.view_context(&r.receiver, a, &code, fc.args.clone())
        };
        let validators = self.staking.active();
        let first_new = applied.new_receipts.len();
        let unchanged = BTreeMap::new();
        let mut ext = Ext {
            committed: &a.data,
            changed: self.changed.get(&r.receiver).unwrap_or(&unchanged),
            shard_trie_depth: self.config.shard_trie_depth,
            overlay,
            receipts: &mut applied.new_receipts,
            validators: &validators,
            receipt_id: r.id,
            data_ids,
            recorded: &applied.recorded,
        };
        let outcome: VMOutcome =
            vm::run(&code, &fc.method, &mut ext, &context).unwrap_or_else(|e| panic!("VM error: {e}"));
        let distributed =
            distribute_gas(&mut applied.new_receipts[first_new..], fc.gas.saturating_sub(gas(outcome.used_gas)));
        applied.gas_burnt += gas(outcome.burnt_gas);
        applied.vm_gas_burnt += gas(outcome.burnt_gas);
        applied.value_bytes_gas += [ExtCosts::storage_write_evicted_byte, ExtCosts::storage_remove_ret_value_byte]
            .into_iter()
            .map(|cost| gas(outcome.profile.get_ext_cost(cost)))
            .sum::<u64>();
        applied.trie_node_gas += gas(outcome.profile.get_ext_cost(ExtCosts::read_cached_trie_node));
        applied.gas_used += gas(outcome.used_gas) + distributed;
        applied.logs.extend(outcome.logs);
        if let Some(error) = outcome.aborted {
            return Err(ActionErrorKind::FunctionCallError(errors::function_call_error(&error)));
        }
        applied.new_receipts[first_new..]
            .iter()
            .try_for_each(validate_new_receipt)
            .map_err(ActionErrorKind::NewReceiptValidationError)?;
        a.amount = outcome.balance.as_yoctonear();
        a.storage_usage = outcome.storage_usage;
        Ok(outcome.return_data)
    }

    /// The context of a view of `code` on `account` at the current block; a function call
    /// overrides the caller, deposit, gas and promise fields.
    fn view_context(
        &self,
        account_id: &AccountId,
        account: &AccountState,
        code: &vm::Code,
        input: Vec<u8>,
    ) -> VMContext {
        let max_gas_burnt = vm::runtime_config().wasm_config.limit_config.max_gas_burnt;
        VMContext {
            current_account_id: account_id.clone(),
            signer_account_id: account_id.clone(),
            signer_account_pk: vec![],
            predecessor_account_id: account_id.clone(),
            refund_to_account_id: account_id.clone(),
            input: input.into(),
            promise_results: Vec::new().into(),
            block_height: self.height,
            block_timestamp: self.block_timestamp(),
            epoch_height: self.epoch_height(),
            account_balance: Balance::from_yoctonear(account.amount),
            account_locked_balance: Balance::from_yoctonear(account.locked),
            storage_usage: account.storage_usage,
            account_contract: AccountContract::Local(code.hash()),
            attached_deposit: Balance::ZERO,
            prepaid_gas: max_gas_burnt,
            random_seed: vec![0; 32],
            view_config: Some(ViewConfig { max_gas_burnt }),
            output_data_receivers: vec![],
        }
    }

    /// Runs a view method: no state change can survive it.
    pub fn view(
        &self,
        account_id: &AccountId,
        method: &str,
        args: Vec<u8>,
    ) -> Result<crate::outcome::ViewResult, String> {
        let account = self
            .accounts
            .get(account_id)
            .ok_or_else(|| format!("account {account_id} does not exist while viewing"))?;
        let code = account.code.clone().ok_or_else(|| "CompilationError(CodeDoesNotExist)".to_string())?;
        let context = self.view_context(account_id, account, &code, args);
        let validators = self.staking.active();
        let mut overlay = HashMap::new();
        let mut receipts = vec![];
        let mut data_ids = 0;
        let unchanged = BTreeMap::new();
        let mut ext = Ext {
            committed: &account.data,
            changed: &unchanged,
            shard_trie_depth: self.config.shard_trie_depth,
            overlay: &mut overlay,
            receipts: &mut receipts,
            validators: &validators,
            receipt_id: CryptoHash::default(),
            data_ids: &mut data_ids,
            recorded: &Mutex::default(),
        };
        let outcome = vm::run(&code, method, &mut ext, &context)?;
        if let Some(error) = outcome.aborted {
            return Err(error.to_string());
        }
        Ok(crate::outcome::ViewResult {
            result: outcome.return_data.as_value().unwrap_or_default(),
            logs: outcome.logs,
            gas_burnt: gas(outcome.burnt_gas),
        })
    }
}

/// How much balance an account lacks to pay for its storage, if any (accounts up to 770 bytes
/// pay nothing).
fn storage_shortfall(storage_usage: u64, balance: u128) -> Option<u128> {
    if storage_usage <= ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT {
        return None;
    }
    let byte_cost = fees().storage_usage_config.storage_amount_per_byte.as_yoctonear();
    (storage_usage as u128 * byte_cost).checked_sub(balance).filter(|lacking| *lacking > 0)
}

fn fc_gas(action: &Action) -> u64 {
    match action {
        Action::FunctionCall(fc) => fc.gas,
        _ => 0,
    }
}

/// Gives the unused gas to the new function calls with a weight, in proportion to the weights;
/// the last weighted call also gets the rounding remainder. Returns the gas given.
fn distribute_gas(receipts: &mut [NewReceipt], unused: u64) -> u64 {
    let weighted = || {
        receipts.iter().flat_map(|r| r.actions.iter()).filter_map(|a| match a {
            Action::FunctionCall(fc) if fc.gas_weight > 0 => Some(fc.gas_weight as u128),
            _ => None,
        })
    };
    let total_weight: u128 = weighted().sum();
    if total_weight == 0 || unused == 0 {
        return 0;
    }
    let mut given = 0u64;
    let mut last: Option<&mut FunctionCall> = None;
    for action in receipts.iter_mut().flat_map(|r| r.actions.iter_mut()) {
        if let Action::FunctionCall(fc) = action
            && fc.gas_weight > 0
        {
            let share = (unused as u128 * fc.gas_weight as u128 / total_weight) as u64;
            fc.gas += share;
            given += share;
            last = Some(fc);
        }
    }
    if let Some(fc) = last {
        fc.gas += unused - given;
    }
    unused
}

/// Follows returned promises from the transaction's receipt to its final value or failure.
fn final_status(receipts: &[ReceiptOutcome], first: CryptoHash) -> Result<Vec<u8>, Failure> {
    let mut id = first;
    loop {
        let outcome = receipts.iter().find(|r| r.id == id).expect("the transaction's receipts all ran");
        match &outcome.status {
            Status::Value(v) => return Ok(v.clone()),
            Status::Failure(e) => return Err(e.clone()),
            Status::Receipt(next) => id = *next,
        }
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
