//! Actions: one function per action kind a receipt carries, applied in order until one fails.

use super::*;

/// DeleteAccount refuses accounts with more state than this (bytes beyond the contract code).
pub(super) const DELETE_ACCOUNT_STATE_LIMIT: u64 = 10_000;

/// What applying a receipt's actions produced, before it is committed or rolled back.
pub(super) struct Applied {
    pub(super) gas_burnt: u64,
    pub(super) gas_used: u64,
    pub(super) vm_gas_burnt: u64,
    pub(super) value_bytes_gas: u64,
    pub(super) trie_node_gas: u64,
    pub(super) logs: Vec<String>,
    pub(super) result: Result<ReturnData, ActionError>,
    pub(super) new_receipts: Vec<NewReceipt>,
    /// Balance receipts produced by the actions themselves (DeleteAccount's beneficiary).
    pub(super) transfers: Vec<(AccountId, u128)>,
    pub(super) proposals: Vec<(AccountId, u128)>,
    /// The receipt's storage proof so far, which its function calls share.
    pub(super) recorded: Mutex<Recorded>,
}

impl Chain {
    /// Applies the receipt's actions in order, stopping at the first failure.
    pub(super) fn apply_actions(
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

    pub(super) fn create_account(
        &self,
        r: &ActionReceipt,
        account: &mut Option<AccountState>,
    ) -> Result<(), ActionErrorKind> {
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
        *account = Some(AccountState {
            storage_usage: fee_config().storage_usage_config.num_bytes_account,
            ..Default::default()
        });
        Ok(())
    }

    pub(super) fn new_implicit_account(&self, id: &AccountId, amount: u128) -> AccountState {
        let bytes: Vec<u8> =
            (0..32).map(|i| u8::from_str_radix(&id.as_str()[2 * i..2 * i + 2], 16).expect("hex")).collect();
        let key = PublicKey::ED25519(near_crypto::ED25519PublicKey(bytes.try_into().expect("32 bytes")));
        let size = key_storage(&key, &KeyPermission::FullAccess);
        let mut account = AccountState {
            amount,
            storage_usage: fee_config().storage_usage_config.num_bytes_account + size,
            ..Default::default()
        };
        account.keys.insert(key, AccessKey { nonce: self.new_key_nonce(), permission: KeyPermission::FullAccess });
        account
    }

    /// A key added in the current block starts from this nonce (nearcore's nonce range:
    /// `(height - 1) * 10^6`), so transactions signed for a deleted and re-added key cannot
    /// be replayed.
    pub(super) fn new_key_nonce(&self) -> u64 {
        self.height.saturating_sub(1) * ACCESS_KEY_NONCE_RANGE
    }

    /// Actions only the account itself may do: deploy, stake, keys, delete.
    pub(super) fn apply_account_action(
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
        let id = &r.receiver;
        match action {
            Action::DeployContract(code) => deploy(a, code),
            Action::Stake { stake, .. } => {
                self.stake(id, a, *stake)?;
                applied.proposals.push((id.clone(), *stake));
            }
            Action::AddKey { public_key, permission } => self.add_key(id, a, public_key, permission)?,
            Action::DeleteKey(public_key) => delete_key(id, a, public_key)?,
            Action::DeleteAccount { beneficiary } => {
                check_deletion(id, a)?;
                applied.transfers.push((beneficiary.clone(), a.amount));
                *account = None;
            }
            Action::CreateAccount | Action::Transfer(_) | Action::FunctionCall(_) | Action::Unsupported(_) => {
                unreachable!("handled by apply_actions")
            }
        }
        Ok(ReturnData::None)
    }

    /// Stake: locks the rise at once (the proposal is sent by the caller); needs a tenth of the
    /// next epoch's seat price, and something staked before a stake of 0.
    fn stake(&self, account_id: &AccountId, a: &mut AccountState, stake: u128) -> Result<(), ActionErrorKind> {
        let account_id = account_id.clone();
        let increment = stake.saturating_sub(a.locked);
        if a.amount < increment {
            let (stake, locked, balance) = (balance(stake), balance(a.locked), balance(a.amount));
            return Err(ActionErrorKind::TriesToStake { account_id, stake, locked, balance });
        }
        if a.locked == 0 && stake == 0 {
            return Err(ActionErrorKind::TriesToUnstake { account_id });
        }
        let minimum_stake = self.staking.minimum_stake();
        if stake > 0 && stake < minimum_stake {
            let (stake, minimum_stake) = (balance(stake), balance(minimum_stake));
            return Err(ActionErrorKind::InsufficientStake { account_id, stake, minimum_stake });
        }
        if stake > a.locked {
            a.amount -= increment;
            a.locked = stake;
        }
        Ok(())
    }

    /// AddKey: a new key, its nonce starting from the current block's range.
    fn add_key(
        &self,
        account_id: &AccountId,
        a: &mut AccountState,
        public_key: &PublicKey,
        permission: &KeyPermission,
    ) -> Result<(), ActionErrorKind> {
        if a.keys.contains_key(public_key) {
            let (account_id, public_key) = (account_id.clone(), Box::new(public_key.clone()));
            return Err(ActionErrorKind::AddKeyAlreadyExists { account_id, public_key });
        }
        a.storage_usage += key_storage(public_key, permission);
        a.keys.insert(public_key.clone(), AccessKey { nonce: self.new_key_nonce(), permission: permission.clone() });
        Ok(())
    }
}

/// DeployContract: the code replaces the old one in the account's storage.
fn deploy(a: &mut AccountState, code: &vm::Code) {
    let old = a.code.as_ref().map_or(0, |c| c.len() as u64);
    a.storage_usage = a.storage_usage - old + code.len() as u64;
    a.code = Some(code.clone());
}

/// DeleteKey: the key and the storage it held.
fn delete_key(account_id: &AccountId, a: &mut AccountState, public_key: &PublicKey) -> Result<(), ActionErrorKind> {
    let Some(key) = a.keys.remove(public_key) else {
        let (account_id, public_key) = (account_id.clone(), Box::new(public_key.clone()));
        return Err(ActionErrorKind::DeleteKeyDoesNotExist { account_id, public_key });
    };
    a.storage_usage -= key_storage(public_key, &key.permission);
    Ok(())
}

/// DeleteAccount refuses an account that stakes or holds more than 10 kB of state.
fn check_deletion(account_id: &AccountId, a: &AccountState) -> Result<(), ActionErrorKind> {
    let account_id = account_id.clone();
    if a.locked != 0 {
        return Err(ActionErrorKind::DeleteAccountStaking { account_id });
    }
    let code = a.code.as_ref().map_or(0, |c| c.len() as u64);
    if a.storage_usage - code > DELETE_ACCOUNT_STATE_LIMIT {
        return Err(ActionErrorKind::DeleteAccountWithLargeState { account_id });
    }
    Ok(())
}
