//! Views, as JSON: the staking-pool interface's with the core pool's shapes (unknown accounts
//! read as zeros), plus the holder details, configuration and a solvency check.

use crate::config::{Config, TokenMetadata};
use crate::state::{self, Holder, Totals};
use crate::{json, ledger, math};
use near_sdk::{AccountId, env};

fn staked_balance(holder: &Holder, totals: &Totals) -> u128 {
    math::value_of(holder.shares, totals.total_staked, totals.total_shares)
}

/// Whether `withdraw_all` would pay the holder's unstaked NEAR now: unlocked, and collected
/// from the validators by this epoch's crank (what the ledger checks when it pays), so a
/// wallet or lockup contract that sees `true` never meets a refused withdrawal.
fn can_withdraw(holder: &Holder, totals: &Totals) -> bool {
    let epoch = env::epoch_height();
    holder.unlocked(epoch) && ledger::claim_payable(totals, holder.unstaked, holder.unlock_epoch as u64, epoch)
}

fn account_json(account_id: &AccountId, holder: &Holder, totals: &Totals) -> String {
    format!(
        r#"{{"account_id":"{account_id}","unstaked_balance":{},"staked_balance":{},"can_withdraw":{}}}"#,
        json::u128(holder.owed()),
        json::u128(staked_balance(holder, totals)),
        can_withdraw(holder, totals)
    )
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
    format!(
        r#"{{"account_id":"{account_id}","shares":{},"staked_balance":{},"unstaked_balance":{},"deposited_balance":{},"unlock_epoch":{},"can_withdraw":{}}}"#,
        json::u128(holder.shares),
        json::u128(staked_balance(&holder, &totals)),
        json::u128(holder.owed()),
        json::u128(holder.deposited),
        holder.unlock_epoch,
        can_withdraw(&holder, &totals)
    )
}

pub fn config_json() -> String {
    let c = Config::load();
    format!(
        concat!(
            r#"{{"owner_id":"{}","treasury_id":"{}","reward_fee":{},"manager_id":"{}","whitelist_id":{},"#,
            r#""max_reward_rate":{},"drain_after_epochs":{}}}"#
        ),
        c.owner_id,
        c.treasury_id,
        c.reward_fee.json(),
        c.manager_id,
        json::opt_string(c.whitelist_id.as_ref().map(|id| id.as_str())),
        c.max_reward_rate.json(),
        c.drain_after_epochs
    )
}

pub fn metadata_json(m: &TokenMetadata) -> String {
    format!(
        r#"{{"spec":{},"name":{},"symbol":{},"icon":{},"reference":{},"reference_hash":{},"decimals":{}}}"#,
        json::string(&m.spec),
        json::string(&m.name),
        json::string(&m.symbol),
        json::opt_string(m.icon.as_deref()),
        json::opt_string(m.reference.as_deref()),
        json::opt_string(m.reference_hash.as_deref()),
        m.decimals
    )
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
    format!(
        concat!(
            r#"{{"totals":{{"total_shares":{},"total_staked":{},"buffered":{},"reserve":{},"deposits":{},"unstaked":{},"#,
            r#""storage_deposits":{},"holders":{},"delegated":{},"unstaking":{},"to_unstake":{},"#,
            r#""claims_unstaking":{},"stuck":{},"pending_rewards":{},"liquidity":{},"#,
            r#""liquidity_fees":{},"treasury_fees":{}}},"#,
            r#""assets":{},"liabilities":{},"balance":{},"tracked":{},"solvent":{}}}"#
        ),
        json::u128(t.total_shares),
        json::u128(t.total_staked),
        json::u128(t.buffered),
        json::u128(t.reserve),
        json::u128(t.deposits),
        json::u128(t.unstaked),
        json::u128(t.storage_deposits),
        t.holders,
        json::u128(t.delegated),
        json::u128(t.unstaking),
        json::u128(t.to_unstake),
        json::u128(t.claims_unstaking),
        json::u128(crate::exit::stuck()),
        json::u128(t.pending_rewards),
        json::u128(t.liquidity),
        json::u128(t.liquidity_fees),
        json::u128(t.treasury_fees),
        json::u128(assets),
        json::u128(liabilities),
        json::u128(balance),
        json::u128(tracked),
        ledger::check(&t, balance).is_ok()
    )
}
