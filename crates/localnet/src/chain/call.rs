//! Function calls and views: the VM's context, the External it sees, and the unused gas shared
//! by weight among the calls it creates.

use super::*;

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

impl Chain {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn function_call(
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
    pub(super) fn view_context(
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
            // nearcore's message for a view whose call failed.
            return Err(format!("wasm execution failed with error: {error:?}"));
        }
        Ok(crate::outcome::ViewResult {
            result: outcome.return_data.as_value().unwrap_or_default(),
            logs: outcome.logs,
            gas_burnt: gas(outcome.burnt_gas),
        })
    }
}
