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

use crate::liquidity::LiquidityConfig;
use crate::state::{self, Config, Fraction, Totals, read, write};
use crate::token::assert_one_yocto;
use crate::{MAX_DRAIN_AFTER_EPOCHS, MAX_REWARD_FEE, MAX_REWARD_RATE, events, json};
use near_sdk::{AccountId, Gas, env, near, require};

/// How long the guardian's pause lasts.
pub const GUARDIAN_PAUSE_EPOCHS: u64 = 2;
/// Epochs from the start of a guardian's pause before the guardian can pause again.
pub const GUARDIAN_COOLDOWN_EPOCHS: u64 = 4;
/// How far ahead the owner can pause.
pub const MAX_PAUSE_EPOCHS: u64 = 100;
/// Epoch boundaries between a parameter change and its effect.
pub const PARAMETER_DELAY_EPOCHS: u64 = 2;
/// The state layout this code reads; `migrate` brings older layouts to it.
pub const STATE_VERSION: u32 = if cfg!(feature = "next-version") { 2 } else { 1 };
const VERSION: &[u8] = b"version";

/// A parameter change waiting for its epoch.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    RewardFee(Fraction),
    MaxRewardRate(Fraction),
    DrainAfterEpochs(u64),
}

#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheduled {
    pub change: Change,
    pub epoch: u64,
}

impl Change {
    fn name(&self) -> &'static str {
        match self {
            Change::RewardFee(_) => "reward_fee",
            Change::MaxRewardRate(_) => "max_reward_rate",
            Change::DrainAfterEpochs(_) => "drain_after_epochs",
        }
    }

    fn value_json(&self) -> String {
        match self {
            Change::RewardFee(f) | Change::MaxRewardRate(f) => crate::views::fraction_json(f),
            Change::DrainAfterEpochs(n) => n.to_string(),
        }
    }

    fn assert_valid(&self) {
        match self {
            Change::RewardFee(f) => require!(f.at_most(MAX_REWARD_FEE), "The reward fee must be at most 20%"),
            Change::MaxRewardRate(f) => {
                require!(f.at_most(MAX_REWARD_RATE), "The reward rate bound must be at most 1% an epoch")
            }
            Change::DrainAfterEpochs(n) => {
                require!((1..=MAX_DRAIN_AFTER_EPOCHS).contains(n), "drain_after_epochs must be from 1 to 100")
            }
        }
    }

    /// The current value as the same kind of change (for the event's "old").
    fn current(&self, config: &Config) -> Change {
        match self {
            Change::RewardFee(_) => Change::RewardFee(config.reward_fee),
            Change::MaxRewardRate(_) => Change::MaxRewardRate(config.max_reward_rate),
            Change::DrainAfterEpochs(_) => Change::DrainAfterEpochs(config.drain_after_epochs),
        }
    }
}

impl Config {
    /// Applies the scheduled changes whose epoch has come (in memory; the next save keeps them).
    pub fn apply_due(&mut self, epoch: u64) {
        let (due, waiting): (Vec<_>, Vec<_>) = self.scheduled.drain(..).partition(|s| s.epoch <= epoch);
        self.scheduled = waiting;
        for s in due {
            match s.change {
                Change::RewardFee(f) => self.reward_fee = f,
                Change::MaxRewardRate(f) => self.max_reward_rate = f,
                Change::DrainAfterEpochs(n) => self.drain_after_epochs = n,
            }
        }
    }
}

fn assert_owner(config: &Config) {
    assert_one_yocto();
    require!(env::predecessor_account_id() == config.owner_id, "Only the owner can do this");
}

/// `set_reward_fee`, `set_max_reward_rate`, `set_drain_after_epochs` (owner): schedules the
/// change for `PARAMETER_DELAY_EPOCHS` from now, replacing any change of it still waiting.
pub fn schedule(change: Change) {
    let mut config = Config::load();
    assert_owner(&config);
    change.assert_valid();
    let epoch = env::epoch_height() + PARAMETER_DELAY_EPOCHS;
    let old = change.current(&config);
    events::parameter_change(change.name(), &old.value_json(), &change.value_json(), epoch);
    config.scheduled.retain(|s| s.change.name() != change.name());
    config.scheduled.push(Scheduled { change, epoch });
    state::write(state::CONFIG, &config);
}

/// `set_instant_unstake` (owner): the liquidity pool's parameters, scheduled the same way.
pub fn schedule_instant_unstake(new: LiquidityConfig) {
    assert_owner(&Config::load());
    new.assert_valid();
    let epoch = env::epoch_height() + PARAMETER_DELAY_EPOCHS;
    let old = LiquidityConfig::load();
    events::parameter_change("instant_unstake", &old.json(), &new.json(), epoch);
    LiquidityConfig::schedule(new, epoch);
}

/// `set_role(role, account_id)` (owner): the manager, the guardian or the treasury, at once.
pub fn set_role(role: &str, account_id: AccountId) {
    let mut config = Config::load();
    assert_owner(&config);
    let slot = match role {
        "manager" => &mut config.manager_id,
        "guardian" => &mut config.guardian_id,
        "treasury" => &mut config.treasury_id,
        _ => env::panic_str("The role must be manager, guardian or treasury"),
    };
    events::role_change(role, slot, &account_id);
    *slot = account_id;
    state::write(state::CONFIG, &config);
}

/// `propose_owner(account_id)` (owner): the first step of handing over ownership.
pub fn propose_owner(account_id: AccountId) {
    let mut config = Config::load();
    assert_owner(&config);
    config.pending_owner_id = Some(account_id);
    state::write(state::CONFIG, &config);
}

/// `accept_owner()` (the proposed owner, 1 yocto): the second step.
pub fn accept_owner() {
    assert_one_yocto();
    let mut config = Config::load();
    let caller = env::predecessor_account_id();
    require!(config.pending_owner_id.as_ref() == Some(&caller), "Only the proposed owner can accept ownership");
    events::role_change("owner", &config.owner_id, &caller);
    config.owner_id = caller;
    config.pending_owner_id = None;
    state::write(state::CONFIG, &config);
}

/// Whether deposits, staking, instant unstake and new liquidity are stopped.
pub fn paused(totals: &Totals) -> bool {
    env::epoch_height() < totals.paused_until
}

pub fn assert_not_paused(totals: &Totals) {
    require!(!paused(totals), "The pool is paused: deposits, staking, instant unstake and new liquidity are stopped");
}

fn set_pause(until: u64) {
    let mut totals = Totals::load();
    totals.paused_until = until;
    totals.save();
    events::pause(until);
}

/// `pause()` (guardian or owner): for `GUARDIAN_PAUSE_EPOCHS` from now (never shortening a
/// longer pause). The guardian must wait `GUARDIAN_COOLDOWN_EPOCHS` from its last pause.
pub fn pause() {
    assert_one_yocto();
    let mut config = Config::load();
    let caller = env::predecessor_account_id();
    let epoch = env::epoch_height();
    if caller != config.owner_id {
        require!(caller == config.guardian_id, "Only the guardian or the owner can pause");
        require!(
            config.guardian_paused_at.is_none_or(|at| epoch >= at + GUARDIAN_COOLDOWN_EPOCHS),
            "The guardian paused less than 4 epochs ago: only the owner can pause again"
        );
        config.guardian_paused_at = Some(epoch);
        write(state::CONFIG, &config);
    }
    set_pause((epoch + GUARDIAN_PAUSE_EPOCHS).max(Totals::load().paused_until));
}

/// `extend_pause(until_epoch)` (owner): pauses until that epoch, at most `MAX_PAUSE_EPOCHS` ahead.
pub fn extend_pause(until_epoch: u64) {
    let mut config = Config::load();
    assert_owner(&config);
    let epoch = env::epoch_height();
    require!(until_epoch > epoch && until_epoch <= epoch + MAX_PAUSE_EPOCHS, "The pause must end within 100 epochs");
    config.owner_paused_until = until_epoch;
    write(state::CONFIG, &config);
    set_pause(until_epoch);
}

/// `unpause()` (guardian or owner). Only the owner lifts a pause the owner extended.
pub fn unpause() {
    assert_one_yocto();
    let mut config = Config::load();
    let caller = env::predecessor_account_id();
    if caller != config.owner_id {
        require!(caller == config.guardian_id, "Only the guardian or the owner can unpause");
        require!(config.owner_paused_until <= env::epoch_height(), "Only the owner can lift the owner's pause");
    } else if config.owner_paused_until > 0 {
        config.owner_paused_until = 0;
        write(state::CONFIG, &config);
    }
    set_pause(0);
}

/// `upgrade` (owner, 1 yocto, the new wasm as the call's input): deploys it and calls its
/// `migrate` in the same receipt.
pub fn upgrade() {
    assert_owner(&Config::load());
    let code = env::input().unwrap_or_default();
    require!(!code.is_empty(), "Attach the new contract code as the call's input");
    // The migration gets all the gas this call leaves.
    let index = env::promise_batch_create(&env::current_account_id());
    env::promise_batch_action_deploy_contract(index, &code);
    crate::promise::add_call_weight(index, "migrate", b"{}", Gas::from_gas(0), 1);
    env::promise_return(index);
}

/// `migrate` (only the contract itself, right after an upgrade): brings the state to
/// `STATE_VERSION`, then checks it. A panic here undoes the whole upgrade.
pub fn migrate() {
    require!(env::predecessor_account_id() == env::current_account_id(), "Method migrate is private");
    let from: u32 = read(VERSION).unwrap_or(1);
    require!(from <= STATE_VERSION, "The state is newer than this code");
    #[cfg(feature = "next-version")]
    if from == 1 {
        state::migrate_totals_to_v2();
    }
    write(VERSION, &STATE_VERSION);
    self_check();
    events::upgrade(from, STATE_VERSION);
}

/// The state's invariants, checked after a migration.
fn self_check() {
    let t = Totals::load();
    Config::load();
    LiquidityConfig::load();
    require!(t.total_shares > 0 && t.total_staked > 0, "Self-check failed: the pool has no seed stake");
    if let Err(broken) = crate::ledger::check(&t, env::account_balance().as_yoctonear()) {
        env::panic_str(&format!("Self-check failed: {broken}"));
    }
}

/// `get_roles`: who holds each role, and the pending owner.
pub fn roles_json() -> String {
    let c = Config::load();
    format!(
        r#"{{"owner_id":"{}","pending_owner_id":{},"manager_id":"{}","guardian_id":"{}","treasury_id":"{}"}}"#,
        c.owner_id,
        json::opt_string(c.pending_owner_id.as_ref().map(|a| a.as_str())),
        c.manager_id,
        c.guardian_id,
        c.treasury_id
    )
}

/// `get_pending_changes`: parameter changes waiting for their epoch, and the pause.
pub fn pending_json() -> String {
    let mut raw: Config = read(state::CONFIG).unwrap_or_else(|| env::panic_str("The contract is not initialized"));
    raw.apply_due(env::epoch_height());
    let scheduled = raw.scheduled.iter().map(|s| {
        format!(r#"{{"parameter":"{}","value":{},"epoch":{}}}"#, s.change.name(), s.change.value_json(), s.epoch)
    });
    let liquidity = LiquidityConfig::pending()
        .map(|(next, epoch)| format!(r#"{{"parameter":"instant_unstake","value":{},"epoch":{epoch}}}"#, next.json()));
    let changes = json::array(scheduled.chain(liquidity));
    let totals = Totals::load();
    let paused_until = if paused(&totals) { totals.paused_until.to_string() } else { "null".to_string() };
    format!(r#"{{"changes":{changes},"paused_until":{paused_until},"state_version":{STATE_VERSION}}}"#)
}
