//! Share math. The pool holds `total_staked` NEAR (T) for `total_shares` tokens (S); one token
//! is worth T / S. Every conversion rounds in the pool's favour, so no sequence of operations
//! can take out more than it put in, and the price never falls through user operations.

use crate::errors;
use near_sdk::env;
use shares::{mul_div_ceil, mul_div_floor};

fn checked(value: Option<u128>) -> u128 {
    value.unwrap_or_else(|| env::panic_str(errors::math::SHARE_OVERFLOW))
}

/// Tokens minted for `amount` NEAR: `floor(amount * S / T)`.
pub fn shares_for_deposit(amount: u128, total_staked: u128, total_shares: u128) -> u128 {
    checked(mul_div_floor(amount, total_shares, total_staked))
}

/// Tokens burnt to take `amount` NEAR out: `ceil(amount * S / T)`.
pub fn shares_to_burn(amount: u128, total_staked: u128, total_shares: u128) -> u128 {
    checked(mul_div_ceil(amount, total_shares, total_staked))
}

/// NEAR value of `shares` tokens: `floor(shares * T / S)`.
pub fn value_of(shares: u128, total_staked: u128, total_shares: u128) -> u128 {
    checked(mul_div_floor(shares, total_staked, total_shares))
}

/// `bucket -= amount` for an accounting bucket: more than it holds is a bug in the books, and
/// the call fails (reverting everything it did) rather than book it.
pub fn take(bucket: &mut u128, amount: u128) {
    *bucket = bucket.checked_sub(amount).unwrap_or_else(|| env::panic_str(errors::math::LEDGER_UNDERFLOW));
}

/// The token's price: the NEAR value of one token (10^24 of its smallest units), rounded down.
pub fn price(total_staked: u128, total_shares: u128) -> u128 {
    value_of(10u128.pow(24), total_staked, total_shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEAR: u128 = 10u128.pow(24);

    use testkit::rng::Rng;

    /// An amount from 1 yocto to 2 * 10^9 NEAR, spread over every order of magnitude.
    fn amount(rng: &mut Rng) -> u128 {
        let base = 10u128.pow(rng.below(34) as u32);
        base + rng.next_u64() as u128 % base
    }

    /// A pool of `t` NEAR and `s` shares, driven by deposits and unstakes.
    struct Pool {
        t: u128,
        s: u128,
    }

    impl Pool {
        fn deposit(&mut self, amount: u128) -> Option<u128> {
            let shares = shares_for_deposit(amount, self.t, self.s);
            if shares == 0 {
                return None;
            }
            self.t += amount;
            self.s += shares;
            Some(shares)
        }

        fn unstake(&mut self, amount: u128, owned: u128) -> Option<u128> {
            let burnt = shares_to_burn(amount, self.t, self.s);
            if burnt == 0 || burnt > owned {
                return None;
            }
            self.t -= amount;
            self.s -= burnt;
            Some(burnt)
        }
    }

    #[test]
    fn conversions_round_toward_the_pool() {
        // Price 1.5: 3 NEAR for 2 shares.
        assert_eq!(shares_for_deposit(1, 3, 2), 0);
        assert_eq!(shares_for_deposit(2, 3, 2), 1);
        assert_eq!(shares_to_burn(1, 3, 2), 1);
        assert_eq!(value_of(1, 3, 2), 1);
        assert_eq!(value_of(2, 3, 2), 3);
        // Price 1: exact.
        assert_eq!(shares_for_deposit(10 * NEAR, NEAR, NEAR), 10 * NEAR);
        assert_eq!(shares_to_burn(10 * NEAR, NEAR, NEAR), 10 * NEAR);
    }

    #[test]
    fn unstaking_the_reported_value_always_fits_the_shares() {
        let mut rng = Rng::new(7);
        for _ in 0..10_000 {
            let (s, extra) = (amount(&mut rng) + NEAR, amount(&mut rng));
            let t = s + extra % s; // prices from 1 to below 2
            let shares = amount(&mut rng) % s + 1;
            let value = value_of(shares, t, s);
            assert!(shares_to_burn(value, t, s) <= shares, "t {t} s {s} shares {shares}");
            if value > 0 {
                assert!(shares_to_burn(value + 1, t, s) > shares || value_of(shares, t, s) == value);
            }
        }
    }

    #[test]
    fn no_sequence_returns_more_than_went_in() {
        for seed in 1..=50u64 {
            let mut rng = Rng::new(seed);
            // Dead shares of 1 NEAR at prices from 1 to 1.9.
            let mut pool = Pool { t: NEAR + NEAR * (seed as u128 % 10) / 10, s: NEAR };
            let (mut put_in, mut taken_out, mut owned) = (0u128, 0u128, 0u128);
            for _ in 0..2_000 {
                let (t0, s0) = (pool.t, pool.s);
                if rng.next_u64().is_multiple_of(2) {
                    let amount = amount(&mut rng);
                    if let Some(shares) = pool.deposit(amount) {
                        put_in += amount;
                        owned += shares;
                    }
                } else if owned > 0 {
                    let value = value_of(owned, pool.t, pool.s);
                    let amount = if rng.next_u64().is_multiple_of(3) { value } else { amount(&mut rng).min(value) };
                    if amount > 0
                        && let Some(burnt) = pool.unstake(amount, owned)
                    {
                        taken_out += amount;
                        owned -= burnt;
                    }
                }
                // t / s >= t0 / s0, compared without division.
                let wide = shares::U256::from;
                let fell = wide(pool.t) * wide(s0) < wide(t0) * wide(pool.s);
                assert!(!fell, "the price fell (seed {seed})");
            }
            let left = value_of(owned, pool.t, pool.s);
            assert!(taken_out + left <= put_in, "seed {seed}: out {taken_out} + {left} > in {put_in}");
        }
    }

    #[test]
    fn one_yocto_deposits_mint_nothing_above_price_one() {
        assert_eq!(shares_for_deposit(1, 3 * NEAR, 2 * NEAR), 0);
        assert_eq!(shares_for_deposit(1, NEAR, NEAR), 1);
        assert_eq!(shares_to_burn(1, 3 * NEAR, 2 * NEAR), 1);
    }

    #[test]
    fn large_amounts_do_not_overflow() {
        let billion = 1_000_000_000 * NEAR;
        assert_eq!(shares_for_deposit(billion, 2 * billion, billion), billion / 2);
        assert_eq!(value_of(billion, 3 * billion, 2 * billion), 3 * billion / 2);
        assert_eq!(shares_to_burn(billion, 3 * billion, 2 * billion), 2 * billion / 3 + 1);
    }
}
