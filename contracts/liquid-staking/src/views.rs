//! Views, as JSON: the staking-pool interface's with the core pool's shapes (unknown accounts
//! read as zeros), plus the holder details, configuration and a solvency check.

use crate::claims::{self, InFlight};
use crate::config::{Config, TokenMetadata};
use crate::json::Object;
use crate::state::{self, Holder, Totals};
use crate::{exit, json, ledger, math, validators};
use near_sdk::{AccountId, env};

fn staked_balance(holder: &Holder, totals: &Totals) -> u128 {
    math::value_of(holder.shares, totals.total_staked, totals.total_shares)
}

/// Whether `withdraw_all` would pay the holder's unstaked NEAR now: unlocked, and its
/// tranche's NEAR in the reserve (what the ledger checks when it pays, [`claims::payable`]), so
/// a wallet or lockup contract that sees `true` never meets a refused withdrawal.
fn can_withdraw(holder: &Holder, totals: &Totals) -> bool {
    let epoch = env::epoch_height();
    holder.unlocked(epoch) && claims::payable(totals, holder.unlock_epoch as u64, epoch) >= holder.unstaked
}

fn account_json(account_id: &AccountId, holder: &Holder, totals: &Totals) -> String {
    let mut o = Object::new();
    o.account("account_id", account_id)
        .amount("unstaked_balance", holder.owed())
        .amount("staked_balance", staked_balance(holder, totals))
        .boolean("can_withdraw", can_withdraw(holder, totals));
    o.end()
}

/// `get_account`: the core pool's account shape.
pub fn account(account_id: &AccountId) -> String {
    account_json(account_id, &state::holder(account_id).unwrap_or_default(), &Totals::load())
}

pub fn staked(account_id: &AccountId) -> u128 {
    staked_balance(&state::holder(account_id).unwrap_or_default(), &Totals::load())
}

pub fn unstaked(account_id: &AccountId) -> u128 {
    state::holder(account_id).map_or(0, |h| h.owed())
}

pub fn is_unstaked_available(account_id: &AccountId) -> bool {
    state::holder(account_id).is_none_or(|h| can_withdraw(&h, &Totals::load()))
}

/// `get_accounts`: holders `from_index .. from_index + limit` in registration order (a holder
/// that unregisters hands its place to the last one).
pub fn accounts(from_index: u64, limit: u64) -> String {
    let totals = Totals::load();
    let end = from_index.saturating_add(limit).min(totals.holders as u64);
    json::array(
        (from_index..end)
            .filter_map(|i| state::holder_at(i as u32))
            .map(|id| account_json(&id, &state::holder(&id).unwrap_or_default(), &totals)),
    )
}

/// `get_holder`: everything about one holder, including when its unstaked NEAR unlocks.
pub fn holder(account_id: &AccountId) -> String {
    let holder = state::holder(account_id).unwrap_or_default();
    let totals = Totals::load();
    let mut o = Object::new();
    o.account("account_id", account_id)
        .amount("shares", holder.shares)
        .amount("staked_balance", staked_balance(&holder, &totals))
        .amount("unstaked_balance", holder.owed())
        .amount("deposited_balance", holder.deposited)
        .integer("unlock_epoch", holder.unlock_epoch as u64)
        .boolean("can_withdraw", can_withdraw(&holder, &totals))
        .epoch("expected_epoch", expected_epoch(&holder, &totals));
    o.end()
}

/// The epoch from which the holder's unstaked NEAR is expected to be paid: its unlock epoch when
/// its tranche is on time, later when the tranche's NEAR is late (`u64::MAX`, shown as null,
/// when nothing is unstaked).
fn expected_epoch(holder: &Holder, totals: &Totals) -> u64 {
    if holder.unstaked == 0 {
        return u64::MAX;
    }
    let (epoch, unlock) = (env::epoch_height(), holder.unlock_epoch as u64);
    if can_withdraw(holder, totals) {
        return unlock;
    }
    match totals.claims.get(unlock) {
        Some(tranche) => exit::expected(totals, tranche, validators::arrival(&InFlight::load(), tranche), epoch),
        None => unlock,
    }
}

pub fn config_json() -> String {
    let c = Config::load();
    let mut o = Object::new();
    o.account("owner_id", &c.owner_id)
        .account("treasury_id", &c.treasury_id)
        .raw("reward_fee", &c.reward_fee.json())
        .account("manager_id", &c.manager_id)
        .opt_str("whitelist_id", c.whitelist_id.as_ref().map(|id| id.as_str()))
        .raw("max_reward_rate", &c.max_reward_rate.json())
        .integer("drain_after_epochs", c.drain_after_epochs);
    o.end()
}

pub fn metadata_json(m: &TokenMetadata) -> String {
    let mut o = Object::new();
    o.str("spec", &m.spec)
        .str("name", &m.name)
        .str("symbol", &m.symbol)
        .opt_str("icon", m.icon.as_deref())
        .opt_str("reference", m.reference.as_deref())
        .opt_str("reference_hash", m.reference_hash.as_deref())
        .integer("decimals", m.decimals as u64);
    o.end()
}

/// `get_solvency`: the buckets; assets (buffered, reserve, delegated and unstaking NEAR, the
/// instant-unstake pool's NEAR and fees) against liabilities (staked plus unstaked balances, and
/// what the pool owes its providers and the treasury; the difference is rewards held back by the
/// rate bound); the account's liquid balance against the NEAR the buckets say it holds (buffered,
/// reserve, storage deposits, the pool's NEAR and fees; the surplus is donations and the
/// operator's own funds); `solvent` when [`ledger::check`] finds every invariant holding.
pub fn solvency() -> String {
    let t = Totals::load();
    let (assets, liabilities, tracked) = (ledger::assets(&t), ledger::liabilities(&t), ledger::tracked(&t));
    let balance = env::account_balance().as_yoctonear();
    let mut buckets = Object::new();
    buckets
        .amount("total_shares", t.total_shares)
        .amount("total_staked", t.total_staked)
        .amount("buffered", t.buffered)
        .amount("reserve", t.claims.reserve())
        .amount("deposits", t.deposits)
        .amount("unstaked", t.claims.owed())
        .amount("storage_deposits", t.storage_deposits)
        .integer("holders", t.holders as u64)
        .amount("delegated", t.delegated)
        .amount("unstaking", t.unstaking)
        .amount("to_unstake", t.claims.queued(u64::MAX))
        .amount("claims_unstaking", t.claims.unstaking())
        .amount("due_short", t.claims.short(env::epoch_height()))
        .amount("stuck", crate::exit::stuck())
        .amount("pending_rewards", t.pending_rewards)
        .amount("liquidity", t.liquidity)
        .amount("liquidity_fees", t.liquidity_fees)
        .amount("treasury_fees", t.treasury_fees);
    let mut o = Object::new();
    o.raw("totals", &buckets.end())
        .amount("assets", assets)
        .amount("liabilities", liabilities)
        .amount("balance", balance)
        .amount("tracked", tracked)
        .boolean("solvent", ledger::check(&t, balance).is_ok());
    o.end()
}

/// `get_claims`: the claim book. Claims due and paid for (`matured`), what claims due by now
/// miss in the reserve (`due_short`), and each tranche: its unlock epoch, what it owes, its
/// NEAR in the reserve, queued and being unstaked, and the epoch it is expected to be paid from
/// (`get_validators` shows each validator's unstaking NEAR and when it is released).
pub fn claims_json() -> String {
    let (t, f, epoch) = (Totals::load(), InFlight::load(), env::epoch_height());
    let mut tranches = String::from("[");
    for tranche in &t.claims.tranches {
        let mut o = Object::within(item(tranches));
        o.integer("unlock_epoch", tranche.epoch)
            .amount("owed", tranche.owed)
            .amount("ready", tranche.ready)
            .amount("queued", tranche.queued)
            .amount("unstaking", tranche.unstaking())
            .integer("expected_epoch", exit::expected(&t, tranche, validators::arrival(&f, tranche), epoch));
        tranches = o.end();
    }
    let mut o = Object::new();
    o.integer("epoch", epoch)
        .amount("matured", t.claims.matured)
        .amount("due_short", t.claims.short(epoch))
        .raw("tranches", &(tranches + "]"));
    o.end()
}

/// `list` (an open JSON array) ready for its next item.
fn item(mut list: String) -> String {
    if list.len() > 1 {
        list.push(',');
    }
    list
}
