//! The core staking pool's views, with its exact JSON shapes. Unknown accounts read as zeros.

use crate::{RewardFeeFraction, StakingPool, StakingPoolExt};
use near_sdk::json_types::U128;
use near_sdk::{AccountId, PublicKey, env, near};

/// A delegator as `get_account` and `get_accounts` show it.
#[near(serializers = [json])]
pub struct HumanReadableAccount {
    pub account_id: AccountId,
    pub unstaked_balance: U128,
    pub staked_balance: U128,
    pub can_withdraw: bool,
}

#[near]
impl StakingPool {
    pub fn get_account_staked_balance(&self, account_id: AccountId) -> U128 {
        self.get_account(account_id).staked_balance
    }

    pub fn get_account_unstaked_balance(&self, account_id: AccountId) -> U128 {
        self.get_account(account_id).unstaked_balance
    }

    pub fn get_account_total_balance(&self, account_id: AccountId) -> U128 {
        let account = self.get_account(account_id);
        U128(account.unstaked_balance.0 + account.staked_balance.0)
    }

    pub fn is_account_unstaked_balance_available(&self, account_id: AccountId) -> bool {
        self.get_account(account_id).can_withdraw
    }

    pub fn get_total_staked_balance(&self) -> U128 {
        U128(self.total_staked_balance)
    }

    pub fn get_owner_id(&self) -> AccountId {
        self.owner_id.clone()
    }

    pub fn get_reward_fee_fraction(&self) -> RewardFeeFraction {
        self.reward_fee_fraction
    }

    pub fn get_staking_key(&self) -> PublicKey {
        self.stake_public_key.clone()
    }

    pub fn is_staking_paused(&self) -> bool {
        self.paused
    }

    pub fn get_account(&self, account_id: AccountId) -> HumanReadableAccount {
        let account = self.internal_get_account(&account_id);
        HumanReadableAccount {
            staked_balance: U128(self.staked_amount_from_shares_rounded_down(account.stake_shares)),
            unstaked_balance: U128(account.unstaked),
            can_withdraw: account.unstaked_available_epoch_height <= env::epoch_height(),
            account_id,
        }
    }

    pub fn get_number_of_accounts(&self) -> u64 {
        self.accounts.len() as u64
    }

    pub fn get_accounts(&self, from_index: u64, limit: u64) -> Vec<HumanReadableAccount> {
        self.accounts
            .keys()
            .skip(from_index as usize)
            .take(limit as usize)
            .map(|id| self.get_account(id.clone()))
            .collect()
    }
}
