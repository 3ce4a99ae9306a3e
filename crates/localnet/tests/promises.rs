//! Cross-contract calls: callbacks with successful and failed results, joint promises,
//! returned promises, deposit refunds to the calling contract and gas weights.
mod common;

use common::*;
use localnet::{Account, Localnet, NEAR, Status, TGAS};
use serde_json::json;

fn setup() -> (Localnet, Account, Account, Account) {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let caller = deploy(&net, "caller", near(10));
    let alice = net.create_account("alice", near(10));
    (net, counter, caller, alice)
}

#[test]
fn a_callback_sees_the_result_and_its_value_ends_the_transaction() {
    let (net, counter, caller, alice) = setup();
    let supply = net.total_supply();
    let out = alice.call(caller.id(), "call_increment").args_json(json!({"counter": counter.id(), "by": 7})).transact();
    assert_eq!(out.json::<Vec<Option<String>>>(), vec![Some("7".to_string())]);
    let order: Vec<(&str, &str)> =
        out.receipts.iter().filter(|r| !r.is_refund).map(|r| (r.receiver.as_str(), r.methods[0].as_str())).collect();
    assert_eq!(
        order,
        vec![("caller.near", "call_increment"), ("counter.near", "increment"), ("caller.near", "on_results")]
    );
    // Each hop runs one block after the receipt that created it.
    let heights: Vec<u64> = out.receipts.iter().filter(|r| !r.is_refund).map(|r| r.block_height).collect();
    assert_eq!(heights, vec![out.block_height + 1, out.block_height + 2, out.block_height + 3]);
    assert_eq!(out.receipt("call_increment").status, Status::Receipt(out.receipt("on_results").id));
    assert_eq!(caller.view("last_results").json::<Vec<Option<String>>>(), vec![Some("7".to_string())]);
    // Gas for the whole tree is paid by the signer: nothing else changes balance.
    assert_eq!(alice.balance(), near(10) - out.total_tokens_burnt());
    assert_eq!(net.total_supply(), supply - out.total_tokens_burnt());
}

#[test]
fn a_failed_call_gives_the_callback_a_failed_result_and_refunds_the_calling_contract() {
    let (_net, counter, caller, alice) = setup();
    let (counter_before, caller_before) = (counter.state(), caller.balance());
    let out = alice
        .call(caller.id(), "call_failing")
        .args_json(json!({"counter": counter.id(), "deposit": NEAR.to_string()}))
        .deposit(NEAR)
        .transact();
    assert_eq!(out.json::<Vec<Option<String>>>(), vec![None]);
    assert_eq!(
        out.receipt("increment_and_fail").status.failure(),
        Some("Smart contract panicked: Method increment_and_fail doesn't accept deposit")
    );
    // The 1 NEAR the caller attached comes back to the caller (the predecessor), not the signer.
    let deposit_refund = out.receipts.iter().find(|r| r.is_refund && r.deposit == NEAR).unwrap();
    assert_eq!(deposit_refund.receiver, *caller.id());
    assert_eq!(caller.balance(), caller_before + NEAR);
    assert_eq!(counter.state(), counter_before);
    assert_eq!(alice.balance(), near(9) - out.total_tokens_burnt());
}

#[test]
fn a_joint_promise_gives_the_callback_every_result_in_order() {
    let (_net, counter, caller, alice) = setup();
    let out =
        alice.call(caller.id(), "call_both").args_json(json!({"counter": counter.id()})).gas(50 * TGAS).transact();
    assert_eq!(out.json::<Vec<Option<String>>>(), vec![Some("5".to_string()), None]);
    assert_eq!(out.receipt_failures().len(), 1);
    assert_eq!(counter.view("get").json::<i64>(), 5);
}

#[test]
fn a_returned_promise_gives_the_transaction_the_callee_value() {
    let (_net, counter, caller, alice) = setup();
    let out = alice.call(caller.id(), "forward").args_json(json!({"counter": counter.id(), "by": 3})).transact();
    assert_eq!(out.json::<i64>(), 3);
    assert_eq!(out.receipt("forward").status, Status::Receipt(out.receipt("increment").id));
}

#[test]
fn unused_gas_is_shared_by_weight_and_the_last_call_gets_the_remainder() {
    let (_net, counter, caller, alice) = setup();
    let out = alice.call(caller.id(), "split_gas").args_json(json!({"counter": counter.id()})).transact().unwrap();
    let calls: Vec<u64> = out.receipts.iter().filter(|r| r.methods == ["increment"]).map(|r| r.prepaid_gas).collect();
    let total = calls[0] + calls[1];
    assert_eq!(calls[0], total / 4);
    assert_eq!(calls[1], total - total / 4);
    assert!(total > 25 * TGAS && total < 30 * TGAS, "{total}");
    assert_eq!(counter.view("get").json::<i64>(), 2);
    // The weighted calls took all the caller's unused gas, so its receipt refunds only the
    // price surplus on the gas it burnt.
    let refund = out.receipts.iter().find(|r| r.is_refund && r.block_height == out.block_height + 2).unwrap();
    let split = out.receipt("split_gas");
    assert_eq!(refund.deposit, (PURCHASE_PRICE - GAS_PRICE) * split.gas_burnt as u128);
}

#[test]
fn a_contract_can_send_its_balance() {
    let (_net, _counter, caller, alice) = setup();
    let before = caller.balance();
    let alice_before = alice.balance();
    let out = alice
        .call(caller.id(), "send")
        .args_json(json!({"to": alice.id(), "amount": (2 * NEAR).to_string()}))
        .transact()
        .unwrap();
    assert_eq!(caller.balance(), before - 2 * NEAR);
    assert_eq!(alice.balance(), alice_before + 2 * NEAR - out.total_tokens_burnt());
}

/// Blocks can be stepped: a transaction submitted while another's cross-contract call is in
/// flight lands between that call and its callback, and sees (and changes) the called
/// contract's state before the callback runs.
#[test]
fn a_transaction_lands_between_a_call_and_its_callback() {
    let (net, counter, caller, alice) = setup();
    let bob = net.create_account("bob", near(10));
    let mut call =
        alice.call(caller.id(), "call_increment").args_json(json!({"counter": counter.id(), "by": 7})).submit();
    // Included, then `call_increment` runs and sends `increment`.
    net.produce_block();
    net.produce_block();
    assert!(call.outcome().is_none());
    let included = net.block_height() - 1;
    // Bob's transaction is included with the block that runs `increment`; its receipt runs in
    // the next block, before the result that wakes the callback (created later in that block).
    let racing = bob.call(counter.id(), "increment").args_json(json!({"by": 1})).submit();
    net.produce_block();
    assert_eq!(counter.view("get").json::<i64>(), 7);
    assert!(caller.view("last_results").json::<Vec<Option<String>>>().is_empty());
    let racing = racing.wait();
    assert_eq!(racing.json::<i64>(), 8);
    let out = call.wait();
    assert_eq!(out.block_height, included);
    // The callback got the call's own result, in the block where bob's increment ran.
    assert_eq!(out.json::<Vec<Option<String>>>(), vec![Some("7".to_string())]);
    let (call_at, callback_at) = (out.receipt("increment").block_height, out.receipt("on_results").block_height);
    assert_eq!((call_at + 1, racing.receipt("increment").block_height), (callback_at, callback_at));
    assert_eq!(counter.view("get").json::<i64>(), 8);
    assert_eq!(bob.balance(), near(10) - racing.total_tokens_burnt());
}
