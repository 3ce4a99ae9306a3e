//! The crank's planner: what one validator's pool should be asked to do now, decided from a
//! [`Snapshot`] of the accounting alone. Pure (no storage, no host calls), so every rule is
//! tested in a table below; [`crate::crank`] loads the snapshot, sends the chosen
//! [`PoolOp`] and settles its answer.
//!
//! The rules, in order: a validator waiting for an answer or not yet synced this epoch gets
//! nothing; matured unstaked NEAR is withdrawn first (the queue counts on it); an active
//! validator under its target gets the buffer; a validator over its target unstakes the
//! holders' queued requests it can serve and, when draining, faulty, at weight 0 or half again
//! over target, the rest; once the epoch's syncs are done, requests no over-target validator
//! took come from any validator that can unstake.

use crate::config::{Config, DUST};
use crate::state::Totals;
use crate::validators::{self, Op, Status, Validator, ValidatorSet};
use near_sdk::NearToken;

/// Staking less than this at once is not worth a validator call.
pub const MIN_STAKE: u128 = NearToken::from_near(1).as_yoctonear();
/// A validator is rebalanced (unstaked down to its target) only when its stake exceeds its
/// target by more than `target / REBALANCE_BAND`.
const REBALANCE_BAND: u128 = 2;

/// An operation on a validator's pool, with what it moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolOp {
    /// `ping` then `get_account`: balances and rewards.
    Sync,
    /// `deposit_and_stake` of `amount` from the buffer.
    Stake { amount: u128 },
    /// `unstake(amount)` (`unstake_all` when it is all the stake); `claims` of it funds holders'
    /// queued requests, the rest returns to the buffer.
    Unstake { amount: u128, claims: u128 },
    /// `withdraw(amount)` of matured unstaked NEAR, of which `unbooked` was never booked (see
    /// [`withdrawal`]).
    Withdraw { amount: u128, unbooked: u128 },
}

impl PoolOp {
    /// The kind, as a pending operation records it.
    pub fn op(self) -> Op {
        match self {
            PoolOp::Sync => Op::Sync,
            PoolOp::Stake { .. } => Op::Stake,
            PoolOp::Unstake { .. } => Op::Unstake,
            PoolOp::Withdraw { .. } => Op::Withdraw,
        }
    }

    /// NEAR moved (0 for a sync).
    pub fn amount(self) -> u128 {
        match self {
            PoolOp::Sync => 0,
            PoolOp::Stake { amount } | PoolOp::Unstake { amount, .. } | PoolOp::Withdraw { amount, .. } => amount,
        }
    }

    /// The part of an unstake that funds holders' claims, or of a withdrawal that was never
    /// booked (what a pending operation records beside its amount).
    pub fn claims(self) -> u128 {
        match self {
            PoolOp::Unstake { claims, .. } => claims,
            PoolOp::Withdraw { unbooked, .. } => unbooked,
            _ => 0,
        }
    }
}

/// Everything one decision needs.
pub struct Snapshot<'a> {
    pub totals: &'a Totals,
    pub set: &'a ValidatorSet,
    pub config: &'a Config,
    /// The crank's epoch.
    pub epoch: u64,
    /// Every validator that is not faulty has synced this epoch (or the epoch's rewards were
    /// closed without the missing ones).
    pub rewards_done: bool,
    /// Past the epoch's late block: no validator that unstaked this epoch unstakes more.
    pub late: bool,
    /// NEAR returning from moves, which pays the queue first.
    pub returning: u128,
}

impl<'a> Snapshot<'a> {
    /// `stuck` is [`crate::exit::stuck`] (a storage read the caller makes once), `block` the
    /// current block height.
    pub fn new(
        totals: &'a Totals,
        set: &'a ValidatorSet,
        config: &'a Config,
        (epoch, rewards_done): (u64, bool),
        stuck: u128,
        block: u64,
    ) -> Self {
        let late = totals.capacity.is_late(epoch, block);
        let moving = totals.unstaking.saturating_sub(totals.claims.unstaking());
        let returning = moving.saturating_sub(stuck);
        Snapshot { totals, set, config, epoch, rewards_done, late, returning }
    }
}

/// The withdrawal a validator needs, if its unstaked NEAR has matured. Dust is not worth a call,
/// unless holders' claims or queued requests wait for it (the queue counts on every unstaked
/// yocto coming back). It needs no sync: the amount is what our records say the pool holds.
/// Once all of that is withdrawn and nothing is staked there (a drain), what the pool reported
/// beyond it is asked for too, once (booked, within bounds, when it arrives), so nothing is left
/// behind.
pub fn withdrawal(v: &Validator, s: &Snapshot) -> Option<PoolOp> {
    let wanted = v.unstaked > DUST || v.claims > 0 || (v.unstaked > 0 && s.totals.claims.queued(u64::MAX) > 0);
    let op = if wanted {
        PoolOp::Withdraw { amount: v.unstaked, unbooked: 0 }
    } else if v.unstaked == 0 && v.staked == 0 && v.unbooked > DUST && v.held_max > 0 && v.refusals == 0 {
        PoolOp::Withdraw { amount: v.unbooked, unbooked: v.unbooked }
    } else {
        return None;
    };
    (v.unlock_epoch <= s.epoch).then_some(op)
}

/// The operation a synced, unlocked validator needs now, if any.
pub fn decide(v: &Validator, s: &Snapshot) -> Option<PoolOp> {
    let epoch = s.epoch;
    if v.pending.is_some() || v.synced_epoch < epoch {
        return None;
    }
    if let Some(withdraw) = withdrawal(v, s) {
        return Some(withdraw);
    }
    let status = v.status(epoch, s.config);
    let target = v.target(s.set, validators::planned_delegation(s.totals), epoch, s.config);
    let buffered = s.totals.buffered;
    if status == Status::Active && buffered >= MIN_STAKE && v.staked + MIN_STAKE <= target {
        return Some(PoolOp::Stake { amount: buffered.min(target - v.staked) });
    }
    // A pool refusing unstakes is asked again once an epoch, for nothing the queue waits on.
    let refusing = v.refusing();
    if !v.can_unstake(epoch, s.late) || v.staked == 0 || (refusing && v.refused_epoch == epoch) {
        return None;
    }
    // Requests that NEAR returning from earlier moves will pay (by `epoch + 4`, never later
    // than an unstake sent now) need no unstake: the promises counted on it.
    let to_unstake = s.totals.claims.queued(u64::MAX).saturating_sub(s.returning);
    let over = v.staked.saturating_sub(target);
    // A validator that unstakes then waits out the delay, so it serves all the holders' requests
    // it can at once, even below its target: the unlock epochs promised to holders count on it.
    let claims = if over > 0 && !refusing { to_unstake.min(v.staked) } else { 0 };
    // Rebalancing moves stake only when it is worth it; draining and weight 0 move all of it.
    // Stake being moved earns nothing for the 4 epochs of the unstake, and validators' rewards
    // differ little, so a moderate excess is left to flows (deposits go to validators under
    // target, holders' unstakes come from those over it); only a validator holding half again
    // its target is unstaked down to it (`lst yield`: an exit wave's rebalancing cost holders
    // 7.8% of the run's yield with the old 1% band).
    let threshold = MIN_STAKE.max(target / REBALANCE_BAND);
    let rest = over.saturating_sub(claims);
    let rebalance =
        if matches!(status, Status::Draining | Status::Stalled | Status::Faulty) || target == 0 || rest >= threshold {
            rest
        } else {
            0
        };
    if claims + rebalance > 0 {
        return Some(PoolOp::Unstake { amount: claims + rebalance, claims });
    }
    // Holders' requests that over-target validators could not take come from any validator
    // that can unstake, once the epoch's syncs are done.
    if to_unstake > 0 && s.rewards_done && !refusing {
        let claims = to_unstake.min(v.staked);
        return Some(PoolOp::Unstake { amount: claims, claims });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Fraction;
    use crate::state::{Book, Tranche};
    use crate::validators::{Outage, Pending};
    use near_sdk::AccountId;

    const N: u128 = NearToken::from_near(1).as_yoctonear();
    const EPOCH: u64 = 10;

    fn account(id: &str) -> AccountId {
        id.parse().unwrap()
    }

    fn config() -> Config {
        let owner = account("owner.near");
        Config {
            owner_id: owner.clone(),
            pending_owner_id: None,
            guardian_id: owner.clone(),
            treasury_id: owner.clone(),
            reward_fee: Fraction { numerator: 1, denominator: 10 },
            manager_id: owner,
            whitelist_id: None,
            max_reward_rate: Fraction { numerator: 1, denominator: 1_000 },
            drain_after_epochs: 3,
            epoch_blocks: 43_200,
            guardian_paused_at: None,
            owner_paused_until: 0,
            scheduled: vec![],
        }
    }

    /// A synced, unlocked validator of weight 1 (of 2) holding `staked`.
    fn validator(staked: u128) -> Validator {
        Validator { staked, synced_epoch: EPOCH, ..Validator::new(account("v0.near"), 1, 0) }
    }

    /// One case: the validator and the pool's buckets it sees, and the decision expected.
    struct Case {
        name: &'static str,
        validator: Validator,
        /// NEAR at both validators (this one's `staked` included).
        delegated: u128,
        buffered: u128,
        to_unstake: u128,
        /// NEAR unstaking to move elsewhere (returns to the buffer, pays the queue first).
        moving: u128,
        rewards_done: bool,
        late: bool,
        expected: Option<PoolOp>,
    }

    fn case(name: &'static str, validator: Validator, delegated: u128, expected: Option<PoolOp>) -> Case {
        let (buffered, to_unstake, moving) = (0, 0, 0);
        Case { name, validator, delegated, buffered, to_unstake, moving, rewards_done: true, late: false, expected }
    }

    fn with(mut v: Validator, change: impl FnOnce(&mut Validator)) -> Validator {
        change(&mut v);
        v
    }

    #[test]
    fn the_planner_decides_each_validator_by_its_rules() {
        let pending =
            Pending { op: Op::Sync, amount: 0, claims: 0, id: 1, epoch: EPOCH, reconciling: false, prior_unlock: 0 };
        let cases = [
            // Waiting.
            case(
                "an operation in flight",
                with(validator(80 * N), |v| v.pending = Some(pending.clone())),
                100 * N,
                None,
            ),
            case("not synced this epoch", with(validator(80 * N), |v| v.synced_epoch = EPOCH - 1), 100 * N, None),
            // Withdrawals come first.
            Case {
                buffered: 50 * N,
                ..case(
                    "matured unstaked NEAR is withdrawn before anything else",
                    with(validator(10 * N), |v| (v.unstaked, v.unlock_epoch) = (5 * N, EPOCH)),
                    50 * N,
                    Some(PoolOp::Withdraw { amount: 5 * N, unbooked: 0 }),
                )
            },
            case(
                "dust is not worth a withdrawal",
                with(validator(50 * N), |v| (v.unstaked, v.unlock_epoch) = (DUST, EPOCH)),
                100 * N,
                None,
            ),
            case(
                "dust is withdrawn when a holder's claim waits for it",
                with(validator(50 * N), |v| (v.unstaked, v.claims, v.unlock_epoch) = (DUST, 1, EPOCH)),
                100 * N,
                Some(PoolOp::Withdraw { amount: DUST, unbooked: 0 }),
            ),
            case(
                "unstaked NEAR not yet matured waits, and blocks another unstake",
                with(validator(80 * N), |v| (v.unstaked, v.unlock_epoch) = (5 * N, EPOCH + 2)),
                100 * N,
                None,
            ),
            // Staking toward the target (target = half of what should be delegated).
            Case {
                buffered: 30 * N,
                ..case(
                    "under target it gets the buffer up to its target",
                    validator(40 * N),
                    100 * N,
                    Some(PoolOp::Stake { amount: 25 * N }),
                )
            },
            Case {
                buffered: 10 * N,
                ..case(
                    "the whole buffer when it is less",
                    validator(40 * N),
                    100 * N,
                    Some(PoolOp::Stake { amount: 10 * N }),
                )
            },
            Case {
                buffered: 10 * N,
                ..case(
                    "less than 1 NEAR under target is not worth a call",
                    validator(54_500_000_000_000_000_000_000_000),
                    99 * N,
                    None,
                )
            },
            // Unstaking: claims, rebalancing, draining.
            Case {
                to_unstake: 10 * N,
                ..case(
                    "over target it serves queued claims",
                    validator(70 * N),
                    100 * N,
                    Some(PoolOp::Unstake { amount: 10 * N, claims: 10 * N }),
                )
            },
            case("a moderate excess is left to flows", validator(60 * N), 100 * N, None),
            case(
                "half again over target is unstaked down to it",
                validator(80 * N),
                100 * N,
                Some(PoolOp::Unstake { amount: 30 * N, claims: 0 }),
            ),
            case(
                "weight 0 moves all of it",
                with(validator(30 * N), |v| v.weight = 0),
                100 * N,
                Some(PoolOp::Unstake { amount: 30 * N, claims: 0 }),
            ),
            case(
                "out of the validator set for drain_after_epochs: drained",
                with(validator(30 * N), |v| v.outage = Some(Outage { since: (EPOCH - 3) as u32, back: 0 })),
                100 * N,
                Some(PoolOp::Unstake { amount: 30 * N, claims: 0 }),
            ),
            case(
                "out of the set for less: kept as it is",
                with(validator(80 * N), |v| v.outage = Some(Outage { since: (EPOCH - 2) as u32, back: 0 })),
                100 * N,
                None,
            ),
            case(
                "faulty: drained",
                with(validator(30 * N), |v| v.faulty = true),
                100 * N,
                Some(PoolOp::Unstake { amount: 30 * N, claims: 0 }),
            ),
            // Holders' requests from validators under target.
            Case {
                to_unstake: 5 * N,
                ..case(
                    "below target it takes queued claims once the syncs are done",
                    validator(40 * N),
                    100 * N,
                    Some(PoolOp::Unstake { amount: 5 * N, claims: 5 * N }),
                )
            },
            Case { to_unstake: 5 * N, rewards_done: false, ..case("but not before", validator(40 * N), 100 * N, None) },
            Case {
                to_unstake: 5 * N,
                moving: 5 * N,
                ..case("NEAR returning from a move pays the queue instead", validator(40 * N), 95 * N, None)
            },
            Case {
                to_unstake: 5 * N,
                ..case(
                    "unstaking more in the epoch it unstaked keeps the same unlock epoch",
                    with(validator(40 * N), |v| (v.unstaked, v.unlock_epoch) = (N, EPOCH + 4)),
                    100 * N,
                    Some(PoolOp::Unstake { amount: 5 * N, claims: 5 * N }),
                )
            },
            Case {
                to_unstake: 5 * N,
                late: true,
                ..case(
                    "but not late in the epoch: it would restart the timer of all it unstakes",
                    with(validator(40 * N), |v| (v.unstaked, v.unlock_epoch) = (N, EPOCH + 4)),
                    100 * N,
                    None,
                )
            },
        ];
        let config = config();
        for c in cases {
            let draining =
                matches!(c.validator.status(EPOCH, &config), Status::Draining | Status::Stalled | Status::Faulty);
            let weight = if draining { 1 } else { 0 };
            let set = ValidatorSet {
                count: 2,
                total_weight: 1 + c.validator.weight as u64,
                total_base_stake: 0,
                draining_weight: weight,
                draining_base_stake: 0,
                faulty: 0,
            };
            let totals = Totals {
                delegated: c.delegated,
                buffered: c.buffered,
                claims: Book {
                    tranches: vec![Tranche { epoch: EPOCH + 4, owed: c.to_unstake, queued: c.to_unstake, ready: 0 }],
                    ..Default::default()
                },
                unstaking: c.moving,
                ..Default::default()
            };
            let snapshot = Snapshot {
                totals: &totals,
                set: &set,
                config: &config,
                epoch: EPOCH,
                rewards_done: c.rewards_done,
                late: c.late,
                returning: c.moving,
            };
            assert_eq!(decide(&c.validator, &snapshot), c.expected, "{}", c.name);
        }
    }

    #[test]
    fn a_pool_operation_carries_what_it_moves() {
        let ops = [
            (PoolOp::Sync, Op::Sync, 0, 0),
            (PoolOp::Stake { amount: 5 }, Op::Stake, 5, 0),
            (PoolOp::Unstake { amount: 7, claims: 3 }, Op::Unstake, 7, 3),
            (PoolOp::Withdraw { amount: 9, unbooked: 4 }, Op::Withdraw, 9, 4),
        ];
        for (op, kind, amount, claims) in ops {
            assert_eq!((op.op(), op.amount(), op.claims()), (kind, amount, claims));
        }
    }
}
