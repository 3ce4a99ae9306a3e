//! `lst node` spoken to by near-api-js 7.3.1 (pinned in `clients/near-api-js/package-lock.json`,
//! installed with `npm ci`): the staking seed flow with 30 Tgas calls signed by a
//! `KeyPairSigner`, the contract's state through `viewContractState`, `Account.getState`, and
//! near-api-js's retry after the node refuses a stale nonce with InvalidNonce.

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

mod common;

const EPOCH_LENGTH: u64 = 20;
const NEAR: u128 = 1_000_000_000_000_000_000_000_000;

fn client_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../clients/near-api-js")
}

fn rpc(port: u16, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 0, "method": method, "params": params}).to_string();
    common::post(port, &body)["result"].clone()
}

fn amount(value: &Value) -> u128 {
    value.as_str().unwrap().parse().unwrap()
}

#[test]
fn the_seed_flow_runs_through_near_api_js() {
    let install = Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(client_dir()).output();
    let install = install.expect("npm is installed (Debian: apt-get install nodejs npm)");
    assert!(install.status.success(), "npm ci failed: {}", String::from_utf8_lossy(&install.stderr));

    let options = common::options(EPOCH_LENGTH, None);
    let (port, accounts) = lst::node::spawn(options);
    let (account, key) = &accounts[0];
    let output = Command::new("node")
        .arg("seed-flow.mjs")
        .current_dir(client_dir())
        .env("LST_RPC", format!("http://127.0.0.1:{port}"))
        .env("LST_ACCOUNT", account.as_str())
        .env("LST_KEY", key.to_string())
        .env("LST_EPOCH_LENGTH", EPOCH_LENGTH.to_string())
        .output()
        .expect("node is installed");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let seen: Value = serde_json::from_str(stdout.trim()).unwrap();

    // 10 NEAR staked, less the storage its first deposit pays for.
    let staked = amount(&seen["after_deposit"]["staked_balance"]);
    assert!(staked < 10 * NEAR && staked > 10 * NEAR - NEAR / 100, "{seen}");
    assert_eq!(amount(&seen["after_unstake"]["unstaked_balance"]), staked);
    assert_eq!(seen["after_unstake"]["staked_balance"], "0");
    // One InvalidNonce, and the retried deposit of 1 NEAR landed once.
    assert_eq!(seen["invalid_nonces"], 1);
    assert_eq!(amount(&seen["after_retried_deposit"]["unstaked_balance"]), staked + NEAR);
    assert_eq!(seen["available"], true);
    assert_eq!(seen["after_withdraw"]["unstaked_balance"], "0");
    assert_eq!(seen["after_withdraw"]["staked_balance"], "0");

    // What near-api-js read matches the chain.
    let state = rpc(
        port,
        "query",
        json!({"request_type": "view_state", "account_id": "lst.near", "prefix_base64": "", "finality": "final"}),
    );
    assert_eq!(seen["state_keys"], state["values"].as_array().unwrap().len());
    let view = rpc(port, "query", json!({"request_type": "view_account", "account_id": account, "finality": "final"}));
    assert_eq!(amount(&seen["account"]["balance"]["total"]), amount(&view["amount"]) + amount(&view["locked"]));
    assert_eq!(seen["account"]["storageUsage"], view["storage_usage"]);
}
