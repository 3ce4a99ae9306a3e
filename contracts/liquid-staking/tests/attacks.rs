//! Regression tests for attacks known from other liquid staking protocols. (A fee raised just
//! before an epoch boundary is in `governance.rs`; a callback failing after a partial update in
//! `faults.rs`.)
mod common;

use common::*;
use localnet::NEAR;
use serde_json::json;

/// The first depositor cannot inflate the price: the seed's dead shares set it, and NEAR sent to
/// the contract directly is not counted.
#[test]
fn first_depositor_inflation_fails() {
    let t = setup();
    let attacker = t.net.create_account("attacker", 100_000 * NEAR);
    t.call(&attacker, "deposit_and_stake", json!({}), storage_cost(&attacker) + 1).unwrap();
    attacker.transfer(t.lst.id(), 50_000 * NEAR).unwrap();
    assert_eq!(t.u128("ft_price", json!({})), NEAR);
    let victim = t.net.create_account("victim", 1_000 * NEAR);
    t.call(&victim, "deposit_and_stake", json!({}), 100 * NEAR + storage_cost(&victim)).unwrap();
    assert_eq!(t.staked(&victim), 100 * NEAR);
    // The attacker's 1 yocto is still worth 1 yocto: the donation is the protocol's surplus.
    assert_eq!(t.staked(&attacker), 1);
    t.assert_balanced();
}

/// Many tiny stake/unstake cycles at a price above 1.5 take out no more than they put in.
#[test]
fn tiny_cycles_at_a_high_price_leak_nothing() {
    let t = setup();
    // A holder burning its tokens on leaving lifts the price to about 2.4.
    let whale = t.net.create_account("whale", 1_000 * NEAR);
    t.call(&whale, "deposit_and_stake", json!({}), 200 * NEAR).unwrap();
    t.call(&whale, "storage_unregister", json!({"force": true}), 1).unwrap();
    let price = t.u128("ft_price", json!({}));
    assert!(price * 10 > 15 * NEAR, "price {price}");
    let attacker = t.net.create_account("attacker", 1_000 * NEAR);
    t.call(&attacker, "storage_deposit", json!({}), NEAR).unwrap();
    let mut put_in = 0;
    for amount in [2u128, 3, 5, 7, 11, 13, 1_000_003, NEAR + 7] {
        for _ in 0..3 {
            if t.call(&attacker, "deposit_and_stake", json!({}), amount).is_success() {
                put_in += amount;
                if t.call(&attacker, "unstake", json!({"amount": "1"}), 0).is_failure() {
                    t.call(&attacker, "unstake_all", json!({}), 0);
                }
            }
        }
        assert!(t.unstaked(&attacker) + t.staked(&attacker) <= put_in, "leak after {put_in}");
    }
    // Every rounding went to the pool: the price did not fall.
    assert!(t.u128("ft_price", json!({})) >= price);
    t.assert_solvent();
}

/// Nothing mints tokens without NEAR arriving: zero deposits, forged callbacks and direct calls
/// of internal methods all fail and change nothing.
#[test]
fn no_mint_without_assets() {
    let t = setup();
    let pools = t.add_validators(&[1]);
    let mallory = t.net.create_account("mallory", 1_000 * NEAR);
    t.call(&mallory, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    t.crank();
    let before = (t.solvency(), t.validators(), t.shares(&mallory));
    assert_eq!(
        t.call(&mallory, "deposit_and_stake", json!({}), 0).failure(),
        Some("Smart contract panicked: Deposit amount should be positive")
    );
    assert_eq!(
        t.call(&mallory, "stake", json!({"amount": NEAR.to_string()}), 0).failure(),
        Some("Smart contract panicked: Not enough unstaked balance to stake")
    );
    for callback in ["on_sync", "on_action", "on_reconcile"] {
        let out = t.call(&mallory, callback, json!({"index": 0, "id": t.net.block_height()}), 0);
        assert_eq!(
            out.failure(),
            Some("Smart contract panicked: Only the contract can call its callbacks"),
            "{callback}"
        );
    }
    let resolve = json!({"sender_id": "mallory.near", "receiver_id": "lst.near", "amount": NEAR.to_string()});
    assert_eq!(
        t.call(&mallory, "ft_resolve_transfer", resolve, 0).failure(),
        Some("Smart contract panicked: Method ft_resolve_transfer is private")
    );
    assert_eq!(
        t.call(&mallory, "migrate", json!({}), 0).failure(),
        Some("Smart contract panicked: Method migrate is private")
    );
    assert_eq!((t.solvency(), t.validators(), t.shares(&mallory)), before);
    t.assert_matches_pools(&pools);
}
