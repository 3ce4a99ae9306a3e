//! NEAR's documented flow, with the amounts and gas exactly as written in the docs:
//! `deposit_and_stake` with 10 NEAR by an account that never called the contract, `unstake_all`,
//! and `withdraw_all` once the delay has passed, each with 30 Tgas.
mod common;

use common::*;
use localnet::NEAR;
use serde_json::json;

#[test]
fn the_documented_near_cli_flow_works_for_a_new_account() {
    let t = setup();
    let alice = t.net.create_account("alice", 100 * NEAR);
    let cost = storage_cost(&alice);
    assert_eq!(cost, 1_620_000_000_000_000_000_000);
    let staked = 10 * NEAR - cost;

    let out = t.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR).unwrap();
    assert_eq!(out.json::<String>(), staked.to_string());
    assert_eq!(
        out.events(),
        vec![
            json!({"standard":"liquid-staking","version":"1.0.0","event":"register","data":[{"account_id":"alice.near","storage_deposit":cost.to_string()}]}),
            json!({"standard":"liquid-staking","version":"1.0.0","event":"deposit_and_stake","data":[{"account_id":"alice.near","amount":staked.to_string(),"shares":staked.to_string()}]}),
            json!({"standard":"nep141","version":"1.0.0","event":"ft_mint","data":[{"owner_id":"alice.near","amount":staked.to_string()}]}),
        ]
    );
    let mut spent = out.total_tokens_burnt();
    assert_eq!(alice.balance(), 90 * NEAR - spent);
    assert_eq!(t.staked(&alice), staked);
    assert_eq!(t.shares(&alice), staked);
    t.assert_balanced();

    let out = t.call(&alice, "unstake_all", json!({}), 0).unwrap();
    spent += out.total_tokens_burnt();
    let unlock = t.net.epoch_height() + 4;
    assert_eq!(
        out.events(),
        vec![
            json!({"standard":"liquid-staking","version":"1.0.0","event":"unstake","data":[{"account_id":"alice.near","amount":staked.to_string(),"shares":staked.to_string(),"unlock_epoch":unlock}]}),
            json!({"standard":"nep141","version":"1.0.0","event":"ft_burn","data":[{"owner_id":"alice.near","amount":staked.to_string()}]}),
        ]
    );
    assert_eq!(t.staked(&alice), 0);
    assert_eq!(t.unstaked(&alice), staked);
    assert_eq!(
        t.view::<serde_json::Value>("get_holder", json!({"account_id": alice.id()})),
        json!({"account_id":"alice.near","shares":"0","staked_balance":"0","unstaked_balance":staked.to_string(),"deposited_balance":"0","unlock_epoch":unlock,"can_withdraw":false,"expected_epoch":unlock})
    );

    for _ in 0..3 {
        t.net.advance_epochs(1);
        let out = t.call(&alice, "withdraw_all", json!({}), 0);
        assert_eq!(
            out.failure(),
            Some("Smart contract panicked: The unstaked balance is not yet available due to unstaking delay")
        );
        spent += out.total_tokens_burnt();
    }
    t.net.advance_epochs(1);
    assert_eq!(t.net.epoch_height(), unlock);
    let out = t.call(&alice, "withdraw_all", json!({}), 0).unwrap();
    spent += out.total_tokens_burnt();
    assert_eq!(
        out.events(),
        vec![
            json!({"standard":"liquid-staking","version":"1.0.0","event":"withdraw","data":[{"account_id":"alice.near","amount":staked.to_string()}]}),
            json!({"standard":"liquid-staking","version":"1.0.0","event":"unregister","data":[{"account_id":"alice.near","storage_deposit":cost.to_string()}]}),
        ]
    );
    // Alice got back all she put in, her storage deposit too (she left with nothing, so she is
    // unregistered: a lockup contract, which cannot call `storage_unregister`, leaves nothing
    // behind).
    assert_eq!(alice.balance(), 100 * NEAR - spent);
    assert_eq!(t.unstaked(&alice), 0);
    assert_eq!(t.view::<serde_json::Value>("storage_balance_of", json!({"account_id": alice.id()})), json!(null));
    assert_eq!(t.view::<u64>("get_number_of_accounts", json!({})), 0);
    t.assert_balanced();
}

#[test]
fn deposit_then_stake_then_partial_unstake() {
    let t = setup();
    let alice = t.net.create_account("alice", 100 * NEAR);
    let cost = storage_cost(&alice);
    let out = t.call(&alice, "deposit", json!({}), 5 * NEAR).unwrap();
    assert_eq!(
        out.events(),
        vec![
            json!({"standard":"liquid-staking","version":"1.0.0","event":"register","data":[{"account_id":"alice.near","storage_deposit":cost.to_string()}]}),
            json!({"standard":"liquid-staking","version":"1.0.0","event":"deposit","data":[{"account_id":"alice.near","amount":(5 * NEAR - cost).to_string()}]}),
        ]
    );
    // A plain deposit is withdrawable at once.
    assert!(t.view::<bool>("is_account_unstaked_balance_available", json!({"account_id": alice.id()})));
    let out = t.call(&alice, "stake", json!({"amount": (3 * NEAR).to_string()}), 0).unwrap();
    let three = (3 * NEAR).to_string();
    assert_eq!(
        out.events(),
        vec![
            json!({"standard":"liquid-staking","version":"1.0.0","event":"stake","data":[{"account_id":"alice.near","amount":three,"shares":three}]}),
            json!({"standard":"nep141","version":"1.0.0","event":"ft_mint","data":[{"owner_id":"alice.near","amount":three}]}),
        ]
    );
    assert_eq!(t.staked(&alice), 3 * NEAR);
    assert_eq!(t.unstaked(&alice), 2 * NEAR - cost);
    t.call(&alice, "stake_all", json!({}), 0).unwrap();
    assert_eq!(t.staked(&alice), 5 * NEAR - cost);
    t.call(&alice, "unstake", json!({"amount": NEAR.to_string()}), 0).unwrap();
    assert_eq!(t.staked(&alice), 4 * NEAR - cost);
    assert_eq!(t.unstaked(&alice), NEAR);
    assert_eq!(t.u128("get_account_total_balance", json!({"account_id": alice.id()})), 5 * NEAR - cost);
    assert_eq!(t.u128("get_total_staked_balance", json!({})), SEED + 4 * NEAR - cost);
    assert_eq!(t.u128("ft_total_supply", json!({})), SEED + 4 * NEAR - cost);
    t.assert_balanced();
}
