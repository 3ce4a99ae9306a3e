//! Rewards, deposits, stake and unstake: the pool's accounting.

use crate::{Account, NUM_EPOCHS_TO_UNLOCK, StakingPool};
use near_sdk::{AccountId, Gas, NearToken, Promise, env, require};
use shares::{mul_div_ceil, mul_div_floor};

/// Gas for the callback of the pool's Stake action: exactly what NEAR's core pool attaches
/// (20 Tgas, and no share of the unused gas), so a caller needs the same prepaid gas here as on
/// mainnet.
pub const ON_STAKE_ACTION_GAS: Gas = Gas::from_tgas(20);

/// The check that a share is worth at least 1 yocto (it always is: the price never falls below 1).
const PRICE_INVARIANT: &str = "Invariant violation. Calculated staked amount must be positive, because \"stake\" share price should be at least 1";

impl StakingPool {
    /// Takes the rewards of the epochs since the last call: the growth of locked plus liquid
    /// balance (less this call's deposit) over the last recorded total. The owner's fee
    /// `floor(reward * fee)` buys shares at the price after the rest of the reward is added, so
    /// delegators get exactly `reward - fee`. Returns whether a new epoch started.
    pub(crate) fn internal_ping(&mut self) -> bool {
        let epoch_height = env::epoch_height();
        if self.last_epoch_height == epoch_height {
            return false;
        }
        self.last_epoch_height = epoch_height;
        let total_balance = (env::account_locked_balance().as_yoctonear() + env::account_balance().as_yoctonear())
            - env::attached_deposit().as_yoctonear();
        require!(
            total_balance >= self.last_total_balance,
            "The new total balance should not be less than the old total balance"
        );
        if total_balance > self.last_total_balance {
            let reward = total_balance - self.last_total_balance;
            let owners_fee = self.reward_fee_fraction.multiply(reward);
            self.total_staked_balance += reward - owners_fee;
            let fee_shares = self.shares_from_staked_amount_rounded_down(owners_fee);
            if fee_shares > 0 {
                let owner_id = self.owner_id.clone();
                let mut owner = self.internal_get_account(&owner_id);
                owner.stake_shares += fee_shares;
                self.total_stake_shares += fee_shares;
                self.internal_save_account(&owner_id, owner);
            }
            self.total_staked_balance += owners_fee;
        }
        self.last_total_balance = total_balance;
        true
    }

    /// Credits the attached deposit to the caller's unstaked balance. A deposit of nothing is
    /// accepted and changes nothing, as in the core pool.
    pub(crate) fn internal_deposit(&mut self) -> u128 {
        let amount = env::attached_deposit().as_yoctonear();
        let account_id = env::predecessor_account_id();
        let mut account = self.internal_get_account(&account_id);
        account.unstaked += amount;
        self.internal_save_account(&account_id, account);
        self.last_total_balance += amount;
        amount
    }

    pub(crate) fn internal_withdraw(&mut self, amount: u128) {
        require!(amount > 0, "Withdrawal amount should be positive");
        let account_id = env::predecessor_account_id();
        let mut account = self.internal_get_account(&account_id);
        require!(account.unstaked >= amount, "Not enough unstaked balance to withdraw");
        require!(
            account.unstaked_available_epoch_height <= env::epoch_height(),
            "The unstaked balance is not yet available due to unstaking delay"
        );
        account.unstaked -= amount;
        self.internal_save_account(&account_id, account);
        self.last_total_balance -= amount;
        Promise::new(account_id).transfer(NearToken::from_yoctonear(amount)).detach();
    }

    pub(crate) fn internal_stake(&mut self, amount: u128) {
        require!(amount > 0, "Staking amount should be positive");
        let account_id = env::predecessor_account_id();
        let mut account = self.internal_get_account(&account_id);
        let shares = self.shares_from_staked_amount_rounded_down(amount);
        require!(shares > 0, "The calculated number of \"stake\" shares received for staking should be positive");
        let charge = self.staked_amount_from_shares_rounded_down(shares);
        require!(charge > 0, PRICE_INVARIANT);
        let stake_added = self.staked_amount_from_shares_rounded_up(shares);
        require!(account.unstaked >= charge, "Not enough unstaked balance to stake");
        account.unstaked -= charge;
        account.stake_shares += shares;
        self.internal_save_account(&account_id, account);
        self.total_staked_balance += stake_added;
        self.total_stake_shares += shares;
    }

    pub(crate) fn internal_unstake(&mut self, amount: u128) {
        require!(amount > 0, "Unstaking amount should be positive");
        let account_id = env::predecessor_account_id();
        let mut account = self.internal_get_account(&account_id);
        require!(self.total_staked_balance > 0, "The contract doesn't have staked balance");
        let shares = self.shares_from_staked_amount_rounded_up(amount);
        require!(
            shares > 0,
            "Invariant violation. The calculated number of \"stake\" shares for unstaking should be positive"
        );
        require!(account.stake_shares >= shares, "Not enough staked balance to unstake");
        let credit = self.staked_amount_from_shares_rounded_up(shares);
        require!(credit > 0, PRICE_INVARIANT);
        let stake_removed = self.staked_amount_from_shares_rounded_down(shares);
        account.stake_shares -= shares;
        account.unstaked += credit;
        account.unstaked_available_epoch_height = env::epoch_height() + NUM_EPOCHS_TO_UNLOCK;
        self.internal_save_account(&account_id, account);
        self.total_staked_balance -= stake_removed;
        self.total_stake_shares -= shares;
    }

    /// Asks the protocol to stake `total_staked_balance` (nothing while paused), then checks the
    /// outcome in `on_stake_action`.
    pub(crate) fn restake(&self) {
        if self.paused {
            return;
        }
        let me = env::current_account_id();
        Promise::new(me.clone())
            .stake(NearToken::from_yoctonear(self.total_staked_balance), self.stake_public_key.clone())
            .then(Self::ext(me).with_static_gas(ON_STAKE_ACTION_GAS).with_unused_gas_weight(0).on_stake_action())
            .detach();
    }

    pub(crate) fn assert_owner(&self) {
        require!(env::predecessor_account_id() == self.owner_id, "Can only be called by the owner");
    }

    pub(crate) fn internal_get_account(&self, account_id: &AccountId) -> Account {
        self.accounts.get(account_id).cloned().unwrap_or_default()
    }

    /// Saves a delegator, or forgets it once it holds nothing.
    pub(crate) fn internal_save_account(&mut self, account_id: &AccountId, account: Account) {
        if account.unstaked > 0 || account.stake_shares > 0 {
            self.accounts.insert(account_id.clone(), account);
        } else {
            self.accounts.remove(account_id);
        }
    }

    pub(crate) fn shares_from_staked_amount_rounded_down(&self, amount: u128) -> u128 {
        require!(self.total_staked_balance > 0, "The total staked balance can't be 0");
        mul_div_floor(amount, self.total_stake_shares, self.total_staked_balance).expect("shares fit in u128")
    }

    pub(crate) fn shares_from_staked_amount_rounded_up(&self, amount: u128) -> u128 {
        require!(self.total_staked_balance > 0, "The total staked balance can't be 0");
        mul_div_ceil(amount, self.total_stake_shares, self.total_staked_balance).expect("shares fit in u128")
    }

    pub(crate) fn staked_amount_from_shares_rounded_down(&self, shares: u128) -> u128 {
        require!(self.total_stake_shares > 0, "The total number of stake shares can't be 0");
        mul_div_floor(shares, self.total_staked_balance, self.total_stake_shares).expect("amount fits in u128")
    }

    pub(crate) fn staked_amount_from_shares_rounded_up(&self, shares: u128) -> u128 {
        require!(self.total_stake_shares > 0, "The total number of stake shares can't be 0");
        mul_div_ceil(shares, self.total_staked_balance, self.total_stake_shares).expect("amount fits in u128")
    }
}
