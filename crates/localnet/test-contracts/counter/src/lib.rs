//! Test contract for localnet: a counter with a payable method, logs, events and a panic.
use near_sdk::{AccountId, NearToken, env, log, near};

#[near(contract_state)]
#[derive(Default)]
pub struct Counter {
    value: i64,
}

#[near]
impl Counter {
    /// Adds `by` and returns the new value.
    pub fn increment(&mut self, by: i64) -> i64 {
        self.value += by;
        log!("value is now {}", self.value);
        self.value
    }

    pub fn get(&self) -> i64 {
        self.value
    }

    /// Keeps the attached deposit and emits a NEP-297 event naming it.
    #[payable]
    pub fn donate(&mut self) -> NearToken {
        let amount = env::attached_deposit();
        env::log_str(&format!(
            r#"EVENT_JSON:{{"standard":"counter","version":"1.0.0","event":"donate","data":[{{"from":"{}","amount":"{}"}}]}}"#,
            env::predecessor_account_id(),
            amount.as_yoctonear()
        ));
        amount
    }

    /// Changes state, then panics: the change must not survive.
    pub fn increment_and_fail(&mut self) {
        self.value += 1;
        env::panic_str("counter refused");
    }

    /// Burns gas in a loop until the prepaid gas runs out.
    pub fn burn_all_gas(&mut self) {
        let mut x = 0u64;
        loop {
            x = x.wrapping_add(env::block_height());
            self.value = x as i64;
        }
    }

    /// Answers from the chain's view of the caller and the validator set.
    pub fn whoami(&self) -> (AccountId, AccountId, AccountId) {
        (env::current_account_id(), env::predecessor_account_id(), env::signer_account_id())
    }

    pub fn chain_info(&self) -> (u64, u64, u64, NearToken, NearToken) {
        (
            env::block_height(),
            env::block_timestamp(),
            env::epoch_height(),
            env::account_balance(),
            env::account_locked_balance(),
        )
    }

    pub fn validator_stake(&self, account_id: AccountId) -> (NearToken, NearToken) {
        (env::validator_stake(&account_id), env::validator_total_stake())
    }
}
