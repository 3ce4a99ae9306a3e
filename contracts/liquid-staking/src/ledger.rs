//! The ledger: every movement of NEAR between the accounting buckets of [`Totals`] that the crank
//! makes, as named operations (the arrow in each doc shows the movement). The buckets keep the
//! invariants `get_solvency` and the self-check verify:
//!
//! - assets (`buffered + reserve + delegated + unstaking` and the instant-unstake pool's NEAR)
//!   cover liabilities (`total_staked + unstaked` and the pool's NEAR);
//! - holders' unstaked balances are funded: `unstaked == reserve + to_unstake +
//!   claims_unstaking`.
//!
//! Amounts come from the contract's own records, which the crank bounds before it believes a
//! pool ([`crate::crank`]); an amount above its bucket is a bug, and the operation panics
//! (reverting the whole call) rather than book it.

use crate::state::Totals;

fn take(bucket: &mut u128, amount: u128) {
    *bucket = bucket.checked_sub(amount).unwrap_or_else(|| near_sdk::env::panic_str("Ledger underflow"));
}

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

/// `delegated → unstaking`, of which `claims` moves `to_unstake → claims_unstaking`: an unstake
/// sent to a validator, serving `claims` of the exit queue.
pub fn unstake_sent(t: &mut Totals, amount: u128, claims: u128) {
    take(&mut t.delegated, amount);
    t.unstaking += amount;
    take(&mut t.to_unstake, claims);
    t.claims_unstaking += claims;
}

/// `unstaking → delegated`, and the claims part back to the queue (`claims_unstaking →
/// to_unstake`): an unstake the pool refused. Holders may have restaked some of those claims
/// meanwhile, so only what is still unstaking for claims goes back.
pub fn unstake_failed(t: &mut Totals, amount: u128, claims: u128) {
    take(&mut t.unstaking, amount);
    t.delegated += amount;
    requeue_claims(t, claims);
}

/// `claims_unstaking → to_unstake`: holders' requests a validator will not release after all
/// (its unstake failed, it turned faulty, or it was written off) go back to the queue. Holders
/// may have restaked some of those claims meanwhile, so only what is still unstaking for
/// claims goes back.
pub fn requeue_claims(t: &mut Totals, claims: u128) {
    let claims = claims.min(t.claims_unstaking);
    t.claims_unstaking -= claims;
    t.to_unstake += claims;
    pay_queue_from_buffer(t);
}

/// `buffered → reserve`, `to_unstake` shrinking by as much: NEAR waiting to be staked pays
/// requests still queued, as a new unstake's request is paid from the buffer first.
pub fn pay_queue_from_buffer(t: &mut Totals) {
    let paid = t.buffered.min(t.to_unstake);
    t.buffered -= paid;
    t.to_unstake -= paid;
    t.reserve += paid;
}

/// `unstaking → reserve` for the `claims` part (what the validator was unstaking for holders),
/// the rest `unstaking → buffered` (where it first pays requests still queued): NEAR withdrawn
/// from a validator.
pub fn withdrawn(t: &mut Totals, amount: u128, claims: u128) {
    take(&mut t.unstaking, amount);
    let claims = claims.min(amount).min(t.claims_unstaking);
    t.claims_unstaking -= claims;
    t.reserve += claims;
    add_fresh_stake(t, amount - claims);
}

/// New NEAR for the pool: `→ reserve` for requests still queued (`to_unstake` shrinks; the NEAR
/// they waited for stays delegated), the rest `→ buffered`.
pub fn add_fresh_stake(t: &mut Totals, amount: u128) {
    let netted = amount.min(t.to_unstake);
    t.to_unstake -= netted;
    t.reserve += netted;
    t.buffered += amount - netted;
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

/// `stuck` follows a faulty validator's unstaked balance from `before` to `after` (it is part of
/// `unstaking` that is not counted on to return).
pub fn restate_stuck(t: &mut Totals, before: u128, after: u128) {
    t.stuck = t.stuck.saturating_sub(before).saturating_add(after);
}

/// Dust left at a removed validator is written off: `delegated`, `unstaking` shrink by it, the
/// claims it was unstaking go back to the queue, and it is booked as a loss.
pub fn write_off(t: &mut Totals, staked: u128, unstaked: u128, claims: u128) {
    take(&mut t.delegated, staked);
    take(&mut t.unstaking, unstaked);
    requeue_claims(t, claims);
    book_change(t, -((staked + unstaked) as i128));
}
