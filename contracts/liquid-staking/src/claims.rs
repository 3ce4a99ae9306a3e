//! The claim book's movements: how holders' claims (unstaked balances, and the instant-unstake
//! pool's claim) are paid for, tranche by tranche ([`Book`], [`Tranche`]).
//!
//! A claim belongs to the tranche of its unlock epoch, and so does every yocto funding it: in
//! the reserve (`ready`), still staked and not yet requested from validators (`queued`), or
//! being unstaked at validators (the rest). The NEAR being unstaked is tracked by tranche and by
//! the epoch it arrives in ([`InFlight`]), so NEAR withdrawn from a validator goes to the
//! tranches it was requested for, and a validator that fails puts back only theirs.
//!
//! The rules, which the simulation checks after every step:
//!
//! - A claim is paid only from its own tranche's `ready` NEAR ([`pay`]): one tranche's late
//!   NEAR is never made up with NEAR another tranche counts on.
//! - When a tranche falls due short (a validator refused or failed an unstake, a keeper cranked
//!   late), the protocol covers it from the buffer (NEAR staked by holders and not yet
//!   delegated) before that NEAR is used for anything else ([`cover_due`]); what the buffer
//!   cannot cover is paid first from any NEAR that arrives later ([`add_fresh`]), and shown
//!   (`claims_late` events, `get_claims`, each holder's `expected_epoch`).
//! - Holders move their own claims only: a new unstake moves the holder's earlier claim to the
//!   new unlock epoch with its NEAR ([`move_claim`]), a restake takes back its least ready NEAR
//!   ([`restake`]).
//!
//! User calls change the book only (it is part of [`Totals`]); the crank's calls keep the
//! in-flight record in step with it ([`reconcile`]) when they next touch validators.

use crate::events::{self, Event};
use crate::math::take;
use crate::record::record;
use crate::state::{self, Book, Totals, Tranche};

/// The tranche of in-flight NEAR no claim counts on any more (a holder restaked the claim, or
/// the protocol paid it from the buffer): it joins the buffer when it arrives.
pub const SPARE: u64 = u64::MAX;

const IN_FLIGHT: &[u8] = b"f";

/// Claims' NEAR being unstaked at validators: how much of which tranche arrives in which epoch
/// (the release epoch of the validators unstaking it). For every arrival epoch the cells add
/// up to the claims of the validators releasing then (`Validator::claims`); for every tranche
/// they add up to what it has unstaking, once [`reconcile`]d.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InFlight {
    pub cells: Vec<Cell>,
}

record!(InFlight { cells });

/// `amount` of tranche `tranche`'s NEAR ([`SPARE`]: no tranche's) arriving at epoch `arrives`.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub tranche: u64,
    pub arrives: u64,
    pub amount: u128,
}

record!(Cell { tranche, arrives, amount });

impl InFlight {
    pub fn load() -> Self {
        state::read(IN_FLIGHT).unwrap_or_default()
    }

    pub fn save(&mut self) {
        self.cells.retain(|c| c.amount > 0);
        state::write(IN_FLIGHT, self);
    }

    fn add(&mut self, tranche: u64, arrives: u64, amount: u128) {
        if amount == 0 {
            return;
        }
        match self.cells.iter_mut().find(|c| c.tranche == tranche && c.arrives == arrives) {
            Some(cell) => cell.amount += amount,
            None => self.cells.push(Cell { tranche, arrives, amount }),
        }
    }

    /// NEAR of `tranche` in flight.
    pub fn of_tranche(&self, tranche: u64) -> u128 {
        self.cells.iter().filter(|c| c.tranche == tranche).map(|c| c.amount).sum()
    }

    /// The latest epoch `tranche`'s NEAR in flight arrives in (0: none is).
    pub fn last_arrival(&self, tranche: u64) -> u64 {
        self.cells.iter().filter(|c| c.tranche == tranche && c.amount > 0).map(|c| c.arrives).max().unwrap_or(0)
    }

    /// Indices of the cells arriving at `arrives`: spare first, then by tranche, latest first
    /// (the order in which claims give up NEAR that is delayed or lost: the tranche unlocking
    /// last has the most time to get it again).
    fn latest_first(&self, arrives: u64) -> Vec<usize> {
        let order = (0..self.cells.len()).filter(|&i| self.cells[i].arrives == arrives).collect();
        sorted(order, |i| u64::MAX - self.cells[i].tranche)
    }
}

/// `indices` ordered by `key`, smallest first (an insertion sort: a handful of cells, and the
/// standard library's sorts would add kilobytes to the wasm every call loads).
fn sorted(mut indices: Vec<usize>, key: impl Fn(usize) -> u64) -> Vec<usize> {
    for i in 1..indices.len() {
        let mut j = i;
        while j > 0 && key(indices[j - 1]) > key(indices[j]) {
            indices.swap(j - 1, j);
            j -= 1;
        }
    }
    indices
}

impl Book {
    /// The tranche unlocking at `epoch`, created empty (in order) if there is none.
    fn tranche(&mut self, epoch: u64) -> &mut Tranche {
        let at = self.tranches.partition_point(|t| t.epoch < epoch);
        if self.tranches.get(at).is_none_or(|t| t.epoch != epoch) {
            self.tranches.insert(at, Tranche { epoch, ..Default::default() });
        }
        &mut self.tranches[at]
    }

    /// Tranches due by `epoch` and paid for in full join `matured` (any of their holders can
    /// then be paid from it); emptied tranches go.
    fn tidy(&mut self, epoch: u64) {
        let matured = &mut self.matured;
        self.tranches.retain(|t| {
            let paid_for = t.epoch <= epoch && t.ready == t.owed;
            if paid_for {
                *matured += t.owed;
            }
            !paid_for && t.owed > 0
        });
    }
}

/// The buffer left for claims unlocking at `unlock` (due by `epoch`) once earlier tranches
/// already due have taken what they miss.
fn buffer_for(t: &Totals, unlock: u64, epoch: u64) -> u128 {
    t.buffered.saturating_sub(t.claims.late(epoch.min(unlock.saturating_sub(1))))
}

/// What the reserve would pay now of a claim unlocking at `unlock`: its tranche's NEAR in the
/// reserve and what [`cover_due`] would add to it from the buffer (0 before `unlock`).
pub fn payable(t: &Totals, unlock: u64, epoch: u64) -> u128 {
    match t.claims.get(unlock) {
        Some(tr) if unlock <= epoch => tr.ready + tr.missing().min(buffer_for(t, unlock, epoch)),
        _ => t.claims.payable(unlock, epoch),
    }
}

/// The part of a new claim of `amount` that the buffer cannot pay at once (once tranches
/// already due have taken what they miss): what joins the exit queue.
pub fn would_queue(t: &Totals, amount: u128, epoch: u64) -> u128 {
    amount - amount.min(t.buffered.saturating_sub(t.claims.late(epoch)))
}

/// `total_staked →` a claim of `amount` unlocking at `unlock`: tokens burnt for it. Its NEAR
/// comes from the buffer first (after tranches already due and late, [`cover_due`]); the rest
/// is queued, to be requested from validators.
pub fn claim(t: &mut Totals, amount: u128, unlock: u64, epoch: u64) {
    cover_due(t, epoch);
    take(&mut t.total_staked, amount);
    let from_buffer = amount.min(t.buffered);
    t.buffered -= from_buffer;
    let tranche = t.claims.tranche(unlock);
    tranche.owed += amount;
    tranche.ready += from_buffer;
    tranche.queued += amount - from_buffer;
}

/// Takes `amount` of the claims unlocking at `from` (or of `matured`, once that tranche joined
/// it) out of the book with its NEAR, least ready first: queued, then unstaking, then ready.
/// Returns the parts (queued, unstaking, ready).
fn withdraw_claim(book: &mut Book, amount: u128, from: u64) -> (u128, u128, u128) {
    let Some(tr) = book.tranches.iter_mut().find(|t| t.epoch == from) else {
        take(&mut book.matured, amount);
        return (0, 0, amount);
    };
    let queued = amount.min(tr.queued);
    // The tranche's cells beyond its smaller claims are set free by the next reconcile.
    let unstaking = (amount - queued).min(tr.unstaking());
    let ready = amount - queued - unstaking;
    take(&mut tr.owed, amount);
    tr.queued -= queued;
    take(&mut tr.ready, ready);
    (queued, unstaking, ready)
}

/// Moves `amount` of the claims unlocking at `from` to `to` (a holder's earlier claim, now
/// unlocking with its new one, or a liquidity provider's share of the pool's claim), with its
/// NEAR (see [`withdraw_claim`]): the NEAR unstaking for it goes to `to` at the next
/// [`reconcile`].
pub fn move_claim(t: &mut Totals, amount: u128, from: u64, to: u64, epoch: u64) {
    if from == to || amount == 0 {
        return;
    }
    let (queued, unstaking, ready) = withdraw_claim(&mut t.claims, amount, from);
    let tranche = t.claims.tranche(to);
    tranche.owed += queued + unstaking + ready;
    tranche.queued += queued;
    tranche.ready += ready;
    t.claims.tidy(epoch);
}

/// `unstaked → total_staked`: a holder stakes `amount` of its claim (unlocking at `from`)
/// again. Its least ready NEAR goes back first: a request not yet sent is cancelled (the NEAR
/// stays delegated), then NEAR being unstaked (it joins the buffer when it arrives), and only
/// then reserve NEAR (to the buffer now). Only the holder's own tranche gives anything up.
pub fn restake(t: &mut Totals, amount: u128, from: u64, epoch: u64) {
    let (_, _, ready) = withdraw_claim(&mut t.claims, amount, from);
    t.buffered += ready;
    t.total_staked += amount;
    t.claims.tidy(epoch);
}

/// `reserve →` the holder: `amount` of a claim unlocking at `unlock`, paid from its tranche's
/// NEAR in the reserve (after [`cover_due`]). Returns false, changing nothing, if that cannot
/// pay it.
pub fn pay(t: &mut Totals, amount: u128, unlock: u64, epoch: u64) -> bool {
    if payable(t, unlock, epoch) < amount {
        return false;
    }
    cover_due(t, epoch);
    match t.claims.tranches.iter_mut().find(|tr| tr.epoch == unlock) {
        Some(tr) => {
            take(&mut tr.owed, amount);
            take(&mut tr.ready, amount);
        }
        None => take(&mut t.claims.matured, amount),
    }
    t.claims.tidy(epoch);
    true
}

/// `buffered → ready` for tranches due by `epoch` and still missing NEAR, earliest first: the
/// protocol covers a late claim with NEAR it has not yet staked, before that NEAR is used for
/// anything else. What the tranche was waiting for is then not needed: its queued request is
/// cancelled, its NEAR unstaking set free ([`reconcile`]). Each cover is an event.
pub fn cover_due(t: &mut Totals, epoch: u64) {
    let buffered = &mut t.buffered;
    for tr in t.claims.tranches.iter_mut().take_while(|tr| tr.epoch <= epoch) {
        let covered = tr.missing().min(*buffered);
        if covered == 0 {
            continue;
        }
        *buffered -= covered;
        tr.ready += covered;
        tr.queued = tr.queued.min(tr.owed - tr.ready);
        events::ClaimsCovered { unlock_epoch: tr.epoch, amount: covered, missing: tr.missing() }.emit();
    }
    t.claims.tidy(epoch);
}

/// `buffered → ready` for queued requests, earliest tranche first: NEAR waiting to be staked
/// pays requests before they reach a validator (the NEAR they waited for stays delegated).
fn net_queue(t: &mut Totals) {
    for tr in t.claims.tranches.iter_mut() {
        let paid = tr.queued.min(t.buffered);
        t.buffered -= paid;
        tr.queued -= paid;
        tr.ready += paid;
    }
}

/// The buffer pays what it can of the claims: those due and late first ([`cover_due`]), then
/// requests still queued.
pub fn pay_from_buffer(t: &mut Totals, epoch: u64) {
    cover_due(t, epoch);
    net_queue(t);
}

/// New NEAR for the pool (a deposit, NEAR returning from a validator, a fee): it pays what
/// claims miss first ([`pay_from_buffer`]), and the rest is buffered.
pub fn add_fresh(t: &mut Totals, amount: u128, epoch: u64) {
    t.buffered += amount;
    pay_from_buffer(t, epoch);
}

// The crank's side: NEAR in flight.

/// Brings the in-flight record in step with the book after holders' moves and restakes, and
/// the buffer's covers: each tranche keeps its earliest-arriving cells up to what it still has
/// unstaking and the rest is set free, then a tranche with more unstaking than cells (a claim
/// moved in from another tranche) takes free cells, earliest arrival first.
pub fn reconcile(t: &mut Totals, f: &mut InFlight) {
    let book = &mut t.claims;
    let mut need: Vec<u128> = book.tranches.iter().map(Tranche::unstaking).collect();
    for i in by_arrival(f) {
        let cell = f.cells[i];
        if cell.tranche == SPARE {
            continue;
        }
        let kept = match book.tranches.iter().position(|t| t.epoch == cell.tranche) {
            Some(k) => {
                let kept = need[k].min(cell.amount);
                need[k] -= kept;
                kept
            }
            None => 0,
        };
        f.cells[i].amount = kept;
        f.add(SPARE, cell.arrives, cell.amount - kept);
    }
    for i in by_arrival(f) {
        let cell = f.cells[i];
        if cell.tranche != SPARE {
            continue;
        }
        let mut left = cell.amount;
        for (k, tranche) in book.tranches.iter().enumerate() {
            let taken = need[k].min(left);
            need[k] -= taken;
            left -= taken;
            f.add(tranche.epoch, cell.arrives, taken);
        }
        f.cells[i].amount = left;
    }
    // NEAR unstaking that no cell carries (only a bug could leave any) is requested again.
    for (tranche, need) in book.tranches.iter_mut().zip(need) {
        tranche.queued += need;
    }
}

/// Indices of every cell, earliest arrival first.
fn by_arrival(f: &InFlight) -> Vec<usize> {
    sorted((0..f.cells.len()).collect(), |i| f.cells[i].arrives)
}

/// `queued → unstaking`: `amount` of the queue sent to validators whose NEAR arrives at
/// `arrives`, earliest tranche first. Anything beyond the queue is spare.
pub fn sent(t: &mut Totals, f: &mut InFlight, amount: u128, arrives: u64) {
    reconcile(t, f);
    let mut left = amount;
    for tr in t.claims.tranches.iter_mut() {
        let part = left.min(tr.queued);
        tr.queued -= part;
        left -= part;
        f.add(tr.epoch, arrives, part);
    }
    f.add(SPARE, arrives, left);
}

/// `unstaking → queued`: `amount` of the claims arriving at `arrives` will not come from the
/// validator that was unstaking them (it refused or failed, turned faulty, lost NEAR or was
/// written off). Spare NEAR goes first, then the tranches unlocking last; their requests
/// join the queue again, where the buffer pays what it can ([`pay_from_buffer`]).
pub fn requeued(t: &mut Totals, f: &mut InFlight, amount: u128, arrives: u64, epoch: u64) {
    reconcile(t, f);
    let mut left = amount;
    for i in f.latest_first(arrives) {
        let part = left.min(f.cells[i].amount);
        left -= part;
        f.cells[i].amount -= part;
        let tranche = f.cells[i].tranche;
        if tranche != SPARE {
            t.claims.tranche(tranche).queued += part;
        }
    }
    pay_from_buffer(t, epoch);
}

/// `unstaking → ready`: `amount` withdrawn from a validator for the claims arriving at
/// `arrives`, to their tranches, earliest first. Returns what no tranche counts on any more
/// (spare NEAR, or more than was in flight), which the caller books as fresh NEAR.
pub fn arrived(t: &mut Totals, f: &mut InFlight, amount: u128, arrives: u64) -> u128 {
    reconcile(t, f);
    let mut order = f.latest_first(arrives);
    order.reverse();
    let (mut left, mut spare) = (amount, 0);
    for i in order {
        let part = left.min(f.cells[i].amount);
        left -= part;
        f.cells[i].amount -= part;
        match f.cells[i].tranche {
            SPARE => spare += part,
            tranche => t.claims.tranche(tranche).ready += part,
        }
    }
    spare + left
}

/// A validator's claims (`amount`) now arrive at `to` instead of `from` (its pool reported
/// another unlock epoch, or an unstake reached it in the next epoch). Delayed NEAR is taken
/// spare first, then from the tranches unlocking last.
pub fn retimed(f: &mut InFlight, amount: u128, from: u64, to: u64) {
    if from == to {
        return;
    }
    let mut left = amount;
    for i in f.latest_first(from) {
        let part = left.min(f.cells[i].amount);
        left -= part;
        f.cells[i].amount -= part;
        let tranche = f.cells[i].tranche;
        f.add(tranche, to, part);
    }
}
