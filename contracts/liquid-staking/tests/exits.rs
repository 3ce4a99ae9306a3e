//! Claims paid only from their own NEAR: every way a claim's funding can be late or lost (a pool
//! that refuses to unstake, unstakes at the edge of the late span, keepers that skip epochs or
//! crank once an epoch, donations to pools, pools that over-report, drains after failed syncs)
//! leaves every other claim paid on its promised epoch; the late one is covered from the buffer
//! or paid first when NEAR arrives, and shown late meanwhile.
mod common;

use common::*;
use liquid_staking::errors;
use localnet::{Account, ExecutionResult, Fault, NEAR};
use serde_json::{Value, json};

fn num(v: &Value) -> u128 {
    v.as_str().unwrap().parse().unwrap()
}

fn holder(t: &Lst, who: &Account) -> Value {
    t.view("get_holder", json!({"account_id": who.id()}))
}

fn unlock_epoch(t: &Lst, who: &Account) -> u64 {
    holder(t, who)["unlock_epoch"].as_u64().unwrap()
}

/// Withdraws everything `who` can; what arrived (gas included back), or the error.
fn withdraw_all(t: &Lst, who: &Account) -> Result<u128, String> {
    let before = who.balance();
    let out = t.call(who, "withdraw_all", json!({}), 0);
    match out.failure() {
        Some(error) => Err(error.to_string()),
        None => Ok(who.balance() + out.total_tokens_burnt() - before),
    }
}

/// `withdraw_all` as the staking-pool interface promises it: for a holder owed anything, it pays
/// exactly when `can_withdraw` (and `is_account_unstaked_balance_available`) said it would.
fn withdraw_checked(t: &Lst, who: &Account) -> Result<u128, String> {
    let h = holder(t, who);
    let can = h["can_withdraw"].as_bool().unwrap();
    let available = t.view::<bool>("is_account_unstaked_balance_available", json!({"account_id": who.id()}));
    assert_eq!(can, available);
    let paid = withdraw_all(t, who);
    if h["unstaked_balance"] != json!("0") {
        assert_eq!(paid.is_ok(), can, "can_withdraw said {can}: {paid:?}");
    }
    paid
}

fn events<'a>(outcomes: impl IntoIterator<Item = &'a ExecutionResult>, name: &str) -> Vec<Value> {
    outcomes
        .into_iter()
        .flat_map(|o| o.events())
        .filter(|e| e["event"] == json!(name))
        .map(|e| e["data"][0].clone())
        .collect()
}

/// `validators` pools with these weights, `staked` NEAR delegated by alice, and the crank run
/// into the next epoch.
fn delegated(weights: &[u32], staked: u128) -> (Lst, Vec<Account>, Account) {
    let t = setup();
    let pools = t.add_validators(weights);
    let alice = t.net.create_account("alice", 10_000 * NEAR);
    t.call(&alice, "deposit_and_stake", json!({}), staked).unwrap();
    t.crank();
    t.net.advance_epochs(1);
    t.crank();
    (t, pools, alice)
}

/// Pays every holder of `claims` (holder, NEAR, promised epoch) exactly on its promised epoch,
/// refusing each before, while the keeper cranks every epoch; `then` runs after each epoch's
/// withdrawals.
fn pay_on_promised_epochs(t: &Lst, claims: &[(&Account, u128, u64)], mut then: impl FnMut(&Lst, u64)) {
    let last = claims.iter().map(|c| c.2).max().unwrap();
    while t.net.epoch_height() <= last {
        let epoch = t.net.epoch_height();
        for &(who, owed, unlock) in claims {
            match epoch.cmp(&unlock) {
                std::cmp::Ordering::Less => {
                    let refused = withdraw_checked(t, who).unwrap_err();
                    assert!(refused.contains("not yet available due to unstaking delay"), "{refused}");
                }
                std::cmp::Ordering::Equal => assert_eq!(withdraw_checked(t, who), Ok(owed), "{}", who.id()),
                std::cmp::Ordering::Greater => {}
            }
        }
        then(t, epoch);
        t.assert_solvent();
        t.net.advance_epochs(1);
        t.crank();
    }
}

/// A pool that answers syncs but refuses every unstake: the claims it refuses go to the other
/// validator in the same epoch, it stops counting as capacity at its first refusal (so later
/// promises are honest) and is stalled at its third, and every claim is paid on its promised
/// epoch from its own NEAR.
#[test]
fn a_pool_that_refuses_to_unstake_is_stalled_and_no_claim_pays_for_it() {
    let (t, pools, alice) = delegated(&[1, 1], 600 * NEAR);
    let refusing = &pools[0];
    for method in ["unstake", "unstake_all"] {
        t.net.inject_fault(refusing.id(), method, Fault::Fail, u32::MAX);
    }
    let (bob, carol) = (t.net.create_account("bob", 1_000 * NEAR), t.net.create_account("carol", 1_000 * NEAR));
    for who in [&bob, &carol] {
        t.call(who, "deposit_and_stake", json!({}), 100 * NEAR).unwrap();
    }
    t.crank();
    let held = num(&t.validators()[0]["staked"]);
    let e = t.net.epoch_height();
    // Both validators count as free to unstake: 4 epochs. The refusing pool, holding the most
    // over its target, is asked first; its claims go back to the queue and the other validator
    // takes them in the same epoch.
    let mut outcomes = vec![];
    for (who, near) in [(&alice, 100 * NEAR), (&bob, 50 * NEAR)] {
        t.call(who, "unstake", json!({"amount": near.to_string()}), 0).unwrap();
        assert_eq!(unlock_epoch(&t, who), e + 4);
        outcomes.extend(t.crank());
    }
    let refusals: Vec<Value> = events(&outcomes, "validator_operation")
        .into_iter()
        .filter(|o| o["operation"] == json!("unstake") && o["validator_id"] == json!(refusing.id()))
        .collect();
    assert!(!refusals.is_empty() && refusals.iter().all(|o| o["succeeded"] == json!(false)), "{refusals:?}");
    let records = t.validators();
    assert_eq!((num(&records[0]["unstaked"]), num(&records[1]["unstaked"])), (0, 150 * NEAR));
    // Next epoch the pool that refused is not counted on, and the other one is waiting out its
    // unstake: carol's claim is requested when it is free again, and promised accordingly.
    t.net.advance_epochs(1);
    t.crank();
    t.call(&carol, "unstake", json!({"amount": (40 * NEAR).to_string()}), 0).unwrap();
    assert_eq!(unlock_epoch(&t, &carol), e + 8);
    assert_eq!(holder(&t, &carol)["expected_epoch"], json!(e + 8));
    let claims = [(&alice, 100 * NEAR, e + 4), (&bob, 50 * NEAR, e + 4), (&carol, 40 * NEAR, e + 8)];
    pay_on_promised_epochs(&t, &claims, |t, _| {
        assert_eq!(t.crank_status()["locked"], json!(0));
    });
    // By then it refused three times running: stalled, drained (tried once an epoch), never
    // counted on; its stake keeps syncing (its rewards reach the price).
    let records = t.validators();
    assert_eq!((records[0]["status"].clone(), records[0]["target"].clone()), (json!("stalled"), json!("0")));
    assert!(num(&records[0]["staked"]) > held && num(&records[0]["unstaked"]) == 0);
    assert_eq!(num(&t.crank_status()["unstake_capacity"]), num(&records[1]["staked"]));
    t.assert_matches_pools(&pools);
}

/// Runs `who`'s unstake of `near` so that its receipt executes in block `at`; returns the
/// outcome.
fn unstake_at(t: &Lst, who: &Account, near: u128, at: u64) -> ExecutionResult {
    // A transaction is included in the next block and its receipt runs in the one after.
    t.net.fast_forward(at - 2 - t.net.block_height());
    let out = t.call(who, "unstake", json!({"amount": near.to_string()}), 0).unwrap();
    assert_eq!(out.receipt("unstake").block_height, at);
    out
}

/// An unstake one block before the late span needs more than the validators free now: it counts
/// on those that unstaked this epoch only if the crank serving it runs before the late span,
/// which a keeper cranking within `KEEPER_BLOCKS` does not promise. So it is promised when
/// validators can take it after the late span too, and kept exactly; the same unstake earlier
/// in the epoch counts on them.
#[test]
fn an_unstake_just_before_the_late_span_is_promised_what_a_crank_in_it_can_send() {
    for early in [true, false] {
        let (t, _pools, alice) = delegated(&[1, 1], 1_000 * NEAR);
        let bob = t.net.create_account("bob", 10_000 * NEAR);
        t.call(&bob, "deposit_and_stake", json!({}), 1_500 * NEAR).unwrap();
        t.crank();
        let e = t.net.epoch_height();
        // One validator unstakes for alice; the other is free.
        t.call(&alice, "unstake", json!({"amount": (300 * NEAR).to_string()}), 0).unwrap();
        t.crank();
        let records = t.validators();
        let (busy, free) = (num(&records[0]["staked"]), num(&records[1]["staked"]));
        assert_eq!(num(&records[0]["unstaked"]), 300 * NEAR);
        assert_eq!(num(&t.crank_status()["unstake_capacity"]), busy + free);
        // Bob's claim needs both.
        let claim = free + 100 * NEAR;
        let late_from = t.crank_status()["late_from_block"].as_u64().unwrap();
        let at = if early { t.net.block_height() + 5 } else { late_from - 1 };
        let out = unstake_at(&t, &bob, claim, at);
        // Early, the keeper's crank runs before the late span and the busy validator can add to
        // its unstake: 4 epochs. Just before the late span, the crank runs inside it, where the
        // busy validator must not unstake again: the free one takes all it holds now and the
        // rest waits for the busy one's release in 4 epochs, then 4 more.
        let promised = if early { e + 4 } else { e + 8 };
        assert_eq!(out.events()[0]["data"][0]["unlock_epoch"], json!(promised));
        t.crank();
        let book: Value = t.view("get_claims", json!({}));
        let tranche = book["tranches"].as_array().unwrap().iter().find(|tr| tr["unlock_epoch"] == json!(promised));
        let queued = num(&tranche.unwrap()["queued"]);
        assert_eq!(queued, if early { 0 } else { claim - free });
        pay_on_promised_epochs(&t, &[(&alice, 300 * NEAR, e + 4), (&bob, claim, promised)], |_, _| {});
    }
}

/// A keeper that skipped an epoch and comes back in the middle of the next: the crank places
/// that epoch's start from the last start it saw and the epoch length (not at the block it came
/// back in), so an unstake in the epoch's real last block is late, promised one epoch more,
/// and kept.
#[test]
fn after_a_skipped_epoch_the_late_span_is_where_the_epoch_really_ends() {
    let (t, _pools, alice) = delegated(&[1, 1], 1_000 * NEAR);
    let length = t.net.config().epoch_length;
    t.net.advance_epochs(2);
    let e = t.net.epoch_height();
    let start = (e - 1) * length;
    t.net.fast_forward(start + length / 2 - t.net.block_height());
    t.crank();
    let late_from = t.crank_status()["late_from_block"].as_u64().unwrap();
    assert!(late_from <= start + length - 15, "{late_from}");
    let out = unstake_at(&t, &alice, 100 * NEAR, start + length - 1);
    assert_eq!(out.events()[0]["data"][0]["unlock_epoch"], json!(e + 5));
    // Its keeper's crank runs in the next epoch.
    t.crank();
    assert_eq!(t.net.epoch_height(), e + 1);
    pay_on_promised_epochs(&t, &[(&alice, 100 * NEAR, e + 5)], |_, _| {});
}

/// A keeper that cranks once an epoch, at its start. Until the contract has seen it, an unstake
/// after the epoch's crank is promised 4 epochs and sent an epoch late: on its promised epoch the
/// protocol covers it from NEAR staked since (the buffer), with an event; without such NEAR it
/// is shown late (an event, the holder's expected epoch) and paid when its own NEAR arrives.
/// No other claim gives anything up. Once seen, unstakes after the epoch's crank are promised 5
/// epochs, and kept.
#[test]
fn a_keeper_cranking_once_an_epoch_is_learnt_and_its_first_late_claim_covered() {
    for staked_meanwhile in [true, false] {
        let (t, pools, alice) = delegated(&[1, 1], 1_000 * NEAR);
        let (bob, carol) = (t.net.create_account("bob", 1_000 * NEAR), t.net.create_account("carol", 1_000 * NEAR));
        t.call(&bob, "deposit_and_stake", json!({}), 200 * NEAR).unwrap();
        t.crank();
        let e = t.net.epoch_height();
        // After the epoch's crank, nobody cranks until the next epoch starts.
        t.call(&alice, "unstake", json!({"amount": (100 * NEAR).to_string()}), 0).unwrap();
        assert_eq!(unlock_epoch(&t, &alice), e + 4);
        t.net.advance_epochs(1);
        t.crank();
        t.call(&bob, "unstake", json!({"amount": (50 * NEAR).to_string()}), 0).unwrap();
        // Seen: promised for the next epoch's crank.
        assert_eq!(unlock_epoch(&t, &bob), e + 1 + 5);
        // Alice's NEAR was sent in e + 1 and arrives in e + 5 (but the yocto or two of pool
        // rounding already in its tranche).
        assert_eq!(holder(&t, &alice)["expected_epoch"], json!(e + 5));
        let book: Value = t.view("get_claims", json!({}));
        let tranche = &book["tranches"][0];
        assert_eq!((tranche["unlock_epoch"].clone(), tranche["expected_epoch"].clone()), (json!(e + 4), json!(e + 5)));
        let ready = num(&tranche["ready"]);
        assert!(ready < 10, "{book:#}");
        assert_eq!(num(&tranche["unstaking"]), 100 * NEAR - ready);
        for _ in e + 2..=e + 3 {
            t.net.advance_epochs(1);
            t.crank();
        }
        if staked_meanwhile {
            // Carol stakes in the epoch before alice's claim is due; the buffer holds it until
            // the keeper's next crank, which covers alice's claim with it first.
            t.call(&carol, "deposit_and_stake", json!({}), 150 * NEAR).unwrap();
        }
        t.net.advance_epochs(1);
        let outcomes = t.crank();
        let (covered, late) = (events(&outcomes, "claims_covered"), events(&outcomes, "claims_late"));
        if staked_meanwhile {
            let amount = (100 * NEAR - ready).to_string();
            assert_eq!(covered, [json!({"unlock_epoch": e + 4, "amount": amount, "missing": "0"})]);
            assert!(late.is_empty());
            pay_on_promised_epochs(&t, &[(&alice, 100 * NEAR, e + 4), (&bob, 50 * NEAR, e + 6)], |_, _| {});
        } else {
            let (owed, missing) = ((100 * NEAR).to_string(), (100 * NEAR - ready).to_string());
            assert_eq!(
                late,
                [json!({"unlock_epoch": e + 4, "owed": owed, "missing": missing, "expected_epoch": e + 5})]
            );
            assert!(covered.is_empty());
            assert!(withdraw_checked(&t, &alice).unwrap_err().contains(errors::staking::CLAIM_LATE));
            assert_eq!(num(&t.solvency()["totals"]["due_short"]), 100 * NEAR - ready);
            t.net.advance_epochs(1);
            t.crank();
            assert_eq!(withdraw_checked(&t, &alice), Ok(100 * NEAR));
            pay_on_promised_epochs(&t, &[(&bob, 50 * NEAR, e + 6)], |_, _| {});
        }
        t.assert_matches_pools(&pools);
    }
}

/// A plain transfer of 3% of an honest core pool's stake to its account: the pool counts it as
/// rewards. The contract books the part a pool can plausibly earn in an epoch and holds the
/// rest unbooked (no price jump to sandwich); the validator is not faulty, its claims go on,
/// and a drain withdraws everything the pool holds for us, the donation included, booked as a
/// gain when it arrives. Re-added, it syncs cleanly.
#[test]
fn a_donation_to_a_pool_is_a_gain_held_until_it_arrives_not_an_attack() {
    let (t, pools, alice) = delegated(&[1, 1], 1_000 * NEAR);
    let pool = &pools[0];
    let e = t.net.epoch_height();
    t.call(&alice, "unstake", json!({"amount": (100 * NEAR).to_string()}), 0).unwrap();
    t.crank();
    let record = |t: &Lst| t.validators()[0].clone();
    let (staked, unstaked) = (num(&record(&t)["staked"]), num(&record(&t)["unstaked"]));
    assert_eq!(unstaked, 100 * NEAR);
    let total: u128 = pool.view("get_total_staked_balance").args_json(json!({})).json::<String>().parse().unwrap();
    let donor = t.net.create_account("donor", 1_000 * NEAR);
    donor.transfer(pool.id(), total * 3 / 100).unwrap();
    let price = t.u128("ft_price", json!({}));
    t.net.advance_epochs(1);
    let outcomes = t.crank();
    // Booked: 0.03% of what is staked there, plus the pools' rounding allowance; the rest waits.
    let bound = staked * 3 / 10_000 + 1_000;
    let (at_pool_staked, at_pool_unstaked) = t.at_pool(pool);
    let r = record(&t);
    assert_eq!(num(&r["staked"]) + num(&r["unstaked"]), staked + bound + unstaked);
    assert_eq!(num(&r["unbooked"]), at_pool_staked + at_pool_unstaked - staked - bound - unstaked);
    assert!(num(&r["unbooked"]) > 10 * NEAR);
    assert_eq!(r["status"], json!("active"));
    assert!(events(&outcomes, "validator_faulty").is_empty());
    // The price rose by the epoch's rewards only: the other validator's and the bound.
    let rewards = events(&outcomes, "epoch_rewards");
    let applied = num(&rewards[0]["applied"]);
    assert!(applied < 2 * bound, "{rewards:?}");
    assert!(t.u128("ft_price", json!({})) - price < price / 1_000);
    // Alice's claim at it is untouched and paid on its promised epoch.
    t.net.advance_epochs(3);
    t.crank();
    assert_eq!(t.net.epoch_height(), e + 4);
    assert_eq!(withdraw_checked(&t, &alice), Ok(100 * NEAR));
    assert_eq!(record(&t)["status"], json!("active"));
    // Drained by the manager: `unstake_all` (all it holds for us, the donation's share
    // included), then, once released, a withdrawal of what was booked and one of what the pool
    // held beyond it, booked as a gain as it arrives.
    t.call(&t.owner, "update_validator", json!({"account_id": pool.id(), "weight": 0}), 1).unwrap();
    let backing = |t: &Lst| t.u128("get_total_staked_balance", json!({})) + t.bucket("pending_rewards");
    let (backing_before, unbooked) = (backing(&t), num(&record(&t)["unbooked"]));
    let mut withdrawals = vec![];
    for _ in 0..6 {
        t.net.advance_epochs(1);
        for op in events(&t.crank(), "validator_operation") {
            if op["operation"] == json!("withdraw") && op["validator_id"] == json!(pool.id()) {
                assert_eq!(op["succeeded"], json!(true));
                withdrawals.push(num(&op["amount"]));
            }
        }
    }
    // The unbooked NEAR (and what it earned meanwhile) arrived and is a gain for holders.
    assert!(withdrawals.len() == 2 && withdrawals[1] >= unbooked, "{withdrawals:?}");
    assert!(backing(&t) >= backing_before + withdrawals[1]);
    assert_eq!(withdrawals.len(), 2, "{withdrawals:?}");
    assert_eq!(t.at_pool(pool), (0, 0));
    assert_eq!(num(&record(&t)["unbooked"]), 0);
    t.call(&t.owner, "remove_validator", json!({"account_id": pool.id()}), 1).unwrap();
    t.call(&t.owner, "add_validator", json!({"account_id": pool.id(), "weight": 1}), 1).unwrap();
    t.net.advance_epochs(1);
    t.crank();
    let r = t.validators().into_iter().find(|v| v["account_id"] == json!(pool.id())).unwrap();
    assert_eq!((r["status"].clone(), r["unbooked"].clone()), (json!("active"), json!("0")));
    t.assert_solvent();
    assert!(t.u128("ft_price", json!({})) > price);
}

/// A gift of 30% of a pool's stake is real NEAR, but a pool's answer to `withdraw` is all that
/// says it arrived, and a pool that lies could answer the same without paying: the drain books at
/// most a tenth of the most the pool held for us, and leaves the rest in the account, outside the
/// buckets (`unbooked_arrived` says how much). It is asked for once.
#[test]
fn a_gift_beyond_a_tenth_of_a_pools_stake_is_booked_only_up_to_that_tenth() {
    let (t, pools, _alice) = delegated(&[1, 1], 1_000 * NEAR);
    let pool = &pools[0];
    let record = |t: &Lst| t.validators()[0].clone();
    let held = |r: &Value| num(&r["staked"]) + num(&r["unstaked"]);
    let total: u128 = pool.view("get_total_staked_balance").args_json(json!({})).json::<String>().parse().unwrap();
    t.net.create_account("donor", 1_000 * NEAR).transfer(pool.id(), total * 30 / 100).unwrap();
    t.call(&t.owner, "update_validator", json!({"account_id": pool.id(), "weight": 0}), 1).unwrap();
    // The most booked NEAR the pool held for us, as each crank left it.
    let mut most = held(&record(&t));
    let mut arrivals = vec![];
    for _ in 0..7 {
        t.net.advance_epochs(1);
        let outcomes = t.crank();
        most = most.max(held(&record(&t)));
        arrivals.extend(events(&outcomes, "unbooked_arrived"));
    }
    assert_eq!(arrivals.len(), 1, "{arrivals:?}");
    let amount = num(&arrivals[0]["amount"]);
    // Our share of the gift (the pool's owner holds a little stake there too), and what it earned.
    assert!(amount > total * 29 / 100 && amount > most / 10 * 2, "{arrivals:?}");
    assert_eq!(
        arrivals[0],
        json!({"validator_id": pool.id(), "amount": amount.to_string(), "booked": (most / 10).to_string()})
    );
    assert_eq!(t.at_pool(pool), (0, 0));
    assert_eq!(num(&record(&t)["unbooked"]), 0);
    t.assert_solvent();
}

/// A pool that reports 1.9% more than it holds, every epoch: the contract believes it only up
/// to what a pool can earn (0.03% of what is staked there an epoch), so the price moves no more
/// than that; after three such epochs running the validator is faulty and drained: what was
/// booked comes back, the rest is asked for once and, refused, never counted.
#[test]
fn a_pool_that_over_reports_every_epoch_moves_the_price_no_more_than_the_bound() {
    let (t, pools, _alice) = delegated(&[1, 1], 1_000 * NEAR);
    let liar = &pools[0];
    let epochs = 3;
    for epoch in 1..=epochs {
        let before = t.u128("get_total_staked_balance", json!({}));
        let (staked, honest) = (num(&t.validators()[0]["staked"]), num(&t.validators()[1]["staked"]));
        patch_pool(&t, liar, |total, shares| (total + total * 19 / 1_000, shares));
        t.net.advance_epochs(1);
        let outcomes = t.crank();
        // At most the bound on the liar's stake and the honest validator's real rewards
        // (localnet pays 0.013% an epoch), each with the pools' rounding allowance.
        let most = staked * 3 / 10_000 + 1_000 + honest * 13 / 100_000 + 1_000;
        let rise = t.u128("get_total_staked_balance", json!({})) - before;
        assert!(rise <= most, "epoch {epoch}: {rise} > {most}");
        let faulty = events(&outcomes, "validator_faulty");
        if epoch < epochs {
            assert!(faulty.is_empty());
            assert_eq!(t.validators()[0]["status"], json!("active"));
        } else {
            assert_eq!(faulty, [json!({"validator_id": liar.id(), "reason": "reports more than it can earn"})]);
        }
    }
    // Held, never counted: the pool's report is far above what was booked.
    let r = t.validators()[0].clone();
    let (reported_staked, reported_unstaked) = t.at_pool(liar);
    // (To the yocto of rounding of the unstake sent since the last sync.)
    let known = num(&r["staked"]) + num(&r["unstaked"]) + num(&r["unbooked"]);
    assert!(known.abs_diff(reported_staked + reported_unstaked) <= 2);
    assert!(num(&r["unbooked"]) > 25 * NEAR);
    // Drained: all it reports was unstaked at once; four epochs on, what was booked is
    // withdrawn, and the rest asked for once.
    let booked = num(&r["unstaked"]);
    let mut withdrawals = vec![];
    for _ in 0..6 {
        t.net.advance_epochs(1);
        let outcomes = t.crank();
        withdrawals.extend(
            events(&outcomes, "validator_operation")
                .into_iter()
                .filter(|o| o["operation"] == json!("withdraw"))
                .map(|o| (num(&o["amount"]), o["succeeded"].as_bool().unwrap())),
        );
    }
    // What the pool still reports is exactly what it refused to pay.
    assert_eq!(withdrawals, [(booked, true), (t.at_pool(liar).1, false)]);
    assert_eq!(t.at_pool(liar).0, 0);
    let r = t.validators()[0].clone();
    assert_eq!((num(&r["staked"]), num(&r["unstaked"])), (0, 0));
    t.assert_solvent();
    t.call(&t.owner, "remove_validator", json!({"account_id": liar.id()}), 1).unwrap();
    t.assert_matches_pools(&pools[1..]);
}

/// A pool whose `ping` fails is faulty after three epochs and drained; the rewards it credited
/// while it could not be synced are withdrawn too (asked of the pool once the drain's unstake
/// is settled, booked as they arrive), so nothing of ours is left at it.
#[test]
fn a_drain_after_failed_syncs_leaves_nothing_at_the_pool() {
    let (t, pools, _alice) = delegated(&[1, 1], 1_000 * NEAR);
    let failing = &pools[0];
    t.net.inject_fault(failing.id(), "ping", Fault::Fail, u32::MAX);
    let booked = num(&t.validators()[0]["staked"]);
    let price = t.u128("ft_price", json!({}));
    let mut withdrawals = vec![];
    for _ in 0..12 {
        t.net.advance_epochs(1);
        let mut outcomes = t.crank();
        t.net.fast_forward(t.net.config().epoch_length / 2);
        outcomes.extend(t.crank());
        withdrawals.extend(
            events(&outcomes, "validator_operation")
                .into_iter()
                .filter(|o| o["operation"] == json!("withdraw") && o["validator_id"] == json!(failing.id()))
                .map(|o| (num(&o["amount"]), o["succeeded"].as_bool().unwrap())),
        );
    }
    assert_eq!(t.validators()[0]["status"], json!("faulty"));
    // What was booked, then the rewards credited meanwhile, both paid.
    assert_eq!(withdrawals.len(), 2, "{withdrawals:?}");
    assert_eq!(withdrawals[0], (booked, true));
    assert!(withdrawals[1].1 && withdrawals[1].0 > 0, "{withdrawals:?}");
    assert_eq!(t.at_pool(failing), (0, 0));
    let r = t.validators()[0].clone();
    assert_eq!((num(&r["staked"]), num(&r["unstaked"]), num(&r["unbooked"])), (0, 0, 0));
    assert!(t.u128("ft_price", json!({})) > price);
    t.call(&t.owner, "remove_validator", json!({"account_id": failing.id()}), 1).unwrap();
    t.assert_matches_pools(&pools[1..]);
}

/// A holder's new unstake moves its earlier claim, NEAR being unstaked for it included, to the
/// new unlock epoch: nothing is unstaked twice. A holder who stakes part of its claim again takes
/// back its own least ready NEAR: what was on its way joins the buffer when it arrives, and the
/// rest of its claim, and everyone else's, is paid on its epoch.
#[test]
fn claims_moved_or_restaked_take_their_own_near_along() {
    let (t, pools, alice) = delegated(&[1, 1], 1_000 * NEAR);
    let bob = t.net.create_account("bob", 1_000 * NEAR);
    t.call(&bob, "deposit_and_stake", json!({}), 200 * NEAR).unwrap();
    t.crank();
    let e = t.net.epoch_height();
    for (who, near) in [(&alice, 100 * NEAR), (&bob, 80 * NEAR)] {
        t.call(who, "unstake", json!({"amount": near.to_string()}), 0).unwrap();
        t.crank();
    }
    let unstaking = |t: &Lst| t.validators().iter().map(|v| num(&v["unstaked"])).sum::<u128>();
    assert_eq!(unstaking(&t), 180 * NEAR);
    // Next epoch alice unstakes 50 more: all 150 unlock together, and only 50 more is unstaked.
    t.net.advance_epochs(1);
    t.crank();
    t.call(&alice, "unstake", json!({"amount": (50 * NEAR).to_string()}), 0).unwrap();
    let unlock = unlock_epoch(&t, &alice);
    assert_eq!(unlock, e + 5);
    // Bob takes back 30 of his 80 NEAR claim.
    t.call(&bob, "stake", json!({"amount": (30 * NEAR).to_string()}), 0).unwrap();
    t.crank();
    // Alice's 100 NEAR on its way counts for her 150; bob's 30 on its way, no claim's any more,
    // pays the queue when it arrives in e + 4 (still in time for e + 5): only 20 more is
    // unstaked.
    // (To the few yocto the pools' rounding moves between the parts.)
    let near = |yocto: u128| (yocto + 10) / NEAR;
    assert_eq!(near(unstaking(&t)), 200);
    let book: Value = t.view("get_claims", json!({}));
    let tranche = |book: &Value, epoch: u64| {
        let tranches = book["tranches"].as_array().unwrap();
        let tr = tranches.iter().find(|tr| tr["unlock_epoch"] == json!(epoch)).unwrap();
        (near(num(&tr["owed"])), near(num(&tr["ready"])), near(num(&tr["queued"])), near(num(&tr["unstaking"])))
    };
    assert_eq!(tranche(&book, e + 4), (50, 0, 0, 50));
    assert_eq!(tranche(&book, e + 5), (150, 0, 30, 120));
    pay_on_promised_epochs(&t, &[(&bob, 50 * NEAR, e + 4), (&alice, 150 * NEAR, e + 5)], |t, epoch| {
        if epoch == e + 4 {
            // The first validator's 180 NEAR arrived: 50 for bob, 100 for alice (her moved
            // claim's, early), and bob's 30, no claim's, paid the rest of alice's request still
            // queued; 20 more arrives from the other validator in e + 5.
            let book: Value = t.view("get_claims", json!({}));
            assert_eq!(tranche(&book, e + 5), (150, 130, 0, 20));
        }
    });
    t.assert_matches_pools(&pools);
    t.assert_solvent();
}
