//! Chain settings a test may change.

use crate::staking::{Rate, Rewards, Seats};

/// 1 NEAR in yocto.
pub const NEAR: u128 = 1_000_000_000_000_000_000_000_000;
/// 1 Tgas.
pub const TGAS: u64 = 1_000_000_000_000;

#[derive(Clone, Debug)]
pub struct Config {
    /// Blocks per epoch (mainnet: 43,200).
    pub epoch_length: u64,
    /// Time between blocks in nanoseconds (mainnet: about 0.6 s).
    pub block_time_ns: u64,
    /// Timestamp of the genesis block in nanoseconds.
    pub genesis_time_ns: u64,
    /// The block gas price in yocto per gas. Prepaid gas is bought at no less than the protocol's
    /// `min_gas_purchase_price` (10^9) and the difference to this price is refunded.
    pub gas_price: u128,
    /// How validators are paid: by default a fixed rate per epoch (a test chain's supply is not
    /// mainnet's); [`Rewards::mainnet`] for mainnet's inflation rule.
    pub rewards: Rewards,
    /// Validator seats and the minimum stake ratio (mainnet's by default).
    pub seats: Seats,
    /// Balance of the genesis account `near`, which creates the test accounts.
    pub root_balance: u128,
    /// Blocks after which a transaction's block hash is too old (nearcore's genesis setting;
    /// mainnet: 86,400).
    pub transaction_validity_period: u64,
    /// Trie nodes above an account's own keys in its shard, walked by the first write or
    /// removal of a contract key in a block (see the `trie` module). Mainnet's shards hold in
    /// the order of 10^8 keys: the root's extension and the column's branch, then about six
    /// branches on the account id's nibbles before the account's subtree: 8.
    pub shard_trie_depth: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            epoch_length: 100,
            block_time_ns: 600_000_000,
            genesis_time_ns: 1_700_000_000_000_000_000,
            gas_price: 100_000_000,
            // About 10% a year at 730 epochs a year.
            rewards: Rewards::PerEpoch(Rate { numerator: 13, denominator: 100_000 }),
            seats: Seats::default(),
            root_balance: 1_000_000_000 * NEAR,
            transaction_validity_period: 86_400,
            shard_trie_depth: 8,
        }
    }
}
