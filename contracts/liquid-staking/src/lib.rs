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

pub mod abi;
mod access;
#[cfg(target_arch = "wasm32")]
mod alloc;
mod claims;
mod config;
mod crank;
pub mod errors;
mod events;
mod exit;
pub mod exports;
mod gas;
mod governance;
mod history;
pub mod json;
mod ledger;
mod liquidity;
mod math;
mod plan;
mod promise;
mod record;
#[cfg(feature = "sdk-codecs")]
mod sdk_codecs;
mod settle;
mod staking;
mod state;
mod storage;
mod text;
mod token;
mod validators;
mod views;

pub use config::{
    Config, DEFAULT_DRAIN_AFTER_EPOCHS, DEFAULT_EPOCH_BLOCKS, DEFAULT_REWARD_RATE, Fraction, LiquidityConfig,
    MAX_DRAIN_AFTER_EPOCHS, MAX_REWARD_FEE, MAX_REWARD_RATE, MIN_SEED, TokenMetadata,
};
pub use state::Totals;
