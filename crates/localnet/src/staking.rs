//! Validators and epochs, with the protocol's timing.
//!
//! A Stake action made in epoch `T` is a proposal for the validator set of epoch `T + 2`. At
//! each epoch boundary `E -> E + 1`:
//! 1. every online validator of epoch `E` earns `stake * rate` on its stake of epoch `E`, added to
//!    its locked balance;
//! 2. the set of epoch `E + 2` is formed: each validator of `E + 1` rolls over with its stake,
//!    replaced by its latest proposal of epoch `E` if it made one (0 leaves the set), plus the
//!    reward it just earned; offline validators are kicked out;
//! 3. stake is returned: each account keeps locked the largest of its stakes in the sets of
//!    `E`, `E + 1`, `E + 2` and its last proposal; the rest of its locked balance becomes liquid.
//!
//! So lowered stake becomes liquid at the third boundary after the proposal, as on chain.
//! Taking a validator offline models one that stops producing: it earns nothing from then on,
//! and the boundary at the end of the epoch kicks it out of the set two epochs ahead, as
//! nearcore does. `validator_stake` answers from the current epoch's set, so it still shows the
//! validator's stake for the rest of this epoch and all of the next, and 0 from the one after.

use near_primitives_core::types::AccountId;
use std::collections::{BTreeMap, BTreeSet};

/// A reward rate per epoch, as a fraction of the stake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub numerator: u128,
    pub denominator: u128,
}

impl Rate {
    pub const ZERO: Rate = Rate { numerator: 0, denominator: 1 };

    pub fn of(&self, amount: u128) -> u128 {
        amount * self.numerator / self.denominator
    }
}

#[derive(Clone, Debug)]
pub struct Staking {
    /// Validator sets (account -> stake) of the current epoch and the next one.
    current: BTreeMap<AccountId, u128>,
    next: BTreeMap<AccountId, u128>,
    /// This epoch's proposals; the last one of each account counts.
    proposals: BTreeMap<AccountId, u128>,
    offline: BTreeSet<AccountId>,
    default_rate: Rate,
    rates: BTreeMap<AccountId, Rate>,
    /// The smallest stake a proposal may ask for (other than 0).
    pub minimum_stake: u128,
}

/// What a boundary changed for one account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BoundaryChange {
    pub reward: u128,
    pub returned: u128,
}

impl Staking {
    pub fn new(default_rate: Rate, minimum_stake: u128) -> Self {
        Staking {
            current: BTreeMap::new(),
            next: BTreeMap::new(),
            proposals: BTreeMap::new(),
            offline: BTreeSet::new(),
            default_rate,
            rates: BTreeMap::new(),
            minimum_stake,
        }
    }

    pub fn propose(&mut self, account: &AccountId, stake: u128) {
        self.proposals.insert(account.clone(), stake);
    }

    /// The current epoch's validators with their stake (what `validator_stake` answers), offline
    /// ones included until their kickout takes effect.
    pub fn active(&self) -> BTreeMap<AccountId, u128> {
        self.current.clone()
    }

    pub fn set_online(&mut self, account: &AccountId, online: bool) {
        if online {
            self.offline.remove(account);
        } else {
            self.offline.insert(account.clone());
        }
    }

    pub fn set_rate(&mut self, account: &AccountId, rate: Rate) {
        self.rates.insert(account.clone(), rate);
    }

    pub fn rate(&self, account: &AccountId) -> Rate {
        self.rates.get(account).copied().unwrap_or(self.default_rate)
    }

    /// Crosses one epoch boundary. `locked` holds every account with a locked balance; the
    /// answer lists, per account, the reward to add to and the stake to return from it.
    pub fn end_epoch(&mut self, locked: &BTreeMap<AccountId, u128>) -> BTreeMap<AccountId, BoundaryChange> {
        let rewards: BTreeMap<AccountId, u128> = self
            .current
            .iter()
            .filter(|(account, _)| !self.offline.contains(*account))
            .map(|(account, stake)| (account.clone(), self.rate(account).of(*stake)))
            .collect();
        let reward_of = |a: &AccountId| rewards.get(a).copied().unwrap_or(0);
        let mut changes: BTreeMap<AccountId, BoundaryChange> =
            rewards.iter().map(|(a, r)| (a.clone(), BoundaryChange { reward: *r, returned: 0 })).collect();

        let mut after_next = BTreeMap::new();
        let candidates: BTreeSet<&AccountId> = self.next.keys().chain(self.proposals.keys()).collect();
        for account in candidates {
            if self.offline.contains(account) {
                continue;
            }
            let stake = self.proposals.get(account).or(self.next.get(account)).copied().unwrap_or(0);
            if stake > 0 {
                after_next.insert(account.clone(), stake + reward_of(account));
            }
        }

        let stakers: BTreeSet<AccountId> = locked
            .keys()
            .chain(self.current.keys())
            .chain(self.next.keys())
            .chain(after_next.keys())
            .chain(self.proposals.keys())
            .cloned()
            .collect();
        for account in stakers {
            let keep = [&self.current, &self.next, &after_next, &self.proposals]
                .iter()
                .filter_map(|set| set.get(&account).copied())
                .max()
                .unwrap_or(0);
            let locked_now = locked.get(&account).copied().unwrap_or(0) + reward_of(&account);
            let returned = locked_now.saturating_sub(keep);
            if returned > 0 {
                changes.entry(account).or_default().returned = returned;
            }
        }

        self.current = std::mem::replace(&mut self.next, after_next);
        self.proposals.clear();
        changes
    }
}
