//! Every message the contract fails with, grouped by concern, so a reader finds all the ways a
//! call can be refused in one place and tests assert through the same constants.
//!
//! Messages marked **Same as the core staking pool**, **NEP-141**, **NEP-145** or **near-sdk**
//! are those contracts' words exactly: wallets, lockup contracts and explorers match on them,
//! so they must never change. The rest are this contract's own.

/// The contract's storage.
pub mod state {
    pub const NOT_INITIALIZED: &str = "The contract is not initialized";
    /// near-sdk's message for a second `new`.
    pub const ALREADY_INITIALIZED: &str = "The contract has already been initialized";
    pub const CORRUPT: &str = "Cannot deserialize the contract state";
    pub const HOLDER_INDEX_CORRUPT: &str = "The holder index is corrupted";
    pub const VALIDATOR_INDEX_CORRUPT: &str = "The validator index is corrupted";
    pub const NEWER_STATE: &str = "The state is newer than this code";
    pub const NO_SEED: &str = "Self-check failed: the pool has no seed stake";

    pub fn self_check_failed(broken: &str) -> String {
        crate::text::join(&["Self-check failed: ", broken])
    }
}

/// Reading a call's JSON arguments ([`crate::json`]).
pub mod input {
    /// near-sdk's message for arguments it cannot read.
    pub fn invalid_json(what: &str) -> String {
        crate::text::join(&["Failed to deserialize input from JSON: ", what])
    }
}

/// Who may call what ([`crate::access`]).
pub mod access {
    /// near-sdk's `assert_one_yocto`.
    pub const ONE_YOCTO: &str = "Requires attached deposit of exactly 1 yoctoNEAR";
    pub const OWNER_ONLY: &str = "Only the owner can do this";
    pub const MANAGER_ONLY: &str = "Only the manager can change validators";
    pub const PROPOSED_OWNER_ONLY: &str = "Only the proposed owner can accept ownership";
    pub const PAUSE_GUARDIAN_OR_OWNER: &str = "Only the guardian or the owner can pause";
    pub const UNPAUSE_GUARDIAN_OR_OWNER: &str = "Only the guardian or the owner can unpause";
    pub const OWNERS_PAUSE: &str = "Only the owner can lift the owner's pause";
    pub const GUARDIAN_COOLDOWN: &str = "The guardian paused less than 4 epochs ago: only the owner can pause again";
    pub const PAUSED: &str = "The pool is paused: deposits, staking, instant unstake and new liquidity are stopped";
    pub const CRANK_CALLBACK_PRIVATE: &str = "Only the contract can call its callbacks";
    /// near-sdk's `#[private]` messages.
    pub const MIGRATE_PRIVATE: &str = "Method migrate is private";
    pub const WHITELIST_CALLBACK_PRIVATE: &str = "Method on_whitelist_check is private";
    pub const RESOLVE_TRANSFER_PRIVATE: &str = "Method ft_resolve_transfer is private";
}

/// Parameters and their limits ([`crate::config`]) and governance's calls.
pub mod config {
    pub const FEE_DENOMINATOR: &str = "The fee denominator must be positive";
    pub const REWARD_FEE_LIMIT: &str = "The reward fee must be at most 20%";
    pub const REWARD_RATE_LIMIT: &str = "The reward rate bound must be at most 1% an epoch";
    pub const DRAIN_AFTER_LIMIT: &str = "drain_after_epochs must be from 1 to 100";
    pub const EPOCH_BLOCKS_LIMIT: &str = "epoch_blocks must be at least 20";
    pub const METADATA_SPEC: &str = "The token metadata spec must be ft-1.0.0";
    pub const DECIMALS: &str = "The token must have 24 decimals, like NEAR";
    pub const DECIMALS_TOO_LARGE: &str = "`decimals` is too large";
    pub const INSTANT_FEE_LIMIT: &str = "The instant unstake fee must be at most 10%";
    pub const MIN_FEE_ABOVE_MAX: &str = "The minimum fee must not exceed the maximum fee";
    pub const TREASURY_SHARE_LIMIT: &str = "The treasury's share must be at most 50%";
    pub const TARGET_LIQUIDITY: &str = "The target liquidity must be positive";
    pub const SEED: &str = "Attach at least 1 NEAR as the seed stake";
    pub const ROLE: &str = "The role must be manager, guardian or treasury";
    pub const PAUSE_LIMIT: &str = "The pause must end within 100 epochs";
    pub const UPGRADE_CODE: &str = "Attach the new contract code as the call's input";
}

/// The staking-pool interface ([`crate::staking`]).
pub mod staking {
    pub const DEPOSIT_POSITIVE: &str = "Deposit amount should be positive";
    /// Same as the core staking pool.
    pub const STAKE_POSITIVE: &str = "Staking amount should be positive";
    /// Same as the core staking pool.
    pub const UNSTAKE_POSITIVE: &str = "Unstaking amount should be positive";
    /// Same as the core staking pool.
    pub const WITHDRAW_POSITIVE: &str = "Withdrawal amount should be positive";
    /// Same as the core staking pool.
    pub const NOT_ENOUGH_TO_STAKE: &str = "Not enough unstaked balance to stake";
    /// Same as the core staking pool.
    pub const NOT_ENOUGH_TO_WITHDRAW: &str = "Not enough unstaked balance to withdraw";
    /// Same as the core staking pool.
    pub const NOT_YET_UNLOCKED: &str = "The unstaked balance is not yet available due to unstaking delay";
    /// Same as the core staking pool.
    pub const NOT_ENOUGH_STAKED: &str = "Not enough staked balance to unstake";
    pub const TOO_SMALL_TO_MINT: &str = "The amount is too small to mint any liquid token";
    pub const EPOCH_OVERFLOW: &str = "Epoch height overflow";
    pub const CLAIM_LATE: &str = "The unstaked balance is due but its NEAR has not reached the reserve yet: \
                                  it is paid first when it does (get_holder shows the expected epoch)";
    pub const RELEASE_TOO_FAR: &str = "A release is tracked at most 8 epochs ahead";

    /// near-sdk's message for a deposit to a method that takes none.
    pub fn no_deposit(method: &str) -> String {
        crate::text::join(&["Method ", method, " doesn't accept deposit"])
    }

    pub fn below_storage_cost(cost: u128) -> String {
        crate::text::join(&[
            "The deposit must exceed the storage cost of ",
            &crate::text::decimal(cost),
            " yoctoNEAR for a new account",
        ])
    }
}

/// The token (NEP-141, [`crate::token`]).
pub mod token {
    /// NEP-141.
    pub const AMOUNT_POSITIVE: &str = "The amount should be a positive number";
    /// NEP-141.
    pub const NOT_ENOUGH_BALANCE: &str = "The account doesn't have enough balance";
    /// NEP-141.
    pub const SAME_ACCOUNT: &str = "The sender and the receiver should be different";
    pub fn transfer_call_gas(need_tgas: u64) -> String {
        crate::text::join(&[
            "Not enough gas: ft_transfer_call needs at least ",
            &crate::text::decimal(need_tgas as u128),
            " Tgas",
        ])
    }

    /// NEP-141.
    pub fn not_registered(account_id: &str) -> String {
        crate::text::join(&["The account ", account_id, " is not registered"])
    }
}

/// Storage registration (NEP-145, [`crate::storage`]).
pub mod storage {
    /// NEP-145.
    pub const BELOW_MINIMUM: &str = "The attached deposit is less than the minimum storage balance";
    /// NEP-145.
    pub const ABOVE_AVAILABLE: &str = "The amount is greater than the available storage balance";
    /// NEP-145.
    pub const POSITIVE_BALANCE: &str = "Can't unregister the account with the positive balance without force";
    pub const OWED_FIRST: &str = "Withdraw the unstaked balance before unregistering";
}

/// Instant unstake and its liquidity pool ([`crate::liquidity`]).
pub mod liquidity {
    /// near-sdk's message for a deposit to a method that takes none.
    pub const NO_DEPOSIT: &str = "Method instant_unstake doesn't accept deposit";
    pub const BELOW_MIN_EXPECTED: &str = "The swap would pay less than min_expected_near";
    pub const BELOW_PROVIDER_STORAGE: &str = "The deposit must exceed the storage cost of a liquidity provider";
    pub const FIRST_DEPOSIT_TOO_SMALL: &str = "The first deposit is too small";
    pub const BELOW_MIN_SHARES: &str = "The deposit would mint fewer LP shares than min_shares";
    pub const NOT_ENOUGH_LP_SHARES: &str = "Not enough LP shares";
    pub const BELOW_MIN_NEAR: &str = "The withdrawal would pay less than min_near";

    pub fn not_enough_liquidity(available: u128) -> String {
        crate::text::join(&[
            "Not enough liquidity: the pool can pay at most ",
            &crate::text::decimal(available),
            " yoctoNEAR",
        ])
    }
}

/// The validator set ([`crate::validators`]) and the crank ([`crate::crank`]).
pub mod validators {
    pub const NEEDS_WEIGHT: &str = "A validator needs a weight or a base stake";
    pub const ALREADY_IN_SET: &str = "The validator is already in the set";
    pub const SET_FULL: &str = "The validator set is full";
    pub const NOT_FAULTY: &str = "The validator is not faulty";
    pub const NOT_EMPTY: &str =
        "Only a validator holding nothing can be removed: set its weight to 0 and let the crank move its stake";

    pub fn unknown(account_id: &str) -> String {
        crate::text::join(&[account_id, " is not a validator of this pool"])
    }

    pub fn crank_gas(need_tgas: u64) -> String {
        crate::text::join(&["Attach at least ", &crate::text::decimal(need_tgas as u128), " Tgas to run the crank"])
    }
}

/// Arithmetic that cannot fail on a consistent state ([`crate::math`], [`crate::ledger`]).
pub mod math {
    pub const SHARE_OVERFLOW: &str = "Share math overflow";
    pub const LEDGER_UNDERFLOW: &str = "Ledger underflow";
}

/// Conditions the code has already ruled out; reaching one is a bug.
pub mod invariant {
    pub const NOT_IN_FLIGHT: &str = "the operation was checked to be in flight";
}
