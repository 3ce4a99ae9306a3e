//! NEP-145: a holder pays exactly the storage it occupies, and gets it back when it leaves.
mod common;

use common::*;
use localnet::NEAR;
use serde_json::{Value, json};

#[test]
fn the_first_deposit_pays_exactly_the_storage_the_holder_adds() {
    let t = setup();
    let alice = t.net.create_account("alice", 100 * NEAR);
    // The totals record is stored as LEB128 numbers, so its size follows the figures: the
    // contract's own records are the operator's to fund, the holder's are the holder's.
    let totals_len = || t.net.view_state(t.lst.id(), b"t").unwrap().len() as u64;
    let (before, totals_before) = (t.lst.state().storage_usage, totals_len());
    t.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    let added = t.lst.state().storage_usage - before - (totals_len() - totals_before);
    assert_eq!(added, 142 + 2 * alice.id().len() as u64);
    assert_eq!(added, 162);
    assert_eq!(storage_cost(&alice), added as u128 * BYTE_COST);
    assert_eq!(
        t.view::<Value>("storage_balance_of", json!({"account_id": alice.id()})),
        json!({"total": storage_cost(&alice).to_string(), "available": "0"})
    );
    assert_eq!(t.view::<Value>("storage_balance_of", json!({"account_id": "nobody.near"})), Value::Null);
    let bound = ((142 + 128) * BYTE_COST).to_string();
    assert_eq!(t.view::<Value>("storage_balance_bounds", json!({})), json!({"min": bound, "max": bound}));
    // A second deposit adds no storage of the holder's.
    let (before, totals_before) = (t.lst.state().storage_usage, totals_len());
    t.call(&alice, "deposit_and_stake", json!({}), NEAR).unwrap();
    assert_eq!(t.lst.state().storage_usage - totals_len(), before - totals_before);
}

#[test]
fn storage_deposit_registers_another_account_and_refunds_the_excess() {
    let t = setup();
    let alice = t.net.create_account("alice", 100 * NEAR);
    let bob = t.net.create_account("bob", NEAR);
    let first = t.call(&alice, "storage_deposit", json!({"account_id": bob.id()}), NEAR).unwrap();
    assert_eq!(first.json::<Value>(), json!({"total": storage_cost(&bob).to_string(), "available": "0"}));
    assert_eq!(alice.balance(), 100 * NEAR - storage_cost(&bob) - first.total_tokens_burnt());
    // Registering again refunds the whole deposit.
    let again = t.call(&alice, "storage_deposit", json!({"account_id": bob.id()}), NEAR).unwrap();
    let gas = first.total_tokens_burnt() + again.total_tokens_burnt();
    assert_eq!(alice.balance(), 100 * NEAR - storage_cost(&bob) - gas);
    assert_eq!(t.view::<u64>("get_number_of_accounts", json!({})), 1);
}

#[test]
fn unregistering_returns_the_storage_deposit_and_keeps_the_index_whole() {
    let t = setup();
    let names = ["a", "b", "c"];
    let holders: Vec<_> = names.iter().map(|n| t.net.create_account(n, 10 * NEAR)).collect();
    for h in &holders {
        t.call(h, "storage_deposit", json!({}), storage_cost(h)).unwrap();
    }
    let a = &holders[0];
    let before = a.balance();
    let out = t.call(a, "storage_unregister", json!({}), 1).unwrap();
    assert!(out.json::<bool>());
    assert_eq!(a.balance(), before - 1 - out.total_tokens_burnt() + storage_cost(a) + 1);
    assert_eq!(
        out.events(),
        vec![
            json!({"standard":"liquid-staking","version":"1.0.0","event":"unregister","data":[{"account_id":"a.near","storage_deposit":storage_cost(a).to_string()}]})
        ]
    );
    // The last holder moved into the freed slot.
    let accounts: Vec<Value> = t.view("get_accounts", json!({"from_index": 0, "limit": 10}));
    let ids: Vec<&str> = accounts.iter().map(|a| a["account_id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["c.near", "b.near"]);
    assert!(!t.call(a, "storage_unregister", json!({}), 1).json::<bool>());
    t.assert_balanced();
}

#[test]
fn unregistering_with_tokens_needs_force_and_burns_them() {
    let t = setup();
    let alice = t.net.create_account("alice", 100 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    let shares = t.shares(&alice);
    let out = t.call(&alice, "storage_unregister", json!({}), 1);
    assert_eq!(
        out.failure(),
        Some("Smart contract panicked: Can't unregister the account with the positive balance without force")
    );
    let out = t.call(&alice, "storage_unregister", json!({"force": true}), 1).unwrap();
    assert_eq!(
        out.events()[0],
        json!({"standard":"nep141","version":"1.0.0","event":"ft_burn","data":[{"owner_id":"alice.near","amount":shares.to_string()}]})
    );
    // Burnt tokens leave their NEAR to the remaining holders (here the seed's dead shares).
    assert_eq!(t.u128("ft_total_supply", json!({})), SEED);
    assert_eq!(t.u128("get_total_staked_balance", json!({})), SEED + shares);
    assert!(t.solvency()["solvent"].as_bool().unwrap());
}

#[test]
fn unregistering_needs_the_unstaked_balance_withdrawn_first() {
    let t = setup();
    let alice = t.net.create_account("alice", 100 * NEAR);
    t.call(&alice, "deposit", json!({}), 10 * NEAR).unwrap();
    let out = t.call(&alice, "storage_unregister", json!({"force": true}), 1);
    assert_eq!(out.failure(), Some("Smart contract panicked: Withdraw the unstaked balance before unregistering"));
    t.call(&alice, "deposit_and_stake", json!({}), NEAR).unwrap();
    t.call(&alice, "withdraw_all", json!({}), 0).unwrap();
    assert!(t.call(&alice, "storage_unregister", json!({"force": true}), 1).unwrap().json::<bool>());
}
