//! Function calls per second on localnet: `cargo bench -p localnet --bench calls_per_second`.
//!
//! Each call is a full transaction: conversion, one function call receipt on the counter
//! contract (wasm loaded from the compiled-contract cache), and its gas refund.

use localnet::{Localnet, NEAR, build::contract_wasm};
use std::time::Instant;

fn main() {
    let net = Localnet::new();
    let counter = net.create_account("counter", 10 * NEAR);
    counter.deploy(&contract_wasm("test-counter")).unwrap();
    let alice = net.create_account("alice", 1_000 * NEAR);
    let call = || {
        alice.call(counter.id(), "increment").args(br#"{"by":1}"#.to_vec()).transact().unwrap();
    };
    for _ in 0..100 {
        call();
    }
    let calls = 5_000;
    let start = Instant::now();
    for _ in 0..calls {
        call();
    }
    let elapsed = start.elapsed();
    let per_second = calls as f64 / elapsed.as_secs_f64();
    println!("localnet: {calls} function calls in {elapsed:.2?}: {per_second:.0} calls per second");
}
