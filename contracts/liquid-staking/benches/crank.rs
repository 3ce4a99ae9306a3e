//! Gas and calls of a full epoch's crank for 5, 30 and 100 validators:
//! `cargo bench -p liquid-staking --bench crank`.
//!
//! Two epochs are measured: one that delegates fresh deposits (sync, rewards and a stake per
//! validator) and a steady one (sync and rewards only). Gas is everything the crank
//! transactions burn, pool calls and callbacks included.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{CRANK_GAS, setup};
use localnet::{NEAR, TGAS};
use serde_json::json;

/// Cranks until no work is left; returns (calls, total gas burnt, most gas burnt by one call).
fn crank_epoch(t: &common::Lst) -> (u32, u64, u64) {
    let keeper = t.net.account("keeper.near");
    if t.net.view_account(keeper.id()).is_none() {
        t.net.create_account("keeper", 10_000 * NEAR);
    }
    let (mut calls, mut total, mut most) = (0, 0, 0);
    loop {
        let out = keeper.call(t.lst.id(), "crank").args_json(json!({})).gas(CRANK_GAS).transact().unwrap();
        calls += 1;
        total += out.total_gas_burnt();
        most = most.max(out.total_gas_burnt());
        if !t.crank_status()["work_left"].as_bool().unwrap() {
            return (calls, total, most);
        }
    }
}

fn main() {
    println!("| validators | epoch | crank calls | gas burnt (Tgas) | largest call (Tgas) |");
    println!("| --- | --- | --- | --- | --- |");
    for n in [5usize, 30, 100] {
        let t = setup();
        t.add_validators(&vec![1; n]);
        let alice = t.net.create_account("alice", 100_000 * NEAR);
        t.call(&alice, "deposit_and_stake", json!({}), 10_000 * NEAR).unwrap();
        let tgas = |g: u64| format!("{:.1}", g as f64 / TGAS as f64);
        let (calls, total, most) = crank_epoch(&t);
        println!("| {n} | delegating | {calls} | {} | {} |", tgas(total), tgas(most));
        t.net.advance_epochs(1);
        let (calls, total, most) = crank_epoch(&t);
        println!("| {n} | steady | {calls} | {} | {} |", tgas(total), tgas(most));
    }
}
