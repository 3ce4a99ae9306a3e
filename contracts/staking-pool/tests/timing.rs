//! Stake, unstake and withdraw across epochs with the 4-epoch delay.
mod common;

use common::*;
use localnet::{Localnet, NEAR, Rate};
use serde_json::json;

#[test]
fn withdraw_fails_before_the_fourth_epoch_and_succeeds_at_it() {
    let p = setup(Localnet::new(), 100 * NEAR, (0, 1));
    p.net.set_reward_rate(p.pool.id(), Rate::ZERO);
    let alice = p.net.create_account("alice", 50 * NEAR);

    let out = p.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    assert_eq!(p.staked(&alice), 10 * NEAR);
    assert_eq!(p.unstaked(&alice), 0);
    assert_eq!(p.total_staked(), 109 * NEAR);
    // The pool re-issued its Stake action for the new total.
    assert_eq!(p.pool.state().locked, 109 * NEAR);
    let mut spent = out.total_tokens_burnt();
    assert_eq!(alice.balance(), 40 * NEAR - spent);

    let out = p.call(&alice, "unstake_all", json!({}), 0).unwrap();
    spent += out.total_tokens_burnt();
    let unstaked_at = p.net.epoch_height();
    assert_eq!(p.staked(&alice), 0);
    assert_eq!(p.unstaked(&alice), 10 * NEAR);
    let account: serde_json::Value = p.pool.view("get_account").args_json(json!({"account_id": alice.id()})).json();
    assert_eq!(
        account,
        json!({"account_id": "alice.near", "unstaked_balance": (10 * NEAR).to_string(), "staked_balance": "0", "can_withdraw": false})
    );

    for _ in 1..4 {
        p.net.advance_epochs(1);
        let out = p.call(&alice, "withdraw_all", json!({}), 0);
        assert_eq!(
            out.failure(),
            Some("Smart contract panicked: The unstaked balance is not yet available due to unstaking delay")
        );
        spent += out.total_tokens_burnt();
        assert_eq!(p.unstaked(&alice), 10 * NEAR);
    }
    p.net.advance_epochs(1);
    assert_eq!(p.net.epoch_height(), unstaked_at + 4);
    assert!(
        p.pool
            .view("is_account_unstaked_balance_available")
            .args_json(json!({"account_id": alice.id()}))
            .json::<bool>()
    );
    // The protocol released the unstaked NEAR at the third boundary, so the pool can pay.
    assert_eq!(p.pool.state().locked, 99 * NEAR);
    let out = p.call(&alice, "withdraw_all", json!({}), 0).unwrap();
    spent += out.total_tokens_burnt();
    assert_eq!(p.unstaked(&alice), 0);
    assert_eq!(alice.balance(), 50 * NEAR - spent);
    assert_eq!(p.pool.view("get_number_of_accounts").json::<u64>(), 0);
}

#[test]
fn every_unstake_restarts_the_delay() {
    let p = setup(Localnet::new(), 100 * NEAR, (0, 1));
    p.net.set_reward_rate(p.pool.id(), Rate::ZERO);
    let alice = p.net.create_account("alice", 50 * NEAR);
    p.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    p.call(&alice, "unstake", json!({"amount": (4 * NEAR).to_string()}), 0).unwrap();
    p.net.advance_epochs(3);
    p.call(&alice, "unstake", json!({"amount": (NEAR).to_string()}), 0).unwrap();
    p.net.advance_epochs(1);
    let out = p.call(&alice, "withdraw", json!({"amount": (4 * NEAR).to_string()}), 0);
    assert_eq!(
        out.failure(),
        Some("Smart contract panicked: The unstaked balance is not yet available due to unstaking delay")
    );
    p.net.advance_epochs(3);
    p.call(&alice, "withdraw", json!({"amount": (5 * NEAR).to_string()}), 0).unwrap();
    assert_eq!(p.staked(&alice), 5 * NEAR);
    assert_eq!(p.unstaked(&alice), 0);
}
