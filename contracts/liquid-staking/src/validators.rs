//! The validator set: each validator's staking pool, its weight and what the contract holds
//! there. Records are stored one per validator, so user calls never read them and the crank
//! reads only the validators it works on.

use crate::claims::{self, InFlight};
use crate::config::{Config, DUST};
use crate::errors;
use crate::events::Event;
use crate::exit::{self, NUM_EPOCHS_TO_UNLOCK, Share};
use crate::json::Object;
#[cfg(not(feature = "sdk-codecs"))]
use crate::record::Record;
use crate::record::record;
use crate::state::{Totals, Tranche, read, write};
use crate::{events, json, ledger};
use near_sdk::{AccountId, env, require};

const SET: &[u8] = b"w";
const VALIDATOR: u8 = b'v';
const VALIDATOR_INDEX: u8 = b'V';

/// The most validators the contract delegates to.
pub const MAX_VALIDATORS: u16 = 1_000;
/// Epochs running a validator must be back in the set before an outage counts as over.
pub const RECOVERY_EPOCHS: u32 = 3;

/// Totals over the validator set.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidatorSet {
    pub count: u16,
    pub total_weight: u64,
    pub total_base_stake: u128,
    /// Weight and base stake of draining and faulty validators, which share in no target.
    pub draining_weight: u64,
    pub draining_base_stake: u128,
    /// Validators marked faulty (their answers are not read; the epoch does not wait for them).
    pub faulty: u16,
}

record!(ValidatorSet { count, total_weight, total_base_stake, draining_weight, draining_base_stake, faulty });

/// A cross-contract operation in flight on a validator: the validator's lock. `id` (the block
/// height it was sent in) ties the callback to it; a lock whose callback never came is found
/// stale by the crank and reconciled with what the pool reports.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub op: Op,
    pub amount: u128,
    /// For an unstake: the part that funds holders' unstaked balances.
    pub claims: u128,
    pub id: u64,
    /// The epoch the operation was sent in.
    pub epoch: u64,
    /// Set while the crank asks the pool what happened to a lost callback.
    pub reconciling: bool,
    /// The validator's unlock epoch before the operation, restored if it fails.
    pub prior_unlock: u64,
}

record!(Pending { op, amount, claims, id, epoch, reconciling, prior_unlock });

#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `ping` then `get_account`: balances and rewards.
    Sync,
    /// `deposit_and_stake`.
    Stake,
    /// `unstake(amount)`.
    Unstake,
    /// `withdraw(amount)`.
    Withdraw,
}

/// The variant's byte, as borsh writes a unit enum.
#[cfg(not(feature = "sdk-codecs"))]
impl Record for Op {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }

    fn take(input: &mut &[u8]) -> Self {
        match u8::take(input) {
            0 => Op::Sync,
            1 => Op::Stake,
            2 => Op::Unstake,
            3 => Op::Withdraw,
            _ => env::panic_str(errors::state::CORRUPT),
        }
    }
}

#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validator {
    pub account_id: AccountId,
    pub weight: u32,
    /// Stake this validator gets before the weights share the rest.
    pub base_stake: u128,
    /// Staked balance at the pool (as last reported, or as sent since).
    pub staked: u128,
    /// Unstaked balance at the pool, withdrawable from `unlock_epoch`.
    pub unstaked: u128,
    /// The part of `unstaked` that funds holders' claims (the rest returns to the buffer).
    pub claims: u128,
    pub unlock_epoch: u64,
    /// The last epoch whose balances and rewards were read from the pool.
    pub synced_epoch: u64,
    /// The outage it is in, if it is in one.
    pub outage: Option<Outage>,
    /// Counted among the draining in [`ValidatorSet`] (draining or faulty).
    pub draining: bool,
    /// Its stake as counted in the exit queue's capacity (`Totals::capacity`).
    pub capacity: Share,
    pub pending: Option<Pending>,
    /// Its pool cannot be synced, or kept reporting more than a pool can earn: it is drained
    /// (the manager may clear this after review).
    pub faulty: bool,
    /// Epochs running in which its sync failed, and the last of them.
    pub failed_syncs: u8,
    pub failed_epoch: u64,
    /// After a failed call, the crank leaves the validator alone until this block.
    pub retry_at: u64,
    /// The epoch its withdrawals started failing (0: they do not): from the next epoch its
    /// claims go back to the queue and what it is unstaking counts as stuck.
    pub stalled_at: u64,
    /// What it adds to the exit queue's `stuck` (see [`Validator::stuck_in`]).
    pub stuck: u128,
    /// Operations its pool refused running (unstakes, or paying what it reported beyond what was
    /// booked), and the epoch of the last: from [`MAX_REFUSALS`] on it is stalled (see
    /// [`Validator::refusing`]).
    pub refusals: u8,
    pub refused_epoch: u64,
    /// NEAR its pool reports for us beyond what was booked (a gain above the plausible rate):
    /// not counted anywhere until it arrives, when a drain withdraws it.
    pub unbooked: u128,
    /// Syncs running whose gain went beyond the plausible rate.
    pub excess_syncs: u8,
    /// The most booked NEAR it has held for us since it last paid unbooked NEAR: it bounds
    /// what such a payment can book ([`crate::settle`]).
    pub held_max: u128,
}

record!(Validator {
    account_id,
    weight,
    base_stake,
    staked,
    unstaked,
    claims,
    unlock_epoch,
    synced_epoch,
    outage,
    draining,
    capacity,
    pending,
    faulty,
    failed_syncs,
    failed_epoch,
    retry_at,
    stalled_at,
    stuck,
    refusals,
    refused_epoch,
    unbooked,
    excess_syncs,
    held_max
});

/// Unstakes refused running before a validator is stalled: not counted on to serve the exit
/// queue, given none of it, and drained (tried once an epoch).
pub const MAX_REFUSALS: u8 = 3;

/// An outage the crank has seen: the validator left the set in epoch `since` and has been back
/// since epoch `back` (0: still out). It is over once the validator has been back for
/// [`RECOVERY_EPOCHS`] epochs running. A node that stays down while its pool re-proposes (every
/// crank pings it) is kicked out, rejoins the set two epochs later and is kicked out again:
/// two epochs in, two out. Those two epochs in must not make it look healthy, or it would never
/// be drained. (Borsh lays this out as the `Option<u64>` of the epoch it replaced: `since`
/// in the low half, `back` 0 in the high half.)
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outage {
    pub since: u32,
    pub back: u32,
}

record!(Outage { since, back });

impl Outage {
    /// The outage after a sync in `epoch` saw the validator in the set or out of it.
    pub fn next(outage: Option<Outage>, online: bool, epoch: u64) -> Option<Outage> {
        let epoch = u32::try_from(epoch).unwrap_or(u32::MAX);
        match (outage, online) {
            (None, true) => None,
            (None, false) => Some(Outage { since: epoch, back: 0 }),
            (Some(o), false) => Some(Outage { back: 0, ..o }),
            (Some(o), true) if o.back == 0 => Some(Outage { back: epoch, ..o }),
            (Some(o), true) if epoch.saturating_sub(o.back) + 1 >= RECOVERY_EPOCHS => None,
            (Some(o), true) => Some(o),
        }
    }
}

/// What the crank makes of a validator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Active,
    /// In an outage (outside the validator set, or back for less than [`RECOVERY_EPOCHS`]):
    /// receives no stake, keeps what it has for now.
    Offline,
    /// In an outage that began `drain_after_epochs` or more ago: everything is unstaked and
    /// moved elsewhere.
    Draining,
    /// Its pool refuses to unstake ([`MAX_REFUSALS`] running): drained, and not counted on to
    /// serve the exit queue.
    Stalled,
    /// Its pool cannot be synced, or keeps reporting more than it can earn: drained like a
    /// draining one.
    Faulty,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::Sync => "sync",
            Op::Stake => "stake",
            Op::Unstake => "unstake",
            Op::Withdraw => "withdraw",
        }
    }
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Offline => "offline",
            Status::Draining => "draining",
            Status::Stalled => "stalled",
            Status::Faulty => "faulty",
        }
    }
}

impl Validator {
    /// A validator just added: nothing staked, never synced.
    pub fn new(account_id: AccountId, weight: u32, base_stake: u128) -> Self {
        Validator {
            account_id,
            weight,
            base_stake,
            staked: 0,
            unstaked: 0,
            claims: 0,
            unlock_epoch: 0,
            synced_epoch: 0,
            outage: None,
            draining: false,
            capacity: Share::default(),
            pending: None,
            faulty: false,
            failed_syncs: 0,
            failed_epoch: 0,
            retry_at: 0,
            stalled_at: 0,
            stuck: 0,
            refusals: 0,
            refused_epoch: 0,
            unbooked: 0,
            excess_syncs: 0,
            held_max: 0,
        }
    }

    pub fn status(&self, epoch: u64, config: &Config) -> Status {
        if self.faulty {
            return Status::Faulty;
        }
        if self.refusing() {
            return Status::Stalled;
        }
        match self.outage {
            Some(o) if epoch.saturating_sub(o.since as u64) >= config.drain_after_epochs => Status::Draining,
            Some(_) => Status::Offline,
            None => Status::Active,
        }
    }

    /// What this validator should add to the exit queue's `stuck` in `epoch`: what it is unstaking beyond
    /// the claims it holds (all of it once faulty: its claims are re-queued), if it is faulty or
    /// its withdrawals have failed since an earlier epoch (a failure in this epoch may be
    /// retried in time, so the queue keeps counting on it until the epoch ends).
    pub fn stuck_in(&self, epoch: u64) -> u128 {
        let stalled = self.stalled_at != 0 && self.stalled_at < epoch;
        if self.faulty || stalled { self.unstaked.saturating_sub(self.claims) } else { 0 }
    }

    /// Whether the validator can unstake now without delaying what it is already unstaking:
    /// it unstakes nothing, its unstake has matured, or it unstaked in this very epoch (more
    /// keeps the same unlock epoch) and it is not `late` in the epoch (a call that reached the
    /// pool in the next epoch would restart its timer for all it is unstaking).
    pub fn can_unstake(&self, epoch: u64, late: bool) -> bool {
        self.unstaked == 0 || self.unlock_epoch <= epoch || (self.unlock_epoch == epoch + NUM_EPOCHS_TO_UNLOCK && !late)
    }

    /// Whether its pool refused [`MAX_REFUSALS`] unstakes running.
    pub fn refusing(&self) -> bool {
        self.refusals >= MAX_REFUSALS
    }

    /// The stake this validator should hold. `planned` is what the pool should have at
    /// validators once pending operations settle: base stakes first (scaled down if `planned`
    /// cannot cover them), the rest by weight. A draining validator should hold nothing; an
    /// offline one keeps what it has until it drains.
    pub fn target(&self, set: &ValidatorSet, planned: u128, epoch: u64, config: &Config) -> u128 {
        match self.status(epoch, config) {
            Status::Draining | Status::Stalled | Status::Faulty => return 0,
            Status::Offline => return self.staked,
            Status::Active => {}
        }
        let (total_base, total_weight) =
            (set.total_base_stake - set.draining_base_stake, set.total_weight - set.draining_weight);
        if planned <= total_base {
            return shares::mul_div_floor(self.base_stake, planned, total_base).unwrap_or(0);
        }
        let by_weight = if total_weight == 0 {
            0
        } else {
            shares::mul_div_floor(planned - total_base, self.weight as u128, total_weight as u128).unwrap_or(0)
        };
        self.base_stake + by_weight
    }
}

impl Validator {
    /// Records whether the validator drains, keeping the set's draining sums in step.
    pub fn set_draining(&self, set: &mut ValidatorSet, draining: bool) -> bool {
        if self.draining != draining {
            if draining {
                set.draining_weight += self.weight as u64;
                set.draining_base_stake += self.base_stake;
            } else {
                set.draining_weight -= self.weight as u64;
                set.draining_base_stake -= self.base_stake;
            }
        }
        draining
    }
}

/// The epoch by which the NEAR unstaking for `tranche` arrives: the latest unlock epoch of the
/// validators unstaking it (0: none is). A tranche with more unstaking than cells (a claim moved
/// in, not yet reconciled) will take spare cells, so those count too.
pub fn arrival(f: &InFlight, tranche: &Tranche) -> u64 {
    let short = f.of_tranche(tranche.epoch) < tranche.unstaking();
    let cells = f.cells.iter().filter(|c| c.tranche == tranche.epoch || (short && c.tranche == claims::SPARE));
    cells.filter_map(|c| load(c.validator)).map(|v| v.unlock_epoch).max().unwrap_or(0)
}

/// NEAR the pool should have at validators once pending operations settle: what is there and
/// in the buffer, plus what is being unstaked to move elsewhere (it returns to the buffer), less
/// the holders' requests still to be unstaked.
pub fn planned_delegation(totals: &Totals) -> u128 {
    let moving = totals.unstaking.saturating_sub(totals.claims.unstaking());
    (totals.delegated + totals.buffered + moving).saturating_sub(totals.claims.queued(u64::MAX))
}

fn validator_key(index: u16) -> [u8; 3] {
    let [a, b] = index.to_le_bytes();
    [VALIDATOR, a, b]
}

fn index_key(account_id: &AccountId) -> Vec<u8> {
    let mut key = vec![VALIDATOR_INDEX];
    key.extend_from_slice(account_id.as_bytes());
    key
}

impl ValidatorSet {
    pub fn load() -> Self {
        read(SET).unwrap_or_default()
    }

    pub fn save(&self) {
        write(SET, self);
    }
}

pub fn load(index: u16) -> Option<Validator> {
    read(&validator_key(index))
}

pub fn save(index: u16, validator: &Validator) {
    write(&validator_key(index), validator);
}

pub fn index_of(account_id: &AccountId) -> Option<u16> {
    read(&index_key(account_id))
}

/// The index and record of a validator in the set; panics for an unknown one.
pub fn find(account_id: &AccountId) -> (u16, Validator) {
    index_of(account_id)
        .and_then(|i| load(i).map(|v| (i, v)))
        .unwrap_or_else(|| env::panic_str(&errors::validators::unknown(account_id.as_str())))
}

/// Adds a validator (after the whitelist check, if any).
pub fn add(account_id: AccountId, weight: u32, base_stake: u128) {
    require!(weight > 0 || base_stake > 0, errors::validators::NEEDS_WEIGHT);
    require!(index_of(&account_id).is_none(), errors::validators::ALREADY_IN_SET);
    let mut set = ValidatorSet::load();
    require!(set.count < MAX_VALIDATORS, errors::validators::SET_FULL);
    let index = set.count;
    write(&index_key(&account_id), &index);
    save(index, &Validator::new(account_id, weight, base_stake));
    set.count += 1;
    set.total_weight += weight as u64;
    set.total_base_stake += base_stake;
    set.save();
}

/// Changes a validator's weight and base stake; the crank moves stake over the next epochs.
/// Weight 0 with no base stake empties the validator, so it can then be removed.
pub fn update(account_id: &AccountId, weight: u32, base_stake: u128) {
    let (index, mut v) = find(account_id);
    let mut set = ValidatorSet::load();
    set.total_weight = set.total_weight - v.weight as u64 + weight as u64;
    set.total_base_stake = set.total_base_stake - v.base_stake + base_stake;
    if v.draining {
        set.draining_weight = set.draining_weight - v.weight as u64 + weight as u64;
        set.draining_base_stake = set.draining_base_stake - v.base_stake + base_stake;
    }
    v.weight = weight;
    v.base_stake = base_stake;
    save(index, &v);
    set.save();
}

/// Clears a validator's `faulty` mark after the manager's review (a pool that kept reporting
/// gains beyond the plausible rate because it received donations, say): it is synced and
/// staked to again, and its counts start afresh.
pub fn clear_faulty(account_id: &AccountId) {
    let (index, mut v) = find(account_id);
    require!(v.faulty, errors::validators::NOT_FAULTY);
    let mut set = ValidatorSet::load();
    v.faulty = false;
    (v.failed_syncs, v.excess_syncs) = (0, 0);
    set.faulty -= 1;
    // Draining again only if its outage says so; the next sync decides.
    v.draining = v.set_draining(&mut set, false);
    save(index, &v);
    set.save();
    events::ValidatorFaulty { validator_id: account_id, reason: "reviewed by the manager", faulty: false }.emit();
}

/// Removes a validator that holds at most dust (rounding left at its pool): that dust is written
/// off as a loss, with an event, instead of blocking the removal. The last validator takes its
/// index.
pub fn remove(account_id: &AccountId) {
    let (index, v) = find(account_id);
    let held = v.staked + v.unstaked;
    require!(held <= DUST && v.pending.is_none(), errors::validators::NOT_EMPTY);
    let mut set = ValidatorSet::load();
    let mut totals = Totals::load();
    totals.capacity.roll(env::epoch_height());
    totals.capacity.remove(v.capacity);
    let mut f = InFlight::load();
    if held > 0 {
        exit::restate_stuck(v.stuck, 0);
        ledger::write_off(&mut totals, &mut f, (v.staked, v.unstaked), v.claims, index);
        events::WriteOff { validator_id: account_id, amount: held }.emit();
    }
    totals.save();
    let last = set.count - 1;
    if index != last {
        let moved = load(last).unwrap_or_else(|| env::panic_str(errors::state::VALIDATOR_INDEX_CORRUPT));
        write(&index_key(&moved.account_id), &index);
        save(index, &moved);
        f.renumber(last, index);
    }
    f.save();
    env::storage_remove(&validator_key(last));
    env::storage_remove(&index_key(account_id));
    set.count = last;
    set.total_weight -= v.weight as u64;
    set.total_base_stake -= v.base_stake;
    set.faulty -= v.faulty as u16;
    v.set_draining(&mut set, false);
    set.save();
}

/// `get_validators`: each validator's weight, target, balances, unlock epoch and status.
pub fn views(from_index: u64, limit: u64) -> String {
    let set = ValidatorSet::load();
    let (totals, config, epoch) = (Totals::load(), Config::load(), env::epoch_height());
    let planned = planned_delegation(&totals);
    let end = from_index.saturating_add(limit).min(set.count as u64);
    json::array((from_index..end).filter_map(|i| load(i as u16)).map(|v| {
        let locked = v.pending.as_ref().map_or("null".to_string(), |p| {
            let mut o = Object::new();
            o.str("operation", p.op.name())
                .amount("amount", p.amount)
                .integer("since_block", p.id)
                .boolean("reconciling", p.reconciling);
            o.end()
        });
        let mut o = Object::new();
        o.account("account_id", &v.account_id)
            .integer("weight", v.weight as u64)
            .amount("base_stake", v.base_stake)
            .amount("target", v.target(&set, planned, epoch, &config))
            .amount("staked", v.staked)
            .amount("unstaked", v.unstaked)
            .amount("unbooked", v.unbooked)
            .integer("unlock_epoch", v.unlock_epoch)
            .str("status", v.status(epoch, &config).name())
            .raw("locked", &locked);
        o.end()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Online (true) or out of the set (false) in epochs 10, 11, ...: the outage after each.
    fn outages(seen: &[bool]) -> Vec<Option<Outage>> {
        let mut outage = None;
        (10..)
            .zip(seen)
            .map(|(epoch, online)| {
                outage = Outage::next(outage, *online, epoch);
                outage
            })
            .collect()
    }

    #[test]
    fn an_outage_ends_after_three_epochs_back_and_flapping_never_ends_it() {
        let out = |since, back| Some(Outage { since, back });
        assert_eq!(
            outages(&[true, false, false, true, true, true]),
            vec![None, out(11, 0), out(11, 0), out(11, 13), out(11, 13), None]
        );
        // Kicked out, back two epochs later, kicked out again: one outage from epoch 10 on.
        assert_eq!(
            outages(&[false, false, true, true, false, false, true, true]),
            vec![out(10, 0), out(10, 0), out(10, 12), out(10, 12), out(10, 0), out(10, 0), out(10, 16), out(10, 16)]
        );
    }

    #[test]
    fn an_outage_has_the_layout_of_the_epoch_it_replaced() {
        let old: Option<u64> = Some(12);
        let bytes = near_sdk::borsh::to_vec(&old).unwrap();
        assert_eq!(near_sdk::borsh::from_slice::<Option<Outage>>(&bytes).unwrap(), Some(Outage { since: 12, back: 0 }));
        assert_eq!(near_sdk::borsh::to_vec(&Some(Outage { since: 12, back: 0 })).unwrap(), bytes);
    }
}
