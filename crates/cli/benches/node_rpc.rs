//! `lst node` over HTTP on loopback, block time 0: `cargo bench -p lst --bench node_rpc`.
//!
//! Measures `query` calls per second (a `view_account` and a contract `call_function`),
//! signed `send_tx` per second (a transfer each, waiting for its final outcome), their p50 and
//! p99 latency, and the process's resident memory after 100,000 transactions.

use localnet::near_primitives::action::{Action, TransferAction};
use localnet::near_primitives::transaction::{SignedTransaction, Transaction, TransactionV0};
use localnet::near_primitives::types::Balance;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// One keep-alive HTTP/1.1 connection.
struct Connection {
    reader: BufReader<TcpStream>,
    port: u16,
}

impl Connection {
    fn open(port: u16) -> Connection {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_nodelay(true).unwrap();
        Connection { reader: BufReader::new(stream), port }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
        let request = format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.port,
            body.len()
        );
        self.reader.get_mut().write_all(request.as_bytes()).unwrap();
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        let response: Value = serde_json::from_slice(&body).unwrap();
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }
}

/// Runs `n` calls, returning (calls per second, p50, p99).
fn measure(n: usize, mut call: impl FnMut(usize)) -> (f64, Duration, Duration) {
    let mut latencies = Vec::with_capacity(n);
    let start = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        call(i);
        latencies.push(t.elapsed());
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    latencies.sort();
    (rate, latencies[n / 2], latencies[n * 99 / 100])
}

fn resident_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0);
    kib / 1024
}

fn main() {
    let options = lst::node::Options {
        port: 0,
        block_time: Duration::ZERO,
        epoch_length: 43_200,
        validators: 2,
        accounts: 1,
        keeper: true,
        state: None,
        app: None,
    };
    let (port, accounts) = lst::node::spawn(options);
    let (dev, key) = accounts[0].clone();
    let mut c = Connection::open(port);

    let view_account = json!({"request_type": "view_account", "account_id": dev, "finality": "final"});
    let (rate, p50, p99) = measure(20_000, |_| {
        c.call("query", view_account.clone());
    });
    println!("query view_account: {rate:.0} calls/s, p50 {p50:.2?}, p99 {p99:.2?}");
    let args = base64(format!(r#"{{"account_id":"{dev}"}}"#).as_bytes());
    let call_function = json!({
        "request_type": "call_function", "account_id": "lst.near", "method_name": "get_account",
        "args_base64": args, "finality": "final",
    });
    let (rate, p50, p99) = measure(5_000, |_| {
        c.call("query", call_function.clone());
    });
    println!("query call_function get_account: {rate:.0} calls/s, p50 {p50:.2?}, p99 {p99:.2?}");

    let key_view = json!({"request_type": "view_access_key", "account_id": dev, "public_key": key.public_key(), "finality": "final"});
    let response = c.call("query", key_view);
    let first_nonce = response["nonce"].as_u64().unwrap() + 1;
    let mut block_hash = response["block_hash"].as_str().unwrap().parse().unwrap();
    let receiver: localnet::AccountId = "near".parse().unwrap();
    let transactions: usize = std::env::var("NODE_BENCH_TRANSACTIONS").map_or(100_000, |n| n.parse().unwrap());
    let (rate, p50, p99) = measure(transactions, |i| {
        // A transaction names a block of the last 86,400, as a client would refresh it.
        if i % 10_000 == 9_999 {
            let block = c.call("block", json!({"finality": "final"}));
            block_hash = block["header"]["hash"].as_str().unwrap().parse().unwrap();
        }
        let transaction = Transaction::V0(TransactionV0 {
            signer_id: dev.clone(),
            public_key: key.public_key(),
            nonce: first_nonce + i as u64,
            receiver_id: receiver.clone(),
            block_hash,
            actions: vec![Action::Transfer(TransferAction { deposit: Balance::from_yoctonear(1) })],
        });
        let (hash, _) = transaction.get_hash_and_size();
        let signed = SignedTransaction::new(key.sign(hash.as_ref()), transaction);
        let bytes = localnet::near_primitives::borsh::to_vec(&signed).unwrap();
        let result = c.call("send_tx", json!({"signed_tx_base64": base64(&bytes), "wait_until": "FINAL"}));
        assert_eq!(result["final_execution_status"], "FINAL");
    });
    println!("send_tx (a signed transfer, until FINAL): {rate:.0} calls/s, p50 {p50:.2?}, p99 {p99:.2?}");
    println!("resident memory after {transactions} transactions: {} MiB", resident_mib());
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
