//! The contract's parameters, their defaults and the hard limits governance cannot exceed,
//! with the checks that hold a value to them. Plain data: reading and writing them is
//! [`crate::state`]'s job, scheduling changes [`crate::governance`]'s.

use crate::abi;
use crate::errors;
use crate::json::Object;
use crate::json::{self, Args};
#[cfg(not(feature = "sdk-codecs"))]
use crate::record::Record;
use crate::record::record;
use near_sdk::{AccountId, NearToken, env, require};

/// The smallest seed stake `new` accepts. The seed becomes dead shares nobody owns, so the first
/// depositor cannot manipulate the price of an empty pool.
pub const MIN_SEED: u128 = NearToken::from_near(1).as_yoctonear();
/// The reward fee can never exceed this share of rewards (20%).
pub const MAX_REWARD_FEE: Fraction = Fraction { numerator: 1, denominator: 5 };
/// The per-epoch rate bound can never exceed 1% (NEAR pays about 0.013% an epoch).
pub const MAX_REWARD_RATE: Fraction = Fraction { numerator: 1, denominator: 100 };
/// The rate bound unless `new` says otherwise: 0.1% an epoch, several times NEAR's rewards.
pub const DEFAULT_REWARD_RATE: Fraction = Fraction { numerator: 1, denominator: 1_000 };
/// Epochs out of the validator set before a validator is drained, unless `new` says otherwise.
pub const DEFAULT_DRAIN_AFTER_EPOCHS: u64 = 3;
/// Blocks in an epoch on mainnet and testnet, unless `new` says otherwise.
pub const DEFAULT_EPOCH_BLOCKS: u64 = 43_200;
/// The longest `drain_after_epochs` can be.
pub const MAX_DRAIN_AFTER_EPOCHS: u64 = 100;

/// What promises assume of keepers: a keeper cranks within this many blocks of
/// `get_crank_status` reporting work, and again once the crank's callbacks are in while work is
/// left (`lst keeper` looks every second, about two blocks, and its transaction runs two blocks
/// after it is sent). A keeper seen slower than that is assumed to crank only at the start of
/// an epoch ([`crate::exit`]).
pub const KEEPER_BLOCKS: u64 = 5;
/// The most blocks from an unstake to the crank call that sends it to a validator, for a keeper
/// as fast as [`KEEPER_BLOCKS`]: its first crank may find the validators busy with other work,
/// whose callbacks take three blocks, and its next crank sends it.
pub const SERVE_BLOCKS: u64 = 2 * KEEPER_BLOCKS + 3;
/// The least span at an epoch's end in which an unstake counts as late (long epochs use a
/// twentieth, short ones at most half): an unstake just before it is sent within
/// [`SERVE_BLOCKS`] and reaches its pool a block later, still in the epoch, with a block to
/// spare.
pub const MIN_LATE_BLOCKS: u64 = SERVE_BLOCKS + 2;

/// How long the guardian's pause lasts.
pub const GUARDIAN_PAUSE_EPOCHS: u64 = 2;
/// Epochs from the start of a guardian's pause before the guardian can pause again.
pub const GUARDIAN_COOLDOWN_EPOCHS: u64 = 4;
/// How far ahead the owner can pause.
pub const MAX_PAUSE_EPOCHS: u64 = 100;
/// Epoch boundaries between a parameter change and its effect.
pub const PARAMETER_DELAY_EPOCHS: u64 = 2;

/// One basis point: fees are in 1/10,000.
pub const BPS: u128 = 10_000;
/// Hard limits on the parameters governance sets.
pub const MAX_FEE_BPS: u32 = 1_000;
pub const MAX_TREASURY_SHARE_BPS: u32 = 5_000;

/// Unstaked balances at a pool up to this (rounding left-overs) are not worth withdrawing, and
/// a validator holding no more than this can be removed (the rest is written off).
pub const DUST: u128 = 1_000_000;

/// A ratio, such as the owner's share of rewards.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fraction {
    pub numerator: u32,
    pub denominator: u32,
}

record!(Fraction { numerator, denominator });

impl Fraction {
    /// Whether `self` is a valid fraction no larger than `max`.
    pub fn at_most(&self, max: Fraction) -> bool {
        self.denominator > 0
            && self.numerator as u64 * max.denominator as u64 <= max.numerator as u64 * self.denominator as u64
    }

    pub fn json(&self) -> String {
        let mut o = Object::new();
        o.integer("numerator", self.numerator as u64).integer("denominator", self.denominator as u64);
        o.end()
    }
}

#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub owner_id: AccountId,
    /// Proposed by the owner; becomes the owner when it accepts.
    pub pending_owner_id: Option<AccountId>,
    /// Pauses deposits, staking, instant unstake and new liquidity, for a bounded time.
    pub guardian_id: AccountId,
    /// Receives the reward fee.
    pub treasury_id: AccountId,
    pub reward_fee: Fraction,
    /// Adds and removes validators and sets their weights.
    pub manager_id: AccountId,
    /// If set, validators must be on this staking-pool whitelist (as lockup contracts require).
    pub whitelist_id: Option<AccountId>,
    /// The most the share price may rise in one epoch; rewards above it wait for later epochs.
    pub max_reward_rate: Fraction,
    /// Epochs a validator may stay out of the validator set before it is drained.
    pub drain_after_epochs: u64,
    /// Blocks in an epoch (43,200 on mainnet and testnet): tells when an unstake is too late in
    /// its epoch to be requested from validators in it, and when the crank closes an epoch's
    /// rewards without a validator that does not answer.
    pub epoch_blocks: u64,
    /// The epoch of the guardian's last pause (it can pause again from a cooldown later).
    pub guardian_paused_at: Option<u64>,
    /// The end of a pause the owner set with `extend_pause` (only the owner lifts it).
    pub owner_paused_until: u64,
    /// Parameter changes waiting for their epoch (`crate::governance` schedules them).
    pub scheduled: Vec<Scheduled>,
}

record!(Config {
    owner_id,
    pending_owner_id,
    guardian_id,
    treasury_id,
    reward_fee,
    manager_id,
    whitelist_id,
    max_reward_rate,
    drain_after_epochs,
    epoch_blocks,
    guardian_paused_at,
    owner_paused_until,
    scheduled
});

/// A parameter change waiting for its epoch.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    RewardFee(Fraction),
    MaxRewardRate(Fraction),
    DrainAfterEpochs(u64),
}

#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheduled {
    pub change: Change,
    pub epoch: u64,
}

record!(Scheduled { change, epoch });

/// A variant byte, then the variant's value (borsh's enum layout).
#[cfg(not(feature = "sdk-codecs"))]
impl Record for Change {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Change::RewardFee(f) => (0u8, *f).put(out),
            Change::MaxRewardRate(f) => (1u8, *f).put(out),
            Change::DrainAfterEpochs(n) => (2u8, *n).put(out),
        }
    }

    fn take(input: &mut &[u8]) -> Self {
        match u8::take(input) {
            0 => Change::RewardFee(Fraction::take(input)),
            1 => Change::MaxRewardRate(Fraction::take(input)),
            2 => Change::DrainAfterEpochs(u64::take(input)),
            _ => env::panic_str(errors::state::CORRUPT),
        }
    }
}

impl Change {
    pub fn name(&self) -> &'static str {
        match self {
            Change::RewardFee(_) => "reward_fee",
            Change::MaxRewardRate(_) => "max_reward_rate",
            Change::DrainAfterEpochs(_) => "drain_after_epochs",
        }
    }

    pub fn value_json(&self) -> String {
        match self {
            Change::RewardFee(f) | Change::MaxRewardRate(f) => f.json(),
            Change::DrainAfterEpochs(n) => crate::text::decimal(*n as u128),
        }
    }

    pub fn assert_valid(&self) {
        match self {
            Change::RewardFee(f) => require!(f.at_most(MAX_REWARD_FEE), errors::config::REWARD_FEE_LIMIT),
            Change::MaxRewardRate(f) => {
                require!(f.at_most(MAX_REWARD_RATE), errors::config::REWARD_RATE_LIMIT)
            }
            Change::DrainAfterEpochs(n) => {
                require!((1..=MAX_DRAIN_AFTER_EPOCHS).contains(n), errors::config::DRAIN_AFTER_LIMIT)
            }
        }
    }

    /// The current value as the same kind of change (for the event's "old").
    pub fn current(&self, config: &Config) -> Change {
        match self {
            Change::RewardFee(_) => Change::RewardFee(config.reward_fee),
            Change::MaxRewardRate(_) => Change::MaxRewardRate(config.max_reward_rate),
            Change::DrainAfterEpochs(_) => Change::DrainAfterEpochs(config.drain_after_epochs),
        }
    }
}

impl Config {
    /// Holds `new`'s parameters to the same limits as later changes.
    pub fn assert_valid(&self) {
        require!(self.reward_fee.denominator > 0, errors::config::FEE_DENOMINATOR);
        Change::RewardFee(self.reward_fee).assert_valid();
        Change::MaxRewardRate(self.max_reward_rate).assert_valid();
        Change::DrainAfterEpochs(self.drain_after_epochs).assert_valid();
        require!(self.epoch_blocks >= 20, errors::config::EPOCH_BLOCKS_LIMIT);
    }

    /// Applies the scheduled changes whose epoch has come (in memory; the next save keeps them).
    pub fn apply_due(&mut self, epoch: u64) {
        let (due, waiting): (Vec<_>, Vec<_>) = self.scheduled.drain(..).partition(|s| s.epoch <= epoch);
        self.scheduled = waiting;
        for s in due {
            match s.change {
                Change::RewardFee(f) => self.reward_fee = f,
                Change::MaxRewardRate(f) => self.max_reward_rate = f,
                Change::DrainAfterEpochs(n) => self.drain_after_epochs = n,
            }
        }
    }
}

/// NEP-148 token metadata.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenMetadata {
    pub spec: String,
    pub name: String,
    pub symbol: String,
    pub icon: Option<String>,
    pub reference: Option<String>,
    /// Base64 of the sha256 of the reference's content (kept as given).
    pub reference_hash: Option<String>,
    pub decimals: u8,
}

record!(TokenMetadata { spec, name, symbol, icon, reference, reference_hash, decimals });

impl TokenMetadata {
    pub fn assert_valid(&self) {
        require!(self.spec == "ft-1.0.0", errors::config::METADATA_SPEC);
        require!(self.decimals == 24, errors::config::DECIMALS);
    }
}

#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiquidityConfig {
    /// NEAR at which the fee reaches its minimum.
    pub target: u128,
    pub min_fee_bps: u32,
    pub max_fee_bps: u32,
    /// The treasury's share of each fee.
    pub treasury_share_bps: u32,
    /// Tokens worth more than this are unstaked by the crank.
    pub unstake_threshold: u128,
}

record!(LiquidityConfig { target, min_fee_bps, max_fee_bps, treasury_share_bps, unstake_threshold });

impl Default for LiquidityConfig {
    fn default() -> Self {
        LiquidityConfig {
            target: NearToken::from_near(10_000).as_yoctonear(),
            min_fee_bps: 10,
            max_fee_bps: 300,
            treasury_share_bps: 2_000,
            unstake_threshold: NearToken::from_near(100).as_yoctonear(),
        }
    }
}

impl LiquidityConfig {
    /// The given parameters, each missing one at its default; a fee above `u32::MAX` basis
    /// points is taken as `u32::MAX` (and then refused by [`LiquidityConfig::assert_valid`]).
    pub fn new(
        target: Option<u128>,
        min_fee_bps: Option<u64>,
        max_fee_bps: Option<u64>,
        treasury_share_bps: Option<u64>,
        unstake_threshold: Option<u128>,
    ) -> Self {
        let d = LiquidityConfig::default();
        let bps = |v: u64| v.min(u32::MAX as u64) as u32;
        LiquidityConfig {
            target: target.unwrap_or(d.target),
            min_fee_bps: min_fee_bps.map_or(d.min_fee_bps, bps),
            max_fee_bps: max_fee_bps.map_or(d.max_fee_bps, bps),
            treasury_share_bps: treasury_share_bps.map_or(d.treasury_share_bps, bps),
            unstake_threshold: unstake_threshold.unwrap_or(d.unstake_threshold),
        }
    }

    pub fn json(&self) -> String {
        let mut o = Object::new();
        o.amount("target", self.target)
            .integer("min_fee_bps", self.min_fee_bps as u64)
            .integer("max_fee_bps", self.max_fee_bps as u64)
            .integer("treasury_share_bps", self.treasury_share_bps as u64)
            .amount("unstake_threshold", self.unstake_threshold);
        o.end()
    }

    pub fn assert_valid(&self) {
        require!(self.max_fee_bps <= MAX_FEE_BPS, errors::config::INSTANT_FEE_LIMIT);
        require!(self.min_fee_bps <= self.max_fee_bps, errors::config::MIN_FEE_ABOVE_MAX);
        require!(self.treasury_share_bps <= MAX_TREASURY_SHARE_BPS, errors::config::TREASURY_SHARE_LIMIT);
        require!(self.target > 0, errors::config::TARGET_LIQUIDITY);
    }
}

/// `new`'s `reward_fee` and `max_reward_rate`.
impl json::Arg for abi::RewardFeeFraction {
    type Value = Fraction;
    fn read(args: &Args, key: &str) -> Fraction {
        let fraction = args.object(key);
        Fraction { numerator: fraction.u32("numerator"), denominator: fraction.u32("denominator") }
    }
}

/// `new`'s `metadata`.
impl json::Arg for abi::FungibleTokenMetadata {
    type Value = TokenMetadata;
    fn read(args: &Args, key: &str) -> TokenMetadata {
        let m = args.object(key);
        TokenMetadata {
            spec: m.string("spec"),
            name: m.string("name"),
            symbol: m.string("symbol"),
            icon: m.opt_string("icon"),
            reference: m.opt_string("reference"),
            reference_hash: m.opt_string("reference_hash"),
            decimals: u8::try_from(m.u64("decimals"))
                .unwrap_or_else(|_| env::panic_str(errors::config::DECIMALS_TOO_LARGE)),
        }
    }
}

/// `new`'s `instant_unstake`.
impl json::Arg for abi::InstantUnstakeConfig {
    type Value = LiquidityConfig;
    fn read(args: &Args, key: &str) -> LiquidityConfig {
        let c = args.object(key);
        LiquidityConfig::new(
            c.opt_u128("target"),
            c.opt_u64("min_fee_bps"),
            c.opt_u64("max_fee_bps"),
            c.opt_u64("treasury_share_bps"),
            c.opt_u128("unstake_threshold"),
        )
    }
}
