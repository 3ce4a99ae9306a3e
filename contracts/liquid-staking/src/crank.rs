//! The permissionless epoch crank. Anyone calls `crank` (repeatedly, each epoch); each call works
//! on as many validators as its gas allows, at most one operation in flight per validator:
//!
//! 1. **Sync**: `ping` then `get_account` on the pool, in one receipt. The change of what the
//!    pool holds for us since the last sync is that validator's reward (or loss) for the epoch.
//!    When every validator has synced, the epoch's rewards go into the price at once, within the
//!    rate bound, and the treasury's fee is minted.
//! 2. **Act**, right after the sync or in a later call: withdraw matured unstaked NEAR (funding
//!    holders' unstaked balances first, the rest back to the buffer); stake buffered NEAR toward
//!    the weight targets of validators in the validator set; unstake what is above target from
//!    validators not waiting out an earlier unstake (holders' requests first, then rebalancing
//!    and draining).
//!
//! Every operation updates the accounting when it is sent and restores it exactly in its
//! callback if the pool call failed; a callback reads the pool's answer without ever panicking.
//! The lock (`Validator::pending`) is only per validator. If a callback never arrives (out of
//! gas), the crank finds the lock stale and asks the pool (`get_account`, without `ping`) what
//! happened, then settles it.

use crate::json::{self, Args};
use crate::state::{self, Config, Totals, read, write};
use crate::validators::{self, Op, Pending, Status, Validator, ValidatorSet};
use crate::{events, liquidity, math};
use near_sdk::{AccountId, Gas, NearToken, Promise, env, near, require};

const CRANK: &[u8] = b"k";

const PING_GAS: Gas = Gas::from_tgas(15);
const GET_ACCOUNT_GAS: Gas = Gas::from_tgas(5);
/// For the pool's `deposit_and_stake`, `unstake` and `withdraw` (each may restake).
const POOL_ACTION_GAS: Gas = Gas::from_tgas(15);
const ON_ACTION_GAS: Gas = Gas::from_tgas(10);
const ON_RECONCILE_GAS: Gas = Gas::from_tgas(10);
/// `on_sync` may send an operation and its callback.
const ON_SYNC_GAS: Gas = Gas::from_tgas(35);
/// Gas one validator can take in a crank call (the sync path is the largest).
const PER_VALIDATOR_GAS: u64 = Gas::from_tgas(60).as_gas();
/// Gas the crank keeps for its own work.
const CRANK_OWN_GAS: u64 = Gas::from_tgas(15).as_gas();
/// Blocks after which an operation whose callback has not come is reconciled.
pub const LOCK_BLOCKS: u64 = 30;
/// Staking less than this at once is not worth a validator call.
const MIN_STAKE: u128 = NearToken::from_near(1).as_yoctonear();
/// Unstaked balances at a pool up to this (rounding left-overs) are not worth withdrawing.
const DUST: u128 = 1_000_000;

/// The crank's progress through the current epoch.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrankState {
    pub epoch: u64,
    /// Validators synced this epoch.
    pub synced: u16,
    /// The sum of this epoch's rewards (negative for losses) so far.
    pub rewards: i128,
    pub rewards_done: bool,
    /// The instant-unstake pool's epoch work is done.
    pub pool_done: bool,
    /// Where the next call starts looking.
    pub cursor: u16,
    /// The earliest epoch a validator seen waiting this epoch can be unstaked again.
    pub next_free_epoch: u64,
}

impl CrankState {
    /// The state for the current epoch (a new epoch starts afresh).
    fn load() -> Self {
        let epoch = env::epoch_height();
        match read::<CrankState>(CRANK) {
            Some(state) if state.epoch == epoch => state,
            _ => CrankState { epoch, next_free_epoch: u64::MAX, ..Default::default() },
        }
    }

    fn save(&self) {
        write(CRANK, self);
    }
}

/// Everything one decision needs.
struct View<'a> {
    totals: &'a Totals,
    set: &'a ValidatorSet,
    config: &'a Config,
    crank: &'a CrankState,
    epoch: u64,
}

/// The operation a synced, unlocked validator needs now, if any: (op, amount, claims part).
fn decide(v: &Validator, view: &View) -> Option<(Op, u128, u128)> {
    let epoch = view.epoch;
    if v.pending.is_some() || v.synced_epoch < epoch {
        return None;
    }
    if v.unstaked > DUST && !v.waiting(epoch) {
        return Some((Op::Withdraw, v.unstaked, 0));
    }
    let status = v.status(epoch, view.config);
    let target = v.target(view.set, validators::planned_delegation(view.totals), epoch, view.config);
    let buffered = view.totals.buffered;
    if status == Status::Active && buffered >= MIN_STAKE && v.staked + MIN_STAKE <= target {
        return Some((Op::Stake, buffered.min(target - v.staked), 0));
    }
    if v.waiting(epoch) || v.staked == 0 {
        return None;
    }
    let to_unstake = view.totals.to_unstake;
    let over = v.staked.saturating_sub(target);
    // A validator that unstakes then waits out the delay, so it serves all the holders' requests
    // it can at once, even below its target: the unlock epochs promised to holders count on it.
    let claims = if over > 0 { to_unstake.min(v.staked) } else { 0 };
    // Rebalancing moves stake only when it is worth it; draining moves all of it.
    let threshold = MIN_STAKE.max(target / 100);
    let rest = over.saturating_sub(claims);
    let rebalance = if status == Status::Draining || rest >= threshold { rest } else { 0 };
    if claims + rebalance > 0 {
        return Some((Op::Unstake, claims + rebalance, claims));
    }
    // Holders' requests that over-target validators could not take (they are waiting) come from
    // any validator not waiting, once the whole set has synced.
    if to_unstake > 0 && view.crank.synced == view.set.count {
        let claims = to_unstake.min(v.staked);
        return Some((Op::Unstake, claims, claims));
    }
    None
}

fn pool_call(pool: &AccountId, method: &str, args: String, deposit: u128, gas: Gas) -> Promise {
    Promise::new(pool.clone()).function_call(method, args.into_bytes(), NearToken::from_yoctonear(deposit), gas)
}

fn callback(method: &str, index: u16, id: u64, gas: Gas) -> Promise {
    let args = format!(r#"{{"index":{index},"id":{id}}}"#);
    Promise::new(env::current_account_id()).function_call(method, args.into_bytes(), NearToken::ZERO, gas)
}

/// Sends `op` to the validator's pool, locking it and applying the operation's accounting now
/// (a stake leaves the buffer, an unstake leaves the delegated stake); a withdrawal is accounted
/// when the pool confirms it.
fn send(index: u16, v: &mut Validator, op: Op, amount: u128, claims: u128, totals: &mut Totals) {
    let id = env::block_height();
    let pool = &v.account_id;
    let promise = match op {
        Op::Sync => {
            let me = format!(r#"{{"account_id":"{}"}}"#, env::current_account_id());
            Promise::new(pool.clone())
                .function_call("ping", b"{}".to_vec(), NearToken::ZERO, PING_GAS)
                .function_call("get_account", me.into_bytes(), NearToken::ZERO, GET_ACCOUNT_GAS)
                .then(callback("on_sync", index, id, ON_SYNC_GAS))
        }
        Op::Stake => {
            totals.buffered -= amount;
            totals.delegated += amount;
            v.staked += amount;
            pool_call(pool, "deposit_and_stake", "{}".into(), amount, POOL_ACTION_GAS).then(callback(
                "on_action",
                index,
                id,
                ON_ACTION_GAS,
            ))
        }
        Op::Unstake => {
            // All of it goes by `unstake_all`, immune to the pool's rounding of our balance.
            let call = if amount == v.staked {
                pool_call(pool, "unstake_all", "{}".into(), 0, POOL_ACTION_GAS)
            } else {
                pool_call(pool, "unstake", format!(r#"{{"amount":"{amount}"}}"#), 0, POOL_ACTION_GAS)
            };
            v.staked -= amount;
            v.unstaked += amount;
            v.unlock_epoch = env::epoch_height() + crate::staking::NUM_EPOCHS_TO_UNLOCK;
            totals.delegated -= amount;
            totals.unstaking += amount;
            totals.to_unstake -= claims;
            totals.claims_unstaking += claims;
            call.then(callback("on_action", index, id, ON_ACTION_GAS))
        }
        Op::Withdraw => {
            let args = format!(r#"{{"amount":"{amount}"}}"#);
            pool_call(pool, "withdraw", args, 0, POOL_ACTION_GAS).then(callback("on_action", index, id, ON_ACTION_GAS))
        }
    };
    promise.detach();
    v.pending = Some(Pending { op, amount, claims, id, epoch: env::epoch_height(), reconciling: false });
}

/// Asks the pool what it holds for us, to settle a lock whose callback never came.
fn reconcile(index: u16, v: &mut Validator) {
    let id = env::block_height();
    let me = format!(r#"{{"account_id":"{}"}}"#, env::current_account_id());
    pool_call(&v.account_id, "get_account", me, 0, GET_ACCOUNT_GAS)
        .then(callback("on_reconcile", index, id, ON_RECONCILE_GAS))
        .detach();
    if let Some(p) = v.pending.as_mut() {
        p.id = id;
        p.reconciling = true;
    }
}

/// Works on the validators that need it, as many as the attached gas allows, and returns how
/// many it worked on.
pub fn crank() -> u32 {
    let set = ValidatorSet::load();
    let mut crank = CrankState::load();
    let mut totals = Totals::load();
    let config = Config::load();
    let epoch = crank.epoch;
    let budget = env::prepaid_gas().as_gas().saturating_sub(env::used_gas().as_gas() + CRANK_OWN_GAS);
    let capacity = budget / PER_VALIDATOR_GAS;
    require!(capacity > 0, "Attach at least 75 Tgas to run the crank");
    // New deposits buy the instant-unstake pool's tokens before any is delegated.
    liquidity::refill_now(&mut totals);
    maybe_finish_epoch(&mut crank, &mut totals, &set, &config);
    let mut worked = 0;
    for step in 0..set.count {
        if worked as u64 >= capacity {
            break;
        }
        let index = (crank.cursor + step) % set.count;
        let Some(mut v) = validators::load(index) else { continue };
        let stale = v.pending.as_ref().map(|p| env::block_height() > p.id + LOCK_BLOCKS);
        match stale {
            Some(true) => reconcile(index, &mut v),
            Some(false) => continue,
            None if v.synced_epoch < epoch => send(index, &mut v, Op::Sync, 0, 0, &mut totals),
            None => {
                let view = View { totals: &totals, set: &set, config: &config, crank: &crank, epoch };
                let Some((op, amount, claims)) = decide(&v, &view) else { continue };
                send(index, &mut v, op, amount, claims, &mut totals);
                recount_capacity(&mut v, &mut totals, &mut crank);
            }
        }
        validators::save(index, &v);
        worked += 1;
        crank.cursor = (index + 1) % set.count;
    }
    totals.save();
    crank.save();
    worked
}

/// Keeps `unstake_capacity` (the stake of validators not waiting out an unstake, which can serve
/// holders' unstakes now; offline ones too, as they serve them until drained) in step with this
/// validator, and notes when a waiting one is free again (`unstake_epoch`, for unstakes beyond
/// the capacity).
fn recount_capacity(v: &mut Validator, totals: &mut Totals, crank: &mut CrankState) {
    let waiting = v.waiting(crank.epoch);
    let capacity = if waiting { 0 } else { v.staked };
    totals.unstake_capacity = totals.unstake_capacity + capacity - v.capacity;
    v.capacity = capacity;
    if waiting {
        crank.next_free_epoch = crank.next_free_epoch.min(v.unlock_epoch);
        totals.unstake_epoch = totals.unstake_epoch.min(v.unlock_epoch);
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
    require!(env::predecessor_account_id() == env::current_account_id(), "Only the contract can call its callbacks");
    let args = Args::input();
    let (index, id) = (args.u32("index") as u16, args.u64("id"));
    let v = validators::load(index)?;
    (v.pending.as_ref()?.id == id).then_some((index, v))
}

/// Records what the pool holds for us and counts the change as this epoch's reward.
fn record_balances(v: &mut Validator, staked: u128, unstaked: u128, totals: &mut Totals) -> i128 {
    let change = (staked + unstaked) as i128 - (v.staked + v.unstaked) as i128;
    totals.delegated = totals.delegated + staked - v.staked;
    totals.unstaking = totals.unstaking + unstaked - v.unstaked;
    v.staked = staked;
    v.unstaked = unstaked;
    change
}

/// `on_sync`: the pool's balances after its ping.
pub fn on_sync() {
    let Some((index, mut v)) = callback_target() else { return };
    let pending = v.pending.take().unwrap_or_else(|| env::panic_str("checked above"));
    let mut totals = Totals::load();
    let mut crank = CrankState::load();
    let mut set = ValidatorSet::load();
    let config = Config::load();
    // An answer from an earlier epoch is stale: the validator is synced again.
    if let (Some((staked, unstaked, can_withdraw)), true) = (pool_account(), pending.epoch == crank.epoch) {
        let change = record_balances(&mut v, staked, unstaked, &mut totals);
        if can_withdraw {
            v.unlock_epoch = v.unlock_epoch.min(crank.epoch);
        } else if unstaked > 0 {
            v.unlock_epoch = v.unlock_epoch.max(crank.epoch + 1);
        }
        let online = !env::validator_stake(&v.account_id).is_zero();
        v.offline_since = if online { None } else { Some(v.offline_since.unwrap_or(crank.epoch)) };
        v.draining = v.set_draining(&mut set, v.status(crank.epoch, &config) == Status::Draining);
        set.save();
        v.synced_epoch = crank.epoch;
        crank.synced += 1;
        crank.rewards += change;
        maybe_finish_epoch(&mut crank, &mut totals, &set, &config);
        let view = View { totals: &totals, set: &set, config: &config, crank: &crank, epoch: crank.epoch };
        if let Some((op, amount, claims)) = decide(&v, &view) {
            send(index, &mut v, op, amount, claims, &mut totals);
        }
        recount_capacity(&mut v, &mut totals, &mut crank);
    }
    validators::save(index, &v);
    totals.save();
    crank.save();
}

/// `on_action`: keeps the accounting of a confirmed operation, restores it after a failed one.
pub fn on_action() {
    let Some((index, v)) = callback_target() else { return };
    let succeeded = env::promise_result_checked(0, 0).is_ok();
    settle(index, v, succeeded);
}

/// Releases the validator's lock and applies its operation's outcome.
fn settle(index: u16, mut v: Validator, succeeded: bool) {
    let pending = v.pending.take().unwrap_or_else(|| env::panic_str("the operation was checked to be in flight"));
    let mut totals = Totals::load();
    let mut crank = CrankState::load();
    apply_outcome(&mut v, &pending, succeeded, &mut totals);
    recount_capacity(&mut v, &mut totals, &mut crank);
    validators::save(index, &v);
    totals.save();
    crank.save();
}

/// The accounting of an operation sent with [`send`], once its outcome is known.
fn apply_outcome(v: &mut Validator, p: &Pending, succeeded: bool, totals: &mut Totals) {
    events::validator_operation(&v.account_id, p.op, p.amount, succeeded);
    match (p.op, succeeded) {
        (Op::Stake, false) => {
            totals.buffered += p.amount;
            totals.delegated -= p.amount;
            v.staked -= p.amount;
        }
        (Op::Unstake, true) => v.unlock_epoch = env::epoch_height() + crate::staking::NUM_EPOCHS_TO_UNLOCK,
        (Op::Unstake, false) => {
            v.staked += p.amount;
            v.unstaked -= p.amount;
            v.unlock_epoch = v.unlock_epoch.min(p.epoch);
            totals.delegated += p.amount;
            totals.unstaking -= p.amount;
            // Holders may have restaked some of these claims meanwhile (`stake_unstaked`).
            let claims = p.claims.min(totals.claims_unstaking);
            totals.to_unstake += claims;
            totals.claims_unstaking -= claims;
        }
        (Op::Withdraw, true) => {
            v.unstaked -= p.amount;
            totals.unstaking -= p.amount;
            let claims = p.amount.min(totals.claims_unstaking);
            totals.claims_unstaking -= claims;
            totals.reserve += claims;
            // Rebalanced or drained NEAR first pays unstakes still waiting for validators.
            crate::staking::add_fresh_stake(totals, p.amount - claims);
        }
        (Op::Stake, true) | (Op::Withdraw, false) | (Op::Sync, _) => {}
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
        Op::Stake => staked + unstaked + 2 >= v.staked + v.unstaked,
        Op::Unstake => unstaked + 2 >= v.unstaked,
        Op::Withdraw => unstaked + pending.amount <= v.unstaked + 2,
    };
    settle(index, v, succeeded);
}

/// Once every validator has synced this epoch: the instant-unstake pool's epoch work, then the
/// epoch's rewards go into the price.
fn maybe_finish_epoch(crank: &mut CrankState, totals: &mut Totals, set: &ValidatorSet, config: &Config) {
    if crank.pool_done || crank.synced < set.count {
        return;
    }
    // With no validators there are no rewards, but the pool still has its epoch's work.
    crank.pool_done = true;
    liquidity::epoch_work(totals, config);
    if set.count == 0 {
        return;
    }
    crank.rewards_done = true;
    apply_rewards(crank.rewards, totals, config, crank.epoch);
    // Every validator has been seen: this is when the first waiting one is free again (never,
    // if none waits).
    totals.unstake_epoch = crank.next_free_epoch;
}

/// Adds the epoch's rewards to the price, at most `max_reward_rate` of the total staked (the
/// rest waits for later epochs), and mints the treasury's fee: for rewards `R` and fee `f`,
/// `f*R*S / (T + R - f*R)` new tokens, so the treasury's tokens are worth exactly `f*R`
/// (rounded down). A loss lowers the price, after using up rewards held back.
fn apply_rewards(change: i128, totals: &mut Totals, config: &Config, epoch: u64) {
    if change < 0 {
        let loss = change.unsigned_abs();
        let covered = loss.min(totals.pending_rewards);
        totals.pending_rewards -= covered;
        totals.total_staked = totals.total_staked.saturating_sub(loss - covered).max(1);
    } else {
        totals.pending_rewards += change as u128;
    }
    let bound = shares::mul_div_floor(
        totals.total_staked,
        config.max_reward_rate.numerator as u128,
        config.max_reward_rate.denominator as u128,
    )
    .unwrap_or(0);
    let rewards = totals.pending_rewards.min(bound);
    totals.pending_rewards -= rewards;
    let fee =
        shares::mul_div_floor(rewards, config.reward_fee.numerator as u128, config.reward_fee.denominator as u128)
            .unwrap_or(0);
    let mut fee_shares = 0;
    if let Some(mut treasury) = state::holder(&config.treasury_id).filter(|_| fee > 0) {
        fee_shares = math::shares_for_deposit(fee, totals.total_staked + rewards - fee, totals.total_shares);
        treasury.shares += fee_shares;
        totals.total_shares += fee_shares;
        state::save_holder(&config.treasury_id, &treasury);
        events::ft_mint(&config.treasury_id, fee_shares);
    }
    totals.total_staked += rewards;
    events::epoch_rewards(epoch, change, rewards, totals.pending_rewards, fee_shares);
}

/// `get_crank_status`: the epoch's progress and whether work is left.
pub fn status_json() -> String {
    let set = ValidatorSet::load();
    let crank = CrankState::load();
    let (totals, config) = (Totals::load(), Config::load());
    let epoch = crank.epoch;
    let mut work_left = !crank.pool_done || (set.count > 0 && !crank.rewards_done);
    let mut locked = 0;
    for index in 0..set.count {
        let Some(v) = validators::load(index) else { continue };
        if v.pending.is_some() {
            locked += 1;
            work_left |= env::block_height() > v.pending.as_ref().map_or(0, |p| p.id) + LOCK_BLOCKS;
            continue;
        }
        let view = View { totals: &totals, set: &set, config: &config, crank: &crank, epoch };
        work_left |= v.synced_epoch < epoch || decide(&v, &view).is_some();
    }
    format!(
        concat!(
            r#"{{"epoch":{},"validators":{},"synced":{},"rewards_done":{},"locked":{},"work_left":{},"#,
            r#""buffered":{},"to_unstake":{},"pending_rewards":{},"unstake_capacity":{},"unstake_epoch":{}}}"#
        ),
        epoch,
        set.count,
        crank.synced,
        crank.rewards_done,
        locked,
        work_left,
        json::u128(totals.buffered),
        json::u128(totals.to_unstake),
        json::u128(totals.pending_rewards),
        json::u128(totals.unstake_capacity),
        json::opt_epoch(totals.unstake_epoch)
    )
}
