//! Instant unstake: quotes equal executions, the fee integrates along the curve (splitting never
//! saves), stays within its caps, the slippage guard holds, liquidity providers never lose from
//! swaps, and the pool recovers by itself in an exit wave.
mod common;

use common::*;
use localnet::{Account, NEAR};
use serde_json::{Value, json};
use shares::U256;

const TARGET: u128 = 10_000 * NEAR;
const MIN_BPS: u128 = 10;
const MAX_BPS: u128 = 300;

/// The fee of taking the pool from `high` down to `low` NEAR: the integral of the rate, rounded
/// up, computed here independently of the contract.
fn expected_fee(low: u128, high: u128) -> u128 {
    let (max, min, t) = (U256::from(MAX_BPS), U256::from(MIN_BPS), U256::from(TARGET));
    let (l, h) = (U256::from(low), U256::from(high));
    let mut scaled = U256::zero();
    if l < t {
        let top = h.min(t);
        scaled += max * (top - l) * t * 2 - (max - min) * (top * top - l * l);
    }
    if h > t {
        scaled += min * (h - l.max(t)) * t * 2;
    }
    let (q, r) = scaled.div_mod(t * 2 * U256::from(10_000));
    (if r.is_zero() { q } else { q + 1 }).as_u128()
}

fn num(v: &Value) -> u128 {
    v.as_str().unwrap().parse().unwrap()
}

/// A pool with `liquidity` NEAR from an LP and a holder with 8,000 NEAR of tokens.
fn with_pool(liquidity: u128) -> (Lst, Account, Account) {
    let t = setup();
    t.call(&t.treasury, "storage_deposit", json!({}), NEAR / 100).unwrap();
    let lp = t.net.create_account("lp", 100_000 * NEAR);
    t.call(&lp, "add_liquidity", json!({}), liquidity).unwrap();
    let alice = t.net.create_account("alice", 10_000 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), 8_000 * NEAR + storage_cost(&alice)).unwrap();
    (t, lp, alice)
}

fn pool_near(t: &Lst) -> u128 {
    num(&t.view::<Value>("get_liquidity_pool", json!({}))["near"])
}

fn swap(t: &Lst, who: &Account, tokens: u128) -> u128 {
    let before = who.balance();
    let out = t.call(who, "instant_unstake", json!({"amount": tokens.to_string()}), 0).unwrap();
    let received = who.balance() + out.total_tokens_burnt() - before;
    assert_eq!(out.json::<String>(), received.to_string());
    received
}

#[test]
fn a_quote_is_exactly_what_the_swap_pays() {
    let (t, _lp, alice) = with_pool(5_000 * NEAR);
    let tokens = 1_234 * NEAR;
    let quote: Value = t.view("quote_instant_unstake", json!({"amount": tokens.to_string()}));
    // The provider's record (57 bytes and its account id) was paid out of its deposit.
    let high = 5_000 * NEAR - (57 + 7) * BYTE_COST;
    assert_eq!(pool_near(&t), high);
    let fee = expected_fee(high - tokens, high);
    assert_eq!(quote, json!({"value": tokens.to_string(), "fee": fee.to_string(), "near": (tokens - fee).to_string()}));
    let out = t.call(&alice, "instant_unstake", json!({"amount": tokens.to_string()}), 0).unwrap();
    assert_eq!(out.json::<String>(), (tokens - fee).to_string());
    assert_eq!(
        out.events(),
        vec![
            json!({"standard":"nep141","version":"1.0.0","event":"ft_transfer","data":[{"old_owner_id":"alice.near",
                "new_owner_id":"lst.near","amount":tokens.to_string(),"memo":"instant unstake"}]}),
            json!({"standard":"liquid-staking","version":"1.0.0","event":"instant_unstake","data":[{"account_id":"alice.near",
                "tokens":tokens.to_string(),"near":(tokens - fee).to_string(),"fee":fee.to_string()}]}),
        ]
    );
    assert_eq!(pool_near(&t), high - tokens);
    let pool: Value = t.view("get_liquidity_pool", json!({}));
    assert_eq!(num(&pool["treasury_fees"]), fee * 2_000 / 10_000);
    assert_eq!(num(&pool["fees"]), fee - fee * 2_000 / 10_000);
    t.assert_solvent();
}

#[test]
fn splitting_a_swap_never_costs_less() {
    for (liquidity, tokens) in
        [(5_000 * NEAR, 2_400 * NEAR), (14_000 * NEAR, 6_999 * NEAR), (3_000 * NEAR, 2_999 * NEAR)]
    {
        let (whole, _, a) = with_pool(liquidity);
        let single = swap(&whole, &a, tokens);
        let (split, _, b) = with_pool(liquidity);
        let parts: u128 =
            [tokens / 3, tokens / 3, tokens - 2 * (tokens / 3)].iter().map(|p| swap(&split, &b, *p)).sum();
        assert!(parts <= single, "split {parts} > whole {single}");
        assert!(single - parts <= 3, "rounding only: {}", single - parts);
    }
}

/// The pool is refilled from new deposits once an epoch, at its first crank call: cranking
/// between two halves of a swap does not make the second half cheaper.
#[test]
fn cranking_between_two_halves_of_a_swap_saves_nothing() {
    let tokens = 2_400 * NEAR;
    let (whole, _, a) = with_pool(5_000 * NEAR);
    whole.crank();
    let single = swap(&whole, &a, tokens);
    let (split, _, b) = with_pool(5_000 * NEAR);
    split.crank();
    let first = swap(&split, &b, tokens / 2);
    // Fresh deposits wait in the buffer, and anyone cranks.
    let carol = split.net.create_account("carol", 5_000 * NEAR);
    split.call(&carol, "deposit_and_stake", json!({}), 3_000 * NEAR).unwrap();
    let near = pool_near(&split);
    split.crank();
    assert_eq!(pool_near(&split), near, "no refill before the next epoch");
    let parts = first + swap(&split, &b, tokens - tokens / 2);
    assert!(parts <= single && single - parts <= 2, "split {parts}, whole {single}");
    // The next epoch's first crank refills the pool from the buffer.
    split.net.advance_epochs(1);
    split.crank();
    assert!(pool_near(&split) > near);
}

#[test]
fn the_fee_rises_as_the_pool_empties_and_stays_within_its_caps() {
    let (t, _lp, _alice) = with_pool(5_000 * NEAR);
    let mut last_rate = 0.0;
    for tokens in [NEAR, 100 * NEAR, 1_000 * NEAR, 2_500 * NEAR, 4_000 * NEAR] {
        let quote: Value = t.view("quote_instant_unstake", json!({"amount": tokens.to_string()}));
        let rate = num(&quote["fee"]) as f64 / tokens as f64 * 10_000.0;
        assert!(rate >= last_rate, "{tokens}: {rate} bps after {last_rate}");
        assert!(rate >= MIN_BPS as f64 && rate <= MAX_BPS as f64, "{rate} bps");
        last_rate = rate;
    }
    let out = t.call(&_alice, "instant_unstake", json!({"amount": (6_000 * NEAR).to_string()}), 0);
    assert!(out.failure().unwrap().starts_with("Smart contract panicked: Not enough liquidity"), "{:?}", out.failure());
}

#[test]
fn the_slippage_guard_refuses_a_worse_price_and_changes_nothing() {
    let (t, _lp, alice) = with_pool(5_000 * NEAR);
    let tokens = 500 * NEAR;
    let quote: Value = t.view("quote_instant_unstake", json!({"amount": tokens.to_string()}));
    let near = num(&quote["near"]);
    let (solvency, balance) = (t.solvency(), alice.balance());
    let args = json!({"amount": tokens.to_string(), "min_expected_near": (near + 1).to_string()});
    let out = t.call(&alice, "instant_unstake", args, 0);
    assert_eq!(out.failure(), Some("Smart contract panicked: The swap would pay less than min_expected_near"));
    assert_eq!(t.solvency(), solvency);
    assert_eq!(alice.balance(), balance - out.total_tokens_burnt());
    let args = json!({"amount": tokens.to_string(), "min_expected_near": near.to_string()});
    assert_eq!(t.call(&alice, "instant_unstake", args, 0).unwrap().json::<String>(), near.to_string());
}

#[test]
fn liquidity_providers_never_lose_from_swaps() {
    let (t, lp, alice) = with_pool(5_000 * NEAR);
    let value_per_share = || {
        let pool: Value = t.view("get_liquidity_pool", json!({}));
        num(&pool["value"]) * 1_000_000 / num(&pool["lp_shares"])
    };
    let mut last = value_per_share();
    for tokens in [10 * NEAR, 700 * NEAR, 1, 1_500 * NEAR] {
        swap(&t, &alice, tokens);
        let now = value_per_share();
        assert!(now >= last, "LP value fell: {now} < {last}");
        last = now;
    }
    // The provider leaves with more than it put in: NEAR plus the tokens the pool bought.
    t.call(&lp, "storage_deposit", json!({}), NEAR).unwrap();
    let shares = t.u128("get_liquidity_shares", json!({"account_id": lp.id()}));
    let before = lp.balance();
    let out = t.call(&lp, "remove_liquidity", json!({"shares": shares.to_string()}), 1).unwrap();
    let near = lp.balance() + out.total_tokens_burnt() - before;
    let tokens = t.shares(&lp);
    assert!(near + tokens > 5_000 * NEAR, "{near} + {tokens}");
    assert_eq!(t.u128("get_liquidity_shares", json!({"account_id": lp.id()})), 0);
    t.assert_solvent();
}

#[test]
fn add_liquidity_has_a_minimum_shares_guard() {
    let (t, _lp, alice) = with_pool(5_000 * NEAR);
    swap(&t, &alice, 1_000 * NEAR);
    let bob = t.net.create_account("bob", 1_000 * NEAR);
    let out = t.call(&bob, "add_liquidity", json!({"min_shares": (100 * NEAR).to_string()}), 100 * NEAR);
    assert_eq!(out.failure(), Some("Smart contract panicked: The deposit would mint fewer LP shares than min_shares"));
    let minted = t.call(&bob, "add_liquidity", json!({"min_shares": "1"}), 100 * NEAR).unwrap().json::<String>();
    assert!(minted.parse::<u128>().unwrap() < 100 * NEAR);
}

#[test]
fn the_pool_recovers_its_near_in_an_exit_wave() {
    let t = setup();
    let pools = t.add_validators(&[1, 1]);
    t.call(&t.treasury, "storage_deposit", json!({}), NEAR / 100).unwrap();
    let lp = t.net.create_account("lp", 100_000 * NEAR);
    t.call(&lp, "add_liquidity", json!({}), 2_000 * NEAR).unwrap();
    let sellers: Vec<Account> = (0..4).map(|i| t.net.create_account(&format!("s{i}"), 10_000 * NEAR)).collect();
    for s in &sellers {
        t.call(s, "deposit_and_stake", json!({}), 2_000 * NEAR).unwrap();
    }
    t.crank();
    // Everyone leaves through the pool; no new deposits arrive.
    for s in &sellers {
        let tokens = t.shares(s) / 4;
        swap(&t, s, tokens);
    }
    let drained = pool_near(&t);
    assert!(drained < 100 * NEAR, "{drained}");
    let mut history = vec![];
    for _ in 0..6 {
        t.net.advance_epochs(1);
        t.crank();
        t.assert_matches_pools(&pools);
        history.push(pool_near(&t));
    }
    // The pool unstaked the tokens it bought and, 4 epochs on, has its NEAR back.
    assert!(history.last().unwrap() > &(1_900 * NEAR), "{history:?}");
    t.assert_solvent();
}

/// The pool's claim is collected in the epoch it unlocks in, as soon as the crank has
/// withdrawn its NEAR from the validators (not at the next epoch's close).
#[test]
fn the_pools_claim_joins_its_near_in_its_unlock_epoch() {
    let t = setup();
    t.add_validators(&[1, 1]);
    t.call(&t.treasury, "storage_deposit", json!({}), NEAR / 100).unwrap();
    let lp = t.net.create_account("lp", 100_000 * NEAR);
    t.call(&lp, "add_liquidity", json!({}), 1_000 * NEAR).unwrap();
    let seller = t.net.create_account("seller", 10_000 * NEAR);
    t.call(&seller, "deposit_and_stake", json!({}), 2_000 * NEAR).unwrap();
    t.crank();
    t.net.advance_epochs(1);
    t.crank();
    swap(&t, &seller, 500 * NEAR);
    // The next epoch's crank unstakes the tokens the pool bought (above its 100 NEAR threshold).
    t.net.advance_epochs(1);
    t.crank();
    let pool: Value = t.view("get_liquidity_pool", json!({}));
    let (claim, unlock) = (num(&pool["claim"]), pool["claim_unlock_epoch"].as_u64().unwrap());
    assert!(claim > 499 * NEAR && num(&pool["tokens"]) == 0, "{pool:#}");
    assert_eq!(unlock, t.net.epoch_height() + 4);
    while t.net.epoch_height() < unlock - 1 {
        t.net.advance_epochs(1);
        t.crank();
    }
    let near = pool_near(&t);
    t.net.advance_epochs(1);
    t.crank();
    let pool: Value = t.view("get_liquidity_pool", json!({}));
    assert_eq!((num(&pool["claim"]), num(&pool["near"])), (0, near + claim), "{pool:#}");
    t.assert_solvent();
}
