//! The validator monitor: each protocol validator's stake and status in the contract, its
//! stake and uptime on chain (RPC `validators`: blocks, chunks and endorsements produced of
//! those expected this epoch; last epoch's kickouts), flags for the ones that need attention,
//! and a suggested weight for the manager. The keeper never sends suggestions on-chain.
//!
//! **The weight rule**: a validator's suggested weight is its current weight times nearcore's
//! reward factor for its uptime: 1 from 99% up, 0 below 90%, linear between (a validator
//! earns that share of its rewards, so holders lose the rest on the stake it holds); 0 for a
//! validator kicked out in the last epoch or not in the current set. Concentration is the
//! manager's choice through the weights themselves and is left as it is.

use super::chain::{Chain, Failure};
use localnet::AccountId;
use localnet::near_primitives::views::EpochValidatorInfo;
use serde::Serialize;
use serde_json::{Value, json};

/// Uptime under which the monitor flags a validator (it starts losing rewards below 99%).
pub const DEFAULT_MIN_UPTIME: f64 = 0.95;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValidatorReport {
    pub account_id: String,
    /// The contract's status for it (`active`, `offline`, `draining`, ...).
    pub status: String,
    pub weight: u32,
    /// NEAR the protocol has staked with it, in yocto.
    #[serde(with = "string")]
    pub staked: u128,
    /// Its stake in the current validator set, in yocto (`None`: not in the set).
    #[serde(with = "opt_string")]
    pub chain_stake: Option<u128>,
    /// Share of its expected blocks, chunks and endorsements produced this epoch (`None`:
    /// nothing expected of it yet).
    pub uptime: Option<f64>,
    pub flags: Vec<String>,
    pub suggested_weight: u32,
}

mod string {
    pub fn serialize<S: serde::Serializer>(value: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }
}

mod opt_string {
    pub fn serialize<S: serde::Serializer>(value: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.serialize_str(&v.to_string()),
            None => s.serialize_none(),
        }
    }
}

/// nearcore's reward factor: the share of its reward a validator with this uptime earns.
pub fn reward_factor(uptime: f64) -> f64 {
    ((uptime - 0.90) / (0.99 - 0.90)).clamp(0.0, 1.0)
}

/// The mean of the produced/expected ratios that have something expected (nearcore averages
/// blocks, chunks and endorsements the same way for its online ratio).
fn uptime(ratios: &[(u64, u64)]) -> Option<f64> {
    let counted: Vec<f64> = ratios.iter().filter(|(_, e)| *e > 0).map(|(p, e)| *p as f64 / *e as f64).collect();
    (!counted.is_empty()).then(|| counted.iter().sum::<f64>() / counted.len() as f64)
}

/// Reports on every validator of the contract.
pub async fn report(chain: &Chain, contract: &AccountId, min_uptime: f64) -> Result<Vec<ValidatorReport>, Failure> {
    let epoch = chain.validators().await?;
    let mut reports = vec![];
    const PAGE: u64 = 100;
    for from_index in (0..).step_by(PAGE as usize) {
        let page = chain.view(contract, "get_validators", json!({"from_index": from_index, "limit": PAGE})).await?;
        let entries = page.value.as_array().cloned().unwrap_or_default();
        for v in &entries {
            reports.push(assess(v, &epoch, min_uptime));
        }
        if (entries.len() as u64) < PAGE {
            break;
        }
    }
    Ok(reports)
}

/// One validator's report from the contract's entry and the chain's epoch.
fn assess(entry: &serde_json::Value, epoch: &EpochValidatorInfo, min_uptime: f64) -> ValidatorReport {
    let account_id = entry["account_id"].as_str().unwrap_or_default().to_string();
    let status = entry["status"].as_str().unwrap_or("unknown").to_string();
    let weight = entry["weight"].as_u64().unwrap_or(0) as u32;
    let staked = entry["staked"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
    let current = epoch.current_validators.iter().find(|v| v.account_id.as_str() == account_id);
    let uptime = current.and_then(|v| {
        uptime(&[
            (v.num_produced_blocks, v.num_expected_blocks),
            (v.num_produced_chunks, v.num_expected_chunks),
            (v.num_produced_endorsements, v.num_expected_endorsements),
        ])
    });
    let kicked_out = epoch.prev_epoch_kickout.iter().find(|k| k.account_id.as_str() == account_id);
    let mut flags = vec![];
    if let Some(kickout) = kicked_out {
        flags.push(format!("kicked out: {:?}", kickout.reason));
    }
    if current.is_none() {
        flags.push("not in the current validator set".to_string());
    }
    if let Some(u) = uptime.filter(|u| *u < min_uptime) {
        flags.push(format!("uptime {:.1}% under {:.1}%", u * 100.0, min_uptime * 100.0));
    }
    if status != "active" {
        flags.push(format!("contract status {status}"));
    }
    let suggested_weight = if kicked_out.is_some() || current.is_none() {
        0
    } else {
        (f64::from(weight) * reward_factor(uptime.unwrap_or(1.0))).round() as u32
    };
    ValidatorReport {
        account_id,
        status,
        weight,
        staked,
        chain_stake: current.map(|v| v.stake.as_yoctonear()),
        uptime,
        flags,
        suggested_weight,
    }
}

/// The reports as a table.
pub fn table(reports: &[ValidatorReport]) -> String {
    let near = |yocto: u128| format!("{:.2}", yocto as f64 / 1e24);
    let mut out = format!(
        "{:<28} {:<10} {:>6} {:>14} {:>16} {:>7} {:>9}  flags\n",
        "validator", "status", "weight", "staked NEAR", "set stake NEAR", "uptime", "suggested"
    );
    for r in reports {
        out += &format!(
            "{:<28} {:<10} {:>6} {:>14} {:>16} {:>7} {:>9}  {}\n",
            r.account_id,
            r.status,
            r.weight,
            near(r.staked),
            r.chain_stake.map_or("-".to_string(), near),
            r.uptime.map_or("-".to_string(), |u| format!("{:.1}%", u * 100.0)),
            r.suggested_weight,
            r.flags.join("; ")
        );
    }
    out
}

/// The yearly growth of the token's price over `get_price_history`'s entries (oldest to newest,
/// compounded): `(p1 / p0) ^ (year / (t1 - t0)) - 1`, as the web app shows it. `None` until two
/// entries at different times exist.
pub fn apy(history: &[Value]) -> Option<f64> {
    const YEAR_MS: f64 = 365.25 * 24.0 * 3600.0 * 1000.0;
    let entry = |e: &Value| Some((e["timestamp_ms"].as_u64()?, e["price"].as_str()?.parse::<u128>().ok()?));
    let (t0, p0) = entry(history.first()?)?;
    let (t1, p1) = entry(history.last()?)?;
    if t1 <= t0 || p0 == 0 {
        return None;
    }
    Some((p1 as f64 / p0 as f64).powf(YEAR_MS / (t1 - t0) as f64) - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apy_compounds_the_price_history_to_a_year() {
        let day = 24 * 3600 * 1000;
        let entry = |t: u64, p: &str| json!({"epoch": 1, "timestamp_ms": t, "price": p});
        // 1% in half a year is 2.01% in a year.
        let history =
            [entry(0, "1000000000000000000000000"), entry(day * 365 / 2 + day / 8, "1010000000000000000000000")];
        assert!((apy(&history).unwrap() - 0.0201).abs() < 1e-9, "{:?}", apy(&history));
        assert_eq!(apy(&history[..1]), None);
        assert_eq!(apy(&[entry(5, "1"), entry(5, "2")]), None);
        assert_eq!(apy(&[]), None);
    }

    #[test]
    fn the_reward_factor_follows_nearcores_thresholds() {
        assert_eq!(reward_factor(1.0), 1.0);
        assert_eq!(reward_factor(0.99), 1.0);
        assert_eq!(reward_factor(0.90), 0.0);
        assert_eq!(reward_factor(0.5), 0.0);
        assert!((reward_factor(0.945) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn uptime_averages_what_was_expected() {
        assert_eq!(uptime(&[(0, 0), (0, 0), (0, 0)]), None);
        assert_eq!(uptime(&[(5, 10), (0, 0), (10, 10)]), Some(0.75));
    }
}
