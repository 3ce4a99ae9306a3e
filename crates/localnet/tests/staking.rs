//! Stake actions, validator sets, rewards at epoch boundaries and the unlock delay.
mod common;

use common::*;
use localnet::{Account, Localnet, NEAR, Rate, account_key};
use serde_json::json;

/// 13 / 100,000 per epoch: localnet's default reward rate.
fn reward(stake: u128) -> u128 {
    stake * 13 / 100_000
}

fn stake(validator: &Account, amount: u128) -> localnet::ExecutionResult {
    validator.batch(validator.id()).stake(amount, account_key(validator.id())).transact()
}

/// What the `validator_stake` and `validator_total_stake` host functions answer.
fn host_view(counter: &Account, validator: &Account) -> (u128, u128) {
    let (s, t): (String, String) =
        counter.view("validator_stake").args_json(json!({"account_id": validator.id()})).json();
    (s.parse().unwrap(), t.parse().unwrap())
}

#[test]
fn stake_locks_at_once_joins_two_epochs_later_and_earns_rewards() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let v = net.create_account("validator", near(1_000));
    let s = near(100);
    let out = stake(&v, s).unwrap();
    let state = v.state();
    assert_eq!(state.locked, s);
    assert_eq!(state.amount, near(900) - out.total_tokens_burnt());

    // The proposal joins the set of the epoch after next.
    net.advance_epochs(1);
    assert_eq!(net.validators().len(), 0);
    assert_eq!(host_view(&counter, &v), (0, 0));
    net.advance_epochs(1);
    assert_eq!(net.validators().get(v.id()), Some(&s));
    assert_eq!(host_view(&counter, &v), (s, s));
    assert_eq!(v.state().locked, s);

    // Rewards arrive at the end of each epoch as a validator, into the locked balance.
    net.advance_epochs(1);
    let r1 = reward(s);
    assert_eq!(r1, 13_000_000_000_000_000_000_000);
    assert_eq!(v.state().locked, s + r1);
    // The reward joins the stake of the epoch after next, not the next one.
    assert_eq!(net.validators().get(v.id()), Some(&s));
    net.advance_epochs(1);
    assert_eq!(v.state().locked, s + r1 + reward(s));
    assert_eq!(net.validators().get(v.id()), Some(&(s + r1)));
}

#[test]
fn lowered_stake_becomes_liquid_at_the_third_boundary() {
    let net = Localnet::new();
    let v = net.create_account("validator", near(1_000));
    let s = near(100);
    stake(&v, s).unwrap();
    net.advance_epochs(3);
    let (r1, locked) = (reward(s), v.state().locked);
    assert_eq!(locked, s + r1);
    let amount = v.state().amount;

    let out = stake(&v, 0).unwrap();
    let amount = amount - out.total_tokens_burnt();
    assert_eq!(v.state().locked, s + r1);
    // Boundary 1: still a validator this epoch and next; this epoch's reward is paid out liquid
    // because no future set holds it.
    net.advance_epochs(1);
    let r2 = reward(s);
    assert_eq!(v.state().locked, s + r1);
    assert_eq!(v.state().amount, amount + r2);
    // Boundary 2: still a validator (at s + r1) for the epoch that just ended.
    net.advance_epochs(1);
    let r3 = reward(s + r1);
    assert_eq!(v.state().locked, s + r1);
    assert_eq!(v.state().amount, amount + r2 + r3);
    assert_eq!(net.validators().get(v.id()), None);
    // Boundary 3: no set holds the stake any more: all of it is liquid.
    net.advance_epochs(1);
    assert_eq!(v.state().locked, 0);
    assert_eq!(v.state().amount, amount + r2 + r3 + s + r1);
}

#[test]
fn the_protocol_rejects_bad_stakes() {
    let net = Localnet::new();
    let v = net.create_account("validator", near(10));
    let out = stake(&v, near(20));
    let balance = near(10) - out.transaction_tokens_burnt - localnet_prepaid(&out);
    assert_eq!(
        out.failure(),
        Some(
            format!(
                "TriesToStake {{ account_id: validator.near, stake: {}, locked: 0, balance: {balance} }}",
                near(20)
            )
            .as_str()
        )
    );
    let out = stake(&v, 0);
    assert_eq!(out.failure(), Some("TriesToUnstake { account_id: validator.near }"));
    let out = stake(&v, NEAR / 2);
    assert_eq!(
        out.failure(),
        Some(
            format!("InsufficientStake {{ account_id: validator.near, stake: {}, minimum_stake: {NEAR} }}", NEAR / 2)
                .as_str()
        )
    );
    assert_eq!(v.state().locked, 0);
    net.advance_epochs(3);
    assert!(net.validators().is_empty());
}

/// What the signer had paid for the receipt's gas when it ran: exec fees at the purchase price.
fn localnet_prepaid(out: &localnet::ExecutionResult) -> u128 {
    out.receipts[0].gas_burnt as u128 * PURCHASE_PRICE
}

#[test]
fn an_offline_validator_earns_nothing_and_is_kicked_out() {
    let net = Localnet::new();
    let counter = deploy(&net, "counter", near(10));
    let a = net.create_account("a", near(1_000));
    let b = net.create_account("b", near(1_000));
    stake(&a, near(100)).unwrap();
    stake(&b, near(300)).unwrap();
    net.advance_epochs(2);
    assert_eq!(host_view(&counter, &a), (near(100), near(400)));

    net.set_validator_online(a.id(), false);
    // The end of this epoch kicks it out of the set two epochs ahead, as nearcore does: until
    // then `validator_stake` still answers its stake, though it earns nothing.
    assert_eq!(host_view(&counter, &a), (near(100), near(400)));
    let amount = a.state().amount;
    net.advance_epochs(1);
    assert_eq!(a.state().locked, near(100));
    assert_eq!(b.state().locked, near(300) + reward(near(300)));
    assert_eq!(host_view(&counter, &a).0, near(100));
    net.advance_epochs(1);
    assert_eq!(host_view(&counter, &a), (0, near(300) + reward(near(300))));
    assert_eq!(a.state().locked, near(100));
    // The stake is returned once no set holds it: at the third boundary.
    net.advance_epochs(1);
    assert_eq!(a.state().locked, 0);
    assert_eq!(a.state().amount, amount + near(100));

    // Back online, it must stake again and wait two epochs.
    net.set_validator_online(a.id(), true);
    assert_eq!(host_view(&counter, &a).0, 0);
    stake(&a, near(100)).unwrap();
    net.advance_epochs(2);
    assert_eq!(host_view(&counter, &a).0, near(100));
}

#[test]
fn reward_rates_can_differ_per_validator() {
    let net = Localnet::new();
    let a = net.create_account("a", near(1_000));
    net.set_reward_rate(a.id(), Rate { numerator: 1, denominator: 1_000 });
    stake(&a, near(100)).unwrap();
    net.advance_epochs(3);
    assert_eq!(a.state().locked, near(100) + near(100) / 1_000);
}

#[test]
fn a_contract_stakes_with_a_stake_action() {
    let net = Localnet::new();
    let caller = deploy(&net, "caller", near(500));
    let alice = net.create_account("alice", near(10));
    let key = account_key(caller.id()).to_string();
    let before = caller.balance();
    alice
        .call(caller.id(), "stake")
        .args_json(json!({"amount": near(200).to_string(), "public_key": key}))
        .transact()
        .unwrap();
    assert_eq!(caller.state().locked, near(200));
    assert_eq!(caller.balance(), before - near(200));
}
