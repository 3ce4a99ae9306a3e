//! The exit queue: when holders' unstaked NEAR can be withdrawn.
//!
//! Holders' unstakes join one queue (`Totals::to_unstake`, first in, first out) of NEAR still to
//! be requested from validators. The crank serves it whenever validators can unstake: each
//! validator that unstakes serves as much of the queue as it holds (`min(staked, queue)`), and a
//! pool releases what it unstaked in epoch `R` from epoch `R + 4`, when the crank withdraws it
//! into the reserve. A holder's promise is therefore `R + 4`, where `R` is the first epoch in
//! which validators can take the whole queue up to and including this request.
//!
//! A pool that unstakes again restarts its 4-epoch timer for everything it is unstaking, so a
//! validator waiting out an unstake cannot serve the queue until that unstake is released,
//! except in the epoch it unstaked in: unstaking more then keeps the same unlock epoch. The
//! crank keeps [`Capacity`] in step with every validator (what can be unstaked now, and what is
//! released at which epoch), and every unstake reads it to walk the validators in unlock order:
//!
//! 1. `queue ≤ free + added + returning` (validators free now, those that already unstaked
//!    this epoch, and NEAR unstaked to move elsewhere, which arrives by `epoch + 4` and pays
//!    the queue first): requested this epoch, promised `epoch + 4`. The keeper cranks again
//!    when work appears.
//! 2. A *late* unstake, in the last blocks of an epoch (from `late_from_block`, a twentieth of
//!    an epoch before its end), may not meet another crank call in this epoch: it is requested
//!    next epoch, from validators that have not unstaked this epoch, and promised `epoch + 5`,
//!    if those hold the queue and no earlier request of this epoch is still unsent.
//! 3. Otherwise validators waiting out earlier unstakes are walked in unlock order, adding
//!    each one's stake at the epoch it is free again; the first epoch at which the queue fits
//!    is `R`.
//! 4. If even that does not cover the queue (stake at faulty validators, which are not
//!    counted, or validators this walk could not count on), `R` is 4 epochs after the last
//!    release (and at least 8 epochs out): by then every validator has been free to serve the
//!    queue twice over.
//!
//! Any unstake a validator sends while the queue is not empty serves the queue first, so the
//! validators this walk counts on are never taken by rebalancing first.

use near_sdk::near;

/// Epochs from a pool unstake to its release (the core staking pool's `NUM_EPOCHS_TO_UNLOCK`).
pub const NUM_EPOCHS_TO_UNLOCK: u64 = 4;

/// What validators can unstake for the queue, and when (maintained by the crank).
#[near(serializers = [borsh])]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capacity {
    /// The epoch these figures are for.
    pub epoch: u64,
    /// Stake at validators that can unstake in `epoch` and have not unstaked in it.
    pub free: u128,
    /// Stake at validators that unstaked in `epoch`: they can unstake more in it without
    /// moving their unlock epoch.
    pub added: u128,
    /// Stake at validators waiting out an unstake, by the epoch they are free again
    /// (ascending; validators in `added` are here too, at `epoch + 4`).
    pub release: Vec<(u64, u128)>,
    /// Unstakes from this block on are late for `epoch` (`u64::MAX`: not known yet).
    pub late_from_block: u64,
    /// NEAR of late unstakes made in `epoch` still in the queue (the queue's last part).
    pub late: u128,
}

/// Where a validator's stake counts in [`Capacity`]: its amount and the epoch it is free from
/// (0: free).
#[near(serializers = [borsh])]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Share {
    pub amount: u128,
    pub free_at: u64,
}

impl Capacity {
    /// The figures as of `epoch`: validators whose wait ended since are free, and nothing has
    /// unstaked in `epoch` yet.
    pub fn at(&self, epoch: u64) -> Capacity {
        if epoch == self.epoch {
            return self.clone();
        }
        let mut next = Capacity { epoch, free: self.free, late_from_block: u64::MAX, ..Default::default() };
        for &(free_at, amount) in &self.release {
            if free_at <= epoch {
                next.free += amount;
            } else {
                next.release.push((free_at, amount));
            }
        }
        next
    }

    /// Moves to `epoch` (see [`Capacity::at`]).
    pub fn roll(&mut self, epoch: u64) {
        if epoch != self.epoch {
            *self = self.at(epoch);
        }
    }

    /// Removes a validator's share (counted at an epoch up to `self.epoch`).
    pub fn remove(&mut self, share: Share) {
        if share.amount == 0 {
            return;
        }
        if share.free_at <= self.epoch {
            self.free = self.free.saturating_sub(share.amount);
            return;
        }
        if share.free_at == self.epoch + NUM_EPOCHS_TO_UNLOCK {
            self.added = self.added.saturating_sub(share.amount);
        }
        if let Some(i) = self.release.iter().position(|&(at, _)| at == share.free_at) {
            self.release[i].1 = self.release[i].1.saturating_sub(share.amount);
            if self.release[i].1 == 0 {
                self.release.remove(i);
            }
        }
    }

    /// Adds a validator's share.
    pub fn add(&mut self, share: Share) {
        if share.amount == 0 {
            return;
        }
        if share.free_at <= self.epoch {
            self.free += share.amount;
            return;
        }
        if share.free_at == self.epoch + NUM_EPOCHS_TO_UNLOCK {
            self.added += share.amount;
        }
        match self.release.binary_search_by_key(&share.free_at, |&(at, _)| at) {
            Ok(i) => self.release[i].1 += share.amount,
            Err(i) => self.release.insert(i, (share.free_at, share.amount)),
        }
    }

    /// Whether an unstake in `block` of `self.epoch` is late.
    pub fn is_late(&self, block: u64) -> bool {
        block >= self.late_from_block
    }

    /// The epoch in which the queue's last `amount` (the queue is `queue` in all, including
    /// it) will be requested from validators, for an unstake made now (`late` or not).
    /// `returning` NEAR (unstaked at validators to move elsewhere) arrives by `epoch + 4` and
    /// pays the queue first, as if requested now.
    pub fn request_epoch(&self, queue: u128, amount: u128, late: bool, returning: u128) -> u64 {
        let first = self.epoch + late as u64;
        // Requests made before this one this epoch, not yet sent (the late ones are the last).
        let earlier = queue - amount;
        let unsent_early = earlier - earlier.min(self.late);
        // What validators can take at `first`, and how much of `added` the queue ahead may
        // use up in this epoch (so it is not there when those validators are released).
        let (mut capacity, used_added) = match (late, unsent_early) {
            (false, _) => (self.free + self.added, self.added),
            (true, 0) => (self.free, 0),
            (true, unsent) => (0, unsent.min(self.added)),
        };
        capacity += returning;
        if queue <= capacity {
            return first;
        }
        let mut last = first.max(self.epoch + NUM_EPOCHS_TO_UNLOCK);
        for &(free_at, stake) in &self.release {
            let used = if free_at == self.epoch + NUM_EPOCHS_TO_UNLOCK { used_added } else { 0 };
            capacity += stake - used.min(stake);
            last = last.max(free_at);
            if queue <= capacity {
                return free_at.max(first);
            }
        }
        last + NUM_EPOCHS_TO_UNLOCK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capacity(free: u128, added: u128, release: &[(u64, u128)]) -> Capacity {
        Capacity { epoch: 10, free, added, release: release.to_vec(), late_from_block: 1_000, late: 0 }
    }

    #[test]
    fn a_queue_validators_can_take_now_is_requested_now() {
        let c = capacity(50, 20, &[(14, 20), (12, 30)]);
        assert_eq!(c.request_epoch(70, 10, false, 0), 10);
        assert_eq!(c.request_epoch(75, 10, false, 5), 10);
        assert_eq!(c.request_epoch(76, 10, false, 5), 12);
    }

    #[test]
    fn a_longer_queue_walks_the_releases_in_unlock_order() {
        let c = capacity(50, 20, &[(12, 30), (14, 20)]);
        assert_eq!(c.request_epoch(71, 10, false, 0), 12);
        assert_eq!(c.request_epoch(100, 10, false, 0), 12);
        // The validators released at 14 are those that unstaked this epoch (`added`): a queue
        // longer than the free ones takes all they hold now, so nothing of theirs is left at 14.
        assert_eq!(c.request_epoch(101, 10, false, 0), 14 + NUM_EPOCHS_TO_UNLOCK);
    }

    #[test]
    fn a_late_unstake_uses_next_epoch_the_validators_that_did_not_unstake_this_one() {
        let c = capacity(50, 20, &[(12, 30), (14, 20)]);
        assert_eq!(c.request_epoch(50, 50, true, 0), 11);
        // Validators that unstaked this epoch are busy next epoch: the walk goes on, and they
        // are counted again when released.
        assert_eq!(c.request_epoch(51, 51, true, 0), 12);
        assert_eq!(c.request_epoch(81, 81, true, 0), 14);
        // An earlier request of this epoch still unsent may take any free validator first, so
        // none is counted: past the last release, every validator has been free once more.
        assert_eq!(c.request_epoch(40, 10, true, 0), 14 + NUM_EPOCHS_TO_UNLOCK);
        let with_late = Capacity { late: 30, ..c.clone() };
        assert_eq!(with_late.request_epoch(40, 10, true, 0), 11);
    }

    #[test]
    fn shares_move_between_free_added_and_released() {
        let mut c = capacity(0, 0, &[]);
        let used = Share { amount: 7, free_at: 14 };
        c.add(Share { amount: 5, free_at: 0 });
        c.add(used);
        c.add(Share { amount: 3, free_at: 12 });
        assert_eq!((c.free, c.added, c.release.clone()), (5, 7, vec![(12, 3), (14, 7)]));
        let next = c.at(12);
        assert_eq!((next.free, next.added, next.release.clone()), (8, 0, vec![(14, 7)]));
        c.remove(used);
        assert_eq!((c.free, c.added, c.release), (5, 0, vec![(12, 3)]));
    }
}
