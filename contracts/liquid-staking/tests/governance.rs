//! Governance: every privileged method refuses everyone else (and a missing yocto) and changes
//! nothing; the pause stops exactly what it should and expires; parameter changes wait for a
//! later epoch; ownership moves in two steps; upgrades migrate atomically.
mod common;

use common::*;
use liquid_staking::errors;
use localnet::{Account, NEAR, Rate, TGAS, build::contract_wasm_with_features};
use serde_json::{Value, json};

/// Everything a refused call must leave alone.
fn snapshot(t: &Lst) -> Value {
    json!({
        "roles": t.view::<Value>("get_roles", json!({})),
        "pending": t.view::<Value>("get_pending_changes", json!({})),
        "config": t.view::<Value>("get_config", json!({})),
        "pool": t.view::<Value>("get_liquidity_pool", json!({})),
        "validators": t.validators(),
        "solvency": t.solvency(),
    })
}

#[test]
fn privileged_methods_refuse_everyone_else_and_change_nothing() {
    let t = setup();
    let guardian = t.net.create_account("guardian", 10 * NEAR);
    t.call(&t.owner, "set_role", json!({"role": "guardian", "account_id": guardian.id()}), 1).unwrap();
    t.add_validators(&[1]);
    let mallory = t.net.create_account("mallory", 100 * NEAR);
    let fee = json!({"numerator": 1, "denominator": 20});
    let owner_only = [
        ("set_reward_fee", fee.clone()),
        ("set_max_reward_rate", json!({"numerator": 1, "denominator": 2000})),
        ("set_drain_after_epochs", json!({"epochs": 5})),
        ("set_instant_unstake", json!({"max_fee_bps": 200})),
        ("set_role", json!({"role": "manager", "account_id": "mallory.near"})),
        ("propose_owner", json!({"account_id": "mallory.near"})),
        ("extend_pause", json!({"until_epoch": t.net.epoch_height() + 10})),
        ("upgrade", json!({})),
    ];
    let before = snapshot(&t);
    for (method, args) in &owner_only {
        for (who, deposit, error) in [
            (&mallory, 1, errors::access::OWNER_ONLY),
            (&guardian, 1, errors::access::OWNER_ONLY),
            (&t.owner, 0, errors::access::ONE_YOCTO),
            (&t.owner, 2, errors::access::ONE_YOCTO),
        ] {
            let out = t.call(who, method, args.clone(), deposit);
            assert_eq!(
                out.failure(),
                Some(format!("Smart contract panicked: {error}").as_str()),
                "{method} by {}",
                who.id()
            );
            assert_eq!(snapshot(&t), before, "{method} changed state");
        }
    }
    let manager_only = [
        ("add_validator", json!({"account_id": "evil.near", "weight": 1})),
        ("update_validator", json!({"account_id": "v0.owner.near", "weight": 100})),
        ("remove_validator", json!({"account_id": "v0.owner.near"})),
    ];
    for (method, args) in &manager_only {
        for who in [&mallory, &guardian] {
            let out = t.call(who, method, args.clone(), 1);
            assert_eq!(
                out.failure(),
                Some("Smart contract panicked: Only the manager can change validators"),
                "{method}"
            );
        }
        let out = t.call(&t.owner, method, args.clone(), 0);
        assert_eq!(out.failure(), Some("Smart contract panicked: Requires attached deposit of exactly 1 yoctoNEAR"));
    }
    for method in ["pause", "unpause"] {
        let out = t.call(&mallory, method, json!({}), 1);
        let error = format!("Smart contract panicked: Only the guardian or the owner can {method}");
        assert_eq!(out.failure(), Some(error.as_str()));
        let out = t.call(&guardian, method, json!({}), 0);
        assert_eq!(out.failure(), Some("Smart contract panicked: Requires attached deposit of exactly 1 yoctoNEAR"));
    }
    for callback in ["migrate", "on_sync", "on_action", "on_reconcile", "on_whitelist_check", "ft_resolve_transfer"] {
        let out = t.call(&mallory, callback, json!({"index": 0, "id": 0}), 0);
        assert!(out.is_failure(), "{callback} accepted an outside call");
    }
    let out = t.call(&mallory, "accept_owner", json!({}), 1);
    assert_eq!(out.failure(), Some("Smart contract panicked: Only the proposed owner can accept ownership"));
    assert_eq!(snapshot(&t), before);
}

#[test]
fn ownership_moves_in_two_steps() {
    let t = setup();
    let next = t.net.create_account("next", 10 * NEAR);
    t.call(&t.owner, "propose_owner", json!({"account_id": next.id()}), 1).unwrap();
    assert_eq!(t.view::<Value>("get_roles", json!({}))["owner_id"], json!("owner.near"));
    assert_eq!(t.view::<Value>("get_roles", json!({}))["pending_owner_id"], json!("next.near"));
    let out = t.call(&next, "accept_owner", json!({}), 1).unwrap();
    assert_eq!(
        out.events(),
        vec![json!({"standard":"liquid-staking","version":"1.0.0","event":"role_change",
            "data":[{"role":"owner","old":"owner.near","new":"next.near"}]})]
    );
    assert_eq!(t.view::<String>("get_owner_id", json!({})), "next.near");
    let out = t.call(&t.owner, "set_reward_fee", json!({"numerator": 1, "denominator": 20}), 1);
    assert_eq!(out.failure(), Some("Smart contract panicked: Only the owner can do this"));
    t.call(&next, "set_reward_fee", json!({"numerator": 1, "denominator": 20}), 1).unwrap();
}

#[test]
fn the_pause_stops_entries_only_and_expires() {
    let t = setup();
    let guardian = t.net.create_account("guardian", 10 * NEAR);
    t.call(&t.owner, "set_role", json!({"role": "guardian", "account_id": guardian.id()}), 1).unwrap();
    let lp = t.net.create_account("lp", 10_000 * NEAR);
    t.call(&lp, "add_liquidity", json!({}), 1_000 * NEAR).unwrap();
    let alice = t.net.create_account("alice", 1_000 * NEAR);
    let bob = t.net.create_account("bob", 1_000 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 100 * NEAR).unwrap();
    t.call(&bob, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    t.call(&alice, "deposit", json!({}), 10 * NEAR).unwrap();
    t.call(&alice, "unstake", json!({"amount": (10 * NEAR).to_string()}), 0).unwrap();

    let out = t.call(&guardian, "pause", json!({}), 1).unwrap();
    let until = t.net.epoch_height() + 2;
    assert_eq!(
        out.events(),
        vec![json!({"standard":"liquid-staking","version":"1.0.0","event":"pause","data":[{"until_epoch":until}]})]
    );
    assert!(t.view::<bool>("is_staking_paused", json!({})));
    let paused =
        "Smart contract panicked: The pool is paused: deposits, staking, instant unstake and new liquidity are stopped";
    let stopped = [
        ("deposit", json!({}), NEAR),
        ("deposit_and_stake", json!({}), NEAR),
        ("stake", json!({"amount": NEAR.to_string()}), 0),
        ("stake_all", json!({}), 0),
        ("instant_unstake", json!({"amount": NEAR.to_string()}), 0),
        ("add_liquidity", json!({}), NEAR),
    ];
    for (method, args, deposit) in &stopped {
        assert_eq!(t.call(&alice, method, args.clone(), *deposit).failure(), Some(paused), "{method}");
    }
    // Exits keep working.
    t.call(&alice, "unstake", json!({"amount": NEAR.to_string()}), 0).unwrap();
    t.call(&alice, "ft_transfer", json!({"receiver_id": bob.id(), "amount": NEAR.to_string()}), 1).unwrap();
    t.call(&lp, "remove_liquidity", json!({"shares": (10 * NEAR).to_string()}), 1).unwrap();
    t.crank();
    t.net.advance_epochs(1);
    assert!(t.view::<bool>("is_staking_paused", json!({})));
    // The guardian's pause ends by itself.
    t.net.advance_epochs(1);
    assert!(!t.view::<bool>("is_staking_paused", json!({})));
    t.call(&bob, "deposit_and_stake", json!({}), NEAR).unwrap();
    t.net.advance_epochs(2);
    t.call(&alice, "withdraw_all", json!({}), 0).unwrap();

    // The guardian cannot renew its pause before the cooldown: it cannot keep the pool paused.
    t.call(&guardian, "pause", json!({}), 1).unwrap();
    let paused_at = t.net.epoch_height();
    t.call(&guardian, "unpause", json!({}), 1).unwrap();
    for _ in 0..4 {
        let out = t.call(&guardian, "pause", json!({}), 1);
        assert_eq!(
            out.failure(),
            Some("Smart contract panicked: The guardian paused less than 4 epochs ago: only the owner can pause again")
        );
        assert!(!t.view::<bool>("is_staking_paused", json!({})));
        t.net.advance_epochs(1);
    }
    assert_eq!(t.net.epoch_height(), paused_at + 4);
    t.call(&guardian, "pause", json!({}), 1).unwrap();

    // Only the owner extends it, and only the owner lifts the owner's pause.
    let out = t.call(&guardian, "extend_pause", json!({"until_epoch": t.net.epoch_height() + 10}), 1);
    assert_eq!(out.failure(), Some("Smart contract panicked: Only the owner can do this"));
    t.call(&t.owner, "extend_pause", json!({"until_epoch": t.net.epoch_height() + 10}), 1).unwrap();
    t.net.advance_epochs(3);
    assert!(t.view::<bool>("is_staking_paused", json!({})));
    let out = t.call(&t.owner, "extend_pause", json!({"until_epoch": t.net.epoch_height() + 101}), 1);
    assert_eq!(out.failure(), Some("Smart contract panicked: The pause must end within 100 epochs"));
    let out = t.call(&guardian, "unpause", json!({}), 1);
    assert_eq!(out.failure(), Some("Smart contract panicked: Only the owner can lift the owner's pause"));
    assert!(t.view::<bool>("is_staking_paused", json!({})));
    t.call(&t.owner, "unpause", json!({}), 1).unwrap();
    assert!(!t.view::<bool>("is_staking_paused", json!({})));
    // With the owner's pause lifted, the guardian's powers are back (after its cooldown).
    t.net.advance_epochs(1);
    t.call(&guardian, "pause", json!({}), 1).unwrap();
    t.call(&guardian, "unpause", json!({}), 1).unwrap();
}

/// The owner's pause is the owner's to lift, whether the owner set it with `extend_pause` or
/// with `pause`.
#[test]
fn a_pause_the_owner_sets_with_pause_is_lifted_only_by_the_owner() {
    let t = setup();
    let guardian = t.net.create_account("guardian", 10 * NEAR);
    t.call(&t.owner, "set_role", json!({"role": "guardian", "account_id": guardian.id()}), 1).unwrap();
    t.call(&t.owner, "pause", json!({}), 1).unwrap();
    let out = t.call(&guardian, "unpause", json!({}), 1);
    assert_eq!(out.failure(), Some("Smart contract panicked: Only the owner can lift the owner's pause"));
    assert!(t.view::<bool>("is_staking_paused", json!({})));
    t.call(&t.owner, "unpause", json!({}), 1).unwrap();
    assert!(!t.view::<bool>("is_staking_paused", json!({})));
    // The guardian's own pause stays the guardian's.
    t.call(&guardian, "pause", json!({}), 1).unwrap();
    t.call(&guardian, "unpause", json!({}), 1).unwrap();
}

#[test]
fn parameters_have_hard_limits() {
    let t = setup();
    let cases = [
        ("set_reward_fee", json!({"numerator": 21, "denominator": 100}), errors::config::REWARD_FEE_LIMIT),
        ("set_max_reward_rate", json!({"numerator": 2, "denominator": 100}), errors::config::REWARD_RATE_LIMIT),
        ("set_drain_after_epochs", json!({"epochs": 0}), errors::config::DRAIN_AFTER_LIMIT),
        ("set_instant_unstake", json!({"max_fee_bps": 1001}), errors::config::INSTANT_FEE_LIMIT),
        ("set_instant_unstake", json!({"min_fee_bps": 400}), errors::config::MIN_FEE_ABOVE_MAX),
        ("set_instant_unstake", json!({"treasury_share_bps": 5001}), errors::config::TREASURY_SHARE_LIMIT),
    ];
    for (method, args, error) in cases {
        let out = t.call(&t.owner, method, args, 1);
        assert_eq!(out.failure(), Some(format!("Smart contract panicked: {error}").as_str()), "{method}");
    }
    assert_eq!(t.view::<Value>("get_pending_changes", json!({}))["changes"], json!([]));
}

#[test]
fn a_fee_change_just_before_a_boundary_does_not_touch_that_boundary_s_rewards() {
    let t = setup();
    let pools = t.add_validators(&[1]);
    t.call(&t.treasury, "storage_deposit", json!({}), NEAR / 100).unwrap();
    let alice = t.net.create_account("alice", 10_000 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 5_000 * NEAR).unwrap();
    t.crank();
    t.net.set_reward_rate(pools[0].id(), Rate { numerator: 1, denominator: 10_000 });
    // The last block of the epoch: the owner raises the fee from 10% to 20%.
    let length = t.net.config().epoch_length;
    t.net.fast_forward(length - t.net.block_height() % length - 3);
    let epoch = t.net.epoch_height();
    let out = t.call(&t.owner, "set_reward_fee", json!({"numerator": 1, "denominator": 5}), 1).unwrap();
    assert_eq!(out.block_height / length + 1, epoch, "the change must be made before the boundary");
    assert_eq!(
        out.events(),
        vec![json!({"standard":"liquid-staking","version":"1.0.0","event":"parameter_change","data":[{
            "parameter":"reward_fee","old":{"numerator":1,"denominator":10},"new":{"numerator":1,"denominator":5},"epoch":epoch + 2}]})]
    );
    // The boundary's rewards are collected in the next epoch, at the old fee.
    let fee_tokens = |t: &Lst| t.shares(&t.treasury);
    if t.net.epoch_height() == epoch {
        t.net.advance_epochs(1);
    }
    assert_eq!(t.net.epoch_height(), epoch + 1);
    let total_before = t.u128("get_total_staked_balance", json!({}));
    let (shares_before, treasury_before) = (t.u128("ft_total_supply", json!({})), fee_tokens(&t));
    t.crank();
    let rewards = t.u128("get_total_staked_balance", json!({})) - total_before;
    let minted = fee_tokens(&t) - treasury_before;
    let old_fee = rewards / 10;
    let expected = shares::mul_div_floor(old_fee, shares_before, total_before + rewards - old_fee).unwrap();
    assert_eq!(minted, expected);
    // From the epoch it named, the new fee applies.
    t.net.advance_epochs(1);
    assert_eq!(t.net.epoch_height(), epoch + 2);
    assert_eq!(t.view::<Value>("get_reward_fee_fraction", json!({})), json!({"numerator": 1, "denominator": 5}));
    let total_before = t.u128("get_total_staked_balance", json!({}));
    let (shares_before, treasury_before) = (t.u128("ft_total_supply", json!({})), fee_tokens(&t));
    t.crank();
    let rewards = t.u128("get_total_staked_balance", json!({})) - total_before;
    let new_fee = rewards / 5;
    let expected = shares::mul_div_floor(new_fee, shares_before, total_before + rewards - new_fee).unwrap();
    assert_eq!(fee_tokens(&t) - treasury_before, expected);
}

fn holders_view(t: &Lst, holders: &[Account]) -> Vec<Value> {
    holders.iter().map(|h| t.view("get_holder", json!({"account_id": h.id()}))).collect()
}

#[test]
fn an_upgrade_to_a_new_state_layout_keeps_every_balance() {
    let t = setup();
    let pools = t.add_validators(&[1, 1]);
    let holders: Vec<Account> = (0..5).map(|i| t.net.create_account(&format!("h{i}"), 1_000 * NEAR)).collect();
    for (i, h) in holders.iter().enumerate() {
        t.call(h, "deposit_and_stake", json!({}), (100 + i as u128) * NEAR).unwrap();
    }
    t.call(&holders[0], "unstake", json!({"amount": (20 * NEAR).to_string()}), 0).unwrap();
    t.crank();
    let (before, solvency) = (holders_view(&t, &holders), t.solvency());
    let v2 = contract_wasm_with_features("liquid-staking", "next-version");
    let out = t.owner.call(t.lst.id(), "upgrade").args(v2.to_vec()).deposit(1).gas(300 * TGAS).transact().unwrap();
    assert!(out.events().contains(&json!({"standard":"liquid-staking","version":"1.0.0","event":"upgrade",
            "data":[{"from_version":1,"to_version":2}]})));
    assert_eq!(t.view::<Value>("get_pending_changes", json!({}))["state_version"], json!(2));
    assert_eq!(holders_view(&t, &holders), before);
    assert_eq!(t.solvency()["totals"], solvency["totals"]);
    // The contract kept the upgrade's 1 yocto; nothing else moved.
    let balance = |s: &Value| s["balance"].as_str().unwrap().parse::<u128>().unwrap();
    assert_eq!(balance(&t.solvency()), balance(&solvency) + 1);
    // Life goes on under the new code.
    t.net.advance_epochs(1);
    t.crank();
    t.assert_matches_pools(&pools);
    t.call(&holders[1], "deposit_and_stake", json!({}), NEAR).unwrap();
}

#[test]
fn a_failing_upgrade_leaves_the_old_code_and_state() {
    let t = setup();
    let alice = t.net.create_account("alice", 1_000 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 100 * NEAR).unwrap();
    let (code, before) = (t.lst.state().code_hash, holders_view(&t, std::slice::from_ref(&alice)));
    let out = t
        .owner
        .call(t.lst.id(), "upgrade")
        .args(b"\0asm\x01\0\0\0broken".to_vec())
        .deposit(1)
        .gas(300 * TGAS)
        .transact();
    assert!(out.is_failure());
    assert_eq!(t.lst.state().code_hash, code);
    assert_eq!(holders_view(&t, std::slice::from_ref(&alice)), before);
    t.call(&alice, "unstake_all", json!({}), 0).unwrap();
}
