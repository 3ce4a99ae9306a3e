//! The interface as lockup contracts and wallets use it: each call with the lockup contract's
//! gas, the views' JSON shapes, paging, and the owner's methods.
mod common;

use common::*;
use localnet::{Localnet, NEAR, account_key, build::contract_wasm};
use serde_json::{Value, json};

/// Calls the pool from a contract, with the gas NEAR's lockup contract attaches to each method,
/// and returns what the callback saw.
fn lockup_call(
    p: &Pool,
    lockup: &localnet::Account,
    method: &str,
    args: Value,
    deposit: u128,
    gas_tgas: u64,
) -> Option<String> {
    p.call_from_contract(lockup, method, args, deposit, gas_tgas).json::<Vec<Option<String>>>().remove(0)
}

#[test]
fn a_lockup_contract_stakes_unstakes_and_withdraws_with_its_gas() {
    let p = setup(Localnet::new(), 100 * NEAR, (0, 1));
    let lockup = p.net.create_account("lockup", 100 * NEAR);
    lockup.deploy(&contract_wasm("test-caller")).unwrap();
    let me = json!({"account_id": lockup.id()});

    assert_eq!(lockup_call(&p, &lockup, "deposit", json!({}), 10 * NEAR, 50), Some(String::new()));
    assert_eq!(
        lockup_call(&p, &lockup, "stake", json!({"amount": (4 * NEAR).to_string()}), 0, 75),
        Some(String::new())
    );
    assert_eq!(lockup_call(&p, &lockup, "deposit_and_stake", json!({}), 20 * NEAR, 75), Some(String::new()));
    let staked = format!("\"{}\"", 24 * NEAR);
    assert_eq!(lockup_call(&p, &lockup, "get_account_staked_balance", me.clone(), 0, 25), Some(staked));
    assert_eq!(
        lockup_call(&p, &lockup, "get_account_unstaked_balance", me.clone(), 0, 25),
        Some(format!("\"{}\"", 6 * NEAR))
    );
    assert_eq!(
        lockup_call(&p, &lockup, "get_account_total_balance", me.clone(), 0, 25),
        Some(format!("\"{}\"", 30 * NEAR))
    );
    assert_eq!(
        lockup_call(&p, &lockup, "unstake", json!({"amount": (4 * NEAR).to_string()}), 0, 75),
        Some(String::new())
    );
    assert_eq!(lockup_call(&p, &lockup, "unstake_all", json!({}), 0, 75), Some(String::new()));
    p.net.advance_epochs(4);
    assert_eq!(
        lockup_call(&p, &lockup, "withdraw", json!({"amount": (30 * NEAR).to_string()}), 0, 75),
        Some(String::new())
    );
    assert_eq!(lockup_call(&p, &lockup, "get_account_total_balance", me, 0, 25), Some("\"0\"".to_string()));
}

#[test]
fn views_answer_in_the_core_pools_shapes() {
    let p = setup(Localnet::new(), 100 * NEAR, (3, 100));
    let unknown = json!({"account_id": "nobody.near"});
    assert_eq!(
        p.pool.view("get_account").args_json(&unknown).json::<Value>(),
        json!({"account_id": "nobody.near", "unstaked_balance": "0", "staked_balance": "0", "can_withdraw": true})
    );
    assert_eq!(p.pool.view("get_account_total_balance").args_json(&unknown).json::<String>(), "0");
    assert!(p.pool.view("is_account_unstaked_balance_available").args_json(&unknown).json::<bool>());
    assert_eq!(p.pool.view("get_owner_id").json::<String>(), "owner.near");
    assert_eq!(p.pool.view("get_staking_key").json::<String>(), account_key(p.pool.id()).to_string());
    assert!(p.pool.view("get_staking_key").json::<String>().starts_with("ed25519:"));
    assert_eq!(p.pool.view("get_reward_fee_fraction").json::<Value>(), json!({"numerator": 3, "denominator": 100}));
    assert!(!p.pool.view("is_staking_paused").json::<bool>());
    assert_eq!(p.total_staked(), 99 * NEAR);

    let names = ["a", "b", "c", "d", "e"];
    for (i, name) in names.iter().enumerate() {
        let user = p.net.create_account(name, 10 * NEAR);
        p.call(&user, "deposit", json!({}), (i as u128 + 1) * NEAR).unwrap();
    }
    assert_eq!(p.pool.view("get_number_of_accounts").json::<u64>(), 5);
    let page: Vec<Value> = p.pool.view("get_accounts").args_json(json!({"from_index": 1, "limit": 2})).json();
    assert_eq!(
        page,
        vec![
            json!({"account_id": "b.near", "unstaked_balance": (2 * NEAR).to_string(), "staked_balance": "0", "can_withdraw": true}),
            json!({"account_id": "c.near", "unstaked_balance": (3 * NEAR).to_string(), "staked_balance": "0", "can_withdraw": true}),
        ]
    );
    let tail: Vec<Value> = p.pool.view("get_accounts").args_json(json!({"from_index": 4, "limit": 10})).json();
    assert_eq!(tail.len(), 1);
}

#[test]
fn only_the_owner_changes_the_fee_and_the_key() {
    let p = setup(Localnet::new(), 100 * NEAR, (3, 100));
    let alice = p.net.create_account("alice", 10 * NEAR);
    let fee = json!({"reward_fee_fraction": {"numerator": 5, "denominator": 100}});
    let out = p.call(&alice, "update_reward_fee_fraction", fee.clone(), 0);
    assert_eq!(out.failure(), Some("Smart contract panicked: Can only be called by the owner"));
    let bad = json!({"reward_fee_fraction": {"numerator": 5, "denominator": 0}});
    let out = p.call(&p.owner, "update_reward_fee_fraction", bad, 0);
    assert_eq!(out.failure(), Some("Smart contract panicked: Denominator must be a positive number"));
    let too_much = json!({"reward_fee_fraction": {"numerator": 5, "denominator": 4}});
    let out = p.call(&p.owner, "update_reward_fee_fraction", too_much, 0);
    assert_eq!(out.failure(), Some("Smart contract panicked: The reward fee must be less or equal to 1"));
    p.call(&p.owner, "update_reward_fee_fraction", fee, 0).unwrap();
    assert_eq!(p.pool.view("get_reward_fee_fraction").json::<Value>(), json!({"numerator": 5, "denominator": 100}));

    let key = account_key(alice.id()).to_string();
    let out = p.call(&alice, "update_staking_key", json!({"stake_public_key": key}), 0);
    assert_eq!(out.failure(), Some("Smart contract panicked: Can only be called by the owner"));
    p.call(&p.owner, "update_staking_key", json!({"stake_public_key": key}), 0).unwrap();
    assert_eq!(p.pool.view("get_staking_key").json::<String>(), key);
}

#[test]
fn bad_amounts_fail_with_clear_errors_and_change_nothing() {
    let p = setup(Localnet::new(), 100 * NEAR, (0, 1));
    let alice = p.net.create_account("alice", 50 * NEAR);
    p.call(&alice, "deposit", json!({}), 5 * NEAR).unwrap();
    let cases = [
        ("withdraw", json!({"amount": "0"}), "Withdrawal amount should be positive"),
        ("withdraw", json!({"amount": (6 * NEAR).to_string()}), "Not enough unstaked balance to withdraw"),
        ("stake", json!({"amount": "0"}), "Staking amount should be positive"),
        ("stake", json!({"amount": (6 * NEAR).to_string()}), "Not enough unstaked balance to stake"),
        ("unstake", json!({"amount": "0"}), "Unstaking amount should be positive"),
        ("unstake", json!({"amount": "1"}), "Not enough staked balance to unstake"),
    ];
    for (method, args, error) in cases {
        let out = p.call(&alice, method, args, 0);
        assert_eq!(out.failure(), Some(format!("Smart contract panicked: {error}").as_str()), "{method}");
        assert_eq!(p.unstaked(&alice), 5 * NEAR);
        assert_eq!(p.staked(&alice), 0);
        assert_eq!(p.total_staked(), 99 * NEAR);
    }
}

#[test]
fn errors_read_like_the_core_pools() {
    let p = setup(Localnet::new(), 100 * NEAR, (0, 1));
    let alice = p.net.create_account("alice", 50 * NEAR);
    // A deposit of nothing is accepted and records nothing; staking nothing is refused.
    p.call(&alice, "deposit", json!({}), 0).unwrap();
    assert_eq!(p.pool.view("get_number_of_accounts").json::<u64>(), 0);
    let cases = [
        ("deposit_and_stake", "Staking amount should be positive"),
        ("stake_all", "Staking amount should be positive"),
        ("unstake_all", "Unstaking amount should be positive"),
        ("withdraw_all", "Withdrawal amount should be positive"),
        ("on_stake_action", "Can be called only as a callback"),
    ];
    for (method, error) in cases {
        let out = p.call(&alice, method, json!({}), 0);
        assert_eq!(out.failure(), Some(format!("Smart contract panicked: {error}").as_str()), "{method}");
    }
    let args = json!({
        "owner_id": alice.id(),
        "stake_public_key": account_key(alice.id()).to_string(),
        "reward_fee_fraction": {"numerator": 0, "denominator": 1},
    });
    let out = p.call(&alice, "new", args, 0);
    assert_eq!(out.failure(), Some("Smart contract panicked: Already initialized"));
    assert_eq!(p.total_staked(), 99 * NEAR);
    assert_eq!(p.pool.view("get_owner_id").json::<String>(), "owner.near");

    // A pool deployed but not initialised.
    let bare = p.net.create_account("bare", 10 * NEAR);
    bare.deploy(&contract_wasm("staking-pool")).unwrap();
    let out = alice.call(bare.id(), "ping").transact();
    assert_eq!(out.failure(), Some("Smart contract panicked: Staking contract should be initialized before usage"));
}
