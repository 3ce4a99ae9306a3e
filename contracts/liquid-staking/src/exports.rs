//! The contract's exported methods: the table in `interface.rs`, expanded here into one
//! unmangled function each (see [`export`]), and `__contract_abi`, the NEAR ABI `build.rs`
//! rendered from the same table.

use crate::abi::*;
use crate::config::{
    Change, Config, DEFAULT_DRAIN_AFTER_EPOCHS, DEFAULT_EPOCH_BLOCKS, DEFAULT_REWARD_RATE, Fraction, LiquidityConfig,
};
#[cfg(not(feature = "sdk-codecs"))]
use crate::json::{Arg, Args, Ret};
#[cfg(feature = "sdk-codecs")]
use crate::sdk_codecs;
use crate::state::Totals;
use crate::{access, crank, errors, gas, governance, history, liquidity, promise, staking, state, storage, token};
use crate::{json, text, validators, views};
use near_sdk::{AccountId, env};

/// Expands each method of `interface.rs` into `pub extern "C" fn $name()` (an unmangled symbol
/// in the wasm) that installs near-sdk's panic hook (a Rust panic reports its message), reads
/// the declared arguments from the call's JSON into variables of the same names (a method
/// without arguments does not read its input), runs the body and writes its value as the
/// declared result type says. The kind only matters to the ABI: each body applies its own
/// guards, so their order and messages stay where the logic is.
macro_rules! export {
    ($(
        $(#[doc = $doc:literal])*
        $kind:ident fn $name:ident ( $( $arg:ident : $ty:ty ),* $(,)? ) $( -> $ret:ty )? $body:block
    )*) => {$(
        $(#[doc = $doc])*
        #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
        pub extern "C" fn $name() {
            env::setup_panic_hook();
            export!(@args $( $arg : $ty ),*);
            export!(@body $body $(, $ret)?);
        }
    )*};
    (@args) => {};
    (@args $( $arg:ident : $ty:ty ),+) => {
        read_args!($( $arg : $ty ),+);
    };
    (@body $body:block) => {
        $body
    };
    (@body $body:block, $ret:ty) => {
        write_result!($body, $ret)
    };
}

/// The arguments, each read by name with this crate's codec.
#[cfg(not(feature = "sdk-codecs"))]
macro_rules! read_args {
    ($( $arg:ident : $ty:ty ),+) => {
        let args = Args::input();
        $( let $arg = <$ty as Arg>::read(&args, stringify!($arg)); )+
    };
}

#[cfg(not(feature = "sdk-codecs"))]
macro_rules! write_result {
    ($body:block, $ret:ty) => {
        <$ret as Ret>::ret($body)
    };
}

/// The `sdk-codecs` build reads the arguments as `#[near]` does (see [`crate::sdk_codecs`]).
#[cfg(feature = "sdk-codecs")]
macro_rules! read_args {
    ($( $arg:ident : $ty:ty ),+) => {
        #[derive(near_sdk::serde::Deserialize)]
        #[serde(crate = "near_sdk::serde")]
        struct Input {
            $( $arg: <$ty as Serde>::Wire, )+
        }
        let Input { $( $arg ),+ } = sdk_codecs::input();
        $( let $arg = <$ty as sdk_codecs::Wire>::value($arg); )+
    };
}

#[cfg(feature = "sdk-codecs")]
macro_rules! write_result {
    ($body:block, $ret:ty) => {
        <$ret as sdk_codecs::Out>::out($body)
    };
}

/// Standards this contract implements (NEP-330's `contract_source_metadata`).
const SOURCE_METADATA: &str = concat!(
    r#"{"version":""#,
    env!("CARGO_PKG_VERSION"),
    r#"","link":null,"standards":[{"standard":"nep141","version":"1.0.0"},"#,
    r#"{"standard":"nep145","version":"1.0.0"},{"standard":"nep148","version":"1.0.0"},"#,
    r#"{"standard":"nep297","version":"1.0.0"},{"standard":"nep330","version":"1.2.0"}]}"#
);

include!("interface.rs");

/// The NEAR ABI (schema 0.4.0) of the methods above without their docs, zstd-compressed, as
/// cargo-near embeds it: what near-cli-rs's `contract inspect` reads.
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn __contract_abi() {
    env::value_return(include_bytes!(concat!(env!("OUT_DIR"), "/abi-embedded.json.zst")));
}

/// The ABI with docs, for the host: the file the build writes beside the wasm, and tests.
#[cfg(not(target_arch = "wasm32"))]
pub const ABI_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/abi.json"));

/// The embedded ABI before compression, for the test that reads it back from the wasm.
#[cfg(not(target_arch = "wasm32"))]
pub const EMBEDDED_ABI_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/abi-embedded.json"));
