//! The permissionless epoch crank. Anyone calls `crank` (repeatedly, each epoch); each call works
//! on as many validators as its gas allows, at most one operation in flight per validator, and
//! visits every validator at most once per call, starting where the last call stopped.
//!
//! 1. **Sync**: `ping` then `get_account` on the pool, in one receipt. The change since the last
//!    sync is that validator's reward (or loss), booked at once: rewards wait in
//!    `pending_rewards`, losses use those up first and then lower the price. A gain is believed
//!    up to what a pool can earn ([`settle::MAX_POOL_REWARD_RATE`]); the rest is held unbooked
//!    until the NEAR arrives, and a validator whose gains keep above that is *faulty* (no new
//!    stake, drained), with an event. A faulty validator is not synced, only asked what it holds
//!    once all of it is unstaked, so its drain withdraws all of it.
//! 2. **Close**: once every validator that is not faulty has synced, or half an epoch after the
//!    epoch's first crank call (so one validator that never answers cannot hold the others'
//!    rewards back), the pending rewards go into the price within the rate bound and the
//!    treasury's fee is minted.
//! 3. **Act**, right after the sync or in a later call: withdraw matured unstaked NEAR (funding
//!    holders' claims first, the rest back to the buffer); stake buffered NEAR toward the weight
//!    targets; unstake holders' queued requests ([`crate::exit`]) and what is above target. What
//!    to do is decided by the pure planner ([`crate::plan`]); this module sends it, and
//!    [`crate::settle`] applies the answer to the accounting.
//!
//! Every operation updates the accounting when it is sent and restores it exactly in its
//! callback if the pool call failed. Success is the receipt's status, never the pool's return
//! value. The lock (`Validator::pending`) is only per validator. If a callback never arrives
//! (out of gas), the crank finds the lock stale and asks the pool (`get_account`, without
//! `ping`) what happened, then settles it. The gas of every call and callback is in
//! [`crate::gas`].

use crate::claims::{self, InFlight};
use crate::config::{Config, MIN_LATE_BLOCKS};
use crate::errors;
use crate::events::{self, Event};
use crate::exit;
use crate::json::Object;
use crate::json::{self, Args};
use crate::plan::{self, PoolOp, Snapshot};
use crate::promise;
use crate::record::record;
use crate::state::{Totals, read, write};
use crate::validators::{self, Pending, Validator, ValidatorSet};
use crate::{access, gas, history, ledger, liquidity, math, settle, text};
use near_sdk::{Gas, PromiseIndex, env};

const CRANK: &[u8] = b"k";

/// Blocks between the block a keeper sees and the earliest its crank runs in: the transaction
/// is included in the next block and its receipt runs in the one after.
const CRANK_LATENCY_BLOCKS: u64 = 2;

/// The crank's progress through the current epoch.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrankState {
    pub epoch: u64,
    /// Validators (not faulty) synced this epoch.
    pub synced: u16,
    /// The sum of the rewards (negative for losses) booked this epoch.
    pub rewards: i128,
    /// The epoch's rewards went into the price.
    pub rewards_done: bool,
    /// Where the next call starts looking.
    pub cursor: u16,
    /// The block the epoch is taken to have started at: no later than it did (the first crank
    /// call's block less the crank's latency, or earlier when the last epoch's start and the
    /// epoch length say so), so the late span at the epoch's end is never short.
    pub start_block: u64,
}

record!(CrankState { epoch, synced, rewards, rewards_done, cursor, start_block });

impl CrankState {
    /// The state for the current epoch (a new epoch starts afresh) and whether it is new.
    fn load(config: &Config) -> (Self, bool) {
        let epoch = env::epoch_height();
        let block = env::block_height();
        match read::<CrankState>(CRANK) {
            Some(state) if state.epoch == epoch => (state, false),
            last => {
                // Epochs last at least `epoch_blocks`: the last start the crank saw, that many
                // blocks per epoch on, is no later than this one's (a keeper back after epochs
                // without a crank must not place the late span after the epoch's end).
                let latest = block.saturating_sub(CRANK_LATENCY_BLOCKS);
                let start_block = match last {
                    Some(last) if last.epoch < epoch => (epoch - last.epoch)
                        .checked_mul(config.epoch_blocks)
                        .and_then(|blocks| last.start_block.checked_add(blocks))
                        .map_or(latest, |extrapolated| latest.min(extrapolated)),
                    _ => latest,
                };
                let cursor = last_cursor();
                (CrankState { epoch, start_block, cursor, ..Default::default() }, true)
            }
        }
    }

    fn save(&self) {
        write(CRANK, self);
    }

    /// Past the block at which the epoch's rewards close without validators still missing.
    fn overdue(&self, config: &Config) -> bool {
        env::block_height() >= self.start_block + config.epoch_blocks / 2
    }
}

/// The cursor survives epochs, so a pass that ran out of gas goes on where it stopped.
fn last_cursor() -> u16 {
    read::<CrankState>(CRANK).map_or(0, |s| s.cursor)
}

/// The planner's view of this moment.
fn snapshot<'a>(
    totals: &'a Totals,
    set: &'a ValidatorSet,
    config: &'a Config,
    crank: &CrankState,
    stuck: u128,
) -> Snapshot<'a> {
    Snapshot::new(totals, set, config, (crank.epoch, crank.rewards_done), stuck, env::block_height())
}

/// The callback `method` of the operation `id` on validator `index`, after `call`.
fn callback(call: PromiseIndex, method: &str, index: u16, id: u64, gas: Gas) {
    let mut args = String::from(r#"{"index":"#);
    text::push_u128(&mut args, index as u128);
    args.push_str(r#","id":"#);
    text::push_u128(&mut args, id as u128);
    args.push('}');
    promise::then_self(call, method, args.as_bytes(), gas);
}

fn get_account_args() -> String {
    text::join(&[r#"{"account_id":""#, env::current_account_id().as_str(), r#""}"#])
}

/// Sends `op` to the validator's pool, locking it and applying the operation's accounting now
/// (a stake leaves the buffer, an unstake leaves the delegated stake); a withdrawal is accounted
/// when the pool confirms it.
fn send(index: u16, v: &mut Validator, op: PoolOp, totals: &mut Totals) {
    let id = env::block_height();
    let prior_unlock = v.unlock_epoch;
    let pool = &v.account_id;
    let (amount, claims) = (op.amount(), op.claims());
    let amount_args = text::join(&[r#"{"amount":"#, &json::u128(amount), "}"]);
    let call = match op {
        // A faulty validator's pool is only asked what it holds (see `crank`).
        PoolOp::Sync if v.faulty => {
            promise::call(pool, "get_account", get_account_args().as_bytes(), 0, gas::GET_ACCOUNT)
        }
        PoolOp::Sync => {
            let call = promise::call(pool, "ping", b"{}", 0, gas::POOL_ACTION);
            promise::add_call(call, "get_account", get_account_args().as_bytes(), 0, gas::GET_ACCOUNT);
            call
        }
        PoolOp::Stake { amount } => {
            ledger::stake_sent(totals, amount);
            v.staked += amount;
            promise::call(pool, "deposit_and_stake", b"{}", amount, gas::POOL_ACTION)
        }
        PoolOp::Unstake { amount, claims } => {
            // All of it goes by `unstake_all`, immune to the pool's rounding of our balance.
            let call = if amount == v.staked {
                promise::call(pool, "unstake_all", b"{}", 0, gas::POOL_ACTION)
            } else {
                promise::call(pool, "unstake", amount_args.as_bytes(), 0, gas::POOL_ACTION)
            };
            v.staked -= amount;
            v.unstaked += amount;
            v.claims += claims;
            v.unlock_epoch = env::epoch_height() + exit::NUM_EPOCHS_TO_UNLOCK;
            let mut f = InFlight::load();
            ledger::unstake_sent(totals, &mut f, amount, claims, index);
            f.save();
            call
        }
        PoolOp::Withdraw { .. } => promise::call(pool, "withdraw", amount_args.as_bytes(), 0, gas::POOL_ACTION),
    };
    let (method, gas) = if op == PoolOp::Sync { ("on_sync", gas::ON_SYNC) } else { ("on_action", gas::ON_ACTION) };
    callback(call, method, index, id, gas);
    settle::restate_exit(v);
    let epoch = env::epoch_height();
    v.pending = Some(Pending { op: op.op(), amount, claims, id, epoch, reconciling: false, prior_unlock });
}

/// Asks the pool what it holds for us, to settle a lock whose callback never came.
fn reconcile(index: u16, v: &mut Validator) {
    let id = env::block_height();
    let call = promise::call(&v.account_id, "get_account", get_account_args().as_bytes(), 0, gas::GET_ACCOUNT);
    callback(call, "on_reconcile", index, id, gas::ON_RECONCILE);
    if let Some(p) = v.pending.as_mut() {
        p.id = id;
        p.reconciling = true;
    }
}

/// Works on the validators that need it, as many as the attached gas allows, and returns how
/// many it worked on.
pub fn crank() -> u32 {
    let set = ValidatorSet::load();
    let config = Config::load();
    let (mut crank, new_epoch) = CrankState::load(&config);
    let mut totals = Totals::load();
    let epoch = crank.epoch;
    let (per_validator, own) = (gas::PER_VALIDATOR.as_gas(), gas::CRANK_OWN.as_gas());
    let budget = env::prepaid_gas().as_gas().saturating_sub(env::used_gas().as_gas() + own);
    let capacity = budget / per_validator;
    if capacity == 0 {
        let need = Gas::from_gas(per_validator + own + env::used_gas().as_gas()).as_tgas() + 1;
        env::panic_str(&errors::validators::crank_gas(need));
    }
    totals.capacity.roll(epoch);
    totals.capacity.crank_seen(env::block_height(), epoch);
    // Claims due and short of NEAR come before anything else the buffer pays for.
    claims::cover_due(&mut totals, epoch);
    liquidity::collect_claim_now(&mut totals);
    if new_epoch {
        let late_blocks = (config.epoch_blocks / 20).max(MIN_LATE_BLOCKS).min(config.epoch_blocks / 2);
        totals.capacity.late_from_block = crank.start_block + config.epoch_blocks - late_blocks;
        exit::set_epoch_blocks(config.epoch_blocks);
        report_late(&totals, epoch);
        // New deposits buy the instant-unstake pool's tokens before any is delegated, once an
        // epoch (so no crank call between two swaps can change what the second one costs).
        liquidity::refill_now(&mut totals);
    }
    maybe_finish_epoch(&mut crank, &mut totals, &set, &config);
    let stuck = exit::stuck();
    let mut worked = 0;
    let start = crank.cursor;
    for step in 0..set.count {
        if worked as u64 >= capacity {
            break;
        }
        let index = (start + step) % set.count;
        crank.cursor = (index + 1) % set.count;
        let Some(mut v) = validators::load(index) else { continue };
        let stale = v.pending.as_ref().map(|p| env::block_height() > p.id + settle::LOCK_BLOCKS);
        if stale.is_none() && env::block_height() < v.retry_at {
            continue;
        }
        match stale {
            Some(true) => reconcile(index, &mut v),
            Some(false) => continue,
            // A faulty validator is not synced, but once all it holds is unstaked its pool is
            // asked what that is: a drain withdraws all of it, rewards it credited while it
            // could not be synced included (booked as they arrive).
            None if v.synced_epoch < epoch && (!v.faulty || (v.staked == 0 && v.unstaked > 0)) => {
                // A validator whose sync failed this epoch still releases what matured: the
                // claims waiting for it are due now.
                let view = snapshot(&totals, &set, &config, &crank, stuck);
                let op = plan::withdrawal(&v, &view).filter(|_| v.failed_epoch == epoch);
                send(index, &mut v, op.unwrap_or(PoolOp::Sync), &mut totals);
            }
            None => {
                v.synced_epoch = epoch;
                let view = snapshot(&totals, &set, &config, &crank, stuck);
                let Some(op) = plan::decide(&v, &view) else {
                    validators::save(index, &v);
                    continue;
                };
                send(index, &mut v, op, &mut totals);
                settle::recount_capacity(&mut v, &mut totals);
            }
        }
        validators::save(index, &v);
        worked += 1;
    }
    totals.save();
    crank.save();
    worked
}

/// Claims due whose NEAR is still missing after the buffer covered what it could, and is not
/// expected this epoch: an event for each tranche, once an epoch (as it starts) while it lasts.
fn report_late(totals: &Totals, epoch: u64) {
    let due = totals.claims.tranches.iter().filter(|t| t.epoch <= epoch && t.missing() > 0);
    let mut f = None;
    for tranche in due {
        let f = f.get_or_insert_with(InFlight::load);
        let expected_epoch = exit::expected(totals, tranche, validators::arrival(f, tranche), epoch);
        if expected_epoch > epoch {
            let missing = tranche.missing();
            events::ClaimsLate { unlock_epoch: tranche.epoch, owed: tranche.owed, missing, expected_epoch }.emit();
        }
    }
}

/// The pool's answer to `get_account`: staked, unstaked, can withdraw.
fn pool_account() -> Option<(u128, u128, bool)> {
    let bytes = env::promise_result_checked(0, 512).ok()?;
    let account = json::parse(&bytes).ok()?;
    Some((
        account.get("staked_balance")?.as_u128()?,
        account.get("unstaked_balance")?.as_u128()?,
        account.get("can_withdraw")?.as_bool()?,
    ))
}

/// The validator a callback is about, if the operation it answers is still the one in flight.
fn callback_target() -> Option<(u16, Validator)> {
    access::assert_self(errors::access::CRANK_CALLBACK_PRIVATE);
    let args = Args::input();
    let (index, id) = (args.u32("index") as u16, args.u64("id"));
    let v = validators::load(index)?;
    (v.pending.as_ref()?.id == id).then_some((index, v))
}

/// `on_sync`: the pool's balances after its ping. The change since the last sync is booked as
/// this validator's reward or loss at once ([`settle::sync`]); the validator's next operation,
/// if any, is sent right away.
pub fn on_sync() {
    let Some((index, mut v)) = callback_target() else { return };
    let pending = v.pending.take().unwrap_or_else(|| env::panic_str(errors::invariant::NOT_IN_FLIGHT));
    let mut totals = Totals::load();
    let mut set = ValidatorSet::load();
    let config = Config::load();
    let (mut crank, _) = CrankState::load(&config);
    // An answer from an earlier epoch is stale: the validator is synced again.
    if pending.epoch == crank.epoch {
        let answer = pool_account();
        let synced = if v.faulty {
            // Only what it holds beyond our records is read, as unbooked NEAR to withdraw.
            let reported = answer.map_or(0, |(staked, unstaked, _)| staked.saturating_add(unstaked));
            v.unbooked = reported.saturating_sub(v.staked + v.unstaked);
            v.synced_epoch = crank.epoch;
            true
        } else if let Some(change) = settle::sync(index, &mut v, &mut set, &mut totals, answer, crank.epoch, &config) {
            crank.synced += 1;
            crank.rewards += change;
            true
        } else {
            false
        };
        if synced {
            claims::cover_due(&mut totals, crank.epoch);
            maybe_finish_epoch(&mut crank, &mut totals, &set, &config);
            let view = snapshot(&totals, &set, &config, &crank, exit::stuck());
            if let Some(op) = plan::decide(&v, &view) {
                send(index, &mut v, op, &mut totals);
            }
        }
    }
    settle::restate(&mut v, &mut totals);
    validators::save(index, &v);
    totals.save();
    crank.save();
}

/// `on_action`: keeps the accounting of a confirmed operation, restores it after a failed one.
/// Success is the pool call's status: whatever (and however long) it returned.
pub fn on_action() {
    let Some((index, v)) = callback_target() else { return };
    let succeeded = !matches!(env::promise_result_checked(0, 0), Err(near_sdk::PromiseError::Failed));
    settle::operation(index, v, succeeded);
}

/// `on_reconcile`: settles a lost callback's operation from the pool's balances now
/// ([`settle::took_effect`]).
pub fn on_reconcile() {
    let Some((index, v)) = callback_target() else { return };
    let Some((staked, unstaked, _)) = pool_account() else {
        // No answer: the lock stays and the next crank asks again.
        return;
    };
    let Some(pending) = v.pending.as_ref() else { return };
    let succeeded = settle::took_effect(&v, pending, staked, unstaked);
    settle::operation(index, v, succeeded);
}

/// Once every validator that is not faulty has synced this epoch, or the epoch is half over:
/// the instant-unstake pool's epoch work, then the rewards go into the price, which the price
/// history records.
fn maybe_finish_epoch(crank: &mut CrankState, totals: &mut Totals, set: &ValidatorSet, config: &Config) {
    if crank.rewards_done || (crank.synced < set.count - set.faulty && !crank.overdue(config)) {
        return;
    }
    crank.rewards_done = true;
    liquidity::epoch_work(totals, config);
    if set.count > 0 {
        settle::rewards(crank.rewards, totals, config, crank.epoch);
    }
    history::record(crank.epoch, math::price(totals.total_staked, totals.total_shares));
}

/// `get_crank_status`: the epoch's progress and whether work is left.
pub fn status_json() -> String {
    let set = ValidatorSet::load();
    let config = Config::load();
    let (crank, new_epoch) = CrankState::load(&config);
    let totals = Totals::load();
    let (capacity, releases) = totals.capacity.view(crank.epoch);
    let epoch = crank.epoch;
    let closable = crank.synced >= set.count - set.faulty || crank.overdue(&config);
    let mut work_left = new_epoch || (!crank.rewards_done && closable);
    let mut locked = 0;
    let mut validators_with_work: u64 = 0;
    let mut retry_at = u64::MAX;
    let view = snapshot(&totals, &set, &config, &crank, exit::stuck());
    for index in 0..set.count {
        let Some(v) = validators::load(index) else { continue };
        if let Some(p) = v.pending.as_ref() {
            // A lock whose callback has not come is reconciled once stale: work for later.
            locked += 1;
            let stale_at = p.id + settle::LOCK_BLOCKS + 1;
            validators_with_work += u64::from(env::block_height() >= stale_at);
            work_left |= env::block_height() >= stale_at;
            if env::block_height() < stale_at {
                retry_at = retry_at.min(stale_at);
            }
            continue;
        }
        if env::block_height() < v.retry_at {
            retry_at = retry_at.min(v.retry_at);
            continue;
        }
        let synced = v.synced_epoch >= epoch || v.faulty;
        let v = Validator { synced_epoch: epoch, ..v };
        let has_work = !synced || plan::decide(&v, &view).is_some();
        validators_with_work += u64::from(has_work);
        work_left |= has_work;
    }
    // Enough for one call to work on every validator that has work now (at least one).
    let crank_gas =
        validators_with_work.max(1) * gas::PER_VALIDATOR.as_gas() + gas::CRANK_OWN.as_gas() + gas::CRANK_ENTRY.as_gas();
    let mut o = Object::new();
    o.integer("epoch", epoch)
        .integer("validators", set.count as u64)
        .integer("faulty", set.faulty as u64)
        .integer("synced", crank.synced as u64)
        .boolean("rewards_done", crank.rewards_done)
        .integer("locked", locked as u64)
        .boolean("work_left", work_left)
        .epoch("retry_at", retry_at)
        .integer("crank_gas", crank_gas)
        .amount("buffered", totals.buffered)
        .amount("to_unstake", totals.claims.queued(u64::MAX))
        .amount("pending_rewards", totals.pending_rewards)
        .amount("unstake_capacity", capacity.free + capacity.added)
        .epoch("late_from_block", capacity.late_from_block)
        .epoch("unstake_epoch", exit::next_release(&capacity, &releases));
    o.end()
}
