//! `lst keeper`: runs the contract's permissionless crank on any NEAR network through JSON-RPC,
//! and monitors the protocol's validators.
//!
//! The loop: read `get_crank_status` at the optimistic head; while it reports work that can be
//! done at this height, send `crank` with the gas the contract asks for (`crank_gas`, capped
//! at the network's per-transaction limit) and wait for it to execute; then idle until the next
//! poll. It keeps no state that matters across restarts: the contract knows what is left.
//!
//! **One crank at a time.** A crank whose fate is unknown (the answer timed out, the
//! connection broke) stays *in flight*: the keeper asks for its status, sends the same signed
//! transaction again if the network has not seen it (its nonce makes a second execution
//! impossible), and only sends a new crank once the old one has executed, or can no longer
//! (its nonce was used, or it expired).
//!
//! **Nonces** are read once and counted up; `InvalidNonce` sets the count from the key's
//! nonce the error reports. **Failures** (transport, timeouts, server errors) are retried with
//! exponential backoff from 0.5 s to 30 s. **Another keeper** running at the same time does no
//! harm: the contract locks each validator while its operation is in flight, so a second crank
//! finds nothing to do and costs one call.

pub mod chain;
pub mod metrics;
pub mod monitor;

use chain::{Chain, Failure};
use localnet::AccountId;
use localnet::near_primitives::hash::CryptoHash;
use localnet::near_primitives::transaction::{SignedTransaction, Transaction, TransactionV0};
use localnet::near_primitives::views::FinalExecutionOutcomeView;
use metrics::Metrics;
use near_crypto::SecretKey;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tracing::{info, warn};

/// The most gas a crank carries when the network's limit cannot be read (nearcore's
/// `max_total_prepaid_gas`).
const DEFAULT_MAX_GAS: u64 = 1_000_000_000_000_000;
const BACKOFF_START: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// How often validators are re-assessed within an epoch.
const MONITOR_EVERY: Duration = Duration::from_secs(60);

#[derive(Clone, Debug)]
pub struct Options {
    pub rpc: String,
    pub contract: AccountId,
    pub account: AccountId,
    pub key: SecretKey,
    /// Crank until no work is left now, then stop.
    pub once: bool,
    /// Read and decide, but send nothing.
    pub dry_run: bool,
    /// Time between looks at the contract while there is no work.
    pub poll: Duration,
    /// Deadline of each RPC call.
    pub timeout: Duration,
    /// Uptime under which the monitor flags a validator.
    pub min_uptime: f64,
}

/// A key file as near-cli-rs writes it: `private_key` (or `secret_key`) and, in the file per
/// account, `account_id` (the file per key that `add-key ... save-to-legacy-keychain` writes
/// holds none: the account then comes from `--account`).
pub fn read_key_file(path: &std::path::Path) -> Result<(Option<AccountId>, SecretKey), String> {
    #[derive(serde::Deserialize)]
    struct KeyFile {
        account_id: Option<AccountId>,
        #[serde(alias = "secret_key")]
        private_key: SecretKey,
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: KeyFile =
        serde_json::from_str(&text).map_err(|e| format!("{} is not a key file: {e}", path.display()))?;
    Ok((file.account_id, file.private_key))
}

/// What one step of the loop came to.
enum Next {
    /// Look again at once: a crank executed, or one in flight was resolved.
    Again,
    /// Nothing to do now.
    Idle,
}

pub struct Keeper {
    chain: Chain,
    options: Options,
    metrics: Metrics,
    /// The nonce of the keeper's last transaction (`None`: read it from the chain).
    nonce: Option<u64>,
    /// A crank sent whose outcome is not known yet.
    in_flight: Option<SignedTransaction>,
    max_gas: Option<u64>,
    /// The epoch of the last validator report, and when it was made.
    monitored: Option<(u64, Instant)>,
}

impl Keeper {
    pub fn new(options: Options, metrics: Metrics) -> Keeper {
        let chain = Chain::new(&options.rpc, options.timeout);
        Keeper { chain, options, metrics, nonce: None, in_flight: None, max_gas: None, monitored: None }
    }

    /// Runs until `stop` turns true (or, with `once`, until no work is left). A stop request
    /// waits for the step under way: a crank sent is seen through before the keeper exits.
    pub async fn run(&mut self, mut stop: watch::Receiver<bool>) {
        let mut backoff = BACKOFF_START;
        info!(contract = %self.options.contract, account = %self.options.account, dry_run = self.options.dry_run, "keeper started");
        while !*stop.borrow() {
            let wait = match self.step().await {
                Ok(Next::Again) => {
                    backoff = BACKOFF_START;
                    continue;
                }
                Ok(Next::Idle) if self.options.once && self.in_flight.is_none() => break,
                Ok(Next::Idle) => {
                    backoff = BACKOFF_START;
                    self.options.poll
                }
                Err(failure) => {
                    self.metrics.update(|m| *m.failures.entry(failure.kind()).or_default() += 1);
                    warn!(%failure, retry_in_ms = backoff.as_millis() as u64, "keeper step failed");
                    let wait = backoff;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    // A nonce error is answered at once: the count is already corrected.
                    if matches!(failure, Failure::InvalidNonce { .. }) { Duration::ZERO } else { wait }
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
        }
        info!("keeper stopped");
    }

    async fn step(&mut self) -> Result<Next, Failure> {
        if let Some(signed) = self.in_flight.clone() {
            return self.resolve(signed).await;
        }
        let status = self.chain.view(&self.options.contract, "get_crank_status", json!({})).await?;
        let (height, block_hash) = (status.block_height, status.block_hash);
        let epoch = status.value["epoch"].as_u64().unwrap_or(0);
        let work_left = status.value["work_left"].as_bool() == Some(true);
        let retry_at = status.value["retry_at"].as_u64().unwrap_or(0);
        // The next block is the earliest the crank can run in.
        let crank_now = work_left && retry_at <= height + 1 && !self.options.dry_run;
        self.metrics.update(|m| {
            m.epoch = epoch;
            m.block_height = height;
            m.work_left = work_left;
            m.in_flight = crank_now;
        });
        if !work_left || retry_at > height + 1 {
            self.monitor(epoch).await?;
            return Ok(Next::Idle);
        }
        let max_gas = match self.max_gas {
            Some(gas) => gas,
            // Read once; until it can be read, nearcore's limit.
            None => match self.chain.max_gas().await {
                Ok(gas) => *self.max_gas.insert(gas),
                Err(e) => {
                    warn!(%e, "cannot read the network's gas limit; using nearcore's");
                    DEFAULT_MAX_GAS
                }
            },
        };
        let gas = status.value["crank_gas"].as_u64().unwrap_or(max_gas).min(max_gas);
        if self.options.dry_run {
            info!(epoch, height, tgas = gas / 1_000_000_000_000, "dry run: would crank");
            self.monitor(epoch).await?;
            return Ok(Next::Idle);
        }
        let nonce = match self.nonce {
            Some(nonce) => nonce,
            None => self.chain.nonce(&self.options.account, &self.options.key.public_key()).await?,
        } + 1;
        let signed = self.sign(nonce, block_hash, gas);
        self.nonce = Some(nonce);
        self.in_flight = Some(signed.clone());
        info!(epoch, height, nonce, tgas = gas / 1_000_000_000_000, hash = %signed.get_hash(), "cranking");
        self.send(signed).await
    }

    /// Sends the crank in flight and books its outcome.
    async fn send(&mut self, signed: SignedTransaction) -> Result<Next, Failure> {
        match self.chain.send(signed).await {
            Ok(outcome) => {
                self.executed(&outcome);
                Ok(Next::Again)
            }
            Err(Failure::InvalidNonce { ak_nonce }) => {
                // Refused, so it never executes: a new crank with a fresh nonce is safe.
                self.settled();
                self.nonce = Some(ak_nonce);
                Err(Failure::InvalidNonce { ak_nonce })
            }
            Err(Failure::InvalidTransaction(e)) => {
                self.settled();
                self.nonce = None;
                Err(Failure::InvalidTransaction(e))
            }
            // Unknown fate: stays in flight until resolved.
            Err(e) => Err(e),
        }
    }

    /// Settles the fate of a crank whose answer was lost.
    async fn resolve(&mut self, signed: SignedTransaction) -> Result<Next, Failure> {
        let hash = signed.get_hash();
        if let Some(outcome) = self.chain.status(hash, &self.options.account).await? {
            info!(%hash, "a crank in flight was found executed");
            self.executed(&outcome);
            return Ok(Next::Again);
        }
        info!(%hash, "a crank in flight is unknown to the network: sending it again");
        match self.send(signed).await {
            // Its nonce is used: by this very transaction (its status shows next time) or by
            // another transaction of this key; either way it can no longer execute twice.
            Err(Failure::InvalidNonce { ak_nonce }) => {
                match self.chain.status(hash, &self.options.account).await? {
                    Some(outcome) => self.executed(&outcome),
                    None => self.settled(),
                }
                self.nonce = Some(ak_nonce);
                Ok(Next::Again)
            }
            other => other,
        }
    }

    /// Books an executed crank: its gas and cost, and whether it failed.
    fn executed(&mut self, outcome: &FinalExecutionOutcomeView) {
        self.settled();
        let outcomes = std::iter::once(&outcome.transaction_outcome).chain(&outcome.receipts_outcome);
        let (gas, tokens) = outcomes.fold((0u128, 0u128), |(g, t), o| {
            (g + u128::from(o.outcome.gas_burnt.as_gas()), t + o.outcome.tokens_burnt.as_yoctonear())
        });
        let failed = chain::failure(outcome).map(|e| format!("{e:?}"));
        for log in outcome.receipts_outcome.iter().flat_map(|o| &o.outcome.logs) {
            tracing::debug!(%log, "crank event");
        }
        match &failed {
            None => info!(tgas_burnt = gas as f64 / 1e12, near_spent = tokens as f64 / 1e24, "crank executed"),
            Some(error) => warn!(%error, "crank failed on chain"),
        }
        self.metrics.update(|m| {
            m.crank_calls += 1;
            m.crank_calls_failed += u64::from(failed.is_some());
            m.crank_gas_burnt += gas;
            m.crank_tokens_burnt += tokens;
        });
    }

    /// No crank is in flight any more.
    fn settled(&mut self) {
        self.in_flight = None;
        self.metrics.update(|m| m.in_flight = false);
    }

    fn sign(&self, nonce: u64, block_hash: CryptoHash, gas: u64) -> SignedTransaction {
        use localnet::near_primitives::action::{Action, FunctionCallAction};
        use localnet::near_primitives::types::{Balance, Gas};
        let transaction = Transaction::V0(TransactionV0 {
            signer_id: self.options.account.clone(),
            public_key: self.options.key.public_key(),
            nonce,
            receiver_id: self.options.contract.clone(),
            block_hash,
            actions: vec![Action::FunctionCall(Box::new(FunctionCallAction {
                method_name: "crank".into(),
                args: b"{}".to_vec(),
                gas: Gas::from_gas(gas),
                deposit: Balance::ZERO,
            }))],
        });
        let (hash, _) = transaction.get_hash_and_size();
        SignedTransaction::new(self.options.key.sign(hash.as_ref()), transaction)
    }

    /// Re-assesses the validators, the price and the total staked once per epoch and at least
    /// every minute.
    async fn monitor(&mut self, epoch: u64) -> Result<(), Failure> {
        if self.monitored.is_some_and(|(e, at)| e == epoch && at.elapsed() < MONITOR_EVERY) {
            return Ok(());
        }
        let contract = &self.options.contract;
        let reports = monitor::report(&self.chain, contract, self.options.min_uptime).await?;
        let price = self.chain.view(contract, "ft_price", json!({})).await?.value;
        let staked = self.chain.view(contract, "get_total_staked_balance", json!({})).await?.value;
        let history = self.chain.view(contract, "get_price_history", json!({})).await?.value;
        for r in reports.iter().filter(|r| !r.flags.is_empty()) {
            warn!(validator = %r.account_id, flags = %r.flags.join("; "), suggested_weight = r.suggested_weight, "validator flagged");
        }
        let parse = |v: &serde_json::Value| v.as_str().and_then(|s| s.parse::<u128>().ok()).unwrap_or(0);
        self.metrics.update(|m| {
            m.token_price = parse(&price) as f64 / 1e24;
            m.apy = history.as_array().and_then(|h| monitor::apy(h));
            m.total_staked = parse(&staked);
            m.validators = reports;
        });
        self.monitored = Some((epoch, Instant::now()));
        Ok(())
    }
}

/// The stop signal for [`Keeper::run`]: set on SIGTERM or Ctrl-C.
pub fn stop_on_signals() -> watch::Receiver<bool> {
    let (sender, receiver) = watch::channel(false);
    tokio::spawn(async move {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("a signal handler");
        tokio::select! {
            _ = terminate.recv() => info!("SIGTERM: stopping after the current step"),
            _ = tokio::signal::ctrl_c() => info!("interrupted: stopping after the current step"),
        }
        let _ = sender.send(true);
    });
    receiver
}
