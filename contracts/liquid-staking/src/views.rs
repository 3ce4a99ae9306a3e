//! Views: the staking-pool interface's, with the core pool's JSON shapes (unknown accounts read
//! as zeros), plus the holder details, configuration and a solvency check.

use crate::state::{self, Config, Fraction, Holder, Totals};
use crate::{Contract, ContractExt, math};
use near_sdk::json_types::U128;
use near_sdk::{AccountId, CurveType, PublicKey, env, near};

/// A holder as `get_account` and `get_accounts` show it.
#[near(serializers = [json])]
pub struct HumanReadableAccount {
    pub account_id: AccountId,
    pub unstaked_balance: U128,
    pub staked_balance: U128,
    pub can_withdraw: bool,
}

/// Everything about one holder, including when its unstaked NEAR unlocks.
#[near(serializers = [json])]
pub struct HolderView {
    pub account_id: AccountId,
    pub shares: U128,
    pub staked_balance: U128,
    pub unstaked_balance: U128,
    pub unlock_epoch: u64,
    pub can_withdraw: bool,
}

/// The pool's buckets ([`Totals`]) as JSON.
#[near(serializers = [json])]
pub struct TotalsView {
    pub total_shares: U128,
    pub total_staked: U128,
    pub buffered: U128,
    pub reserve: U128,
    pub unstaked: U128,
    pub storage_deposits: U128,
    pub holders: u32,
}

/// The asset buckets against what is owed, and the account balance they must be covered by.
#[near(serializers = [json])]
pub struct Solvency {
    pub totals: TotalsView,
    /// Buffered plus reserve NEAR.
    pub assets: U128,
    /// Total staked plus unstaked balances owed.
    pub liabilities: U128,
    /// The contract account's balance, liquid plus locked.
    pub balance: U128,
    /// NEAR the buckets and storage deposits say the contract holds.
    pub tracked: U128,
    /// `assets >= liabilities` and `balance >= tracked`.
    pub solvent: bool,
}

fn config() -> Config {
    state::read(state::CONFIG).unwrap_or_else(|| env::panic_str("The contract is not initialized"))
}

fn account_view(account_id: AccountId, holder: &Holder, totals: &Totals) -> HumanReadableAccount {
    HumanReadableAccount {
        staked_balance: U128(math::value_of(
            holder.shares,
            totals.total_staked,
            totals.total_shares,
        )),
        unstaked_balance: U128(holder.unstaked),
        can_withdraw: holder.unlock_epoch as u64 <= env::epoch_height(),
        account_id,
    }
}

#[near]
impl Contract {
    pub fn get_account(account_id: AccountId) -> HumanReadableAccount {
        let holder = state::holder(&account_id).unwrap_or_default();
        account_view(account_id, &holder, &Totals::load())
    }

    pub fn get_account_staked_balance(account_id: AccountId) -> U128 {
        Self::get_account(account_id).staked_balance
    }

    pub fn get_account_unstaked_balance(account_id: AccountId) -> U128 {
        U128(state::holder(&account_id).map_or(0, |h| h.unstaked))
    }

    pub fn get_account_total_balance(account_id: AccountId) -> U128 {
        let account = Self::get_account(account_id);
        U128(account.staked_balance.0 + account.unstaked_balance.0)
    }

    pub fn is_account_unstaked_balance_available(account_id: AccountId) -> bool {
        state::holder(&account_id).is_none_or(|h| h.unlock_epoch as u64 <= env::epoch_height())
    }

    pub fn get_total_staked_balance() -> U128 {
        U128(Totals::load().total_staked)
    }

    pub fn get_owner_id() -> AccountId {
        config().owner_id
    }

    pub fn get_reward_fee_fraction() -> Fraction {
        config().reward_fee
    }

    /// The pool delegates to many validators and has no staking key of its own: it answers the
    /// all-zero ed25519 key.
    pub fn get_staking_key() -> PublicKey {
        PublicKey::from_parts(CurveType::ED25519, vec![0; 32]).expect("a valid key shape")
    }

    /// There is no pause yet.
    pub fn is_staking_paused() -> bool {
        false
    }

    pub fn get_number_of_accounts() -> u64 {
        Totals::load().holders as u64
    }

    pub fn get_accounts(from_index: u64, limit: u64) -> Vec<HumanReadableAccount> {
        let totals = Totals::load();
        let end = from_index.saturating_add(limit).min(totals.holders as u64);
        (from_index..end)
            .filter_map(|i| state::holder_at(i as u32))
            .map(|id| {
                let holder = state::holder(&id).unwrap_or_default();
                account_view(id, &holder, &totals)
            })
            .collect()
    }

    pub fn get_holder(account_id: AccountId) -> HolderView {
        let holder = state::holder(&account_id).unwrap_or_default();
        let account = account_view(account_id, &holder, &Totals::load());
        HolderView {
            account_id: account.account_id,
            shares: U128(holder.shares),
            staked_balance: account.staked_balance,
            unstaked_balance: account.unstaked_balance,
            unlock_epoch: holder.unlock_epoch as u64,
            can_withdraw: account.can_withdraw,
        }
    }

    pub fn get_config() -> Config {
        config()
    }

    pub fn get_solvency() -> Solvency {
        let totals = Totals::load();
        let assets = totals.buffered + totals.reserve;
        let liabilities = totals.total_staked + totals.unstaked;
        let balance =
            env::account_balance().as_yoctonear() + env::account_locked_balance().as_yoctonear();
        let tracked = assets + totals.storage_deposits;
        Solvency {
            assets: U128(assets),
            liabilities: U128(liabilities),
            balance: U128(balance),
            tracked: U128(tracked),
            solvent: assets >= liabilities && balance >= tracked,
            totals: TotalsView {
                total_shares: U128(totals.total_shares),
                total_staked: U128(totals.total_staked),
                buffered: U128(totals.buffered),
                reserve: U128(totals.reserve),
                unstaked: U128(totals.unstaked),
                storage_deposits: U128(totals.storage_deposits),
                holders: totals.holders,
            },
        }
    }
}
