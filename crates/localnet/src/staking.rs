//! Validators and epochs, with the protocol's timing, seats and rewards.
//!
//! A Stake action made in epoch `T` is a proposal for the validator set of epoch `T + 2`. At
//! each epoch boundary `E -> E + 1`:
//! 1. every validator of epoch `E` earns on its stake of epoch `E`, scaled by its uptime
//!    ([`Rewards`]); the reward is added to its locked balance;
//! 2. validators of `E` that produced less than 80% of what they were expected to are kicked
//!    out (nearcore's block and chunk producer kickout threshold);
//! 3. the set of epoch `E + 2` is chosen from the candidates: each validator of `E + 1` rolls
//!    over with its stake, replaced by its latest proposal of epoch `E` if it made one (0 leaves
//!    the set), plus the reward it just earned; kicked-out accounts are left out. [`Seats`]
//!    decides who gets a seat and the seat price;
//! 4. stake is returned: each account keeps locked the largest of its stakes in the sets of
//!    `E`, `E + 1` and `E + 2`; the rest of its locked balance becomes liquid (so a proposal
//!    that won no seat is returned at once).
//!
//! So lowered stake becomes liquid at the third boundary after the proposal, as on chain, and
//! a kicked-out validator keeps its seat (and `validator_stake` answers its stake) for the rest
//! of the epoch and all of the next.

use near_primitives_core::types::AccountId;
use shares::{U256, mul_div_ceil};
use std::collections::{BTreeMap, BTreeSet};

/// A fraction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub numerator: u128,
    pub denominator: u128,
}

impl Rate {
    pub const ZERO: Rate = Rate { numerator: 0, denominator: 1 };
    pub const ONE: Rate = Rate { numerator: 1, denominator: 1 };

    pub fn of(&self, amount: u128) -> u128 {
        amount * self.numerator / self.denominator
    }
}

/// nearcore's `minimum_stake_divisor`: a Stake action needs a tenth of the seat price.
const MINIMUM_STAKE_DIVISOR: u128 = 10;
/// Uptime below which a validator earns nothing (`online_min_threshold`), and from which it
/// earns everything (`online_max_threshold`).
const ONLINE_MIN: Rate = Rate { numerator: 9, denominator: 10 };
const ONLINE_MAX: Rate = Rate { numerator: 99, denominator: 100 };
/// Uptime below which a validator is kicked out (block and chunk producers: 80%).
const KICKOUT: Rate = Rate { numerator: 80, denominator: 100 };
const NS_PER_YEAR: u128 = 365 * 24 * 60 * 60 * 1_000_000_000;

/// How validators are paid at an epoch's end.
#[derive(Clone, Debug)]
pub enum Rewards {
    /// Each validator earns this fraction of its stake per epoch, times its uptime factor
    /// (overridable per validator): for test chains, whose total supply is not mainnet's.
    PerEpoch(Rate),
    /// Mainnet's rule: `max_inflation_rate` of the total supply a year, pro rata for the
    /// epoch's duration; `protocol_reward_rate` of it is minted to the treasury account
    /// (liquid), the rest shared by the validators by stake, times their uptime factor.
    Inflation { max_inflation_rate: Rate, protocol_reward_rate: Rate, treasury: AccountId },
}

impl Rewards {
    /// Mainnet's parameters: 1/40 a year (since protocol 81), 1/10 to the treasury `near`.
    pub fn mainnet() -> Rewards {
        Rewards::Inflation {
            max_inflation_rate: Rate { numerator: 1, denominator: 40 },
            protocol_reward_rate: Rate { numerator: 1, denominator: 10 },
            treasury: "near".parse().expect("valid account id"),
        }
    }
}

/// The seats of each validator role and the smallest share of the stake a seat may hold.
#[derive(Clone, Debug)]
pub struct Seats {
    pub block_producers: usize,
    pub chunk_producers: usize,
    pub chunk_validators: usize,
    pub minimum_stake_ratio: Rate,
}

impl Default for Seats {
    /// Mainnet's: 100 block and chunk producer seats, 500 chunk validator seats, 1/62,500.
    fn default() -> Self {
        Seats {
            block_producers: 100,
            chunk_producers: 100,
            chunk_validators: 500,
            minimum_stake_ratio: Rate { numerator: 1, denominator: 62_500 },
        }
    }
}

impl Seats {
    /// The validators chosen among `candidates` and the seat price, as nearcore's
    /// `select_validators` does for each role from the same proposals: in order of stake
    /// (ties: the larger account id first), a candidate takes a seat while seats are left and
    /// its stake is more than the ratio of the total taken so far with it. A role whose seats
    /// all filled prices a seat at its smallest stake + 1, otherwise at the least stake the
    /// ratio would admit, `ceil(r * total / (1 - r))`. The set is the union of the roles (the
    /// longest of the prefixes), the seat price the lowest of their prices.
    fn select(&self, candidates: BTreeMap<AccountId, u128>) -> (BTreeMap<AccountId, u128>, u128) {
        let mut sorted: Vec<(AccountId, u128)> = candidates.into_iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        let r = self.minimum_stake_ratio;
        let mut chosen = 0;
        let mut price = u128::MAX;
        for seats in [self.block_producers, self.chunk_producers, self.chunk_validators] {
            let mut total = 0u128;
            let mut taken = 0;
            for (_, stake) in sorted.iter().take(seats) {
                let with = total + stake;
                if U256::from(*stake) * U256::from(r.denominator) <= U256::from(r.numerator) * U256::from(with) {
                    break;
                }
                total = with;
                taken += 1;
            }
            let role_price = if taken == seats && taken > 0 {
                sorted[taken - 1].1 + 1
            } else {
                mul_div_ceil(r.numerator, total, r.denominator - r.numerator).expect("seat price fits")
            };
            chosen = chosen.max(taken);
            price = price.min(role_price);
        }
        sorted.truncate(chosen);
        (sorted.into_iter().collect(), price)
    }
}

/// `min(1, (uptime - 90%) / (99% - 90%))` as (numerator, denominator), 0 below 90%, computed
/// as nearcore's reward calculator does.
fn uptime_factor(uptime: Rate) -> (u128, u128) {
    let (a_n, a_d) = (uptime.numerator, uptime.denominator);
    if a_n * ONLINE_MIN.denominator < ONLINE_MIN.numerator * a_d {
        return (0, 1);
    }
    let span = ONLINE_MAX.numerator * ONLINE_MIN.denominator - ONLINE_MIN.numerator * ONLINE_MAX.denominator;
    let numerator = (a_n * ONLINE_MIN.denominator - ONLINE_MIN.numerator * a_d) * ONLINE_MAX.denominator;
    let denominator = span * a_d;
    (numerator.min(denominator), denominator)
}

#[derive(Clone, Debug)]
pub struct Staking {
    /// Validator sets (account -> stake) of the current epoch and the next one.
    current: BTreeMap<AccountId, u128>,
    next: BTreeMap<AccountId, u128>,
    /// This epoch's proposals; the last one of each account counts.
    proposals: BTreeMap<AccountId, u128>,
    /// Share of its expected blocks, chunks and endorsements each validator produces (all
    /// unless a test says otherwise).
    uptime: BTreeMap<AccountId, Rate>,
    rewards: Rewards,
    /// Per-validator rates under [`Rewards::PerEpoch`].
    rates: BTreeMap<AccountId, Rate>,
    seats: Seats,
    /// The seat price of the next epoch (the set chosen last).
    seat_price: u128,
    /// Validators the last boundary kicked out for their uptime.
    last_kickouts: BTreeSet<AccountId>,
}

/// The validator sets as RPC's `validators` shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochInfo {
    pub current: BTreeMap<AccountId, u128>,
    pub next: BTreeMap<AccountId, u128>,
    pub proposals: BTreeMap<AccountId, u128>,
    /// Validators of this epoch that the end of the last one kicked out of the set after next.
    pub kicked_out: BTreeSet<AccountId>,
    pub seat_price: u128,
    /// The share of its expected blocks, chunks and endorsements each current validator
    /// produces.
    pub uptime: BTreeMap<AccountId, Rate>,
}

/// What a boundary changed for one account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BoundaryChange {
    /// Added to the locked balance.
    pub reward: u128,
    /// Moved from the locked balance to the liquid one.
    pub returned: u128,
    /// Minted to the liquid balance (the treasury's share).
    pub minted: u128,
}

impl Staking {
    pub fn new(rewards: Rewards, seats: Seats) -> Self {
        assert!(seats.block_producers > 0 && seats.chunk_producers > 0 && seats.chunk_validators > 0);
        Staking {
            current: BTreeMap::new(),
            next: BTreeMap::new(),
            proposals: BTreeMap::new(),
            uptime: BTreeMap::new(),
            rewards,
            rates: BTreeMap::new(),
            seats,
            seat_price: 0,
            last_kickouts: BTreeSet::new(),
        }
    }

    pub fn propose(&mut self, account: &AccountId, stake: u128) {
        self.proposals.insert(account.clone(), stake);
    }

    /// The least stake a Stake action may ask for (other than 0): the next epoch's seat price
    /// divided by 10.
    pub fn minimum_stake(&self) -> u128 {
        self.seat_price / MINIMUM_STAKE_DIVISOR
    }

    /// The current epoch's validators with their stake (what `validator_stake` answers), those
    /// being kicked out included until their kickout takes effect.
    pub fn active(&self) -> BTreeMap<AccountId, u128> {
        self.current.clone()
    }

    pub fn epoch_info(&self) -> EpochInfo {
        EpochInfo {
            current: self.current.clone(),
            next: self.next.clone(),
            proposals: self.proposals.clone(),
            kicked_out: self.last_kickouts.clone(),
            seat_price: self.seat_price,
            uptime: self.current.keys().map(|a| (a.clone(), self.uptime(a))).collect(),
        }
    }

    pub fn set_uptime(&mut self, account: &AccountId, uptime: Rate) {
        self.uptime.insert(account.clone(), uptime);
    }

    pub fn set_rate(&mut self, account: &AccountId, rate: Rate) {
        self.rates.insert(account.clone(), rate);
    }

    fn uptime(&self, account: &AccountId) -> Rate {
        self.uptime.get(account).copied().unwrap_or(Rate::ONE)
    }

    fn kicked_out(&self, account: &AccountId) -> bool {
        let u = self.uptime(account);
        self.current.contains_key(account) && u.numerator * KICKOUT.denominator < KICKOUT.numerator * u.denominator
    }

    /// Rewards of the current epoch's validators, and what the treasury mints.
    fn rewards(
        &self,
        total_supply: u128,
        epoch_duration_ns: u64,
    ) -> (BTreeMap<AccountId, u128>, Option<(AccountId, u128)>) {
        let total_stake: u128 = self.current.values().sum();
        let (pool, treasury) = match &self.rewards {
            Rewards::PerEpoch(_) => (None, None),
            Rewards::Inflation { max_inflation_rate: i, protocol_reward_rate: p, treasury } => {
                let total = (U256::from(i.numerator) * U256::from(total_supply) * U256::from(epoch_duration_ns)
                    / (U256::from(NS_PER_YEAR) * U256::from(i.denominator)))
                .as_u128();
                let to_treasury = mul_div_floor_u(total, p.numerator, p.denominator);
                (Some(total - to_treasury), Some((treasury.clone(), to_treasury)))
            }
        };
        let rewards = self
            .current
            .iter()
            .map(|(account, stake)| {
                let (u_n, u_d) = uptime_factor(self.uptime(account));
                let reward = match (&self.rewards, pool) {
                    (Rewards::PerEpoch(default), _) => {
                        let rate = self.rates.get(account).unwrap_or(default);
                        mul_div_floor_u(rate.of(*stake), u_n, u_d)
                    }
                    (_, Some(pool)) => (U256::from(pool) * U256::from(u_n) * U256::from(*stake)
                        / U256::from(u_d)
                        / U256::from(total_stake))
                    .as_u128(),
                    (_, None) => unreachable!("an inflation pool is computed above"),
                };
                (account.clone(), reward)
            })
            .collect();
        (rewards, treasury)
    }

    /// Crosses one epoch boundary. `locked` holds every account with a locked balance; the
    /// answer lists, per account, the reward to add, the stake to return and what it mints.
    pub fn end_epoch(
        &mut self,
        locked: &BTreeMap<AccountId, u128>,
        total_supply: u128,
        epoch_duration_ns: u64,
    ) -> BTreeMap<AccountId, BoundaryChange> {
        let (rewards, treasury) = self.rewards(total_supply, epoch_duration_ns);
        let reward_of = |a: &AccountId| rewards.get(a).copied().unwrap_or(0);
        let mut changes: BTreeMap<AccountId, BoundaryChange> = rewards
            .iter()
            .filter(|(_, r)| **r > 0)
            .map(|(a, r)| (a.clone(), BoundaryChange { reward: *r, ..Default::default() }))
            .collect();
        if let Some((treasury, minted)) = treasury {
            changes.entry(treasury).or_default().minted = minted;
        }

        let candidates: BTreeMap<AccountId, u128> = self
            .next
            .keys()
            .chain(self.proposals.keys())
            .filter(|account| !self.kicked_out(account))
            .filter_map(|account| {
                let stake = self.proposals.get(account).or(self.next.get(account)).copied().unwrap_or(0);
                (stake > 0).then(|| (account.clone(), stake + reward_of(account)))
            })
            .collect();
        let (after_next, seat_price) = self.seats.select(candidates);

        let stakers: BTreeSet<AccountId> = locked
            .keys()
            .chain(self.current.keys())
            .chain(self.next.keys())
            .chain(after_next.keys())
            .cloned()
            .collect();
        for account in stakers {
            let keep = [&self.current, &self.next, &after_next]
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

        self.last_kickouts = self.current.keys().filter(|a| self.kicked_out(a)).cloned().collect();
        self.current = std::mem::replace(&mut self.next, after_next);
        self.seat_price = seat_price;
        self.proposals.clear();
        changes
    }
}

fn mul_div_floor_u(a: u128, b: u128, c: u128) -> u128 {
    shares::mul_div_floor(a, b, c).expect("a fraction of at most 1 fits")
}
