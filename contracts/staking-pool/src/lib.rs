//! A validator staking pool with the public interface of NEAR's core staking-pool contract.
//!
//! Delegators deposit NEAR and stake it for "stake shares". The pool's own Stake action always
//! asks for `total_staked_balance`; rewards arrive from the protocol into the locked balance and
//! are taken once per epoch, raising the share price, with the owner's fee bought as shares.
//! Unstaked NEAR can be withdrawn 4 epochs after the delegator's last unstake.
//!
//! Share math (all in 256 bits; `T` total staked, `S` total shares):
//! - stake `a`: `shares = floor(a*S/T)` (must be > 0); the delegator pays `floor(shares*T/S)`
//!   (never more than `a`) and `T` grows by `ceil(shares*T/S)`;
//! - unstake `a`: `shares = ceil(a*S/T)`; the delegator gets `ceil(shares*T/S)` and `T` shrinks by
//!   `floor(shares*T/S)`.
//!
//! The at most 1 yocto per operation these roundings cost the pool comes from a fund kept at
//! initialisation, so the share price never decreases.

mod internal;
mod views;

use near_sdk::json_types::U128;
use near_sdk::store::IterableMap;
use near_sdk::{
    AccountId, BorshStorageKey, EpochHeight, NearToken, Promise, PromiseError, PublicKey, env, near, require,
};

/// Epochs between a delegator's last unstake and its withdrawal: 3 in the protocol plus one
/// because the pool's Stake action may land in the next epoch.
pub const NUM_EPOCHS_TO_UNLOCK: EpochHeight = 4;

/// Kept out of the stake at initialisation: pays the rounding of stake and unstake operations.
pub const STAKE_SHARE_PRICE_GUARANTEE_FUND: u128 = NearToken::from_near(1).as_yoctonear();

/// The owner's share of rewards.
#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RewardFeeFraction {
    pub numerator: u32,
    pub denominator: u32,
}

impl RewardFeeFraction {
    fn assert_valid(&self) {
        require!(self.denominator != 0, "Denominator must be a positive number");
        require!(self.numerator <= self.denominator, "The reward fee must be less or equal to 1");
    }

    fn multiply(&self, value: u128) -> u128 {
        shares::mul_div_floor(value, self.numerator as u128, self.denominator as u128).expect("fee fits")
    }
}

/// A delegator's balances.
#[near(serializers = [borsh])]
#[derive(Default, Clone)]
pub struct Account {
    pub unstaked: u128,
    pub stake_shares: u128,
    /// The first epoch at which `unstaked` may be withdrawn.
    pub unstaked_available_epoch_height: EpochHeight,
}

#[derive(BorshStorageKey)]
#[near]
enum StorageKey {
    Accounts,
}

#[near(contract_state)]
pub struct StakingPool {
    owner_id: AccountId,
    stake_public_key: PublicKey,
    /// Epoch of the last reward distribution.
    last_epoch_height: EpochHeight,
    /// Locked plus liquid balance after the last action, to measure rewards by.
    last_total_balance: u128,
    total_staked_balance: u128,
    total_stake_shares: u128,
    reward_fee_fraction: RewardFeeFraction,
    paused: bool,
    accounts: IterableMap<AccountId, Account>,
}

/// Any call before `new` fails with the core pool's message (the state is read through
/// `Default` when none is stored).
impl Default for StakingPool {
    fn default() -> Self {
        env::panic_str("Staking contract should be initialized before usage")
    }
}

#[near]
impl StakingPool {
    /// Stakes the account's whole balance but the guarantee fund, owned by nobody. The checks run
    /// in the core pool's order, with its messages.
    #[init(ignore_state)]
    pub fn new(owner_id: AccountId, stake_public_key: PublicKey, reward_fee_fraction: RewardFeeFraction) -> Self {
        require!(!env::state_exists(), "Already initialized");
        reward_fee_fraction.assert_valid();
        let balance = env::account_balance().as_yoctonear();
        let total_staked_balance = balance
            .checked_sub(STAKE_SHARE_PRICE_GUARANTEE_FUND)
            .unwrap_or_else(|| env::panic_str("The account doesn't have enough balance"));
        require!(
            env::account_locked_balance().is_zero(),
            "The staking pool shouldn't be staking at the initialization"
        );
        let pool = StakingPool {
            owner_id,
            stake_public_key,
            last_epoch_height: env::epoch_height(),
            last_total_balance: balance,
            total_staked_balance,
            total_stake_shares: total_staked_balance,
            reward_fee_fraction,
            paused: false,
            accounts: IterableMap::new(StorageKey::Accounts),
        };
        pool.restake();
        pool
    }

    /// Distributes rewards if a new epoch started and refreshes the stake.
    pub fn ping(&mut self) {
        if self.internal_ping() {
            self.restake();
        }
    }

    #[payable]
    pub fn deposit(&mut self) {
        let need_to_restake = self.internal_ping();
        self.internal_deposit();
        if need_to_restake {
            self.restake();
        }
    }

    /// Deposits the attached NEAR and stakes all of it.
    #[payable]
    pub fn deposit_and_stake(&mut self) {
        self.internal_ping();
        let amount = self.internal_deposit();
        self.internal_stake(amount);
        self.restake();
    }

    pub fn withdraw(&mut self, amount: U128) {
        let need_to_restake = self.internal_ping();
        self.internal_withdraw(amount.0);
        if need_to_restake {
            self.restake();
        }
    }

    pub fn withdraw_all(&mut self) {
        let need_to_restake = self.internal_ping();
        let amount = self.internal_get_account(&env::predecessor_account_id()).unstaked;
        self.internal_withdraw(amount);
        if need_to_restake {
            self.restake();
        }
    }

    pub fn stake(&mut self, amount: U128) {
        self.internal_ping();
        self.internal_stake(amount.0);
        self.restake();
    }

    pub fn stake_all(&mut self) {
        self.internal_ping();
        let amount = self.internal_get_account(&env::predecessor_account_id()).unstaked;
        self.internal_stake(amount);
        self.restake();
    }

    pub fn unstake(&mut self, amount: U128) {
        self.internal_ping();
        self.internal_unstake(amount.0);
        self.restake();
    }

    pub fn unstake_all(&mut self) {
        self.internal_ping();
        let account = self.internal_get_account(&env::predecessor_account_id());
        let amount = self.staked_amount_from_shares_rounded_down(account.stake_shares);
        self.internal_unstake(amount);
        self.restake();
    }

    /// Called after the pool's Stake action: if it failed (for example below the minimum stake)
    /// while something is locked, the pool unstakes everything rather than keep a stale stake.
    /// Checked by hand rather than with `#[private]` so that a stranger's call fails with the
    /// core pool's message.
    pub fn on_stake_action(&mut self) {
        require!(env::predecessor_account_id() == env::current_account_id(), "Can be called only as a callback");
        require!(env::promise_results_count() == 1, "Contract expected a result on the callback");
        // A Stake action returns nothing: read no bytes, only whether it failed.
        let failed = matches!(env::promise_result_checked(0, 0), Err(PromiseError::Failed));
        if failed && !env::account_locked_balance().is_zero() {
            Promise::new(env::current_account_id()).stake(NearToken::ZERO, self.stake_public_key.clone()).detach();
        }
    }

    // Owner methods.

    pub fn update_staking_key(&mut self, stake_public_key: PublicKey) {
        self.assert_owner();
        self.internal_ping();
        self.stake_public_key = stake_public_key;
        self.restake();
    }

    pub fn update_reward_fee_fraction(&mut self, reward_fee_fraction: RewardFeeFraction) {
        self.assert_owner();
        reward_fee_fraction.assert_valid();
        let need_to_restake = self.internal_ping();
        self.reward_fee_fraction = reward_fee_fraction;
        if need_to_restake {
            self.restake();
        }
    }

    /// Stops staking: the pool asks for a stake of 0 and earns nothing until resumed.
    pub fn pause_staking(&mut self) {
        self.assert_owner();
        require!(!self.paused, "The staking is already paused");
        self.internal_ping();
        self.paused = true;
        Promise::new(env::current_account_id()).stake(NearToken::ZERO, self.stake_public_key.clone()).detach();
    }

    pub fn resume_staking(&mut self) {
        self.assert_owner();
        require!(self.paused, "The staking is not paused");
        self.internal_ping();
        self.paused = false;
        self.restake();
    }
}
