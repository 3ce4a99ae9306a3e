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

use crate::state::{Config, Totals, read, write};
use crate::{events, json, ledger, math, staking, state};
use near_sdk::{AccountId, NearToken, env, near, require};
use shares::U256;

const POOL: &[u8] = b"l";
const LIQUIDITY_CONFIG: &[u8] = b"L";
const PROVIDER: u8 = b'p';
/// One basis point: fees are in 1/10,000.
pub const BPS: u128 = 10_000;
/// Hard limits on the parameters governance sets.
pub const MAX_FEE_BPS: u32 = 1_000;
pub const MAX_TREASURY_SHARE_BPS: u32 = 5_000;
/// LP shares locked forever at the first deposit, so the share price cannot be inflated.
const LOCKED_LP_SHARES: u128 = 1_000;

#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiquidityConfig {
    /// NEAR at which the fee reaches its minimum.
    pub target: u128,
    pub min_fee_bps: u32,
    pub max_fee_bps: u32,
    /// The treasury's share of each fee.
    pub treasury_share_bps: u32,
    /// Tokens worth more than this are unstaked by the crank.
    pub unstake_threshold: u128,
}

impl Default for LiquidityConfig {
    fn default() -> Self {
        LiquidityConfig {
            target: NearToken::from_near(10_000).as_yoctonear(),
            min_fee_bps: 10,
            max_fee_bps: 300,
            treasury_share_bps: 2_000,
            unstake_threshold: NearToken::from_near(100).as_yoctonear(),
        }
    }
}

impl LiquidityConfig {
    /// From `new`'s `instant_unstake` argument; missing fields keep their defaults.
    pub fn from_args(args: &json::Args) -> Self {
        let d = LiquidityConfig::default();
        LiquidityConfig {
            target: args.opt_u128("target").unwrap_or(d.target),
            min_fee_bps: args.opt_u64("min_fee_bps").map_or(d.min_fee_bps, |v| v.min(u32::MAX as u64) as u32),
            max_fee_bps: args.opt_u64("max_fee_bps").map_or(d.max_fee_bps, |v| v.min(u32::MAX as u64) as u32),
            treasury_share_bps: args
                .opt_u64("treasury_share_bps")
                .map_or(d.treasury_share_bps, |v| v.min(u32::MAX as u64) as u32),
            unstake_threshold: args.opt_u128("unstake_threshold").unwrap_or(d.unstake_threshold),
        }
    }

    /// The parameters in force (a scheduled change applies from its epoch).
    pub fn load() -> Self {
        let settings: Settings = read(LIQUIDITY_CONFIG).unwrap_or_default();
        match settings.next {
            Some((next, epoch)) if epoch <= env::epoch_height() => next,
            _ => settings.current,
        }
    }

    /// A change scheduled for a later epoch and not yet in force.
    pub fn pending() -> Option<(LiquidityConfig, u64)> {
        let settings: Settings = read(LIQUIDITY_CONFIG).unwrap_or_default();
        settings.next.filter(|(_, epoch)| *epoch > env::epoch_height())
    }

    /// Schedules `self` from `epoch`, replacing any change still waiting.
    pub fn schedule(next: LiquidityConfig, epoch: u64) {
        write(LIQUIDITY_CONFIG, &Settings { current: LiquidityConfig::load(), next: Some((next, epoch)) });
    }

    pub fn json(&self) -> String {
        format!(
            r#"{{"target":{},"min_fee_bps":{},"max_fee_bps":{},"treasury_share_bps":{},"unstake_threshold":{}}}"#,
            json::u128(self.target),
            self.min_fee_bps,
            self.max_fee_bps,
            self.treasury_share_bps,
            json::u128(self.unstake_threshold)
        )
    }

    pub fn assert_valid(&self) {
        require!(self.max_fee_bps <= MAX_FEE_BPS, "The instant unstake fee must be at most 10%");
        require!(self.min_fee_bps <= self.max_fee_bps, "The minimum fee must not exceed the maximum fee");
        require!(self.treasury_share_bps <= MAX_TREASURY_SHARE_BPS, "The treasury's share must be at most 50%");
        require!(self.target > 0, "The target liquidity must be positive");
    }

    /// Sets the parameters at once (at initialisation).
    pub fn save(&self) {
        write(LIQUIDITY_CONFIG, &Settings { current: self.clone(), next: None });
    }
}

/// The stored parameters: those in force and a change waiting for its epoch.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Settings {
    current: LiquidityConfig,
    next: Option<(LiquidityConfig, u64)>,
}

/// What the liquidity providers own besides the NEAR in `Totals::liquidity`.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pool {
    pub lp_shares: u128,
    /// Liquid tokens the pool bought.
    pub tokens: u128,
    /// NEAR the pool is unstaking, withdrawable from `claim_unlock_epoch`.
    pub claim: u128,
    pub claim_unlock_epoch: u64,
}

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

fn provider_key(account_id: &AccountId) -> Vec<u8> {
    let mut key = vec![PROVIDER];
    key.extend_from_slice(account_id.as_bytes());
    key
}

pub fn lp_shares_of(account_id: &AccountId) -> u128 {
    read(&provider_key(account_id)).unwrap_or(0)
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
        env::panic_str(&format!("Not enough liquidity: the pool can pay at most {} yoctoNEAR", totals.liquidity));
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
        events::ft_burn(&env::current_account_id(), burnt);
    }
}

/// `instant_unstake(amount, min_expected_near)`: sells `tokens` to the pool for NEAR now.
pub fn instant_unstake(tokens: u128, min_expected_near: u128) -> u128 {
    require!(env::attached_deposit().is_zero(), "Method instant_unstake doesn't accept deposit");
    require!(tokens > 0, "The amount should be a positive number");
    let account_id = env::predecessor_account_id();
    let mut holder = state::registered(&account_id);
    require!(holder.shares >= tokens, "The account doesn't have enough balance");
    let mut totals = Totals::load();
    crate::governance::assert_not_paused(&totals);
    let mut pool = Pool::load();
    let config = LiquidityConfig::load();
    let q = quote(&totals, &config, tokens);
    require!(q.near >= min_expected_near, "The swap would pay less than min_expected_near");
    let to_treasury = q.fee * config.treasury_share_bps as u128 / BPS;
    ledger::swap(&mut totals, q.value, to_treasury, q.fee - to_treasury);
    holder.shares -= tokens;
    pool.tokens += tokens;
    state::save_holder(&account_id, &holder);
    totals.save();
    pool.save();
    events::ft_transfer(&account_id, &env::current_account_id(), tokens, Some("instant unstake"));
    events::instant_unstake(&account_id, tokens, q.near, q.fee);
    crate::promise::transfer(&account_id, q.near);
    q.near
}

/// `add_liquidity(min_shares)`: the attached NEAR joins the pool for LP shares (a first-time
/// provider pays its record's storage out of it).
pub fn add_liquidity(min_shares: u128) -> u128 {
    let account_id = env::predecessor_account_id();
    let mut amount = env::attached_deposit().as_yoctonear();
    let mut owned = lp_shares_of(&account_id);
    let mut totals = Totals::load();
    crate::governance::assert_not_paused(&totals);
    if owned == 0 {
        let cost = provider_storage_cost(&account_id);
        require!(amount > cost, "The deposit must exceed the storage cost of a liquidity provider");
        amount -= cost;
        ledger::storage_in(&mut totals, cost);
    }
    let mut pool = Pool::load();
    let minted = if pool.lp_shares == 0 {
        require!(amount > LOCKED_LP_SHARES, "The first deposit is too small");
        pool.lp_shares = LOCKED_LP_SHARES;
        amount - LOCKED_LP_SHARES
    } else {
        shares::mul_div_floor(amount, pool.lp_shares, pool.value(&totals))
            .unwrap_or_else(|| env::panic_str("Share math overflow"))
    };
    require!(minted > 0 && minted >= min_shares, "The deposit would mint fewer LP shares than min_shares");
    pool.lp_shares += minted;
    owned += minted;
    ledger::liquidity_in(&mut totals, amount);
    write(&provider_key(&account_id), &owned);
    pool.save();
    totals.save();
    events::liquidity("add_liquidity", &account_id, amount, 0, 0, minted);
    minted
}

/// `remove_liquidity(shares, min_near)`: pays out the LP's share of the pool: NEAR, liquid tokens
/// and (as unstaked balance, unlocking with the pool's) the NEAR the pool is unstaking.
pub fn remove_liquidity(lp_shares: u128, min_near: u128) -> u128 {
    crate::token::assert_one_yocto();
    require!(lp_shares > 0, "The amount should be a positive number");
    let account_id = env::predecessor_account_id();
    let owned = lp_shares_of(&account_id);
    require!(owned >= lp_shares, "Not enough LP shares");
    let mut totals = Totals::load();
    let mut pool = Pool::load();
    ledger::fees_join_pool(&mut totals);
    let part = |x: u128| shares::mul_div_floor(lp_shares, x, pool.lp_shares).unwrap_or(0);
    let (near, tokens, claim) = (part(totals.liquidity), part(pool.tokens), part(pool.claim));
    require!(near >= min_near, "The withdrawal would pay less than min_near");
    if tokens > 0 || claim > 0 {
        let mut holder = state::registered(&account_id);
        holder.shares += tokens;
        holder.unstaked += claim;
        if claim > 0 {
            let unlock = holder.unlock_epoch.max(pool.claim_unlock_epoch as u32);
            holder.unlock_epoch = unlock;
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
        events::ft_transfer(&env::current_account_id(), &account_id, tokens, Some("remove liquidity"));
    }
    events::liquidity("remove_liquidity", &account_id, near, tokens, claim, lp_shares);
    crate::promise::transfer(&account_id, refund + 1);
    near
}

/// The crank's work on the pool, once per epoch: fees join the pool (the treasury's as staked
/// tokens), deposits buy its tokens, a matured claim is collected, and tokens above the
/// threshold are unstaked.
pub fn epoch_work(totals: &mut Totals, config: &Config) {
    let mut pool = Pool::load();
    let epoch = env::epoch_height();
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
        events::ft_mint(&config.treasury_id, minted);
    }
    if pool.claim > 0
        && pool.claim_unlock_epoch <= epoch
        && ledger::claim_payable(totals, pool.claim, pool.claim_unlock_epoch, epoch)
    {
        ledger::pool_claim_collected(totals, std::mem::take(&mut pool.claim));
    }
    let value = math::value_of(pool.tokens, totals.total_staked, totals.total_shares);
    if pool.claim == 0 && value > LiquidityConfig::load().unstake_threshold {
        let tokens = std::mem::take(&mut pool.tokens);
        pool.claim = value;
        pool.claim_unlock_epoch = staking::burn_for_claim(totals, value, tokens);
        events::ft_burn(&env::current_account_id(), tokens);
    }
    pool.save();
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
    format!(
        concat!(
            r#"{{"near":{},"fees":{},"treasury_fees":{},"tokens":{},"claim":{},"claim_unlock_epoch":{},"#,
            r#""lp_shares":{},"value":{},"target":{},"min_fee_bps":{},"max_fee_bps":{},"#,
            r#""treasury_share_bps":{},"unstake_threshold":{},"fee_bps_now":{}}}"#
        ),
        json::u128(totals.liquidity),
        json::u128(totals.liquidity_fees),
        json::u128(totals.treasury_fees),
        json::u128(pool.tokens),
        json::u128(pool.claim),
        pool.claim_unlock_epoch,
        json::u128(pool.lp_shares),
        json::u128(pool.value(&totals)),
        json::u128(config.target),
        config.min_fee_bps,
        config.max_fee_bps,
        config.treasury_share_bps,
        json::u128(config.unstake_threshold),
        rate
    )
}

/// `quote_instant_unstake`: exactly what `instant_unstake(amount)` would pay now.
pub fn quote_json(tokens: u128) -> String {
    let q = quote(&Totals::load(), &LiquidityConfig::load(), tokens);
    format!(r#"{{"value":{},"fee":{},"near":{}}}"#, json::u128(q.value), json::u128(q.fee), json::u128(q.near))
}
