//! The holders' web app in Debian's Chromium against `lst node --app` (app/e2e/flow.mjs, with
//! playwright-core): connect a dev account, provide liquidity, stake 10 NEAR, instant-unstake,
//! unstake all, fast-forward, withdraw, a phone-sized screen and the keyboard; every figure on
//! screen is checked against the chain's views. The app's type check and Vitest unit tests run
//! first. Installs Chromium (apt) and the app's npm
//! packages (`npm ci`) on a fresh machine; screenshots go to `target/app-screenshots`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

const EPOCH_LENGTH: u64 = 20;
const CHROMIUM: &str = "/usr/bin/chromium";

fn run(dir: &Path, program: &str, args: &[&str]) {
    let status =
        Command::new(program).args(args).current_dir(dir).status().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(status.success(), "{program} {args:?} failed: {status}");
}

/// Debian's Chromium, installed if missing (the test command sets up a fresh machine).
fn ensure_chromium() {
    if Path::new(CHROMIUM).exists() {
        return;
    }
    eprintln!("installing Debian's chromium for the browser tests ...");
    run(Path::new("/"), "apt-get", &["update", "-qq"]);
    run(Path::new("/"), "apt-get", &["install", "-y", "-qq", "chromium"]);
}

/// NEAR as the app shows it: 4 decimals rounded down, thousands grouped, zeros trimmed.
fn near(yocto: u128) -> String {
    let whole = (yocto / 10u128.pow(24)).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let fraction = format!("{:024}", yocto % 10u128.pow(24))[..4].trim_end_matches('0').to_string();
    if fraction.is_empty() { grouped } else { format!("{grouped}.{fraction}") }
}

fn yocto(value: &Value) -> u128 {
    value.as_str().unwrap().parse().unwrap()
}

#[test]
fn a_holder_stakes_unstakes_and_withdraws_in_chromium() {
    ensure_chromium();
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../app");
    run(&app, "npm", &["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
    // Type-checks (strict) and builds; then the app's unit tests (Vitest).
    run(&app, "npm", &["run", "--silent", "build"]);
    run(&app, "npm", &["test", "--silent"]);
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/app-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let options =
        lst::node::Options { accounts: 2, app: Some(app.join("dist")), ..common::options(EPOCH_LENGTH, None) };
    let (port, _) = lst::node::spawn(options);
    let output = Command::new("node")
        .arg("e2e/flow.mjs")
        .current_dir(&app)
        .env("LST_URL", format!("http://127.0.0.1:{port}"))
        .env("LST_SHOTS", &shots)
        .env("LST_EPOCH_LENGTH", EPOCH_LENGTH.to_string())
        .env("LST_CHROMIUM", CHROMIUM)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let seen: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let text = |key: &str| seen[key].as_str().unwrap_or_else(|| panic!("{key}: {seen}")).to_string();

    assert_eq!(seen["errors"], serde_json::json!([]), "console errors or requests off the node");
    assert_eq!(seen["connected"]["account"], "dev-0.near");
    assert_eq!(seen["connected"]["near"], "10,000");
    assert_eq!(seen["connected"]["tokens"], "0");
    assert_eq!(text("bad_amount"), "Use digits and at most one decimal point, like 10 or 2.5.");
    assert!(text("liquidity").starts_with("Provided 50 NEAR: "), "{seen}");

    let minted = yocto(&seen["chain_tokens_after_stake"]);
    assert_eq!(text("stake"), format!("Staked 10 NEAR: {} lsNEAR minted.", near(minted)));
    assert_eq!(text("tokens_after_stake"), near(minted));
    let after_instant = yocto(&seen["chain_tokens_after_instant"]);
    assert_eq!(after_instant, minted - 10u128.pow(24));
    assert_eq!(text("tokens_after_instant"), near(after_instant));
    let quoted = text("quote");
    let received = quoted.strip_prefix("You receive ").unwrap().split(' ').next().unwrap().to_string();
    assert_eq!(text("instant"), format!("Sold 1 lsNEAR for {received} NEAR."));

    let holder = &seen["chain_holder_after_unstake"];
    let (owed, unlock) = (yocto(&holder["unstaked_balance"]), holder["unlock_epoch"].as_u64().unwrap());
    assert!(
        text("unstake").starts_with(&format!("Unstaked. {} NEAR unlocks in epoch {unlock} (about ", near(owed))),
        "{seen}"
    );
    assert!(text("claim_waiting").starts_with(&format!("{} NEAR unlocks in epoch {unlock}: ", near(owed))), "{seen}");
    assert_eq!(seen["withdraw_disabled"], true);
    assert_eq!(text("claim_ready"), format!("{} NEAR is ready to withdraw.", near(owed)));
    assert_eq!(text("withdraw"), format!("Withdrew {} NEAR.", near(owed)));
    assert_eq!(seen["chain_holder_after_withdraw"]["unstaked_balance"], "0");
    assert_eq!(text("claim_after"), "Nothing unstaked.");

    assert_eq!(seen["phone_overflow"], false, "the page is wider than a phone");
    // The keyboard's stake is on chain as the screen said.
    let query = serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "query", "params": {
        "request_type": "call_function", "finality": "final", "account_id": "lst.near",
        "method_name": "ft_balance_of", "args_base64": "eyJhY2NvdW50X2lkIjoiZGV2LTAubmVhciJ9"}});
    let bytes: Vec<u8> =
        serde_json::from_value(common::post(port, &query.to_string())["result"]["result"].clone()).unwrap();
    let tokens = yocto(&serde_json::from_slice(&bytes).unwrap());
    assert_eq!(text("keyboard_stake"), format!("Staked 2 NEAR: {} lsNEAR minted.", near(tokens)));
    for shot in ["1-connected", "2-staked", "3-instant", "4-unstaked", "5-withdrawn", "6-phone"] {
        assert!(shots.join(format!("{shot}.png")).exists(), "{shot}");
    }
}

#[test]
fn near_amounts_format_as_the_app_shows_them() {
    assert_eq!(near(1_234_567_899_999_999_999_999_999_999), "1,234.5678");
    assert_eq!(near(10 * 10u128.pow(24)), "10");
    assert_eq!(near(1), "0");
}
