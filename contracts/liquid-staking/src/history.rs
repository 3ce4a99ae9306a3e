//! The token's price after each epoch's rewards, for the last [`EPOCHS`] epochs, so a wallet,
//! the web app and the keeper can show an APY measured from the price rather than a constant:
//! `(p1 / p0) ^ (year / (t1 - t0)) - 1` between two entries.
//!
//! Entry `epoch` lives under `h` + `epoch % EPOCHS` (one byte), 32 bytes: the epoch, the block
//! time (ms) and the price (yocto NEAR per 10^24 tokens), little-endian. The crank writes one
//! entry a epoch (paid by the keeper's gas; the 64 slots occupy 4,736 bytes of the operator's
//! storage); user calls never touch it.

use crate::json::Object;
use near_sdk::env;

/// Epochs of history kept: about a month on mainnet (12-hour epochs).
pub const EPOCHS: u64 = 64;

fn key(epoch: u64) -> [u8; 2] {
    [b'h', (epoch % EPOCHS) as u8]
}

/// Records `price` as the price after `epoch`'s rewards, at the current block time.
pub fn record(epoch: u64, price: u128) {
    let mut value = [0u8; 32];
    value[..8].copy_from_slice(&epoch.to_le_bytes());
    value[8..16].copy_from_slice(&env::block_timestamp_ms().to_le_bytes());
    value[16..].copy_from_slice(&price.to_le_bytes());
    env::storage_write(&key(epoch), &value);
}

/// `get_price_history`: the entries of the last `limit` epochs up to this one (at most
/// [`EPOCHS`]), oldest first; epochs the crank did not finish, or whose slot a later epoch took,
/// are missing.
pub fn json(limit: u64) -> String {
    let now = env::epoch_height();
    let mut out = String::from("[");
    for epoch in now.saturating_sub(limit.min(EPOCHS)) + 1..=now {
        let Some(value) = env::storage_read(&key(epoch)) else { continue };
        let word = |i: usize| u64::from_le_bytes(value[i..i + 8].try_into().unwrap_or_default());
        if value.len() != 32 || word(0) != epoch {
            continue;
        }
        let price = (u128::from(word(24)) << 64) | u128::from(word(16));
        if out.len() > 1 {
            out.push(',');
        }
        let mut entry = Object::within(out);
        entry.integer("epoch", epoch).integer("timestamp_ms", word(8)).amount("price", price);
        out = entry.end();
    }
    out.push(']');
    out
}
