//! Rounding at a share price above 1.5 with amounts down to 1 yocto: a delegator gains at most
//! the 1 yocto per operation the guarantee fund pays, other delegators never lose, and the pool
//! stays solvent.
mod common;

use common::*;
use localnet::{Account, Localnet, NEAR, Rate};
use serde_json::json;

/// Everything the pool owes: the total staked balance plus every delegator's unstaked balance.
fn liabilities(p: &Pool, accounts: &[&Account]) -> u128 {
    p.total_staked() + accounts.iter().map(|a| p.unstaked(a)).sum::<u128>()
}

#[test]
fn rounding_is_bounded_and_paid_by_the_fund() {
    let p = setup(Localnet::new(), 100 * NEAR, (0, 1));
    p.net.set_reward_rate(p.pool.id(), Rate { numerator: 1, denominator: 4 });
    let carol = p.net.create_account("carol", 200 * NEAR);
    p.call(&carol, "deposit_and_stake", json!({}), 100 * NEAR).unwrap();
    p.net.advance_epochs(5);
    p.call(&carol, "ping", json!({}), 0).unwrap();
    let price_x1000 = p.total_staked() * 1000 / (199 * NEAR);
    assert!(price_x1000 > 1500, "price {price_x1000}/1000");

    let bob = p.net.create_account("bob", 10 * NEAR);
    let out = p.call(&bob, "deposit_and_stake", json!({}), 1);
    assert_eq!(
        out.failure(),
        Some(
            "Smart contract panicked: The calculated number of \"stake\" shares received for staking should be positive"
        )
    );
    // As in the core pool, a deposit of nothing passes and it is the stake of nothing that fails.
    let out = p.call(&bob, "deposit_and_stake", json!({}), 0);
    assert_eq!(out.failure(), Some("Smart contract panicked: Staking amount should be positive"));

    let mut deposited = 0u128;
    let mut operations = 0u128;
    let mut carol_value = p.staked(&carol);
    for amount in [2u128, 3, 5, 7, 1_000_003, NEAR + 1] {
        p.call(&bob, "deposit", json!({}), amount).unwrap();
        deposited += amount;
        p.call(&bob, "stake_all", json!({}), 0).unwrap();
        p.call(&bob, "unstake", json!({"amount": "1"}), 0).unwrap();
        operations += 2;
        if p.staked(&bob) > 0 {
            p.call(&bob, "unstake_all", json!({}), 0).unwrap();
            operations += 1;
        } else {
            let out = p.call(&bob, "unstake_all", json!({}), 0);
            assert_eq!(out.failure(), Some("Smart contract panicked: Unstaking amount should be positive"));
        }
        assert!(p.staked(&carol) >= carol_value, "carol lost value");
        carol_value = p.staked(&carol);
        assert!(p.assets() >= liabilities(&p, &[&carol, &bob]), "pool insolvent");
    }
    let out_of_pool = p.unstaked(&bob) + p.staked(&bob);
    assert!(out_of_pool <= deposited + operations, "bob holds {out_of_pool} after depositing {deposited}");
    assert!(out_of_pool + operations >= deposited, "bob lost more than rounding: {out_of_pool} of {deposited}");

    // Unstaking exactly the reported staked balance always works; 1 yocto more does not.
    let staked = p.staked(&carol);
    let out = p.call(&carol, "unstake", json!({"amount": (staked + 1).to_string()}), 0);
    assert_eq!(out.failure(), Some("Smart contract panicked: Not enough staked balance to unstake"));
    p.call(&carol, "unstake", json!({"amount": staked.to_string()}), 0).unwrap();
    assert_eq!(p.staked(&carol), 0);
    assert!(p.unstaked(&carol) >= staked);
    assert!(p.assets() >= liabilities(&p, &[&carol, &bob]));
}
