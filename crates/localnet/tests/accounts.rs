//! Accounts: creation, transfers, implicit accounts, deploys, and what each costs.
mod common;

use common::*;
use localnet::{Localnet, NEAR, Status, account_key, build::contract_wasm};
use near_parameters::ActionCosts::*;

#[test]
fn creating_an_account_charges_fees_and_the_creation_charge() {
    let net = Localnet::new();
    let root = net.root();
    let (root_before, supply_before) = (root.balance(), net.total_supply());
    let id: localnet::AccountId = "alice.near".parse().unwrap();
    let out =
        root.batch(&id).create_account().transfer(near(10)).add_full_access_key(account_key(&id)).transact().unwrap();

    let conversion = send(new_action_receipt, false)
        + send(create_account, false)
        + send(transfer, false)
        + send(add_full_access_key, false);
    assert_eq!(out.transaction_gas_burnt, conversion);
    let receipt = &out.receipts[0];
    let exec_gas = exec(new_action_receipt) + exec(create_account) + exec(transfer) + exec(add_full_access_key);
    assert_eq!(receipt.gas_burnt, exec_gas);
    assert_eq!(receipt.vm_gas_burnt, 0);
    // 0.007 NEAR per new account, less the create-account exec fee at the burn price.
    let creation_charge = 7 * NEAR / 1000 - GAS_PRICE * exec(create_account) as u128;
    assert_eq!(creation_charge, 6_280_000_000_000_000_000_000);
    assert_eq!(receipt.tokens_burnt, exec_gas as u128 * GAS_PRICE + creation_charge);
    let burnt = (conversion + exec_gas) as u128 * GAS_PRICE + creation_charge;
    assert_eq!(out.total_tokens_burnt(), burnt);

    let alice = net.account("alice.near").state();
    assert_eq!(alice.amount, near(10));
    assert_eq!(alice.locked, 0);
    // Account record 100 bytes + ed25519 full-access key (33 + 9 + 40).
    assert_eq!(alice.storage_usage, 182);
    assert_eq!(root.balance(), root_before - near(10) - burnt);
    assert_eq!(net.total_supply(), supply_before - burnt);
}

#[test]
fn transfer_moves_exact_amounts() {
    let net = Localnet::new();
    let alice = net.create_account("alice", near(10));
    let bob = net.create_account("bob", near(1));
    let out = alice.transfer(bob.id(), 3 * NEAR / 2).unwrap();
    let gas = send(new_action_receipt, false) + send(transfer, false) + exec(new_action_receipt) + exec(transfer);
    assert_eq!(out.total_tokens_burnt(), gas as u128 * GAS_PRICE);
    assert_eq!(alice.balance(), near(10) - 3 * NEAR / 2 - gas as u128 * GAS_PRICE);
    assert_eq!(bob.balance(), near(1) + 3 * NEAR / 2);
}

#[test]
fn transfer_to_a_missing_account_fails_and_refunds_the_deposit() {
    let net = Localnet::new();
    let alice = net.create_account("alice", near(10));
    let missing: localnet::AccountId = "nobody.near".parse().unwrap();
    let out = alice.transfer(&missing, near(2));
    assert_eq!(out.error(), Some(&action_error(ActionErrorKind::AccountDoesNotExist { account_id: missing.clone() })));
    assert_eq!(
        out.failure(),
        Some("Action #0: Can't complete the action because account AccountId(\"nobody.near\") doesn't exist")
    );
    let refund = out.receipts.iter().find(|r| r.is_refund && r.deposit == near(2)).expect("deposit refund");
    assert_eq!(refund.receiver, *alice.id());
    assert_eq!(alice.balance(), near(10) - out.total_tokens_burnt());
    assert_eq!(net.view_account(&missing), None);
}

#[test]
fn transfer_to_a_new_implicit_account_creates_it() {
    let net = Localnet::new();
    let alice = net.create_account("alice", near(10));
    let implicit: localnet::AccountId = "ab".repeat(32).parse().unwrap();
    let out = alice.transfer(&implicit, near(1)).unwrap();
    let state = net.view_account(&implicit).unwrap();
    assert_eq!(state.amount, near(1));
    assert_eq!(state.storage_usage, 182);
    let gas = send(new_action_receipt, false)
        + exec(new_action_receipt)
        + [transfer, create_account, add_full_access_key].iter().map(|c| send(*c, false) + exec(*c)).sum::<u64>();
    let creation_charge = 7 * NEAR / 1000 - GAS_PRICE * exec(create_account) as u128;
    assert_eq!(out.total_tokens_burnt(), gas as u128 * GAS_PRICE + creation_charge);
    assert_eq!(alice.balance(), near(9) - out.total_tokens_burnt());
}

#[test]
fn only_the_parent_creates_subaccounts() {
    let net = Localnet::new();
    let alice = net.create_account("alice", near(10));
    let out = alice.batch(&"x.near".parse().unwrap()).create_account().transfer(near(1)).transact();
    let kind = ActionErrorKind::CreateAccountNotAllowed { account_id: id("x.near"), predecessor_id: id("alice.near") };
    assert_eq!(out.error(), Some(&action_error(kind)));
    assert_eq!(alice.balance(), near(10) - out.total_tokens_burnt());
    let sub = alice.create_subaccount("sub", near(1));
    assert_eq!(sub.id().as_str(), "sub.alice.near");
    assert_eq!(sub.balance(), near(1));
}

#[test]
fn deploy_adds_the_code_to_storage_and_is_paid_per_byte() {
    let net = Localnet::new();
    let alice = net.create_account("alice", near(10));
    let wasm = contract_wasm("test-counter");
    let out = alice.deploy(&wasm).unwrap();
    let bytes = wasm.len() as u64;
    let gas = send(new_action_receipt, true)
        + exec(new_action_receipt)
        + send(deploy_contract_base, true)
        + send(deploy_contract_byte, true) * bytes
        + exec(deploy_contract_base)
        + exec(deploy_contract_byte) * bytes;
    assert_eq!(out.transaction_gas_burnt + out.receipts[0].gas_burnt, gas);
    // A transaction to oneself runs in the block that includes it.
    assert_eq!(out.receipts[0].block_height, out.block_height);
    let state = alice.state();
    assert_eq!(state.storage_usage, 182 + bytes);
    assert!(state.code_hash.is_some());
    assert_eq!(state.amount, near(10) - gas as u128 * GAS_PRICE);
}

#[test]
fn an_invalid_transaction_changes_nothing() {
    let net = Localnet::new();
    let alice = net.create_account("alice", near(1));
    let height = net.block_height();
    let out = alice.transfer(net.root().id(), near(2));
    assert!(
        matches!(out.error(), Some(TxExecutionError::InvalidTxError(InvalidTxError::NotEnoughBalance { .. }))),
        "{:?}",
        out.error()
    );
    assert!(out.receipts.is_empty());
    assert_eq!(alice.balance(), near(1));
    assert_eq!(net.block_height(), height);
}

#[test]
fn deleting_an_account_sends_its_balance_to_the_beneficiary() {
    let net = Localnet::new();
    let alice = net.create_account("alice", near(5));
    let bob = net.create_account("bob", near(1));
    let out = alice.batch(alice.id()).delete_account(bob.id()).transact().unwrap();
    assert_eq!(net.view_account(alice.id()), None);
    let gas =
        send(new_action_receipt, true) + send(delete_account, true) + exec(new_action_receipt) + exec(delete_account);
    assert_eq!(out.receipts[0].gas_burnt + out.transaction_gas_burnt, gas);
    // The signer is gone, so the gas refund to it fails and is burnt, as on chain.
    let paid_upfront = (send(new_action_receipt, true) + send(delete_account, true)) as u128 * GAS_PRICE
        + (exec(new_action_receipt) + exec(delete_account)) as u128 * PURCHASE_PRICE;
    assert_eq!(bob.balance(), near(1) + near(5) - paid_upfront);
    let gas_refund = out.receipts.iter().find(|r| r.receiver == *alice.id() && r.is_refund).unwrap();
    let Status::Failure(failure) = &gas_refund.status else { panic!("the refund failed") };
    assert_eq!(failure.error(), &action_error(ActionErrorKind::AccountDoesNotExist { account_id: alice.id().clone() }));
    assert_eq!(gas_refund.tokens_burnt, gas_refund.deposit);
    assert_eq!(gas_refund.deposit, (PURCHASE_PRICE - GAS_PRICE) * out.receipts[0].gas_burnt as u128);
}
