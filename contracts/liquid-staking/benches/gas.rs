//! Gas of each user method on localnet: `cargo bench -p liquid-staking --bench gas`.
//!
//! "VM gas" is what nearcore's VM burns running the method (the figure the targets are set in);
//! "receipt gas" adds the receipt's exec fees. Every method is measured with no validators and
//! again with 500: user calls never read the validator set, so the figures must not change.

#[path = "../tests/common/mod.rs"]
mod common;

use common::setup;
use localnet::{ExecutionResult, NEAR, TGAS, build::contract_wasm};
use serde_json::json;

fn gas(method: &str, out: ExecutionResult) -> (u64, u64) {
    let out = out.unwrap();
    let receipt = out.receipt(method);
    (receipt.vm_gas_burnt, receipt.gas_burnt)
}

/// (label, VM gas, receipt gas) of every user method, on a fresh pool with `validators`.
fn measure(validators: usize) -> Vec<(&'static str, u64, u64)> {
    let t = setup();
    for i in 0..validators {
        let args = json!({"account_id": format!("pool{i}.near"), "weight": 1});
        t.call(&t.owner, "add_validator", args, 1).unwrap();
    }
    let alice = t.net.create_account("alice", 1_000 * NEAR);
    let bob = t.net.create_account("bob", 1_000 * NEAR);
    let c = |who, method, args, deposit| gas(method, t.call(who, method, args, deposit));
    let mut rows = vec![];
    let mut row = |label, (vm, receipt)| rows.push((label, vm, receipt));
    row("`deposit_and_stake` (new holder)", c(&alice, "deposit_and_stake", json!({}), 10 * NEAR));
    row("`deposit_and_stake`", c(&alice, "deposit_and_stake", json!({}), 10 * NEAR));
    row("`storage_deposit`", c(&bob, "storage_deposit", json!({}), NEAR));
    row("`ft_transfer`", c(&alice, "ft_transfer", json!({"receiver_id": bob.id(), "amount": NEAR.to_string()}), 1));
    row("`deposit`", c(&alice, "deposit", json!({}), NEAR));
    row("`stake`", c(&alice, "stake", json!({"amount": (NEAR / 2).to_string()}), 0));
    row("`unstake`", c(&alice, "unstake", json!({"amount": NEAR.to_string()}), 0));
    row("`unstake_all`", c(&bob, "unstake_all", json!({}), 0));
    t.net.advance_epochs(4);
    row("`withdraw`", c(&alice, "withdraw", json!({"amount": (NEAR / 4).to_string()}), 0));
    row("`withdraw_all`", c(&alice, "withdraw_all", json!({}), 0));
    for view in ["get_account", "ft_balance_of"] {
        let gas = t.lst.view(view).args_json(json!({"account_id": alice.id()})).call().unwrap().gas_burnt;
        rows.push((if view == "get_account" { "`get_account` (view)" } else { "`ft_balance_of` (view)" }, gas, 0));
    }
    rows
}

fn main() {
    let tgas = |g: u64| format!("{:.3}", g as f64 / TGAS as f64);
    let (none, many) = (measure(0), measure(500));
    println!("| method | VM gas (Tgas) | receipt gas (Tgas) | VM gas with 500 validators (Tgas) |");
    println!("| --- | --- | --- | --- |");
    for ((label, vm, receipt), (_, vm_500, _)) in none.iter().zip(&many) {
        let receipt = if *receipt == 0 { String::new() } else { tgas(*receipt) };
        println!("| {label} | {} | {receipt} | {} |", tgas(*vm), tgas(*vm_500));
    }
    println!("\nwasm: {} bytes", contract_wasm("liquid-staking").len());
}
