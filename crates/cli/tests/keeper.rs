//! `lst keeper` against `lst node` (no built-in keeper): the keeper alone runs the protocol's
//! crank while users stake and unstake, through a flaky RPC, alongside a second keeper and
//! across a restart; its monitor flags a validator that goes offline; `--dry-run` sends
//! nothing; the binary stops cleanly on SIGTERM with its metrics scraped over HTTP.
//!
//! Blocks advance one at a time, each once the keeper has done the work the contract reports
//! for it (or a deadline fails the test): what is tested is that the keeper finds and does the
//! work, not how fast (`cargo bench -p lst --bench keeper_epoch` measures that).

use localnet::near_primitives::action::{Action, FunctionCallAction};
use localnet::near_primitives::hash::CryptoHash;
use localnet::near_primitives::transaction::{SignedTransaction, Transaction, TransactionV0};
use localnet::near_primitives::types::{Balance, Gas};
use localnet::{AccountId, NEAR, TGAS};
use lst::keeper::{self, metrics::Metrics};
use near_crypto::SecretKey;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

mod common;

const EPOCH_LENGTH: u64 = 20;

struct Net {
    port: u16,
    accounts: Vec<(AccountId, SecretKey)>,
    /// The metrics of the keepers running, to wait for.
    keepers: std::cell::RefCell<Vec<(usize, Metrics)>>,
}

impl Net {
    fn start(validators: usize) -> Net {
        let options =
            lst::node::Options { keeper: false, accounts: 4, validators, ..common::options(EPOCH_LENGTH, None) };
        let (port, accounts) = lst::node::spawn(options);
        Net { port, accounts, keepers: Default::default() }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn rpc(&self, method: &str, params: Value) -> Value {
        let response = common::post(
            self.port,
            &json!({"jsonrpc": "2.0", "id": 0, "method": method, "params": params}).to_string(),
        );
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn view(&self, method: &str, args: Value) -> Value {
        use base64::Engine;
        let args = base64::engine::general_purpose::STANDARD.encode(args.to_string());
        let result = self.rpc(
            "query",
            json!({"request_type": "call_function", "finality": "optimistic", "account_id": "lst.near", "method_name": method, "args_base64": args}),
        );
        let bytes: Vec<u8> = serde_json::from_value(result["result"].clone()).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    fn height(&self) -> u64 {
        self.rpc("block", json!({"finality": "final"}))["header"]["height"].as_u64().unwrap()
    }

    /// The epoch of the latest block (localnet's epochs start at multiples of their length).
    fn epoch(&self) -> u64 {
        self.height() / EPOCH_LENGTH + 1
    }

    fn nonce(&self, account: &AccountId, key: &SecretKey) -> u64 {
        let result = self.rpc(
            "query",
            json!({"request_type": "view_access_key", "finality": "final", "account_id": account, "public_key": key.public_key()}),
        );
        result["nonce"].as_u64().unwrap()
    }

    /// Calls `method` on the contract as `user` (index into the dev accounts) and returns the
    /// outcome's status.
    fn call(&self, user: usize, method: &str, args: Value, deposit: u128) -> Value {
        let (account, key) = &self.accounts[user];
        let block_hash: CryptoHash =
            self.rpc("block", json!({"finality": "final"}))["header"]["hash"].as_str().unwrap().parse().unwrap();
        let transaction = Transaction::V0(TransactionV0 {
            signer_id: account.clone(),
            public_key: key.public_key(),
            nonce: self.nonce(account, key) + 1,
            receiver_id: "lst.near".parse().unwrap(),
            block_hash,
            actions: vec![Action::FunctionCall(Box::new(FunctionCallAction {
                method_name: method.into(),
                args: args.to_string().into_bytes(),
                gas: Gas::from_gas(30 * TGAS),
                deposit: Balance::from_yoctonear(deposit),
            }))],
        });
        let (hash, _) = transaction.get_hash_and_size();
        let signed = SignedTransaction::new(key.sign(hash.as_ref()), transaction);
        use base64::Engine;
        let bytes = localnet::near_primitives::borsh::to_vec(&signed).unwrap();
        let outcome = self.rpc("broadcast_tx_commit", json!([base64::engine::general_purpose::STANDARD.encode(bytes)]));
        assert!(outcome["status"].get("SuccessValue").is_some(), "{method}: {}", outcome["status"]);
        outcome["status"].clone()
    }

    /// Waits until the contract reports no work that can be done at this height and every
    /// keeper has seen this height with no crank in flight.
    fn wait_for_keeper(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let status = self.view("get_crank_status", json!({}));
            let height = self.height();
            let retry_at = status["retry_at"].as_u64().unwrap_or(0);
            let keepers_done = self.keepers.borrow().iter().all(|(_, m)| {
                let seen = m.snapshot();
                seen.block_height >= height && !seen.in_flight
            });
            if (status["work_left"] == json!(false) || retry_at > height + 1) && keepers_done {
                return;
            }
            assert!(Instant::now() < deadline, "the keeper left work undone at height {height}: {status}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Produces `blocks` blocks one by one, each after the keeper has caught up; before each
    /// epoch ends, the epoch's crank must be complete (its rewards booked).
    fn advance(&self, blocks: u64) {
        for _ in 0..blocks {
            self.wait_for_keeper();
            if (self.height() + 1).is_multiple_of(EPOCH_LENGTH) {
                let status = self.view("get_crank_status", json!({}));
                assert_eq!(status["epoch"], json!(self.epoch()), "{status}");
                assert_eq!(status["rewards_done"], json!(true), "epoch {} missed: {status}", self.epoch());
            }
            self.rpc("sandbox_fast_forward", json!({"delta_height": 1}));
        }
        self.wait_for_keeper();
    }

    /// Advances to the first block of the next epoch.
    fn next_epoch(&self) {
        let height = self.height();
        self.advance(EPOCH_LENGTH - height % EPOCH_LENGTH);
    }

    /// Advances to the last block of this epoch.
    fn end_of_epoch(&self) {
        let height = self.height();
        self.advance(EPOCH_LENGTH - 1 - height % EPOCH_LENGTH);
    }
}

/// A keeper on its own thread, signing with dev account `index`.
struct Running {
    id: usize,
    stop: tokio::sync::watch::Sender<bool>,
    thread: std::thread::JoinHandle<()>,
    metrics: Metrics,
}

fn keeper_options(net: &Net, index: usize) -> keeper::Options {
    let (account, key) = net.accounts[index].clone();
    keeper::Options {
        rpc: net.url(),
        contract: "lst.near".parse().unwrap(),
        account,
        key,
        once: false,
        dry_run: false,
        poll: Duration::from_millis(5),
        timeout: Duration::from_millis(500),
        min_uptime: 0.95,
    }
}

/// Starts a keeper the network waits for when it advances.
fn start_keeper(net: &Net, options: keeper::Options) -> Running {
    let metrics = Metrics::default();
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    net.keepers.borrow_mut().push((id, metrics.clone()));
    let (stop, receiver) = tokio::sync::watch::channel(false);
    let m = metrics.clone();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(keeper::Keeper::new(options, m).run(receiver));
    });
    Running { id, stop, thread, metrics }
}

impl Running {
    fn stop(self, net: &Net) -> keeper::metrics::Snapshot {
        net.keepers.borrow_mut().retain(|(id, _)| *id != self.id);
        self.stop.send(true).unwrap();
        self.thread.join().unwrap();
        self.metrics.snapshot()
    }
}

fn yocto(value: &Value) -> u128 {
    value.as_str().unwrap().parse().unwrap()
}

/// Ten epochs of deposits and unstakes with only the keeper cranking: by the end of the epoch
/// the contract promised, every unstake is withdrawable, for exactly the amount it promised, and
/// no earlier.
#[test]
fn ten_epochs_with_only_the_keeper_cranking_keep_every_promise() {
    let net = Net::start(2);
    let keeper = start_keeper(&net, keeper_options(&net, 0));
    net.next_epoch();
    let mut claims: Vec<(usize, u64, u128)> = vec![];
    let settle = |claims: &mut Vec<(usize, u64, u128)>| {
        for (user, unlock, amount) in claims.clone() {
            // A withdrawal just made may have produced blocks into the next epoch: let the
            // keeper do that epoch's work before looking.
            net.wait_for_keeper();
            let account = json!({"account_id": net.accounts[user].0});
            let available = net.view("is_account_unstaked_balance_available", account.clone());
            if unlock > net.epoch() {
                assert_eq!(available, json!(false), "a claim due at {unlock} is available at {}", net.epoch());
                continue;
            }
            assert_eq!(
                available,
                json!(true),
                "a claim due at {unlock} is not available by the end of {}: {} {} {}",
                net.epoch(),
                net.view("get_crank_status", json!({})),
                net.view("get_validators", json!({"from_index": 0, "limit": 9})),
                net.view("get_holder", account.clone())
            );
            assert_eq!(yocto(&net.view("get_account_unstaked_balance", account.clone())), amount);
            net.call(user, "withdraw_all", json!({}), 0);
            assert_eq!(net.view("get_account_unstaked_balance", account), json!("0"));
            claims.retain(|c| c.0 != user);
        }
    };
    for epoch in 0..10 {
        let user = 1 + epoch % 3;
        net.call(user, "deposit_and_stake", json!({}), (10 + epoch as u128) * NEAR);
        net.advance(EPOCH_LENGTH / 2);
        // An unstake by a user with no claim waiting (a new unstake would merge into it).
        let unstaker = 1 + (epoch + 1) % 3;
        let holder = net.view("get_holder", json!({"account_id": net.accounts[unstaker].0}));
        if yocto(&holder["unstaked_balance"]) == 0 && yocto(&holder["staked_balance"]) > NEAR {
            net.call(unstaker, "unstake", json!({"amount": NEAR.to_string()}), 0);
            let holder = net.view("get_holder", json!({"account_id": net.accounts[unstaker].0}));
            let unlock = holder["unlock_epoch"].as_u64().unwrap();
            // Four epochs (sooner when NEAR already on its way out covers it), five for an
            // unstake in an epoch's last ten blocks.
            assert!((net.epoch() + 1..=net.epoch() + 5).contains(&unlock), "{holder}");
            claims.push((unstaker, unlock, yocto(&holder["unstaked_balance"])));
        }
        net.end_of_epoch();
        settle(&mut claims);
        net.next_epoch();
    }
    for _ in 0..5 {
        net.end_of_epoch();
        settle(&mut claims);
        net.next_epoch();
    }
    assert!(claims.is_empty(), "claims never came due: {claims:?}");
    let metrics = keeper.stop(&net);
    assert!(metrics.crank_calls >= 15, "{metrics:?}");
    assert_eq!(metrics.crank_calls_failed, 0, "{metrics:?}");
    assert!(metrics.failures.is_empty(), "{metrics:?}");
    assert!(metrics.crank_tokens_burnt > 0 && metrics.crank_gas_burnt > 0);
}

/// Injected RPC failures (internal errors, answers cut off, requests never answered) cost
/// retries, not epochs; each kind is counted.
#[test]
fn a_flaky_rpc_costs_no_epoch() {
    let net = Net::start(2);
    let keeper = start_keeper(&net, keeper_options(&net, 0));
    net.next_epoch();
    let rounds = [
        json!({"errors": 3, "methods": ["send_tx", "validators"]}),
        json!({"drops": 2, "methods": ["send_tx", "tx"]}),
        json!({"timeouts": 1, "methods": ["send_tx"]}),
        json!({"errors": 1, "drops": 1, "timeouts": 1, "methods": ["send_tx", "tx", "validators"]}),
    ];
    for faults in rounds {
        net.rpc("lst_inject_faults", faults);
        net.call(1, "deposit_and_stake", json!({}), 10 * NEAR);
        net.next_epoch();
    }
    let metrics = keeper.stop(&net);
    let failures = |kind: &str| metrics.failures.get(kind).copied().unwrap_or(0);
    assert_eq!((failures("server"), failures("transport"), failures("timeout")), (4, 3, 2), "{metrics:?}");
    // A crank whose answer was lost was found executed, not sent twice.
    assert_eq!(metrics.crank_calls_failed, 0, "{metrics:?}");
}

/// Two keepers at once, one of them stopped mid-epoch and started again: no epoch is missed,
/// and neither is stuck with a transaction it cannot resolve.
#[test]
fn two_keepers_and_a_restart_mid_epoch() {
    let net = Net::start(3);
    let first = start_keeper(&net, keeper_options(&net, 0));
    let second = start_keeper(&net, keeper_options(&net, 3));
    net.next_epoch();
    for _ in 0..2 {
        net.call(1, "deposit_and_stake", json!({}), 10 * NEAR);
        net.next_epoch();
    }
    net.advance(3);
    let stopped = first.stop(&net);
    let restarted = start_keeper(&net, keeper_options(&net, 0));
    net.advance(EPOCH_LENGTH / 2);
    for _ in 0..2 {
        net.call(2, "deposit_and_stake", json!({}), 10 * NEAR);
        net.next_epoch();
    }
    let (second, restarted) = (second.stop(&net), restarted.stop(&net));
    // Both did work; what one did the other did not have to.
    assert!(stopped.crank_calls > 0 && second.crank_calls + restarted.crank_calls > 0);
    assert!(!stopped.failures.contains_key("invalid_nonce") && !restarted.failures.contains_key("invalid_nonce"));
    assert_eq!(net.view("get_crank_status", json!({}))["work_left"], json!(false));
}

/// A validator producing nothing is flagged by the monitor with a suggested weight of 0, then
/// kicked out by the chain, and the contract drains it.
#[test]
fn an_offline_validator_is_flagged_and_drained() {
    let net = Net::start(3);
    let keeper = start_keeper(&net, keeper_options(&net, 0));
    net.call(1, "deposit_and_stake", json!({}), 30 * NEAR);
    net.next_epoch();
    net.next_epoch();
    let validators = net.view("get_validators", json!({"from_index": 0, "limit": 10}));
    let offline = validators[1]["account_id"].as_str().unwrap().to_string();
    assert!(yocto(&validators[1]["staked"]) > 0, "{validators}");
    net.rpc("lst_set_validator_uptime", json!({"account_id": offline, "uptime_percent": 0}));
    net.advance(5);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let chain = keeper::chain::Chain::new(&net.url(), Duration::from_secs(5));
    let contract: AccountId = "lst.near".parse().unwrap();
    let reports = runtime.block_on(keeper::monitor::report(&chain, &contract, 0.95)).unwrap();
    let flagged: Vec<_> = reports.iter().filter(|r| !r.flags.is_empty()).map(|r| r.account_id.clone()).collect();
    assert_eq!(flagged, vec![offline.clone()]);
    let report = reports.iter().find(|r| r.account_id == offline).unwrap();
    assert_eq!((report.uptime, report.suggested_weight), (Some(0.0), 0));
    assert_eq!(report.flags, vec!["uptime 0.0% under 95.0%".to_string()]);
    // Kicked out at the epoch's end; the contract stops delegating to it and takes its stake
    // back.
    for _ in 0..8 {
        net.next_epoch();
    }
    let reports = runtime.block_on(keeper::monitor::report(&chain, &contract, 0.95)).unwrap();
    let report = reports.iter().find(|r| r.account_id == offline).unwrap();
    assert_eq!(report.suggested_weight, 0);
    assert!(report.flags.iter().any(|f| f.starts_with("contract status")), "{report:?}");
    assert!(report.status == "offline" || report.status == "draining", "{report:?}");
    assert_eq!(report.staked, 0, "{report:?}");
    let metrics = keeper.stop(&net);
    assert!(metrics.validators.iter().any(|v| v.account_id == offline && !v.flags.is_empty()));
}

/// `--dry-run` reads and decides but sends nothing.
#[test]
fn a_dry_run_sends_nothing() {
    let net = Net::start(2);
    net.rpc("sandbox_fast_forward", json!({"delta_height": EPOCH_LENGTH}));
    let (account, key) = net.accounts[0].clone();
    let nonce = net.nonce(&account, &key);
    assert_eq!(net.view("get_crank_status", json!({}))["work_left"], json!(true));
    let options = keeper::Options { dry_run: true, once: true, ..keeper_options(&net, 0) };
    let running = start_keeper(&net, options);
    running.thread.join().unwrap();
    let metrics = running.metrics.snapshot();
    assert_eq!((metrics.crank_calls, net.nonce(&account, &key)), (0, nonce));
    assert_eq!(net.view("get_crank_status", json!({}))["work_left"], json!(true));
    assert_eq!(metrics.validators.len(), 2);
}

/// The `lst keeper` binary with a near-cli-rs key file: it cranks, serves its metrics, and
/// exits 0 on SIGTERM after saying so.
#[test]
fn the_binary_serves_metrics_and_stops_on_sigterm() {
    let net = Net::start(2);
    let dir = std::env::temp_dir().join(format!("lst-keeper-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (account, key) = &net.accounts[0];
    let key_file = dir.join("key.json");
    let file = json!({"account_id": account, "public_key": key.public_key(), "private_key": key});
    std::fs::write(&key_file, file.to_string()).unwrap();
    let metrics_addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lst"))
        .args(["keeper", "--rpc", &net.url(), "--contract", "lst.near", "--poll-ms", "5"])
        .arg("--key-file")
        .arg(&key_file)
        .args(["--metrics", &metrics_addr.to_string()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    net.next_epoch();
    net.next_epoch();
    let scrape = || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(metrics_addr).unwrap();
        write!(stream, "GET /metrics HTTP/1.0\r\n\r\n").unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    };
    let text = scrape();
    let sample = |name: &str| -> f64 {
        text.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok())).unwrap_or(-1.0)
    };
    assert!(sample("lst_keeper_crank_calls_total ") >= 2.0, "{text}");
    assert_eq!(sample("lst_keeper_epoch "), net.epoch() as f64, "{text}");
    assert!(text.contains("lst_validator_status{validator=\"v0.owner.near\",status=\"active\"} 1"), "{text}");
    std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the keeper did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    assert!(status.success(), "{status}: {log}");
    assert!(log.contains("keeper stopped"), "{log}");
    std::fs::remove_dir_all(&dir).unwrap();
}
