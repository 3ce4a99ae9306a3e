//! The `sdk-codecs` build: the same contract with near-sdk's codecs at its boundary, as
//! `#[near]` generates them, built only by the gas report (`lst gas`) to price this crate's own
//! codec ([`crate::json`], [`crate::record`]) against them.
//!
//! Arguments are read the way `#[near]` reads them: `serde_json::from_slice` into a struct with
//! `#[derive(Deserialize)]` and one field per argument, in near-sdk's wire types (`U128`,
//! `AccountId`, structs for the object arguments). Results that are plain values are written with
//! `serde_json::to_vec`. Records are stored with borsh itself (see [`crate::record`]). Views that
//! answer objects and the events keep their JSON writer: the comparison is of the parts every
//! common call pays for.

use crate::abi;
use crate::config::{Fraction, LiquidityConfig, TokenMetadata};
use crate::json::{Arg, Ret};
use near_sdk::json_types::U128;
use near_sdk::serde::de::DeserializeOwned;
use near_sdk::{AccountId, env, serde_json};

/// The arguments of the current call as `T`, or near-sdk's failure.
pub fn input<T: DeserializeOwned>() -> T {
    match env::input() {
        Some(input) => {
            serde_json::from_slice(&input).unwrap_or_else(|_| env::panic_str("Failed to deserialize input from JSON."))
        }
        None => env::panic_str("Expected input since method has arguments."),
    }
}

/// An argument as `#[near]` reads it: serde reads its near-sdk wire type ([`abi::Serde`]), which
/// gives the value the method body takes (the same as [`Arg::Value`]).
pub trait Wire: Arg + abi::Serde {
    fn value(wire: <Self as abi::Serde>::Wire) -> Self::Value;
}

macro_rules! same {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn value(wire: $t) -> $t {
                wire
            }
        }
    )*};
}

same!(u64, u32, bool, String, AccountId);

impl Wire for abi::U128 {
    fn value(wire: U128) -> u128 {
        wire.0
    }
}

impl<T: Wire> Wire for Option<T> {
    fn value(wire: Option<<T as abi::Serde>::Wire>) -> Option<T::Value> {
        wire.map(T::value)
    }
}

impl Wire for abi::RewardFeeFraction {
    fn value(f: <Self as abi::Serde>::Wire) -> Fraction {
        Fraction { numerator: f.numerator, denominator: f.denominator }
    }
}

impl Wire for abi::FungibleTokenMetadata {
    fn value(m: <Self as abi::Serde>::Wire) -> TokenMetadata {
        let (spec, name, symbol) = (m.spec, m.name, m.symbol);
        TokenMetadata {
            spec,
            name,
            symbol,
            icon: m.icon,
            reference: m.reference,
            reference_hash: m.reference_hash,
            decimals: m.decimals,
        }
    }
}

impl Wire for abi::InstantUnstakeConfig {
    fn value(c: <Self as abi::Serde>::Wire) -> LiquidityConfig {
        let amount = |a: Option<U128>| a.map(|a| a.0);
        LiquidityConfig::new(
            amount(c.target),
            c.min_fee_bps,
            c.max_fee_bps,
            c.treasury_share_bps,
            amount(c.unstake_threshold),
        )
    }
}

/// A result as `#[near]` writes it: plain values through `serde_json::to_vec`; objects, lists
/// of them and promises as [`Ret`] does.
pub trait Out: Ret {
    fn out(value: Self::Value);
}

fn json<T: near_sdk::serde::Serialize>(value: &T) {
    env::value_return(&serde_json::to_vec(value).expect("Failed to serialize the return value using JSON."));
}

impl Out for abi::U128 {
    fn out(value: u128) {
        json(&U128(value));
    }
}

macro_rules! serialized {
    ($($t:ty),*) => {$(
        impl Out for $t {
            fn out(value: $t) {
                json(&value);
            }
        }
    )*};
}

serialized!(bool, u32, String, AccountId);

macro_rules! as_ret {
    ($($t:ty),*) => {$(
        impl<T: abi::Object> Out for $t {
            fn out(value: String) {
                <$t as Ret>::ret(value);
            }
        }
    )*};
}

as_ret!(T, Vec<T>, Option<T>);

impl<T> Out for abi::Promise<T> {
    fn out(value: near_sdk::PromiseIndex) {
        <Self as Ret>::ret(value);
    }
}
