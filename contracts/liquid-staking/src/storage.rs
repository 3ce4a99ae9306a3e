//! NEP-145 storage management. A holder pays exactly the storage its records occupy
//! (`142 + 2 * len(account id)` bytes) when it registers, here or with its first deposit, and
//! gets it back when it unregisters. Nothing more can be deposited for storage.

use crate::errors;
use crate::events::Event;
use crate::json::Object;
use crate::state::{self, Totals};
use crate::{access, events, ledger};
use near_sdk::{AccountId, env, require};

/// The longest account id: the storage bounds must cover it.
const MAX_ACCOUNT_ID_LEN: usize = 64;

/// `{"total","available"}` of a registered account.
pub fn balance_json(account_id: &AccountId) -> String {
    let mut o = Object::new();
    o.amount("total", state::storage_cost(account_id)).amount("available", 0);
    o.end()
}

fn refund(to: AccountId, amount: u128) {
    crate::promise::transfer(&to, amount);
}

/// Registers `account_id`, keeping its storage cost from the deposit and refunding the rest; an
/// account already registered gets the whole deposit back. (`registration_only` changes nothing:
/// storage is fixed, so the excess is always refunded.)
pub fn storage_deposit(account_id: &AccountId) {
    let deposit = env::attached_deposit().as_yoctonear();
    if state::holder(account_id).is_some() {
        refund(env::predecessor_account_id(), deposit);
        return;
    }
    let cost = state::storage_cost(account_id);
    require!(deposit >= cost, errors::storage::BELOW_MINIMUM);
    let mut totals = Totals::load();
    let holder = ledger::register(&mut totals, account_id);
    state::save_holder(account_id, &holder);
    totals.save();
    events::Registration { account_id, storage_deposit: cost, registered: true }.emit();
    refund(env::predecessor_account_id(), deposit - cost);
}

/// Nothing is ever available to withdraw: storage is exactly what the records need.
pub fn storage_withdraw(amount: Option<u128>) {
    access::assert_one_yocto();
    state::registered(&env::predecessor_account_id());
    require!(amount.is_none_or(|a| a == 0), errors::storage::ABOVE_AVAILABLE);
}

/// Unregisters the caller and returns its storage deposit. Tokens must be transferred or
/// unstaked first, unless `force` burns them; unstaked NEAR must be withdrawn first.
pub fn storage_unregister(force: bool) -> bool {
    access::assert_one_yocto();
    let account_id = env::predecessor_account_id();
    let Some(holder) = state::holder(&account_id) else {
        return false;
    };
    require!(holder.owed() == 0, errors::storage::OWED_FIRST);
    let mut totals = Totals::load();
    if holder.shares > 0 {
        require!(force, errors::storage::POSITIVE_BALANCE);
        totals.total_shares -= holder.shares;
        events::FtBurn { owner_id: &account_id, amount: holder.shares }.emit();
    }
    let cost = state::storage_cost(&account_id);
    ledger::unregister(&mut totals, &account_id, &holder);
    totals.save();
    events::Registration { account_id: &account_id, storage_deposit: cost, registered: false }.emit();
    refund(account_id, cost + 1);
    true
}

/// Registration costs at most `min` (for the longest account ids); shorter ids pay less.
pub fn storage_balance_bounds_json() -> String {
    let bound = state::storage_cost_for_len(MAX_ACCOUNT_ID_LEN);
    let mut o = Object::new();
    o.amount("min", bound).amount("max", bound);
    o.end()
}
