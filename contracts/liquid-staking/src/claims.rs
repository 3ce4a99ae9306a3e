//! The claim book's movements: how holders' claims (unstaked balances, and the instant-unstake
//! pool's claim) are paid for, tranche by tranche ([`Book`], [`Tranche`]).
//!
//! A claim belongs to the tranche of its unlock epoch, and so does every yocto funding it: in
//! the reserve (`ready`), still staked and not yet requested from validators (`queued`), or
//! being unstaked at validators (the rest). The NEAR being unstaked is tracked by tranche and by
//! the validator unstaking it ([`InFlight`]), so NEAR withdrawn from a validator goes to the
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

/// Claims' NEAR being unstaked at validators: how much of which tranche each validator is
/// unstaking (it arrives when that validator releases it). A validator's cells add up to its
/// `claims`; a tranche's add up to what it has unstaking, once [`reconcile`]d.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InFlight {
    pub cells: Vec<Cell>,
}

record!(InFlight { cells });

/// `amount` of tranche `tranche`'s NEAR ([`SPARE`]: no tranche's) being unstaked at validator
/// number `validator`.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub tranche: u64,
    pub validator: u16,
    pub amount: u128,
}

record!(Cell { tranche, validator, amount });

impl InFlight {
    pub fn load() -> Self {
        state::read(IN_FLIGHT).unwrap_or_default()
    }

    pub fn save(&mut self) {
        self.cells.retain(|c| c.amount > 0);
        state::write(IN_FLIGHT, self);
    }

    fn add(&mut self, tranche: u64, validator: u16, amount: u128) {
        if amount == 0 {
            return;
        }
        match self.cells.iter_mut().find(|c| c.tranche == tranche && c.validator == validator) {
            Some(cell) => cell.amount += amount,
            None => self.cells.push(Cell { tranche, validator, amount }),
        }
    }

    /// NEAR of `tranche` in flight.
    pub fn of_tranche(&self, tranche: u64) -> u128 {
        let mut sum = 0;
        for cell in &self.cells {
            if cell.tranche == tranche {
                sum += cell.amount;
            }
        }
        sum
    }

    /// Takes up to `amount` of `validator`'s cells, a tranche at a time: spare first and then
    /// the tranche unlocking last when `latest` (claims give up delayed or lost NEAR in that
    /// order: the last has the most time to get it again), else the earliest first and spare
    /// last. Returns the parts taken, by tranche.
    fn take(&mut self, validator: u16, mut amount: u128, latest: bool) -> Vec<(u64, u128)> {
        let mut taken = Vec::new();
        while amount > 0 {
            let mut next = None;
            for (i, c) in self.cells.iter().enumerate() {
                let key = if latest { u64::MAX - c.tranche } else { c.tranche };
                if c.validator == validator && c.amount > 0 && next.is_none_or(|(k, _)| key < k) {
                    next = Some((key, i));
                }
            }
            let Some((_, i)) = next else { break };
            let part = amount.min(self.cells[i].amount);
            self.cells[i].amount -= part;
            amount -= part;
            taken.push((self.cells[i].tranche, part));
        }
        taken
    }

    /// The cells of validator `from` are now validator `to`'s (it took `from`'s index).
    pub fn renumber(&mut self, from: u16, to: u16) {
        self.cells.iter_mut().filter(|c| c.validator == from).for_each(|c| c.validator = to);
    }
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
    t.buffered.saturating_sub(t.claims.short(epoch.min(unlock.saturating_sub(1))))
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
    amount - amount.min(t.buffered.saturating_sub(t.claims.short(epoch)))
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
/// the buffer's covers: a tranche's cells beyond what it still has unstaking are set free, and
/// a tranche with more unstaking than cells (a claim moved in from another tranche) takes free
/// cells.
pub fn reconcile(t: &mut Totals, f: &mut InFlight) {
    let book = &mut t.claims;
    let mut need: Vec<u128> = book.tranches.iter().map(Tranche::unstaking).collect();
    for i in 0..f.cells.len() {
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
        f.add(SPARE, cell.validator, cell.amount - kept);
    }
    for i in 0..f.cells.len() {
        let cell = f.cells[i];
        if cell.tranche != SPARE {
            continue;
        }
        let mut left = cell.amount;
        for (k, tranche) in book.tranches.iter().enumerate() {
            let taken = need[k].min(left);
            need[k] -= taken;
            left -= taken;
            f.add(tranche.epoch, cell.validator, taken);
        }
        f.cells[i].amount = left;
    }
    // NEAR unstaking that no cell carries (only a bug could leave any) is requested again.
    for (tranche, need) in book.tranches.iter_mut().zip(need) {
        tranche.queued += need;
    }
}

/// `queued → unstaking`: `amount` of the queue sent to `validator`, earliest tranche first.
/// Anything beyond the queue is spare.
pub fn sent(t: &mut Totals, f: &mut InFlight, amount: u128, validator: u16) {
    reconcile(t, f);
    let mut left = amount;
    for tr in t.claims.tranches.iter_mut() {
        let part = left.min(tr.queued);
        tr.queued -= part;
        left -= part;
        f.add(tr.epoch, validator, part);
    }
    f.add(SPARE, validator, left);
}

/// `unstaking → queued`: `amount` of the claims `validator` was unstaking will not come from
/// it (it refused or failed, turned faulty, lost NEAR or was written off). Spare NEAR goes
/// first, then the tranches unlocking last; their requests join the queue again, where the
/// buffer pays what it can ([`pay_from_buffer`]).
pub fn requeued(t: &mut Totals, f: &mut InFlight, amount: u128, validator: u16, epoch: u64) {
    reconcile(t, f);
    for (tranche, part) in f.take(validator, amount, true) {
        if tranche != SPARE {
            t.claims.tranche(tranche).queued += part;
        }
    }
    pay_from_buffer(t, epoch);
}

/// `unstaking → ready`: `amount` withdrawn from `validator` for the claims it was unstaking,
/// to their tranches, earliest first. Returns what no tranche counts on any more (spare NEAR,
/// or more than was in flight), which the caller books as fresh NEAR.
pub fn arrived(t: &mut Totals, f: &mut InFlight, amount: u128, validator: u16) -> u128 {
    reconcile(t, f);
    let mut spare = amount;
    for (tranche, part) in f.take(validator, amount, false) {
        if tranche != SPARE {
            t.claims.tranche(tranche).ready += part;
            spare -= part;
        }
    }
    spare
}
