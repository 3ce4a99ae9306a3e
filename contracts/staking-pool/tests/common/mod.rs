//! Shared set-up for the staking pool's tests: a pool deployed and initialised on localnet.
#![allow(dead_code)] // each test file uses its own subset

use localnet::{Account, ExecutionResult, Localnet, NEAR, TGAS, account_key, build::contract_wasm};
use serde_json::{Value, json};

pub struct Pool {
    pub net: Localnet,
    pub pool: Account,
    pub owner: Account,
}

/// A pool `pool.owner.near` created by its owner with `balance` NEAR (all but 1 NEAR staked at
/// once, owned by nobody) and the given fee. The owner pays the gas, as a pool factory would.
pub fn setup(net: Localnet, balance: u128, fee: (u32, u32)) -> Pool {
    let owner = net.create_account("owner", balance + 100 * NEAR);
    let pool = net.account(&format!("pool.{}", owner.id()));
    let args = json!({
        "owner_id": owner.id(),
        "stake_public_key": account_key(pool.id()).to_string(),
        "reward_fee_fraction": {"numerator": fee.0, "denominator": fee.1},
    });
    owner
        .batch(pool.id())
        .create_account()
        .transfer(balance)
        .deploy(&contract_wasm("staking-pool"))
        .call("new", args, 0, 100 * TGAS)
        .transact()
        .unwrap();
    Pool { net, pool, owner }
}

impl Pool {
    pub fn call(&self, who: &Account, method: &str, args: Value, deposit: u128) -> ExecutionResult {
        who.call(self.pool.id(), method).args_json(args).deposit(deposit).transact()
    }

    /// Calls `method` on the pool from contract `caller` (the test-caller contract, which calls
    /// the way NEAR's lockup contract does: a fixed `gas_tgas` for the pool call, then a callback
    /// that records the pool's result). The signer attaches enough for the caller's own work.
    pub fn call_from_contract(
        &self,
        caller: &Account,
        method: &str,
        args: Value,
        deposit: u128,
        gas_tgas: u64,
    ) -> ExecutionResult {
        self.owner
            .call(caller.id(), "call")
            .args_json(json!({
                "receiver": self.pool.id(), "method": method, "args": args.to_string(),
                "deposit": deposit.to_string(), "gas_tgas": gas_tgas,
            }))
            .gas(gas_tgas * TGAS + 40 * TGAS)
            .transact()
            .unwrap()
    }

    pub fn view_u128(&self, method: &str, args: Value) -> u128 {
        self.pool.view(method).args_json(args).json::<String>().parse().unwrap()
    }

    pub fn staked(&self, who: &Account) -> u128 {
        self.view_u128("get_account_staked_balance", json!({"account_id": who.id()}))
    }

    pub fn unstaked(&self, who: &Account) -> u128 {
        self.view_u128("get_account_unstaked_balance", json!({"account_id": who.id()}))
    }

    pub fn total_staked(&self) -> u128 {
        self.view_u128("get_total_staked_balance", json!({}))
    }

    /// The pool's NEAR: locked plus liquid.
    pub fn assets(&self) -> u128 {
        let state = self.pool.state();
        state.amount + state.locked
    }
}
