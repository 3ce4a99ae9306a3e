//! The staking-pool views with the core pool's shapes, paging, and the solvency check; a
//! donation to the contract moves neither the price nor the buckets.
mod common;

use common::*;
use localnet::NEAR;
use serde_json::{Value, json};

#[test]
fn unknown_accounts_read_as_zeros() {
    let t = setup();
    let nobody = json!({"account_id": "nobody.near"});
    assert_eq!(
        t.view::<Value>("get_account", nobody.clone()),
        json!({"account_id": "nobody.near", "unstaked_balance": "0", "staked_balance": "0", "can_withdraw": true})
    );
    for view in
        ["get_account_staked_balance", "get_account_unstaked_balance", "get_account_total_balance", "ft_balance_of"]
    {
        assert_eq!(t.view::<String>(view, nobody.clone()), "0", "{view}");
    }
    assert!(t.view::<bool>("is_account_unstaked_balance_available", nobody));
    assert_eq!(t.view::<String>("get_owner_id", json!({})), "owner.near");
    assert_eq!(t.view::<Value>("get_reward_fee_fraction", json!({})), json!({"numerator": 1, "denominator": 10}));
    assert_eq!(t.view::<String>("get_staking_key", json!({})), "ed25519:11111111111111111111111111111111");
    assert!(!t.view::<bool>("is_staking_paused", json!({})));
    assert_eq!(t.u128("get_total_staked_balance", json!({})), SEED);
    assert_eq!(t.view::<u64>("get_number_of_accounts", json!({})), 0);
}

#[test]
fn accounts_page_in_registration_order() {
    let t = setup();
    for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
        let holder = t.net.create_account(name, 100 * NEAR);
        t.call(&holder, "deposit_and_stake", json!({}), (i as u128 + 1) * NEAR + storage_cost(&holder)).unwrap();
    }
    assert_eq!(t.view::<u64>("get_number_of_accounts", json!({})), 4);
    let page: Vec<Value> = t.view("get_accounts", json!({"from_index": 1, "limit": 2}));
    assert_eq!(
        page,
        vec![
            json!({"account_id": "b.near", "unstaked_balance": "0", "staked_balance": (2 * NEAR).to_string(), "can_withdraw": true}),
            json!({"account_id": "c.near", "unstaked_balance": "0", "staked_balance": (3 * NEAR).to_string(), "can_withdraw": true}),
        ]
    );
    assert_eq!(t.view::<Vec<Value>>("get_accounts", json!({"from_index": 3, "limit": 100})).len(), 1);
    assert_eq!(t.view::<Vec<Value>>("get_accounts", json!({"from_index": 9, "limit": 100})).len(), 0);
}

#[test]
fn a_donation_moves_neither_the_price_nor_the_buckets() {
    let t = setup();
    let alice = t.net.create_account("alice", 100 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    let before = t.solvency();
    let price = t.u128("ft_price", json!({}));
    let donor = t.net.create_account("donor", 1_000 * NEAR);
    donor.transfer(t.lst.id(), 500 * NEAR).unwrap();
    assert_eq!(t.u128("ft_price", json!({})), price);
    let after = t.solvency();
    assert_eq!(after["totals"], before["totals"]);
    let surplus = |s: &Value| {
        s["balance"].as_str().unwrap().parse::<u128>().unwrap()
            - s["tracked"].as_str().unwrap().parse::<u128>().unwrap()
    };
    assert_eq!(surplus(&after), surplus(&before) + 500 * NEAR);
    // A new depositor gets exactly the same price as before the donation.
    let bob = t.net.create_account("bob", 100 * NEAR);
    t.call(&bob, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    assert_eq!(t.staked(&bob), 10 * NEAR - storage_cost(&bob));
}

#[test]
fn the_solvency_view_accounts_for_every_bucket() {
    let t = setup();
    let alice = t.net.create_account("alice", 100 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    t.call(&alice, "deposit", json!({}), 3 * NEAR).unwrap();
    t.call(&alice, "unstake", json!({"amount": (2 * NEAR).to_string()}), 0).unwrap();
    let cost = storage_cost(&alice);
    let s = t.solvency();
    let n = |v: u128| json!(v.to_string());
    assert_eq!(
        s["totals"],
        json!({
            "total_shares": n(SEED + 8 * NEAR - cost), "total_staked": n(SEED + 8 * NEAR - cost),
            "buffered": n(SEED + 8 * NEAR - cost), "reserve": n(2 * NEAR), "deposits": n(3 * NEAR),
            "unstaked": n(2 * NEAR),
            "storage_deposits": n(cost), "holders": 1, "delegated": "0", "unstaking": "0", "to_unstake": "0",
            "claims_unstaking": "0", "due_short": "0", "stuck": "0", "pending_rewards": "0",
            "liquidity": "0", "liquidity_fees": "0", "treasury_fees": "0",
        })
    );
    assert_eq!(s["assets"], n(SEED + 13 * NEAR - cost));
    assert_eq!(s["tracked"], n(SEED + 13 * NEAR));
    assert_eq!(s["solvent"], json!(true));
}

/// The price history holds, for each epoch the crank finished, the price right after that
/// epoch's rewards and the time of the block that put them in; 64 epochs are kept.
#[test]
fn the_price_history_records_each_epochs_price_after_its_rewards() {
    let t = setup();
    t.add_validators(&[1, 2]);
    let alice = t.net.create_account("alice", 1_000 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 500 * NEAR).unwrap();
    let config = t.net.config();
    let mut expected = vec![];
    for _ in 0..3 {
        let outcomes = t.crank();
        let closing = outcomes
            .iter()
            .flat_map(|o| &o.receipts)
            .find(|r| r.logs.iter().any(|l| l.contains(r#""event":"epoch_rewards""#)))
            .expect("the epoch's rewards went into the price");
        let time_ns = config.genesis_time_ns + closing.block_height * config.block_time_ns;
        expected.push(json!({
            "epoch": t.net.epoch_height(),
            "timestamp_ms": time_ns / 1_000_000,
            "price": t.u128("ft_price", json!({})).to_string(),
        }));
        t.net.advance_epochs(1);
    }
    // Rewards raised the price epoch after epoch.
    assert!(expected[2]["price"].as_str().unwrap().parse::<u128>().unwrap() > NEAR, "{expected:?}");
    assert_eq!(t.view::<Value>("get_price_history", json!({})), json!(expected));
    assert_eq!(t.view::<Value>("get_price_history", json!({"limit": 3})), json!(expected[1..]));
    assert_eq!(t.view::<Value>("get_price_history", json!({"limit": 0})), json!([]));

    // After 64 more epochs the oldest are gone and each slot holds its newest epoch.
    for _ in 0..64 {
        t.crank();
        t.net.advance_epochs(1);
    }
    let history = t.view::<Vec<Value>>("get_price_history", json!({"limit": 1000}));
    let now = t.net.epoch_height();
    let epochs: Vec<u64> = history.iter().map(|e| e["epoch"].as_u64().unwrap()).collect();
    // This epoch has not been cranked: the 63 before it are there.
    assert_eq!(epochs, (now - 63..now).collect::<Vec<_>>());
}
