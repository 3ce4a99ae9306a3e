//! The liquid token: NEP-141 transfers, `ft_transfer_call` with its refund, metadata and price.
mod common;

use common::*;
use localnet::{Account, NEAR, TGAS, build::contract_wasm};
use serde_json::{Value, json};

fn funded(t: &Lst, name: &str, stake: u128) -> Account {
    let account = t.net.create_account(name, 100 * NEAR);
    t.call(&account, "deposit_and_stake", json!({}), stake + storage_cost(&account)).unwrap();
    account
}

#[test]
fn ft_transfer_moves_tokens_and_emits_the_nep141_event() {
    let t = setup();
    let alice = funded(&t, "alice", 10 * NEAR);
    let bob = funded(&t, "bob", NEAR);
    let out = alice
        .call(t.lst.id(), "ft_transfer")
        .args_json(json!({"receiver_id": bob.id(), "amount": (3 * NEAR).to_string(), "memo": "rent \"june\""}))
        .deposit(1)
        .transact()
        .unwrap();
    assert_eq!(
        out.events(),
        vec![json!({"standard":"nep141","version":"1.0.0","event":"ft_transfer","data":[{
            "old_owner_id":"alice.near","new_owner_id":"bob.near","amount":(3 * NEAR).to_string(),"memo":"rent \"june\""}]})]
    );
    assert_eq!(t.shares(&alice), 7 * NEAR);
    assert_eq!(t.shares(&bob), 4 * NEAR);
    assert_eq!(t.u128("ft_total_supply", json!({})), SEED + 11 * NEAR);
    t.assert_balanced();
}

#[test]
fn ft_transfer_call_lets_the_receiver_keep_part_and_refunds_the_rest() {
    let t = setup();
    let alice = funded(&t, "alice", 10 * NEAR);
    let receiver = t.net.create_account("receiver", 10 * NEAR);
    receiver.deploy(&contract_wasm("test-ft-receiver")).unwrap();
    t.call(&alice, "storage_deposit", json!({"account_id": receiver.id()}), storage_cost(&receiver)).unwrap();

    let transfer_call = |amount: u128, msg: &str| {
        alice
            .call(t.lst.id(), "ft_transfer_call")
            .args_json(json!({"receiver_id": receiver.id(), "amount": amount.to_string(), "msg": msg}))
            .deposit(1)
            .gas(50 * TGAS)
            .transact()
    };
    let out = transfer_call(4 * NEAR, &format!("keep:{}", NEAR)).unwrap();
    // The transaction's value is what the receiver used.
    assert_eq!(out.json::<String>(), NEAR.to_string());
    assert_eq!(
        out.events(),
        vec![
            json!({"standard":"nep141","version":"1.0.0","event":"ft_transfer","data":[{
                "old_owner_id":"alice.near","new_owner_id":"receiver.near","amount":(4 * NEAR).to_string()}]}),
            json!({"standard":"nep141","version":"1.0.0","event":"ft_transfer","data":[{
                "old_owner_id":"receiver.near","new_owner_id":"alice.near","amount":(3 * NEAR).to_string(),"memo":"refund"}]}),
        ]
    );
    assert_eq!(out.logs()[1], format!("received {} from alice.near", 4 * NEAR));
    assert_eq!(t.shares(&alice), 9 * NEAR);
    assert_eq!(t.shares(&receiver), NEAR);

    // A receiver that fails or answers nonsense gets nothing: everything is refunded.
    for msg in ["panic", "raw:not json", "raw:\"-5\"", &format!("raw:{}", "9".repeat(100))] {
        let out = transfer_call(2 * NEAR, msg);
        assert_eq!(out.json::<String>(), "0", "{msg}");
        assert_eq!(t.shares(&alice), 9 * NEAR, "{msg}");
        assert_eq!(t.shares(&receiver), NEAR, "{msg}");
    }
    // A valid answer is honoured however long it is (JSON allows whitespace around it).
    let padded = format!("raw:{}\"{}\"{}", " ".repeat(100), NEAR / 2, "\n".repeat(100));
    let out = transfer_call(2 * NEAR, &padded);
    assert_eq!(out.json::<String>(), (2 * NEAR - NEAR / 2).to_string());
    assert_eq!(t.shares(&alice), 9 * NEAR - 2 * NEAR + NEAR / 2);
    assert_eq!(t.shares(&receiver), NEAR + 2 * NEAR - NEAR / 2);
    t.call(
        &receiver,
        "ft_transfer",
        json!({"receiver_id": alice.id(), "amount": (2 * NEAR - NEAR / 2).to_string()}),
        1,
    )
    .unwrap();
    // An answer above the amount counts as the whole amount unused.
    let out = transfer_call(NEAR, &format!("raw:\"{}\"", 5 * NEAR));
    assert_eq!(out.json::<String>(), "0");
    assert_eq!(t.shares(&alice), 9 * NEAR);
    t.assert_balanced();
}

#[test]
fn metadata_and_price() {
    let t = setup();
    assert_eq!(t.view::<Value>("ft_metadata", json!({})), metadata());
    assert_eq!(t.u128("ft_price", json!({})), NEAR);
    let source: Value = t.view("contract_source_metadata", json!({}));
    let standards: Vec<&str> =
        source["standards"].as_array().unwrap().iter().map(|s| s["standard"].as_str().unwrap()).collect();
    assert_eq!(standards, vec!["nep141", "nep145", "nep148", "nep297", "nep330"]);
    assert_eq!(source["version"], json!("0.1.0"));
}
