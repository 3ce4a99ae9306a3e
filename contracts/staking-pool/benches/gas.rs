//! Gas of each staking-pool method on localnet: `cargo bench -p staking-pool --bench gas`.
//!
//! Prints a Markdown table: the VM gas of the pool's own receipt, all gas of that receipt
//! (exec fees included), and the whole transaction (conversion, the Stake action and its
//! callback, refunds).

use localnet::{Account, ExecutionResult, Localnet, NEAR, TGAS, account_key, build::contract_wasm};
use serde_json::{Value, json};

fn tgas(gas: u64) -> String {
    format!("{:.3}", gas as f64 / TGAS as f64)
}

fn row(method: &str, out: &ExecutionResult) {
    let out = out.clone().unwrap();
    let receipt = out.receipt(method);
    println!(
        "| `{method}` | {} | {} | {} |",
        tgas(receipt.vm_gas_burnt),
        tgas(receipt.gas_burnt),
        tgas(out.total_gas_burnt())
    );
}

fn main() {
    let net = Localnet::new();
    let owner = net.create_account("owner", 1_000 * NEAR);
    let pool = net.account("pool.owner.near");
    let init = json!({
        "owner_id": owner.id(),
        "stake_public_key": account_key(pool.id()).to_string(),
        "reward_fee_fraction": {"numerator": 1, "denominator": 10},
    });
    owner
        .batch(pool.id())
        .create_account()
        .transfer(100 * NEAR)
        .deploy(&contract_wasm("staking-pool"))
        .call("new", init, 0, 100 * TGAS)
        .transact()
        .unwrap();
    let alice = net.create_account("alice", 1_000 * NEAR);
    let call = |who: &Account, method: &str, args: Value, deposit: u128| {
        who.call(pool.id(), method).args_json(args).deposit(deposit).transact()
    };

    println!("| method | VM gas (Tgas) | receipt gas (Tgas) | transaction gas (Tgas) |");
    println!("| --- | --- | --- | --- |");
    row("deposit", &call(&alice, "deposit", json!({}), 10 * NEAR));
    row("deposit_and_stake", &call(&alice, "deposit_and_stake", json!({}), 10 * NEAR));
    row("stake", &call(&alice, "stake", json!({"amount": (5 * NEAR).to_string()}), 0));
    row("stake_all", &call(&alice, "stake_all", json!({}), 0));
    row("unstake", &call(&alice, "unstake", json!({"amount": (5 * NEAR).to_string()}), 0));
    row("unstake_all", &call(&alice, "unstake_all", json!({}), 0));
    net.advance_epochs(4);
    row("ping", &call(&alice, "ping", json!({}), 0));
    row("withdraw", &call(&alice, "withdraw", json!({"amount": NEAR.to_string()}), 0));
    row("withdraw_all", &call(&alice, "withdraw_all", json!({}), 0));
    let me = json!({"account_id": alice.id()});
    for view in ["get_account", "get_account_staked_balance", "get_account_total_balance"] {
        let gas = pool.view(view).args_json(&me).call().unwrap().gas_burnt;
        println!("| `{view}` (view) | {} | | |", tgas(gas));
    }
    println!("\nwasm: {} bytes", contract_wasm("staking-pool").len());
}
