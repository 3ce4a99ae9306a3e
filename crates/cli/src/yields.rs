//! Where holders' yield goes: the rewards validators paid on the protocol's stake, what reached
//! the token's holders through the price, the treasury's fee, and the drag split by cause.
//!
//! A [`Meter`] reads the contract at the end of each epoch (after the keeper's last crank,
//! before the boundary) and the `epoch_rewards` event of the next epoch's crank. With the
//! buckets of `get_solvency` at the end of epoch `e` (`T` the tokens' value, `B` the buffer,
//! `D` the stake at validators, `U` the NEAR unstaking at validators of which `C` for claims,
//! `Q` claims still staked, `X` assets beyond liabilities) the ledger's identities give
//!
//! `T = B + D + (U - C) - Q - X`
//!
//! so with `A` the stake at active validators (not offline or faulty) and `R` the rewards they
//! paid at the boundary, the rate the protocol's working stake earned is `r = R / A`, and had
//! all of `T` earned it, holders would have received `T*r*(1-f)` (fee `f`). That is the
//! **ideal**; the **drag** is ideal less what the price gave holders, and splits exactly into
//! `B*r` (the buffer waiting), `(U - C)*r` (stake in transit: rebalancing and draining),
//! `(D - A)*r` (stake at offline validators), `-Q*r` (claims not yet unstaked, still earning for
//! holders), `-X*r` (NEAR beyond liabilities, earning for holders), all times `1-f`; the rewards
//! held back by the rate bound (`(R - applied)*(1-f)`, returned in later epochs); and rounding,
//! what is left. NEAR held for claims (the reserve) and the instant-unstake pool's NEAR are not
//! holders' stake (they are owed to claimants and liquidity providers), so they are not drag.

use localnet::{Account, Config, ExecutionResult, Localnet, NEAR};
use serde_json::{Value, json};
use testkit::protocol::Protocol;
use testkit::rng::Rng;

fn yocto(value: &Value) -> u128 {
    value.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not a yocto amount: {value}"))
}

/// NEAR from yocto, with a magnitude below the 4 decimals shown as 0 (not "-0.0000").
fn near(yocto: f64) -> f64 {
    let near = yocto / NEAR as f64;
    if near.abs() < 0.00005 { 0.0 } else { near }
}

/// The contract at the end of an epoch.
#[derive(Clone, Debug)]
struct Snapshot {
    epoch: u64,
    price: u128,
    total_staked: u128,
    buffered: u128,
    delegated: u128,
    transit: u128,
    claims_staked: u128,
    excess: u128,
    /// Stake at validators that are offline or faulty (they pay nothing).
    inactive: u128,
}

impl Snapshot {
    fn read(p: &Protocol) -> Self {
        let s = p.solvency();
        let t = |name: &str| yocto(&s["totals"][name]);
        let inactive = p
            .validators()
            .iter()
            .filter(|v| v["status"] == "offline" || v["status"] == "faulty")
            .map(|v| yocto(&v["staked"]))
            .sum();
        Snapshot {
            epoch: p.net.epoch_height(),
            price: p.u128("ft_price", json!({})),
            total_staked: t("total_staked"),
            buffered: t("buffered"),
            delegated: t("delegated"),
            transit: t("unstaking").saturating_sub(t("claims_unstaking")),
            claims_staked: t("to_unstake"),
            excess: yocto(&s["assets"]).saturating_sub(yocto(&s["liabilities"])),
            inactive,
        }
    }
}

/// Where one or more epochs' yield went, in yoctoNEAR (as floating point: the split multiplies
/// amounts by a rate).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Split {
    pub epochs: u64,
    /// Rewards validators paid on the protocol's stake (losses negative).
    pub paid: f64,
    /// Rewards put into the price (the rest waits under the rate bound).
    pub applied: f64,
    /// The treasury's fee (its new tokens' value).
    pub fee: f64,
    /// What the price gave the tokens that existed before each epoch's rewards.
    pub holders: f64,
    /// What holders would have received had all of their NEAR earned the working stake's rate.
    pub ideal: f64,
    pub buffer: f64,
    pub transit: f64,
    pub offline: f64,
    /// Negative: claims not yet unstaked earn for holders.
    pub claims_staked: f64,
    /// Negative: NEAR beyond liabilities earns for holders.
    pub excess: f64,
    pub held_back: f64,
    pub rounding: f64,
}

impl Split {
    /// Holders' share of the rewards validators paid, net of the fee, in percent.
    pub fn share_of_paid(&self, fee: f64) -> f64 {
        100.0 * self.holders / (self.paid * (1.0 - fee))
    }

    /// Holders' share of the ideal (all of their NEAR earning), in percent.
    pub fn share_of_ideal(&self) -> f64 {
        100.0 * self.holders / self.ideal
    }

    /// The drag's parts, named, in the order of the report.
    pub fn drag(&self) -> [(&'static str, f64); 7] {
        [
            ("buffer", self.buffer),
            ("in transit", self.transit),
            ("offline validators", self.offline),
            ("claims still staked", self.claims_staked),
            ("NEAR beyond liabilities", self.excess),
            ("rate bound", self.held_back),
            ("rounding", self.rounding),
        ]
    }
}

impl Split {
    /// The split in two lines of text, NEAR with 4 decimals.
    pub fn summary(&self, fee: f64) -> String {
        let drag: Vec<String> = self.drag().iter().map(|(name, v)| format!("{name} {:.4}", near(*v))).collect();
        format!(
            "yield over {} epochs: validators paid {:.4} NEAR on the protocol's stake, the treasury's fee {:.4}, \
             holders received {:.4} ({:.3}% of the rewards paid net of the fee, {:.3}% of the ideal {:.4})\n\
             drag (NEAR): {}",
            self.epochs,
            near(self.paid),
            near(self.fee),
            near(self.holders),
            self.share_of_paid(fee),
            self.share_of_ideal(),
            near(self.ideal),
            drag.join(", ")
        )
    }
}

/// Measures a run epoch by epoch.
pub struct Meter {
    fee: f64,
    last: Option<Snapshot>,
    /// The last `epoch_rewards` event, with the supply and price right after its crank call.
    rewards: Option<(Value, u128, u128)>,
    pub split: Split,
}

impl Meter {
    pub fn new(p: &Protocol) -> Self {
        let fee: Value = p.view("get_reward_fee_fraction", json!({}));
        let fee = fee["numerator"].as_f64().unwrap() / fee["denominator"].as_f64().unwrap();
        Meter { fee, last: None, rewards: None, split: Split::default() }
    }

    pub fn fee(&self) -> f64 {
        self.fee
    }

    /// Notes the `epoch_rewards` event among a crank's outcomes, with the supply and price once
    /// the crank is done (its pool work before the rewards may burn or mint tokens, and nothing
    /// after them does, so this is the supply the rewards went to; the epoch's end may differ).
    pub fn crank(&mut self, p: &Protocol, outcomes: &[ExecutionResult]) {
        for event in outcomes.iter().flat_map(|o| o.events()) {
            if event["event"] == "epoch_rewards" {
                let supply = p.u128("ft_total_supply", json!({}));
                self.rewards = Some((event["data"][0].clone(), supply, p.u128("ft_price", json!({}))));
            }
        }
    }

    /// At the end of an epoch, after the keeper's last crank: books the epoch's rewards (paid
    /// on the stake at the previous epoch's end) and takes this epoch's snapshot. An epoch whose
    /// rewards or snapshot are missing (the crank did not finish it, or a snapshot was taken
    /// after the boundary) is left out.
    pub fn epoch_end(&mut self, p: &Protocol) {
        let now = Snapshot::read(p);
        if let (Some(before), Some((event, supply, price))) = (self.last.take(), self.rewards.take())
            && event["epoch"].as_u64() == Some(before.epoch + 1)
            && now.epoch == before.epoch + 1
        {
            self.book(&before, &event, supply, price);
        }
        self.last = Some(now);
    }

    /// Forgets the last snapshot: the run crossed a boundary before the epoch's end could be
    /// read (a late crank reaching the next epoch), so the epoch is left out.
    pub fn skip(&mut self) {
        self.last = None;
        self.rewards = None;
    }

    /// Books one epoch: `before` is the previous epoch's end, `supply` and `price` are read
    /// right after the rewards went in.
    fn book(&mut self, before: &Snapshot, event: &Value, supply: u128, price: u128) {
        let s = &mut self.split;
        let net = 1.0 - self.fee;
        let paid = event["change"].as_str().unwrap().parse::<i128>().unwrap() as f64;
        let applied = yocto(&event["applied"]) as f64;
        let active = before.delegated.saturating_sub(before.inactive) as f64;
        let rate = if active > 0.0 { paid / active } else { 0.0 };
        let earn = |amount: u128| amount as f64 * rate * net;
        // The tokens that existed when the rewards went in (the treasury's new ones are its fee).
        let fee_shares = yocto(&event["fee_shares"]);
        let holders = (supply - fee_shares) as f64 * (price as f64 - before.price as f64) / NEAR as f64;
        let ideal = earn(before.total_staked);
        let parts = [
            earn(before.buffered),
            earn(before.transit),
            earn(before.inactive),
            -earn(before.claims_staked),
            -earn(before.excess),
            (paid - applied) * net,
        ];
        s.epochs += 1;
        s.paid += paid;
        s.applied += applied;
        s.fee += fee_shares as f64 * price as f64 / NEAR as f64;
        s.holders += holders;
        s.ideal += ideal;
        s.buffer += parts[0];
        s.transit += parts[1];
        s.offline += parts[2];
        s.claims_staked += parts[3];
        s.excess += parts[4];
        s.held_back += parts[5];
        s.rounding += ideal - holders - parts.iter().sum::<f64>();
    }
}

/// A fixed scenario for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// 10 validators at mainnet-like rewards, about 2% of the stake flowing in and 2% out each
    /// epoch, no outages.
    Steady,
    /// The steady run with a keeper that cranks only as each epoch starts, so deposits wait in
    /// the buffer until the next epoch (what cranking again when work appears saves).
    SteadyOneCrank,
    /// The steady run with an exit wave: half the holders unstake everything in epoch 4.
    ExitWave,
    /// The steady run with an exit wave (half the holders unstake everything in epoch 4) and a
    /// validator offline from epoch 6 (drained by the crank).
    Stressed,
}

const EPOCHS: u64 = 16;
const HOLDERS: usize = 20;

/// Runs `scenario` on localnet and measures where the yield went.
pub fn run(scenario: Scenario) -> (Split, f64) {
    let net = Localnet::with_config(Config { epoch_length: 43_200, ..Default::default() });
    let p = Protocol::deploy(net);
    p.call(&p.treasury, "storage_deposit", json!({}), NEAR / 100).unwrap();
    let pools = p.add_validators(&[1; 10]);
    let lp = p.net.create_account("provider", 2_000 * NEAR);
    p.call(&lp, "add_liquidity", json!({}), 1_000 * NEAR).unwrap();
    let holders: Vec<Account> =
        (0..HOLDERS).map(|i| p.net.create_account(&format!("holder{i}"), 20_000 * NEAR)).collect();
    let mut rng = Rng::new(7);
    for h in &holders {
        p.call(h, "deposit_and_stake", json!({}), (500 + rng.below(1_000) as u128) * NEAR).unwrap();
    }
    p.crank();
    p.net.advance_epochs(1);

    let mut meter = Meter::new(&p);
    let mut claims: Vec<(usize, u64)> = vec![];
    for epoch in 0..EPOCHS {
        let wave = matches!(scenario, Scenario::ExitWave | Scenario::Stressed) && epoch == 4;
        if scenario == Scenario::Stressed && epoch == 6 {
            p.net.set_validator_online(pools[3].id(), false);
        }
        // The keeper cranks as the epoch starts (rewards, then delegation), holders whose claims
        // matured withdraw.
        meter.crank(&p, &p.crank());
        let now = p.net.epoch_height();
        claims.retain(|&(i, unlock)| {
            let due = unlock <= now;
            if due {
                p.call(&holders[i], "withdraw_all", json!({}), 0).unwrap();
            }
            !due
        });
        // About 2% of the stake flows in and 2% out; in the stressed run's exit wave half the
        // holders leave.
        let total = p.u128("get_total_staked_balance", json!({}));
        for _ in 0..3 {
            let i = rng.below(HOLDERS as u64) as usize;
            p.call(&holders[i], "deposit_and_stake", json!({}), total / 150).unwrap();
        }
        let leaving = if wave { HOLDERS / 2 } else { 3 };
        for _ in 0..leaving {
            let i = rng.below(HOLDERS as u64) as usize;
            if claims.iter().any(|&(c, _)| c == i) {
                continue;
            }
            let staked = p.u128("get_account_staked_balance", json!({"account_id": holders[i].id()}));
            let amount = if leaving > 3 { staked } else { staked.min(total / 150) };
            if amount > 0 {
                p.call(&holders[i], "unstake", json!({"amount": amount.to_string()}), 0).unwrap();
                let holder: Value = p.view("get_holder", json!({"account_id": holders[i].id()}));
                claims.push((i, holder["unlock_epoch"].as_u64().unwrap()));
            }
        }
        // The keeper cranks again when work appears (fresh deposits, new unstakes).
        if scenario != Scenario::SteadyOneCrank {
            meter.crank(&p, &p.crank());
        }
        meter.epoch_end(&p);
        p.net.advance_epochs(1);
    }
    meter.crank(&p, &p.crank());
    meter.epoch_end(&p);
    let fee = meter.fee();
    (meter.split, fee)
}

/// The report: the scenarios as a Markdown table, NEAR with 4 decimals.
pub fn report() -> String {
    let runs = [run(Scenario::Steady), run(Scenario::SteadyOneCrank), run(Scenario::ExitWave), run(Scenario::Stressed)];
    let mut out = String::new();
    out.push_str("| | steady | steady, one crank an epoch | exit wave | stressed |\n| --- | --- | --- | --- | --- |\n");
    let row = |out: &mut String, label: &str, f: &dyn Fn(&Split, f64) -> String| {
        let cells: Vec<String> = runs.iter().map(|(s, fee)| f(s, *fee)).collect();
        out.push_str(&format!("| {label} | {} |\n", cells.join(" | ")));
    };
    row(&mut out, "epochs", &|s, _| s.epochs.to_string());
    row(&mut out, "rewards paid on the protocol's stake (NEAR)", &|s, _| format!("{:.4}", near(s.paid)));
    row(&mut out, "treasury fee (NEAR)", &|s, _| format!("{:.4}", near(s.fee)));
    row(&mut out, "reached holders through the price (NEAR)", &|s, _| format!("{:.4}", near(s.holders)));
    row(&mut out, "ideal: all holders' NEAR earning (NEAR)", &|s, _| format!("{:.4}", near(s.ideal)));
    for i in 0..7 {
        let label = Split::default().drag()[i].0;
        row(&mut out, &format!("drag: {label} (NEAR)"), &|s, _| format!("{:.4}", near(s.drag()[i].1)));
    }
    row(&mut out, "holders' share of rewards paid, net of fee", &|s, fee| format!("{:.3}%", s.share_of_paid(fee)));
    row(&mut out, "holders' share of the ideal", &|s, _| format!("{:.3}%", s.share_of_ideal()));
    out
}
