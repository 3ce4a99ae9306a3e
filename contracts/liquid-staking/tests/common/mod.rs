//! Shared set-up for the liquid staking contract's tests: the production wasm on localnet.
#![allow(dead_code)] // each test file uses its own subset

use localnet::{Account, ExecutionResult, Localnet, NEAR, TGAS, build::contract_wasm};
use serde_json::{Value, json};

/// The seed stake the tests initialise the pool with (dead shares).
pub const SEED: u128 = 10 * NEAR;
/// Yocto per byte of storage.
pub const BYTE_COST: u128 = 10_000_000_000_000_000_000;

pub struct Lst {
    pub net: Localnet,
    pub lst: Account,
    pub owner: Account,
    pub treasury: Account,
}

pub fn metadata() -> Value {
    json!({
        "spec": "ft-1.0.0", "name": "Liquid Staked NEAR", "symbol": "lsNEAR",
        "icon": null, "reference": null, "reference_hash": null, "decimals": 24,
    })
}

pub fn init_args(owner: &Account, treasury: &Account) -> Value {
    json!({
        "owner_id": owner.id(), "treasury_id": treasury.id(),
        "reward_fee": {"numerator": 1, "denominator": 10}, "metadata": metadata(),
    })
}

pub fn setup() -> Lst {
    let net = Localnet::new();
    let owner = net.create_account("owner", 5_000 * NEAR);
    let treasury = net.create_account("treasury", NEAR);
    let lst = net.create_account("lst", 50 * NEAR);
    lst.batch(lst.id())
        .deploy(&contract_wasm("liquid-staking"))
        .call("new", init_args(&owner, &treasury), SEED, 100 * TGAS)
        .transact()
        .unwrap();
    Lst { net, lst, owner, treasury }
}

/// Storage a holder pays for: 126 bytes plus twice its account id.
pub fn storage_cost(account: &Account) -> u128 {
    (126 + 2 * account.id().len() as u128) * BYTE_COST
}

impl Lst {
    /// A call with the 30 Tgas of NEAR's documented near-cli commands.
    pub fn call(&self, who: &Account, method: &str, args: Value, deposit: u128) -> ExecutionResult {
        who.call(self.lst.id(), method).args_json(args).deposit(deposit).gas(30 * TGAS).transact()
    }

    pub fn view<T: serde::de::DeserializeOwned>(&self, method: &str, args: Value) -> T {
        self.lst.view(method).args_json(args).json()
    }

    pub fn u128(&self, method: &str, args: Value) -> u128 {
        self.view::<String>(method, args).parse().unwrap()
    }

    pub fn shares(&self, who: &Account) -> u128 {
        self.u128("ft_balance_of", json!({"account_id": who.id()}))
    }

    pub fn staked(&self, who: &Account) -> u128 {
        self.u128("get_account_staked_balance", json!({"account_id": who.id()}))
    }

    pub fn unstaked(&self, who: &Account) -> u128 {
        self.u128("get_account_unstaked_balance", json!({"account_id": who.id()}))
    }

    pub fn solvency(&self) -> Value {
        self.view("get_solvency", json!({}))
    }

    pub fn assert_solvent(&self) {
        let s = self.solvency();
        assert_eq!(s["solvent"], json!(true), "{s:#}");
    }

    /// Asserts the pool is solvent and its buckets add up exactly (no rewards yet: assets equal
    /// liabilities).
    pub fn assert_balanced(&self) {
        self.assert_solvent();
        let s = self.solvency();
        assert_eq!(s["assets"], s["liabilities"], "{s:#}");
    }
}

/// Gas for one crank call: the protocol's limit, so one call works on as many validators as it
/// can (about 16).
pub const CRANK_GAS: u64 = 1_000 * TGAS;

impl Lst {
    /// Creates `weights.len()` staking pools `v<i>.owner.near` (each staking 10 NEAR of its
    /// own), adds them as validators with these weights, and waits the two epochs the pools
    /// take to join the validator set.
    pub fn add_validators(&self, weights: &[u32]) -> Vec<Account> {
        let pools = weights
            .iter()
            .enumerate()
            .map(|(i, weight)| {
                let pool = self.net.account(&format!("v{i}.{}", self.owner.id()));
                let init = json!({
                    "owner_id": self.owner.id(),
                    "stake_public_key": localnet::account_key(pool.id()).to_string(),
                    "reward_fee_fraction": {"numerator": 0, "denominator": 1},
                });
                self.owner
                    .batch(pool.id())
                    .create_account()
                    .transfer(11 * NEAR)
                    .deploy(&contract_wasm("staking-pool"))
                    .call("new", init, 0, 100 * TGAS)
                    .transact()
                    .unwrap();
                self.call(&self.owner, "add_validator", json!({"account_id": pool.id(), "weight": weight}), 1).unwrap();
                pool
            })
            .collect();
        self.net.advance_epochs(2);
        pools
    }

    /// Cranks until no work is left this epoch; returns the number of calls.
    pub fn crank(&self) -> u32 {
        let keeper = self.net.account("keeper.near");
        if self.net.view_account(keeper.id()).is_none() {
            self.net.create_account("keeper", 1_000 * NEAR);
        }
        for calls in 1..=50 {
            keeper.call(self.lst.id(), "crank").args_json(json!({})).gas(CRANK_GAS).transact().unwrap();
            if !self.crank_status()["work_left"].as_bool().unwrap() {
                return calls;
            }
        }
        panic!("the crank did not finish: {:#}", self.crank_status());
    }

    pub fn crank_status(&self) -> Value {
        self.view("get_crank_status", json!({}))
    }

    pub fn validators(&self) -> Vec<Value> {
        self.view("get_validators", json!({"from_index": 0, "limit": 1000}))
    }

    /// What a pool reports for the liquid staking contract: (staked, unstaked).
    pub fn at_pool(&self, pool: &Account) -> (u128, u128) {
        let account: Value = pool.view("get_account").args_json(json!({"account_id": self.lst.id()})).json();
        let n = |k: &str| account[k].as_str().unwrap().parse::<u128>().unwrap();
        (n("staked_balance"), n("unstaked_balance"))
    }

    /// A bucket of `get_solvency`'s totals.
    pub fn bucket(&self, name: &str) -> u128 {
        self.solvency()["totals"][name].as_str().unwrap().parse().unwrap()
    }

    /// The contract's record of each validator matches what the pools report, and the delegated
    /// and unstaking buckets are their sums.
    pub fn assert_matches_pools(&self, pools: &[Account]) {
        let records = self.validators();
        let (mut staked, mut unstaked) = (0, 0);
        for (pool, record) in pools.iter().zip(&records) {
            let (s, u) = self.at_pool(pool);
            let n = |k: &str| record[k].as_str().unwrap().parse::<u128>().unwrap();
            assert!(n("staked").abs_diff(s) <= 2, "{} staked: ours {} pool {s}", pool.id(), n("staked"));
            assert!(n("unstaked").abs_diff(u) <= 2, "{} unstaked: ours {} pool {u}", pool.id(), n("unstaked"));
            staked += n("staked");
            unstaked += n("unstaked");
        }
        assert_eq!(self.bucket("delegated"), staked);
        assert_eq!(self.bucket("unstaking"), unstaked);
        self.assert_solvent();
    }
}
