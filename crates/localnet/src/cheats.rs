//! Test controls, kept apart from what a real node does (in the spirit of anvil's cheat codes):
//! overwriting contract state, taking validators offline, changing their rewards, and making
//! calls fail. A node serving clients (`lst node`) never calls these on their behalf.

use crate::chain::Chain;
use crate::net::Localnet;
use crate::staking::Rate;
use near_primitives_core::types::AccountId;

/// A fault a test asks the chain to inject into calls of `method` on `account`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The call fails as if the contract panicked, before running any code.
    Fail,
    /// The call burns all its prepaid gas and fails with the VM's out-of-gas error.
    OutOfGas,
}

#[derive(Clone, Debug)]
pub(crate) struct FaultRule {
    account: AccountId,
    method: String,
    fault: Fault,
    remaining: u32,
}

impl Localnet {
    /// Overwrites one key of a contract's state, as near-workspaces' `patch_state` does: for
    /// tests that need a state no transaction can reach (a pool that lost funds, say).
    pub fn patch_state(&self, id: &AccountId, key: &[u8], value: &[u8]) {
        let mut chain = self.chain.borrow_mut();
        let account = chain.accounts.get_mut(id).unwrap_or_else(|| panic!("account {id} does not exist"));
        let extra = crate::vm::runtime_config().fees.storage_usage_config.num_extra_bytes_record;
        match account.data.insert(key.to_vec(), value.to_vec()) {
            Some(old) => account.storage_usage = account.storage_usage - old.len() as u64 + value.len() as u64,
            None => account.storage_usage += key.len() as u64 + value.len() as u64 + extra,
        }
    }

    /// Takes a validator offline (it earns nothing, and the epoch's end kicks it out of the set
    /// two epochs ahead: `validator_stake` answers 0 from then) or back online.
    pub fn set_validator_online(&self, id: &AccountId, online: bool) {
        self.set_validator_uptime(id, if online { Rate::ONE } else { Rate::ZERO });
    }

    /// The share of its expected blocks, chunks and endorsements a validator produces from now
    /// on (all by default). Below 99% its reward shrinks, below 90% it earns nothing, below 80%
    /// the epoch's end kicks it out, as on mainnet.
    pub fn set_validator_uptime(&self, id: &AccountId, uptime: Rate) {
        self.chain.borrow_mut().staking.set_uptime(id, uptime);
    }

    /// A validator's reward per epoch under `Rewards::PerEpoch`, as a fraction of its stake
    /// (instead of the default).
    pub fn set_reward_rate(&self, id: &AccountId, rate: Rate) {
        self.chain.borrow_mut().staking.set_rate(id, rate);
    }

    /// Injected faults not yet triggered for `method` on `account`.
    pub fn faults_left(&self, account: &AccountId, method: &str) -> u32 {
        self.chain.borrow().faults_left(account, method)
    }

    /// Makes the next `times` calls of `method` on `account` fail or run out of gas.
    pub fn inject_fault(&self, account: &AccountId, method: &str, fault: Fault, times: u32) {
        self.chain.borrow_mut().inject_fault(account.clone(), method, fault, times);
    }
}

impl Chain {
    /// Makes the next `times` calls of `method` on `account` fail or run out of gas.
    pub fn inject_fault(&mut self, account: AccountId, method: &str, fault: Fault, times: u32) {
        self.faults.push(FaultRule { account, method: method.to_string(), fault, remaining: times });
    }

    /// Injected faults not yet triggered for `method` on `account`.
    pub fn faults_left(&self, account: &AccountId, method: &str) -> u32 {
        self.faults.iter().filter(|r| &r.account == account && r.method == method).map(|r| r.remaining).sum()
    }

    /// The fault to inject into this call of `method` on `account`, if one is left.
    pub(crate) fn take_fault(&mut self, account: &AccountId, method: &str) -> Option<Fault> {
        let rule = self.faults.iter_mut().find(|r| r.remaining > 0 && &r.account == account && r.method == method)?;
        rule.remaining -= 1;
        Some(rule.fault)
    }
}
