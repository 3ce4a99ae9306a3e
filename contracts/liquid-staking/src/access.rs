//! Who may call what: the guards every method applies before it changes anything. Each is a
//! check on the call's context (attached deposit, caller, epoch) against plain data the caller
//! passes in, so a guard never reads or writes state itself.
//!
//! - **One yocto.** Privileged and token-moving calls need exactly 1 yoctoNEAR attached, which
//!   only a full-access key can sign (NEP-141's rule; near-sdk's own check).
//! - **Roles.** The owner, the manager and the guardian, as [`Config`] names them.
//! - **Callbacks.** Methods only the contract itself may call.
//! - **Pause.** Deposits, staking, instant unstake and new liquidity stop while paused.

use crate::config::Config;
use crate::errors;
use near_sdk::{env, require};

pub use near_sdk::assert_one_yocto;

/// The owner, with 1 yoctoNEAR attached.
pub fn assert_owner(config: &Config) {
    assert_one_yocto();
    require!(env::predecessor_account_id() == config.owner_id, errors::access::OWNER_ONLY);
}

/// The manager, with 1 yoctoNEAR attached.
pub fn assert_manager(config: &Config) {
    assert_one_yocto();
    require!(env::predecessor_account_id() == config.manager_id, errors::access::MANAGER_ONLY);
}

/// The contract itself (a callback or the migration after an upgrade); `error` otherwise.
pub fn assert_self(error: &str) {
    require!(env::predecessor_account_id() == env::current_account_id(), error);
}

/// Whether deposits, staking, instant unstake and new liquidity are stopped.
pub fn paused(paused_until: u64) -> bool {
    env::epoch_height() < paused_until
}

pub fn assert_not_paused(paused_until: u64) {
    require!(!paused(paused_until), errors::access::PAUSED);
}
