//! Rewards from the protocol raise the share price; the owner gets exactly its fee as shares.
mod common;

use common::*;
use localnet::near_primitives::errors::{ActionError, ActionErrorKind, TxExecutionError};
use localnet::near_primitives::types::Balance;
use localnet::{Localnet, NEAR};
use serde_json::json;
use shares::mul_div_floor;

#[test]
fn rewards_raise_the_price_and_the_owner_receives_its_fee() {
    let p = setup(Localnet::new(), 100 * NEAR, (1, 10));
    let alice = p.net.create_account("alice", 200 * NEAR);
    p.call(&alice, "deposit_and_stake", json!({}), 100 * NEAR).unwrap();
    let (t0, s0) = (199 * NEAR, 199 * NEAR);
    assert_eq!(p.total_staked(), t0);

    // The stake joins the validator set two epochs later and earns at the end of that epoch.
    p.net.advance_epochs(3);
    let reward = t0 * 13 / 100_000;
    assert_eq!(p.assets(), 200 * NEAR + reward);
    p.call(&alice, "ping", json!({}), 0).unwrap();

    let fee = reward / 10;
    let t1 = t0 + reward - fee;
    let fee_shares = mul_div_floor(fee, s0, t1).unwrap();
    let (t, s) = (t1 + fee, s0 + fee_shares);
    assert_eq!(p.total_staked(), t0 + reward);
    assert_eq!(p.staked(&p.owner), mul_div_floor(fee_shares, t, s).unwrap());
    assert!(fee - p.staked(&p.owner) <= 1, "owner got {} of a {fee} fee", p.staked(&p.owner));
    let alice_value = mul_div_floor(100 * NEAR, t, s).unwrap();
    assert_eq!(p.staked(&alice), alice_value);
    // Alice's share of the delegators' reward, to the yocto (up to rounding down).
    let expected = 100 * NEAR + mul_div_floor(reward - fee, 100 * NEAR, t0).unwrap();
    assert!(expected - alice_value <= 1, "{expected} vs {alice_value}");
    assert_eq!(
        p.pool.view("get_reward_fee_fraction").json::<serde_json::Value>(),
        json!({"numerator": 1, "denominator": 10})
    );

    // The re-issued stake includes the rewards.
    p.net.advance_epochs(1);
    p.call(&alice, "ping", json!({}), 0).unwrap();
    assert_eq!(p.pool.state().locked, p.total_staked());
}

#[test]
fn a_paused_pool_stakes_nothing_and_earns_nothing() {
    let p = setup(Localnet::new(), 100 * NEAR, (0, 1));
    let alice = p.net.create_account("alice", 200 * NEAR);
    p.call(&alice, "deposit_and_stake", json!({}), 100 * NEAR).unwrap();
    let out = p.call(&alice, "pause_staking", json!({}), 0);
    assert_eq!(out.failure(), Some("Smart contract panicked: Can only be called by the owner"));
    p.call(&p.owner, "pause_staking", json!({}), 0).unwrap();
    assert!(p.pool.view("is_staking_paused").json::<bool>());
    let total = p.total_staked();

    p.net.advance_epochs(3);
    assert_eq!(p.pool.state().locked, 0);
    p.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    assert_eq!(p.pool.state().locked, 0);
    p.net.advance_epochs(3);
    p.call(&alice, "ping", json!({}), 0).unwrap();
    assert_eq!(p.total_staked(), total + 10 * NEAR);
    assert_eq!(p.staked(&alice), 110 * NEAR);

    p.call(&p.owner, "resume_staking", json!({}), 0).unwrap();
    assert_eq!(p.pool.state().locked, total + 10 * NEAR);
    assert!(!p.pool.view("is_staking_paused").json::<bool>());
    let out = p.call(&p.owner, "resume_staking", json!({}), 0);
    assert_eq!(out.failure(), Some("Smart contract panicked: The staking is not paused"));
}

#[test]
fn an_offline_validator_earns_nothing() {
    let p = setup(Localnet::new(), 100 * NEAR, (0, 1));
    let alice = p.net.create_account("alice", 200 * NEAR);
    p.call(&alice, "deposit_and_stake", json!({}), 100 * NEAR).unwrap();
    p.net.advance_epochs(2);
    p.net.set_validator_online(p.pool.id(), false);
    p.net.advance_epochs(4);
    p.call(&alice, "ping", json!({}), 0).unwrap();
    assert_eq!(p.total_staked(), 199 * NEAR);
    assert_eq!(p.assets(), 200 * NEAR);
    // Kicked out: the protocol returned the stake; the ping re-proposed it.
    assert_eq!(p.pool.state().locked, 199 * NEAR);

    p.net.set_validator_online(p.pool.id(), true);
    p.net.advance_epochs(3);
    p.call(&alice, "ping", json!({}), 0).unwrap();
    assert_eq!(p.total_staked(), 199 * NEAR + 199 * NEAR * 13 / 100_000);
}

#[test]
fn a_failed_stake_action_makes_the_pool_unstake_everything() {
    // A validator holding 62,499 x 1,500 NEAR makes the seat price 1,500 NEAR (mainnet's ratio,
    // 1/62,500): a Stake action then needs 150 NEAR.
    let net = Localnet::new();
    let whale = net.create_account("whale", 93_748_600 * NEAR);
    whale.batch(whale.id()).stake(93_748_500 * NEAR, localnet::account_key(whale.id())).transact().unwrap();
    net.advance_epochs(1);
    let p = setup(net, 100 * NEAR, (0, 1));
    // 99 NEAR is below the minimum stake: the Stake action failed and nothing is locked.
    assert_eq!(p.pool.state().locked, 0);
    let alice = p.net.create_account("alice", 200 * NEAR);
    p.call(&alice, "deposit_and_stake", json!({}), 100 * NEAR).unwrap();
    assert_eq!(p.pool.state().locked, 199 * NEAR);
    let out = p.call(&alice, "unstake", json!({"amount": (60 * NEAR).to_string()}), 0).unwrap();
    let localnet::Status::Failure(failure) = &out.receipt_failures()[0].status else { unreachable!() };
    let (stake, minimum_stake) = (Balance::from_yoctonear(139 * NEAR), Balance::from_yoctonear(150 * NEAR));
    let kind = ActionErrorKind::InsufficientStake { account_id: p.pool.id().clone(), stake, minimum_stake };
    assert_eq!(failure.error(), &TxExecutionError::ActionError(ActionError { index: Some(0), kind }));
    assert_eq!(
        failure.message(),
        "Action #0: Account pool.owner.near tries to stake 139.00 NEAR but minimum required stake is 150.00 NEAR"
    );
    // The callback answered the failure with a stake of 0: all of it unlocks three epochs later.
    p.net.advance_epochs(3);
    assert_eq!(p.pool.state().locked, 0);
    p.net.advance_epochs(1);
    p.call(&alice, "withdraw_all", json!({}), 0).unwrap();
    assert_eq!(p.staked(&alice), 40 * NEAR);
    assert_eq!(p.unstaked(&alice), 0);
}
