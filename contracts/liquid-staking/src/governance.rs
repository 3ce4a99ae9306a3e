//! Governance: narrow roles, a pause that never traps anyone, bounded parameter changes that wait
//! for a later epoch, and atomic upgrades.
//!
//! - **Roles.** The owner changes parameters and roles and upgrades the code; ownership moves in
//!   two steps (propose, accept). The manager runs the validator set; the guardian pauses; the
//!   treasury receives fees. Every privileged call needs exactly 1 yoctoNEAR attached, which only
//!   a full-access key can do.
//! - **Pause.** Stops deposits, staking, instant unstake and new liquidity. Never stops unstaking,
//!   withdrawing, token transfers, removing liquidity or the crank. The guardian's pause lasts
//!   [`GUARDIAN_PAUSE_EPOCHS`] and cannot be renewed until [`GUARDIAN_COOLDOWN_EPOCHS`] after it
//!   began, so a guardian alone cannot keep the pool paused; only the owner can extend it (at
//!   most [`MAX_PAUSE_EPOCHS`] ahead), and only the owner can lift a pause the owner set.
//! - **Parameters.** Each has a hard limit in code and takes effect
//!   [`PARAMETER_DELAY_EPOCHS`] epoch boundaries after it is set, never on rewards already
//!   earned; every change is an event with the old and new values and the epoch it applies from.
//! - **Upgrades.** `upgrade` deploys new code and calls its `migrate` in one receipt: if the
//!   migration or its self-check fails, the whole receipt fails and the old code and state stay.

use crate::config::{
    Change, Config, GUARDIAN_COOLDOWN_EPOCHS, GUARDIAN_PAUSE_EPOCHS, LiquidityConfig, MAX_PAUSE_EPOCHS, MIN_SEED,
    PARAMETER_DELAY_EPOCHS, Scheduled, TokenMetadata,
};
use crate::errors;
use crate::events::Event;
use crate::json::Object;
use crate::state::{self, Totals, read, write};
use crate::{access, events, json, ledger, promise};
use near_sdk::{AccountId, Gas, env, require};

/// The state layout this code reads; `migrate` brings older layouts to it.
pub const STATE_VERSION: u32 = if cfg!(feature = "next-version") { 2 } else { 1 };
const VERSION: &[u8] = b"version";

/// Initialises the pool with the attached deposit as its seed stake (at least 1 NEAR).
pub fn init(config: Config, metadata: TokenMetadata, instant_unstake: LiquidityConfig) {
    require!(!state::initialized(), errors::state::ALREADY_INITIALIZED);
    config.assert_valid();
    metadata.assert_valid();
    instant_unstake.assert_valid();
    instant_unstake.save();
    state::write(b"version", &STATE_VERSION);
    let seed = env::attached_deposit().as_yoctonear();
    require!(seed >= MIN_SEED, errors::config::SEED);
    Totals { total_shares: seed, total_staked: seed, buffered: seed, ..Default::default() }.save();
    state::write(state::CONFIG, &config);
    state::write(state::METADATA, &metadata);
    // The seed's tokens are the contract's own (dead shares): `ft_balance_of` counts them.
    state::write(state::SEED, &seed);
    events::FtMint { owner_id: &env::current_account_id(), amount: seed }.emit();
}

/// `set_reward_fee`, `set_max_reward_rate`, `set_drain_after_epochs` (owner): schedules the
/// change for `PARAMETER_DELAY_EPOCHS` from now, replacing any change of it still waiting.
pub fn schedule(change: Change) {
    let mut config = Config::load();
    access::assert_owner(&config);
    change.assert_valid();
    let epoch = env::epoch_height() + PARAMETER_DELAY_EPOCHS;
    let old = change.current(&config);
    events::ParameterChange { parameter: change.name(), old: &old.value_json(), new: &change.value_json(), epoch }
        .emit();
    config.scheduled.retain(|s| s.change.name() != change.name());
    config.scheduled.push(Scheduled { change, epoch });
    state::write(state::CONFIG, &config);
}

/// `set_instant_unstake` (owner): the liquidity pool's parameters, scheduled the same way.
pub fn schedule_instant_unstake(new: LiquidityConfig) {
    access::assert_owner(&Config::load());
    new.assert_valid();
    let epoch = env::epoch_height() + PARAMETER_DELAY_EPOCHS;
    let old = LiquidityConfig::load();
    events::ParameterChange { parameter: "instant_unstake", old: &old.json(), new: &new.json(), epoch }.emit();
    LiquidityConfig::schedule(new, epoch);
}

/// `set_role(role, account_id)` (owner): the manager, the guardian or the treasury, at once.
pub fn set_role(role: &str, account_id: AccountId) {
    let mut config = Config::load();
    access::assert_owner(&config);
    let slot = match role {
        "manager" => &mut config.manager_id,
        "guardian" => &mut config.guardian_id,
        "treasury" => &mut config.treasury_id,
        _ => env::panic_str(errors::config::ROLE),
    };
    events::RoleChange { role, old: slot, new: &account_id }.emit();
    *slot = account_id;
    state::write(state::CONFIG, &config);
}

/// `propose_owner(account_id)` (owner): the first step of handing over ownership.
pub fn propose_owner(account_id: AccountId) {
    let mut config = Config::load();
    access::assert_owner(&config);
    config.pending_owner_id = Some(account_id);
    state::write(state::CONFIG, &config);
}

/// `accept_owner()` (the proposed owner, 1 yocto): the second step.
pub fn accept_owner() {
    access::assert_one_yocto();
    let mut config = Config::load();
    let caller = env::predecessor_account_id();
    require!(config.pending_owner_id.as_ref() == Some(&caller), errors::access::PROPOSED_OWNER_ONLY);
    events::RoleChange { role: "owner", old: &config.owner_id, new: &caller }.emit();
    config.owner_id = caller;
    config.pending_owner_id = None;
    state::write(state::CONFIG, &config);
}

fn set_pause(until: u64) {
    let mut totals = Totals::load();
    totals.paused_until = until;
    totals.save();
    events::Pause { until_epoch: until }.emit();
}

/// `pause()` (guardian or owner): for `GUARDIAN_PAUSE_EPOCHS` from now (never shortening a
/// longer pause). The guardian must wait `GUARDIAN_COOLDOWN_EPOCHS` from its last pause.
pub fn pause() {
    access::assert_one_yocto();
    let mut config = Config::load();
    let caller = env::predecessor_account_id();
    let epoch = env::epoch_height();
    if caller != config.owner_id {
        require!(caller == config.guardian_id, errors::access::PAUSE_GUARDIAN_OR_OWNER);
        require!(
            config.guardian_paused_at.is_none_or(|at| epoch >= at + GUARDIAN_COOLDOWN_EPOCHS),
            errors::access::GUARDIAN_COOLDOWN
        );
        config.guardian_paused_at = Some(epoch);
    }
    let until = (epoch + GUARDIAN_PAUSE_EPOCHS).max(Totals::load().paused_until);
    if caller == config.owner_id {
        // The owner's pause is the owner's to lift, whichever call set it.
        config.owner_paused_until = config.owner_paused_until.max(until);
    }
    write(state::CONFIG, &config);
    set_pause(until);
}

/// `extend_pause(until_epoch)` (owner): pauses until that epoch, at most `MAX_PAUSE_EPOCHS` ahead.
pub fn extend_pause(until_epoch: u64) {
    let mut config = Config::load();
    access::assert_owner(&config);
    let epoch = env::epoch_height();
    require!(until_epoch > epoch && until_epoch <= epoch + MAX_PAUSE_EPOCHS, errors::config::PAUSE_LIMIT);
    config.owner_paused_until = until_epoch;
    write(state::CONFIG, &config);
    set_pause(until_epoch);
}

/// `unpause()` (guardian or owner). Only the owner lifts a pause the owner extended.
pub fn unpause() {
    access::assert_one_yocto();
    let mut config = Config::load();
    let caller = env::predecessor_account_id();
    if caller != config.owner_id {
        require!(caller == config.guardian_id, errors::access::UNPAUSE_GUARDIAN_OR_OWNER);
        require!(config.owner_paused_until <= env::epoch_height(), errors::access::OWNERS_PAUSE);
    } else if config.owner_paused_until > 0 {
        config.owner_paused_until = 0;
        write(state::CONFIG, &config);
    }
    set_pause(0);
}

/// `upgrade` (owner, 1 yocto, the new wasm as the call's input): deploys it and calls its
/// `migrate` in the same receipt.
pub fn upgrade() {
    access::assert_owner(&Config::load());
    let code = env::input().unwrap_or_default();
    require!(!code.is_empty(), errors::config::UPGRADE_CODE);
    // The migration gets all the gas this call leaves.
    let index = env::promise_batch_create(&env::current_account_id());
    env::promise_batch_action_deploy_contract(index, &code);
    promise::add_call_weight(index, "migrate", b"{}", Gas::from_gas(0), 1);
    env::promise_return(index);
}

/// `migrate` (only the contract itself, right after an upgrade): brings the state to
/// `STATE_VERSION`, then checks it. A panic here undoes the whole upgrade.
pub fn migrate() {
    access::assert_self(errors::access::MIGRATE_PRIVATE);
    let from: u32 = read(VERSION).unwrap_or(1);
    require!(from <= STATE_VERSION, errors::state::NEWER_STATE);
    #[cfg(feature = "next-version")]
    if from == 1 {
        state::migrate_totals_to_v2();
    }
    write(VERSION, &STATE_VERSION);
    self_check();
    events::Upgrade { from_version: from, to_version: STATE_VERSION }.emit();
}

/// The state's invariants, checked after a migration.
fn self_check() {
    let t = Totals::load();
    Config::load();
    LiquidityConfig::load();
    require!(t.total_shares > 0 && t.total_staked > 0, errors::state::NO_SEED);
    if let Err(broken) = ledger::check(&t, env::account_balance().as_yoctonear()) {
        env::panic_str(&errors::state::self_check_failed(broken));
    }
}

/// `get_roles`: who holds each role, and the pending owner.
pub fn roles_json() -> String {
    let c = Config::load();
    let mut o = Object::new();
    o.account("owner_id", &c.owner_id)
        .opt_str("pending_owner_id", c.pending_owner_id.as_ref().map(|a| a.as_str()))
        .account("manager_id", &c.manager_id)
        .account("guardian_id", &c.guardian_id)
        .account("treasury_id", &c.treasury_id);
    o.end()
}

/// `get_pending_changes`: parameter changes waiting for their epoch, and the pause.
pub fn pending_json() -> String {
    let mut raw: Config = read(state::CONFIG).unwrap_or_else(|| env::panic_str(errors::state::NOT_INITIALIZED));
    raw.apply_due(env::epoch_height());
    let change = |parameter: &str, value: &str, epoch: u64| {
        let mut o = Object::new();
        o.str("parameter", parameter).raw("value", value).integer("epoch", epoch);
        o.end()
    };
    let scheduled = raw.scheduled.iter().map(|s| change(s.change.name(), &s.change.value_json(), s.epoch));
    let liquidity = LiquidityConfig::pending().map(|(next, epoch)| change("instant_unstake", &next.json(), epoch));
    let totals = Totals::load();
    let paused_until = if access::paused(totals.paused_until) { totals.paused_until } else { u64::MAX };
    let mut o = Object::new();
    o.raw("changes", &json::array(scheduled.chain(liquidity)))
        .epoch("paused_until", paused_until)
        .integer("state_version", STATE_VERSION as u64);
    o.end()
}
