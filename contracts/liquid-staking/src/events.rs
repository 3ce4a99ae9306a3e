//! NEP-297 events: NEP-141's `ft_mint`, `ft_burn`, `ft_transfer`, and this contract's own
//! `liquid-staking` events for deposits, stakes, unstakes, withdrawals and registrations.
//! Amounts are decimal strings, as in NEP-141.

use crate::json;
use near_sdk::{AccountId, env};

const STANDARD: &str = "liquid-staking";
const VERSION: &str = "1.0.0";

fn emit(standard: &str, version: &str, event: &str, data: &str) {
    env::log_str(&format!(
        r#"EVENT_JSON:{{"standard":"{standard}","version":"{version}","event":"{event}","data":[{data}]}}"#
    ));
}

/// `,"memo":"..."` with the memo JSON-escaped, or nothing.
fn memo_field(memo: Option<&str>) -> String {
    memo.map(|m| format!(r#","memo":{}"#, json::string(m))).unwrap_or_default()
}

pub fn ft_mint(owner_id: &AccountId, amount: u128) {
    emit("nep141", VERSION, "ft_mint", &format!(r#"{{"owner_id":"{owner_id}","amount":"{amount}"}}"#));
}

pub fn ft_burn(owner_id: &AccountId, amount: u128) {
    emit("nep141", VERSION, "ft_burn", &format!(r#"{{"owner_id":"{owner_id}","amount":"{amount}"}}"#));
}

pub fn ft_transfer(old_owner_id: &AccountId, new_owner_id: &AccountId, amount: u128, memo: Option<&str>) {
    let memo = memo_field(memo);
    emit(
        "nep141",
        VERSION,
        "ft_transfer",
        &format!(r#"{{"old_owner_id":"{old_owner_id}","new_owner_id":"{new_owner_id}","amount":"{amount}"{memo}}}"#),
    );
}

pub fn register(account_id: &AccountId, storage_deposit: u128) {
    emit(
        STANDARD,
        VERSION,
        "register",
        &format!(r#"{{"account_id":"{account_id}","storage_deposit":"{storage_deposit}"}}"#),
    );
}

pub fn unregister(account_id: &AccountId, storage_deposit: u128) {
    emit(
        STANDARD,
        VERSION,
        "unregister",
        &format!(r#"{{"account_id":"{account_id}","storage_deposit":"{storage_deposit}"}}"#),
    );
}

pub fn deposit(account_id: &AccountId, amount: u128) {
    emit(STANDARD, VERSION, "deposit", &format!(r#"{{"account_id":"{account_id}","amount":"{amount}"}}"#));
}

/// `amount` NEAR staked for `shares` tokens, by `stake`/`stake_all` (from the unstaked balance)
/// or by `deposit_and_stake`.
pub fn stake(event: &str, account_id: &AccountId, amount: u128, shares: u128) {
    emit(
        STANDARD,
        VERSION,
        event,
        &format!(r#"{{"account_id":"{account_id}","amount":"{amount}","shares":"{shares}"}}"#),
    );
}

/// `shares` tokens burnt for `amount` NEAR, withdrawable from `unlock_epoch`.
pub fn unstake(account_id: &AccountId, amount: u128, shares: u128, unlock_epoch: u64) {
    emit(
        STANDARD,
        VERSION,
        "unstake",
        &format!(
            r#"{{"account_id":"{account_id}","amount":"{amount}","shares":"{shares}","unlock_epoch":{unlock_epoch}}}"#
        ),
    );
}

pub fn withdraw(account_id: &AccountId, amount: u128) {
    emit(STANDARD, VERSION, "withdraw", &format!(r#"{{"account_id":"{account_id}","amount":"{amount}"}}"#));
}

/// A crank operation on a validator's pool, as the pool answered it.
pub fn validator_operation(validator_id: &AccountId, op: &str, amount: u128, succeeded: bool) {
    emit(
        STANDARD,
        VERSION,
        "validator_operation",
        &format!(
            r#"{{"validator_id":"{validator_id}","operation":"{op}","amount":"{amount}","succeeded":{succeeded}}}"#
        ),
    );
}

/// A validator's pool gave an answer no pool can hold, or cannot be synced: it is drained.
pub fn validator_faulty(validator_id: &AccountId, reason: &str) {
    emit(STANDARD, VERSION, "validator_faulty", &format!(r#"{{"validator_id":"{validator_id}","reason":"{reason}"}}"#));
}

/// Dust left at a removed validator, written off as a loss.
pub fn write_off(validator_id: &AccountId, amount: u128) {
    emit(STANDARD, VERSION, "write_off", &format!(r#"{{"validator_id":"{validator_id}","amount":"{amount}"}}"#));
}

/// The epoch's rewards (negative for a loss), what went into the price, what is held back, and
/// the treasury's fee in tokens.
pub fn epoch_rewards(epoch: u64, change: i128, applied: u128, held_back: u128, fee_shares: u128) {
    emit(
        STANDARD,
        VERSION,
        "epoch_rewards",
        &format!(
            r#"{{"epoch":{epoch},"change":"{change}","applied":"{applied}","held_back":"{held_back}","fee_shares":"{fee_shares}"}}"#
        ),
    );
}

/// `tokens` sold to the pool for `near` NEAR after `fee`.
pub fn instant_unstake(account_id: &AccountId, tokens: u128, near: u128, fee: u128) {
    emit(
        STANDARD,
        VERSION,
        "instant_unstake",
        &format!(r#"{{"account_id":"{account_id}","tokens":"{tokens}","near":"{near}","fee":"{fee}"}}"#),
    );
}

/// Liquidity added (`event` "add_liquidity") or removed ("remove_liquidity"): NEAR, tokens and
/// unstaked NEAR moved for `lp_shares`.
pub fn liquidity(event: &str, account_id: &AccountId, near: u128, tokens: u128, claim: u128, lp_shares: u128) {
    emit(
        STANDARD,
        VERSION,
        event,
        &format!(
            r#"{{"account_id":"{account_id}","near":"{near}","tokens":"{tokens}","unstaked":"{claim}","lp_shares":"{lp_shares}"}}"#
        ),
    );
}

/// A parameter change scheduled from `epoch`; `old` and `new` are JSON values.
pub fn parameter_change(parameter: &str, old: &str, new: &str, epoch: u64) {
    emit(
        STANDARD,
        VERSION,
        "parameter_change",
        &format!(r#"{{"parameter":"{parameter}","old":{old},"new":{new},"epoch":{epoch}}}"#),
    );
}

/// A role handed from `old` to `new`.
pub fn role_change(role: &str, old: &AccountId, new: &AccountId) {
    emit(STANDARD, VERSION, "role_change", &format!(r#"{{"role":"{role}","old":"{old}","new":"{new}"}}"#));
}

/// Deposits, staking, instant unstake and new liquidity stopped until `until` (0: resumed).
pub fn pause(until: u64) {
    emit(STANDARD, VERSION, "pause", &format!(r#"{{"until_epoch":{until}}}"#));
}

/// The code was upgraded and the state migrated between these versions.
pub fn upgrade(from: u32, to: u32) {
    emit(STANDARD, VERSION, "upgrade", &format!(r#"{{"from_version":{from},"to_version":{to}}}"#));
}
