//! Every cross-contract call of the crank, failed or starved of gas: the state stays correct and
//! later cranks complete the work.
mod common;

use common::*;
use localnet::{Account, Fault, NEAR};
use serde_json::json;

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Stake,
    Unstake,
    Withdraw,
}

/// Cranks, lets any lost callback's lock go stale, and cranks again.
fn crank_through(t: &Lst) {
    t.crank();
    t.net.fast_forward(31);
    t.crank();
}

/// Stakes, unstakes and withdraws through two validators, injecting `fault` into `method` on
/// `target` (the contract or the first pool) at `phase`. Checks after every step that the
/// accounting matches the pools, and at the end that the holder got exactly what it was owed.
fn scenario(phase: Phase, target: impl Fn(&Lst, &[Account]) -> Account, method: &str, fault: Fault) {
    let t = setup();
    let pools = t.add_validators(&[1, 1]);
    let alice = t.net.create_account("alice", 1_000 * NEAR);
    let inject = |at: Phase| {
        if at == phase {
            t.net.inject_fault(target(&t, &pools).id(), method, fault, 1);
        }
    };
    t.call(&alice, "deposit_and_stake", json!({}), 200 * NEAR).unwrap();
    inject(Phase::Stake);
    crank_through(&t);
    t.assert_matches_pools(&pools);
    assert!(t.bucket("buffered") < NEAR, "stake not delegated: {:#}", t.solvency());

    t.net.advance_epochs(1);
    inject(Phase::Unstake);
    let owed = t.staked(&alice);
    t.call(&alice, "unstake_all", json!({}), 0).unwrap();
    crank_through(&t);
    t.assert_matches_pools(&pools);
    // All of it was requested but what NEAR returning from the pools' rounding will pay.
    assert!(t.bucket("to_unstake") <= t.returning(), "unstake not requested: {:#}", t.solvency());

    let unlock =
        t.view::<serde_json::Value>("get_holder", json!({"account_id": alice.id()}))["unlock_epoch"].as_u64().unwrap();
    while t.net.epoch_height() < unlock {
        t.net.advance_epochs(1);
        if t.net.epoch_height() == unlock {
            inject(Phase::Withdraw);
        }
        crank_through(&t);
        t.assert_matches_pools(&pools);
    }
    let before = alice.balance();
    let out = t.call(&alice, "withdraw_all", json!({}), 0).unwrap();
    assert_eq!(alice.balance(), before + owed + storage_cost(&alice) - out.total_tokens_burnt());
    t.assert_matches_pools(&pools);
    assert_eq!(t.crank_status()["locked"], json!(0));
    assert_eq!(t.net.faults_left(target(&t, &pools).id(), method), 0, "the fault never fired");
}

fn pool(_: &Lst, pools: &[Account]) -> Account {
    pools[0].clone()
}

fn contract(t: &Lst, _: &[Account]) -> Account {
    t.lst.clone()
}

#[test]
fn a_failed_ping_or_balance_read_is_retried() {
    scenario(Phase::Stake, pool, "ping", Fault::Fail);
    scenario(Phase::Stake, pool, "get_account", Fault::Fail);
}

#[test]
fn a_sync_callback_out_of_gas_is_reconciled() {
    scenario(Phase::Stake, contract, "on_sync", Fault::OutOfGas);
}

#[test]
fn a_failed_stake_returns_the_near_to_the_buffer() {
    scenario(Phase::Stake, pool, "deposit_and_stake", Fault::Fail);
}

#[test]
fn a_lost_stake_callback_is_reconciled() {
    scenario(Phase::Stake, contract, "on_action", Fault::OutOfGas);
    scenario(Phase::Stake, contract, "on_action", Fault::Fail);
}

#[test]
fn a_failed_or_lost_unstake_is_restored_or_reconciled() {
    scenario(Phase::Unstake, pool, "unstake_all", Fault::Fail);
    scenario(Phase::Unstake, contract, "on_action", Fault::OutOfGas);
}

#[test]
fn a_failed_or_lost_withdrawal_is_retried_or_reconciled() {
    scenario(Phase::Withdraw, pool, "withdraw", Fault::Fail);
    scenario(Phase::Withdraw, contract, "on_action", Fault::OutOfGas);
}

#[test]
fn a_lost_reconciliation_is_asked_again() {
    let t = setup();
    let pools = t.add_validators(&[1]);
    let alice = t.net.create_account("alice", 1_000 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 100 * NEAR).unwrap();
    t.net.inject_fault(t.lst.id(), "on_action", Fault::OutOfGas, 1);
    t.net.inject_fault(t.lst.id(), "on_reconcile", Fault::OutOfGas, 1);
    crank_through(&t);
    assert_eq!(t.crank_status()["locked"], json!(1));
    crank_through(&t);
    assert_eq!(t.crank_status()["locked"], json!(0));
    t.assert_matches_pools(&pools);
    assert!(t.bucket("buffered") < NEAR);
}

/// A holder restakes a claim while the validator call requesting it has lost its callback, and
/// the call had failed: the reconciliation restores only the claims still unstaking and releases
/// the lock (found by the simulation, seed 4: the restore underflowed and the lock stuck).
#[test]
fn a_claim_restaked_during_a_failed_unstake_is_reconciled() {
    let t = setup();
    let pools = t.add_validators(&[1]);
    let alice = t.net.create_account("alice", 1_000 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 100 * NEAR).unwrap();
    t.crank();
    t.net.advance_epochs(1);
    t.crank();
    t.call(&alice, "unstake", json!({"amount": (8 * NEAR).to_string()}), 0).unwrap();
    t.net.inject_fault(pools[0].id(), "unstake", Fault::Fail, 1);
    t.net.inject_fault(t.lst.id(), "on_action", Fault::OutOfGas, 1);
    t.crank();
    assert_eq!((t.bucket("to_unstake"), t.bucket("claims_unstaking")), (0, 8 * NEAR));
    t.call(&alice, "stake_all", json!({}), 0).unwrap();
    assert_eq!(t.bucket("claims_unstaking"), 0);
    t.net.fast_forward(31);
    t.crank();
    assert_eq!(t.crank_status()["locked"], json!(0));
    assert_eq!((t.bucket("to_unstake"), t.bucket("claims_unstaking"), t.bucket("unstaked")), (0, 0, 0));
    t.assert_matches_pools(&pools);
    t.assert_balanced();
}
