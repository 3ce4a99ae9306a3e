//! `lst node`: localnet as a NEAR JSON-RPC node with the protocol deployed, for near-cli-rs,
//! near-api-js, near-jsonrpc-client and wallets.
//!
//! One thread owns the chain and serves HTTP: requests are answered in arrival order, blocks are
//! produced on a clock (or, with a block time of 0, as soon as a transaction arrives, until
//! everything it caused has run), and a request that waits for a transaction is answered when
//! a block finishes it. A built-in keeper cranks the protocol whenever its crank reports work.

pub mod app_build;
pub mod http;
mod journal;
mod rpc;
mod views;

use localnet::near_primitives::hash::CryptoHash;
use localnet::near_primitives::transaction::SignedTransaction;
use localnet::near_primitives::views::TxExecutionStatus;
use localnet::{Account, Config, ExecutionResult, Localnet, NEAR, Submitted};
use near_jsonrpc_primitives::errors::RpcError;
use near_jsonrpc_primitives::types::transactions::{RpcTransactionError, RpcTransactionResponse};
use rpc::Reply;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use testkit::protocol::{CRANK_GAS, Protocol};

/// The largest request body the node reads (nearcore's limit for a JSON-RPC payload: 10 MiB).
const MAX_BODY: usize = 10 * 1024 * 1024;

/// How the node is started.
#[derive(Clone, Debug)]
pub struct Options {
    pub port: u16,
    /// Time between blocks; zero: each transaction is mined at once.
    pub block_time: Duration,
    pub epoch_length: u64,
    pub validators: usize,
    pub accounts: usize,
    pub keeper: bool,
    /// Where the chain is kept across restarts (`None`: in memory only).
    pub state: Option<std::path::PathBuf>,
    /// The web app's built files, served at `/` (`None`: no app).
    pub app: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: 3030,
            block_time: Duration::from_secs(1),
            epoch_length: 60,
            validators: 3,
            accounts: 4,
            keeper: true,
            state: None,
            app: None,
        }
    }
}

/// A dev account the node created, with its key.
pub struct DevAccount {
    pub account: Account,
    pub secret_key: near_crypto::SecretKey,
}

/// A transaction the node has seen.
struct Tx {
    signed: SignedTransaction,
    handle: Option<Submitted>,
    result: Option<ExecutionResult>,
}

/// How long a request waits for its transaction before it is answered with a timeout
/// (nearcore's RPC polling timeout).
const WAIT_TIMEOUT: Duration = Duration::from_secs(10);

/// A request that waits for a transaction to go as far as it asked.
pub struct Pending {
    hash: CryptoHash,
    wait_until: TxExecutionStatus,
    /// Answer with the receipts the transaction caused (`EXPERIMENTAL_tx_status`).
    receipts: bool,
    deadline: Instant,
}

impl Pending {
    fn new(hash: CryptoHash, wait_until: TxExecutionStatus, receipts: bool) -> Pending {
        Pending { hash, wait_until, receipts, deadline: Instant::now() + WAIT_TIMEOUT }
    }
}

/// Failures to inject into the next requests (`lst_inject_faults`).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    errors: u32,
    drops: u32,
    timeouts: u32,
    /// The methods that fail (`None`: every method but the `lst_` controls).
    methods: Option<Vec<String>>,
}

/// What an injected fault does to a request.
enum Fault {
    Error,
    Drop,
    Timeout,
}

impl Faults {
    /// The fault for a request calling `method`, if one is due.
    fn take(&mut self, method: &str) -> Option<Fault> {
        if method.starts_with("lst_") || self.methods.as_ref().is_some_and(|m| !m.iter().any(|m| m == method)) {
            return None;
        }
        let counters =
            [(&mut self.errors, Fault::Error), (&mut self.drops, Fault::Drop), (&mut self.timeouts, Fault::Timeout)];
        for (left, fault) in counters {
            if *left > 0 {
                *left -= 1;
                return Some(fault);
            }
        }
        None
    }
}

/// How long a request held by an injected timeout stays unanswered.
const STALL: Duration = Duration::from_secs(60);

pub struct Node {
    faults: Faults,
    net: Localnet,
    pub protocol: Protocol,
    pub accounts: Vec<DevAccount>,
    txs: HashMap<CryptoHash, Tx>,
    options: Options,
    started: Instant,
    keeper: Option<Keeper>,
    journal: Option<journal::Journal>,
}

/// The built-in keeper: cranks while the contract reports work it can do now, one call at a
/// time.
struct Keeper {
    account: Account,
    in_flight: Option<Submitted>,
}

impl Node {
    /// The node with its chain: a new one, or, with a state directory that holds one, the
    /// chain kept there (its stored options win over `options`) with its journal replayed.
    /// Returns a line saying what was restored.
    pub fn open(options: Options) -> std::io::Result<(Node, String)> {
        let Some(dir) = options.state.clone() else {
            return Ok((Node::new(options), String::new()));
        };
        let loaded = journal::open(&dir, &options)?;
        let options = match &loaded.genesis {
            Some(g) => Options {
                epoch_length: g.epoch_length,
                validators: g.validators,
                accounts: g.accounts,
                keeper: g.keeper,
                ..options
            },
            None => options,
        };
        let mut node = Node::new(options);
        let replayed = loaded.events.len();
        for event in &loaded.events {
            node.apply(event);
        }
        node.journal = Some(loaded.journal);
        let mut note = format!("State        {} ({replayed} changes replayed", dir.display());
        if loaded.dropped > 0 {
            note += &format!("; a torn last record of {} bytes dropped", loaded.dropped);
        }
        Ok((node, note + ")\n"))
    }

    /// A chain with the protocol deployed and initialised, `options.validators` staking pools
    /// as its validators (two epochs on, so they are in the set), and funded dev accounts.
    pub fn new(options: Options) -> Node {
        let config = Config { epoch_length: options.epoch_length, ..Config::default() };
        let protocol = Protocol::deploy(Localnet::with_config(config));
        protocol.add_validators(&vec![1; options.validators]);
        let net = protocol.net.clone();
        let accounts = (0..options.accounts)
            .map(|i| {
                let account = net.create_account(&format!("dev-{i}"), 10_000 * NEAR);
                let secret_key = account.secret_key();
                DevAccount { account, secret_key }
            })
            .collect();
        let keeper =
            options.keeper.then(|| Keeper { account: net.create_account("keeper", 10_000 * NEAR), in_flight: None });
        let mut node = Node {
            faults: Faults::default(),
            net,
            protocol,
            accounts,
            txs: HashMap::new(),
            options,
            started: Instant::now(),
            keeper,
            journal: None,
        };
        node.crank();
        node
    }

    /// The app's configuration on this node: the network, the contract, and the dev accounts
    /// with their keys (a local chain's keys, printed at start anyway; never on a real network).
    fn app_config(&self) -> Value {
        let accounts: Vec<Value> = self
            .accounts
            .iter()
            .map(|dev| json!({"account_id": dev.account.id(), "secret_key": dev.secret_key.to_string()}))
            .collect();
        json!({
            "network": "localnet",
            "contract_id": self.protocol.lst.id(),
            "rpc_url": null,
            "epoch_length": self.options.epoch_length,
            "block_time_ms": self.options.block_time.as_millis() as u64,
            "dev_accounts": accounts,
        })
    }

    /// Writes each dev account's key as near-cli-rs legacy keychain files, where its
    /// `sign-with-legacy-keychain` looks: `<dir>/localnet/<account>.json` and
    /// `<dir>/localnet/<account>/<public key, ':' as '_'>.json`.
    pub fn write_credentials(&self, dir: &std::path::Path) -> std::io::Result<()> {
        let network = dir.join("localnet");
        for dev in &self.accounts {
            let public_key = dev.secret_key.public_key().to_string();
            let file = json!({
                "account_id": dev.account.id(),
                "public_key": public_key,
                "private_key": dev.secret_key.to_string(),
            });
            let per_key = network.join(dev.account.id().as_str());
            std::fs::create_dir_all(&per_key)?;
            std::fs::write(network.join(format!("{}.json", dev.account.id())), format!("{file:#}\n"))?;
            std::fs::write(per_key.join(format!("{}.json", public_key.replace(':', "_"))), format!("{file:#}\n"))?;
        }
        Ok(())
    }

    /// A whole near-cli-rs configuration with this node as its `localnet` network (for
    /// `--cli-config`): the keychain in `credentials`, nothing else configured.
    pub fn cli_config_file(&self, credentials: &std::path::Path) -> String {
        let url = format!("http://127.0.0.1:{}", self.options.port);
        let home = std::path::absolute(credentials).unwrap_or_else(|_| credentials.to_path_buf());
        format!("version = \"5\"\ncredentials_home_dir = {:?}\n\n{}", home.display().to_string(), cli_config(&url))
    }

    /// What the node prints when it starts, like anvil: where to reach it, the contract, the
    /// dev accounts and their keys, and near-cli-rs's network configuration.
    pub fn banner(&self, credentials: &std::path::Path) -> String {
        let url = format!("http://127.0.0.1:{}", self.options.port);
        let block_time = match self.options.block_time.as_millis() {
            0 => "each transaction is mined at once".to_string(),
            ms => format!("a block every {ms} ms"),
        };
        let mut out = format!(
            "lst node: a local NEAR chain (protocol {}) with the liquid staking protocol\n\n\
             RPC          {url}\n\
             Contract     {} (owner {}, treasury {})\n\
             Validators   {}\n\
             Blocks       {block_time}; epochs of {} blocks; keeper {}\n\n\
             Dev accounts (10,000 NEAR each):\n",
            localnet::PROTOCOL_VERSION,
            self.protocol.lst.id(),
            self.protocol.owner.id(),
            self.protocol.treasury.id(),
            self.net.validators().keys().map(|a| a.as_str()).collect::<Vec<_>>().join(", "),
            self.options.epoch_length,
            if self.keeper.is_some() { "on" } else { "off" },
        );
        for dev in &self.accounts {
            out += &format!(
                "  {:<12} {}\n               private key {}\n",
                dev.account.id(),
                dev.secret_key.public_key(),
                dev.secret_key
            );
        }
        out += &format!(
            "\nKeychain files (near-cli-rs sign-with-legacy-keychain): {}/localnet/<account>.json\n\n\
             near-cli-rs: add to ~/.config/near-cli/config.toml\n\n{}\n",
            credentials.display(),
            cli_config(&url)
        );
        out
    }

    /// Records a change in the journal before it is made. A node that cannot keep its state
    /// stops rather than go on with a chain it could not restore.
    fn record(&mut self, event: journal::Event) {
        if let Some(journal) = self.journal.as_mut()
            && let Err(e) = journal.append(&event)
        {
            eprintln!("lst node: cannot write the journal ({e}); stopping");
            std::process::exit(1);
        }
        if !matches!(event, journal::Event::Transaction { .. }) {
            self.apply(&event);
        }
    }

    /// Makes a recorded change (a transaction is accepted where it is submitted).
    fn apply(&mut self, event: &journal::Event) {
        match event {
            journal::Event::Transaction { signed_tx_base64 } => {
                if let Ok(signed) = rpc::parse_signed(Value::String(signed_tx_base64.clone())) {
                    let handle = self.net.submit_signed(&signed);
                    self.txs.insert(signed.get_hash(), Tx { signed, handle: Some(handle), result: None });
                }
            }
            journal::Event::Blocks { n } => {
                for _ in 0..*n {
                    self.net.produce_block();
                    self.crank();
                }
            }
            journal::Event::Settle => {
                while !self.net.is_idle() {
                    self.apply(&journal::Event::Blocks { n: 1 });
                }
            }
            journal::Event::SetUptime { account_id, numerator, denominator } => {
                if let Ok(account_id) = account_id.parse() {
                    let uptime = localnet::Rate { numerator: *numerator, denominator: *denominator };
                    self.net.set_validator_uptime(&account_id, uptime);
                }
            }
            journal::Event::PatchState { account_id, key_base64, value_base64 } => {
                use base64::Engine;
                let decode = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).unwrap_or_default();
                if let Ok(account_id) = account_id.parse() {
                    self.net.patch_state(&account_id, &decode(key_base64), &decode(value_base64));
                }
            }
        }
    }

    /// Produces `n` blocks, cranking after each as the keeper sees fit.
    fn produce_blocks(&mut self, n: u64) {
        self.record(journal::Event::Blocks { n });
    }

    /// Produces blocks until nothing submitted is still running.
    fn settle(&mut self) {
        if !self.net.is_idle() {
            self.record(journal::Event::Settle);
        }
    }

    /// The keeper's turn after a block: collects its call in flight, and sends another if the
    /// contract reports work it can do at this height.
    fn crank(&mut self) {
        let Some(keeper) = self.keeper.as_mut() else { return };
        if let Some(call) = keeper.in_flight.as_mut() {
            if call.outcome().is_none() {
                return;
            }
            keeper.in_flight = None;
        }
        let status: Value =
            self.net.view(self.protocol.lst.id(), "get_crank_status").call().map_or(Value::Null, |v| v.json());
        let retry_at = status["retry_at"].as_u64().unwrap_or(0);
        if status["work_left"].as_bool() == Some(true) && retry_at <= self.net.block_height() + 1 {
            // The gas the contract asks for, up to what one transaction may carry.
            let gas = status["crank_gas"].as_u64().unwrap_or(CRANK_GAS).min(CRANK_GAS);
            let call = keeper.account.call(self.protocol.lst.id(), "crank").args_json(json!({})).gas(gas).submit();
            keeper.in_flight = Some(call);
        }
    }

    /// Accepts a signed transaction: refused at once if invalid, else queued for the next block
    /// (mined at once with a block time of 0).
    fn submit(&mut self, signed: SignedTransaction, wait_until: TxExecutionStatus) -> Reply {
        let hash = signed.get_hash();
        if !self.txs.contains_key(&hash) {
            let mut handle = self.net.submit_signed(&signed);
            if let Some(outcome) = handle.outcome() {
                return Reply::Now(Err(invalid(&outcome)));
            }
            use base64::Engine;
            let bytes = localnet::near_primitives::borsh::to_vec(&signed).expect("serializes");
            let signed_tx_base64 = base64::engine::general_purpose::STANDARD.encode(bytes);
            self.record(journal::Event::Transaction { signed_tx_base64 });
            self.txs.insert(hash, Tx { signed, handle: Some(handle), result: None });
            if self.options.block_time.is_zero() {
                self.settle();
            }
        }
        if wait_until == TxExecutionStatus::None {
            let response = RpcTransactionResponse { final_execution_outcome: None, final_execution_status: wait_until };
            return Reply::Now(
                serde_json::to_value(response).map_err(|e| RpcError::serialization_error(e.to_string())),
            );
        }
        self.wait(Pending::new(hash, wait_until, false))
    }

    /// Answers now if the transaction has gone far enough, else later.
    fn wait(&mut self, pending: Pending) -> Reply {
        match self.answer(&pending) {
            Some(answer) => Reply::Now(answer),
            None => Reply::Later(pending),
        }
    }

    /// The answer for a waiting request, once its transaction has gone far enough (every
    /// status a client can ask for is reached when all the transaction's receipts have run),
    /// or nearcore's timeout error with the status so far once it has waited too long.
    fn answer(&mut self, pending: &Pending) -> Option<Result<Value, RpcError>> {
        let response = self.outcome(&pending.hash, pending.receipts)?;
        let done = response.final_execution_outcome.is_some();
        if let Some(localnet::near_primitives::views::FinalExecutionOutcomeViewEnum::FinalExecutionOutcome(outcome)) =
            &response.final_execution_outcome
            && let localnet::near_primitives::views::FinalExecutionStatus::Failure(
                localnet::near_primitives::errors::TxExecutionError::InvalidTxError(context),
            ) = &outcome.status
        {
            // Became invalid by the time a block included it (its nonce used meanwhile, say).
            self.txs.remove(&pending.hash);
            return Some(Err(RpcTransactionError::InvalidTransaction { context: context.clone() }.into()));
        }
        let only_included = matches!(pending.wait_until, TxExecutionStatus::None | TxExecutionStatus::Included);
        if done || only_included {
            return Some(serde_json::to_value(response).map_err(|e| RpcError::serialization_error(e.to_string())));
        }
        (Instant::now() >= pending.deadline).then(|| {
            let cause =
                near_jsonrpc_primitives::types::transactions::TimeoutErrorCause::Pending { status: Box::new(response) };
            Err(RpcTransactionError::TimeoutError(Some(cause)).into())
        })
    }

    fn status(&self) -> Value {
        let height = self.net.block_height();
        let hash = self.net.block_hash(height);
        let config = self.net.config();
        let time = |h: u64| rfc3339(config.genesis_time_ns + h * config.block_time_ns);
        let epoch = self.net.epoch_height();
        json!({
            "version": {"version": env!("CARGO_PKG_VERSION"), "build": "lst-node", "commit": "", "rustc_version": ""},
            "chain_id": "localnet",
            "protocol_version": localnet::PROTOCOL_VERSION,
            "latest_protocol_version": localnet::PROTOCOL_VERSION,
            "rpc_addr": format!("127.0.0.1:{}", self.options.port),
            "validators": self.net.validators().keys().map(|a| json!({"account_id": a})).collect::<Vec<_>>(),
            "sync_info": {
                "latest_block_hash": hash, "latest_block_height": height,
                "latest_state_root": CryptoHash::default(), "latest_block_time": time(height), "syncing": false,
                "earliest_block_hash": self.net.block_hash(0), "earliest_block_height": 0, "earliest_block_time": time(0),
                "epoch_id": views::epoch_id(&self.net, epoch), "epoch_start_height": (epoch - 1) * config.epoch_length,
            },
            "validator_account_id": null, "validator_public_key": null,
            "node_public_key": localnet::account_key(&localnet::ROOT_ACCOUNT.parse().expect("valid")),
            "node_key": null,
            "uptime_sec": self.started.elapsed().as_secs(),
            "genesis_hash": self.net.block_hash(0),
            "detailed_debug_status": null,
        })
    }

    /// Handles one HTTP request: JSON-RPC on `POST /`, `GET /status` and `/health`, CORS
    /// preflights; a request waiting for a transaction is returned to be answered later.
    fn handle(&mut self, mut request: http::Request) -> Handled {
        use http::Method;
        let path = request.path.clone();
        match (request.method, path.as_str()) {
            (Method::Options, _) => {
                respond(request, 200, String::new());
                Handled::Answered
            }
            (Method::Get, "/status") => {
                let body = self.status().to_string();
                respond(request, 200, body);
                Handled::Answered
            }
            (Method::Get, "/health") => {
                respond(request, 200, String::new());
                Handled::Answered
            }
            (Method::Get, "/app-config.json") if self.options.app.is_some() => {
                let body = self.app_config().to_string();
                respond(request, 200, body);
                Handled::Answered
            }
            (Method::Get, path) if self.options.app.is_some() => {
                let dir = self.options.app.clone().expect("checked");
                serve_file(request, &dir, path);
                Handled::Answered
            }
            (Method::Post, _) => {
                let Some(body) = request.body.take() else {
                    let error = RpcError::parse_error(format!("The request body is larger than {MAX_BODY} bytes"));
                    respond(request, 200, envelope(&Value::Null, Err(error)).to_string());
                    return Handled::Answered;
                };
                let (id, reply) = match serde_json::from_slice::<Value>(&body) {
                    Ok(Value::Object(mut message)) => {
                        let id = message.remove("id").unwrap_or(Value::Null);
                        match (message.remove("method"), message.remove("params")) {
                            (Some(Value::String(method)), params) => match self.faults.take(&method) {
                                // Refused before it is handled, as by a failing proxy.
                                Some(Fault::Error) => {
                                    let error = RpcError::new_internal_error(None, "injected fault".into());
                                    respond(request, 200, envelope(&id, Err(error)).to_string());
                                    return Handled::Answered;
                                }
                                // Handled, and then the answer is lost.
                                Some(Fault::Drop) => {
                                    self.call(&method, params.unwrap_or(json!({})));
                                    request.break_off();
                                    return Handled::Answered;
                                }
                                Some(Fault::Timeout) => {
                                    self.call(&method, params.unwrap_or(json!({})));
                                    return Handled::Stalled(request);
                                }
                                None => (id, self.call(&method, params.unwrap_or(json!({})))),
                            },
                            _ => (
                                id,
                                Reply::Now(Err(RpcError::parse_error("Invalid JSON-RPC request: no method".into()))),
                            ),
                        }
                    }
                    Ok(_) => (Value::Null, Reply::Now(Err(RpcError::parse_error("Invalid JSON-RPC request".into())))),
                    Err(e) => (Value::Null, Reply::Now(Err(RpcError::parse_error(e.to_string())))),
                };
                match reply {
                    Reply::Now(result) => {
                        respond(request, 200, envelope(&id, result).to_string());
                        Handled::Answered
                    }
                    Reply::Later(pending) => Handled::Waiting(request, id, pending),
                }
            }
            _ => {
                respond(request, 404, String::new());
                Handled::Answered
            }
        }
    }

    /// Serves until the process ends: requests, and blocks on the clock.
    pub fn serve(mut self, server: http::Server) {
        let mut waiting: Vec<(http::Request, Value, Pending)> = vec![];
        let mut stalled: Vec<(http::Request, Instant)> = vec![];
        let mut next_block = Instant::now() + self.options.block_time;
        loop {
            let timeout = if self.options.block_time.is_zero() {
                Duration::from_millis(500)
            } else {
                next_block.saturating_duration_since(Instant::now())
            };
            if let Some(request) = server.recv_timeout(timeout) {
                match self.handle(request) {
                    Handled::Answered => {}
                    Handled::Waiting(request, id, pending) => waiting.push((request, id, pending)),
                    Handled::Stalled(request) => stalled.push((request, Instant::now() + STALL)),
                }
            }
            if !self.options.block_time.is_zero() && Instant::now() >= next_block {
                self.produce_blocks(1);
                next_block += self.options.block_time;
            }
            let mut still = vec![];
            for (request, id, pending) in waiting {
                match self.answer(&pending) {
                    Some(result) => respond(request, 200, envelope(&id, result).to_string()),
                    None => still.push((request, id, pending)),
                }
            }
            waiting = still;
            // A stalled request is dropped once its time is up (its connection closes).
            stalled.retain(|(_, until)| Instant::now() < *until);
        }
    }
}

/// Serves a file of the web app (`/` is `index.html`); a path that climbs out of the directory
/// or names no file gets 404.
fn serve_file(request: http::Request, dir: &std::path::Path, path: &str) {
    let relative = if path == "/" { "index.html" } else { path.trim_start_matches('/') };
    let safe = std::path::Path::new(relative).components().all(|c| matches!(c, std::path::Component::Normal(_)));
    let file = dir.join(relative);
    let (Ok(bytes), true) = (std::fs::read(&file), safe) else {
        request.respond(404, "text/plain", b"not found".to_vec());
        return;
    };
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    };
    request.respond(200, content_type, bytes);
}

/// What became of a request.
enum Handled {
    Answered,
    /// Waiting for a transaction: answered when it has gone far enough.
    Waiting(http::Request, Value, Pending),
    /// Held unanswered by an injected timeout.
    Stalled(http::Request),
}

/// near-cli-rs's network entry for this node. The optional services (relayer, FastNEAR,
/// CoinGecko, social DB, faucet, staking pools factory) are left out, so the CLI contacts
/// nothing else.
pub fn cli_config(url: &str) -> String {
    format!(
        "[network_connection.localnet]\n\
         network_name = \"localnet\"\n\
         rpc_url = \"{url}/\"\n\
         wallet_url = \"{url}/\"\n\
         explorer_transaction_url = \"{url}/tx/\"\n\
         linkdrop_account_id = \"near\"\n"
    )
}

/// The error for a transaction refused when submitted.
fn invalid(outcome: &ExecutionResult) -> RpcError {
    match outcome.error() {
        Some(localnet::near_primitives::errors::TxExecutionError::InvalidTxError(context)) => {
            RpcTransactionError::InvalidTransaction { context: context.clone() }.into()
        }
        other => RpcError::new_internal_error(None, format!("unexpected outcome: {other:?}")),
    }
}

/// A JSON-RPC 2.0 response: the result, or nearcore's error object.
fn envelope(id: &Value, result: Result<Value, RpcError>) -> Value {
    match result {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(error) => json!({"jsonrpc": "2.0", "id": id, "error": error}),
    }
}

/// Answers JSON (the HTTP layer adds nearcore's permissive CORS headers: browsers send a
/// preflight first).
fn respond(request: http::Request, status: u16, body: String) {
    request.respond(status, "application/json", body.into_bytes());
}

/// A timestamp in nanoseconds as RFC 3339 (what nearcore's RPC prints for times).
fn rfc3339(ns: u64) -> String {
    let secs = ns / 1_000_000_000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:09}Z", rem / 3600, rem % 3600 / 60, rem % 60, ns % 1_000_000_000)
}

/// Days since 1970-01-01 to a (year, month, day) date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Binds the node's port on loopback.
pub fn bind(port: u16) -> std::io::Result<http::Server> {
    http::Server::bind(port, MAX_BODY)
}

/// Starts a node on its own thread (the chain is not shared between threads); returns the
/// port it listens on (useful with port 0) and its dev accounts' ids and keys.
pub fn spawn(options: Options) -> (u16, Vec<(localnet::AccountId, near_crypto::SecretKey)>) {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let server = bind(options.port).expect("the port is free");
        let port = server.port();
        let (node, _) = Node::open(Options { port, ..options }).expect("the state directory can be used");
        let accounts = node.accounts.iter().map(|a| (a.account.id().clone(), a.secret_key.clone())).collect();
        sender.send((port, accounts)).expect("the caller waits");
        node.serve(server);
    });
    receiver.recv().expect("the node started")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(rfc3339(1_700_000_000_123_456_789), "2023-11-14T22:13:20.123456789Z");
        assert_eq!(rfc3339(951_782_400_000_000_000), "2000-02-29T00:00:00.000000000Z");
    }
}
