//! A lockup contract delegates to the pool like to any staking pool: each call with the gas the
//! lockup contract attaches, its results read by a callback.
mod common;

use common::*;
use localnet::{NEAR, TGAS, build::contract_wasm};
use serde_json::{Value, json};

#[test]
fn a_lockup_contract_stakes_unstakes_and_withdraws_with_its_gas() {
    let t = setup();
    let lockup = t.net.create_account("lockup", 100 * NEAR);
    lockup.deploy(&contract_wasm("test-caller")).unwrap();
    let call = |method: &str, args: Value, deposit: u128, gas_tgas: u64| -> Option<String> {
        let out = t
            .owner
            .call(lockup.id(), "call")
            .args_json(json!({
                "receiver": t.lst.id(), "method": method, "args": args.to_string(),
                "deposit": deposit.to_string(), "gas_tgas": gas_tgas,
            }))
            .gas((gas_tgas + 40) * TGAS)
            .transact()
            .unwrap();
        out.json::<Vec<Option<String>>>().remove(0)
    };
    let me = json!({"account_id": lockup.id()});
    let cost = storage_cost(&lockup);
    let quoted = |v: u128| Some(format!("\"{v}\""));

    assert_eq!(call("deposit", json!({}), 10 * NEAR, 50), Some(String::new()));
    assert_eq!(call("stake", json!({"amount": (4 * NEAR).to_string()}), 0, 75), Some(String::new()));
    assert_eq!(call("deposit_and_stake", json!({}), 20 * NEAR, 75), quoted(20 * NEAR));
    assert_eq!(call("get_account_staked_balance", me.clone(), 0, 25), quoted(24 * NEAR));
    assert_eq!(call("get_account_unstaked_balance", me.clone(), 0, 25), quoted(6 * NEAR - cost));
    assert_eq!(call("get_account_total_balance", me.clone(), 0, 25), quoted(30 * NEAR - cost));
    assert_eq!(call("unstake", json!({"amount": (4 * NEAR).to_string()}), 0, 75), Some(String::new()));
    assert_eq!(call("unstake_all", json!({}), 0, 75), Some(String::new()));
    assert_eq!(call("is_account_unstaked_balance_available", me.clone(), 0, 25), Some("false".into()));
    t.net.advance_epochs(4);
    assert_eq!(call("withdraw", json!({"amount": (30 * NEAR - cost).to_string()}), 0, 75), Some(String::new()));
    assert_eq!(call("get_account_total_balance", me, 0, 25), quoted(0));
    t.assert_balanced();
}
