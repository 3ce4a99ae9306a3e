//! The binary layout of stored records: byte for byte borsh's (little-endian integers, `u32`
//! lengths before strings and lists, a 0/1 byte before an optional value, a variant byte before
//! an enum's fields, struct fields in declaration order), written by hand.
//!
//! Why not borsh itself: its generated readers wrap every field in `std::io` errors, which drag
//! in boxed error types, their `Debug` formatting and Unicode tables: about a sixth of the wasm,
//! loaded (and paid for) by every call. Here a malformed record, which only a bug could write,
//! fails the call with [`errors::state::CORRUPT`], as a refused borsh read did. Host builds keep
//! borsh's derives, and `tests` compares every record type's bytes with borsh's.

use crate::errors;
use near_sdk::env;

/// A value stored in a record.
pub trait Record: Sized {
    fn put(&self, out: &mut Vec<u8>);
    /// Reads the value from the front of `input`, advancing it.
    fn take(input: &mut &[u8]) -> Self;
}

fn corrupt() -> ! {
    env::panic_str(errors::state::CORRUPT)
}

/// Reads a whole record: every byte must belong to it.
pub fn decode<T: Record>(mut bytes: &[u8]) -> T {
    let value = T::take(&mut bytes);
    if !bytes.is_empty() {
        corrupt();
    }
    value
}

pub fn encode<T: Record>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.put(&mut out);
    out
}

/// Borsh's layout, written by hand: the contract's build.
#[cfg(not(feature = "sdk-codecs"))]
mod layout {
    use super::*;
    use near_sdk::AccountId;

    /// The next `n` bytes of `input`.
    fn bytes<'a>(input: &mut &'a [u8], n: usize) -> &'a [u8] {
        if input.len() < n {
            corrupt();
        }
        let (head, rest) = input.split_at(n);
        *input = rest;
        head
    }

    macro_rules! integers {
        ($($t:ty),*) => {$(
            impl Record for $t {
                fn put(&self, out: &mut Vec<u8>) {
                    out.extend_from_slice(&self.to_le_bytes());
                }

                fn take(input: &mut &[u8]) -> Self {
                    let mut le = [0; size_of::<$t>()];
                    le.copy_from_slice(bytes(input, size_of::<$t>()));
                    <$t>::from_le_bytes(le)
                }
            }
        )*};
    }

    integers!(u8, u16, u32, u64, u128, i128);

    impl Record for bool {
        fn put(&self, out: &mut Vec<u8>) {
            out.push(u8::from(*self));
        }

        fn take(input: &mut &[u8]) -> Self {
            match u8::take(input) {
                0 => false,
                1 => true,
                _ => corrupt(),
            }
        }
    }

    impl Record for String {
        fn put(&self, out: &mut Vec<u8>) {
            (self.len() as u32).put(out);
            out.extend_from_slice(self.as_bytes());
        }

        fn take(input: &mut &[u8]) -> Self {
            let len = u32::take(input) as usize;
            String::from_utf8(bytes(input, len).to_vec()).unwrap_or_else(|_| corrupt())
        }
    }

    /// Checked when read, as borsh's reader for it does.
    impl Record for AccountId {
        fn put(&self, out: &mut Vec<u8>) {
            self.as_str().to_string().put(out);
        }

        fn take(input: &mut &[u8]) -> Self {
            String::take(input).parse().unwrap_or_else(|_| corrupt())
        }
    }

    impl<T: Record> Record for Option<T> {
        fn put(&self, out: &mut Vec<u8>) {
            match self {
                None => out.push(0),
                Some(value) => {
                    out.push(1);
                    value.put(out);
                }
            }
        }

        fn take(input: &mut &[u8]) -> Self {
            match u8::take(input) {
                0 => None,
                1 => Some(T::take(input)),
                _ => corrupt(),
            }
        }
    }

    impl<T: Record> Record for Vec<T> {
        fn put(&self, out: &mut Vec<u8>) {
            (self.len() as u32).put(out);
            self.iter().for_each(|item| item.put(out));
        }

        fn take(input: &mut &[u8]) -> Self {
            // Grown as items are read, so a corrupt length fails on the missing bytes, not on
            // reserving memory for them.
            let mut items = Vec::new();
            for _ in 0..u32::take(input) {
                items.push(T::take(input));
            }
            items
        }
    }

    impl<T: Record + Copy + Default, const N: usize> Record for [T; N] {
        fn put(&self, out: &mut Vec<u8>) {
            self.iter().for_each(|item| item.put(out));
        }

        fn take(input: &mut &[u8]) -> Self {
            let mut items = [T::default(); N];
            items.iter_mut().for_each(|item| *item = T::take(input));
            items
        }
    }

    impl<A: Record, B: Record> Record for (A, B) {
        fn put(&self, out: &mut Vec<u8>) {
            self.0.put(out);
            self.1.put(out);
        }

        fn take(input: &mut &[u8]) -> Self {
            let a = A::take(input);
            (a, B::take(input))
        }
    }
}

/// A struct's record: its fields in declaration order (list them all, in that order; the
/// comparison with borsh in `tests` catches a field missed or moved).
#[cfg(not(feature = "sdk-codecs"))]
macro_rules! record {
    ($name:ident { $($field:ident),* $(,)? }) => {
        impl $crate::record::Record for $name {
            fn put(&self, out: &mut Vec<u8>) {
                $( $crate::record::Record::put(&self.$field, out); )*
            }

            fn take(input: &mut &[u8]) -> Self {
                // A struct expression evaluates its fields in the order written.
                $name { $( $field: $crate::record::Record::take(input), )* }
            }
        }
    };
}

/// The `sdk-codecs` build (a measurement, see the gas report) stores every record with borsh
/// itself, as a `#[near]` contract does, to price the choice above.
#[cfg(feature = "sdk-codecs")]
impl<T: near_sdk::borsh::BorshSerialize + near_sdk::borsh::BorshDeserialize> Record for T {
    fn put(&self, out: &mut Vec<u8>) {
        near_sdk::borsh::BorshSerialize::serialize(self, out).unwrap_or_else(|_| corrupt());
    }

    fn take(input: &mut &[u8]) -> Self {
        near_sdk::borsh::BorshDeserialize::deserialize(input).unwrap_or_else(|_| corrupt())
    }
}

#[cfg(feature = "sdk-codecs")]
macro_rules! record {
    ($($derived_by_borsh:tt)*) => {};
}

pub(crate) use record;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{Cell, InFlight};
    use crate::config::{Change, Config, Fraction, LiquidityConfig, Scheduled, TokenMetadata};
    use crate::crank::CrankState;
    use crate::exit::{Releases, Share};
    use crate::liquidity::Pool;
    use crate::state::Holder;
    use crate::validators::{Op, Outage, Pending, Validator, ValidatorSet};
    use near_sdk::AccountId;
    use near_sdk::borsh::{self, BorshDeserialize, BorshSerialize};

    /// The same bytes as borsh, and read back to the same value.
    #[track_caller]
    fn same_as_borsh<T: Record + BorshSerialize + BorshDeserialize + PartialEq + std::fmt::Debug>(value: T) {
        let bytes = borsh::to_vec(&value).unwrap();
        assert_eq!(encode(&value), bytes);
        assert_eq!(decode::<T>(&bytes), value);
    }

    fn account(id: &str) -> AccountId {
        id.parse().unwrap()
    }

    #[test]
    fn every_record_type_has_borshs_layout() {
        let fraction = Fraction { numerator: 3, denominator: 70_000 };
        let liquidity = LiquidityConfig {
            target: u128::MAX - 5,
            min_fee_bps: 1,
            max_fee_bps: 2,
            treasury_share_bps: 3,
            unstake_threshold: 4,
        };
        same_as_borsh(fraction);
        same_as_borsh(liquidity.clone());
        same_as_borsh(Config {
            owner_id: account("owner.near"),
            pending_owner_id: Some(account("next.near")),
            guardian_id: account("guardian.near"),
            treasury_id: account("treasury.near"),
            reward_fee: fraction,
            manager_id: account("manager.near"),
            whitelist_id: None,
            max_reward_rate: Fraction { numerator: 1, denominator: 1_000 },
            drain_after_epochs: 3,
            epoch_blocks: 43_200,
            guardian_paused_at: Some(u64::MAX),
            owner_paused_until: 9,
            scheduled: vec![
                Scheduled { change: Change::RewardFee(fraction), epoch: 5 },
                Scheduled { change: Change::MaxRewardRate(fraction), epoch: 6 },
                Scheduled { change: Change::DrainAfterEpochs(7), epoch: 8 },
            ],
        });
        same_as_borsh(TokenMetadata {
            spec: "ft-1.0.0".into(),
            name: "Liquid Staked NEAR ✓".into(),
            symbol: "lsNEAR".into(),
            icon: Some("data:image/svg+xml,<svg/>".into()),
            reference: None,
            reference_hash: Some(String::new()),
            decimals: 24,
        });
        same_as_borsh(CrankState {
            epoch: 7,
            synced: 300,
            rewards: -5_000_000_000_000_000_000_000,
            rewards_done: true,
            cursor: 2,
            start_block: 1 << 40,
        });
        same_as_borsh(Releases { at: [1, 2, 3, 4, 5, 6, 7, u128::MAX], late: 9, stuck: 11, epoch_blocks: 12 });
        same_as_borsh(InFlight {
            cells: vec![
                Cell { tranche: 12, validator: 10, amount: 1 << 90 },
                Cell { tranche: crate::claims::SPARE, validator: 999, amount: 3 },
            ],
        });
        same_as_borsh(Pool { lp_shares: 1, tokens: 2, claim: 3, claim_unlock_epoch: 4 });
        same_as_borsh(Holder { shares: 1 << 100, unstaked: 2, deposited: 3, unlock_epoch: 4, index: u32::MAX });
        same_as_borsh(ValidatorSet {
            count: 500,
            total_weight: 1,
            total_base_stake: 2,
            draining_weight: 3,
            draining_base_stake: 4,
            faulty: 5,
        });
        for op in [Op::Sync, Op::Stake, Op::Unstake, Op::Withdraw] {
            same_as_borsh(op);
        }
        let pending =
            Pending { op: Op::Unstake, amount: 1, claims: 2, id: 3, epoch: 4, reconciling: true, prior_unlock: 5 };
        for (outage, pending) in [(None, None), (Some(Outage { since: 10, back: 12 }), Some(pending))] {
            same_as_borsh(Validator {
                account_id: account("v0.owner.near"),
                weight: 10,
                base_stake: 1,
                staked: 2,
                unstaked: 3,
                claims: 4,
                unlock_epoch: 5,
                synced_epoch: 6,
                outage,
                draining: true,
                capacity: Share { amount: 7, free_at: 8 },
                pending,
                faulty: false,
                failed_syncs: 9,
                failed_epoch: 10,
                retry_at: 11,
                stalled_at: 12,
                stuck: 13,
                refusals: 16,
                refused_epoch: 17,
                unbooked: 18,
                excess_syncs: 19,
                held_max: 20,
            });
        }
        same_as_borsh(Some((liquidity, 77u64)));
        same_as_borsh(vec![1u16, 2, 3]);
    }

    /// Refused (off-chain, near-sdk prints the message and panics without it; `corrupt` is
    /// the only way this module fails).
    #[track_caller]
    fn refused<T: Record>(bytes: &[u8]) {
        assert!(std::panic::catch_unwind(|| decode::<T>(bytes)).is_err(), "{bytes:?} was read");
    }

    #[test]
    fn a_malformed_record_is_refused() {
        refused::<u32>(&[1, 2, 3]);
        refused::<u32>(&[1, 2, 3, 4, 5]);
        refused::<bool>(&[2]);
        refused::<Option<u8>>(&[2, 0]);
        refused::<String>(&[1, 0, 0, 0, 0xff]);
        refused::<AccountId>(&[3, 0, 0, 0, b'A', b'B', b'C']);
        refused::<Vec<u64>>(&[255, 255, 255, 255]);
        refused::<Op>(&[4]);
        refused::<Change>(&[3, 0, 0, 0, 0, 0, 0, 0, 0]);
    }
}
