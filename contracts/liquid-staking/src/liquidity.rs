//! Instant unstake: an in-contract liquidity pool that buys liquid tokens for NEAR at the current
//! price less a fee.
//!
//! The fee rate falls linearly with the pool's NEAR `x`, from `max_fee` when the pool is empty to
//! `min_fee` at `target` and above: `rate(x) = max - (max - min) * min(x, target) / target`. A swap
//! worth `V` NEAR at the current price moves the pool from `x` down to `x - V`, and pays the
//! integral of the rate over that stretch, rounded up:
//! `fee = ∫ rate(x) dx over [x - V, x]`. The fee is set aside (to LPs and the treasury), so the
//! pool's NEAR falls by exactly `V` and two swaps cost what one swap of their sum costs (up to
//! rounding, which is up on each part: splitting never saves).
//!
//! Liquidity providers own the pool's NEAR, the liquid tokens it bought, the NEAR it is
//! unstaking and their fees. New deposits buy the pool's tokens first (at the price, no fee),
//! refilling its NEAR; tokens above `unstake_threshold` are unstaked, so the pool recovers by
//! itself during an exit wave. Both happen in the crank, never between two swaps, so a swap's cost
//! depends only on the pool's state, not on how the swap is split.

use crate::config::{BPS, Config, LiquidityConfig};
use crate::errors;
use crate::events::Event;
use crate::json::Object;
use crate::record::record;
use crate::state::{self, Totals, lp_shares_of, provider_key, read, write};
use crate::{access, claims, events, exit, ledger, math, promise};
use near_sdk::{AccountId, env, require};
use shares::U256;

const POOL: &[u8] = b"l";
/// LP shares locked forever at the first deposit, so the share price cannot be inflated.
const LOCKED_LP_SHARES: u128 = 1_000;

/// What the liquidity providers own besides the NEAR in `Totals::liquidity`.
#[cfg_attr(any(not(target_arch = "wasm32"), feature = "sdk-codecs"), near_sdk::near(serializers = [borsh]))]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pool {
    pub lp_shares: u128,
    /// Liquid tokens the pool bought.
    pub tokens: u128,
    /// NEAR the pool is unstaking, withdrawable from `claim_unlock_epoch`.
    pub claim: u128,
    pub claim_unlock_epoch: u64,
}

record!(Pool { lp_shares, tokens, claim, claim_unlock_epoch });

impl Pool {
    pub fn load() -> Self {
        read(POOL).unwrap_or_default()
    }

    pub fn save(&self) {
        write(POOL, self);
    }

    /// All the LPs own, in NEAR.
    pub fn value(&self, totals: &Totals) -> u128 {
        totals.liquidity
            + totals.liquidity_fees
            + math::value_of(self.tokens, totals.total_staked, totals.total_shares)
            + self.claim
    }
}

/// Storage of a liquidity provider's record, paid when it first adds liquidity.
fn provider_storage_cost(account_id: &AccountId) -> u128 {
    (1 + account_id.len() as u128 + 16 + 40) * env::storage_byte_cost().as_yoctonear()
}

/// `∫ rate(x) dx` over `[low, high]`, in yocto, rounded up.
pub fn fee(config: &LiquidityConfig, low: u128, high: u128) -> u128 {
    let (max, min, target) =
        (U256::from(config.max_fee_bps), U256::from(config.min_fee_bps), U256::from(config.target));
    let (low, high) = (U256::from(low), U256::from(high));
    // Scaled by 2 * target * BPS: the sloped part below the target, the flat part above it.
    let mut scaled = U256::zero();
    if low < target {
        let top = high.min(target);
        scaled += max * (top - low) * target * 2 - (max - min) * (top * top - low * low);
    }
    if high > target {
        scaled += min * (high - low.max(target)) * target * 2;
    }
    let denominator = target * 2 * U256::from(BPS);
    let (q, r) = scaled.div_mod(denominator);
    (if r.is_zero() { q } else { q + 1 }).as_u128()
}

/// A swap of `tokens`: its value at the current price, the fee and what the seller receives.
pub struct Quote {
    pub value: u128,
    pub fee: u128,
    pub near: u128,
}

pub fn quote(totals: &Totals, config: &LiquidityConfig, tokens: u128) -> Quote {
    let value = math::value_of(tokens, totals.total_staked, totals.total_shares);
    if value > totals.liquidity {
        env::panic_str(&errors::liquidity::not_enough_liquidity(totals.liquidity));
    }
    let fee = fee(config, totals.liquidity - value, totals.liquidity);
    Quote { value, fee, near: value - fee }
}

/// New deposits (the buffer) buy the pool's tokens at the current price, refilling its NEAR. The
/// tokens bought are burnt with the NEAR they are worth (rounded for the pool), so the price
/// does not move. Returns the tokens burnt.
pub fn refill(totals: &mut Totals, pool: &mut Pool) -> u128 {
    let value = math::value_of(pool.tokens, totals.total_staked, totals.total_shares).min(totals.buffered);
    let shares = math::shares_for_deposit(value, totals.total_staked, totals.total_shares).min(pool.tokens);
    let paid = math::value_of(shares, totals.total_staked, totals.total_shares);
    if shares == 0 || paid == 0 {
        return 0;
    }
    pool.tokens -= shares;
    totals.total_shares -= shares;
    ledger::pool_sells_stake(totals, paid);
    shares
}

/// [`refill`] as the contract does it: saved, with its event.
pub fn refill_now(totals: &mut Totals) {
    let mut pool = Pool::load();
    let burnt = refill(totals, &mut pool);
    if burnt > 0 {
        pool.save();
        events::FtBurn { owner_id: &env::current_account_id(), amount: burnt }.emit();
    }
}

/// `instant_unstake(amount, min_expected_near)`: sells `tokens` to the pool for NEAR now.
pub fn instant_unstake(tokens: u128, min_expected_near: u128) -> u128 {
    require!(env::attached_deposit().is_zero(), errors::liquidity::NO_DEPOSIT);
    require!(tokens > 0, errors::token::AMOUNT_POSITIVE);
    let account_id = env::predecessor_account_id();
    let mut holder = state::registered(&account_id);
    require!(holder.shares >= tokens, errors::token::NOT_ENOUGH_BALANCE);
    let mut totals = Totals::load();
    access::assert_not_paused(totals.paused_until);
    let mut pool = Pool::load();
    let config = LiquidityConfig::load();
    let q = quote(&totals, &config, tokens);
    require!(q.near >= min_expected_near, errors::liquidity::BELOW_MIN_EXPECTED);
    let to_treasury = q.fee * config.treasury_share_bps as u128 / BPS;
    ledger::swap(&mut totals, q.value, to_treasury, q.fee - to_treasury);
    holder.shares -= tokens;
    pool.tokens += tokens;
    state::save_holder(&account_id, &holder);
    totals.save();
    pool.save();
    events::FtTransfer {
        old_owner_id: &account_id,
        new_owner_id: &env::current_account_id(),
        amount: tokens,
        memo: Some("instant unstake"),
    }
    .emit();
    events::InstantUnstake { account_id: &account_id, tokens, near: q.near, fee: q.fee }.emit();
    promise::transfer(&account_id, q.near);
    q.near
}

/// `add_liquidity(min_shares)`: the attached NEAR joins the pool for LP shares (a first-time
/// provider pays its record's storage out of it).
pub fn add_liquidity(min_shares: u128) -> u128 {
    let account_id = env::predecessor_account_id();
    let mut amount = env::attached_deposit().as_yoctonear();
    let mut owned = lp_shares_of(&account_id);
    let mut totals = Totals::load();
    access::assert_not_paused(totals.paused_until);
    if owned == 0 {
        let cost = provider_storage_cost(&account_id);
        require!(amount > cost, errors::liquidity::BELOW_PROVIDER_STORAGE);
        amount -= cost;
        ledger::storage_in(&mut totals, cost);
    }
    let mut pool = Pool::load();
    let minted = if pool.lp_shares == 0 {
        require!(amount > LOCKED_LP_SHARES, errors::liquidity::FIRST_DEPOSIT_TOO_SMALL);
        pool.lp_shares = LOCKED_LP_SHARES;
        amount - LOCKED_LP_SHARES
    } else {
        shares::mul_div_floor(amount, pool.lp_shares, pool.value(&totals))
            .unwrap_or_else(|| env::panic_str(errors::math::SHARE_OVERFLOW))
    };
    require!(minted > 0 && minted >= min_shares, errors::liquidity::BELOW_MIN_SHARES);
    pool.lp_shares += minted;
    owned += minted;
    ledger::liquidity_in(&mut totals, amount);
    write(&provider_key(&account_id), &owned);
    pool.save();
    totals.save();
    events::Liquidity { account_id: &account_id, near: amount, tokens: 0, unstaked: 0, lp_shares: minted, added: true }
        .emit();
    minted
}

/// `remove_liquidity(shares, min_near)`: pays out the LP's share of the pool: NEAR, liquid tokens
/// and (as unstaked balance, unlocking with the pool's) the NEAR the pool is unstaking.
pub fn remove_liquidity(lp_shares: u128, min_near: u128) -> u128 {
    access::assert_one_yocto();
    require!(lp_shares > 0, errors::token::AMOUNT_POSITIVE);
    let account_id = env::predecessor_account_id();
    let owned = lp_shares_of(&account_id);
    require!(owned >= lp_shares, errors::liquidity::NOT_ENOUGH_LP_SHARES);
    let mut totals = Totals::load();
    let mut pool = Pool::load();
    ledger::fees_join_pool(&mut totals);
    // A claim its tranche can pay joins the pool's NEAR first: handed to the provider, it
    // would be a claim for an epoch already past.
    collect_claim(&mut totals, &mut pool);
    let part = |x: u128| shares::mul_div_floor(lp_shares, x, pool.lp_shares).unwrap_or(0);
    let (near, tokens, claim) = (part(totals.liquidity), part(pool.tokens), part(pool.claim));
    require!(near >= min_near, errors::liquidity::BELOW_MIN_NEAR);
    if tokens > 0 || claim > 0 {
        let mut holder = state::registered(&account_id);
        holder.shares += tokens;
        if claim > 0 {
            // The provider's share of the pool's claim becomes its own, with its NEAR; both its
            // claims unlock at the later epoch.
            let epoch = env::epoch_height();
            let (own, pool_unlock) = (holder.unlock_epoch as u64, pool.claim_unlock_epoch);
            let unlock = if holder.unstaked > 0 { own.max(pool_unlock) } else { pool_unlock };
            claims::move_claim(&mut totals, holder.unstaked, own, unlock, epoch);
            claims::move_claim(&mut totals, claim, pool_unlock, unlock, epoch);
            holder.unstaked += claim;
            holder.unlock_epoch = u32::try_from(unlock).unwrap_or(u32::MAX);
        }
        state::save_holder(&account_id, &holder);
    }
    ledger::liquidity_out(&mut totals, near);
    pool.tokens -= tokens;
    pool.claim -= claim;
    pool.lp_shares -= lp_shares;
    let mut refund = near;
    if owned == lp_shares {
        let cost = provider_storage_cost(&account_id);
        ledger::storage_out(&mut totals, cost);
        refund += cost;
        env::storage_remove(&provider_key(&account_id));
    } else {
        write(&provider_key(&account_id), &(owned - lp_shares));
    }
    pool.save();
    totals.save();
    if tokens > 0 {
        events::FtTransfer {
            old_owner_id: &env::current_account_id(),
            new_owner_id: &account_id,
            amount: tokens,
            memo: Some("remove liquidity"),
        }
        .emit();
    }
    events::Liquidity { account_id: &account_id, near, tokens, unstaked: claim, lp_shares, added: false }.emit();
    promise::transfer(&account_id, refund + 1);
    near
}

/// The crank's work on the pool, once per epoch: fees join the pool (the treasury's as staked
/// tokens), deposits buy its tokens, a matured claim is collected, and tokens above the
/// threshold are unstaked.
pub fn epoch_work(totals: &mut Totals, config: &Config) {
    let mut pool = Pool::load();
    ledger::fees_join_pool(totals);
    if totals.treasury_fees > 0
        && let Some(mut treasury) = state::holder(&config.treasury_id)
    {
        // Tokens at the price before the fee joins the pool.
        let minted = math::shares_for_deposit(totals.treasury_fees, totals.total_staked, totals.total_shares);
        ledger::stake_treasury_fees(totals);
        treasury.shares += minted;
        totals.total_shares += minted;
        state::save_holder(&config.treasury_id, &treasury);
        events::FtMint { owner_id: &config.treasury_id, amount: minted }.emit();
    }
    collect_claim(totals, &mut pool);
    let value = math::value_of(pool.tokens, totals.total_staked, totals.total_shares);
    if pool.claim == 0 && value > LiquidityConfig::load().unstake_threshold {
        let tokens = std::mem::take(&mut pool.tokens);
        pool.claim = value;
        pool.claim_unlock_epoch = exit::burn_for_claim(totals, value, tokens, 0);
        events::FtBurn { owner_id: &env::current_account_id(), amount: tokens }.emit();
    }
    pool.save();
}

/// The pool's claim joins its NEAR as soon as its tranche can pay it (the crank tries after
/// each withdrawal from a validator, so it is collected in the epoch it unlocks in).
fn collect_claim(totals: &mut Totals, pool: &mut Pool) -> bool {
    let collected = pool.claim > 0 && ledger::pool_claim_collected(totals, pool.claim, pool.claim_unlock_epoch);
    if collected {
        pool.claim = 0;
    }
    collected
}

/// [`collect_claim`] as the crank does it after NEAR reached the reserve: saved if collected.
pub fn collect_claim_now(totals: &mut Totals) {
    let mut pool = Pool::load();
    if collect_claim(totals, &mut pool) {
        pool.save();
    }
}

/// The fee rate at the pool's current NEAR, in basis points (rounded down).
fn rate_bps(config: &LiquidityConfig, liquidity: u128) -> u128 {
    let slope = (config.max_fee_bps - config.min_fee_bps) as u128;
    config.max_fee_bps as u128 - shares::mul_div_ceil(slope, liquidity.min(config.target), config.target).unwrap_or(0)
}

/// `get_liquidity_pool`: the pool's state and its current fee rate.
pub fn pool_json() -> String {
    let (totals, pool, config) = (Totals::load(), Pool::load(), LiquidityConfig::load());
    let rate = rate_bps(&config, totals.liquidity);
    let mut o = Object::new();
    o.amount("near", totals.liquidity)
        .amount("fees", totals.liquidity_fees)
        .amount("treasury_fees", totals.treasury_fees)
        .amount("tokens", pool.tokens)
        .amount("claim", pool.claim)
        .integer("claim_unlock_epoch", pool.claim_unlock_epoch)
        .amount("lp_shares", pool.lp_shares)
        .amount("value", pool.value(&totals))
        .amount("target", config.target)
        .integer("min_fee_bps", config.min_fee_bps as u64)
        .integer("max_fee_bps", config.max_fee_bps as u64)
        .integer("treasury_share_bps", config.treasury_share_bps as u64)
        .amount("unstake_threshold", config.unstake_threshold)
        .integer("fee_bps_now", rate as u64);
    o.end()
}

/// `quote_instant_unstake`: exactly what `instant_unstake(amount)` would pay now.
pub fn quote_json(tokens: u128) -> String {
    let q = quote(&Totals::load(), &LiquidityConfig::load(), tokens);
    let mut o = Object::new();
    o.amount("value", q.value).amount("fee", q.fee).amount("near", q.near);
    o.end()
}
