//! Function calls per second on localnet: `cargo bench -p localnet --bench calls_per_second`.
//!
//! Each call is a full transaction: conversion, one function call receipt (wasm loaded from the
//! compiled-contract cache), and its gas refund. Two contracts: the counter (one key) and the
//! storage grower holding 10,000 keys, each call writing a new one: the trie-node gas of its
//! writes walks a path among those keys, so the difference is what modelling it costs.

use localnet::{Account, Localnet, NEAR, TGAS, build::contract_wasm};
use std::time::Instant;

/// Calls per second of `call`, after a warm-up.
fn measure(name: &str, calls: u32, call: impl Fn()) {
    for _ in 0..100 {
        call();
    }
    let start = Instant::now();
    for _ in 0..calls {
        call();
    }
    let elapsed = start.elapsed();
    let per_second = calls as f64 / elapsed.as_secs_f64();
    println!("localnet, {name}: {calls} function calls in {elapsed:.2?}: {per_second:.0} calls per second");
}

fn deploy(net: &Localnet, name: &str, contract: &str) -> Account {
    let account = net.create_account(name, 100 * NEAR);
    account.deploy(&contract_wasm(contract)).unwrap();
    account
}

fn main() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", "test-counter");
    let grower = deploy(&net, "grower", "test-storage-grower");
    let alice = net.create_account("alice", 1_000 * NEAR);
    for _ in 0..10 {
        let grow = br#"{"count":1000,"size":10}"#.to_vec();
        alice.call(grower.id(), "grow").args(grow).gas(300 * TGAS).transact().unwrap();
    }
    measure("counter (1 key)", 5_000, || {
        alice.call(counter.id(), "increment").args(br#"{"by":1}"#.to_vec()).transact().unwrap();
    });
    measure("a new key among 10,000 (trie-node gas walks)", 5_000, || {
        alice.call(grower.id(), "grow").args(br#"{"count":1,"size":10}"#.to_vec()).transact().unwrap();
    });
}
