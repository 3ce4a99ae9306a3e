//! Shared helpers for localnet's own tests: the protocol's fee table, read from near-parameters.
#![allow(dead_code)] // each test file uses its own subset

use localnet::{Account, Localnet, NEAR, build::contract_wasm, runtime_config};
use near_parameters::ActionCosts;

pub fn exec(cost: ActionCosts) -> u64 {
    runtime_config().fees.fee(cost).exec_fee().gas.as_gas()
}

pub fn send(cost: ActionCosts, sir: bool) -> u64 {
    runtime_config().fees.fee(cost).send_fee(sir).gas.as_gas()
}

/// Send and exec fees of a function call with this method name and arguments.
pub fn call_fees(method: &str, args: &[u8], sir: bool) -> (u64, u64) {
    let n = (method.len() + args.len()) as u64;
    (
        send(ActionCosts::function_call_base, sir) + send(ActionCosts::function_call_byte, sir) * n,
        exec(ActionCosts::function_call_base) + exec(ActionCosts::function_call_byte) * n,
    )
}

/// The price prepaid gas is bought at: the protocol's floor of 10^9, above localnet's default
/// block price of 10^8.
pub const PURCHASE_PRICE: u128 = 1_000_000_000;
pub const GAS_PRICE: u128 = 100_000_000;

/// Yocto per byte of storage.
pub const BYTE_COST: u128 = 10_000_000_000_000_000_000;

/// Deploys test contract `name` (a crate under test-contracts) on a new account.
pub fn deploy(net: &Localnet, name: &str, balance: u128) -> Account {
    let account = net.create_account(name, balance);
    account.deploy(&contract_wasm(&format!("test-{name}"))).unwrap();
    account
}

pub fn near(n: u128) -> u128 {
    n * NEAR
}

#[allow(unused_imports)] // each test file uses its own subset
pub use localnet::near_primitives::errors::{
    ActionError, ActionErrorKind, ActionsValidationError, InvalidAccessKeyError, InvalidTxError, TxExecutionError,
};

/// nearcore's error for a receipt whose first action failed.
pub fn action_error(kind: ActionErrorKind) -> TxExecutionError {
    TxExecutionError::ActionError(ActionError { index: Some(0), kind })
}

pub fn invalid_tx(error: InvalidTxError) -> TxExecutionError {
    TxExecutionError::InvalidTxError(error)
}

/// A balance in an error.
pub fn yocto(amount: u128) -> localnet::near_primitives::types::Balance {
    localnet::near_primitives::types::Balance::from_yoctonear(amount)
}

pub fn id(account: &str) -> localnet::AccountId {
    account.parse().unwrap()
}
