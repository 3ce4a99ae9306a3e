//! The exit queue: when holders' unstaked NEAR can be withdrawn.
//!
//! Holders' unstakes join one queue (the claim book's `queued` NEAR, earliest unlock first) of
//! NEAR still to be requested from validators. The crank serves it whenever validators can
//! unstake: each validator that unstakes serves as much of the queue as it holds
//! (`min(staked, queue)`), and a pool releases what it unstaked in epoch `R` from epoch `R + 4`,
//! when the crank withdraws it into the reserve (to the tranches it was requested for,
//! [`crate::claims`]). A holder's promise is therefore `R + 4`, where `R` is the first epoch in
//! which validators can take the whole queue up to and including this request.
//!
//! A pool that unstakes again restarts its 4-epoch timer for everything it is unstaking, so a
//! validator waiting out an unstake cannot serve the queue until that unstake is released,
//! except in the epoch it unstaked in: unstaking more then keeps the same unlock epoch. The
//! crank keeps [`Capacity`] in step with every validator (what can be unstaked now, and what is
//! released at which epoch), and every unstake reads it to walk the validators in unlock order.
//! An unstake is sent by a crank at most [`SERVE_BLOCKS`] after it is made (what promises
//! assume of keepers, [`crate::config::KEEPER_BLOCKS`]):
//!
//! 1. `queue ≤ free + added + returning` (validators free now, those that already unstaked
//!    this epoch, and NEAR unstaked to move elsewhere, which arrives by `epoch + 4` and pays
//!    the queue first): requested this epoch, promised `epoch + 4`. The validators that already
//!    unstaked count only if the crank sending it still runs before the late span (where they
//!    may not unstake again: a call that reached the pool in the next epoch would restart their
//!    timer for all they are unstaking).
//! 2. A *late* unstake, in the last blocks of an epoch (from `late_from_block`, a twentieth of
//!    an epoch and at least `MIN_LATE_BLOCKS` before its end as the crank estimates it, never
//!    late), or one made after this epoch's crank when the keeper has lately been slower than it
//!    should (it may crank only once an epoch), may not meet another crank call in this epoch:
//!    it is requested next epoch, from validators that have not unstaked this epoch, and
//!    promised `epoch + 5`, if those hold the queue and no earlier request of this epoch is
//!    still unsent.
//! 3. Otherwise validators waiting out earlier unstakes are walked in unlock order, adding
//!    each one's stake at the epoch it is free again; the first epoch at which the queue fits
//!    is `R`.
//! 4. If even that does not cover the queue (stake at faulty validators, or at those whose pool
//!    refused an unstake, which are not counted, or validators this walk could not count on),
//!    `R` is 4 epochs after the last release (and at least 8 epochs out): by then every
//!    validator has been free to serve the queue twice over.
//!
//! Any unstake a validator sends while the queue is not empty serves the queue first, so the
//! validators this walk counts on are never taken by rebalancing first. A request whose NEAR
//! comes later than promised anyway (a validator failed it, a keeper skipped an epoch) is the
//! protocol's shortfall, covered from the buffer or shown late ([`crate::claims`]).

use crate::claims;
use crate::config::SERVE_BLOCKS;
use crate::errors;
use crate::record::record;
use crate::state::{self, Capacity, Totals, Tranche};
use near_sdk::env;
use near_sdk::require;

/// The first epoch a waiting validator is free again (`u64::MAX`: none waits).
pub fn next_release(capacity: &Capacity, releases: &Releases) -> u64 {
    releases.at.iter().position(|&s| s > 0).map_or(u64::MAX, |k| capacity.epoch + 1 + k as u64)
}

/// Epochs from a pool unstake to its release (the core staking pool's `NUM_EPOCHS_TO_UNLOCK`).
pub const NUM_EPOCHS_TO_UNLOCK: u64 = 4;

/// Epochs ahead that releases are tracked for (a validator is never more than 5 epochs from its
/// release: 4 after an unstake, one more when the pool's answer lands a block later).
const SLOTS: usize = 8;

/// The slot of a release `k` epochs after the next one. The contract itself sets every release
/// epoch (an unstake's is at most 5 ahead, whatever a pool answers), so one beyond the slots
/// is a bug: it is refused rather than counted as released earlier than it is.
fn slot(k: u64) -> usize {
    require!(k < SLOTS as u64, errors::staking::RELEASE_TOO_FAR);
    k as usize
}

/// Stake at validators waiting out an unstake, by the epoch they are free again, and this epoch's
/// late unstakes. Stored apart from [`Capacity`] (which every call reads with the totals): only
/// the crank and unstakes that must look past this epoch read it.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Releases {
    /// `at[k]` is free from `Capacity::epoch + 1 + k` (validators in `added` are here too, at
    /// `epoch + 4`).
    pub at: [u128; SLOTS],
    /// NEAR of late unstakes made in `Capacity::epoch` still in the queue (its last part).
    pub late: u128,
    /// NEAR being unstaked at faulty or stalled validators: it may not come back, so it is not
    /// counted on to pay the queue.
    pub stuck: u128,
    /// Blocks in an epoch, to tell when later epochs turn late before the crank has run in them.
    pub epoch_blocks: u64,
}

record!(Releases { at, late, stuck, epoch_blocks });

/// `stuck` follows a validator's share of it from `before` to `after`.
pub fn restate_stuck(before: u128, after: u128) {
    if before != after {
        let mut releases = load_releases();
        releases.stuck = releases.stuck.saturating_sub(before).saturating_add(after);
        save_releases(&releases);
    }
}

/// NEAR unstaked at faulty or stalled validators (see [`Releases::stuck`]).
pub fn stuck() -> u128 {
    load_releases().stuck
}

/// Records the chain's epoch length (the crank does, from its configuration).
pub fn set_epoch_blocks(epoch_blocks: u64) {
    let mut releases = load_releases();
    if releases.epoch_blocks != epoch_blocks {
        releases.epoch_blocks = epoch_blocks;
        save_releases(&releases);
    }
}

/// NEAR being unstaked at validators to move elsewhere (`moving`: not for claims), less what is
/// stuck: it is back within 4 epochs and pays the exit queue first.
pub fn returning(moving: u128, releases: &Releases) -> u128 {
    moving.saturating_sub(releases.stuck)
}

const RELEASES: &[u8] = b"r";

/// Moves `slots` `n` epochs on; returns the sum of those that moved out (released by then).
fn shift_out(slots: &mut [u128; SLOTS], n: usize) -> u128 {
    let out = slots[..n].iter().sum();
    slots.copy_within(n.., 0);
    slots[SLOTS - n..].fill(0);
    out
}

fn load_releases() -> Releases {
    state::read(RELEASES).unwrap_or_default()
}

fn save_releases(releases: &Releases) {
    state::write(RELEASES, releases);
}

/// Where a validator's stake counts in [`Capacity`]: its amount and the epoch it is free from
/// (0: free).
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Share {
    pub amount: u128,
    pub free_at: u64,
}

record!(Share { amount, free_at });

impl Capacity {
    /// The figures as of `epoch`, with `releases` moved to it: validators whose wait ended
    /// since are free, and nothing has unstaked in `epoch` yet.
    pub fn at(&self, epoch: u64, releases: &mut Releases) -> Capacity {
        if epoch <= self.epoch {
            return self.clone();
        }
        let shift = (epoch - self.epoch).min(SLOTS as u64) as usize;
        let free = self.free + shift_out(&mut releases.at, shift);
        releases.late = 0;
        let late_from_block = self.late_from(epoch, releases.epoch_blocks);
        Capacity { epoch, free, late_from_block, added: 0, ..*self }
    }

    /// A crank call in `block` of `epoch` (the figures are rolled to it): if an unstake waited
    /// for it longer than a keeper may take ([`SERVE_BLOCKS`]), the keeper was late this epoch.
    pub fn crank_seen(&mut self, block: u64, epoch: u64) {
        if self.unserved_since != 0 && block > self.unserved_since + SERVE_BLOCKS {
            self.keeper_late_epoch = epoch;
        }
        self.unserved_since = 0;
    }

    /// How a crank will serve an unstake made now in `block` of `epoch`, as its promise counts
    /// on it: `(late, with_added)`. Late: requested next epoch, an unstake in the epoch's last
    /// blocks, or one made after this epoch's crank when the keeper has lately been slower
    /// than [`SERVE_BLOCKS`] (it may crank only once an epoch). With added: the crank sending it
    /// runs before the late span, so validators that unstaked this epoch can take more.
    fn serving(&self, epoch: u64, block: u64) -> (bool, bool) {
        if self.is_late(epoch, block) {
            return (true, false);
        }
        let waiting = self.unserved_since != 0 && block > self.unserved_since + SERVE_BLOCKS;
        let slow = waiting || (self.keeper_late_epoch != 0 && self.keeper_late_epoch + 1 >= epoch);
        let cranked = self.epoch == epoch;
        (slow && cranked, !self.is_late(epoch, block + SERVE_BLOCKS))
    }

    /// An unstake in `block` left work only a crank can do in this epoch: the keeper's clock
    /// starts, unless an earlier one already started it.
    fn await_crank(&mut self, block: u64) {
        if self.unserved_since == 0 {
            self.unserved_since = block;
        }
    }

    /// The block from which unstakes are late in `epoch` (at or after `self.epoch`): epochs are
    /// `epoch_blocks` long, so it follows from the last one the crank saw.
    pub fn late_from(&self, epoch: u64, epoch_blocks: u64) -> u64 {
        let later = epoch.checked_sub(self.epoch).and_then(|epochs| epochs.checked_mul(epoch_blocks));
        later.and_then(|blocks| self.late_from_block.checked_add(blocks)).unwrap_or(u64::MAX)
    }

    /// Moves to `epoch` (see [`Capacity::at`]), saving the releases.
    pub fn roll(&mut self, epoch: u64) {
        if epoch > self.epoch {
            let mut releases = load_releases();
            *self = self.at(epoch, &mut releases);
            save_releases(&releases);
        }
    }

    /// The current figures and releases, as a view sees them.
    pub fn view(&self, epoch: u64) -> (Capacity, Releases) {
        let mut releases = load_releases();
        (self.at(epoch, &mut releases), releases)
    }

    /// Moves a validator's share in (`sign` true) or out of the figures (counted at an epoch up
    /// to `self.epoch`, which the caller rolled to the current one).
    fn apply(&mut self, share: Share, add: bool) {
        let change = |bucket: &mut u128| {
            *bucket = if add { *bucket + share.amount } else { bucket.saturating_sub(share.amount) }
        };
        if share.free_at == self.epoch + NUM_EPOCHS_TO_UNLOCK {
            change(&mut self.added);
        }
        match share.free_at.checked_sub(self.epoch + 1) {
            None => change(&mut self.free),
            Some(k) => {
                let mut releases = load_releases();
                change(&mut releases.at[slot(k)]);
                save_releases(&releases);
            }
        }
    }

    /// Removes a validator's share.
    pub fn remove(&mut self, share: Share) {
        if share.amount > 0 {
            self.apply(share, false);
        }
    }

    /// Adds a validator's share.
    pub fn add(&mut self, share: Share) {
        if share.amount > 0 {
            self.apply(share, true);
        }
    }

    /// Counts a late unstake of `amount` in the queue (the figures are rolled to its epoch).
    pub fn add_late(&self, amount: u128) {
        let mut releases = load_releases();
        releases.late += amount;
        save_releases(&releases);
    }

    /// Whether an unstake in `block` of `epoch` (at or after `self.epoch`) is late (an epoch the
    /// crank has not run in yet needs the epoch length from the releases record).
    pub fn is_late(&self, epoch: u64, block: u64) -> bool {
        if epoch == self.epoch {
            return block >= self.late_from_block;
        }
        block >= self.late_from(epoch, load_releases().epoch_blocks)
    }

    /// The epoch in which the queue's last `amount` (the queue is `queue` in all, including
    /// it) will be requested from validators, for an unstake made now (`late` or not).
    /// NEAR `moving` (unstaked at validators to move elsewhere), less what is stuck, arrives by
    /// `epoch + 4` and pays the queue first, as if requested now.
    ///
    /// Figures from an earlier epoch (the crank has not run in this one yet) are moved to
    /// `epoch` in memory only: validators free then are still free unless released since. The
    /// releases record is read only when validators free now cannot take the queue.
    pub fn request_epoch(
        &self,
        epoch: u64,
        queue: u128,
        amount: u128,
        (late, with_added): (bool, bool),
        moving: u128,
    ) -> u64 {
        let added = if self.epoch == epoch && with_added { self.added } else { 0 };
        if !late && queue <= self.free + added {
            return epoch;
        }
        let mut releases = load_releases();
        let now = if self.epoch < epoch { self.at(epoch, &mut releases) } else { self.clone() };
        now.walk(queue, amount, (late, with_added), returning(moving, &releases), &releases)
    }

    /// [`Capacity::request_epoch`] over the releases.
    fn walk(
        &self,
        queue: u128,
        amount: u128,
        (late, with_added): (bool, bool),
        returning: u128,
        releases: &Releases,
    ) -> u64 {
        let first = self.epoch + late as u64;
        // Requests made before this one this epoch, not yet sent (the late ones are the last).
        let earlier = queue - amount;
        let late_queued = if late { releases.late } else { 0 };
        let unsent_early = earlier - earlier.min(late_queued);
        // What validators can take at `first`, and how much of `added` the queue ahead may
        // use up in this epoch (so it is not there when those validators are released).
        let (mut capacity, used_added) = match (late, unsent_early) {
            (false, _) if with_added => (self.free + self.added, self.added),
            (false, unsent) => (self.free, unsent.min(self.added)),
            (true, 0) => (self.free, 0),
            (true, unsent) => (0, unsent.min(self.added)),
        };
        capacity += returning;
        if queue <= capacity {
            return first;
        }
        let mut last = first.max(self.epoch + NUM_EPOCHS_TO_UNLOCK);
        for (k, &stake) in releases.at.iter().enumerate().filter(|(_, s)| **s > 0) {
            let free_at = self.epoch + 1 + k as u64;
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

/// Burns `shares` tokens for a claim of `amount` NEAR and returns its unlock epoch, at least
/// `not_before` (the holder's earlier claim, which moves with it: every unstake restarts the
/// holder's delay for all it has unstaked, as in the core staking pool, but never promises
/// earlier NEAR sooner than it was). The NEAR is paid from the buffer first; the rest joins the
/// exit queue, and the promise is when validators can release it (this module).
pub fn burn_for_claim(totals: &mut Totals, amount: u128, shares: u128, not_before: u64) -> u64 {
    totals.total_shares -= shares;
    let epoch = env::epoch_height();
    let queued = claims::would_queue(totals, amount, epoch);
    let unlock = if queued == 0 {
        epoch + NUM_EPOCHS_TO_UNLOCK
    } else {
        let block = env::block_height();
        let capacity = &mut totals.capacity;
        let serving = capacity.serving(epoch, block);
        if serving.0 {
            // Counted for this epoch only: a crank rolling into it starts afresh.
            capacity.roll(epoch);
            capacity.add_late(queued);
        }
        // NEAR being unstaked to move elsewhere comes back by `epoch + 4` and pays the queue
        // first.
        let moving = totals.unstaking.saturating_sub(totals.claims.unstaking());
        let queue = totals.claims.queued(u64::MAX) + queued;
        let request = totals.capacity.request_epoch(epoch, queue, queued, serving, moving);
        // The keeper is timed only on requests that need its crank now: ones for this epoch
        // that NEAR already on its way back cannot pay.
        if request == epoch && queue > moving {
            totals.capacity.await_crank(block);
        }
        request + NUM_EPOCHS_TO_UNLOCK
    };
    let unlock = unlock.max(not_before);
    claims::claim(totals, amount, unlock, epoch);
    unlock
}

/// The epoch from which a tranche's claims are expected to be paid: its unlock epoch when its
/// NEAR is on time, else when the last of it arrives: NEAR being unstaked when its validators
/// release it (`arrival`, the latest of their unlock epochs), a queued request 4 epochs after
/// validators can take it ([`Capacity::request_epoch`]).
pub fn expected(totals: &Totals, tranche: &Tranche, arrival: u64, epoch: u64) -> u64 {
    // NEAR not yet in the reserve comes no earlier than the crank's next call.
    let now = if tranche.missing() > 0 { epoch } else { 0 };
    let mut expected = tranche.epoch.max(arrival).max(now);
    if tranche.queued > 0 {
        let ahead = totals.claims.queued(tranche.epoch);
        let late = totals.capacity.is_late(epoch, env::block_height());
        let moving = totals.unstaking.saturating_sub(totals.claims.unstaking());
        let request = totals.capacity.request_epoch(epoch, ahead, tranche.queued, (late, !late), moving);
        expected = expected.max(request + NUM_EPOCHS_TO_UNLOCK);
    }
    expected
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Capacity at epoch 10 with the given releases (epoch, stake).
    struct Case(Capacity, Releases);

    fn case(free: u128, added: u128, at: &[(u64, u128)]) -> Case {
        let mut releases = Releases::default();
        for &(epoch, stake) in at {
            releases.at[(epoch - 11) as usize] = stake;
        }
        releases.epoch_blocks = 100;
        Case(Capacity { epoch: 10, free, added, late_from_block: 1_000, ..Default::default() }, releases)
    }

    impl Case {
        fn request(&self, queue: u128, amount: u128, late: bool, returning: u128) -> u64 {
            self.0.walk(queue, amount, (late, !late), returning, &self.1)
        }
    }

    #[test]
    fn a_queue_validators_can_take_now_is_requested_now() {
        let c = case(50, 20, &[(14, 20), (12, 30)]);
        assert_eq!(c.request(70, 10, false, 0), 10);
        assert_eq!(c.request(75, 10, false, 5), 10);
        assert_eq!(c.request(76, 10, false, 5), 12);
    }

    #[test]
    fn a_longer_queue_walks_the_releases_in_unlock_order() {
        let c = case(50, 20, &[(12, 30), (14, 20)]);
        assert_eq!(c.request(71, 10, false, 0), 12);
        assert_eq!(c.request(100, 10, false, 0), 12);
        // The validators released at 14 are those that unstaked this epoch (`added`): a queue
        // longer than the free ones takes all they hold now, so nothing of theirs is left at 14.
        assert_eq!(c.request(101, 10, false, 0), 14 + NUM_EPOCHS_TO_UNLOCK);
    }

    #[test]
    fn a_late_unstake_uses_next_epoch_the_validators_that_did_not_unstake_this_one() {
        let c = case(50, 20, &[(12, 30), (14, 20)]);
        assert_eq!(c.request(50, 50, true, 0), 11);
        // Validators that unstaked this epoch are busy next epoch: the walk goes on, and they
        // are counted again when released.
        assert_eq!(c.request(51, 51, true, 0), 12);
        assert_eq!(c.request(81, 81, true, 0), 14);
        // An earlier request of this epoch still unsent may take any free validator first, so
        // none is counted: past the last release, every validator has been free once more.
        assert_eq!(c.request(40, 10, true, 0), 14 + NUM_EPOCHS_TO_UNLOCK);
        let with_late = Case(c.0.clone(), Releases { late: 30, ..c.1 });
        assert_eq!(with_late.request(40, 10, true, 0), 11);
    }

    #[test]
    fn releases_become_free_as_epochs_pass() {
        let Case(c, mut releases) = case(5, 7, &[(12, 3), (14, 7)]);
        assert_eq!(next_release(&c, &releases), 12);
        let next = c.at(12, &mut releases);
        assert_eq!((next.free, next.added, next.epoch, releases.at), (8, 0, 12, [0, 7, 0, 0, 0, 0, 0, 0]));
        assert_eq!(next_release(&next, &releases), 14);
        assert_eq!((next.late_from_block, next.late_from(13, 100)), (1_200, 1_300));
        let later = next.at(30, &mut releases);
        assert_eq!((later.free, releases.at), (15, [0; SLOTS]));
        assert_eq!(next_release(&later, &releases), u64::MAX);
    }
}
