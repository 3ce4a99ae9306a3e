//! A seeded, reproducible simulation of the production wasm: random users, liquidity providers,
//! validators going offline and back with changing rewards, faults injected into the crank's
//! cross-contract calls, the crank called by random accounts with random gas; adversaries (pools
//! that refuse unstakes, donations to pools, a pool over-reporting a little every epoch or
//! failing for good) and keepers that skip whole epochs or crank once at a random block;
//! unstakes in each of an epoch's last blocks. After every step the invariants are checked,
//! among them that the claim book is exactly the holders' claims, and at every withdrawal that
//! it paid from the holder's own tranche only and exactly when `can_withdraw` said it would.
//!
//! CI runs a few thousand steps. A longer campaign: `SIM_SEEDS=50 SIM_STEPS=2000 cargo test
//! -p liquid-staking --test simulation -- --nocapture`; a failure prints the seed and
//! the command that replays it (`SIM_SEED=<seed>`); `SIM_TRACE=1` prints every step with the
//! validators' records (staked/unstaked/unlock epoch/status).
mod common;

use common::*;
use liquid_staking::errors;
use localnet::{Account, ExecutionResult, Fault, NEAR, Rate, TGAS, build::contract_wasm};
use serde_json::{Value, json};
use testkit::rng::Rng;

/// The simulation's draws.
trait Draw {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T;
    /// An amount from 1 yocto to about 300 NEAR, spread over the orders of magnitude.
    fn amount(&mut self) -> u128;
}

impl Draw for Rng {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn amount(&mut self) -> u128 {
        let digits = self.below(27) as u32;
        (1 + self.below(300) as u128) * 10u128.pow(digits) / 100
    }
}

fn num(v: &Value) -> u128 {
    v.as_str().unwrap().parse().unwrap()
}

/// How the keeper cranks.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Keeper {
    /// Whenever work appears, as promises assume.
    Responsive,
    /// Once an epoch, at a random block (`crank_at`).
    OncePerEpoch,
    /// Not at all this epoch (then responsive again).
    Away,
}

/// What one pool does to us.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Hostility {
    Honest,
    /// Refuses unstakes, for a long while.
    Refuses,
    /// Reports `percent` tenths of a percent more than it holds, every epoch.
    OverReports(u128),
    /// Its `ping` fails for good.
    Unreachable,
}

struct Sim {
    t: Lst,
    rng: Rng,
    pools: Vec<Account>,
    users: Vec<Account>,
    receiver: Account,
    /// Each user's promise from its last unstake: (NEAR, unlock epoch).
    promises: Vec<Option<(u128, u64)>>,
    /// The part of each user's promise it deposited (withdrawable at any time).
    deposits: Vec<u128>,
    price: u128,
    keeper: Keeper,
    /// The epoch the once-an-epoch keeper last cranked in, and the block it cranks at in this one.
    cranked_in: u64,
    crank_at: u64,
    /// What each pool does (the first two stay honest, so every claim can be served).
    hostility: Vec<Hostility>,
    /// Pools that received a donation this epoch (what they report may exceed our records
    /// until their next sync).
    donated: Vec<bool>,
    /// Withdrawals of claims due refused because their NEAR was late (each shown late).
    late_refused: usize,
    log: Vec<String>,
}

impl Sim {
    fn new(seed: u64) -> Sim {
        // Mainnet-length epochs: an epoch ends only when the simulation ends it, after the
        // keeper's crank, as keepers crank every epoch.
        let t = Lst::deploy(localnet::Localnet::with_config(localnet::Config {
            epoch_length: 43_200,
            ..Default::default()
        }));
        let pools = t.add_validators(&[1, 2, 3, 1]);
        t.call(&t.treasury, "storage_deposit", json!({}), NEAR / 100).unwrap();
        let receiver = t.net.create_account("receiver", 10 * NEAR);
        receiver.deploy(&contract_wasm("test-ft-receiver")).unwrap();
        t.call(&t.owner, "storage_deposit", json!({"account_id": receiver.id()}), NEAR / 100).unwrap();
        t.net.create_account("keeper", 10_000 * NEAR);
        t.net.create_account("donor", 1_000_000 * NEAR);
        let users: Vec<Account> = (0..8).map(|i| t.net.create_account(&format!("u{i}"), 100_000 * NEAR)).collect();
        let price = t.u128("ft_price", json!({}));
        let promises = vec![None; users.len()];
        let deposits = vec![0; users.len()];
        let hostility = vec![Hostility::Honest; pools.len()];
        let donated = vec![false; pools.len()];
        Sim {
            t,
            rng: Rng::new(seed),
            pools,
            promises,
            deposits,
            users,
            receiver,
            price,
            keeper: Keeper::Responsive,
            cranked_in: 0,
            crank_at: 0,
            hostility,
            donated,
            late_refused: 0,
            log: vec![],
        }
    }

    fn holder(&self, user: &Account) -> Value {
        self.t.view("get_holder", json!({"account_id": user.id()}))
    }

    /// What the contract now promises `users[i]`: its unstaked NEAR and when it unlocks.
    fn note_promise(&mut self, i: usize) {
        let h = self.holder(&self.users[i]);
        let unstaked = num(&h["unstaked_balance"]);
        self.promises[i] = (unstaked > 0).then(|| (unstaked, h["unlock_epoch"].as_u64().unwrap()));
        self.deposits[i] = num(&h["deposited_balance"]);
    }

    /// One random step and the promise it leaves; returns a description for the failure report.
    fn step(&mut self) -> String {
        let i = self.rng.below(self.users.len() as u64) as usize;
        let description = self.act(i);
        self.note_promise(i);
        self.keeper_on_time();
        description
    }

    fn act(&mut self, i: usize) -> String {
        let user = self.users[i].clone();
        let t = &self.t;
        let holder = self.holder(&user);
        let (shares, staked) = (num(&holder["shares"]), num(&holder["staked_balance"]));
        let action = self.rng.below(25);
        let amount = self.rng.amount();
        match action {
            0..=2 => {
                t.call(&user, "deposit_and_stake", json!({}), amount.max(NEAR / 100));
                format!("{} deposit_and_stake {amount}", user.id())
            }
            3 => {
                t.call(&user, "deposit", json!({}), amount.max(NEAR / 100));
                // Sometimes the deposit stays parked, withdrawable at any time.
                if self.rng.below(2) == 0 {
                    t.call(&user, "stake_all", json!({}), 0);
                }
                format!("{} deposit (+stake_all) {amount}", user.id())
            }
            4 | 5 if staked > 0 => {
                let part = (amount % staked).max(1);
                t.call(&user, "unstake", json!({"amount": part.to_string()}), 0);
                format!("{} unstake {part}", user.id())
            }
            6 if shares > 0 => {
                let to = self.rng.pick(&self.users).clone();
                t.call(
                    &user,
                    "ft_transfer",
                    json!({"receiver_id": to.id(), "amount": (amount % shares).max(1).to_string()}),
                    1,
                );
                format!("{} ft_transfer to {}", user.id(), to.id())
            }
            7 if shares > 0 => {
                let keep = self.rng.below(3) as u128 * (amount % shares) / 2;
                let msg = *self.rng.pick(&["keep", "panic", "raw"]);
                let msg = match msg {
                    "keep" => format!("keep:{keep}"),
                    "raw" => "raw:nonsense".to_string(),
                    _ => "panic".to_string(),
                };
                let args = json!({"receiver_id": self.receiver.id(), "amount": (amount % shares).max(1).to_string(), "msg": msg});
                user.call(t.lst.id(), "ft_transfer_call").args_json(args).deposit(1).gas(60 * TGAS).transact();
                format!("{} ft_transfer_call {msg}", user.id())
            }
            8 if shares > 0 => {
                let tokens = (amount % shares).max(1);
                let quote = t.lst.view("quote_instant_unstake").args_json(json!({"amount": tokens.to_string()})).call();
                if let Ok(q) = quote {
                    let near = num(&q.json::<Value>()["near"]);
                    // A crank in flight may change the price before the swap runs: the quote
                    // is then the least it may pay.
                    let racing = !t.net.is_idle();
                    let before = user.balance();
                    let args = json!({"amount": tokens.to_string(), "min_expected_near": near.to_string()});
                    let out = t.call(&user, "instant_unstake", args, 0);
                    let received = user.balance() + out.total_tokens_burnt() - before;
                    match out.failure() {
                        None if racing => assert!(received >= near, "instant unstake paid less than its quote"),
                        None => assert_eq!(received, near, "instant unstake paid other than its quote"),
                        Some(e) => {
                            assert_eq!(received, 0, "a failed swap moved NEAR");
                            let slipped = e.contains(errors::liquidity::BELOW_MIN_EXPECTED);
                            assert!(racing || !slipped, "the quote did not hold: {e}");
                        }
                    }
                }
                format!("{} instant_unstake {tokens}", user.id())
            }
            9 => {
                t.call(&user, "add_liquidity", json!({}), amount.max(NEAR / 100));
                format!("{} add_liquidity {amount}", user.id())
            }
            10 => {
                let lp = t.u128("get_liquidity_shares", json!({"account_id": user.id()}));
                if lp > 0 {
                    t.call(&user, "remove_liquidity", json!({"shares": (amount % lp).max(1).to_string()}), 1);
                }
                format!("{} remove_liquidity", user.id())
            }
            11 => {
                let pool = self.rng.pick(&self.pools).clone();
                let online = self.rng.below(3) > 0;
                t.net.set_validator_online(pool.id(), online);
                // Up to the most a pool can plausibly earn (0.03% an epoch): the rest is held.
                let rate = Rate { numerator: self.rng.below(30) as u128, denominator: 100_000 };
                t.net.set_reward_rate(pool.id(), rate);
                format!("{} online {online} rate {}", pool.id(), rate.numerator)
            }
            12 => {
                let pool = self.rng.pick(&self.pools).clone();
                let target = if self.rng.below(2) == 0 { pool.clone() } else { t.lst.clone() };
                let method = *self.rng.pick(&[
                    "ping",
                    "get_account",
                    "deposit_and_stake",
                    "unstake",
                    "unstake_all",
                    "withdraw",
                    "on_sync",
                    "on_action",
                    "on_reconcile",
                ]);
                let fault = if self.rng.below(2) == 0 { Fault::Fail } else { Fault::OutOfGas };
                t.net.inject_fault(target.id(), method, fault, 1);
                format!("fault {fault:?} on {}.{method}", target.id())
            }
            13 => {
                // Anyone cranks, with any gas: too little fails cleanly. Half the time the call
                // is left in flight: the next steps' transactions land between its pool calls
                // and their callbacks (each produces the blocks it needs, which run those too).
                // (A call left in flight is the keeper's: its gas refunds arrive later, and a
                // user's own balance checks must not see them.)
                let gas = (20 + self.rng.below(1_000)) * TGAS;
                if self.rng.below(2) == 0 {
                    let keeper = t.net.account("keeper.near");
                    keeper.call(t.lst.id(), "crank").args_json(json!({})).gas(gas.min(1_000 * TGAS)).submit();
                    t.net.produce_block();
                    format!("keeper.near crank with {} Tgas, in flight", gas / TGAS)
                } else {
                    user.call(t.lst.id(), "crank").args_json(json!({})).gas(gas.min(1_000 * TGAS)).transact();
                    format!("{} crank with {} Tgas", user.id(), gas / TGAS)
                }
            }
            14 => {
                t.net.fast_forward(1 + self.rng.below(40));
                "blocks pass".to_string()
            }
            15 => {
                self.withdraw(i);
                format!("{} withdraw_all", user.id())
            }
            16 => {
                // The keeper cranks at any point of an epoch, until no work is left.
                if self.keeper == Keeper::Responsive {
                    self.keeper_cranks();
                }
                "keeper cranks".to_string()
            }
            17 => {
                // Time runs to the last blocks of the epoch (a responsive keeper served the work
                // that appeared meanwhile): what follows may be late in it.
                if self.keeper == Keeper::Responsive {
                    self.keeper_finishes();
                }
                let keep = 1 + self.rng.below(60);
                self.run_to_blocks_left(keep);
                format!("{keep} blocks left in the epoch")
            }
            18 if self.rng.below(3) == 0 => self.turn_hostile(),
            19 => {
                // Someone sends a pool 1% to 5% of its stake: the pool counts it as rewards.
                let k = self.rng.below(self.pools.len() as u64) as usize;
                let pool = self.pools[k].clone();
                let total: u128 =
                    pool.view("get_total_staked_balance").args_json(json!({})).json::<String>().parse().unwrap();
                let donor = t.net.account("donor.near");
                // An over-reporting pool's stake grows without bound: the donor gives at most half
                // of what it has left, and stops below a NEAR.
                let gift = (total * (1 + self.rng.below(5) as u128) / 100).min(donor.balance() / 2);
                if gift < NEAR {
                    return "the donor has given all it had".to_string();
                }
                donor.transfer(pool.id(), gift).unwrap();
                self.donated[k] = true;
                format!("donation of {gift} to {}", pool.id())
            }
            20 => {
                self.keeper = *self.rng.pick(&[Keeper::Responsive, Keeper::OncePerEpoch, Keeper::Away]);
                format!("keeper {:?}", self.keeper)
            }
            21 => {
                // An unstake in one of the epoch's last blocks, each equally likely.
                let keep = 1 + self.rng.below(20);
                self.run_to_blocks_left(keep);
                let t = &self.t;
                let staked = num(&self.holder(&user)["staked_balance"]);
                if staked > 0 {
                    let part = (amount % staked).max(1);
                    t.call(&user, "unstake", json!({"amount": part.to_string()}), 0);
                }
                format!("{} unstake {keep} blocks before the epoch's end", user.id())
            }
            _ => {
                self.end_epoch();
                "epoch ends".to_string()
            }
        }
    }

    /// Runs time to `blocks` before the epoch's end (if it is not already closer).
    fn run_to_blocks_left(&self, blocks: u64) {
        let length = self.t.net.config().epoch_length;
        let left = length - self.t.net.block_height() % length;
        if left > blocks {
            self.t.net.fast_forward(left - blocks);
        }
    }

    /// Pool 2 or 3 turns against us: it refuses every unstake from now on, or over-reports a
    /// little every epoch, or its ping fails for good. Over-reporting (the pool inflating its
    /// own stake) also makes a pool lock NEAR its delegators unstaked, which NEAR's core pool
    /// can never do and no promise can cover: that comes only while we unstake nothing there.
    fn turn_hostile(&mut self) -> String {
        let k = 2 + self.rng.below(2) as usize;
        if self.hostility[k] != Hostility::Honest {
            return "no new hostility".to_string();
        }
        let pool = self.pools[k].clone();
        let unstaking = self.t.validators()[k]["unstaked"] != json!("0");
        let hostility = match self.rng.below(3) {
            0 => Hostility::Refuses,
            1 if !unstaking => Hostility::OverReports(1 + self.rng.below(19) as u128),
            _ => Hostility::Unreachable,
        };
        match hostility {
            Hostility::Refuses => {
                // For a long while (a pool refusing for ever with the last of the stake holds
                // it hostage: no promise can cover that, see the exits tests).
                let times = 3 + self.rng.below(18) as u32;
                for method in ["unstake", "unstake_all"] {
                    self.t.net.inject_fault(pool.id(), method, Fault::Fail, times);
                }
            }
            Hostility::Unreachable => self.t.net.inject_fault(pool.id(), "ping", Fault::Fail, u32::MAX),
            _ => {}
        }
        self.hostility[k] = hostility;
        format!("{} turns hostile: {hostility:?}", pool.id())
    }

    /// The once-an-epoch keeper cranks when its block comes.
    fn keeper_on_time(&mut self) {
        let epoch = self.t.net.epoch_height();
        if self.keeper == Keeper::OncePerEpoch && self.cranked_in < epoch && self.t.net.block_height() >= self.crank_at
        {
            self.cranked_in = epoch;
            self.keeper_cranks();
        }
    }

    /// A keeper cranks until the epoch's work is done, letting lost callbacks' locks go stale
    /// and waiting out retries, as a keeper watching the chain does over an epoch. (Injected
    /// faults can pile up on rarely called methods, such as a lost callback's reconciliation.)
    fn keeper_finishes(&self) {
        let t = &self.t;
        t.net.settle();
        for _ in 0..20 {
            self.keeper_cranks();
            let status = t.crank_status();
            if status["locked"] == json!(0) && status["retry_at"].is_null() && !status["work_left"].as_bool().unwrap() {
                break;
            }
            t.net.fast_forward(31);
        }
    }

    /// A keeper cranks until no work is left now (a few calls at most).
    fn keeper_cranks(&self) {
        for _ in 0..10 {
            self.t.crank_once();
            if !self.t.crank_status()["work_left"].as_bool().unwrap() {
                break;
            }
        }
    }

    /// The epoch ends as the keeper lets it: a responsive keeper finishes the epoch's crank
    /// (stale locks included), after which the records match the pools; a once-an-epoch keeper
    /// cranks at its block if it has not yet; an absent one not at all. Claims due are
    /// withdrawn, and the next epoch starts (a crank in the epoch's last blocks may end in the
    /// next epoch, as on a real chain).
    fn end_epoch(&mut self) {
        let epoch = self.t.net.epoch_height();
        match self.keeper {
            Keeper::Responsive => {
                let t = &self.t;
                self.keeper_finishes();
                assert_eq!(t.crank_status()["locked"], json!(0), "a validator lock outlived the epoch");
                // Every validator has synced: the records are what the pools report (pools round
                // by up to a yocto per operation, which the next sync absorbs). Not compared (the
                // first such pool and those after it): a hostile pool, one that received a
                // donation since its sync, or a faulty one (read only as it is drained).
                let records = t.validators();
                let honest: Vec<Account> = (0..self.pools.len())
                    .take_while(|&k| {
                        self.hostility[k] == Hostility::Honest
                            && !self.donated[k]
                            && records[k]["status"] != json!("faulty")
                    })
                    .map(|k| self.pools[k].clone())
                    .collect();
                t.assert_matches_pools_within(&honest, 1_000);
                self.check_book(true);
            }
            Keeper::OncePerEpoch if self.cranked_in < epoch => {
                if self.crank_at > self.t.net.block_height() {
                    self.t.net.fast_forward(self.crank_at - self.t.net.block_height());
                }
                self.keeper_on_time();
            }
            _ => {}
        }
        if self.t.net.epoch_height() > epoch {
            // The crank ran into the next epoch: that epoch's keeper goes on.
            return self.next_epoch_began();
        }
        for i in 0..self.users.len() {
            if self.promises[i].is_some_and(|(_, unlock)| unlock <= epoch) {
                self.withdraw(i);
            }
        }
        // The withdrawals may themselves have reached the next epoch: no epoch is skipped.
        if self.t.net.epoch_height() == epoch {
            self.t.net.advance_epochs(1);
        }
        self.next_epoch_began();
    }

    /// A new epoch: pools that over-report do it again, an absent keeper is back, and the
    /// once-an-epoch keeper picks its block.
    fn next_epoch_began(&mut self) {
        for k in 0..self.pools.len() {
            if let Hostility::OverReports(tenths) = self.hostility[k] {
                patch_pool(&self.t, &self.pools[k], |total, shares| (total + total * tenths / 1_000, shares));
            }
        }
        if self.keeper == Keeper::Away {
            self.keeper = Keeper::Responsive;
        }
        self.donated.fill(false);
        let length = self.t.net.config().epoch_length;
        let start = self.t.net.block_height() - self.t.net.block_height() % length;
        self.crank_at = start + self.rng.below(length);
    }

    /// `users[i]` withdraws everything. It pays exactly when `can_withdraw` said it would (its
    /// deposits and all its unstaked NEAR); a refusal moves no NEAR, and a claim refused on or
    /// after its promised epoch is shown late (`expected_epoch` later than now) while its own
    /// tranche is short. The NEAR paid comes from its own tranche: no other tranche's NEAR in
    /// the reserve shrinks.
    fn withdraw(&mut self, i: usize) {
        let user = self.users[i].clone();
        let t = &self.t;
        let h = self.holder(&user);
        let (unstaked, deposited) =
            (num(&h["unstaked_balance"]) - num(&h["deposited_balance"]), num(&h["deposited_balance"]));
        let (unlock, can) = (h["unlock_epoch"].as_u64().unwrap(), h["can_withdraw"].as_bool().unwrap());
        let book: Value = t.view("get_claims", json!({}));
        let (viewed_in, before) = (t.net.epoch_height(), user.balance());
        // A crank left in flight runs in the same blocks: its withdrawals from validators fill
        // tranches, and the instant-unstake pool collects its claim.
        let racing = !t.net.is_idle();
        let out = t.call(&user, "withdraw_all", json!({}), 0);
        let ran_in = out.receipt("withdraw_all").block_height / t.net.config().epoch_length + 1;
        // A holder that leaves with nothing also gets its storage deposit back.
        let refund: u128 = out
            .events()
            .iter()
            .filter(|e| e["event"] == "unregister")
            .map(|e| num(&e["data"][0]["storage_deposit"]))
            .sum();
        let received = user.balance() + out.total_tokens_burnt() - before - refund;
        let context = || format!("{}: {h}\n{book:#}\n{:#}", user.id(), t.crank_status());
        // `can_withdraw` true => `withdraw_all` pays all of it (when it runs in the epoch the
        // view was read in: a call in an epoch's last block runs in the next).
        if can && unstaked > 0 && ran_in == viewed_in {
            assert!(out.is_success(), "can_withdraw was true: {:?}\n{}", out.failure(), context());
            assert_eq!(received, deposited + unstaked, "{}", context());
        }
        match out.failure() {
            None => {
                assert!(received == deposited + unstaked || received == deposited, "{}", context());
                if received == deposited + unstaked && unstaked > 0 {
                    assert!(unlock <= ran_in, "{} withdrew before its claim matured", user.id());
                }
            }
            Some(e) => {
                assert_eq!(received, 0, "a refused withdrawal moved NEAR: {e}");
                assert_eq!(deposited, 0, "{}'s deposit could not be withdrawn: {e}", user.id());
                if unstaked > 0 && unlock <= ran_in {
                    self.late_refused += 1;
                    assert!(e.contains(errors::staking::CLAIM_LATE), "{e}\n{}", context());
                    // Shown late before the call or after it (a racing crank may have brought
                    // its NEAR meanwhile).
                    let after = self.holder(&user);
                    let shown = |h: &Value| h["expected_epoch"].as_u64().unwrap_or(0);
                    assert!(
                        shown(&after).max(shown(&h)) >= ran_in,
                        "a late claim not shown late\n{after}\n{}",
                        context()
                    );
                }
            }
        }
        let paid_claim = received.saturating_sub(deposited);
        if !racing {
            self.check_paid_from_own_tranche(&book, &t.view("get_claims", json!({})), unlock, paid_claim, &out);
        }
        self.note_promise(i);
    }

    /// No tranche but the holder's (unlocking at `unlock`) gave NEAR in the reserve to a
    /// withdrawal that paid `paid` of a claim: each other tranche's `ready` NEAR only grew by
    /// what the buffer covered, and claims already paid for in full (`matured`) shrank by no
    /// more than the claim paid from them.
    fn check_paid_from_own_tranche(
        &self,
        before: &Value,
        after: &Value,
        unlock: u64,
        paid: u128,
        out: &ExecutionResult,
    ) {
        let covered = |epoch: u64| -> u128 {
            out.events()
                .iter()
                .filter(|e| e["event"] == "claims_covered" && e["data"][0]["unlock_epoch"] == json!(epoch))
                .map(|e| num(&e["data"][0]["amount"]))
                .sum()
        };
        let ready = |book: &Value, epoch: u64| -> Option<u128> {
            book["tranches"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["unlock_epoch"] == json!(epoch))
                .map(|t| num(&t["ready"]))
        };
        let own_is_matured = ready(before, unlock).is_none();
        for tranche in before["tranches"].as_array().unwrap() {
            let epoch = tranche["unlock_epoch"].as_u64().unwrap();
            if epoch == unlock {
                continue;
            }
            if let Some(now) = ready(after, epoch) {
                assert!(
                    now >= num(&tranche["ready"]),
                    "tranche {epoch} gave NEAR to a claim of tranche {unlock}\n{before:#}\n{after:#}"
                );
                assert!(now <= num(&tranche["ready"]) + covered(epoch), "tranche {epoch} grew by more than its covers");
            }
        }
        let (matured_before, matured_after) = (num(&before["matured"]), num(&after["matured"]));
        let most = if own_is_matured { paid } else { 0 };
        assert!(matured_after + most >= matured_before, "claims paid for in full gave NEAR to tranche {unlock}");
    }

    /// The claim book is exactly the holders' claims: for each unlock epoch, the tranche owes
    /// what the holders (and the instant-unstake pool) with that unlock epoch are owed; claims of
    /// tranches paid for in full sum to `matured`. And, once the responsive keeper has cranked
    /// (`cranked`), every claim due is payable or shown late.
    fn check_book(&self, cranked: bool) {
        let t = &self.t;
        let epoch = t.net.epoch_height();
        let book: Value = t.view("get_claims", json!({}));
        let tranches = book["tranches"].as_array().unwrap();
        let mut owed: std::collections::BTreeMap<u64, u128> = Default::default();
        let mut holders = vec![];
        for who in self.users.iter().chain([&t.treasury, &self.receiver]) {
            let h = self.holder(who);
            let claim = num(&h["unstaked_balance"]) - num(&h["deposited_balance"]);
            if claim > 0 {
                *owed.entry(h["unlock_epoch"].as_u64().unwrap()).or_default() += claim;
                holders.push(h);
            }
        }
        let pool: Value = t.view("get_liquidity_pool", json!({}));
        if num(&pool["claim"]) > 0 {
            *owed.entry(pool["claim_unlock_epoch"].as_u64().unwrap()).or_default() += num(&pool["claim"]);
        }
        let mut matured = 0;
        for (unlock, claims) in &owed {
            match tranches.iter().find(|tr| tr["unlock_epoch"] == json!(unlock)) {
                Some(tranche) => assert_eq!(num(&tranche["owed"]), *claims, "tranche {unlock}: {book:#}"),
                None => matured += claims,
            }
        }
        assert_eq!(num(&book["matured"]), matured, "matured claims: {book:#}");
        for tranche in tranches {
            assert!(
                owed.contains_key(&tranche["unlock_epoch"].as_u64().unwrap()),
                "a tranche nobody is owed: {book:#}"
            );
        }
        // Deposits sit in their own bucket: no claim is ever paid from them.
        let deposited: u128 = self
            .users
            .iter()
            .chain([&t.treasury, &self.receiver])
            .map(|w| num(&self.holder(w)["deposited_balance"]))
            .sum();
        assert_eq!(t.bucket("deposits"), deposited, "deposits are not all in their bucket");
        if cranked {
            for h in holders {
                let due = h["unlock_epoch"].as_u64().unwrap() <= epoch;
                let late = h["expected_epoch"].as_u64().unwrap() > epoch;
                assert!(
                    !due || h["can_withdraw"] == json!(true) || late,
                    "a due claim is neither payable nor shown late: {h}\n{book:#}"
                );
            }
        }
    }

    /// The invariants, after every step.
    fn check(&mut self) {
        let t = &self.t;
        let s = t.solvency();
        assert_eq!(s["solvent"], json!(true), "insolvent: {s:#}");
        let totals = &s["totals"];
        assert_eq!(
            num(&totals["unstaked"]),
            num(&totals["reserve"]) + num(&totals["to_unstake"]) + num(&totals["claims_unstaking"]),
            "unstaked balances do not match their funding"
        );
        // The supply is every holder's tokens, the pool's, and the dead seed shares.
        let mut held: u128 = self.users.iter().chain([&t.treasury, &self.receiver]).map(|a| t.shares(a)).sum();
        held += num(&t.view::<Value>("get_liquidity_pool", json!({}))["tokens"]);
        assert_eq!(t.u128("ft_total_supply", json!({})), held + SEED, "supply != sum of balances");
        assert_eq!(t.shares(&t.lst), SEED + num(&t.view::<Value>("get_liquidity_pool", json!({}))["tokens"]));
        self.check_book(false);
        // No pool lost funds here, so the price never falls.
        let price = t.u128("ft_price", json!({}));
        assert!(price >= self.price, "the price fell from {} to {price}", self.price);
        self.price = price;
    }
}

fn run(seed: u64, steps: usize) {
    let mut sim = Sim::new(seed);
    let mut done = 0;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for _ in 0..steps {
            let step = sim.step();
            if std::env::var_os("SIM_TRACE").is_some() {
                let records = sim.t.validators();
                let records = records.iter().map(|v| {
                    format!("{}/{}/{}/{}", v["staked"], v["unstaked"], v["unlock_epoch"], v["status"]).replace('"', "")
                });
                eprintln!(
                    "{done} epoch {}: {step} | {}",
                    sim.t.net.epoch_height(),
                    records.collect::<Vec<_>>().join(" ")
                );
            }
            sim.log.push(step);
            sim.check();
            done += 1;
        }
        // Every promise is kept in the end: on its epoch, or (shown late meanwhile) when its NEAR
        // arrives, with a responsive keeper from now on.
        sim.keeper = Keeper::Responsive;
        let last = sim.promises.iter().flatten().map(|(_, unlock)| *unlock).max().unwrap_or(0);
        let last = last.max(sim.t.net.epoch_height()) + 30;
        while sim.promises.iter().any(Option::is_some) && sim.t.net.epoch_height() <= last {
            sim.end_epoch();
            sim.log.push("epoch ends".to_string());
            sim.check();
        }
        assert!(
            sim.promises.iter().all(Option::is_none),
            "a promise was never kept: {:?} in epoch {}\n{:#}\n{:#}\n{:#}",
            sim.promises,
            sim.t.net.epoch_height(),
            sim.t.view::<Value>("get_claims", json!({})),
            json!(sim.t.validators()),
            sim.t.crank_status()
        );
    }));
    if std::env::var_os("SIM_REPORT").is_some() {
        eprintln!("seed {seed}: {done} steps, late claims refused {}, pools {:?}", sim.late_refused, sim.hostility);
    }
    if let Err(e) = result {
        let recent = sim.log.iter().rev().take(10).cloned().collect::<Vec<_>>();
        panic!(
            "invariant broken at step {done} with seed {seed}: {:?}\nlast steps (newest first): {recent:#?}\nreplay: \
             SIM_SEED={seed} SIM_STEPS={} cargo test -p liquid-staking --test simulation -- --nocapture",
            e.downcast_ref::<String>().map(String::as_str).or(e.downcast_ref::<&str>().copied()),
            (done + 1).min(steps)
        );
    }
}

#[test]
fn random_lives_keep_every_invariant() {
    let steps = std::env::var("SIM_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let seeds: Vec<u64> = match std::env::var("SIM_SEED").ok().and_then(|s| s.parse().ok()) {
        Some(seed) => vec![seed],
        None => {
            let count = std::env::var("SIM_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
            (1..=count).collect()
        }
    };
    for seed in seeds {
        run(seed, steps);
    }
}

/// The lives that found bugs, kept as regression tests: a restaked claim taking reserve NEAR
/// other claims counted on, and a failed unstake's restore underflowing after such a restake
/// (seed 4); a validator serving only the requests above its target (seed 35); an offline
/// validator's past unlock epoch taken as the epoch a busy set is free again (seed 49); a
/// validator locked by a lost callback when its claims matured, with the crank reporting no
/// work left (seed 45: `retry_at` now says when the lock is reconciled). With the claim book and
/// its adversaries: a claim whose NEAR waited at a validator through an epoch with no keeper
/// shown as expected in a past epoch (seed 2, at step 1,589); a stake whose pool call and
/// callback both failed taken as done because the pool also held an unbooked donation (seed 10,
/// at step 1,647).
#[test]
fn lives_that_found_bugs_keep_every_invariant() {
    for (seed, steps) in [(4, 1_700), (35, 2_000), (45, 1_000), (49, 700), (2, 1_600), (10, 1_650)] {
        run(seed, steps);
    }
}
