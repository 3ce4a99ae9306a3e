//! The demo: the whole protocol on the embedded runtime. Validators (one earning less, one going
//! offline midway), many users depositing, transferring, unstaking and withdrawing at random, and
//! a keeper cranking every epoch. Every epoch prints a row; every withdrawal is checked against
//! what the contract promised at the unstake, and the pool's solvency after every epoch.

use crate::yields;
use indicatif::{ProgressBar, ProgressStyle};
use localnet::{Account, Config, Localnet, NEAR, Rate};
use serde_json::{Value, json};
use testkit::protocol::Protocol;
use testkit::rng::Rng;

pub struct Options {
    pub users: usize,
    pub validators: usize,
    pub epochs: u64,
    pub seed: u64,
}

/// NEAR epochs in a year (12 hours each), for the APY.
const EPOCHS_PER_YEAR: f64 = 730.0;

/// What the contract promised a user at its last unstake.
struct Promise {
    amount: u128,
    unlock_epoch: u64,
}

/// The unlock epochs promised at unstakes and how withdrawals went.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UnlockStats {
    pub unstakes: usize,
    /// Unstakes promised exactly 4 epochs later, as the core staking pool does.
    pub in_four_epochs: usize,
    /// Unstakes made in an epoch's last blocks (after its late block), promised 5 epochs.
    pub late: usize,
    /// The longest promised wait, in epochs.
    pub longest: u64,
    /// Withdrawals refused on or after their promised epoch: must be 0.
    pub refused_when_due: usize,
}

impl UnlockStats {
    /// The share of unstakes promised exactly 4 epochs, in percent.
    pub fn four_epoch_share(&self) -> f64 {
        if self.unstakes == 0 { 100.0 } else { self.in_four_epochs as f64 * 100.0 / self.unstakes as f64 }
    }
}

struct User {
    account: Account,
    promise: Option<Promise>,
    /// NEAR received from withdrawals, all checked against promises.
    withdrawn: u128,
}

fn near(yocto: u128) -> f64 {
    yocto as f64 / NEAR as f64
}

pub struct Summary {
    pub failures: Vec<String>,
    pub withdrawals: usize,
    pub instant_unstakes: usize,
    pub final_price: u128,
    pub apy: f64,
    pub unlocks: UnlockStats,
    /// Where the holders' yield went, and the reward fee.
    pub yields: (yields::Split, f64),
}

struct Demo {
    p: Protocol,
    pools: Vec<Account>,
    users: Vec<User>,
    rng: Rng,
    failures: Vec<String>,
    withdrawals: usize,
    instant_unstakes: usize,
    unlocks: UnlockStats,
}

impl Demo {
    fn holder(&self, user: &Account) -> Value {
        self.p.view("get_holder", json!({"account_id": user.id()}))
    }

    /// One user's random action for the epoch.
    fn act(&mut self, i: usize) {
        let p = &self.p;
        let user = self.users[i].account.clone();
        let holder = self.holder(&user);
        let staked: u128 = holder["staked_balance"].as_str().unwrap().parse().unwrap();
        match self.rng.below(10) {
            0..=3 => {
                let amount = (1 + self.rng.below(200) as u128) * NEAR;
                if user.balance() > amount + 10 * NEAR {
                    p.call(&user, "deposit_and_stake", json!({}), amount).unwrap();
                }
            }
            4 => {
                let to = &self.users[self.rng.below(self.users.len() as u64) as usize].account;
                let shares: u128 = holder["shares"].as_str().unwrap().parse().unwrap();
                let registered = !p.view::<Value>("storage_balance_of", json!({"account_id": to.id()})).is_null();
                if to.id() != user.id() && shares > NEAR && registered {
                    let amount = shares / (2 + self.rng.below(4) as u128);
                    p.call(&user, "ft_transfer", json!({"receiver_id": to.id(), "amount": amount.to_string()}), 1)
                        .unwrap();
                }
            }
            7 if staked > NEAR => {
                // Leave now through the pool, if it has the NEAR: the swap must pay the quote.
                let tokens: u128 = holder["shares"].as_str().unwrap().parse::<u128>().unwrap() / 4;
                let quote = p.lst.view("quote_instant_unstake").args_json(json!({"amount": tokens.to_string()})).call();
                if let Ok(quote) = quote {
                    let quote: Value = quote.json();
                    let near = quote["near"].as_str().unwrap().to_string();
                    let args = json!({"amount": tokens.to_string(), "min_expected_near": near});
                    let before = user.balance();
                    let out = p.call(&user, "instant_unstake", args, 0);
                    let received = user.balance() + out.total_tokens_burnt() - before;
                    if out.is_failure() || received.to_string() != near {
                        self.failures.push(format!("{} instant unstake paid {received}, quoted {near}", user.id()));
                    }
                    self.instant_unstakes += 1;
                }
            }
            5 | 6 if staked > NEAR => {
                let amount = staked * (10 + self.rng.below(50) as u128) / 100;
                let out = p.call(&user, "unstake", json!({"amount": amount.to_string()}), 0).unwrap();
                let holder = self.holder(&user);
                let unlock_epoch = holder["unlock_epoch"].as_u64().unwrap();
                // The epoch the unstake ran in (the transaction may end in the next one).
                let epoch = p.net.config().epoch_length;
                let wait = unlock_epoch - (out.receipt("unstake").block_height / epoch + 1);
                self.unlocks.unstakes += 1;
                self.unlocks.in_four_epochs += (wait == 4) as usize;
                self.unlocks.late += (wait == 5) as usize;
                self.unlocks.longest = self.unlocks.longest.max(wait);
                self.users[i].promise = Some(Promise {
                    amount: holder["unstaked_balance"].as_str().unwrap().parse().unwrap(),
                    unlock_epoch,
                });
            }
            _ => {}
        }
    }

    /// Withdraws every promise that has come due and checks it pays exactly what was promised.
    fn withdraw_due(&mut self) {
        let epoch = self.p.net.epoch_height();
        for user in &mut self.users {
            let Some(promise) = user.promise.as_ref().filter(|pr| pr.unlock_epoch <= epoch) else { continue };
            let before = user.account.balance();
            let out = self.p.call(&user.account, "withdraw_all", json!({}), 0);
            if let Some(error) = out.failure() {
                self.unlocks.refused_when_due += 1;
                self.failures.push(format!("epoch {epoch}: {} could not withdraw: {error}", user.account.id()));
                user.promise = None;
                continue;
            }
            // A holder that leaves with nothing also gets its storage deposit back.
            let refund: u128 = out
                .events()
                .iter()
                .filter(|e| e["event"] == "unregister")
                .map(|e| e["data"][0]["storage_deposit"].as_str().unwrap().parse::<u128>().unwrap())
                .sum();
            let received = user.account.balance() + out.total_tokens_burnt() - before - refund;
            if received != promise.amount {
                self.failures.push(format!(
                    "epoch {epoch}: {} received {received} instead of the promised {}",
                    user.account.id(),
                    promise.amount
                ));
            }
            user.withdrawn += received;
            user.promise = None;
            self.withdrawals += 1;
        }
    }

    fn check_solvency(&mut self) {
        let s = self.p.solvency();
        if s["solvent"] != json!(true) {
            self.failures.push(format!("epoch {}: insolvent: {s}", self.p.net.epoch_height()));
        }
    }

    fn row(&self, price0: u128, epochs: u64) -> (String, u128, f64) {
        let price = self.p.u128("ft_price", json!({}));
        let t = &self.p.solvency()["totals"];
        let n = |k: &str| t[k].as_str().unwrap().parse::<u128>().unwrap();
        let stakes: Vec<String> = self
            .p
            .validators()
            .iter()
            .map(|v| {
                let staked = near(v["staked"].as_str().unwrap().parse().unwrap());
                let mark = match v["status"].as_str().unwrap() {
                    "active" => "",
                    "offline" => "?",
                    _ => "!",
                };
                format!("{staked:.0}{mark}")
            })
            .collect();
        let growth = price as f64 / price0 as f64;
        let apy = if epochs == 0 { 0.0 } else { growth.powf(EPOCHS_PER_YEAR / epochs as f64) - 1.0 };
        let row = format!(
            "| {:>5} | {:.8} | {:>12.2} | {:<40} | {:>10.2} | {:>10.2} | {:>9.2} | {:>6.2}% |",
            self.p.net.epoch_height(),
            near(price),
            near(n("total_staked")),
            stakes.join(" "),
            near(n("to_unstake") + n("claims_unstaking")),
            near(n("reserve")),
            near(n("liquidity")),
            apy * 100.0
        );
        (row, price, apy)
    }
}

/// Runs the demo, printing a table row per epoch.
pub fn run(options: &Options) -> Summary {
    // Mainnet's epoch length, so a whole epoch's activity fits in one epoch.
    let net = Localnet::with_config(Config { epoch_length: 43_200, ..Default::default() });
    let p = Protocol::deploy(net);
    p.call(&p.treasury, "storage_deposit", json!({}), NEAR / 100).unwrap();
    let weights: Vec<u32> = (0..options.validators).map(|i| 1 + (i % 3) as u32).collect();
    let pools = p.add_validators(&weights);
    if let Some(slow) = pools.get(1) {
        // This validator earns half as much.
        p.net.set_reward_rate(slow.id(), Rate { numerator: 13, denominator: 200_000 });
    }
    let users = (0..options.users)
        .map(|i| User {
            account: p.net.create_account(&format!("user{i}"), 10_000 * NEAR),
            promise: None,
            withdrawn: 0,
        })
        .collect();
    // A liquidity provider backs instant unstakes.
    let lp = p.net.create_account("provider", 20_000 * NEAR);
    p.call(&lp, "add_liquidity", json!({}), 5_000 * NEAR).unwrap();
    let rng = Rng::new(options.seed);
    let (failures, unlocks) = (vec![], UnlockStats::default());
    let mut demo = Demo { p, pools, users, rng, failures, withdrawals: 0, instant_unstakes: 0, unlocks };

    let bar = ProgressBar::new(options.epochs);
    bar.set_style(ProgressStyle::with_template("{bar:40} epoch {pos}/{len}").expect("a valid template"));
    // Rows go above the bar on a terminal, and straight to standard output otherwise.
    let say = |line: String| if bar.is_hidden() { println!("{line}") } else { bar.println(line) };
    say(format!(
        "| {:>5} | {:<10} | {:>12} | {:<40} | {:>10} | {:>10} | {:>9} | {:>7} |",
        "epoch",
        "price",
        "total staked",
        "stake per validator (? offline, ! draining)",
        "unstaking",
        "reserve",
        "liquidity",
        "APY"
    ));
    let price0 = demo.p.u128("ft_price", json!({}));
    let mut meter = yields::Meter::new(&demo.p);
    let offline_at = options.epochs / 3;
    let mut last = (price0, 0.0);
    for epoch in 0..options.epochs {
        if epoch == offline_at
            && let Some(pool) = demo.pools.get(2)
        {
            demo.p.net.set_validator_online(pool.id(), false);
            say(format!("  validator {} goes offline", pool.id()));
        }
        // The keeper cranks as the epoch starts, and holders whose claims matured withdraw.
        let height = demo.p.net.epoch_height();
        meter.crank(&demo.p, &demo.p.crank());
        demo.withdraw_due();
        // Most users act during the epoch; the keeper cranks again when work appears, as
        // promises assume (within a few blocks).
        let late_users = demo.users.len() / 5;
        for i in late_users..demo.users.len() {
            demo.act(i);
            if demo.p.crank_status()["work_left"] == json!(true) {
                meter.crank(&demo.p, &demo.p.crank());
            }
        }
        // The others act in the epoch's last blocks: their unstakes are late, and the keeper's
        // crank after them may reach the next epoch, as it would on chain.
        let length = demo.p.net.config().epoch_length;
        demo.p.net.fast_forward((length - 40).saturating_sub(demo.p.net.block_height() % length));
        for i in 0..late_users {
            demo.act(i);
        }
        meter.crank(&demo.p, &demo.p.crank());
        demo.check_solvency();
        let (row, price, apy) = demo.row(price0, epoch);
        last = (price, apy);
        say(row);
        bar.inc(1);
        if demo.p.net.epoch_height() == height {
            meter.epoch_end(&demo.p);
            demo.p.net.advance_epochs(1);
        } else {
            meter.skip();
        }
    }
    bar.finish_and_clear();
    // Let every outstanding unstake come due (within the longest unlock), as a keeper keeps
    // cranking.
    for _ in 0..20 {
        if demo.users.iter().all(|u| u.promise.is_none()) {
            break;
        }
        demo.p.crank();
        demo.withdraw_due();
        demo.check_solvency();
        demo.p.net.advance_epochs(1);
    }
    for user in demo.users.iter().filter(|u| u.promise.is_some()) {
        demo.failures.push(format!("{} never received its unstaked NEAR", user.account.id()));
    }
    Summary {
        failures: demo.failures,
        withdrawals: demo.withdrawals,
        instant_unstakes: demo.instant_unstakes,
        final_price: last.0,
        apy: last.1,
        unlocks: demo.unlocks,
        yields: (meter.split.clone(), meter.fee()),
    }
}
