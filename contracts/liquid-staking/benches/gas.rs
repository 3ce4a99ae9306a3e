//! Gas of each user method on localnet: `cargo bench -p liquid-staking --bench gas`.
//!
//! "VM gas" is what nearcore's VM burns running the method (the figure the targets are set in);
//! "receipt gas" adds the receipt's exec fees.

use localnet::{Account, ExecutionResult, Localnet, NEAR, TGAS, build::contract_wasm};
use serde_json::{Value, json};

fn row(label: &str, method: &str, out: ExecutionResult) {
    let out = out.unwrap();
    let receipt = out.receipt(method);
    let tgas = |g: u64| format!("{:.3}", g as f64 / TGAS as f64);
    println!("| {label} | {} | {} |", tgas(receipt.vm_gas_burnt), tgas(receipt.gas_burnt));
}

fn main() {
    let net = Localnet::new();
    let owner = net.create_account("owner", 100 * NEAR);
    let lst = net.create_account("lst", 50 * NEAR);
    let wasm = contract_wasm("liquid-staking");
    let init = json!({
        "owner_id": owner.id(), "treasury_id": owner.id(),
        "reward_fee": {"numerator": 1, "denominator": 10},
        "metadata": {"spec": "ft-1.0.0", "name": "Liquid Staked NEAR", "symbol": "lsNEAR", "decimals": 24},
    });
    lst.batch(lst.id()).deploy(&wasm).call("new", init, 10 * NEAR, 100 * TGAS).transact().unwrap();
    let call = |who: &Account, method: &str, args: Value, deposit: u128| {
        who.call(lst.id(), method).args_json(args).deposit(deposit).gas(30 * TGAS).transact()
    };
    let alice = net.create_account("alice", 1_000 * NEAR);
    let bob = net.create_account("bob", 1_000 * NEAR);

    println!("| method | VM gas (Tgas) | receipt gas (Tgas) |");
    println!("| --- | --- | --- |");
    row(
        "`deposit_and_stake` (new holder)",
        "deposit_and_stake",
        call(&alice, "deposit_and_stake", json!({}), 10 * NEAR),
    );
    row("`deposit_and_stake`", "deposit_and_stake", call(&alice, "deposit_and_stake", json!({}), 10 * NEAR));
    row("`storage_deposit`", "storage_deposit", call(&bob, "storage_deposit", json!({}), NEAR));
    let transfer = json!({"receiver_id": bob.id(), "amount": NEAR.to_string()});
    row("`ft_transfer`", "ft_transfer", call(&alice, "ft_transfer", transfer, 1));
    row("`deposit`", "deposit", call(&alice, "deposit", json!({}), NEAR));
    row("`stake`", "stake", call(&alice, "stake", json!({"amount": (NEAR / 2).to_string()}), 0));
    row("`unstake`", "unstake", call(&alice, "unstake", json!({"amount": NEAR.to_string()}), 0));
    row("`unstake_all`", "unstake_all", call(&bob, "unstake_all", json!({}), 0));
    net.advance_epochs(4);
    row("`withdraw`", "withdraw", call(&alice, "withdraw", json!({"amount": (NEAR / 4).to_string()}), 0));
    row("`withdraw_all`", "withdraw_all", call(&alice, "withdraw_all", json!({}), 0));
    for view in ["get_account", "ft_balance_of"] {
        let gas = lst.view(view).args_json(json!({"account_id": alice.id()})).call().unwrap().gas_burnt;
        println!("| `{view}` (view) | {:.3} | |", gas as f64 / TGAS as f64);
    }
    println!("\nwasm: {} bytes", wasm.len());
}
