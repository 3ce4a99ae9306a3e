//! Storage staking: usage counted per byte, and a receipt that leaves too little balance for
//! its account's storage fails and changes nothing.
mod common;

use common::*;
use localnet::{Localnet, NEAR};
use serde_json::json;

#[test]
fn storage_usage_counts_keys_values_and_record_overhead() {
    let net = Localnet::new();
    let grower = deploy(&net, "storage-grower", near(10));
    let alice = net.create_account("alice", near(10));
    let before = grower.state().storage_usage;
    let out = alice.call(grower.id(), "grow").args_json(json!({"count": 2, "size": 100})).transact().unwrap();
    // Two entries "e0", "e1" of 100 bytes; near-sdk writes the state record "STATE" (a u32)
    // after the method returned its value.
    let entries = before + 2 * (2 + 100 + 40);
    assert_eq!(out.json::<u64>(), entries);
    assert_eq!(grower.state().storage_usage, entries + (5 + 4 + 40));
    let out = alice.call(grower.id(), "shrink").args_json(json!({"count": 1})).transact().unwrap();
    assert_eq!(out.json::<u64>(), entries + (5 + 4 + 40) - (2 + 100 + 40));
}

#[test]
fn a_receipt_that_outgrows_the_balance_fails_with_lack_balance_for_state() {
    let net = Localnet::new();
    let grower = deploy(&net, "storage-grower", near(10));
    let alice = net.create_account("alice", near(10));
    let first = alice.call(grower.id(), "grow").args_json(json!({"count": 1, "size": 10})).transact().unwrap();
    let before = grower.state();
    // Room left for this many bytes:
    let free = (before.amount / BYTE_COST) as u64 - before.storage_usage;
    let size = 50_000u64;
    let count = free / (size + 43) + 1;
    let out = alice
        .call(grower.id(), "grow")
        .args_json(json!({"count": count, "size": size}))
        .gas(300 * localnet::TGAS)
        .transact();
    let added: u64 = (1..=count).map(|i| format!("e{i}").len() as u64 + size + 40).sum();
    let lacking = (before.storage_usage + added) as u128 * BYTE_COST - before.amount;
    assert_eq!(
        out.failure(),
        Some(format!("LackBalanceForState {{ account_id: storage-grower.near, amount: {lacking} }}").as_str())
    );
    assert_eq!(grower.state(), before);
    assert_eq!(grower.view("entries").json::<u32>(), 1);
    assert_eq!(alice.balance(), near(10) - first.total_tokens_burnt() - out.total_tokens_burnt());
}

#[test]
fn small_accounts_need_no_balance_for_storage() {
    let net = Localnet::new();
    // 182 bytes with no balance at all: allowed up to 770 bytes (NEP-448).
    let zero = net.create_account("zero", 0);
    assert_eq!(zero.state().storage_usage, 182);
    assert_eq!(zero.balance(), 0);
}

#[test]
fn a_transaction_cannot_spend_the_balance_its_storage_needs() {
    let net = Localnet::new();
    let grower = deploy(&net, "storage-grower", 2 * NEAR);
    let before = grower.state();
    let spare = before.amount - before.storage_usage as u128 * BYTE_COST;
    let out = grower.transfer(net.root().id(), spare);
    assert!(out.failure().unwrap().starts_with("InvalidTransaction: LackBalanceForState"), "{:?}", out.failure());
    assert_eq!(grower.state(), before);
}
