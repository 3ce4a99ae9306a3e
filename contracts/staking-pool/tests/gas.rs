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
            assert_eq!(out.receipt(method).status.failure(), Some(OUT_OF_GAS), "{method} {gas_tgas}");
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

/// The production wasm's gas on localnet (protocol 88 fees, trie-node gas with the default
/// shard depth). A change to the
/// contract changes these numbers: update them from the failure message and explain the change.
#[test]
fn each_method_burns_and_needs_exactly_this_gas() {
    // (method, first call of an epoch, VM burnt, transaction burnt, least prepaid gas)
    let expected: Vec<(&str, bool, u64, u64, u64)> = vec![
        ("ping", true, 1_366_478_674_326, 4_746_619_642_286, 22_464_848_838_336),
        ("deposit", true, 1_575_849_851_514, 4_956_140_578_421, 22_674_220_015_524),
        ("deposit_and_stake", true, 1_595_962_944_690, 4_976_752_868_087, 22_694_333_108_700),
        ("stake", true, 1_607_461_655_328, 4_989_449_650_301, 22_705_831_819_338),
        ("stake_all", true, 1_594_034_404_626, 4_974_424_970_831, 22_692_404_568_636),
        ("unstake", true, 1_607_574_372_900, 4_989_662_207_171, 22_705_944_536_910),
        ("unstake_all", true, 1_599_880_086_006, 4_980_370_491_509, 22_698_250_250_016),
        ("withdraw", true, 1_827_409_162_263, 5_655_912_041_183, 23_148_961_888_773),
        ("withdraw_all", true, 1_813_981_911_561, 5_640_887_361_713, 23_135_534_638_071),
        ("get_account", true, 401_924_336_805, 1_823_122_845_967, 401_924_336_805),
        ("ping", false, 383_780_464_158, 1_803_381_544_552, 383_780_464_158),
        ("deposit", false, 595_415_865_858, 2_015_166_705_199, 595_415_865_858),
        ("deposit_and_stake", false, 1_298_767_475_182, 4_679_557_398_579, 22_397_137_639_192),
        ("stake", false, 1_310_266_185_820, 4_692_254_180_793, 22_408_636_349_830),
        ("stake_all", false, 1_296_838_935_118, 4_677_229_501_323, 22_395_209_099_128),
        ("unstake", false, 1_310_378_903_392, 4_692_466_737_663, 22_408_749_067_402),
        ("unstake_all", false, 1_302_684_616_498, 4_683_175_022_001, 22_401_054_780_508),
        ("withdraw", false, 846_975_176_607, 2_714_938_167_961, 1_070_157_739_107),
        ("withdraw_all", false, 833_547_925_905, 2_699_913_488_491, 1_056_730_488_405),
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
