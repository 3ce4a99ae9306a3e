//! The keeper's cost and speed per epoch: `cargo bench -p lst --bench keeper_epoch`.
//!
//! For 10 and 100 validators, `lst node` (block time 0, no built-in keeper) and `lst keeper`
//! over HTTP; a holder deposits each epoch so there is stake to place. For each of three epochs
//! after a warm-up, from the epoch's first block: the keeper's crank calls, their gas and NEAR
//! (burnt at localnet's gas price, mainnet's minimum of 10^8 yocto per gas), and the blocks and
//! wall time until the contract reports no work left.

use localnet::near_primitives::action::{Action, FunctionCallAction};
use localnet::near_primitives::hash::CryptoHash;
use localnet::near_primitives::transaction::{SignedTransaction, Transaction, TransactionV0};
use localnet::near_primitives::types::{Balance, Gas};
use localnet::{NEAR, TGAS};
use lst::keeper::{self, metrics::Metrics};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

const EPOCH_LENGTH: u64 = 300;

fn rpc(port: u16, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 0, "method": method, "params": params}).to_string();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "POST / HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let response: Value = serde_json::from_str(response.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert!(response.get("error").is_none(), "{method}: {response}");
    response["result"].clone()
}

fn crank_status(port: u16) -> Value {
    let result = rpc(
        port,
        "query",
        json!({"request_type": "call_function", "finality": "optimistic", "account_id": "lst.near", "method_name": "get_crank_status", "args_base64": "e30="}),
    );
    let bytes: Vec<u8> = serde_json::from_value(result["result"].clone()).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn height(port: u16) -> u64 {
    rpc(port, "block", json!({"finality": "final"}))["header"]["height"].as_u64().unwrap()
}

fn deposit(port: u16, account: &localnet::AccountId, key: &near_crypto::SecretKey, amount: u128) {
    let access = rpc(
        port,
        "query",
        json!({"request_type": "view_access_key", "finality": "final", "account_id": account, "public_key": key.public_key()}),
    );
    let block_hash: CryptoHash =
        rpc(port, "block", json!({"finality": "final"}))["header"]["hash"].as_str().unwrap().parse().unwrap();
    let transaction = Transaction::V0(TransactionV0 {
        signer_id: account.clone(),
        public_key: key.public_key(),
        nonce: access["nonce"].as_u64().unwrap() + 1,
        receiver_id: "lst.near".parse().unwrap(),
        block_hash,
        actions: vec![Action::FunctionCall(Box::new(FunctionCallAction {
            method_name: "deposit_and_stake".into(),
            args: b"{}".to_vec(),
            gas: Gas::from_gas(30 * TGAS),
            deposit: Balance::from_yoctonear(amount),
        }))],
    });
    let (hash, _) = transaction.get_hash_and_size();
    let signed = SignedTransaction::new(key.sign(hash.as_ref()), transaction);
    use base64::Engine;
    let bytes = localnet::near_primitives::borsh::to_vec(&signed).unwrap();
    rpc(port, "broadcast_tx_commit", json!([base64::engine::general_purpose::STANDARD.encode(bytes)]));
}

/// Waits until the contract reports no work that can be done at this height.
fn wait_idle(port: u16) {
    loop {
        let status = crank_status(port);
        if status["work_left"] == json!(false) || status["retry_at"].as_u64().unwrap_or(0) > height(port) + 1 {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn run(validators: usize) {
    let options = lst::node::Options {
        port: 0,
        block_time: Duration::ZERO,
        epoch_length: EPOCH_LENGTH,
        validators,
        accounts: 2,
        keeper: false,
        state: None,
        app: None,
    };
    let started = Instant::now();
    let (port, accounts) = lst::node::spawn(options);
    eprintln!("{validators} validators: node up in {:.1} s", started.elapsed().as_secs_f64());
    let (account, key) = accounts[0].clone();
    let metrics = Metrics::default();
    let (stop, receiver) = tokio::sync::watch::channel(false);
    let options = keeper::Options {
        rpc: format!("http://127.0.0.1:{port}"),
        contract: "lst.near".parse().unwrap(),
        account,
        key,
        once: false,
        dry_run: false,
        poll: Duration::from_millis(1),
        timeout: Duration::from_secs(10),
        min_uptime: 0.95,
    };
    let m = metrics.clone();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(keeper::Keeper::new(options, m).run(receiver));
    });
    let (holder, holder_key) = accounts[1].clone();
    let next_epoch = || {
        let h = height(port);
        rpc(port, "sandbox_fast_forward", json!({"delta_height": EPOCH_LENGTH - h % EPOCH_LENGTH}));
    };
    // Warm-up: the first deposit spread over every validator.
    deposit(port, &holder, &holder_key, 20 * validators as u128 * NEAR);
    next_epoch();
    wait_idle(port);
    println!(
        "| validators | epoch | crank calls | Tgas burnt | NEAR at 10^8 yocto/gas | blocks to no work left | wall time |"
    );
    println!("|---|---|---|---|---|---|---|");
    for _ in 0..3 {
        deposit(port, &holder, &holder_key, 5 * validators as u128 * NEAR);
        next_epoch();
        let (start_height, before, start) = (height(port), metrics.snapshot(), Instant::now());
        wait_idle(port);
        let (elapsed, after) = (start.elapsed(), metrics.snapshot());
        let epoch = crank_status(port)["epoch"].as_u64().unwrap();
        let gas = after.crank_gas_burnt - before.crank_gas_burnt;
        println!(
            "| {validators} | {epoch} | {} | {:.1} | {:.4} | {} | {:.0} ms |",
            after.crank_calls - before.crank_calls,
            gas as f64 / 1e12,
            gas as f64 * 1e8 / 1e24,
            height(port) - start_height,
            elapsed.as_secs_f64() * 1000.0
        );
    }
    stop.send(true).unwrap();
    thread.join().unwrap();
}

fn main() {
    for validators in [10, 100] {
        run(validators);
    }
}
