//! The test-facing API, in the style of near-workspaces: create accounts, deploy, call and
//! view, and move time forward.

use crate::chain::account_key;
use crate::chain::{Chain, ROOT_ACCOUNT};
use crate::config::{Config, TGAS};
use crate::errors::InvalidTxError;
use crate::outcome::{ExecutionResult, ViewResult};
use crate::receipt::{Action, FunctionCall, KeyPermission};
use crate::state::AccessKey;
use crate::state::AccountView;
use crate::vm::Code;
use near_crypto::{KeyType, PublicKey, SecretKey};
use near_primitives::action::Action as SignedAction;
use near_primitives::transaction::{SignedTransaction, TransactionV0};
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::AccountId;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Gas a call gets unless the test says otherwise (as in NEAR's near-cli examples).
pub const DEFAULT_CALL_GAS: u64 = 30 * TGAS;

/// An in-process NEAR chain. Clones share the same chain.
#[derive(Clone)]
pub struct Localnet {
    pub(crate) chain: Rc<RefCell<Chain>>,
}

impl Default for Localnet {
    fn default() -> Self {
        Self::new()
    }
}

impl Localnet {
    pub fn new() -> Self {
        Self::with_config(Config::default())
    }

    pub fn with_config(config: Config) -> Self {
        Localnet { chain: Rc::new(RefCell::new(Chain::new(config))) }
    }

    /// The genesis account `near`, which holds the chain's balance.
    pub fn root(&self) -> Account {
        self.account(ROOT_ACCOUNT)
    }

    /// A handle on account `id` (which may not exist yet).
    #[track_caller]
    pub fn account(&self, id: &str) -> Account {
        Account { net: self.clone(), id: parse_id(id) }
    }

    /// Creates `<name>.near` with `balance` and a full-access key, paid by the root account.
    #[track_caller]
    pub fn create_account(&self, name: &str, balance: u128) -> Account {
        self.root().create_subaccount(name, balance)
    }

    /// Balances and storage of an account, or `None` if it does not exist.
    pub fn view_account(&self, id: &AccountId) -> Option<AccountView> {
        self.chain.borrow().accounts.get(id).map(|a| a.view())
    }

    /// A value from an account's contract state (for tests that inspect raw storage).
    pub fn view_state(&self, id: &AccountId, key: &[u8]) -> Option<Vec<u8>> {
        self.chain.borrow().accounts.get(id).and_then(|a| a.data.get(key).cloned())
    }

    /// An account's access keys, in key order (RPC's `view_access_key_list`).
    pub fn access_keys(&self, id: &AccountId) -> Option<Vec<(PublicKey, AccessKey)>> {
        let chain = self.chain.borrow();
        let mut keys: Vec<_> = chain.accounts.get(id)?.keys.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        Some(keys)
    }

    /// An account's contract code, if it has one (RPC's `view_code`).
    pub fn contract_code(&self, id: &AccountId) -> Option<Vec<u8>> {
        let chain = self.chain.borrow();
        chain.accounts.get(id)?.code.as_ref().map(|code| code.0.code().to_vec())
    }

    /// An account's contract state under `prefix`, in key order (RPC's `view_state`).
    pub fn state_with_prefix(&self, id: &AccountId, prefix: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
        let chain = self.chain.borrow();
        let data = &chain.accounts.get(id)?.data;
        Some(
            data.range(prefix.to_vec()..)
                .take_while(|(k, _)| k.starts_with(prefix))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    pub fn view(&self, contract: &AccountId, method: &str) -> ViewBuilder {
        ViewBuilder { net: self.clone(), contract: contract.clone(), method: method.to_string(), args: vec![] }
    }

    /// All NEAR held by accounts, liquid and locked: it changes only by burnt gas and rewards.
    pub fn total_supply(&self) -> u128 {
        self.chain.borrow().total_supply()
    }

    pub fn config(&self) -> Config {
        self.chain.borrow().config.clone()
    }

    pub fn block_height(&self) -> u64 {
        self.chain.borrow().height
    }

    pub fn epoch_height(&self) -> u64 {
        self.chain.borrow().epoch_height()
    }

    pub fn block_timestamp(&self) -> u64 {
        self.chain.borrow().block_timestamp()
    }

    /// Produces `blocks` blocks, crossing any epoch boundaries on the way (transactions and
    /// receipts still in flight run in them).
    pub fn fast_forward(&self, blocks: u64) {
        self.chain.borrow_mut().fast_forward(blocks);
    }

    /// Moves to the first block of the epoch `n` epochs from now.
    pub fn advance_epochs(&self, n: u64) {
        assert!(n > 0, "advance at least one epoch");
        let (height, length) = {
            let chain = self.chain.borrow();
            (chain.height, chain.config.epoch_length)
        };
        self.fast_forward(length - height % length + (n - 1) * length);
    }

    /// The current epoch's validators and their stake (what `validator_stake` answers; an
    /// offline validator stays until its kickout takes effect two epochs on).
    pub fn validators(&self) -> BTreeMap<AccountId, u128> {
        self.chain.borrow().staking.active()
    }

    /// The validator sets of this epoch and the next, this epoch's proposals, and the least
    /// stake a Stake action may ask for (RPC's `validators`).
    pub fn epoch_info(&self) -> crate::staking::EpochInfo {
        self.chain.borrow().staking.epoch_info()
    }

    /// Produces one block: the transactions submitted since the last one are included and
    /// every receipt due in it runs.
    pub fn produce_block(&self) {
        self.chain.borrow_mut().produce_block();
    }

    /// Whether nothing submitted or caused is still to run.
    pub fn is_idle(&self) -> bool {
        self.chain.borrow().is_idle()
    }

    /// Produces blocks until every submitted transaction and every receipt has run.
    pub fn settle(&self) {
        while !self.is_idle() {
            self.produce_block();
        }
    }

    fn transact(&self, signer: &AccountId, receiver: &AccountId, actions: Vec<Action>) -> ExecutionResult {
        let result = self.chain.borrow_mut().transact(signer, receiver, actions);
        result.unwrap_or_else(|e| self.invalid(e))
    }

    /// Submits a transaction signed by any client (near-primitives' borsh), checked as nearcore
    /// checks it: a refused one is an outcome with an `InvalidTransaction: ...` status.
    pub fn submit_signed(&self, signed: &SignedTransaction) -> Submitted {
        let tx = self.chain.borrow_mut().submit_signed(signed);
        Submitted { net: self.clone(), tx: tx.map_err(|e| self.invalid(e)) }
    }

    /// The hash of the latest block, for signing transactions.
    pub fn latest_block_hash(&self) -> CryptoHash {
        let chain = self.chain.borrow();
        chain.block_hash(chain.height)
    }

    /// The hash of the block at `height`.
    pub fn block_hash(&self, height: u64) -> CryptoHash {
        self.chain.borrow().block_hash(height)
    }

    /// The height of the produced block `hash` names, if any.
    pub fn block_height_of(&self, hash: &CryptoHash) -> Option<u64> {
        let chain = self.chain.borrow();
        chain.block_height_of(hash).filter(|h| *h <= chain.height)
    }

    /// An account's access key, if it has that key.
    pub fn access_key(&self, account: &AccountId, public_key: &PublicKey) -> Option<AccessKey> {
        self.chain.borrow().access_key(account, public_key)
    }

    fn submit(&self, signer: &AccountId, receiver: &AccountId, actions: Vec<Action>) -> Submitted {
        let tx = self.chain.borrow_mut().submit(signer, receiver, actions);
        Submitted { net: self.clone(), tx: tx.map_err(|e| self.invalid(e)) }
    }

    /// The outcome of a transaction the chain refused.
    fn invalid(&self, error: InvalidTxError) -> ExecutionResult {
        ExecutionResult {
            transaction_hash: CryptoHash::default(),
            first_receipt: CryptoHash::default(),
            block_height: self.block_height(),
            transaction_gas_burnt: 0,
            transaction_tokens_burnt: 0,
            receipts: vec![],
            status: Err(error.into()),
        }
    }
}

/// A transaction submitted without waiting for it: blocks are produced by the caller (or by
/// other transactions' `transact`), and its outcome is collected once it has finished.
pub struct Submitted {
    net: Localnet,
    tx: Result<usize, ExecutionResult>,
}

/// A handle dropped before its outcome was collected lets the chain drop the outcome too.
impl Drop for Submitted {
    fn drop(&mut self) {
        if let Ok(tx) = self.tx {
            self.net.chain.borrow_mut().forget(tx);
        }
    }
}

impl Submitted {
    /// The outcome, once every receipt the transaction caused has run (collected once).
    pub fn outcome(&mut self) -> Option<ExecutionResult> {
        match &self.tx {
            Err(invalid) => Some(invalid.clone()),
            Ok(tx) => {
                let result = self.net.chain.borrow_mut().take_result(*tx)?;
                Some(result.unwrap_or_else(|e| self.net.invalid(e)))
            }
        }
    }

    /// Produces blocks until the transaction has finished, and returns its outcome.
    pub fn wait(mut self) -> ExecutionResult {
        loop {
            if let Some(outcome) = self.outcome() {
                return outcome;
            }
            self.net.produce_block();
        }
    }
}

#[track_caller]
fn parse_id(id: &str) -> AccountId {
    id.parse().unwrap_or_else(|e| panic!("invalid account id {id:?}: {e}"))
}

/// A handle on an account that signs transactions with its full-access key.
#[derive(Clone)]
pub struct Account {
    net: Localnet,
    id: AccountId,
}

impl Account {
    pub fn id(&self) -> &AccountId {
        &self.id
    }

    /// A function call transaction from this account.
    pub fn call(&self, receiver: &AccountId, method: &str) -> CallBuilder {
        CallBuilder {
            tx: self.batch(receiver),
            call: FunctionCall {
                method: method.to_string(),
                args: b"{}".to_vec(),
                deposit: 0,
                gas: DEFAULT_CALL_GAS,
                gas_weight: 0,
            },
        }
    }

    /// A transaction with several actions from this account to `receiver`.
    pub fn batch(&self, receiver: &AccountId) -> Transaction {
        Transaction { net: self.net.clone(), signer: self.id.clone(), receiver: receiver.clone(), actions: vec![] }
    }

    /// Deploys `wasm` on this account.
    pub fn deploy(&self, wasm: &[u8]) -> ExecutionResult {
        self.batch(&self.id).deploy(wasm).transact()
    }

    pub fn transfer(&self, to: &AccountId, amount: u128) -> ExecutionResult {
        self.batch(to).transfer(amount).transact()
    }

    /// Creates `<name>.<this account>` with `balance` and its own full-access key.
    #[track_caller]
    pub fn create_subaccount(&self, name: &str, balance: u128) -> Account {
        let id = parse_id(&format!("{name}.{}", self.id));
        let key = account_key(&id);
        self.batch(&id).create_account().transfer(balance).add_full_access_key(key).transact().unwrap();
        Account { net: self.net.clone(), id }
    }

    pub fn view(&self, method: &str) -> ViewBuilder {
        self.net.view(&self.id, method)
    }

    /// Balances and storage; panics if the account does not exist.
    #[track_caller]
    pub fn state(&self) -> AccountView {
        self.net.view_account(&self.id).unwrap_or_else(|| panic!("account {} does not exist", self.id))
    }

    /// Liquid balance in yocto.
    #[track_caller]
    pub fn balance(&self) -> u128 {
        self.state().amount
    }

    /// The secret key of the full-access key localnet gave this account (see [`account_key`]).
    pub fn secret_key(&self) -> SecretKey {
        SecretKey::from_seed(KeyType::ED25519, self.id.as_str())
    }

    /// A transaction to `receiver` signed with `secret_key` (a key of this account) as a client
    /// signs one: with `nonce` and the latest block's hash.
    pub fn sign(
        &self,
        secret_key: &SecretKey,
        nonce: u64,
        receiver: &AccountId,
        actions: Vec<SignedAction>,
    ) -> SignedTransaction {
        let transaction = near_primitives::transaction::Transaction::V0(TransactionV0 {
            signer_id: self.id.clone(),
            public_key: secret_key.public_key(),
            nonce,
            receiver_id: receiver.clone(),
            block_hash: self.net.latest_block_hash(),
            actions,
        });
        let (hash, _) = transaction.get_hash_and_size();
        SignedTransaction::new(secret_key.sign(hash.as_ref()), transaction)
    }
}

/// A transaction under construction.
pub struct Transaction {
    net: Localnet,
    signer: AccountId,
    receiver: AccountId,
    actions: Vec<Action>,
}

impl Transaction {
    pub fn create_account(mut self) -> Self {
        self.actions.push(Action::CreateAccount);
        self
    }

    pub fn transfer(mut self, amount: u128) -> Self {
        self.actions.push(Action::Transfer(amount));
        self
    }

    pub fn deploy(mut self, wasm: &[u8]) -> Self {
        self.actions.push(Action::DeployContract(Code::new(wasm.to_vec())));
        self
    }

    pub fn add_full_access_key(mut self, public_key: PublicKey) -> Self {
        self.actions.push(Action::AddKey { public_key, permission: KeyPermission::FullAccess });
        self
    }

    pub fn delete_account(mut self, beneficiary: &AccountId) -> Self {
        self.actions.push(Action::DeleteAccount { beneficiary: beneficiary.clone() });
        self
    }

    pub fn stake(mut self, stake: u128, public_key: PublicKey) -> Self {
        self.actions.push(Action::Stake { stake, public_key });
        self
    }

    pub fn call(mut self, method: &str, args: impl Serialize, deposit: u128, gas: u64) -> Self {
        let args = serde_json::to_vec(&args).expect("arguments serialize to JSON");
        self.actions.push(Action::FunctionCall(FunctionCall {
            method: method.to_string(),
            args,
            deposit,
            gas,
            gas_weight: 0,
        }));
        self
    }

    pub fn transact(self) -> ExecutionResult {
        self.net.transact(&self.signer, &self.receiver, self.actions)
    }

    /// Submits the transaction for the next block without running it (see [`Submitted`]).
    pub fn submit(self) -> Submitted {
        self.net.submit(&self.signer, &self.receiver, self.actions)
    }
}

/// A single function call transaction under construction.
pub struct CallBuilder {
    tx: Transaction,
    call: FunctionCall,
}

impl CallBuilder {
    pub fn args_json(mut self, args: impl Serialize) -> Self {
        self.call.args = serde_json::to_vec(&args).expect("arguments serialize to JSON");
        self
    }

    pub fn args(mut self, args: Vec<u8>) -> Self {
        self.call.args = args;
        self
    }

    /// Attached deposit in yocto.
    pub fn deposit(mut self, yocto: u128) -> Self {
        self.call.deposit = yocto;
        self
    }

    /// Prepaid gas.
    pub fn gas(mut self, gas: u64) -> Self {
        self.call.gas = gas;
        self
    }

    pub fn transact(mut self) -> ExecutionResult {
        self.tx.actions.push(Action::FunctionCall(self.call));
        self.tx.transact()
    }

    /// Submits the call for the next block without running it (see [`Submitted`]).
    pub fn submit(mut self) -> Submitted {
        self.tx.actions.push(Action::FunctionCall(self.call));
        self.tx.submit()
    }
}

/// A view call under construction.
pub struct ViewBuilder {
    net: Localnet,
    contract: AccountId,
    method: String,
    args: Vec<u8>,
}

impl ViewBuilder {
    pub fn args_json(mut self, args: impl Serialize) -> Self {
        self.args = serde_json::to_vec(&args).expect("arguments serialize to JSON");
        self
    }

    pub fn args(mut self, args: Vec<u8>) -> Self {
        self.args = args;
        self
    }

    /// Runs the view; `Err` carries the contract's error.
    pub fn call(self) -> Result<ViewResult, String> {
        self.net.chain.borrow().view(&self.contract, &self.method, self.args)
    }

    /// Runs the view and parses its JSON result; panics on error.
    #[track_caller]
    pub fn json<T: serde::de::DeserializeOwned>(self) -> T {
        let method = self.method.clone();
        self.call().unwrap_or_else(|e| panic!("view {method} failed: {e}")).json()
    }
}
