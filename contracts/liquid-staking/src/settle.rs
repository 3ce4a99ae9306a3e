//! Settlement: what the pools' answers do to the accounting. Each function here turns one kind
//! of outcome (a sync's balances, an operation's status, the epoch's rewards) into ledger
//! operations and updates of the validator's record; [`crate::crank`] sends the calls, reads
//! the callbacks and decides when each applies. Nothing a pool reports is believed beyond what
//! it can have earned ([`MAX_POOL_REWARD_RATE`]).

use crate::claims::{self, InFlight};
use crate::config::Config;
use crate::errors;
use crate::events::Event;
use crate::exit::{self, Share};
use crate::state::{self, Totals};
use crate::validators::{self, Op, Outage, Pending, Status, Validator, ValidatorSet};
use crate::{events, ledger, liquidity, math};
use near_sdk::env;

/// Blocks after which an operation whose callback has not come is reconciled.
pub const LOCK_BLOCKS: u64 = 30;
/// The most a pool's balance for us can plausibly grow per epoch: 0.03%. A validator's reward
/// for a stake is at most 90% of the epoch's inflation (the rest goes to the treasury) shared
/// by the total stake: `0.9 * max_inflation * epoch_duration / year * supply / total_stake`.
/// At mainnet's 2.5% a year, 12-hour epochs (mainnet's 43,200 blocks at up to a second each)
/// and as little as a quarter of the supply staked (it is about half), that is 0.0123% an
/// epoch; the bound allows 2.4 times that, for 5% inflation or fewer stakers, and a pool's fee
/// only lowers it. A larger gain (a donation to the pool, or a pool over-reporting) is booked up
/// to the bound and the rest held unbooked until the NEAR arrives ([`sync`]).
pub const MAX_POOL_REWARD_RATE: (u128, u128) = (3, 10_000);
/// Epochs running in which a validator's sync fails before it is taken as faulty.
const MAX_FAILED_SYNCS: u8 = 3;
/// Syncs running above the plausible rate before a validator is taken as faulty (a donation
/// is one; a pool that over-reports keeps at it).
const MAX_EXCESS_SYNCS: u8 = 3;
/// NEAR a pool paid beyond our records is booked up to `1 / UNBOOKED_SHARE` of the most it held
/// for us (a donation of up to 10% of its stake; a larger one is a lie or a gift too odd to
/// price in).
const UNBOOKED_SHARE: u128 = 10;
/// Pools round by a yocto or two per operation; answers may differ from our records by this.
const ROUNDING: u128 = 1_000;

/// A sync's answer, `(staked, unstaked, can_withdraw)` or none readable. The change since the
/// last sync is this validator's reward or loss (returned), bounded by [`balances`]: a gain
/// beyond the plausible rate is held unbooked, and a validator whose gains keep beyond it is
/// faulty (drained; the manager may clear it). A missing answer is retried a little later (a
/// validator that cannot be synced in [`MAX_FAILED_SYNCS`] epochs running is faulty).
pub fn sync(
    index: u16,
    v: &mut Validator,
    set: &mut ValidatorSet,
    totals: &mut Totals,
    answer: Option<(u128, u128, bool)>,
    epoch: u64,
    config: &Config,
) -> Option<i128> {
    match answer {
        Some((staked, unstaked, can_withdraw)) => {
            v.failed_syncs = 0;
            let (staked, unstaked, unbooked, excess) = balances(v, staked, unstaked, epoch);
            v.unbooked = unbooked;
            v.excess_syncs = if excess { v.excess_syncs.saturating_add(1) } else { 0 };
            let change = ledger::record_balances(totals, (v.staked, v.unstaked), (staked, unstaked));
            (v.staked, v.unstaked) = (staked, unstaked);
            v.held_max = v.held_max.max(staked + unstaked);
            // A pool that lost unstaked NEAR releases less for the claims it held.
            if v.claims > unstaked {
                requeue(index, v, totals, v.claims - unstaked);
            }
            ledger::book_change(totals, change);
            if can_withdraw {
                v.unlock_epoch = v.unlock_epoch.min(epoch);
            } else if unstaked > 0 {
                v.unlock_epoch = v.unlock_epoch.max(epoch + 1);
            }
            let online = !env::validator_stake(&v.account_id).is_zero();
            v.outage = Outage::next(v.outage, online, epoch);
            v.draining = v.set_draining(set, matches!(v.status(epoch, config), Status::Draining | Status::Stalled));
            if v.excess_syncs >= MAX_EXCESS_SYNCS {
                mark_faulty(index, v, set, totals, "reports more than it can earn");
            }
            set.save();
            v.synced_epoch = epoch;
            Some(change)
        }
        None => {
            v.retry_at = env::block_height() + LOCK_BLOCKS;
            if v.failed_epoch < epoch {
                v.failed_epoch = epoch;
                v.failed_syncs = v.failed_syncs.saturating_add(1);
            }
            if v.failed_syncs >= MAX_FAILED_SYNCS {
                mark_faulty(index, v, set, totals, "cannot be synced");
                set.save();
            }
            None
        }
    }
}

/// Whether a lost callback's operation took effect, from the pool's balances now. Stake and
/// unstake were accounted when sent: they stand if the pool shows them. A withdrawal took effect
/// if the pool's unstaked balance dropped by it (from what we booked and what it held beyond).
pub fn took_effect(v: &Validator, pending: &Pending, staked: u128, unstaked: u128) -> bool {
    match pending.op {
        Op::Sync => true,
        // Rounding at the pool can differ by a yocto or two. What the pool holds beyond our
        // records (unbooked) is in its report too, on either side.
        Op::Stake => {
            staked.saturating_add(unstaked).saturating_add(2)
                >= v.staked.saturating_add(v.unstaked).saturating_add(v.unbooked)
        }
        Op::Unstake => unstaked.saturating_add(2) >= v.unstaked,
        Op::Withdraw => {
            unstaked.saturating_add(pending.amount) <= v.unstaked.saturating_add(v.unbooked).saturating_add(2)
        }
    }
}

/// Brings the validator's share of the exit queue's records up to date after any change.
pub fn restate(v: &mut Validator, totals: &mut Totals) {
    restate_exit(v);
    recount_capacity(v, totals);
}

/// Keeps the exit queue's [`exit::Capacity`] in step with this validator: its stake counts as
/// free to unstake now, or from the epoch its wait ends; a faulty validator's, or one whose pool
/// refused its last unstake, not at all.
pub fn recount_capacity(v: &mut Validator, totals: &mut Totals) {
    let epoch = env::epoch_height();
    totals.capacity.roll(epoch);
    totals.capacity.remove(v.capacity);
    let free_at = if v.unstaked == 0 || v.unlock_epoch <= epoch { 0 } else { v.unlock_epoch };
    // A pool that refused its last unstake is not counted on until one goes through.
    v.capacity = Share { amount: if v.faulty || v.refusals > 0 { 0 } else { v.staked }, free_at };
    totals.capacity.add(v.capacity);
}

/// What to believe of a pool's report `(staked, unstaked)`: the balances to book, what is
/// held unbooked, and whether the gain went beyond the plausible rate. The report's change
/// from everything we knew (booked and unbooked) is a loss, taken from the unbooked part first,
/// or a gain, booked up to [`MAX_POOL_REWARD_RATE`] per epoch since the last sync on what was
/// booked as staked (the rest held), and beyond the plausible rate only if above it on all the
/// pool holds for us. Its unstaked balance only grows by our unstakes (and the pool's rounding), so the
/// booked gain is staked; a split the report cannot back books less.
fn balances(v: &Validator, staked: u128, unstaked: u128, epoch: u64) -> (u128, u128, u128, bool) {
    let held = v.staked + v.unstaked;
    let reported = staked.saturating_add(unstaked);
    let known = held.saturating_add(v.unbooked);
    // Rewards accrue to staked NEAR: what was booked as staked, and what is held unbooked (a
    // donation earns too: that is no excess, but it is booked only when it arrives).
    let epochs = epoch.saturating_sub(v.synced_epoch).clamp(1, 100) as u128;
    let bound = |on: u128| {
        let (num, den) = MAX_POOL_REWARD_RATE;
        shares::mul_div_floor(on, num * epochs, den).unwrap_or(u128::MAX).saturating_add(ROUNDING)
    };
    let gain = reported.saturating_sub(known);
    let loss = known.saturating_sub(reported);
    let target = (held + gain.min(bound(v.staked))).saturating_sub(loss.saturating_sub(v.unbooked));
    let unstaked = unstaked.min(v.unstaked + ROUNDING).min(target);
    let staked = staked.min(target - unstaked);
    (staked, unstaked, reported - staked - unstaked, gain > bound(v.staked.saturating_add(v.unbooked)))
}

/// Brings what the validator adds to the exit queue's `stuck` up to date.
pub fn restate_exit(v: &mut Validator) {
    let stuck = v.stuck_in(env::epoch_height());
    exit::restate_stuck(v.stuck, stuck);
    v.stuck = stuck;
}

/// `amount` of the claims validator number `index` was unstaking will not come from it: they
/// go back to the queue, for the other validators.
fn requeue(index: u16, v: &mut Validator, totals: &mut Totals, amount: u128) {
    let amount = amount.min(v.claims);
    if amount > 0 {
        let mut f = InFlight::load();
        claims::requeued(totals, &mut f, amount, index, env::epoch_height());
        f.save();
        v.claims -= amount;
    }
}

/// Marks a validator faulty: its stake leaves the targets and the exit queue's capacity, and
/// it is drained.
fn mark_faulty(index: u16, v: &mut Validator, set: &mut ValidatorSet, totals: &mut Totals, reason: &str) {
    if !v.faulty {
        v.faulty = true;
        set.faulty += 1;
        // The holders' claims it was unstaking are asked of the other validators instead, and
        // what it is unstaking is not counted on to return.
        requeue(index, v, totals, v.claims);
        restate_exit(v);
        v.draining = v.set_draining(set, true);
        events::ValidatorFaulty { validator_id: &v.account_id, reason, faulty: true }.emit();
    }
}

/// An operation's outcome (`on_action`, or `on_reconcile` for a lost callback): releases the
/// validator's lock and applies it.
pub fn operation(index: u16, mut v: Validator, succeeded: bool) {
    let pending = v.pending.take().unwrap_or_else(|| env::panic_str(errors::invariant::NOT_IN_FLIGHT));
    let mut totals = Totals::load();
    apply_outcome(index, &mut v, &pending, succeeded, &mut totals);
    restate(&mut v, &mut totals);
    validators::save(index, &v);
    totals.save();
}

/// The accounting of an operation sent by the crank, once its outcome is known.
fn apply_outcome(index: u16, v: &mut Validator, p: &Pending, succeeded: bool, totals: &mut Totals) {
    events::ValidatorOperation { validator_id: &v.account_id, operation: p.op.name(), amount: p.amount, succeeded }
        .emit();
    match (p.op, succeeded) {
        (Op::Stake, false) => {
            ledger::stake_failed(totals, p.amount);
            v.staked -= p.amount;
        }
        (Op::Unstake, true) => {
            v.refusals = 0;
            v.unlock_epoch = v.unlock_epoch.max(env::epoch_height() + exit::NUM_EPOCHS_TO_UNLOCK);
        }
        (Op::Unstake, false) => {
            v.staked += p.amount;
            v.unstaked -= p.amount;
            v.unlock_epoch = p.prior_unlock;
            let claims = p.claims.min(v.claims);
            v.claims -= claims;
            let mut f = InFlight::load();
            ledger::unstake_failed(totals, &mut f, p.amount, claims, index);
            f.save();
            // A pool that keeps refusing is stalled: the queue is served by the others.
            v.refusals = v.refusals.saturating_add(1);
            v.refused_epoch = env::epoch_height();
        }
        (Op::Withdraw, true) => {
            v.stalled_at = 0;
            let booked = p.amount - p.claims;
            v.unstaked -= booked;
            let claims = booked.min(v.claims);
            v.claims -= claims;
            let mut f = InFlight::load();
            ledger::withdrawn(totals, &mut f, booked, claims, index);
            f.save();
            if p.claims > 0 {
                // What was never booked is a gain now that it arrived, as far as it is
                // plausible: a pool's answer is all that says it arrived, so a pool that lies
                // cannot book more than a tenth of the most it held for us. Anything beyond
                // stays in the account, outside the buckets. It is asked for once.
                let booked = p.claims.min(v.held_max / UNBOOKED_SHARE);
                ledger::unbooked_arrived(totals, booked);
                events::UnbookedArrived { validator_id: &v.account_id, amount: p.claims, booked }.emit();
                (v.unbooked, v.held_max) = (0, 0);
            }
            liquidity::collect_claim_now(totals);
        }
        (Op::Withdraw, false) if p.claims > 0 => {
            // The pool would not pay what it reported beyond what was booked: it is not asked
            // for again.
            v.refusals = v.refusals.saturating_add(1);
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
                requeue(index, v, totals, v.claims);
            }
        }
        (Op::Stake, true) | (Op::Sync, _) => {}
    }
    if !succeeded {
        v.retry_at = env::block_height() + LOCK_BLOCKS;
    }
}

/// Adds the waiting rewards to the price, at most `max_reward_rate` of the total staked (the
/// rest waits for later epochs), and mints the treasury's fee: for rewards `R` and fee `f`,
/// `f*R*S / (T + R - f*R)` new tokens, so the treasury's tokens are worth exactly `f*R`
/// (rounded down).
pub fn rewards(change: i128, totals: &mut Totals, config: &Config, epoch: u64) {
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
