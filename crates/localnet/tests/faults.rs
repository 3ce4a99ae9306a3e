//! Fault injection: calls made to fail or to run out of gas, as tests of callers' recovery need.
mod common;

use common::*;
use localnet::{Fault, TGAS};
use serde_json::json;

#[test]
fn an_injected_failure_reaches_the_callback_as_a_failed_result_once() {
    let net = localnet::Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let caller = deploy(&net, "caller", near(10));
    let alice = net.create_account("alice", near(10));
    net.inject_fault(counter.id(), "increment", Fault::Fail, 1);
    let args = json!({"counter": counter.id(), "by": 1});
    let out = alice.call(caller.id(), "call_increment").args_json(&args).transact();
    assert_eq!(out.json::<Vec<Option<String>>>(), vec![None]);
    assert_eq!(out.receipt("increment").status.failure(), Some("Smart contract panicked: localnet: injected failure"));
    assert_eq!(counter.view("get").json::<i64>(), 0);
    // Only the next call was affected.
    let out = alice.call(caller.id(), "call_increment").args_json(&args).transact();
    assert_eq!(out.json::<Vec<Option<String>>>(), vec![Some("1".to_string())]);
}

#[test]
fn a_callback_starved_of_gas_burns_its_gas_and_changes_nothing() {
    let net = localnet::Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let caller = deploy(&net, "caller", near(10));
    let alice = net.create_account("alice", near(10));
    net.inject_fault(caller.id(), "on_results", Fault::OutOfGas, 1);
    let out = alice.call(caller.id(), "call_increment").args_json(json!({"counter": counter.id(), "by": 4})).transact();
    assert_eq!(out.failure(), Some("Exceeded the prepaid gas."));
    let callback = out.receipt("on_results");
    let (_, exec_gas) = call_fees("on_results", b"", true);
    assert_eq!(callback.prepaid_gas, 10 * TGAS);
    assert_eq!(callback.gas_burnt, exec(near_parameters::ActionCosts::new_action_receipt) + exec_gas + 10 * TGAS);
    // The counter's change stands; the callback's record of it does not.
    assert_eq!(counter.view("get").json::<i64>(), 4);
    assert_eq!(caller.view("last_results").json::<Vec<Option<String>>>(), Vec::<Option<String>>::new());
    assert_eq!(alice.balance(), near(10) - out.total_tokens_burnt());
}
