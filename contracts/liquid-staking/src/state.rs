//! Storage layout. Each method reads only the records it needs, so the cost of a user call does
//! not grow with the number of holders or validators:
//!
//! | key | value |
//! | --- | --- |
//! | `t` | [`Totals`]: supply, price and asset buckets (every staking call; LEB128 numbers) |
//! | `c` | [`Config`]: roles, fee and limits (views, governance and the crank) |
//! | `k` | the epoch crank's progress ([`crate::crank`]) |
//! | `w` | the validator set's totals ([`crate::validators`]) |
//! | `v` + index (u16 LE) | a validator ([`crate::validators`]) |
//! | `V` + account id | a validator's index |
//! | `m` | token metadata (`ft_metadata` only) |
//! | `s` | the seed stake's tokens, owned by the contract account (`ft_balance_of` only) |
//! | `f` | claims' NEAR being unstaked, by tranche and arrival epoch ([`crate::claims`]) |
//! | `a` + account id | [`Holder`]: tokens, unstaked and deposited NEAR (56 bytes) |
//! | `i` + index (u32 LE) | the account id of holder number `index`, for paging |
//! | `h` + epoch % 64 (u8) | the price after that epoch's rewards ([`crate::history`]) |
//!
//! A holder occupies `142 + 2 * len(account id)` bytes, which it pays for when it registers.

use crate::config::{Config, LiquidityConfig};
use crate::errors;
use crate::record::{self, Record};
use near_sdk::{AccountId, env};

const TOTALS: &[u8] = b"t";
pub const CONFIG: &[u8] = b"c";
pub const METADATA: &[u8] = b"m";
/// The seed stake's tokens (u128), held by the contract account for ever.
pub const SEED: &[u8] = b"s";
const HOLDER: u8 = b'a';
const INDEX: u8 = b'i';
const PROVIDER: u8 = b'p';
const LIQUIDITY_CONFIG: &[u8] = b"L";

/// Bytes a holder occupies beyond twice its account id: the holder record (1-byte prefix, 56-byte
/// value, 40 bytes of record overhead) and the index entry (5-byte key, 40 bytes of overhead).
const HOLDER_BYTES: u64 = 1 + 56 + 40 + 5 + 40;

/// The pool's supply, price and asset buckets. Assets are tracked here, never inferred from the
/// account balance, so NEAR sent to the contract outside these flows cannot move the price.
/// Stored as LEB128 numbers ([`Totals::encode`]): every call reads and writes this record and
/// pays per byte, and most figures are far below 2^128 or 0.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Tokens in existence, including the dead shares of the seed stake.
    pub total_shares: u128,
    /// NEAR backing the tokens: one token is worth `total_staked / total_shares`.
    pub total_staked: u128,
    /// Staked NEAR held by the contract, waiting to be delegated to validators.
    pub buffered: u128,
    /// NEAR holders paid for their storage, returned when they unregister.
    pub storage_deposits: u128,
    /// Registered holders.
    pub holders: u32,
    /// NEAR staked at validators (as they last reported, or as sent since).
    pub delegated: u128,
    /// NEAR unstaked at validators, waiting out their unlock (for claims, and NEAR moving to
    /// other validators).
    pub unstaking: u128,
    /// NEAR holders parked with `deposit`: theirs alone, withdrawable at any time.
    pub deposits: u128,
    /// Rewards received but not yet in the price, held back by the per-epoch rate bound.
    pub pending_rewards: u128,
    /// What validators can release for the exit queue, and when ([`crate::exit`]).
    pub capacity: Capacity,
    /// NEAR in the instant-unstake pool, available for swaps.
    pub liquidity: u128,
    /// Swap fees owed to liquidity providers, joining `liquidity` each epoch.
    pub liquidity_fees: u128,
    /// Swap fees owed to the treasury, staked for it each epoch.
    pub treasury_fees: u128,
    /// Deposits, staking, instant unstake and new liquidity are stopped before this epoch.
    pub paused_until: u64,
    /// Holders' unstaked balances (and the instant-unstake pool's claim) by unlock epoch, and
    /// where each epoch's NEAR is ([`crate::claims`] moves it).
    pub claims: Book,
    /// The epoch the state was migrated to this layout (the next version's new field).
    #[cfg(feature = "next-version")]
    pub migrated_at_epoch: u64,
}

/// What validators can unstake for the queue now (maintained by the crank; see `crate::exit::Releases`
/// for later epochs). Stored within [`Totals`]; its rules are in [`crate::exit`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capacity {
    /// The epoch these figures (and the releases) are for.
    pub epoch: u64,
    /// Stake at validators that can unstake in `epoch` and have not unstaked in it.
    pub free: u128,
    /// Stake at validators that unstaked in `epoch`: they can unstake more in it without
    /// moving their unlock epoch.
    pub added: u128,
    /// Unstakes from this block on are late for `epoch` (`u64::MAX`: not known yet).
    pub late_from_block: u64,
    /// The block of the first unstake waiting for a crank call since the last one (0: none).
    pub unserved_since: u64,
    /// The last epoch in which a crank came later than [`crate::config::SERVE_BLOCKS`] after
    /// an unstake waiting for it (0: never).
    pub keeper_late_epoch: u64,
}

/// The claim book: every NEAR owed for unstaked balances, grouped by the epoch it unlocks in
/// (a *tranche*), with where that tranche's NEAR is. Each yocto of the reserve belongs to one
/// tranche (or to `matured`), and a claim is paid only from its own tranche's NEAR, so a late
/// tranche never takes NEAR another one counts on. Stored within [`Totals`]: every unstake and
/// withdrawal reads it anyway, and a handful of tranches are alive at a time (those unlocking
/// in the next few epochs, and any due but not yet paid for). Movements are in
/// [`crate::claims`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Book {
    /// Claims due and paid for in full: their NEAR is in the reserve.
    pub matured: u128,
    /// The other claims, by unlock epoch (ascending, one tranche per epoch).
    pub tranches: Vec<Tranche>,
}

/// The claims that unlock in one epoch, and their NEAR: `ready` in the reserve, `queued` still
/// staked and not yet requested from validators, and the rest (`owed - ready - queued`, see
/// [`Tranche::unstaking`]) being unstaked at validators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tranche {
    pub epoch: u64,
    pub owed: u128,
    pub ready: u128,
    pub queued: u128,
}

impl Tranche {
    /// Its NEAR being unstaked at validators.
    pub fn unstaking(&self) -> u128 {
        self.owed - self.ready - self.queued
    }

    /// Its NEAR not yet in the reserve.
    pub fn missing(&self) -> u128 {
        self.owed - self.ready
    }
}

impl Book {
    /// The tranche of claims unlocking in `epoch`, if any is left.
    pub fn get(&self, epoch: u64) -> Option<&Tranche> {
        self.tranches.iter().find(|t| t.epoch == epoch)
    }

    /// The sum of `part` over the tranches unlocking by `epoch` (one loop for every figure:
    /// each copy of a loop costs every call its bytes to load).
    fn sum(&self, part: fn(&Tranche) -> u128, epoch: u64) -> u128 {
        let mut sum = 0;
        for t in &self.tranches {
            if t.epoch <= epoch {
                sum += part(t);
            }
        }
        sum
    }

    /// NEAR in the reserve.
    pub fn reserve(&self) -> u128 {
        self.matured + self.sum(|t| t.ready, u64::MAX)
    }

    /// NEAR owed for unstaked balances.
    pub fn owed(&self) -> u128 {
        self.matured + self.sum(|t| t.owed, u64::MAX)
    }

    /// NEAR still to be requested from validators (for claims unlocking by `epoch`).
    pub fn queued(&self, epoch: u64) -> u128 {
        self.sum(|t| t.queued, epoch)
    }

    /// NEAR being unstaked at validators for claims.
    pub fn unstaking(&self) -> u128 {
        self.sum(Tranche::unstaking, u64::MAX)
    }

    /// What claims due by `epoch` miss in the reserve (NEAR still arriving, or late).
    pub fn short(&self, epoch: u64) -> u128 {
        self.sum(Tranche::missing, epoch)
    }

    /// What the reserve can pay now of a claim unlocking at `unlock` (due by `epoch`): its
    /// tranche's NEAR in the reserve (all of `matured` once the tranche joined it).
    pub fn payable(&self, unlock: u64, epoch: u64) -> u128 {
        match self.get(unlock) {
            _ if unlock > epoch => 0,
            Some(t) => t.ready,
            None => self.matured,
        }
    }
}

/// A holder's balances.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holder {
    /// Liquid staking tokens (the holder's shares of the pool).
    pub shares: u128,
    /// Unstaked NEAR owed to the holder, withdrawable from `unlock_epoch`.
    pub unstaked: u128,
    /// NEAR the holder deposited and has not staked: withdrawable at any time.
    pub deposited: u128,
    /// The epoch from which `unstaked` may be withdrawn.
    pub unlock_epoch: u32,
    /// Position in the holder index.
    pub index: u32,
}

record::record!(Holder { shares, unstaked, deposited, unlock_epoch, index });

impl Holder {
    /// All the NEAR owed to the holder: the staking-pool interface's unstaked balance.
    pub fn owed(&self) -> u128 {
        self.unstaked + self.deposited
    }

    /// Whether the unstaked part can be withdrawn in `epoch`.
    pub fn unlocked(&self, epoch: u64) -> bool {
        self.unstaked == 0 || self.unlock_epoch as u64 <= epoch
    }

    /// What the holder can withdraw in `epoch`: its deposits, and its unstaked NEAR once unlocked.
    pub fn withdrawable(&self, epoch: u64) -> u128 {
        self.deposited + if self.unlocked(epoch) { self.unstaked } else { 0 }
    }

    /// Takes `amount` of what it is owed, deposits first (they wait for nothing); returns the
    /// parts taken from deposits and from unstaked NEAR.
    pub fn take_owed(&mut self, amount: u128) -> (u128, u128) {
        let from_deposits = amount.min(self.deposited);
        self.deposited -= from_deposits;
        self.unstaked -= amount - from_deposits;
        (from_deposits, amount - from_deposits)
    }
}

pub fn read<T: Record>(key: &[u8]) -> Option<T> {
    env::storage_read(key).map(|bytes| record::decode(&bytes))
}

pub fn write<T: Record>(key: &[u8], value: &T) {
    env::storage_write(key, &record::encode(value));
}

/// Version 1 to 2 of the state: `Totals` gains `migrated_at_epoch` (a trailing number).
#[cfg(feature = "next-version")]
pub fn migrate_totals_to_v2() {
    let bytes = env::storage_read(TOTALS).unwrap_or_else(|| env::panic_str(errors::state::NOT_INITIALIZED));
    let mut out = Leb128(bytes);
    out.put(env::epoch_height() as u128);
    env::storage_write(TOTALS, &out.0);
}

/// Numbers written as unsigned LEB128: 7 bits a byte, the high bit set on all but the last.
struct Leb128(Vec<u8>);

impl Leb128 {
    fn put(&mut self, mut value: u128) {
        while value >= 0x80 {
            self.0.push(value as u8 | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }
}

/// Reads numbers written by [`Leb128`]; any malformed or missing byte is a corrupt state.
struct Leb128Reader<'a>(&'a [u8]);

impl Leb128Reader<'_> {
    fn take(&mut self) -> u128 {
        let mut value = 0u128;
        for shift in (0..128).step_by(7) {
            let Some((&byte, rest)) = self.0.split_first() else { break };
            self.0 = rest;
            value |= ((byte & 0x7f) as u128) << shift;
            if byte < 0x80 {
                return value;
            }
        }
        env::panic_str(errors::state::CORRUPT)
    }

    fn take_u64(&mut self) -> u64 {
        u64::try_from(self.take()).unwrap_or_else(|_| env::panic_str(errors::state::CORRUPT))
    }

    /// The claim book: `matured`, the number of tranches, then each tranche's four numbers.
    fn take_book(&mut self) -> Book {
        let matured = self.take();
        let count = self.take();
        let mut tranches = Vec::new();
        for _ in 0..count {
            let (epoch, owed, ready, queued) = (self.take_u64(), self.take(), self.take(), self.take());
            if ready.checked_add(queued).is_none_or(|funded| funded > owed) {
                env::panic_str(errors::state::CORRUPT)
            }
            tranches.push(Tranche { epoch, owed, ready, queued });
        }
        Book { matured, tranches }
    }
}

/// Whether `new` has run.
pub fn initialized() -> bool {
    env::storage_has_key(TOTALS)
}

impl Totals {
    pub fn load() -> Self {
        let bytes = env::storage_read(TOTALS).unwrap_or_else(|| env::panic_str(errors::state::NOT_INITIALIZED));
        Self::decode(&bytes)
    }

    pub fn save(&self) {
        env::storage_write(TOTALS, &self.encode());
    }

    /// Every field in declaration order, as LEB128.
    fn encode(&self) -> Vec<u8> {
        let c = &self.capacity;
        let mut out = Leb128(Vec::with_capacity(192));
        for value in [
            self.total_shares,
            self.total_staked,
            self.buffered,
            self.storage_deposits,
            self.holders as u128,
            self.delegated,
            self.unstaking,
            self.deposits,
            self.pending_rewards,
            c.epoch as u128,
            c.free,
            c.added,
            c.late_from_block as u128,
            c.unserved_since as u128,
            c.keeper_late_epoch as u128,
            self.liquidity,
            self.liquidity_fees,
            self.treasury_fees,
            self.paused_until as u128,
            self.claims.matured,
            self.claims.tranches.len() as u128,
        ] {
            out.put(value);
        }
        for t in &self.claims.tranches {
            for value in [t.epoch as u128, t.owed, t.ready, t.queued] {
                out.put(value);
            }
        }
        #[cfg(feature = "next-version")]
        out.put(self.migrated_at_epoch as u128);
        out.0
    }

    fn decode(bytes: &[u8]) -> Self {
        let mut r = Leb128Reader(bytes);
        // Fields are read in the order they are written.
        let totals = Totals {
            total_shares: r.take(),
            total_staked: r.take(),
            buffered: r.take(),
            storage_deposits: r.take(),
            holders: u32::try_from(r.take()).unwrap_or_else(|_| env::panic_str(errors::state::CORRUPT)),
            delegated: r.take(),
            unstaking: r.take(),
            deposits: r.take(),
            pending_rewards: r.take(),
            capacity: Capacity {
                epoch: r.take_u64(),
                free: r.take(),
                added: r.take(),
                late_from_block: r.take_u64(),
                unserved_since: r.take_u64(),
                keeper_late_epoch: r.take_u64(),
            },
            liquidity: r.take(),
            liquidity_fees: r.take(),
            treasury_fees: r.take(),
            paused_until: r.take_u64(),
            claims: r.take_book(),
            #[cfg(feature = "next-version")]
            migrated_at_epoch: r.take_u64(),
        };
        if !r.0.is_empty() {
            env::panic_str(errors::state::CORRUPT);
        }
        totals
    }
}

impl Config {
    /// The configuration in force: scheduled changes whose epoch has come are applied.
    pub fn load() -> Self {
        let mut config: Config = read(CONFIG).unwrap_or_else(|| env::panic_str(errors::state::NOT_INITIALIZED));
        config.apply_due(env::epoch_height());
        config
    }
}

fn holder_key(account_id: &AccountId) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + account_id.len());
    key.push(HOLDER);
    key.extend_from_slice(account_id.as_bytes());
    key
}

fn index_key(index: u32) -> [u8; 5] {
    let [a, b, c, d] = index.to_le_bytes();
    [INDEX, a, b, c, d]
}

/// The holder record of `account_id`, if it is registered.
pub fn holder(account_id: &AccountId) -> Option<Holder> {
    read(&holder_key(account_id))
}

/// The holder record of a registered account; panics with the NEP-141 error otherwise.
pub fn registered(account_id: &AccountId) -> Holder {
    holder(account_id).unwrap_or_else(|| env::panic_str(&errors::token::not_registered(account_id.as_str())))
}

pub fn save_holder(account_id: &AccountId, holder: &Holder) {
    write(&holder_key(account_id), holder);
}

/// NEAR an account pays to register: the storage its records occupy.
pub fn storage_cost(account_id: &AccountId) -> u128 {
    storage_cost_for_len(account_id.len())
}

pub fn storage_cost_for_len(len: usize) -> u128 {
    (HOLDER_BYTES + 2 * len as u64) as u128 * env::storage_byte_cost().as_yoctonear()
}

/// Adds `account_id` to the holder index with nothing (the caller saves the returned record and
/// books its storage payment: [`crate::ledger::register`]).
pub fn add_holder(totals: &mut Totals, account_id: &AccountId) -> Holder {
    let holder = Holder { index: totals.holders, ..Default::default() };
    env::storage_write(&index_key(totals.holders), account_id.as_bytes());
    totals.holders += 1;
    holder
}

/// Removes a holder; the last holder in the index takes its place (the storage payment goes
/// back through [`crate::ledger::unregister`]).
pub fn remove_holder(totals: &mut Totals, account_id: &AccountId, holder: &Holder) {
    let last = totals.holders - 1;
    if holder.index != last {
        let moved = holder_at(last).unwrap_or_else(|| env::panic_str(errors::state::HOLDER_INDEX_CORRUPT));
        let mut moved_holder = registered(&moved);
        moved_holder.index = holder.index;
        save_holder(&moved, &moved_holder);
        env::storage_write(&index_key(holder.index), moved.as_bytes());
    }
    env::storage_remove(&index_key(last));
    env::storage_remove(&holder_key(account_id));
    totals.holders = last;
}

/// The account id of holder number `index`.
pub fn holder_at(index: u32) -> Option<AccountId> {
    let bytes = env::storage_read(&index_key(index))?;
    String::from_utf8(bytes).ok()?.parse().ok()
}

/// The stored parameters: those in force and a change waiting for its epoch.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Settings {
    current: LiquidityConfig,
    next: Option<(LiquidityConfig, u64)>,
}

record::record!(Settings { current, next });

impl LiquidityConfig {
    /// The parameters in force (a scheduled change applies from its epoch).
    pub fn load() -> Self {
        let settings: Settings = read(LIQUIDITY_CONFIG).unwrap_or_default();
        match settings.next {
            Some((next, epoch)) if epoch <= env::epoch_height() => next,
            _ => settings.current,
        }
    }

    /// A change scheduled for a later epoch and not yet in force.
    pub fn pending() -> Option<(LiquidityConfig, u64)> {
        let settings: Settings = read(LIQUIDITY_CONFIG).unwrap_or_default();
        settings.next.filter(|(_, epoch)| *epoch > env::epoch_height())
    }

    /// Schedules `self` from `epoch`, replacing any change still waiting.
    pub fn schedule(next: LiquidityConfig, epoch: u64) {
        write(LIQUIDITY_CONFIG, &Settings { current: LiquidityConfig::load(), next: Some((next, epoch)) });
    }

    /// Sets the parameters at once (at initialisation).
    pub fn save(&self) {
        write(LIQUIDITY_CONFIG, &Settings { current: self.clone(), next: None });
    }
}

pub fn provider_key(account_id: &AccountId) -> Vec<u8> {
    let mut key = vec![PROVIDER];
    key.extend_from_slice(account_id.as_bytes());
    key
}

/// A liquidity provider's pool shares (0 if it has none).
pub fn lp_shares_of(account_id: &AccountId) -> u128 {
    read(&provider_key(account_id)).unwrap_or(0)
}
