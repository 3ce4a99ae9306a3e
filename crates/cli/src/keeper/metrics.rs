//! The keeper's Prometheus metrics: what it did (crank calls, gas, NEAR spent, failures by
//! kind) and what it sees (epoch, work left, token price, total staked, each validator's
//! stake, status and uptime), served as Prometheus' text format on `GET /metrics`.

use super::monitor::ValidatorReport;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// Everything the metrics show.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub epoch: u64,
    pub block_height: u64,
    pub crank_calls: u64,
    /// Crank calls that failed on chain (another keeper's call got there first, say).
    pub crank_calls_failed: u64,
    pub crank_gas_burnt: u128,
    /// NEAR spent on the crank's gas, in yocto.
    pub crank_tokens_burnt: u128,
    pub failures: BTreeMap<&'static str, u64>,
    pub work_left: bool,
    /// A crank sent and not yet known executed (or unable to execute).
    pub in_flight: bool,
    /// NEAR per token, from `ft_price`.
    pub token_price: f64,
    /// The price's yearly growth over `get_price_history` (`None` until it is measured).
    pub apy: Option<f64>,
    pub total_staked: u128,
    pub validators: Vec<ValidatorReport>,
}

#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<Snapshot>>);

impl Metrics {
    pub fn update(&self, change: impl FnOnce(&mut Snapshot)) {
        change(&mut self.0.lock().expect("never poisoned"));
    }

    pub fn snapshot(&self) -> Snapshot {
        self.0.lock().expect("never poisoned").clone()
    }

    /// The metrics in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let s = self.snapshot();
        let near = |yocto: u128| yocto as f64 / 1e24;
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, f64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        let one = |value: f64| vec![(String::new(), value)];
        metric("lst_keeper_epoch", "gauge", "The contract's epoch.", &one(s.epoch as f64));
        metric("lst_keeper_block_height", "gauge", "The latest block the keeper read.", &one(s.block_height as f64));
        metric(
            "lst_keeper_crank_calls_total",
            "counter",
            "Crank transactions that executed.",
            &one(s.crank_calls as f64),
        );
        metric(
            "lst_keeper_crank_calls_failed_total",
            "counter",
            "Crank transactions that executed and failed.",
            &one(s.crank_calls_failed as f64),
        );
        metric("lst_keeper_crank_gas_burnt_total", "counter", "Gas the crank burnt.", &one(s.crank_gas_burnt as f64));
        metric(
            "lst_keeper_crank_near_spent_total",
            "counter",
            "NEAR the crank's gas cost.",
            &one(near(s.crank_tokens_burnt)),
        );
        let failures: Vec<_> = s.failures.iter().map(|(kind, n)| (format!("{{kind=\"{kind}\"}}"), *n as f64)).collect();
        metric("lst_keeper_failures_total", "counter", "Failed RPC calls and transactions, by kind.", &failures);
        metric(
            "lst_keeper_work_left",
            "gauge",
            "1 while the contract reports crank work left.",
            &one(f64::from(u8::from(s.work_left))),
        );
        metric(
            "lst_keeper_crank_in_flight",
            "gauge",
            "1 while a crank's outcome is not known.",
            &one(f64::from(u8::from(s.in_flight))),
        );
        metric("lst_token_price_near", "gauge", "NEAR per liquid token.", &one(s.token_price));
        let apy: Vec<_> = s.apy.map(|a| (String::new(), a)).into_iter().collect();
        metric("lst_apy", "gauge", "The price's yearly growth over the contract's price history (a fraction).", &apy);
        metric(
            "lst_total_staked_near",
            "gauge",
            "NEAR the protocol holds for its holders.",
            &one(near(s.total_staked)),
        );
        let per = |f: &dyn Fn(&ValidatorReport) -> Option<f64>| -> Vec<(String, f64)> {
            s.validators
                .iter()
                .filter_map(|v| f(v).map(|x| (format!("{{validator=\"{}\"}}", v.account_id), x)))
                .collect()
        };
        metric(
            "lst_validator_staked_near",
            "gauge",
            "NEAR the protocol has staked with the validator.",
            &per(&|v| Some(near(v.staked))),
        );
        metric(
            "lst_validator_weight",
            "gauge",
            "The validator's weight in the contract.",
            &per(&|v| Some(f64::from(v.weight))),
        );
        metric(
            "lst_validator_uptime_ratio",
            "gauge",
            "Share of its expected blocks, chunks and endorsements produced this epoch.",
            &per(&|v| v.uptime),
        );
        let status: Vec<_> = s
            .validators
            .iter()
            .map(|v| (format!("{{validator=\"{}\",status=\"{}\"}}", v.account_id, v.status), 1.0))
            .collect();
        metric(
            "lst_validator_status",
            "gauge",
            "The validator's status in the contract (1 for the current one).",
            &status,
        );
        metric(
            "lst_validator_flagged",
            "gauge",
            "1 if the monitor flags the validator.",
            &per(&|v| Some(f64::from(u8::from(!v.flags.is_empty())))),
        );
        out
    }

    /// Serves `GET /metrics` on `addr` from a thread of its own; returns the address bound.
    pub fn serve(&self, addr: &str) -> std::io::Result<std::net::SocketAddr> {
        let server = tiny_http::Server::http(addr).map_err(std::io::Error::other)?;
        let bound = server.server_addr().to_ip().ok_or_else(|| std::io::Error::other("not an IP address"))?;
        let metrics = self.clone();
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let response = if request.url() == "/metrics" {
                    let header = tiny_http::Header::from_bytes("Content-Type", "text/plain; version=0.0.4")
                        .expect("a valid header");
                    tiny_http::Response::from_string(metrics.render()).with_header(header)
                } else {
                    tiny_http::Response::from_string("not found").with_status_code(404)
                };
                let _ = request.respond(response);
            }
        });
        Ok(bound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apy_gauge_appears_once_measured() {
        let metrics = Metrics::default();
        assert!(!metrics.render().contains("\nlst_apy "));
        metrics.update(|m| m.apy = Some(0.0525));
        assert!(metrics.render().contains("\nlst_apy 0.0525\n"), "{}", metrics.render());
    }
}
