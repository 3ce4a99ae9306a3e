//! Gas as a caller sees it. Like NEAR's core pool, the pool gives its `on_stake_action` callback
//! exactly 20 Tgas (and no share of the unused gas) whenever it restakes, so any call that
//! restakes needs more than 22 Tgas of prepaid gas: 15 Tgas runs out of gas here as on mainnet.
//! The gas each method burns and the least prepaid gas it needs are measured by bisection.
mod common;

use common::*;
use localnet::{Account, ExecutionResult, Localnet, NEAR, Status, TGAS, build::contract_wasm};
use serde_json::{Value, json};

/// What NEAR's core pool attaches to `on_stake_action`.
const CALLBACK_GAS: u64 = 20 * TGAS;
const OUT_OF_GAS: &str = "Exceeded the prepaid gas.";

/// A pool with a 10% fee where `alice.near` (directly) and `lockup.near` (a contract calling
/// with the lockup contract's gas) have each staked 20 NEAR and unstaked 5 NEAR, four epochs
/// ago. The next call is the first of a new epoch with rewards to take (the owner's fee creates
/// its record) and both can withdraw their unstaked NEAR.
fn scenario() -> (Pool, Account, Account) {
    let p = setup(Localnet::new(), 100 * NEAR, (1, 10));
    let alice = p.net.create_account("alice", 100 * NEAR);
    let lockup = p.net.create_account("lockup", 100 * NEAR);
    lockup.deploy(&contract_wasm("test-caller")).unwrap();
    let five = json!({"amount": (5 * NEAR).to_string()});
    p.call(&alice, "deposit_and_stake", json!({}), 20 * NEAR).unwrap();
    p.call(&alice, "unstake", five.clone(), 0).unwrap();
    let ok = vec![Some(String::new())];
    let out = p.call_from_contract(&lockup, "deposit_and_stake", json!({}), 20 * NEAR, 75);
    assert_eq!(out.json::<Vec<Option<String>>>(), ok);
    let out = p.call_from_contract(&lockup, "unstake", five, 0, 75);
    assert_eq!(out.json::<Vec<Option<String>>>(), ok);
    p.net.advance_epochs(4);
    (p, alice, lockup)
}

/// The scenario, moved on to the same epoch's second call when `new_epoch` is false.
fn scenario_at(new_epoch: bool) -> (Pool, Account, Account) {
    let (p, alice, lockup) = scenario();
    if !new_epoch {
        p.call(&alice, "ping", json!({}), 0).unwrap();
    }
    (p, alice, lockup)
}

/// Every delegator method, with arguments that succeed in the scenario.
fn methods() -> Vec<(&'static str, Value, u128)> {
    let one = json!({"amount": NEAR.to_string()});
    vec![
        ("ping", json!({}), 0),
        ("deposit", json!({}), NEAR),
        ("deposit_and_stake", json!({}), NEAR),
        ("stake", one.clone(), 0),
        ("stake_all", json!({}), 0),
        ("unstake", one.clone(), 0),
        ("unstake_all", json!({}), 0),
        ("withdraw", one, 0),
        ("withdraw_all", json!({}), 0),
        ("get_account", json!({"account_id": "alice.near"}), 0),
    ]
}

/// The pool's callback receipt, if the call restaked.
fn stake_callback(out: &ExecutionResult) -> Option<&localnet::ReceiptOutcome> {
    out.receipts.iter().find(|r| r.methods.iter().any(|m| m == "on_stake_action"))
}

#[test]
fn the_pool_restakes_when_the_core_pool_does_with_a_20_tgas_callback() {
    // (method, restakes as the first call of an epoch, restakes later in the epoch)
    let expected = [
        ("ping", true, false),
        ("deposit", true, false),
        ("deposit_and_stake", true, true),
        ("stake", true, true),
        ("stake_all", true, true),
        ("unstake", true, true),
        ("unstake_all", true, true),
        ("withdraw", true, false),
        ("withdraw_all", true, false),
        ("get_account", false, false),
    ];
    for ((method, args, deposit), (name, first, later)) in methods().into_iter().zip(expected) {
        assert_eq!(method, name);
        for (new_epoch, restakes) in [(true, first), (false, later)] {
            // However much gas the caller attaches, the callback gets exactly 20 Tgas.
            for gas in [30 * TGAS, 300 * TGAS] {
                let (p, alice, _) = scenario_at(new_epoch);
                let out = alice.call(p.pool.id(), method).args_json(&args).deposit(deposit).gas(gas).transact();
                assert!(out.is_success(), "{method}: {:?}", out.failure());
                match stake_callback(&out) {
                    Some(callback) => {
                        assert!(restakes, "{method} restaked (new epoch: {new_epoch})");
                        assert_eq!(callback.prepaid_gas, CALLBACK_GAS, "{method}");
                        assert_eq!((&callback.predecessor, &callback.receiver), (p.pool.id(), p.pool.id()));
                        assert_eq!(callback.status, Status::Value(vec![]), "{method}");
                        // The Stake action it follows succeeded: the locked stake covers the new total (a lower
                        // stake only unlocks epochs later).
                        let stake = out.receipts.iter().find(|r| r.receiver == *p.pool.id() && r.methods.is_empty());
                        assert_eq!(stake.unwrap().status, Status::Value(vec![]), "{method}");
                        assert!(p.pool.state().locked >= p.total_staked(), "{method}");
                    }
                    None => assert!(!restakes, "{method} did not restake (new epoch: {new_epoch})"),
                }
            }
        }
    }
}

#[test]
fn a_contract_caller_giving_the_pool_15_tgas_runs_out_of_gas_and_40_tgas_is_enough() {
    let one = json!({"amount": NEAR.to_string()});
    for (method, args, deposit) in [
        ("deposit_and_stake", json!({}), NEAR),
        ("unstake", one, 0),
        ("unstake_all", json!({}), 0),
        ("ping", json!({}), 0),
    ] {
        // The scenario's next call is the first of a new epoch, so even `ping` restakes. Each
        // attempt runs on a fresh chain; `state` is what a caller can see of the pool afterwards.
        let attempt = |gas_tgas: u64| {
            let (p, _, lockup) = scenario();
            let before = state(&p, &lockup);
            let out = p.call_from_contract(&lockup, method, args.clone(), deposit, gas_tgas);
            (out, before, state(&p, &lockup))
        };
        let (_, untouched, done) = attempt(100);
        assert_ne!(done, untouched, "{method}");
        for gas_tgas in [15, 22] {
            let (out, before, after) = attempt(gas_tgas);
            assert_eq!(out.receipt(method).status, Status::Failure(OUT_OF_GAS.to_string()), "{method} {gas_tgas}");
            assert_eq!(out.json::<Vec<Option<String>>>(), vec![None], "{method} {gas_tgas}");
            assert!(stake_callback(&out).is_none(), "{method} {gas_tgas}");
            // Nothing happened: the deposit came back to the caller and no rewards were taken.
            assert_eq!(after, before, "{method} {gas_tgas}");
        }
        for gas_tgas in [23, 40] {
            let (out, _, after) = attempt(gas_tgas);
            assert_eq!(out.receipt(method).status, Status::Value(vec![]), "{method} {gas_tgas}");
            assert_eq!(out.json::<Vec<Option<String>>>(), vec![Some(String::new())], "{method} {gas_tgas}");
            let callback = stake_callback(&out).unwrap();
            assert_eq!((callback.prepaid_gas, &callback.status), (CALLBACK_GAS, &Status::Value(vec![])));
            assert_eq!(after, done, "{method} {gas_tgas}");
        }
    }
}

/// What a caller can see of the pool and of its own account there.
fn state(p: &Pool, who: &Account) -> (u128, u128, u128, u128, u128) {
    (p.staked(who), p.unstaked(who), p.total_staked(), p.assets(), p.pool.state().locked)
}

/// The least prepaid gas with which `method` succeeds in the scenario, found by bisection
/// (each probe on a fresh chain). One gas less fails with "Exceeded the prepaid gas.".
fn min_prepaid_gas(method: &str, args: &Value, deposit: u128, new_epoch: bool) -> u64 {
    let probe = |gas: u64| {
        let (p, alice, _) = scenario_at(new_epoch);
        alice.call(p.pool.id(), method).args_json(args).deposit(deposit).gas(gas).transact()
    };
    let (mut fails, mut works) = (0, 300 * TGAS);
    assert!(probe(works).is_success(), "{method}");
    while works - fails > 1 {
        let mid = fails + (works - fails) / 2;
        if probe(mid).is_success() {
            works = mid;
        } else {
            fails = mid;
        }
    }
    assert_eq!(probe(fails).failure(), Some(OUT_OF_GAS), "{method} with {fails} gas");
    works
}

/// Gas of one call by `alice.near`: (VM gas burnt by the pool's receipt, gas burnt by the whole
/// transaction, least prepaid gas).
fn measure(method: &str, args: &Value, deposit: u128, new_epoch: bool) -> (u64, u64, u64) {
    let (p, alice, _) = scenario_at(new_epoch);
    let out = alice.call(p.pool.id(), method).args_json(args).deposit(deposit).gas(300 * TGAS).transact().unwrap();
    let min = min_prepaid_gas(method, args, deposit, new_epoch);
    // Nothing depends on the prepaid gas: the least that works is what the receipt used, that
    // is its burnt gas plus what it gave the receipts it created (20 Tgas to the callback).
    if stake_callback(&out).is_some() {
        assert!(min > out.receipt(method).vm_gas_burnt + CALLBACK_GAS, "{method}");
    }
    (out.receipt(method).vm_gas_burnt, out.total_gas_burnt(), min)
}

/// The production wasm's gas on localnet (protocol 88 fees; no trie-node gas). A change to the
/// contract changes these numbers: update them from the failure message and explain the change.
#[test]
fn each_method_burns_and_needs_exactly_this_gas() {
    // (method, first call of an epoch, VM burnt, transaction burnt, least prepaid gas)
    let expected: Vec<(&str, bool, u64, u64, u64)> = vec![
        ("ping", true, 1_286_999_189_802, 4_637_820_673_238, 22_385_369_353_812),
        ("deposit", true, 1_469_877_205_482, 4_820_848_447_865, 22_568_247_369_492),
        ("deposit_and_stake", true, 1_489_990_298_658, 4_841_460_737_531, 22_588_360_462_668),
        ("stake", true, 1_501_489_009_296, 4_854_157_519_745, 22_599_859_173_306),
        ("stake_all", true, 1_488_061_758_594, 4_839_132_840_275, 22_586_431_922_604),
        ("unstake", true, 1_501_601_726_868, 4_854_370_076_615, 22_599_971_890_878),
        ("unstake_all", true, 1_493_907_439_974, 4_845_078_360_953, 22_592_277_603_984),
        ("withdraw", true, 1_721_436_516_231, 5_520_619_910_627, 23_042_989_242_741),
        ("withdraw_all", true, 1_708_009_265_529, 5_505_595_231_157, 23_029_561_992_039),
        ("get_account", true, 401_924_336_805, 1_823_122_845_967, 401_924_336_805),
        ("ping", false, 354_460_979_634, 1_774_062_060_028, 354_460_979_634),
        ("deposit", false, 539_603_219_826, 1_959_354_059_167, 539_603_219_826),
        ("deposit_and_stake", false, 1_242_954_829_150, 4_594_425_268_023, 22_341_324_993_160),
        ("stake", false, 1_254_453_539_788, 4_607_122_050_237, 22_352_823_703_798),
        ("stake_all", false, 1_241_026_289_086, 4_592_097_370_767, 22_339_396_453_096),
        ("unstake", false, 1_254_566_257_360, 4_607_334_607_107, 22_352_936_421_370),
        ("unstake_all", false, 1_246_871_970_466, 4_598_042_891_445, 22_345_242_134_476),
        ("withdraw", false, 791_162_530_575, 2_659_125_521_929, 1_014_345_093_075),
        ("withdraw_all", false, 777_735_279_873, 2_644_100_842_459, 1_000_917_842_373),
        ("get_account", false, 401_675_041_737, 1_822_873_550_899, 401_675_041_737),
    ];
    let mut measured = vec![];
    for new_epoch in [true, false] {
        for (method, args, deposit) in methods() {
            let (vm, tx, min) = measure(method, &args, deposit, new_epoch);
            measured.push((method, new_epoch, vm, tx, min));
        }
    }
    assert_eq!(measured, expected);
}
