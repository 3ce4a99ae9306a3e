//! The ledger: every movement of NEAR between the accounting buckets of [`Totals`], as named
//! operations (the arrow in each doc shows the movement); no other module writes a bucket. The
//! claim book's buckets (holders' unstaked balances by unlock epoch, and their NEAR) are moved
//! by its own half of the ledger, [`crate::claims`]. The buckets keep the invariants [`check`]
//! verifies (for migrations, `get_solvency` and the tests):
//!
//! - holders' unstaked balances are funded: each tranche's NEAR (ready, queued, unstaking) adds
//!   up to what it owes, and the NEAR unstaking for claims is NEAR validators are unstaking;
//! - assets (`buffered + reserve + delegated + unstaking` and the instant-unstake pool's NEAR)
//!   cover liabilities (`total_staked + unstaked` and the pool's NEAR);
//! - the account holds at least what the buckets say it holds.
//!
//! Amounts come from the contract's own records, which the crank bounds before it believes a
//! pool ([`crate::crank`]); an amount above its bucket is a bug, and the operation panics
//! (reverting the whole call) rather than book it.

use crate::claims::{self, InFlight};
use crate::math::take;
use crate::state::{self, Holder, Totals};
use near_sdk::{AccountId, env, require};

/// `buffered → delegated`: stake sent to a validator.
pub fn stake_sent(t: &mut Totals, amount: u128) {
    take(&mut t.buffered, amount);
    t.delegated += amount;
}

/// `delegated → buffered`: a stake the pool refused comes back.
pub fn stake_failed(t: &mut Totals, amount: u128) {
    take(&mut t.delegated, amount);
    t.buffered += amount;
}

/// `delegated → unstaking`, of which `claims` serves the exit queue (`queued → unstaking` in
/// the claim book, at validator number `validator`): an unstake sent to a validator.
pub fn unstake_sent(t: &mut Totals, f: &mut InFlight, amount: u128, claims: u128, validator: u16) {
    take(&mut t.delegated, amount);
    t.unstaking += amount;
    claims::sent(t, f, claims, validator);
}

/// `unstaking → delegated`, and the claims it carried back to the queue: an unstake the pool
/// of validator number `validator` refused.
pub fn unstake_failed(t: &mut Totals, f: &mut InFlight, amount: u128, claims: u128, validator: u16) {
    take(&mut t.unstaking, amount);
    t.delegated += amount;
    claims::requeued(t, f, claims, validator, env::epoch_height());
}

/// `unstaking →` the claims it was unstaking for (`claims`, see [`claims::arrived`]), the rest
/// `→` fresh NEAR for the pool ([`claims::add_fresh`]): NEAR withdrawn from validator number
/// `validator`.
pub fn withdrawn(t: &mut Totals, f: &mut InFlight, amount: u128, claims: u128, validator: u16) {
    take(&mut t.unstaking, amount);
    let claims = claims.min(amount);
    let spare = claims::arrived(t, f, claims, validator);
    claims::add_fresh(t, amount - claims + spare, env::epoch_height());
}

/// `→` fresh NEAR for the pool and `→ pending_rewards`: NEAR a pool held for us beyond what was
/// booked (a donation to it, or rewards it credited while it could not be synced) has arrived,
/// and is a gain.
pub fn unbooked_arrived(t: &mut Totals, amount: u128) {
    if amount > 0 {
        t.pending_rewards += amount;
        claims::add_fresh(t, amount, env::epoch_height());
    }
}

/// A validator's synced balances replace our records of it (`delegated`, `unstaking`); returns
/// the change, which [`book_change`] books.
pub fn record_balances(t: &mut Totals, old: (u128, u128), new: (u128, u128)) -> i128 {
    t.delegated = t.delegated - old.0 + new.0;
    t.unstaking = t.unstaking - old.1 + new.1;
    (new.0 + new.1) as i128 - (old.0 + old.1) as i128
}

/// `→ pending_rewards` for a reward; a loss uses pending rewards up first, then lowers
/// `total_staked` (the price).
pub fn book_change(t: &mut Totals, change: i128) {
    if change < 0 {
        let loss = change.unsigned_abs();
        let covered = loss.min(t.pending_rewards);
        t.pending_rewards -= covered;
        t.total_staked = t.total_staked.saturating_sub(loss - covered).max(1);
    } else {
        t.pending_rewards += change as u128;
    }
}

/// Dust left at a removed validator (number `validator`) is written off: `delegated`,
/// `unstaking` shrink by it, the claims it was unstaking go back to the queue, and it is booked
/// as a loss.
pub fn write_off(t: &mut Totals, f: &mut InFlight, (staked, unstaked): (u128, u128), claims: u128, validator: u16) {
    take(&mut t.delegated, staked);
    take(&mut t.unstaking, unstaked);
    claims::requeued(t, f, claims, validator, env::epoch_height());
    book_change(t, -((staked + unstaked) as i128));
}

// Holders' movements.

/// `→ total_staked` and the NEAR into the pool (see [`claims::add_fresh`]): a deposit staked
/// for tokens.
pub fn stake_deposit(t: &mut Totals, amount: u128) {
    t.total_staked += amount;
    claims::add_fresh(t, amount, env::epoch_height());
}

/// `→ deposits`: a deposit kept liquid for its holder (it never pays anyone else).
pub fn deposit_liquid(t: &mut Totals, amount: u128) {
    t.deposits += amount;
}

/// `deposits → total_staked` (as new NEAR for the pool, see [`claims::add_fresh`]): a holder
/// stakes what it deposited.
pub fn stake_deposited(t: &mut Totals, amount: u128) {
    take(&mut t.deposits, amount);
    stake_deposit(t, amount);
}

/// `deposits →` the holder for its deposited part, its claim's tranche `→` the holder for its
/// unstaked part ([`claims::pay`]): a withdrawal. Refused with `late` (changing nothing) when
/// the tranche cannot pay it yet.
pub fn pay_out(t: &mut Totals, (deposited, unstaked): (u128, u128), unlock: u64, late: &str) {
    require!(unstaked == 0 || claims::pay(t, unstaked, unlock, env::epoch_height()), late);
    take(&mut t.deposits, deposited);
}

/// `→ storage_deposits`: NEAR a holder or liquidity provider paid for its records.
pub fn storage_in(t: &mut Totals, amount: u128) {
    t.storage_deposits += amount;
}

/// `storage_deposits →` the account leaving.
pub fn storage_out(t: &mut Totals, amount: u128) {
    take(&mut t.storage_deposits, amount);
}

// The instant-unstake pool's movements.

/// `→ liquidity`: a provider's NEAR.
pub fn liquidity_in(t: &mut Totals, amount: u128) {
    t.liquidity += amount;
}

/// `liquidity →` a provider or a seller.
pub fn liquidity_out(t: &mut Totals, amount: u128) {
    take(&mut t.liquidity, amount);
}

/// `liquidity →` the seller (`value − fee`), the fee split `→ treasury_fees` and
/// `→ liquidity_fees`: a swap of tokens worth `value`.
pub fn swap(t: &mut Totals, value: u128, to_treasury: u128, to_providers: u128) {
    take(&mut t.liquidity, value);
    t.treasury_fees += to_treasury;
    t.liquidity_fees += to_providers;
}

/// `liquidity_fees → liquidity`: providers' fees join the pool.
pub fn fees_join_pool(t: &mut Totals) {
    t.liquidity += std::mem::take(&mut t.liquidity_fees);
}

/// `treasury_fees → total_staked` (as new NEAR for the pool): the treasury's fees staked for its
/// tokens. Returns the NEAR staked.
pub fn stake_treasury_fees(t: &mut Totals) -> u128 {
    let fee = std::mem::take(&mut t.treasury_fees);
    stake_deposit(t, fee);
    fee
}

/// `buffered → liquidity`, `total_staked` shrinking by as much: new deposits buy the pool's
/// tokens, which are burnt.
pub fn pool_sells_stake(t: &mut Totals, paid: u128) {
    take(&mut t.total_staked, paid);
    take(&mut t.buffered, paid);
    t.liquidity += paid;
}

/// Its tranche `→ liquidity`: the pool collects its matured claim (of `claim`, unlocking at
/// `unlock`) once its tranche can pay it; returns whether it did.
pub fn pool_claim_collected(t: &mut Totals, claim: u128, unlock: u64) -> bool {
    let collected = claims::pay(t, claim, unlock, env::epoch_height());
    if collected {
        t.liquidity += claim;
    }
    collected
}

/// `pending_rewards → total_staked`: rewards released into the price.
pub fn release_rewards(t: &mut Totals, rewards: u128) {
    take(&mut t.pending_rewards, rewards);
    t.total_staked += rewards;
}

// The invariants.

/// What the instant-unstake pool holds: its NEAR and the fees owed to providers and treasury.
fn pools(t: &Totals) -> u128 {
    t.liquidity + t.liquidity_fees + t.treasury_fees
}

/// NEAR the contract holds or is owed by validators.
pub fn assets(t: &Totals) -> u128 {
    t.buffered + t.claims.reserve() + t.deposits + t.delegated + t.unstaking + pools(t)
}

/// NEAR the contract owes: the tokens' value, holders' unstaked balances and deposits, and the
/// pool's NEAR (rewards held back by the rate bound are the difference to `assets`).
pub fn liabilities(t: &Totals) -> u128 {
    t.total_staked + t.claims.owed() + t.deposits + pools(t)
}

/// NEAR the buckets say is in the account (the rest of its balance is donations and the
/// operator's own funds).
pub fn tracked(t: &Totals) -> u128 {
    t.buffered + t.claims.reserve() + t.deposits + t.storage_deposits + pools(t)
}

/// The ledger's invariants, for migrations, `get_solvency` and the tests: assets cover
/// liabilities, the account holds what the buckets say, and the NEAR unstaking for claims is
/// NEAR validators are unstaking (each tranche's parts add up to what it owes by
/// construction, see [`state::Book`]).
pub fn check(t: &Totals, balance: u128) -> Result<(), &'static str> {
    if t.claims.unstaking() > t.unstaking {
        return Err("claims count on more NEAR than validators are unstaking");
    }
    if assets(t) < liabilities(t) {
        return Err("the pool is insolvent");
    }
    if balance < tracked(t) {
        return Err("the account holds less than the buckets say");
    }
    Ok(())
}

/// Registers `account_id` as a holder with nothing (the caller saves the returned record); the
/// NEAR it paid for its storage joins the storage deposits.
pub fn register(totals: &mut Totals, account_id: &AccountId) -> Holder {
    let holder = state::add_holder(totals, account_id);
    storage_in(totals, state::storage_cost(account_id));
    holder
}

/// Removes a holder's records; its storage payment leaves the storage deposits (the caller
/// sends it back).
pub fn unregister(totals: &mut Totals, account_id: &AccountId, holder: &Holder) {
    state::remove_holder(totals, account_id, holder);
    storage_out(totals, state::storage_cost(account_id));
}
