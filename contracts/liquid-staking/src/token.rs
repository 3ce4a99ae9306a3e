//! The liquid token: NEP-141 transfers (with `ft_transfer_call`), NEP-148 metadata and the price.
//! A token is one share of the pool, so transfers move shares and touch only the two holders.

use crate::state::{self, Totals};
use crate::{Contract, ContractExt, TokenMetadata, events, math};
use near_sdk::json_types::U128;
use near_sdk::serde_json;
use near_sdk::{
    AccountId, Gas, GasWeight, NearToken, Promise, assert_one_yocto, env, near, require,
};

/// Gas kept for `ft_resolve_transfer`; the receiver gets all the rest.
const GAS_FOR_RESOLVE_TRANSFER: Gas = Gas::from_tgas(5);
/// The least gas `ft_transfer_call` accepts: the resolve callback plus 10 Tgas for the receiver.
const MIN_GAS_FOR_TRANSFER_CALL: Gas = Gas::from_tgas(15);
/// Longer answers from `ft_on_transfer` are not a valid amount and count as "refund all".
const MAX_RESULT_LEN: usize = 64;

fn transfer(sender_id: &AccountId, receiver_id: &AccountId, amount: u128, memo: Option<&str>) {
    require!(
        sender_id != receiver_id,
        "The sender and the receiver should be different"
    );
    require!(amount > 0, "The amount should be a positive number");
    let mut sender = state::registered(sender_id);
    let mut receiver = state::registered(receiver_id);
    require!(
        sender.shares >= amount,
        "The account doesn't have enough balance"
    );
    sender.shares -= amount;
    receiver.shares += amount;
    state::save_holder(sender_id, &sender);
    state::save_holder(receiver_id, &receiver);
    events::ft_transfer(sender_id, receiver_id, amount, memo);
}

#[near]
impl Contract {
    pub fn ft_transfer(receiver_id: AccountId, amount: U128, memo: Option<String>) {
        assert_one_yocto();
        transfer(
            &env::predecessor_account_id(),
            &receiver_id,
            amount.0,
            memo.as_deref(),
        );
    }

    /// Transfers, then calls `receiver_id.ft_on_transfer(sender_id, amount, msg)` with all the
    /// remaining gas but 5 Tgas; `ft_resolve_transfer` returns what the receiver did not use.
    pub fn ft_transfer_call(
        receiver_id: AccountId,
        amount: U128,
        memo: Option<String>,
        msg: String,
    ) -> Promise {
        assert_one_yocto();
        require!(
            env::prepaid_gas() >= MIN_GAS_FOR_TRANSFER_CALL,
            "Not enough gas: ft_transfer_call needs at least 15 Tgas"
        );
        let sender_id = env::predecessor_account_id();
        transfer(&sender_id, &receiver_id, amount.0, memo.as_deref());
        let args = serde_json::json!({"sender_id": sender_id, "amount": amount, "msg": msg});
        Promise::new(receiver_id.clone())
            .function_call_weight(
                "ft_on_transfer",
                args.to_string().into_bytes(),
                NearToken::ZERO,
                Gas::from_gas(0),
                GasWeight(1),
            )
            .then(
                Self::ext(env::current_account_id())
                    .with_static_gas(GAS_FOR_RESOLVE_TRANSFER)
                    .with_unused_gas_weight(0)
                    .ft_resolve_transfer(sender_id, receiver_id, amount),
            )
    }

    /// Returns the unused part of a `ft_transfer_call` to the sender and answers the amount the
    /// receiver kept. Any answer from the receiver is handled: a failure or a malformed amount
    /// refunds everything; the refund is limited to what the receiver still holds; if the sender
    /// has unregistered since, the refund is burnt.
    #[private]
    pub fn ft_resolve_transfer(sender_id: AccountId, receiver_id: AccountId, amount: U128) -> U128 {
        let amount = amount.0;
        let unused = match env::promise_result_checked(0, MAX_RESULT_LEN) {
            Ok(bytes) => serde_json::from_slice::<U128>(&bytes).map_or(amount, |u| u.0.min(amount)),
            Err(_) => amount,
        };
        let Some(mut receiver) = state::holder(&receiver_id) else {
            return U128(amount);
        };
        let refund = unused.min(receiver.shares);
        if refund == 0 {
            return U128(amount);
        }
        receiver.shares -= refund;
        state::save_holder(&receiver_id, &receiver);
        match state::holder(&sender_id) {
            Some(mut sender) => {
                sender.shares += refund;
                state::save_holder(&sender_id, &sender);
                events::ft_transfer(&receiver_id, &sender_id, refund, Some("refund"));
            }
            None => {
                let mut totals = Totals::load();
                totals.total_shares -= refund;
                totals.save();
                events::ft_burn(&receiver_id, refund);
            }
        }
        U128(amount - refund)
    }

    pub fn ft_total_supply() -> U128 {
        U128(Totals::load().total_shares)
    }

    pub fn ft_balance_of(account_id: AccountId) -> U128 {
        U128(state::holder(&account_id).map_or(0, |h| h.shares))
    }

    pub fn ft_metadata() -> TokenMetadata {
        state::read(state::METADATA)
            .unwrap_or_else(|| env::panic_str("The contract is not initialized"))
    }

    /// The NEAR value of one token (10^24 of its smallest units), rounded down.
    pub fn ft_price() -> U128 {
        let totals = Totals::load();
        U128(math::value_of(
            10u128.pow(24),
            totals.total_staked,
            totals.total_shares,
        ))
    }
}
