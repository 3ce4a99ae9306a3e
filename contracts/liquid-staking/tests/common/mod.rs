//! Shared set-up for the liquid staking contract's tests: the production wasm on localnet, with
//! the deployment from `testkit::protocol` and checks the tests share.
#![allow(dead_code, unused_imports)] // each test file uses its own subset

use localnet::{Account, Localnet};
use serde_json::{Value, json};
pub use testkit::protocol::{Protocol as Lst, SEED, init_args, metadata};

/// Yocto per byte of storage.
pub const BYTE_COST: u128 = 10_000_000_000_000_000_000;

pub fn setup() -> Lst {
    Lst::deploy(Localnet::new())
}

/// Storage a holder pays for: 142 bytes plus twice its account id.
pub fn storage_cost(account: &Account) -> u128 {
    (142 + 2 * account.id().len() as u128) * BYTE_COST
}

/// Views and checks the tests share.
pub trait Checks {
    fn shares(&self, who: &Account) -> u128;
    fn staked(&self, who: &Account) -> u128;
    fn unstaked(&self, who: &Account) -> u128;
    fn assert_solvent(&self);
    /// NEAR being unstaked at validators to move elsewhere: it pays the exit queue when it
    /// comes back, so the crank requests only the rest of the queue from validators.
    fn returning(&self) -> u128;
    /// Solvent, and assets equal liabilities (no rewards held back).
    fn assert_balanced(&self);
    /// What a pool reports for the liquid staking contract: (staked, unstaked).
    fn at_pool(&self, pool: &Account) -> (u128, u128);
    /// The contract's record of each of `pools` (the first validators) matches what the pool
    /// reports (to 2 yocto of pool rounding), and the delegated and unstaking buckets are the
    /// sums over all validators.
    fn assert_matches_pools(&self, pools: &[Account]) {
        self.assert_matches_pools_within(pools, 2);
    }

    /// The same, allowing `tolerance` yocto: pools round by up to 1 yocto per operation, which
    /// the next sync absorbs.
    fn assert_matches_pools_within(&self, pools: &[Account], tolerance: u128);
}

impl Checks for Lst {
    fn shares(&self, who: &Account) -> u128 {
        self.u128("ft_balance_of", json!({"account_id": who.id()}))
    }

    fn staked(&self, who: &Account) -> u128 {
        self.u128("get_account_staked_balance", json!({"account_id": who.id()}))
    }

    fn unstaked(&self, who: &Account) -> u128 {
        self.u128("get_account_unstaked_balance", json!({"account_id": who.id()}))
    }

    fn assert_solvent(&self) {
        let s = self.solvency();
        assert_eq!(s["solvent"], json!(true), "{s:#}");
    }

    fn returning(&self) -> u128 {
        let s = self.solvency();
        let n = |k: &str| s["totals"][k].as_str().unwrap().parse::<u128>().unwrap();
        n("unstaking") - n("claims_unstaking") - n("stuck")
    }

    fn assert_balanced(&self) {
        self.assert_solvent();
        let s = self.solvency();
        assert_eq!(s["assets"], s["liabilities"], "{s:#}");
    }

    fn at_pool(&self, pool: &Account) -> (u128, u128) {
        let account: Value = pool.view("get_account").args_json(json!({"account_id": self.lst.id()})).json();
        let n = |k: &str| account[k].as_str().unwrap().parse::<u128>().unwrap();
        (n("staked_balance"), n("unstaked_balance"))
    }

    fn assert_matches_pools_within(&self, pools: &[Account], tolerance: u128) {
        let records = self.validators();
        let n = |record: &Value, k: &str| record[k].as_str().unwrap().parse::<u128>().unwrap();
        for (pool, record) in pools.iter().zip(&records) {
            let (s, u) = self.at_pool(pool);
            let (staked, unstaked, unbooked) = (n(record, "staked"), n(record, "unstaked"), n(record, "unbooked"));
            if unbooked == 0 {
                assert!(staked.abs_diff(s) <= tolerance, "{} staked: ours {staked} pool {s}", pool.id());
                assert!(unstaked.abs_diff(u) <= tolerance, "{} unstaked: ours {unstaked} pool {u}", pool.id());
            } else {
                // What a pool reports beyond the plausible rate is held unbooked: our records
                // are within what it reports, and with what is held they are all of it.
                assert!(
                    staked <= s + tolerance && unstaked <= u + tolerance,
                    "{} ours {staked}/{unstaked} pool {s}/{u}",
                    pool.id()
                );
                let ours = staked + unstaked + unbooked;
                assert!(
                    ours.abs_diff(s + u) <= tolerance,
                    "{} ours {ours} (unbooked {unbooked}) pool {}",
                    pool.id(),
                    s + u
                );
            }
        }
        // The buckets are the sums over every validator, those not compared included.
        assert_eq!(self.bucket("delegated"), records.iter().map(|r| n(r, "staked")).sum::<u128>());
        assert_eq!(self.bucket("unstaking"), records.iter().map(|r| n(r, "unstaked")).sum::<u128>());
        self.assert_solvent();
    }
}

/// Sets what a staking pool says it holds: its total staked balance and total shares (the pool's
/// state starts with its owner id, its ed25519 key as 4 + 33 bytes, the last epoch and the last
/// total balance).
pub fn patch_pool(t: &Lst, pool: &Account, change: impl Fn(u128, u128) -> (u128, u128)) {
    let mut state = t.net.view_state(pool.id(), b"STATE").unwrap();
    let owner_len = u32::from_le_bytes(state[0..4].try_into().unwrap()) as usize;
    let at = 4 + owner_len + 37 + 8 + 16;
    let read = |i: usize| u128::from_le_bytes(state[i..i + 16].try_into().unwrap());
    let (staked, shares) = change(read(at), read(at + 16));
    state[at..at + 16].copy_from_slice(&staked.to_le_bytes());
    state[at + 16..at + 32].copy_from_slice(&shares.to_le_bytes());
    t.net.patch_state(pool.id(), b"STATE", &state);
}
