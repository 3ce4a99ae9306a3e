//! NEP-297 events: NEP-141's `ft_mint`, `ft_burn`, `ft_transfer`, and this contract's own
//! `liquid-staking` events for deposits, stakes, unstakes, withdrawals, registrations, the
//! crank, instant unstake and governance. Amounts are decimal strings, as in NEP-141.
//!
//! Each event is a `#[must_use]` struct naming its fields; [`Event::emit`] logs it through the
//! one writer ([`json::Object`]), so an event's name and standard live with its type and no
//! caller spells them.

use crate::json::Object;
use near_sdk::{AccountId, env};

/// An event's data: its fields.
pub trait Data {
    fn data(&self, o: &mut Object);
}

/// An event: its standard and its name.
pub trait Event: Data + Sized {
    const STANDARD: &'static str = "liquid-staking";
    fn name(&self) -> &'static str;

    fn emit(self) {
        log(Self::STANDARD, self.name(), &self);
    }
}

/// Logs `EVENT_JSON:{"standard","version","event","data":[{...}]}`, built in one string (one
/// copy of this code for all event types).
fn log(standard: &str, name: &str, event: &dyn Data) {
    let mut log = String::with_capacity(256);
    for part in [r#"EVENT_JSON:{"standard":""#, standard, r#"","version":"1.0.0","event":""#, name, r#"","data":["#] {
        log.push_str(part);
    }
    let mut data = Object::within(log);
    event.data(&mut data);
    let mut log = data.end();
    log.push_str("]}");
    env::log_str(&log);
}

/// Tokens minted to `owner_id` (NEP-141).
#[must_use = "an event is logged by `emit`"]
pub struct FtMint<'a> {
    pub owner_id: &'a AccountId,
    pub amount: u128,
}

impl Event for FtMint<'_> {
    const STANDARD: &'static str = "nep141";
    fn name(&self) -> &'static str {
        "ft_mint"
    }
}

impl Data for FtMint<'_> {
    fn data(&self, o: &mut Object) {
        o.account("owner_id", self.owner_id).amount("amount", self.amount);
    }
}

/// Tokens burnt from `owner_id` (NEP-141).
#[must_use = "an event is logged by `emit`"]
pub struct FtBurn<'a> {
    pub owner_id: &'a AccountId,
    pub amount: u128,
}

impl Event for FtBurn<'_> {
    const STANDARD: &'static str = "nep141";
    fn name(&self) -> &'static str {
        "ft_burn"
    }
}

impl Data for FtBurn<'_> {
    fn data(&self, o: &mut Object) {
        o.account("owner_id", self.owner_id).amount("amount", self.amount);
    }
}

/// Tokens moved between holders (NEP-141); the memo only when there is one.
#[must_use = "an event is logged by `emit`"]
pub struct FtTransfer<'a> {
    pub old_owner_id: &'a AccountId,
    pub new_owner_id: &'a AccountId,
    pub amount: u128,
    pub memo: Option<&'a str>,
}

impl Event for FtTransfer<'_> {
    const STANDARD: &'static str = "nep141";
    fn name(&self) -> &'static str {
        "ft_transfer"
    }
}

impl Data for FtTransfer<'_> {
    fn data(&self, o: &mut Object) {
        o.account("old_owner_id", self.old_owner_id)
            .account("new_owner_id", self.new_owner_id)
            .amount("amount", self.amount);
        if let Some(memo) = self.memo {
            o.str("memo", memo);
        }
    }
}

/// An account registered (`registered`) or unregistered, with its storage deposit.
#[must_use = "an event is logged by `emit`"]
pub struct Registration<'a> {
    pub account_id: &'a AccountId,
    pub storage_deposit: u128,
    pub registered: bool,
}

impl Event for Registration<'_> {
    fn name(&self) -> &'static str {
        if self.registered { "register" } else { "unregister" }
    }
}

impl Data for Registration<'_> {
    fn data(&self, o: &mut Object) {
        o.account("account_id", self.account_id).amount("storage_deposit", self.storage_deposit);
    }
}

/// NEAR parked with `deposit`.
#[must_use = "an event is logged by `emit`"]
pub struct Deposit<'a> {
    pub account_id: &'a AccountId,
    pub amount: u128,
}

impl Event for Deposit<'_> {
    fn name(&self) -> &'static str {
        "deposit"
    }
}

impl Data for Deposit<'_> {
    fn data(&self, o: &mut Object) {
        o.account("account_id", self.account_id).amount("amount", self.amount);
    }
}

/// `amount` NEAR staked for `shares` tokens, by `stake`/`stake_all` (from the unstaked balance)
/// or, when `attached`, by `deposit_and_stake`.
#[must_use = "an event is logged by `emit`"]
pub struct Stake<'a> {
    pub account_id: &'a AccountId,
    pub amount: u128,
    pub shares: u128,
    pub attached: bool,
}

impl Event for Stake<'_> {
    fn name(&self) -> &'static str {
        if self.attached { "deposit_and_stake" } else { "stake" }
    }
}

impl Data for Stake<'_> {
    fn data(&self, o: &mut Object) {
        o.account("account_id", self.account_id).amount("amount", self.amount).amount("shares", self.shares);
    }
}

/// `shares` tokens burnt for `amount` NEAR, withdrawable from `unlock_epoch`.
#[must_use = "an event is logged by `emit`"]
pub struct Unstake<'a> {
    pub account_id: &'a AccountId,
    pub amount: u128,
    pub shares: u128,
    pub unlock_epoch: u64,
}

impl Event for Unstake<'_> {
    fn name(&self) -> &'static str {
        "unstake"
    }
}

impl Data for Unstake<'_> {
    fn data(&self, o: &mut Object) {
        o.account("account_id", self.account_id)
            .amount("amount", self.amount)
            .amount("shares", self.shares)
            .integer("unlock_epoch", self.unlock_epoch);
    }
}

#[must_use = "an event is logged by `emit`"]
pub struct Withdraw<'a> {
    pub account_id: &'a AccountId,
    pub amount: u128,
}

impl Event for Withdraw<'_> {
    fn name(&self) -> &'static str {
        "withdraw"
    }
}

impl Data for Withdraw<'_> {
    fn data(&self, o: &mut Object) {
        o.account("account_id", self.account_id).amount("amount", self.amount);
    }
}

/// A crank operation on a validator's pool, as the pool answered it.
#[must_use = "an event is logged by `emit`"]
pub struct ValidatorOperation<'a> {
    pub validator_id: &'a AccountId,
    pub operation: &'static str,
    pub amount: u128,
    pub succeeded: bool,
}

impl Event for ValidatorOperation<'_> {
    fn name(&self) -> &'static str {
        "validator_operation"
    }
}

impl Data for ValidatorOperation<'_> {
    fn data(&self, o: &mut Object) {
        o.account("validator_id", self.validator_id)
            .str("operation", self.operation)
            .amount("amount", self.amount)
            .boolean("succeeded", self.succeeded);
    }
}

/// A validator's pool cannot be synced or keeps reporting more than it can earn: it is drained
/// (`faulty`); or the manager cleared that mark after review.
#[must_use = "an event is logged by `emit`"]
pub struct ValidatorFaulty<'a> {
    pub validator_id: &'a AccountId,
    pub reason: &'a str,
    pub faulty: bool,
}

impl Event for ValidatorFaulty<'_> {
    fn name(&self) -> &'static str {
        if self.faulty { "validator_faulty" } else { "validator_cleared" }
    }
}

impl Data for ValidatorFaulty<'_> {
    fn data(&self, o: &mut Object) {
        o.account("validator_id", self.validator_id).str("reason", self.reason);
    }
}

/// A pool paid `amount` it held for us beyond what was booked (a donation to it, or rewards it
/// credited while it could not be synced); `booked` of it is a gain for holders, the rest is
/// left outside the buckets (more than a pool can plausibly have held: see [`crate::settle`]).
#[must_use = "an event is logged by `emit`"]
pub struct UnbookedArrived<'a> {
    pub validator_id: &'a AccountId,
    pub amount: u128,
    pub booked: u128,
}

impl Event for UnbookedArrived<'_> {
    fn name(&self) -> &'static str {
        "unbooked_arrived"
    }
}

impl Data for UnbookedArrived<'_> {
    fn data(&self, o: &mut Object) {
        o.account("validator_id", self.validator_id).amount("amount", self.amount).amount("booked", self.booked);
    }
}

/// Dust left at a removed validator, written off as a loss.
#[must_use = "an event is logged by `emit`"]
pub struct WriteOff<'a> {
    pub validator_id: &'a AccountId,
    pub amount: u128,
}

impl Event for WriteOff<'_> {
    fn name(&self) -> &'static str {
        "write_off"
    }
}

impl Data for WriteOff<'_> {
    fn data(&self, o: &mut Object) {
        o.account("validator_id", self.validator_id).amount("amount", self.amount);
    }
}

/// Claims unlocking at `unlock_epoch`, due and short of NEAR, paid for with `amount` of the
/// buffer (NEAR staked and not yet delegated): the protocol covers what was late. `missing` is
/// what the tranche still lacks.
#[must_use = "an event is logged by `emit`"]
pub struct ClaimsCovered {
    pub unlock_epoch: u64,
    pub amount: u128,
    pub missing: u128,
}

impl Event for ClaimsCovered {
    fn name(&self) -> &'static str {
        "claims_covered"
    }
}

impl Data for ClaimsCovered {
    fn data(&self, o: &mut Object) {
        o.integer("unlock_epoch", self.unlock_epoch).amount("amount", self.amount).amount("missing", self.missing);
    }
}

/// Claims unlocking at `unlock_epoch` are due and `missing` of their NEAR has not reached the
/// reserve, nor could the protocol cover it: expected from `expected_epoch`, and paid first from
/// any NEAR that arrives before. Logged by the crank once an epoch while it lasts.
#[must_use = "an event is logged by `emit`"]
pub struct ClaimsLate {
    pub unlock_epoch: u64,
    pub owed: u128,
    pub missing: u128,
    pub expected_epoch: u64,
}

impl Event for ClaimsLate {
    fn name(&self) -> &'static str {
        "claims_late"
    }
}

impl Data for ClaimsLate {
    fn data(&self, o: &mut Object) {
        o.integer("unlock_epoch", self.unlock_epoch)
            .amount("owed", self.owed)
            .amount("missing", self.missing)
            .integer("expected_epoch", self.expected_epoch);
    }
}

/// The epoch's rewards (negative for a loss), what went into the price, what is held back, and
/// the treasury's fee in tokens.
#[must_use = "an event is logged by `emit`"]
pub struct EpochRewards {
    pub epoch: u64,
    pub change: i128,
    pub applied: u128,
    pub held_back: u128,
    pub fee_shares: u128,
}

impl Event for EpochRewards {
    fn name(&self) -> &'static str {
        "epoch_rewards"
    }
}

impl Data for EpochRewards {
    fn data(&self, o: &mut Object) {
        o.integer("epoch", self.epoch)
            .signed("change", self.change)
            .amount("applied", self.applied)
            .amount("held_back", self.held_back)
            .amount("fee_shares", self.fee_shares);
    }
}

/// `tokens` sold to the pool for `near` NEAR after `fee`.
#[must_use = "an event is logged by `emit`"]
pub struct InstantUnstake<'a> {
    pub account_id: &'a AccountId,
    pub tokens: u128,
    pub near: u128,
    pub fee: u128,
}

impl Event for InstantUnstake<'_> {
    fn name(&self) -> &'static str {
        "instant_unstake"
    }
}

impl Data for InstantUnstake<'_> {
    fn data(&self, o: &mut Object) {
        o.account("account_id", self.account_id)
            .amount("tokens", self.tokens)
            .amount("near", self.near)
            .amount("fee", self.fee);
    }
}

/// Liquidity added (`added`) or removed: NEAR, tokens and unstaked NEAR moved for `lp_shares`.
#[must_use = "an event is logged by `emit`"]
pub struct Liquidity<'a> {
    pub account_id: &'a AccountId,
    pub near: u128,
    pub tokens: u128,
    pub unstaked: u128,
    pub lp_shares: u128,
    pub added: bool,
}

impl Event for Liquidity<'_> {
    fn name(&self) -> &'static str {
        if self.added { "add_liquidity" } else { "remove_liquidity" }
    }
}

impl Data for Liquidity<'_> {
    fn data(&self, o: &mut Object) {
        o.account("account_id", self.account_id)
            .amount("near", self.near)
            .amount("tokens", self.tokens)
            .amount("unstaked", self.unstaked)
            .amount("lp_shares", self.lp_shares);
    }
}

/// A parameter change scheduled from `epoch`; `old` and `new` are JSON values.
#[must_use = "an event is logged by `emit`"]
pub struct ParameterChange<'a> {
    pub parameter: &'a str,
    pub old: &'a str,
    pub new: &'a str,
    pub epoch: u64,
}

impl Event for ParameterChange<'_> {
    fn name(&self) -> &'static str {
        "parameter_change"
    }
}

impl Data for ParameterChange<'_> {
    fn data(&self, o: &mut Object) {
        o.str("parameter", self.parameter).raw("old", self.old).raw("new", self.new).integer("epoch", self.epoch);
    }
}

/// A role handed from `old` to `new`.
#[must_use = "an event is logged by `emit`"]
pub struct RoleChange<'a> {
    pub role: &'a str,
    pub old: &'a AccountId,
    pub new: &'a AccountId,
}

impl Event for RoleChange<'_> {
    fn name(&self) -> &'static str {
        "role_change"
    }
}

impl Data for RoleChange<'_> {
    fn data(&self, o: &mut Object) {
        o.str("role", self.role).account("old", self.old).account("new", self.new);
    }
}

/// Deposits, staking, instant unstake and new liquidity stopped until `until_epoch` (0: resumed).
#[must_use = "an event is logged by `emit`"]
pub struct Pause {
    pub until_epoch: u64,
}

impl Event for Pause {
    fn name(&self) -> &'static str {
        "pause"
    }
}

impl Data for Pause {
    fn data(&self, o: &mut Object) {
        o.integer("until_epoch", self.until_epoch);
    }
}

/// The code was upgraded and the state migrated between these versions.
#[must_use = "an event is logged by `emit`"]
pub struct Upgrade {
    pub from_version: u32,
    pub to_version: u32,
}

impl Event for Upgrade {
    fn name(&self) -> &'static str {
        "upgrade"
    }
}

impl Data for Upgrade {
    fn data(&self, o: &mut Object) {
        o.integer("from_version", self.from_version as u64).integer("to_version", self.to_version as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_renders_fields_in_order_and_escapes_strings() {
        let mut o = Object::within("[".to_string());
        let id: AccountId = "alice.near".parse().unwrap();
        o.str("memo", "a \"quoted\"\nline").amount("amount", 5u128).boolean("ok", true).raw("old", "{\"n\":1}");
        o.account("id", &id).signed("change", -3);
        let expected =
            r#"[{"memo":"a \"quoted\"\nline","amount":"5","ok":true,"old":{"n":1},"id":"alice.near","change":"-3"}"#;
        assert_eq!(o.end(), expected);
        assert_eq!(Object::within(String::new()).end(), "{}");
    }
}
