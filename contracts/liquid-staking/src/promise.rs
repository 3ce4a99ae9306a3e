//! Cross-contract receipts over the host functions directly. near-sdk's `Promise` builds a tree
//! of reference-counted nodes before it creates anything; these few calls create the receipts at
//! once, which keeps several kilobytes out of the wasm every call pays to load.

use near_sdk::{AccountId, Gas, GasWeight, NearToken, PromiseIndex, env};

/// Sends `amount` yocto to `to` (nothing for 0).
pub fn transfer(to: &AccountId, amount: u128) {
    if amount > 0 {
        let index = env::promise_batch_create(to);
        env::promise_batch_action_transfer(index, NearToken::from_yoctonear(amount));
    }
}

/// A receipt to `account` calling `method` with `args`, `deposit` and exactly `gas`.
pub fn call(account: &AccountId, method: &str, args: &[u8], deposit: u128, gas: Gas) -> PromiseIndex {
    let index = env::promise_batch_create(account);
    add_call(index, method, args, deposit, gas);
    index
}

/// One more function call action in the receipt `index` (it runs after the others, atomically).
pub fn add_call(index: PromiseIndex, method: &str, args: &[u8], deposit: u128, gas: Gas) {
    env::promise_batch_action_function_call(index, method, args, NearToken::from_yoctonear(deposit), gas);
}

/// A function call action with `gas` plus the share `weight` of the gas this call leaves unused.
pub fn add_call_weight(index: PromiseIndex, method: &str, args: &[u8], gas: Gas, weight: u64) {
    env::promise_batch_action_function_call_weight(index, method, args, NearToken::ZERO, gas, GasWeight(weight));
}

/// A receipt to this contract calling `method` once `after` has run (its callback).
pub fn then_self(after: PromiseIndex, method: &str, args: &[u8], gas: Gas) -> PromiseIndex {
    let index = env::promise_batch_then(after, &env::current_account_id());
    add_call(index, method, args, 0, gas);
    index
}
