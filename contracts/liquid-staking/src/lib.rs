//! Liquid staking for NEAR: holders stake NEAR for a value-accruing NEP-141 token and use the
//! standard staking-pool interface (`deposit_and_stake`, `unstake`, `withdraw`, ...), so wallets,
//! lockup contracts and near-cli work unchanged.
//!
//! Every user method only updates accounting and reads just the records it needs (see
//! [`state`]): user calls make no cross-contract calls, so their gas does not depend on how many
//! holders or validators there are. Staked NEAR waits in a buffer for the epoch crank, which
//! delegates it to validators; unstaked NEAR is paid from a reserve that holds only NEAR owed to
//! holders.
//!
//! The methods are exported by hand in [`exports`] over a small JSON codec ([`json`]) instead of
//! near-sdk's macros and serde: it keeps the wasm, which every call pays to load, small.

#[cfg(target_arch = "wasm32")]
mod alloc;
mod crank;
mod events;
mod exit;
pub mod exports;
mod governance;
mod history;
mod json;
mod ledger;
mod liquidity;
mod math;
mod promise;
mod staking;
mod state;
mod storage;
mod token;
mod validators;
mod views;

use json::Args;
use near_sdk::{NearToken, env, near, require};
pub use state::{Config, Fraction, Totals};

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

/// NEP-148 token metadata.
#[near(serializers = [borsh])]
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

impl TokenMetadata {
    fn from_args(args: &Args) -> Self {
        TokenMetadata {
            spec: args.string("spec"),
            name: args.string("name"),
            symbol: args.string("symbol"),
            icon: args.opt_string("icon"),
            reference: args.opt_string("reference"),
            reference_hash: args.opt_string("reference_hash"),
            decimals: u8::try_from(args.u64("decimals")).unwrap_or_else(|_| env::panic_str("`decimals` is too large")),
        }
    }
}

impl Fraction {
    fn from_args(args: &Args) -> Self {
        Fraction { numerator: args.u32("numerator"), denominator: args.u32("denominator") }
    }

    /// Whether `self` is a valid fraction no larger than `max`.
    fn at_most(&self, max: Fraction) -> bool {
        self.denominator > 0
            && self.numerator as u64 * max.denominator as u64 <= max.numerator as u64 * self.denominator as u64
    }
}

/// Initialises the pool with the attached deposit as its seed stake (at least 1 NEAR).
fn init(config: Config, metadata: TokenMetadata, instant_unstake: liquidity::LiquidityConfig) {
    require!(!state::initialized(), "The contract has already been initialized");
    require!(config.reward_fee.denominator > 0, "The fee denominator must be positive");
    require!(config.reward_fee.at_most(MAX_REWARD_FEE), "The reward fee must be at most 20%");
    require!(config.max_reward_rate.at_most(MAX_REWARD_RATE), "The reward rate bound must be at most 1% an epoch");
    require!(
        (1..=MAX_DRAIN_AFTER_EPOCHS).contains(&config.drain_after_epochs),
        "drain_after_epochs must be from 1 to 100"
    );
    require!(config.epoch_blocks >= 20, "epoch_blocks must be at least 20");
    require!(metadata.spec == "ft-1.0.0", "The token metadata spec must be ft-1.0.0");
    require!(metadata.decimals == 24, "The token must have 24 decimals, like NEAR");
    instant_unstake.assert_valid();
    instant_unstake.save();
    state::write(b"version", &governance::STATE_VERSION);
    let seed = env::attached_deposit().as_yoctonear();
    require!(seed >= MIN_SEED, "Attach at least 1 NEAR as the seed stake");
    Totals { total_shares: seed, total_staked: seed, buffered: seed, ..Default::default() }.save();
    state::write(state::CONFIG, &config);
    state::write(state::METADATA, &metadata);
    events::ft_mint(&env::current_account_id(), seed);
}
