//! Function calls: state, views, deposits, logs and events, failures, gas and refunds.
mod common;

use localnet::near_primitives::errors::{CompilationError, FunctionCallError, MethodResolveError, PrepareError};

use common::*;
use localnet::{Localnet, NEAR, Status, TGAS};
use near_parameters::ActionCosts::*;
use serde_json::json;

#[test]
fn a_call_changes_state_and_the_signer_pays_exactly_the_burnt_gas() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let alice = net.create_account("alice", near(10));
    let out = alice.call(counter.id(), "increment").args_json(json!({"by": 5})).transact().unwrap();
    assert_eq!(out.json::<i64>(), 5);
    assert_eq!(out.logs(), vec!["value is now 5"]);

    let args = br#"{"by":5}"#;
    let (send_gas, exec_gas) = call_fees("increment", args, false);
    assert_eq!(out.transaction_gas_burnt, send(new_action_receipt, false) + send_gas);
    let receipt = out.receipt("increment");
    assert_eq!(receipt.gas_burnt, exec(new_action_receipt) + exec_gas + receipt.vm_gas_burnt);
    // Unused prepaid gas comes back at the purchase price, with the price surplus on burnt gas.
    let prepaid = 30 * TGAS + exec(new_action_receipt) + exec_gas;
    let refund = out.receipts.iter().find(|r| r.is_refund).unwrap();
    assert_eq!(refund.receiver, *alice.id());
    assert_eq!(
        refund.deposit,
        (prepaid - receipt.gas_burnt) as u128 * PURCHASE_PRICE
            + (PURCHASE_PRICE - GAS_PRICE) * receipt.gas_burnt as u128
    );
    assert_eq!(refund.tokens_burnt, 0);
    let burnt = (out.transaction_gas_burnt + receipt.gas_burnt) as u128 * GAS_PRICE;
    assert_eq!(out.total_tokens_burnt(), burnt);
    assert_eq!(alice.balance(), near(10) - burnt);

    alice.call(counter.id(), "increment").args_json(json!({"by": -2})).transact().unwrap();
    assert_eq!(counter.view("get").json::<i64>(), 3);
}

#[test]
fn a_failed_call_reverts_its_state_and_refunds_its_deposit() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let alice = net.create_account("alice", near(10));
    alice.call(counter.id(), "increment").args_json(json!({"by": 1})).transact().unwrap();
    let (counter_before, supply_before) = (counter.state(), net.total_supply());

    let out = alice.call(counter.id(), "increment_and_fail").transact();
    assert_eq!(out.failure(), Some("Smart contract panicked: counter refused"));
    assert_eq!(counter.view("get").json::<i64>(), 1);

    let alice_before = alice.balance();
    let out = alice.call(counter.id(), "increment_and_fail").deposit(NEAR).transact();
    assert_eq!(out.failure(), Some("Smart contract panicked: Method increment_and_fail doesn't accept deposit"));
    let refunds: Vec<u128> = out.receipts.iter().filter(|r| r.is_refund).map(|r| r.deposit).collect();
    assert_eq!(refunds[0], NEAR);
    assert_eq!(alice.balance(), alice_before - out.total_tokens_burnt());
    assert_eq!(counter.state(), counter_before);
    assert_eq!(counter.view("get").json::<i64>(), 1);
    assert!(net.total_supply() < supply_before);
}

#[test]
fn a_payable_call_keeps_the_deposit_and_emits_its_event() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let alice = net.create_account("alice", near(10));
    let before = counter.balance();
    let out = alice.call(counter.id(), "donate").deposit(NEAR / 4).transact().unwrap();
    assert_eq!(out.json::<String>(), (NEAR / 4).to_string());
    assert_eq!(counter.balance(), before + NEAR / 4);
    assert_eq!(
        out.events(),
        vec![json!({"standard":"counter","version":"1.0.0","event":"donate",
            "data":[{"from":"alice.near","amount":"250000000000000000000000"}]})]
    );
    assert_eq!(alice.balance(), near(10) - NEAR / 4 - out.total_tokens_burnt());
}

#[test]
fn running_out_of_gas_burns_all_the_prepaid_gas() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let alice = net.create_account("alice", near(10));
    let out = alice.call(counter.id(), "burn_all_gas").gas(5 * TGAS).transact();
    assert_eq!(out.failure(), Some("Exceeded the prepaid gas."));
    let receipt = out.receipt("burn_all_gas");
    let (_, exec_gas) = call_fees("burn_all_gas", b"{}", false);
    assert_eq!(receipt.vm_gas_burnt, 5 * TGAS);
    assert_eq!(receipt.gas_burnt, exec(new_action_receipt) + exec_gas + 5 * TGAS);
    assert_eq!(alice.balance(), near(10) - out.total_tokens_burnt());
    assert_eq!(counter.view("get").json::<i64>(), 0);
}

#[test]
fn unknown_methods_and_missing_code_fail_cleanly() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let alice = net.create_account("alice", near(10));
    let bob = net.create_account("bob", near(1));
    let not_found = alice.call(counter.id(), "nope").transact();
    let method_not_found = FunctionCallError::MethodResolveError(MethodResolveError::MethodNotFound);
    assert_eq!(not_found.error(), Some(&action_error(ActionErrorKind::FunctionCallError(method_not_found))));
    assert_eq!(not_found.failure(), Some("Action #0: MethodResolveError(MethodNotFound)"));
    let no_code = alice.call(bob.id(), "anything").transact();
    let missing = CompilationError::CodeDoesNotExist { account_id: bob.id().clone() };
    let kind = ActionErrorKind::FunctionCallError(FunctionCallError::CompilationError(missing));
    assert_eq!(no_code.error(), Some(&action_error(kind)));
    // A missing contract burns no VM gas.
    assert_eq!(no_code.receipt("anything").vm_gas_burnt, 0);
    let burnt = not_found.total_tokens_burnt() + no_code.total_tokens_burnt();
    assert_eq!(alice.balance(), near(10) - burnt);
}

#[test]
fn views_read_state_and_cannot_write() {
    let net = Localnet::new();
    let grower = deploy(&net, "storage-grower", near(10));
    let alice = net.create_account("alice", near(10));
    alice.call(grower.id(), "grow").args_json(json!({"count": 2, "size": 10})).transact().unwrap();
    assert_eq!(grower.view("entries").json::<u32>(), 2);
    let err = grower.view("write_in_view").call().unwrap_err();
    // nearcore's message for a failed view.
    assert_eq!(err, "wasm execution failed with error: HostError(ProhibitedInView { method_name: \"storage_write\" })");
    assert_eq!(grower.view("entries").json::<u32>(), 2);
}

#[test]
fn contracts_see_the_caller_the_block_and_their_balance() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let alice = net.create_account("alice", near(10));
    let out = alice.call(counter.id(), "whoami").transact().unwrap();
    assert_eq!(out.json::<Vec<String>>(), vec!["counter.near", "alice.near", "alice.near"]);

    net.fast_forward(250);
    let balance = counter.balance();
    let out = alice.call(counter.id(), "chain_info").transact().unwrap();
    let height = out.receipt("chain_info").block_height;
    assert_eq!(height, out.block_height + 1);
    let config = net.config();
    let (h, ts, epoch, bal, locked): (u64, u64, u64, String, String) = out.json();
    assert_eq!(h, height);
    assert_eq!(ts, config.genesis_time_ns + height * 600_000_000);
    assert_eq!(epoch, height / 100 + 1);
    assert_eq!(bal, balance.to_string());
    assert_eq!(locked, "0");
    assert_eq!(out.receipts.iter().filter(|r| matches!(r.status, Status::Failure(_))).count(), 0);
}

#[test]
fn invalid_wasm_fails_at_call_time_with_a_compilation_error() {
    let net = Localnet::new();
    let bad = net.create_account("bad", near(10));
    bad.deploy(b"\0asm\x01\0\0\0garbage").unwrap();
    let alice = net.create_account("alice", near(10));
    let out = alice.call(bad.id(), "anything").transact();
    let invalid = CompilationError::PrepareError(PrepareError::Deserialization);
    let kind = ActionErrorKind::FunctionCallError(FunctionCallError::CompilationError(invalid));
    assert_eq!(out.error(), Some(&action_error(kind)));
    assert_eq!(alice.balance(), near(10) - out.total_tokens_burnt());
}
