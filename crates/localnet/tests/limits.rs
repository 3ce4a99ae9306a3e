//! Protocol limits, blocks and epochs.
mod common;

use common::*;
use localnet::{Localnet, TGAS};
use serde_json::json;

#[test]
fn prepaid_gas_above_one_petagas_is_an_invalid_transaction() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let alice = net.create_account("alice", near(10));
    let limit = localnet::runtime_config().wasm_config.limit_config.max_total_prepaid_gas.as_gas();
    assert_eq!(limit, 1_000 * TGAS);
    let out = alice.call(counter.id(), "increment").args_json(json!({"by": 1})).gas(limit + 1).transact();
    let total_prepaid_gas = localnet::near_primitives::types::Gas::from_gas(limit + 1);
    let exceeded = ActionsValidationError::TotalPrepaidGasExceeded {
        total_prepaid_gas,
        limit: localnet::near_primitives::types::Gas::from_gas(limit),
    };
    assert_eq!(out.error(), Some(&invalid_tx(InvalidTxError::ActionsValidation(exceeded))));
    assert_eq!(
        out.failure(),
        Some("Transaction actions validation error: The total prepaid gas 1000.1 Tgas exceeds the limit 1000.0 Tgas")
    );
    assert_eq!(alice.balance(), near(10));
    // Exactly the limit is fine (the signer can afford 1 PGas at 10^9 yocto per gas).
    let out = alice.call(counter.id(), "increment").args_json(json!({"by": 1})).gas(limit).transact().unwrap();
    assert_eq!(out.json::<i64>(), 1);
}

#[test]
fn zero_gas_calls_are_rejected() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let out = net.root().call(counter.id(), "get").gas(0).transact();
    let zero = ActionsValidationError::FunctionCallZeroAttachedGas;
    assert_eq!(out.error(), Some(&invalid_tx(InvalidTxError::ActionsValidation(zero))));
}

#[test]
fn blocks_and_epochs_advance_on_demand() {
    let net = Localnet::new();
    assert_eq!((net.block_height(), net.epoch_height()), (0, 1));
    net.fast_forward(99);
    assert_eq!((net.block_height(), net.epoch_height()), (99, 1));
    net.fast_forward(1);
    assert_eq!((net.block_height(), net.epoch_height()), (100, 2));
    net.fast_forward(30);
    net.advance_epochs(2);
    assert_eq!((net.block_height(), net.epoch_height()), (300, 4));
    assert_eq!(net.block_timestamp(), net.config().genesis_time_ns + 300 * 600_000_000);
}

#[test]
fn the_epoch_length_is_configurable() {
    let net = Localnet::with_config(localnet::Config { epoch_length: 43_200, ..Default::default() });
    net.advance_epochs(1);
    assert_eq!((net.block_height(), net.epoch_height()), (43_200, 2));
}
