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
    let owner = net.create_account("owner", 100 * NEAR);
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
