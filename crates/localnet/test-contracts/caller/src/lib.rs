//! Test contract for localnet: cross-contract calls, callbacks, gas weights, transfers and stake.
use near_sdk::json_types::U128;
use near_sdk::{AccountId, Gas, GasWeight, NearToken, Promise, PromiseError, PublicKey, env, near, serde_json::json};

const CALL_GAS: Gas = Gas::from_tgas(10);
const CALLBACK_GAS: Gas = Gas::from_tgas(10);
/// How long a promise result this contract is willing to read.
const MAX_RESULT_LEN: usize = 1_000;

#[near(contract_state)]
#[derive(Default)]
pub struct Caller {
    /// What the last callback saw: one entry per promise result, `None` for a failed one.
    last_results: Vec<Option<String>>,
    /// Calls made with `call` (a state change that a failed receipt rolls back).
    calls: u32,
}

#[near]
impl Caller {
    /// `counter.increment(by)`, then `on_results` on this contract.
    pub fn call_increment(&mut self, counter: AccountId, by: i64) -> Promise {
        increment(counter, by, NearToken::ZERO).then(self.callback())
    }

    /// `counter.increment_and_fail()` (with an optional deposit), then `on_results`.
    #[payable]
    pub fn call_failing(&mut self, counter: AccountId, deposit: U128) -> Promise {
        Promise::new(counter)
            .function_call("increment_and_fail", vec![], NearToken::from_yoctonear(deposit.0), CALL_GAS)
            .then(self.callback())
    }

    /// Two calls joined with `and`; the callback sees both results in order.
    pub fn call_both(&mut self, counter: AccountId) -> Promise {
        let failing =
            Promise::new(counter.clone()).function_call("increment_and_fail", vec![], NearToken::ZERO, CALL_GAS);
        increment(counter, 5, NearToken::ZERO).and(failing).then(self.callback())
    }

    /// Returns the counter's promise, so the transaction's value comes from the counter.
    pub fn forward(&mut self, counter: AccountId, by: i64) -> Promise {
        increment(counter, by, NearToken::ZERO)
    }

    /// Two calls with no static gas and weights 1 and 3: they share the unused gas 1:3.
    pub fn split_gas(&mut self, counter: AccountId) {
        let args = json!({ "by": 1 }).to_string().into_bytes();
        Promise::new(counter.clone())
            .function_call_weight("increment", args.clone(), NearToken::ZERO, Gas::from_gas(0), GasWeight(1))
            .detach();
        Promise::new(counter)
            .function_call_weight("increment", args, NearToken::ZERO, Gas::from_gas(0), GasWeight(3))
            .detach();
    }

    /// Calls any method with the given deposit and gas, then `on_results` (the way NEAR's lockup
    /// contract calls a staking pool: fixed gas per method and a callback that reads the result).
    #[payable]
    pub fn call(&mut self, receiver: AccountId, method: String, args: String, deposit: U128, gas_tgas: u64) -> Promise {
        self.calls += 1;
        Promise::new(receiver)
            .function_call(method, args.into_bytes(), NearToken::from_yoctonear(deposit.0), Gas::from_tgas(gas_tgas))
            .then(self.callback())
    }

    /// Sends `amount` yocto of this contract's balance to `to`.
    pub fn send(&mut self, to: AccountId, amount: U128) -> Promise {
        Promise::new(to).transfer(NearToken::from_yoctonear(amount.0))
    }

    /// Issues a Stake action for this account.
    pub fn stake(&mut self, amount: U128, public_key: PublicKey) -> Promise {
        Promise::new(env::current_account_id()).stake(NearToken::from_yoctonear(amount.0), public_key)
    }

    /// Records every promise result it was called with.
    #[private]
    pub fn on_results(&mut self) -> Vec<Option<String>> {
        self.last_results = (0..env::promise_results_count())
            .map(|i| {
                let result: Result<Vec<u8>, PromiseError> = env::promise_result_checked(i, MAX_RESULT_LEN);
                result.ok().map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            })
            .collect();
        self.last_results.clone()
    }

    pub fn last_results(&self) -> Vec<Option<String>> {
        self.last_results.clone()
    }

    pub fn calls(&self) -> u32 {
        self.calls
    }
}

impl Caller {
    fn callback(&self) -> Promise {
        Promise::new(env::current_account_id()).function_call("on_results", vec![], NearToken::ZERO, CALLBACK_GAS)
    }
}

fn increment(counter: AccountId, by: i64, deposit: NearToken) -> Promise {
    let args = json!({ "by": by }).to_string().into_bytes();
    Promise::new(counter).function_call("increment", args, deposit, CALL_GAS)
}
