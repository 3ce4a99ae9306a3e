//! The staking-pool interface: deposit, stake, unstake and withdraw, as accounting only.
//!
//! Staked NEAR goes to the buffer; unstaking burns tokens at the current price and fixes the
//! NEAR owed, withdrawable `NUM_EPOCHS_TO_UNLOCK` epochs after the epoch in which the crank can
//! request it from validators, paid from the reserve. Every unstake restarts the holder's delay
//! for its whole unstaked balance, as in the core staking pool.
//!
//! Stakes and unstakes net against each other here, before any validator is involved: new NEAR
//! first pays holders' unstaked balances that are due and late, then those still waiting to be
//! requested from validators, and an unstake is first paid out of the buffer
//! ([`crate::claims`]).

use crate::errors;
use crate::events::Event;
use crate::exit::burn_for_claim;
use crate::state::{self, Holder, Totals};
use crate::{access, claims, events, ledger, math, promise};
use near_sdk::{AccountId, env, require};

fn no_deposit(method: &str) {
    if !env::attached_deposit().is_zero() {
        env::panic_str(&errors::staking::no_deposit(method));
    }
}

/// Takes the attached deposit, registering the caller first if it is new (its storage is paid
/// out of the deposit). Returns the caller's record and the NEAR left to credit.
fn take_deposit(totals: &mut Totals, account_id: &AccountId) -> (Holder, u128) {
    access::assert_not_paused(totals.paused_until);
    let deposit = env::attached_deposit().as_yoctonear();
    require!(deposit > 0, errors::staking::DEPOSIT_POSITIVE);
    if let Some(holder) = state::holder(account_id) {
        return (holder, deposit);
    }
    let cost = state::storage_cost(account_id);
    if deposit <= cost {
        env::panic_str(&errors::staking::below_storage_cost(cost));
    }
    events::Registration { account_id, storage_deposit: cost, registered: true }.emit();
    (ledger::register(totals, account_id), deposit - cost)
}

/// Mints tokens for `amount` NEAR at the current price.
fn mint(totals: &mut Totals, holder: &mut Holder, amount: u128) -> u128 {
    let shares = math::shares_for_deposit(amount, totals.total_staked, totals.total_shares);
    require!(shares > 0, errors::staking::TOO_SMALL_TO_MINT);
    holder.shares += shares;
    totals.total_shares += shares;
    shares
}

/// Moves `amount` (all when `None`) of what the caller is owed back into the pool, deposits
/// first.
fn stake_unstaked(amount: Option<u128>) {
    let account_id = env::predecessor_account_id();
    let mut holder = state::holder(&account_id).unwrap_or_default();
    let amount = amount.unwrap_or(holder.owed());
    require!(amount > 0, errors::staking::STAKE_POSITIVE);
    require!(holder.owed() >= amount, errors::staking::NOT_ENOUGH_TO_STAKE);
    let mut totals = Totals::load();
    access::assert_not_paused(totals.paused_until);
    let (deposited, unstaked) = holder.take_owed(amount);
    // Tokens at the price before the NEAR rejoins the pool.
    let shares = mint(&mut totals, &mut holder, amount);
    ledger::stake_deposited(&mut totals, deposited);
    claims::restake(&mut totals, unstaked, holder.unlock_epoch as u64, env::epoch_height());
    state::save_holder(&account_id, &holder);
    totals.save();
    events::Stake { account_id: &account_id, amount, shares, attached: false }.emit();
    events::FtMint { owner_id: &account_id, amount: shares }.emit();
}

/// Burns `shares` of the caller's tokens for `amount` NEAR, owed from the unlock epoch. The
/// holder's earlier claim moves to that epoch with its NEAR ([`claims::move_claim`]).
fn unstake_shares(account_id: &AccountId, totals: &mut Totals, mut holder: Holder, amount: u128, shares: u128) {
    let epoch = env::epoch_height();
    let (earlier, earlier_unlock) = (holder.unstaked, holder.unlock_epoch as u64);
    let not_before = if earlier > 0 && earlier_unlock > epoch { earlier_unlock } else { 0 };
    holder.shares -= shares;
    let unlock_epoch = burn_for_claim(totals, amount, shares, not_before);
    claims::move_claim(totals, earlier, earlier_unlock, unlock_epoch, epoch);
    holder.unstaked += amount;
    holder.unlock_epoch =
        u32::try_from(unlock_epoch).unwrap_or_else(|_| env::panic_str(errors::staking::EPOCH_OVERFLOW));
    state::save_holder(account_id, &holder);
    totals.save();
    events::Unstake { account_id, amount, shares, unlock_epoch }.emit();
    events::FtBurn { owner_id: account_id, amount: shares }.emit();
}

/// Withdraws `amount` (all that can be paid now when `None`) of what the caller is owed: its
/// deposits at any time, its unstaked NEAR once its unlock epoch has come and its tranche's NEAR
/// is in the reserve (deposits go first).
fn withdraw_amount(amount: Option<u128>) {
    let account_id = env::predecessor_account_id();
    let mut holder = state::holder(&account_id).unwrap_or_default();
    let epoch = env::epoch_height();
    let mut totals = Totals::load();
    let unlock = holder.unlock_epoch as u64;
    let payable = if holder.unlocked(epoch) { claims::payable(&totals, unlock, epoch) } else { 0 };
    // `withdraw_all` takes what can be paid now (all it is owed, when nothing can, so the error
    // says why).
    let withdrawable = holder.deposited + if payable >= holder.unstaked { holder.unstaked } else { 0 };
    let amount = amount.unwrap_or(if withdrawable > 0 { withdrawable } else { holder.owed() });
    require!(amount > 0, errors::staking::WITHDRAW_POSITIVE);
    require!(holder.owed() >= amount, errors::staking::NOT_ENOUGH_TO_WITHDRAW);
    require!(holder.withdrawable(epoch) >= amount, errors::staking::NOT_YET_UNLOCKED);
    let (deposited, unstaked) = holder.take_owed(amount);
    ledger::pay_out(&mut totals, (deposited, unstaked), unlock, errors::staking::CLAIM_LATE);
    events::Withdraw { account_id: &account_id, amount }.emit();
    let mut paid = amount;
    // A holder that leaves with nothing gets its storage deposit back with its last withdrawal:
    // lockup contracts, which cannot call `storage_unregister`, would otherwise leave it here.
    if holder.shares == 0 && holder.owed() == 0 && state::lp_shares_of(&account_id) == 0 {
        let cost = state::storage_cost(&account_id);
        ledger::unregister(&mut totals, &account_id, &holder);
        events::Registration { account_id: &account_id, storage_deposit: cost, registered: false }.emit();
        paid += cost;
    } else {
        state::save_holder(&account_id, &holder);
    }
    totals.save();
    promise::transfer(&account_id, paid);
}

/// Adds the attached NEAR to the caller's unstaked balance (registering a new caller).
pub fn deposit() {
    let account_id = env::predecessor_account_id();
    let mut totals = Totals::load();
    let (mut holder, amount) = take_deposit(&mut totals, &account_id);
    holder.deposited += amount;
    ledger::deposit_liquid(&mut totals, amount);
    state::save_holder(&account_id, &holder);
    totals.save();
    events::Deposit { account_id: &account_id, amount }.emit();
}

/// Stakes the attached NEAR (less the storage cost of a new holder) and returns the tokens
/// minted.
pub fn deposit_and_stake() -> u128 {
    let account_id = env::predecessor_account_id();
    let mut totals = Totals::load();
    let (mut holder, amount) = take_deposit(&mut totals, &account_id);
    let shares = mint(&mut totals, &mut holder, amount);
    ledger::stake_deposit(&mut totals, amount);
    events::Stake { account_id: &account_id, amount, shares, attached: true }.emit();
    events::FtMint { owner_id: &account_id, amount: shares }.emit();
    state::save_holder(&account_id, &holder);
    totals.save();
    shares
}

/// Stakes `amount` of the caller's unstaked balance.
pub fn stake(amount: u128) {
    no_deposit("stake");
    stake_unstaked(Some(amount));
}

pub fn stake_all() {
    no_deposit("stake_all");
    stake_unstaked(None);
}

/// Unstakes `amount` NEAR, burning `ceil(amount * S / T)` tokens. Unstaking exactly the
/// reported staked balance always succeeds.
pub fn unstake(amount: u128) {
    no_deposit("unstake");
    require!(amount > 0, errors::staking::UNSTAKE_POSITIVE);
    let account_id = env::predecessor_account_id();
    let mut totals = Totals::load();
    let holder = state::holder(&account_id).unwrap_or_default();
    let shares = math::shares_to_burn(amount, totals.total_staked, totals.total_shares);
    require!(shares <= holder.shares, errors::staking::NOT_ENOUGH_STAKED);
    unstake_shares(&account_id, &mut totals, holder, amount, shares);
}

/// Unstakes all the caller's tokens, for their value rounded down.
pub fn unstake_all() {
    no_deposit("unstake_all");
    let account_id = env::predecessor_account_id();
    let mut totals = Totals::load();
    let holder = state::holder(&account_id).unwrap_or_default();
    let (shares, amount) = (holder.shares, math::value_of(holder.shares, totals.total_staked, totals.total_shares));
    require!(amount > 0, errors::staking::UNSTAKE_POSITIVE);
    unstake_shares(&account_id, &mut totals, holder, amount, shares);
}

/// Withdraws `amount` of the caller's unstaked balance once its unlock epoch has come.
pub fn withdraw(amount: u128) {
    no_deposit("withdraw");
    withdraw_amount(Some(amount));
}

pub fn withdraw_all() {
    no_deposit("withdraw_all");
    withdraw_amount(None);
}
