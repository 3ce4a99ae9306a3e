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
    let account_id = id("validator.near");
    let kind = ActionErrorKind::TriesToStake {
        account_id: account_id.clone(),
        stake: yocto(near(20)),
        locked: yocto(0),
        balance: yocto(balance),
    };
    assert_eq!(out.error(), Some(&action_error(kind)));
    assert_eq!(
        out.failure(),
        Some(
            "Action #0: Account AccountId(\"validator.near\") tries to stake 20.00 NEAR, but has staked 0 NEAR and only has 10.00 NEAR"
        )
    );
    let out = stake(&v, 0);
    assert_eq!(out.error(), Some(&action_error(ActionErrorKind::TriesToUnstake { account_id })));
    assert_eq!(v.state().locked, 0);
    net.advance_epochs(3);
    assert!(net.validators().is_empty());
}

/// Seats go in order of stake to candidates holding more than 1/62,500 of the stake taken with
/// them (mainnet's ratio; its 100/100/500 seats are not filled here), so the seat price is
/// `ceil(total / 62,499)`. A proposal that wins no seat is returned at the boundary that
/// decided it; a Stake action needs a tenth of the next epoch's seat price.
#[test]
fn seats_go_to_the_largest_stakes_above_the_minimum_ratio() {
    let net = Localnet::new();
    let big = net.create_account("big", near(62_600));
    let (small, smallest) = (net.create_account("small", near(10)), net.create_account("smallest", near(10)));
    stake(&big, near(62_499)).unwrap();
    stake(&small, NEAR + 1).unwrap();
    stake(&smallest, NEAR).unwrap();
    let amount = smallest.state().amount;
    net.advance_epochs(1);
    // 1 NEAR is exactly 1/62,500 of the stake with it: not more, so no seat, and it is liquid again.
    assert_eq!((smallest.state().locked, smallest.state().amount), (0, amount + NEAR));
    assert_eq!(small.state().locked, NEAR + 1);
    net.advance_epochs(1);
    let set: Vec<_> = net.validators().into_iter().collect();
    assert_eq!(set, vec![(big.id().clone(), near(62_499)), (small.id().clone(), NEAR + 1)]);

    let seat_price = (near(62_500) + 1).div_ceil(62_499);
    assert_eq!(seat_price, 1_000_016_000_256_004_096_065_538);
    let minimum = seat_price / 10;
    let out = stake(&smallest, minimum - 1);
    let (stake_asked, minimum_stake) = (yocto(minimum - 1), yocto(minimum));
    let kind =
        ActionErrorKind::InsufficientStake { account_id: id("smallest.near"), stake: stake_asked, minimum_stake };
    assert_eq!(out.error(), Some(&action_error(kind)));
    stake(&smallest, minimum).unwrap();
    assert_eq!(smallest.state().locked, minimum);
}

/// A validator's uptime scales its reward from 90% (nothing) to 99% (all), as nearcore's reward
/// calculator does; below 80% the epoch's end kicks it out two epochs ahead.
#[test]
fn uptime_scales_rewards_and_a_validator_under_80_percent_is_kicked_out() {
    let net = Localnet::new();
    let v: Vec<Account> = ["full", "half", "none", "out"].iter().map(|n| net.create_account(n, near(1_000))).collect();
    for validator in &v {
        stake(validator, near(100)).unwrap();
    }
    net.advance_epochs(2);
    let uptimes = [(1, 1), (945, 1_000), (80, 100), (799, 1_000)];
    for (validator, (numerator, denominator)) in v.iter().zip(uptimes) {
        net.set_validator_uptime(validator.id(), Rate { numerator, denominator });
    }
    net.advance_epochs(1);
    // 94.5% earns (94.5 - 90) / (99 - 90) = half.
    let locked: Vec<u128> = v.iter().map(|a| a.state().locked).collect();
    assert_eq!(locked, vec![near(100) + reward(near(100)), near(100) + reward(near(100)) / 2, near(100), near(100)]);
    net.advance_epochs(1);
    let set: Vec<String> = net.validators().keys().map(|a| a.to_string()).collect();
    assert_eq!(set, vec!["full.near", "half.near", "none.near"]);
}

/// Mainnet's rule: 1/40 of the total supply a year, over the epoch's duration (100 blocks of
/// 0.6 s: 1/21,024,000 of the supply); a tenth is minted to the treasury `near`, the rest is
/// shared by stake, times each validator's uptime factor.
#[test]
fn mainnet_rewards_come_from_inflation_of_the_total_supply() {
    let net = Localnet::with_config(localnet::Config { rewards: localnet::Rewards::mainnet(), ..Default::default() });
    let a = net.create_account("a", near(1_000));
    let b = net.create_account("b", near(1_000));
    let c = net.create_account("c", near(1_000));
    stake(&a, near(300)).unwrap();
    stake(&b, near(200)).unwrap();
    stake(&c, near(100)).unwrap();
    net.advance_epochs(2);
    net.set_validator_uptime(b.id(), Rate { numerator: 945, denominator: 1_000 });
    net.set_validator_uptime(c.id(), Rate { numerator: 85, denominator: 100 });
    let (supply, treasury) = (net.total_supply(), net.root().balance());
    net.advance_epochs(1);
    let total = supply / 21_024_000;
    let (to_treasury, to_validators) = (total / 10, total - total / 10);
    assert_eq!(net.root().balance() - treasury, to_treasury);
    // Shares of the 600 NEAR staked: 300/600 at full uptime, 200/600 at half, none below 90%.
    let (reward_a, reward_b) = (to_validators / 2, to_validators / 6);
    assert_eq!(a.state().locked - near(300), reward_a);
    assert_eq!(b.state().locked - near(200), reward_b);
    assert_eq!(c.state().locked, near(100));
    assert_eq!(net.total_supply(), supply + to_treasury + reward_a + reward_b);
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
