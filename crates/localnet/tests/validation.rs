//! Receipts a contract creates are validated as nearcore does: an invalid one fails the calling
//! receipt with `NewReceiptValidationError`, rolling back its state and refunding its deposit.
mod common;

use common::*;
use localnet::near_primitives::errors::{
    ActionError, ActionErrorKind, ActionsValidationError, FunctionCallError, MethodResolveError,
    ReceiptValidationError, TxExecutionError,
};
use localnet::{NEAR, Status, TGAS};
use serde_json::json;

/// `alice` asks the caller contract to call a method `method_len` bytes long on the counter
/// with 1 NEAR attached; returns the outcome, the caller and the caller's balance before.
fn call_with_method(method_len: usize) -> (localnet::ExecutionResult, localnet::Account, u128, localnet::Account) {
    let net = localnet::Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let caller = deploy(&net, "caller", near(10));
    let alice = net.create_account("alice", near(10));
    let args = json!({
        "receiver": counter.id(), "method": "m".repeat(method_len), "args": "{}",
        "deposit": NEAR.to_string(), "gas_tgas": 5,
    });
    let before = caller.balance();
    let out = alice.call(caller.id(), "call").args_json(args).deposit(NEAR).gas(50 * TGAS).transact();
    (out, caller, before, alice)
}

#[test]
fn a_call_with_a_method_name_over_256_bytes_fails_the_creating_receipt_and_rolls_it_back() {
    let (out, caller, before, alice) = call_with_method(300);
    let invalid = ActionsValidationError::FunctionCallMethodNameLengthExceeded { length: 300, limit: 256 };
    let kind = ActionErrorKind::NewReceiptValidationError(ReceiptValidationError::ActionsValidation(invalid));
    assert_eq!(out.error(), Some(&TxExecutionError::ActionError(ActionError { index: Some(0), kind })));
    assert_eq!(
        out.failure(),
        Some(
            "Action #0: An new action receipt created during a FunctionCall is not valid: The length of the method \
             name 300 exceeds the maximum allowed length 256 in a FunctionCall action"
        )
    );
    // Nothing it did stays: its state write is gone and its deposit comes back to alice.
    assert_eq!(caller.view("calls").json::<u32>(), 0);
    assert_eq!(caller.balance(), before);
    assert_eq!(alice.balance(), near(10) - out.total_tokens_burnt());
    assert_eq!(out.receipts.iter().filter(|r| !r.is_refund).count(), 1, "no receipt was created");
}

#[test]
fn a_method_name_of_exactly_256_bytes_is_a_valid_receipt() {
    let (out, caller, _, _) = call_with_method(256);
    assert_eq!(caller.view("calls").json::<u32>(), 1);
    // The receipt went out; the counter has no such method, and the callback saw the failure.
    let Status::Failure(failure) = &out.receipt(&"m".repeat(256)).status else { panic!("the call failed") };
    let kind =
        ActionErrorKind::FunctionCallError(FunctionCallError::MethodResolveError(MethodResolveError::MethodNotFound));
    assert_eq!(failure.error(), &TxExecutionError::ActionError(ActionError { index: Some(0), kind }));
    assert_eq!(caller.view("last_results").json::<Vec<Option<String>>>(), vec![None]);
}
