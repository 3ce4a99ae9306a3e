//! The permissionless epoch crank. Anyone calls `crank` (repeatedly, each epoch); each call works
//! on as many validators as its gas allows, at most one operation in flight per validator, and
//! visits every validator at most once per call, starting where the last call stopped.
//!
//! 1. **Sync**: `ping` then `get_account` on the pool, in one receipt. The answer is checked
//!    against what the contract sent plus the most a pool can earn ([`MAX_POOL_REWARD_RATE`] per
//!    epoch since the last sync): an answer outside that bound marks the validator *faulty* (no
//!    reward booked, no new stake, drained, its answers never read again), with an event. A
//!    plausible change is that validator's reward (or loss), booked at once: rewards wait in
//!    `pending_rewards`, losses use those up first and then lower the price.
//! 2. **Close**: once every validator that is not faulty has synced, or half an epoch after the
//!    epoch's first crank call (so one validator that never answers cannot hold the others'
//!    rewards back), the pending rewards go into the price within the rate bound and the
//!    treasury's fee is minted.
//! 3. **Act**, right after the sync or in a later call: withdraw matured unstaked NEAR (funding
//!    holders' claims first, the rest back to the buffer); stake buffered NEAR toward the weight
//!    targets; unstake holders' queued requests ([`crate::exit`]) and what is above target. What
//!    to do is decided by the pure planner ([`crate::plan`]); this module sends it and settles
//!    the answer.
//!
//! Every operation updates the accounting when it is sent and restores it exactly in its
//! callback if the pool call failed. Success is the receipt's status, never the pool's return
//! value. The lock (`Validator::pending`) is only per validator. If a callback never arrives
//! (out of gas), the crank finds the lock stale and asks the pool (`get_account`, without
//! `ping`) what happened, then settles it. The gas of every call and callback is in
//! [`crate::gas`].

use crate::config::Config;
use crate::errors;
use crate::events::Event;
use crate::exit::{self, Share};
use crate::json::Object;
use crate::json::{self, Args};
use crate::plan::{self, PoolOp, Snapshot};
use crate::promise;
use crate::record::record;
use crate::state::{self, Totals, read, write};
use crate::validators::{self, Op, Outage, Pending, Status, Validator, ValidatorSet};
use crate::{access, events, gas, history, ledger, liquidity, math};
use near_sdk::{Gas, PromiseIndex, env};

const CRANK: &[u8] = b"k";

/// Blocks between the block a keeper sees and the earliest its crank runs in: the transaction
/// is included in the next block and its receipt runs in the one after.
const CRANK_LATENCY_BLOCKS: u64 = 2;
/// The least span at an epoch's end in which an unstake counts as late (long epochs use a
/// twentieth). An unstake is sent by the second crank after it at worst: the first may find
/// the validators busy with other work (a dust withdrawal the queue counts on), whose callbacks
/// take three blocks; each crank runs `CRANK_LATENCY_BLOCKS` after its keeper sees the work
/// and reaches the pool a block later. Ten blocks cover that with a block to spare.
const MIN_LATE_BLOCKS: u64 = 10;
/// Blocks after which an operation whose callback has not come is reconciled.
pub const LOCK_BLOCKS: u64 = 30;
/// The most a pool can plausibly earn per epoch, as a fraction of what it holds for us: 2%, over
/// a hundred times what NEAR pays. A larger reported gain is not believed.
pub const MAX_POOL_REWARD_RATE: (u128, u128) = (2, 100);
/// Epochs running in which a validator's sync fails before it is taken as faulty.
const MAX_FAILED_SYNCS: u8 = 3;
/// Pools round by a yocto or two per operation; answers may differ from our records by this.
const ROUNDING: u128 = 1_000;

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
                let start_block = match last {
                    Some(last) if last.epoch + 1 == epoch => {
                        block.saturating_sub(CRANK_LATENCY_BLOCKS).min(last.start_block + config.epoch_blocks)
                    }
                    _ => block.saturating_sub(CRANK_LATENCY_BLOCKS),
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
    let args = format!(r#"{{"index":{index},"id":{id}}}"#);
    promise::then_self(call, method, args.as_bytes(), gas);
}

fn get_account_args() -> String {
    format!(r#"{{"account_id":"{}"}}"#, env::current_account_id())
}

/// Sends `op` to the validator's pool, locking it and applying the operation's accounting now
/// (a stake leaves the buffer, an unstake leaves the delegated stake); a withdrawal is accounted
/// when the pool confirms it.
fn send(index: u16, v: &mut Validator, op: PoolOp, totals: &mut Totals) {
    let id = env::block_height();
    let prior_unlock = v.unlock_epoch;
    let pool = &v.account_id;
    let (amount, claims) = (op.amount(), op.claims());
    let amount_args = format!(r#"{{"amount":"{amount}"}}"#);
    let call = match op {
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
            ledger::unstake_sent(totals, amount, claims);
            call
        }
        PoolOp::Withdraw { .. } => promise::call(pool, "withdraw", amount_args.as_bytes(), 0, gas::POOL_ACTION),
    };
    let (method, gas) = if op == PoolOp::Sync { ("on_sync", gas::ON_SYNC) } else { ("on_action", gas::ON_ACTION) };
    callback(call, method, index, id, gas);
    restate_exit(v, totals);
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
    if new_epoch {
        let late_blocks = (config.epoch_blocks / 20).max(MIN_LATE_BLOCKS);
        totals.capacity.late_from_block = crank.start_block + config.epoch_blocks - late_blocks;
        exit::set_epoch_blocks(config.epoch_blocks);
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
        let stale = v.pending.as_ref().map(|p| env::block_height() > p.id + LOCK_BLOCKS);
        if stale.is_none() && env::block_height() < v.retry_at {
            continue;
        }
        match stale {
            Some(true) => reconcile(index, &mut v),
            Some(false) => continue,
            None if v.synced_epoch < epoch && !v.faulty => {
                // A validator whose sync failed this epoch still releases what matured: the
                // claims waiting for it are due now.
                let view = snapshot(&totals, &set, &config, &crank, stuck);
                let op = plan::withdrawal(&v, &view).filter(|_| v.failed_epoch == epoch);
                send(index, &mut v, op.unwrap_or(PoolOp::Sync), &mut totals);
            }
            None => {
                // A faulty validator's answers are not read: it is drained from our records.
                v.synced_epoch = epoch;
                let view = snapshot(&totals, &set, &config, &crank, stuck);
                let Some(op) = plan::decide(&v, &view) else {
                    validators::save(index, &v);
                    continue;
                };
                send(index, &mut v, op, &mut totals);
                recount_capacity(&mut v, &mut totals);
            }
        }
        validators::save(index, &v);
        worked += 1;
    }
    totals.save();
    crank.save();
    worked
}

/// Keeps the exit queue's [`exit::Capacity`] in step with this validator: its stake counts as
/// free to unstake now, or from the epoch its wait ends; a faulty validator's not at all.
fn recount_capacity(v: &mut Validator, totals: &mut Totals) {
    let epoch = env::epoch_height();
    totals.capacity.roll(epoch);
    totals.capacity.remove(v.capacity);
    let free_at = if v.unstaked == 0 || v.unlock_epoch <= epoch { 0 } else { v.unlock_epoch };
    v.capacity = Share { amount: if v.faulty { 0 } else { v.staked }, free_at };
    totals.capacity.add(v.capacity);
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

/// Whether a pool's answer is within what we sent plus what it can have earned since `v`'s
/// last sync: its unstaked balance only grows by our unstakes, its total by rewards.
fn plausible(v: &Validator, staked: u128, unstaked: u128, epoch: u64) -> bool {
    let held = v.staked + v.unstaked;
    let epochs = epoch.saturating_sub(v.synced_epoch).clamp(1, 100) as u128;
    let (num, den) = MAX_POOL_REWARD_RATE;
    let most = shares::mul_div_floor(held, num * epochs, den)
        .and_then(|r| held.checked_add(r))
        .and_then(|m| m.checked_add(ROUNDING));
    match (staked.checked_add(unstaked), most) {
        (Some(total), Some(most)) => total <= most && unstaked <= v.unstaked.saturating_add(ROUNDING),
        _ => false,
    }
}

/// Brings what the validator adds to the exit queue's records up to date: the NEAR stuck at it,
/// and its claims by release epoch.
fn restate_exit(v: &mut Validator, totals: &mut Totals) {
    let stuck = v.stuck_in(env::epoch_height());
    exit::restate_stuck(v.stuck, stuck);
    v.stuck = stuck;
    let release = Share { amount: v.claims, free_at: if v.claims > 0 { v.unlock_epoch } else { 0 } };
    if release != v.claims_release {
        totals.capacity.roll(env::epoch_height());
        totals.claims_released_from = totals.capacity.move_claims(v.claims_release, release);
        v.claims_release = release;
    }
}

/// Marks a validator faulty: its stake leaves the targets and the exit queue's capacity, and
/// its answers are never read again.
fn mark_faulty(v: &mut Validator, set: &mut ValidatorSet, totals: &mut Totals, reason: &str) {
    if !v.faulty {
        v.faulty = true;
        set.faulty += 1;
        // The holders' claims it was unstaking are asked of the other validators instead, and
        // what it is unstaking is not counted on to return.
        ledger::requeue_claims(totals, std::mem::take(&mut v.claims));
        restate_exit(v, totals);
        v.draining = v.set_draining(set, true);
        events::ValidatorFaulty { validator_id: &v.account_id, reason }.emit();
    }
}

/// `on_sync`: the pool's balances after its ping. The change since the last sync is booked as
/// this validator's reward or loss at once.
pub fn on_sync() {
    let Some((index, mut v)) = callback_target() else { return };
    let pending = v.pending.take().unwrap_or_else(|| env::panic_str(errors::invariant::NOT_IN_FLIGHT));
    let mut totals = Totals::load();
    let mut set = ValidatorSet::load();
    let config = Config::load();
    let (mut crank, _) = CrankState::load(&config);
    // An answer from an earlier epoch is stale: the validator is synced again.
    if pending.epoch == crank.epoch && !v.faulty {
        match pool_account() {
            Some((staked, unstaked, _)) if !plausible(&v, staked, unstaked, crank.epoch) => {
                mark_faulty(&mut v, &mut set, &mut totals, "implausible balance");
                set.save();
            }
            Some((staked, unstaked, can_withdraw)) => {
                v.failed_syncs = 0;
                let change = ledger::record_balances(&mut totals, (v.staked, v.unstaked), (staked, unstaked));
                (v.staked, v.unstaked) = (staked, unstaked);
                // A pool that lost unstaked NEAR releases less for the claims it held.
                if v.claims > unstaked {
                    ledger::requeue_claims(&mut totals, v.claims - unstaked);
                    v.claims = unstaked;
                }
                ledger::book_change(&mut totals, change);
                if can_withdraw {
                    v.unlock_epoch = v.unlock_epoch.min(crank.epoch);
                } else if unstaked > 0 {
                    v.unlock_epoch = v.unlock_epoch.max(crank.epoch + 1);
                }
                let online = !env::validator_stake(&v.account_id).is_zero();
                v.outage = Outage::next(v.outage, online, crank.epoch);
                v.draining = v.set_draining(&mut set, v.status(crank.epoch, &config) == Status::Draining);
                set.save();
                v.synced_epoch = crank.epoch;
                crank.synced += 1;
                crank.rewards += change;
                maybe_finish_epoch(&mut crank, &mut totals, &set, &config);
                let view = snapshot(&totals, &set, &config, &crank, exit::stuck());
                if let Some(op) = plan::decide(&v, &view) {
                    send(index, &mut v, op, &mut totals);
                }
            }
            // No readable answer: the sync is tried again a little later; a validator that
            // cannot be synced in several epochs running is faulty.
            None => {
                v.retry_at = env::block_height() + LOCK_BLOCKS;
                if v.failed_epoch < crank.epoch {
                    v.failed_epoch = crank.epoch;
                    v.failed_syncs = v.failed_syncs.saturating_add(1);
                }
                if v.failed_syncs >= MAX_FAILED_SYNCS {
                    mark_faulty(&mut v, &mut set, &mut totals, "cannot be synced");
                    set.save();
                }
            }
        }
    }
    restate_exit(&mut v, &mut totals);
    recount_capacity(&mut v, &mut totals);
    validators::save(index, &v);
    totals.save();
    crank.save();
}

/// `on_action`: keeps the accounting of a confirmed operation, restores it after a failed one.
/// Success is the pool call's status: whatever (and however long) it returned.
pub fn on_action() {
    let Some((index, v)) = callback_target() else { return };
    let succeeded = !matches!(env::promise_result_checked(0, 0), Err(near_sdk::PromiseError::Failed));
    settle(index, v, succeeded);
}

/// Releases the validator's lock and applies its operation's outcome.
fn settle(index: u16, mut v: Validator, succeeded: bool) {
    let pending = v.pending.take().unwrap_or_else(|| env::panic_str(errors::invariant::NOT_IN_FLIGHT));
    let mut totals = Totals::load();
    apply_outcome(&mut v, &pending, succeeded, &mut totals);
    restate_exit(&mut v, &mut totals);
    recount_capacity(&mut v, &mut totals);
    validators::save(index, &v);
    totals.save();
}

/// The accounting of an operation sent with [`send`], once its outcome is known.
fn apply_outcome(v: &mut Validator, p: &Pending, succeeded: bool, totals: &mut Totals) {
    events::ValidatorOperation { validator_id: &v.account_id, operation: p.op.name(), amount: p.amount, succeeded }
        .emit();
    match (p.op, succeeded) {
        (Op::Stake, false) => {
            ledger::stake_failed(totals, p.amount);
            v.staked -= p.amount;
        }
        (Op::Unstake, true) => v.unlock_epoch = v.unlock_epoch.max(env::epoch_height() + exit::NUM_EPOCHS_TO_UNLOCK),
        (Op::Unstake, false) => {
            v.staked += p.amount;
            v.unstaked -= p.amount;
            v.unlock_epoch = p.prior_unlock;
            v.claims -= p.claims.min(v.claims);
            ledger::unstake_failed(totals, p.amount, p.claims);
        }
        (Op::Withdraw, true) => {
            v.stalled_at = 0;
            v.unstaked -= p.amount;
            let claims = p.amount.min(v.claims);
            v.claims -= claims;
            ledger::withdrawn(totals, p.amount, claims);
        }
        (Op::Withdraw, false) => {
            // A failure may be passing: the claims it holds wait for the retries in this epoch.
            // A validator whose withdrawals still fail in a later epoch is stalled: what it is
            // moving is not counted on to pay the queue, and its claims go back to the queue
            // for the other validators (no claim waits on one pool for ever). What it releases
            // later pays whatever is queued then; the rest is buffered.
            let epoch = env::epoch_height();
            if v.stalled_at == 0 {
                v.stalled_at = epoch;
            } else if v.stalled_at < epoch {
                ledger::requeue_claims(totals, std::mem::take(&mut v.claims));
            }
        }
        (Op::Stake, true) | (Op::Sync, _) => {}
    }
    if !succeeded {
        v.retry_at = env::block_height() + LOCK_BLOCKS;
    }
}

/// `on_reconcile`: decides from the pool's balances whether a lost callback's operation took
/// effect. Stake and unstake were accounted when sent: they stand if the pool shows them.
/// A withdrawal took effect if the pool's unstaked balance dropped by it.
pub fn on_reconcile() {
    let Some((index, v)) = callback_target() else { return };
    let Some((staked, unstaked, _)) = pool_account() else {
        // No answer: the lock stays and the next crank asks again.
        return;
    };
    let Some(pending) = v.pending.as_ref() else { return };
    let succeeded = match pending.op {
        Op::Sync => true,
        // Rounding at the pool can differ by a yocto or two.
        Op::Stake => staked.saturating_add(unstaked).saturating_add(2) >= v.staked + v.unstaked,
        Op::Unstake => unstaked.saturating_add(2) >= v.unstaked,
        Op::Withdraw => unstaked.saturating_add(pending.amount) <= v.unstaked + 2,
    };
    settle(index, v, succeeded);
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
        apply_rewards(crank.rewards, totals, config, crank.epoch);
    }
    history::record(crank.epoch, math::price(totals.total_staked, totals.total_shares));
}

/// Adds the waiting rewards to the price, at most `max_reward_rate` of the total staked (the
/// rest waits for later epochs), and mints the treasury's fee: for rewards `R` and fee `f`,
/// `f*R*S / (T + R - f*R)` new tokens, so the treasury's tokens are worth exactly `f*R`
/// (rounded down).
fn apply_rewards(change: i128, totals: &mut Totals, config: &Config, epoch: u64) {
    let bound = shares::mul_div_floor(
        totals.total_staked,
        config.max_reward_rate.numerator as u128,
        config.max_reward_rate.denominator as u128,
    )
    .unwrap_or(0);
    let rewards = totals.pending_rewards.min(bound);
    let fee =
        shares::mul_div_floor(rewards, config.reward_fee.numerator as u128, config.reward_fee.denominator as u128)
            .unwrap_or(0);
    let mut fee_shares = 0;
    if let Some(mut treasury) = state::holder(&config.treasury_id).filter(|_| fee > 0) {
        fee_shares = math::shares_for_deposit(fee, totals.total_staked + rewards - fee, totals.total_shares);
        treasury.shares += fee_shares;
        totals.total_shares += fee_shares;
        state::save_holder(&config.treasury_id, &treasury);
        events::FtMint { owner_id: &config.treasury_id, amount: fee_shares }.emit();
    }
    ledger::release_rewards(totals, rewards);
    events::EpochRewards { epoch, change, applied: rewards, held_back: totals.pending_rewards, fee_shares }.emit();
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
            let stale_at = p.id + LOCK_BLOCKS + 1;
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
        .amount("to_unstake", totals.to_unstake)
        .amount("pending_rewards", totals.pending_rewards)
        .amount("unstake_capacity", capacity.free + capacity.added)
        .epoch("unstake_epoch", exit::next_release(&capacity, &releases));
    o.end()
}
