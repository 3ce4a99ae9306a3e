//! The VM's view of the chain while one receipt runs: the receiver's storage (through an overlay
//! that is committed only if the whole receipt succeeds), the receipts it creates and the
//! current validator set.

use crate::receipt::{Action, FunctionCall, KeyPermission};
use crate::trie::{BlockStart, subtree_nodes};
use near_crypto::PublicKey;
use near_primitives_core::hash::{CryptoHash, YieldId};
use near_primitives_core::types::{AccountId, Balance, Gas, GasWeight, Nonce, NonceIndex};
use near_primitives_core::universal_state_init::{DecodeMode, RawStateInit, StateInitError, UniversalStateInitCounts};
use near_vm_runner::logic::types::{ActionIndex, GlobalContractDeployMode, GlobalContractIdentifier, ReceiptIndex};
use near_vm_runner::logic::{External, HostError, StorageAccessTracker, VMLogicError, ValuePtr};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

type Result<T, E = VMLogicError> = std::result::Result<T, E>;

/// A receipt a contract created, not yet routed.
pub struct NewReceipt {
    pub receiver: AccountId,
    /// Indices (among this receipt's new receipts) whose results it waits for.
    pub dependencies: Vec<ReceiptIndex>,
    pub actions: Vec<Action>,
    pub refund_to: Option<AccountId>,
}

/// Bytes nearcore adds to a receipt's storage proof for each removal of contract data (an
/// upper bound for the trie nodes the removal may restructure).
const REMOVAL_PROOF_BYTES: usize = 2_000;

/// The storage proof a receipt would record for stateless validation, estimated: each key it
/// touches with the value the trie held for it, and [`REMOVAL_PROOF_BYTES`] per removal (the
/// trie's inner nodes are not modelled). The VM fails a receipt whose proof passes
/// `per_receipt_storage_proof_size_limit` (4 MB) with `RecordedStorageExceeded`.
#[derive(Default)]
pub struct Recorded {
    keys: HashSet<Vec<u8>>,
    bytes: usize,
}

pub struct Ext<'a> {
    pub committed: &'a BTreeMap<Vec<u8>, Vec<u8>>,
    /// Keys of this account written or removed by earlier receipts of the block, with whether
    /// they existed when it started: the chunk's changes hold them, so writing them again walks
    /// no trie node.
    pub changed: &'a BTreeMap<Vec<u8>, bool>,
    /// Trie nodes above the account's own keys ([`crate::Config::shard_trie_depth`]).
    pub shard_trie_depth: u64,
    /// Writes (`Some`) and removals (`None`) of the receipt so far.
    pub overlay: &'a mut HashMap<Vec<u8>, Option<Vec<u8>>>,
    pub receipts: &'a mut Vec<NewReceipt>,
    /// The current epoch's validators that are online, with their stake.
    pub validators: &'a BTreeMap<AccountId, u128>,
    /// Seed for data ids: unique per executing receipt.
    pub receipt_id: CryptoHash,
    pub data_ids: &'a mut u64,
    /// The receipt's storage proof so far (shared by its function calls).
    pub recorded: &'a Mutex<Recorded>,
}

struct Value(Vec<u8>);

impl ValuePtr for Value {
    fn len(&self) -> u32 {
        self.0.len() as u32
    }

    fn deref(&self, _: &mut dyn StorageAccessTracker) -> Result<Vec<u8>> {
        Ok(self.0.clone())
    }
}

fn unsupported(feature: &str) -> VMLogicError {
    VMLogicError::HostError(HostError::GuestPanic { panic_msg: format!("localnet does not support {feature}") })
}

impl Ext<'_> {
    fn get(&self, key: &[u8]) -> Option<&Vec<u8>> {
        match self.overlay.get(key) {
            Some(value) => value.as_ref(),
            None => self.committed.get(key),
        }
    }

    /// Records `key` in the storage proof, with the value committed for it, once per receipt.
    fn record(&self, key: &[u8]) {
        let mut recorded = self.recorded.lock().expect("one thread");
        if recorded.keys.insert(key.to_vec()) {
            recorded.bytes += key.len() + self.committed.get(key).map_or(0, Vec::len);
        }
    }

    /// Charges `read_cached_trie_node` for the nodes the first write or removal of `key` in
    /// the block walks to find the value it replaces.
    fn walk(&self, tracker: &mut dyn StorageAccessTracker, key: &[u8]) -> Result<()> {
        if self.overlay.contains_key(key) || self.changed.contains_key(key) {
            return Ok(());
        }
        let block_start = BlockStart { now: self.committed, changed: self.changed };
        tracker.cached_trie_node_access(self.shard_trie_depth + subtree_nodes(&block_start, key))
    }

    fn push(&mut self, receipt_index: ReceiptIndex, action: Action) {
        self.receipts[receipt_index as usize].actions.push(action);
    }
}

impl External for Ext<'_> {
    /// As nearcore's runtime does, the trie nodes walked and the value a write replaces are
    /// charged (`read_cached_trie_node`, `storage_write_evicted_byte`): the VM leaves that to
    /// the External.
    fn storage_set(
        &mut self,
        tracker: &mut dyn StorageAccessTracker,
        key: &[u8],
        value: &[u8],
    ) -> Result<Option<Vec<u8>>> {
        self.record(key);
        self.walk(tracker, key)?;
        let old = self.get(key).cloned();
        if let Some(old) = &old {
            tracker.deref_write_evicted_value_bytes(old.len() as u64)?;
        }
        self.overlay.insert(key.to_vec(), Some(value.to_vec()));
        Ok(old)
    }

    fn storage_get<'a>(
        &'a self,
        _: &mut dyn StorageAccessTracker,
        key: &[u8],
    ) -> Result<Option<Box<dyn ValuePtr + 'a>>> {
        self.record(key);
        Ok(self.get(key).map(|v| Box::new(Value(v.clone())) as Box<dyn ValuePtr>))
    }

    /// The trie nodes walked and the removed value are charged (`read_cached_trie_node`,
    /// `storage_remove_ret_value_byte`), as in nearcore. Removing a missing key is still a
    /// change of the block, as in nearcore's trie update.
    fn storage_remove(&mut self, tracker: &mut dyn StorageAccessTracker, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.record(key);
        self.recorded.lock().expect("one thread").bytes += REMOVAL_PROOF_BYTES;
        self.walk(tracker, key)?;
        let old = self.get(key).cloned();
        if let Some(old) = &old {
            tracker.deref_removed_value_bytes(old.len() as u64)?;
        }
        self.overlay.insert(key.to_vec(), None);
        Ok(old)
    }

    fn storage_has_key(&mut self, _: &mut dyn StorageAccessTracker, key: &[u8]) -> Result<bool> {
        self.record(key);
        Ok(self.get(key).is_some())
    }

    fn generate_data_id(&mut self) -> CryptoHash {
        *self.data_ids += 1;
        let mut seed = self.receipt_id.as_bytes().to_vec();
        seed.extend_from_slice(&self.data_ids.to_le_bytes());
        CryptoHash::hash_bytes(&seed)
    }

    fn get_recorded_storage_size(&self) -> usize {
        self.recorded.lock().expect("one thread").bytes
    }

    fn storage_proof_size_before_receipt(&self) -> usize {
        0
    }

    fn validator_stake(&self, account_id: &AccountId) -> Result<Option<Balance>> {
        Ok(self.validators.get(account_id).map(|s| Balance::from_yoctonear(*s)))
    }

    fn validator_total_stake(&self) -> Result<Balance> {
        Ok(Balance::from_yoctonear(self.validators.values().sum()))
    }

    fn chain_id(&self) -> String {
        "localnet".to_string()
    }

    fn create_action_receipt(
        &mut self,
        receipt_indices: Vec<ReceiptIndex>,
        receiver_id: AccountId,
    ) -> Result<ReceiptIndex> {
        self.receipts.push(NewReceipt {
            receiver: receiver_id,
            dependencies: receipt_indices,
            actions: vec![],
            refund_to: None,
        });
        Ok(self.receipts.len() as u64 - 1)
    }

    fn create_promise_yield_receipt(&mut self, _: AccountId) -> Result<(ReceiptIndex, CryptoHash)> {
        Err(unsupported("yield/resume"))
    }

    fn create_promise_yield_receipt_with_id(
        &mut self,
        _: AccountId,
        _: YieldId,
    ) -> Result<Option<(ReceiptIndex, CryptoHash)>> {
        Err(unsupported("yield/resume"))
    }

    fn submit_promise_resume_data(&mut self, _: CryptoHash, _: Vec<u8>) -> Result<bool> {
        Err(unsupported("yield/resume"))
    }

    fn submit_promise_resume_data_with_yield_id(&mut self, _: YieldId, _: Vec<u8>) -> Result<bool> {
        Err(unsupported("yield/resume"))
    }

    fn append_action_create_account(&mut self, receipt_index: ReceiptIndex) {
        self.push(receipt_index, Action::CreateAccount);
    }

    fn append_action_deploy_contract(&mut self, receipt_index: ReceiptIndex, code: Vec<u8>) {
        self.push(receipt_index, Action::DeployContract(crate::vm::Code::new(code)));
    }

    fn append_action_deploy_global_contract(
        &mut self,
        receipt_index: ReceiptIndex,
        _: Vec<u8>,
        _: GlobalContractDeployMode,
    ) {
        self.push(receipt_index, Action::Unsupported("global contracts"));
    }

    fn append_action_use_global_contract(&mut self, receipt_index: ReceiptIndex, _: GlobalContractIdentifier) {
        self.push(receipt_index, Action::Unsupported("global contracts"));
    }

    fn append_action_deterministic_state_init(
        &mut self,
        receipt_index: ReceiptIndex,
        _: GlobalContractIdentifier,
        _: Balance,
    ) -> ActionIndex {
        self.push(receipt_index, Action::Unsupported("state init"));
        self.receipts[receipt_index as usize].actions.len() as u64 - 1
    }

    fn set_deterministic_state_init_data_entry(
        &mut self,
        _: ReceiptIndex,
        _: ActionIndex,
        _: Vec<u8>,
        _: Vec<u8>,
    ) -> Result<()> {
        Err(unsupported("state init"))
    }

    fn check_state_init(&self, _: &RawStateInit) -> std::result::Result<(), StateInitError> {
        Ok(())
    }

    fn state_init_send_counts(&self, _: &RawStateInit, _: DecodeMode) -> UniversalStateInitCounts {
        UniversalStateInitCounts::default()
    }

    fn append_action_universal_state_init(&mut self, receipt_index: ReceiptIndex, _: RawStateInit, _: Balance) {
        self.push(receipt_index, Action::Unsupported("state init"));
    }

    fn append_action_function_call_weight(
        &mut self,
        receipt_index: ReceiptIndex,
        method_name: Vec<u8>,
        args: Vec<u8>,
        attached_deposit: Balance,
        prepaid_gas: Gas,
        gas_weight: GasWeight,
    ) -> Result<()> {
        let method = String::from_utf8(method_name).map_err(|_| unsupported("non-UTF-8 method names"))?;
        self.push(
            receipt_index,
            Action::FunctionCall(FunctionCall {
                method,
                args,
                deposit: attached_deposit.as_yoctonear(),
                gas: prepaid_gas.as_gas(),
                gas_weight: gas_weight.0,
            }),
        );
        Ok(())
    }

    fn append_action_transfer(&mut self, receipt_index: ReceiptIndex, deposit: Balance) {
        self.push(receipt_index, Action::Transfer(deposit.as_yoctonear()));
    }

    fn append_action_transfer_to_gas_key(&mut self, receipt_index: ReceiptIndex, _: PublicKey, _: Balance) {
        self.push(receipt_index, Action::Unsupported("gas keys"));
    }

    fn append_action_add_gas_key_with_full_access(&mut self, receipt_index: ReceiptIndex, _: PublicKey, _: NonceIndex) {
        self.push(receipt_index, Action::Unsupported("gas keys"));
    }

    fn append_action_add_gas_key_with_function_call(
        &mut self,
        receipt_index: ReceiptIndex,
        _: PublicKey,
        _: NonceIndex,
        _: Option<Balance>,
        _: AccountId,
        _: Vec<Vec<u8>>,
    ) -> Result<()> {
        self.push(receipt_index, Action::Unsupported("gas keys"));
        Ok(())
    }

    fn append_action_stake(&mut self, receipt_index: ReceiptIndex, stake: Balance, public_key: PublicKey) {
        self.push(receipt_index, Action::Stake { stake: stake.as_yoctonear(), public_key });
    }

    fn append_action_add_key_with_full_access(&mut self, receipt_index: ReceiptIndex, public_key: PublicKey, _: Nonce) {
        self.push(receipt_index, Action::AddKey { public_key, permission: KeyPermission::FullAccess });
    }

    fn append_action_add_key_with_function_call(
        &mut self,
        receipt_index: ReceiptIndex,
        public_key: PublicKey,
        _: Nonce,
        allowance: Option<Balance>,
        receiver_id: AccountId,
        method_names: Vec<Vec<u8>>,
    ) -> Result<()> {
        let method_names = method_names
            .into_iter()
            .map(String::from_utf8)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| unsupported("non-UTF-8 method names"))?;
        let permission = KeyPermission::FunctionCall {
            allowance: allowance.map(|a| a.as_yoctonear()),
            receiver_id: receiver_id.to_string(),
            method_names,
        };
        self.push(receipt_index, Action::AddKey { public_key, permission });
        Ok(())
    }

    fn append_action_delete_key(&mut self, receipt_index: ReceiptIndex, public_key: PublicKey) {
        self.push(receipt_index, Action::DeleteKey(public_key));
    }

    fn append_action_delete_account(&mut self, receipt_index: ReceiptIndex, beneficiary_id: AccountId) {
        self.push(receipt_index, Action::DeleteAccount { beneficiary: beneficiary_id });
    }

    fn get_receipt_receiver(&self, receipt_index: ReceiptIndex) -> &AccountId {
        &self.receipts[receipt_index as usize].receiver
    }

    fn set_refund_to(&mut self, receipt_index: ReceiptIndex, refund_to: AccountId) {
        self.receipts[receipt_index as usize].refund_to = Some(refund_to);
    }

    fn post_quantum_keys_enabled(&self) -> bool {
        false
    }
}
