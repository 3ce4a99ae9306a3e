//! Test contract: a NEP-141 receiver whose `ft_on_transfer` answer is chosen by `msg`:
//! `keep:N` keeps N and returns the rest, `raw:TEXT` returns TEXT verbatim (malformed answers),
//! `panic` fails.
use near_sdk::json_types::U128;
use near_sdk::{AccountId, env, near};

#[near(contract_state)]
#[derive(Default)]
pub struct Receiver {}

#[near]
impl Receiver {
    pub fn ft_on_transfer(sender_id: AccountId, amount: U128, msg: String) {
        env::log_str(&format!("received {} from {sender_id}", amount.0));
        match msg.split_once(':') {
            Some(("keep", kept)) => {
                let kept: u128 = kept.parse().expect("keep:N takes a number");
                let unused = amount.0.saturating_sub(kept);
                env::value_return(format!("\"{unused}\"").as_bytes());
            }
            Some(("raw", text)) => env::value_return(text.as_bytes()),
            _ => env::panic_str("receiver refused"),
        }
    }
}
