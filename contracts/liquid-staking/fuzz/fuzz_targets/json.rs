//! `cargo fuzz run json`: any bytes, as a call's arguments, must be refused or read exactly as
//! serde_json and near-sdk's types read them (`../differential.rs`). What the fuzzer keeps in
//! `corpus/json` is replayed by `tests/codec.rs` in every test run.
#![no_main]

#[path = "../differential.rs"]
mod differential;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| differential::check(bytes));
