//! Every bad input fails with a clear error and changes nothing but the caller's gas.
mod common;

use common::*;
use localnet::{Account, ExecutionResult, NEAR, TGAS, build::contract_wasm};
use serde_json::{Value, json};

/// Everything a failed call must leave alone: the pool's buckets and the holders' records.
fn snapshot(t: &Lst, holders: &[&Account]) -> Value {
    let views: Vec<Value> = holders.iter().map(|h| t.view("get_holder", json!({"account_id": h.id()}))).collect();
    json!({"solvency": t.solvency(), "holders": views, "storage": t.lst.state().storage_usage})
}

#[track_caller]
fn assert_fails(
    t: &Lst,
    who: &Account,
    out: ExecutionResult,
    error: &str,
    before: &Value,
    others: &[&Account],
    balance: u128,
) {
    assert_eq!(out.failure(), Some(format!("Smart contract panicked: {error}").as_str()));
    assert_eq!(&snapshot(t, others), before);
    // The caller paid gas and nothing else: any deposit came back.
    assert_eq!(who.balance(), balance - out.total_tokens_burnt());
}

#[test]
fn bad_staking_calls_fail_cleanly() {
    let t = setup();
    let alice = t.net.create_account("alice", 100 * NEAR);
    let bob = t.net.create_account("bob", 100 * NEAR);
    // Carol burns her tokens on leaving, which lifts the price above 1.
    let carol = t.net.create_account("carol", 100 * NEAR);
    t.call(&carol, "deposit_and_stake", json!({}), 5 * NEAR).unwrap();
    t.call(&carol, "storage_unregister", json!({"force": true}), 1).unwrap();
    assert!(t.u128("ft_price", json!({})) > NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    t.call(&alice, "deposit", json!({}), 2 * NEAR).unwrap();
    t.call(&alice, "unstake", json!({"amount": NEAR.to_string()}), 0).unwrap();
    t.assert_solvent();
    let before = snapshot(&t, &[&alice, &bob]);
    let cost = storage_cost(&bob);
    let staked = t.staked(&alice);
    let cases: Vec<(&Account, &str, Value, u128, String)> = vec![
        (&alice, "deposit", json!({}), 0, "Deposit amount should be positive".into()),
        (
            &bob,
            "deposit_and_stake",
            json!({}),
            cost,
            format!("The deposit must exceed the storage cost of {cost} yoctoNEAR for a new account"),
        ),
        (&bob, "deposit_and_stake", json!({}), cost + 1, "The amount is too small to mint any liquid token".into()),
        (&alice, "stake", json!({"amount": "0"}), 0, "Staking amount should be positive".into()),
        (&alice, "stake", json!({"amount": (4 * NEAR).to_string()}), 0, "Not enough unstaked balance to stake".into()),
        (&alice, "stake", json!({"amount": "1"}), 1, "Method stake doesn't accept deposit".into()),
        (&alice, "unstake", json!({"amount": "0"}), 0, "Unstaking amount should be positive".into()),
        (
            &alice,
            "unstake",
            json!({"amount": (staked + 1).to_string()}),
            0,
            "Not enough staked balance to unstake".into(),
        ),
        (&bob, "unstake", json!({"amount": "1"}), 0, "Not enough staked balance to unstake".into()),
        (&bob, "unstake_all", json!({}), 0, "Unstaking amount should be positive".into()),
        (&alice, "unstake_all", json!({}), NEAR, "Method unstake_all doesn't accept deposit".into()),
        (&alice, "withdraw", json!({"amount": "0"}), 0, "Withdrawal amount should be positive".into()),
        (
            &alice,
            "withdraw",
            json!({"amount": (4 * NEAR).to_string()}),
            0,
            "Not enough unstaked balance to withdraw".into(),
        ),
        (
            &alice,
            "withdraw",
            json!({"amount": (2 * NEAR + 1).to_string()}),
            0,
            "The unstaked balance is not yet available due to unstaking delay".into(),
        ),
        (&bob, "withdraw_all", json!({}), 0, "Withdrawal amount should be positive".into()),
    ];
    for (who, method, args, deposit, error) in cases {
        let balance = who.balance();
        let out = t.call(who, method, args, deposit);
        assert_fails(&t, who, out, &error, &before, &[&alice, &bob], balance);
    }
}

#[test]
fn bad_token_calls_fail_cleanly() {
    let t = setup();
    let alice = t.net.create_account("alice", 100 * NEAR);
    let bob = t.net.create_account("bob", 100 * NEAR);
    let carol = t.net.create_account("carol", 100 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    t.call(&bob, "storage_deposit", json!({}), NEAR).unwrap();
    let before = snapshot(&t, &[&alice, &bob, &carol]);
    let shares = t.shares(&alice);
    let transfer = |to: &str, amount: u128| json!({"receiver_id": to, "amount": amount.to_string()});
    let cases: Vec<(&Account, &str, Value, u128, &str)> = vec![
        (&alice, "ft_transfer", transfer("bob.near", 1), 0, "Requires attached deposit of exactly 1 yoctoNEAR"),
        (&alice, "ft_transfer", transfer("bob.near", 1), 2, "Requires attached deposit of exactly 1 yoctoNEAR"),
        (&alice, "ft_transfer", transfer("carol.near", 1), 1, "The account carol.near is not registered"),
        (&carol, "ft_transfer", transfer("bob.near", 1), 1, "The account carol.near is not registered"),
        (&alice, "ft_transfer", transfer("alice.near", 1), 1, "The sender and the receiver should be different"),
        (&alice, "ft_transfer", transfer("bob.near", 0), 1, "The amount should be a positive number"),
        (&alice, "ft_transfer", transfer("bob.near", shares + 1), 1, "The account doesn't have enough balance"),
        (
            &alice,
            "storage_withdraw",
            json!({"amount": "1"}),
            1,
            "The amount is greater than the available storage balance",
        ),
        (&alice, "storage_unregister", json!({}), 0, "Requires attached deposit of exactly 1 yoctoNEAR"),
        (&carol, "storage_deposit", json!({}), 1, "The attached deposit is less than the minimum storage balance"),
        (
            &alice,
            "ft_resolve_transfer",
            json!({"sender_id": "bob.near", "receiver_id": "alice.near", "amount": "1"}),
            0,
            "Method ft_resolve_transfer is private",
        ),
    ];
    for (who, method, args, deposit, error) in cases {
        let balance = who.balance();
        let out = t.call(who, method, args, deposit);
        assert_fails(&t, who, out, error, &before, &[&alice, &bob, &carol], balance);
    }
    // A malformed account id is rejected by argument parsing.
    let out = t.call(&alice, "ft_transfer", transfer("Not An Account!", 1), 1);
    assert_eq!(
        out.failure(),
        Some("Smart contract panicked: Failed to deserialize input from JSON: `receiver_id` is not a valid account id")
    );
    let out = t.call(&alice, "ft_transfer", json!({"receiver_id": "bob.near", "amount": 5}), 1);
    assert_eq!(
        out.failure(),
        Some("Smart contract panicked: Failed to deserialize input from JSON: `amount` must be a string")
    );
    // A repeated key is refused, as near-sdk does, also when written with an escape.
    for args in [
        r#"{"receiver_id":"bob.near","amount":"1","amount":"999"}"#,
        r#"{"receiver_id":"bob.near","amount":"1","\u0061mount":"999"}"#,
    ] {
        let out =
            alice.call(t.lst.id(), "ft_transfer").args(args.as_bytes().to_vec()).deposit(1).gas(30 * TGAS).transact();
        assert_eq!(
            out.failure(),
            Some("Smart contract panicked: Failed to deserialize input from JSON: duplicate key in an object"),
            "{args}"
        );
    }
    assert_eq!(snapshot(&t, &[&alice, &bob, &carol]), before);
    // ft_transfer_call with too little gas.
    let out = alice
        .call(t.lst.id(), "ft_transfer_call")
        .args_json(json!({"receiver_id": "bob.near", "amount": "1", "msg": ""}))
        .deposit(1)
        .gas(14 * TGAS)
        .transact();
    assert_eq!(out.failure(), Some("Smart contract panicked: Not enough gas: ft_transfer_call needs at least 15 Tgas"));
    assert_eq!(snapshot(&t, &[&alice, &bob, &carol]), before);
}

#[test]
fn initialisation_checks_its_arguments_and_runs_once() {
    let net = localnet::Localnet::new();
    let owner = net.create_account("owner", 100 * NEAR);
    let treasury = net.create_account("treasury", NEAR);
    let lst = net.create_account("lst", 50 * NEAR);
    let wasm = contract_wasm("liquid-staking");
    lst.deploy(&wasm).unwrap();
    let new =
        |args: Value, seed: u128| lst.call(lst.id(), "new").args_json(args).deposit(seed).gas(100 * TGAS).transact();
    let good = init_args(&owner, &treasury);
    let with = |key: &str, value: Value| {
        let mut args = good.clone();
        args[key] = value;
        args
    };
    let mut bad_metadata = metadata();
    bad_metadata["decimals"] = json!(18);
    let cases = [
        (good.clone(), NEAR - 1, "Attach at least 1 NEAR as the seed stake"),
        (with("reward_fee", json!({"numerator": 21, "denominator": 100})), SEED, "The reward fee must be at most 20%"),
        (with("reward_fee", json!({"numerator": 0, "denominator": 0})), SEED, "The fee denominator must be positive"),
        (with("metadata", bad_metadata), SEED, "The token must have 24 decimals, like NEAR"),
        (
            with("max_reward_rate", json!({"numerator": 2, "denominator": 100})),
            SEED,
            "The reward rate bound must be at most 1% an epoch",
        ),
        (with("drain_after_epochs", json!(0)), SEED, "drain_after_epochs must be from 1 to 100"),
        (with("drain_after_epochs", json!(101)), SEED, "drain_after_epochs must be from 1 to 100"),
    ];
    for (args, seed, error) in cases {
        let out = new(args, seed);
        assert_eq!(out.failure(), Some(format!("Smart contract panicked: {error}").as_str()));
    }
    new(good.clone(), SEED).unwrap();
    let out = new(good, SEED);
    assert_eq!(out.failure(), Some("Smart contract panicked: The contract has already been initialized"));
    let config: Value = lst.view("get_config").json();
    assert_eq!(
        config,
        json!({
            "owner_id": "owner.near", "treasury_id": "treasury.near", "reward_fee": {"numerator": 1, "denominator": 10},
            "manager_id": "owner.near", "whitelist_id": null, "max_reward_rate": {"numerator": 1, "denominator": 1000},
            "drain_after_epochs": 3,
        })
    );
}
