//! The liquid token: NEP-141 transfers (with `ft_transfer_call`), NEP-148 metadata and the price.
//! A token is one share of the pool, so transfers move shares and touch only the two holders.

use crate::config::TokenMetadata;
use crate::errors;
use crate::events::Event;
use crate::state::{self, Totals};
use crate::{access, events, gas, json, liquidity, math, promise, text};
use near_sdk::{AccountId, Gas, PromiseIndex, env, require};

/// The most a contract can return (the protocol's `max_length_returned_data`, 4 MiB).
const MAX_RETURN_LEN: usize = 4 << 20;

fn transfer(sender_id: &AccountId, receiver_id: &AccountId, amount: u128, memo: Option<&str>) {
    require!(sender_id != receiver_id, errors::token::SAME_ACCOUNT);
    require!(amount > 0, errors::token::AMOUNT_POSITIVE);
    let mut sender = state::registered(sender_id);
    let mut receiver = state::registered(receiver_id);
    require!(sender.shares >= amount, errors::token::NOT_ENOUGH_BALANCE);
    sender.shares -= amount;
    receiver.shares += amount;
    state::save_holder(sender_id, &sender);
    state::save_holder(receiver_id, &receiver);
    events::FtTransfer { old_owner_id: sender_id, new_owner_id: receiver_id, amount, memo }.emit();
}

pub fn ft_transfer(receiver_id: &AccountId, amount: u128, memo: Option<&str>) {
    access::assert_one_yocto();
    transfer(&env::predecessor_account_id(), receiver_id, amount, memo);
}

/// Transfers, then calls `receiver_id.ft_on_transfer(sender_id, amount, msg)` with all the
/// remaining gas but 5 Tgas; `ft_resolve_transfer` answers what the receiver used.
pub fn ft_transfer_call(receiver_id: &AccountId, amount: u128, memo: Option<&str>, msg: &str) -> PromiseIndex {
    access::assert_one_yocto();
    if env::prepaid_gas() < gas::MIN_TRANSFER_CALL {
        env::panic_str(&errors::token::transfer_call_gas(gas::MIN_TRANSFER_CALL.as_tgas()));
    }
    let sender_id = env::predecessor_account_id();
    transfer(&sender_id, receiver_id, amount, memo);
    let (sender, receiver, amount) = (sender_id.as_str(), receiver_id.as_str(), &json::u128(amount));
    let args =
        text::join(&[r#"{"sender_id":""#, sender, r#"","amount":"#, amount, r#","msg":"#, &json::string(msg), "}"]);
    let resolve =
        text::join(&[r#"{"sender_id":""#, sender, r#"","receiver_id":""#, receiver, r#"","amount":"#, amount, "}"]);
    let call = env::promise_batch_create(receiver_id);
    promise::add_call_weight(call, "ft_on_transfer", args.as_bytes(), Gas::from_gas(0), 1);
    promise::then_self(call, "ft_resolve_transfer", resolve.as_bytes(), gas::RESOLVE_TRANSFER)
}

/// Returns the unused part of a `ft_transfer_call` to the sender and answers the amount the
/// receiver kept. Any answer from the receiver is handled: a failure or a malformed amount
/// refunds everything; the refund is limited to what the receiver still holds; if the sender
/// has unregistered since, the refund is burnt.
pub fn ft_resolve_transfer(sender_id: &AccountId, receiver_id: &AccountId, amount: u128) -> u128 {
    // The answer is read whole, as NEP-141's reference does: any valid JSON U128 (a decimal
    // string, with any whitespace around it) is honoured, anything else refunds everything.
    let unused = match env::promise_result_checked(0, MAX_RETURN_LEN) {
        Ok(bytes) => match json::parse(&bytes) {
            Ok(json::Value::String(s)) => s.parse::<u128>().map_or(amount, |u| u.min(amount)),
            _ => amount,
        },
        Err(_) => amount,
    };
    let Some(mut receiver) = state::holder(receiver_id) else {
        return amount;
    };
    let refund = unused.min(receiver.shares);
    if refund == 0 {
        return amount;
    }
    receiver.shares -= refund;
    state::save_holder(receiver_id, &receiver);
    match state::holder(sender_id) {
        Some(mut sender) => {
            sender.shares += refund;
            state::save_holder(sender_id, &sender);
            events::FtTransfer {
                old_owner_id: receiver_id,
                new_owner_id: sender_id,
                amount: refund,
                memo: Some("refund"),
            }
            .emit();
        }
        None => {
            let mut totals = Totals::load();
            totals.total_shares -= refund;
            totals.save();
            events::FtBurn { owner_id: receiver_id, amount: refund }.emit();
        }
    }
    amount - refund
}

/// The account's tokens. The contract account also owns the seed's dead shares and the tokens
/// the instant-unstake pool bought (the events mint, move and burn them as its own), so the
/// balances add up to the supply as indexers count them from the events.
pub fn ft_balance_of(account_id: &AccountId) -> u128 {
    let own = state::holder(account_id).map_or(0, |h| h.shares);
    if *account_id != env::current_account_id() {
        return own;
    }
    own + state::read::<u128>(state::SEED).unwrap_or(0) + liquidity::Pool::load().tokens
}

pub fn ft_metadata() -> TokenMetadata {
    state::read(state::METADATA).unwrap_or_else(|| env::panic_str(errors::state::NOT_INITIALIZED))
}

/// The NEAR value of one token (10^24 of its smallest units), rounded down.
pub fn ft_price() -> u128 {
    let totals = Totals::load();
    math::price(totals.total_staked, totals.total_shares)
}
