//! The protocol deployed on localnet: the liquid staking contract, staking pools as its
//! validators, and a keeper that runs the epoch crank. Shared by the contracts' tests, the demo,
//! the gas and yield reports and `lst node`.

use localnet::{Account, ExecutionResult, Localnet, NEAR, TGAS, account_key, build::contract_wasm};
use serde_json::{Value, json};

/// The seed stake the pool is initialised with (dead shares).
pub const SEED: u128 = 10 * NEAR;
/// Gas for one crank call: the protocol's limit, so one call works on as many validators as it
/// can (7: each takes up to 125 Tgas).
pub const CRANK_GAS: u64 = 1_000 * TGAS;
/// NEAR each staking pool starts with (all but 1 NEAR staked by its owner).
pub const POOL_BALANCE: u128 = 11 * NEAR;

pub struct Protocol {
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

impl Protocol {
    /// Deploys the liquid staking contract on `lst.near` with a 10 NEAR seed stake; the owner
    /// `owner.near` (also the manager) holds enough NEAR to create many pools.
    pub fn deploy(net: Localnet) -> Self {
        Self::deploy_wasm(net, &contract_wasm("liquid-staking"))
    }

    /// [`Protocol::deploy`] with another build of the contract.
    pub fn deploy_wasm(net: Localnet, wasm: &[u8]) -> Self {
        let owner = net.create_account("owner", 5_000 * NEAR);
        let treasury = net.create_account("treasury", NEAR);
        let lst = net.create_account("lst", 50 * NEAR);
        // The contract is told the chain's epoch length (mainnet's unless `new` says otherwise).
        let mut init = init_args(&owner, &treasury);
        init["epoch_blocks"] = json!(net.config().epoch_length);
        lst.batch(lst.id()).deploy(wasm).call("new", init, SEED, 100 * TGAS).transact().unwrap();
        Protocol { net, lst, owner, treasury }
    }

    /// A call with the 30 Tgas of NEAR's documented near-cli commands.
    pub fn call(&self, who: &Account, method: &str, args: Value, deposit: u128) -> ExecutionResult {
        who.call(self.lst.id(), method).args_json(args).deposit(deposit).gas(30 * TGAS).transact()
    }

    pub fn view<T: serde::de::DeserializeOwned>(&self, method: &str, args: Value) -> T {
        let result = self.lst.view(method).args_json(args).call().unwrap_or_else(|e| panic!("{method}: {e}"));
        serde_json::from_slice(&result.result).unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// A view answering a yocto amount.
    pub fn u128(&self, method: &str, args: Value) -> u128 {
        self.view::<String>(method, args).parse().unwrap()
    }

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
                    "stake_public_key": account_key(pool.id()).to_string(),
                    "reward_fee_fraction": {"numerator": 0, "denominator": 1},
                });
                self.owner
                    .batch(pool.id())
                    .create_account()
                    .transfer(POOL_BALANCE)
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

    /// One crank call by the keeper `keeper.near`, with all the gas a call can have.
    pub fn crank_once(&self) -> ExecutionResult {
        let keeper = self.net.account("keeper.near");
        if self.net.view_account(keeper.id()).is_none() {
            self.net.create_account("keeper", 10_000 * NEAR);
        }
        keeper.call(self.lst.id(), "crank").args_json(json!({})).gas(CRANK_GAS).transact().unwrap()
    }

    /// Cranks until no work is left this epoch, as a keeper would; returns the outcomes.
    pub fn crank(&self) -> Vec<ExecutionResult> {
        let mut outcomes = vec![];
        for _ in 0..50 {
            outcomes.push(self.crank_once());
            if !self.crank_status()["work_left"].as_bool().unwrap() {
                return outcomes;
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

    pub fn solvency(&self) -> Value {
        self.view("get_solvency", json!({}))
    }

    /// A bucket of `get_solvency`'s totals.
    pub fn bucket(&self, name: &str) -> u128 {
        self.solvency()["totals"][name].as_str().unwrap().parse().unwrap()
    }
}
