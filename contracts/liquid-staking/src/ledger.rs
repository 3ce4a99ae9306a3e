//! The ledger: every movement of NEAR between the accounting buckets of [`Totals`], as named
//! operations (the arrow in each doc shows the movement); no other module writes a bucket. The
//! buckets keep the invariants [`check`] verifies (for migrations, `get_solvency` and the tests):
//!
//! - holders' unstaked balances are funded: `unstaked == reserve + to_unstake +
//!   claims_unstaking`;
//! - assets (`buffered + reserve + delegated + unstaking` and the instant-unstake pool's NEAR)
//!   cover liabilities (`total_staked + unstaked` and the pool's NEAR);
//! - the account holds at least what the buckets say it holds.
//!
//! Amounts come from the contract's own records, which the crank bounds before it believes a
//! pool ([`crate::crank`]); an amount above its bucket is a bug, and the operation panics
//! (reverting the whole call) rather than book it.

use crate::errors;
use crate::state::{self, Holder, Totals};
use near_sdk::AccountId;
use near_sdk::require;

fn take(bucket: &mut u128, amount: u128) {
    *bucket = bucket.checked_sub(amount).unwrap_or_else(|| near_sdk::env::panic_str(errors::math::LEDGER_UNDERFLOW));
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

/// Dust left at a removed validator is written off: `delegated`, `unstaking` shrink by it, the
/// claims it was unstaking go back to the queue, and it is booked as a loss.
pub fn write_off(t: &mut Totals, staked: u128, unstaked: u128, claims: u128) {
    take(&mut t.delegated, staked);
    take(&mut t.unstaking, unstaked);
    requeue_claims(t, claims);
    book_change(t, -((staked + unstaked) as i128));
}

// Holders' movements.

/// `→ total_staked` and the NEAR into the pool (see [`add_fresh_stake`]): a deposit staked for
/// tokens.
pub fn stake_deposit(t: &mut Totals, amount: u128) {
    t.total_staked += amount;
    add_fresh_stake(t, amount);
}

/// `→ deposits`: a deposit kept liquid for its holder (it never pays anyone else).
pub fn deposit_liquid(t: &mut Totals, amount: u128) {
    t.deposits += amount;
}

/// `deposits → total_staked` (as new NEAR for the pool, see [`add_fresh_stake`]): a holder
/// stakes what it deposited.
pub fn stake_deposited(t: &mut Totals, amount: u128) {
    take(&mut t.deposits, amount);
    stake_deposit(t, amount);
}

/// `unstaked → total_staked`: a holder stakes `amount` of its unstaked balance again. Which NEAR
/// backs which claim is not tracked per holder, so the least ready funding goes back first: a
/// request not yet sent to validators is cancelled (`to_unstake`; the NEAR stays delegated),
/// then NEAR being unstaked for claims (`claims_unstaking`; buffered when withdrawn), and only
/// then reserve NEAR (`reserve → buffered`), which other holders' claims may count on.
pub fn restake_claim(t: &mut Totals, amount: u128) {
    take(&mut t.unstaked, amount);
    let cancelled = amount.min(t.to_unstake);
    t.to_unstake -= cancelled;
    let from_validators = (amount - cancelled).min(t.claims_unstaking);
    t.claims_unstaking -= from_validators;
    let from_reserve = amount - cancelled - from_validators;
    take(&mut t.reserve, from_reserve);
    t.buffered += from_reserve;
    t.total_staked += amount;
}

/// `total_staked → unstaked`, funded `buffered → reserve` first and the rest queued
/// (`→ to_unstake`): tokens burnt for a claim. Returns the part queued.
pub fn claim_from_stake(t: &mut Totals, amount: u128) -> u128 {
    take(&mut t.total_staked, amount);
    t.unstaked += amount;
    let from_buffer = amount.min(t.buffered);
    t.buffered -= from_buffer;
    t.reserve += from_buffer;
    let queued = amount - from_buffer;
    t.to_unstake += queued;
    queued
}

/// Whether the reserve can pay `amount` of a claim that unlocked at `unlock` (in `epoch`). A
/// claim maturing this very epoch is paid only once validators released every claim due by
/// now: until the crank collected those, the reserve may hold only claims due earlier, which
/// it must not pay.
pub fn claim_payable(t: &Totals, amount: u128, unlock: u64, epoch: u64) -> bool {
    let from = t.claims_released_from;
    let uncollected = unlock == epoch && from != 0 && from <= epoch;
    t.reserve >= amount && (amount == 0 || !uncollected)
}

/// `deposits →` the holder for its deposited part, `reserve →` the holder for its unstaked
/// part (`unstaked` shrinking by as much, see [`claim_payable`]): a withdrawal.
pub fn pay_out(t: &mut Totals, deposited: u128, unstaked: u128, unlock: u64, epoch: u64) {
    require!(claim_payable(t, unstaked, unlock, epoch), errors::staking::RESERVE_NOT_COLLECTED);
    take(&mut t.deposits, deposited);
    t.reserve -= unstaked;
    take(&mut t.unstaked, unstaked);
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

/// `reserve → liquidity`, `unstaked` shrinking by as much: the pool collects its matured claim.
pub fn pool_claim_collected(t: &mut Totals, claim: u128) {
    take(&mut t.reserve, claim);
    take(&mut t.unstaked, claim);
    t.liquidity += claim;
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
    t.buffered + t.reserve + t.deposits + t.delegated + t.unstaking + pools(t)
}

/// NEAR the contract owes: the tokens' value, holders' unstaked balances and deposits, and the
/// pool's NEAR (rewards held back by the rate bound are the difference to `assets`).
pub fn liabilities(t: &Totals) -> u128 {
    t.total_staked + t.unstaked + t.deposits + pools(t)
}

/// NEAR the buckets say is in the account (the rest of its balance is donations and the
/// operator's own funds).
pub fn tracked(t: &Totals) -> u128 {
    t.buffered + t.reserve + t.deposits + t.storage_deposits + pools(t)
}

/// The ledger's invariants, for migrations, `get_solvency` and the tests: holders' unstaked
/// balances are funded, assets cover liabilities, and the account holds what the buckets say.
pub fn check(t: &Totals, balance: u128) -> Result<(), &'static str> {
    if t.unstaked != t.reserve + t.to_unstake + t.claims_unstaking {
        return Err("unstaked balances do not match their funding");
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
