//! Every bad input fails with a clear error and changes nothing but the caller's gas.
mod common;

use common::*;
use liquid_staking::errors;
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
        (&alice, "deposit", json!({}), 0, errors::staking::DEPOSIT_POSITIVE.into()),
        (&bob, "deposit_and_stake", json!({}), cost, errors::staking::below_storage_cost(cost)),
        (&bob, "deposit_and_stake", json!({}), cost + 1, errors::staking::TOO_SMALL_TO_MINT.into()),
        (&alice, "stake", json!({"amount": "0"}), 0, errors::staking::STAKE_POSITIVE.into()),
        (&alice, "stake", json!({"amount": (4 * NEAR).to_string()}), 0, errors::staking::NOT_ENOUGH_TO_STAKE.into()),
        (&alice, "stake", json!({"amount": "1"}), 1, "Method stake doesn't accept deposit".into()),
        (&alice, "unstake", json!({"amount": "0"}), 0, errors::staking::UNSTAKE_POSITIVE.into()),
        (&alice, "unstake", json!({"amount": (staked + 1).to_string()}), 0, errors::staking::NOT_ENOUGH_STAKED.into()),
        (&bob, "unstake", json!({"amount": "1"}), 0, errors::staking::NOT_ENOUGH_STAKED.into()),
        (&bob, "unstake_all", json!({}), 0, errors::staking::UNSTAKE_POSITIVE.into()),
        (&alice, "unstake_all", json!({}), NEAR, "Method unstake_all doesn't accept deposit".into()),
        (&alice, "withdraw", json!({"amount": "0"}), 0, errors::staking::WITHDRAW_POSITIVE.into()),
        (
            &alice,
            "withdraw",
            json!({"amount": (4 * NEAR).to_string()}),
            0,
            errors::staking::NOT_ENOUGH_TO_WITHDRAW.into(),
        ),
        (
            &alice,
            "withdraw",
            json!({"amount": (2 * NEAR + 1).to_string()}),
            0,
            errors::staking::NOT_YET_UNLOCKED.into(),
        ),
        (&bob, "withdraw_all", json!({}), 0, errors::staking::WITHDRAW_POSITIVE.into()),
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
        (&alice, "ft_transfer", transfer("bob.near", 1), 0, errors::access::ONE_YOCTO),
        (&alice, "ft_transfer", transfer("bob.near", 1), 2, errors::access::ONE_YOCTO),
        (&alice, "ft_transfer", transfer("carol.near", 1), 1, "The account carol.near is not registered"),
        (&carol, "ft_transfer", transfer("bob.near", 1), 1, "The account carol.near is not registered"),
        (&alice, "ft_transfer", transfer("alice.near", 1), 1, errors::token::SAME_ACCOUNT),
        (&alice, "ft_transfer", transfer("bob.near", 0), 1, errors::token::AMOUNT_POSITIVE),
        (&alice, "ft_transfer", transfer("bob.near", shares + 1), 1, errors::token::NOT_ENOUGH_BALANCE),
        (&alice, "storage_withdraw", json!({"amount": "1"}), 1, errors::storage::ABOVE_AVAILABLE),
        (&alice, "storage_unregister", json!({}), 0, errors::access::ONE_YOCTO),
        (&carol, "storage_deposit", json!({}), 1, errors::storage::BELOW_MINIMUM),
        (
            &alice,
            "ft_resolve_transfer",
            json!({"sender_id": "bob.near", "receiver_id": "alice.near", "amount": "1"}),
            0,
            errors::access::RESOLVE_TRANSFER_PRIVATE,
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
    let message = format!("Smart contract panicked: {}", errors::token::transfer_call_gas(15));
    assert_eq!(out.failure(), Some(message.as_str()));
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
        (good.clone(), NEAR - 1, errors::config::SEED),
        (with("reward_fee", json!({"numerator": 21, "denominator": 100})), SEED, errors::config::REWARD_FEE_LIMIT),
        (with("reward_fee", json!({"numerator": 0, "denominator": 0})), SEED, errors::config::FEE_DENOMINATOR),
        (with("metadata", bad_metadata), SEED, errors::config::DECIMALS),
        (with("max_reward_rate", json!({"numerator": 2, "denominator": 100})), SEED, errors::config::REWARD_RATE_LIMIT),
        (with("drain_after_epochs", json!(0)), SEED, errors::config::DRAIN_AFTER_LIMIT),
        (with("drain_after_epochs", json!(101)), SEED, errors::config::DRAIN_AFTER_LIMIT),
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

/// The catalogue's messages marked as the core staking pool's are its words exactly: our
/// implementation of the core pool (held to the real one's behaviour) fails with each of them.
#[test]
fn core_pool_messages_are_the_core_pools_words() {
    let catalogue = include_str!("../src/errors.rs");
    let core_pool: String = ["internal.rs", "lib.rs"]
        .iter()
        .map(|f| std::fs::read_to_string(format!("{}/../staking-pool/src/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap())
        .collect();
    let mut lines = catalogue.lines();
    let mut checked = Vec::new();
    while let Some(line) = lines.next() {
        if line.trim() == "/// Same as the core staking pool." {
            let constant = lines.next().unwrap();
            let message = constant.split('"').nth(1).unwrap();
            assert!(core_pool.contains(&format!("\"{message}\"")), "{message}");
            checked.push(message);
        }
    }
    assert_eq!(
        checked,
        [
            errors::staking::STAKE_POSITIVE,
            errors::staking::UNSTAKE_POSITIVE,
            errors::staking::WITHDRAW_POSITIVE,
            errors::staking::NOT_ENOUGH_TO_STAKE,
            errors::staking::NOT_ENOUGH_TO_WITHDRAW,
            errors::staking::NOT_YET_UNLOCKED,
            errors::staking::NOT_ENOUGH_STAKED,
        ]
    );
}
