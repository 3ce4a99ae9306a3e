//! `a * b / c` for balances and shares, computed in 256 bits so the product never overflows,
//! with the rounding direction chosen by the caller (always in the pool's favour).
#![no_std]

#[allow(clippy::manual_div_ceil)] // in the code the `uint` macro generates
mod u256 {
    uint::construct_uint! {
        /// 256-bit unsigned integer for intermediate products.
        pub struct U256(4);
    }
}
pub use u256::U256;

/// `floor(a * b / c)`, or `None` when `c` is 0 or the result does not fit in `u128`.
pub fn mul_div_floor(a: u128, b: u128, c: u128) -> Option<u128> {
    if c == 0 {
        return None;
    }
    let q = U256::from(a) * U256::from(b) / U256::from(c);
    (q <= U256::from(u128::MAX)).then(|| q.as_u128())
}

/// `ceil(a * b / c)`, or `None` when `c` is 0 or the result does not fit in `u128`.
pub fn mul_div_ceil(a: u128, b: u128, c: u128) -> Option<u128> {
    if c == 0 {
        return None;
    }
    let (product, divisor) = (U256::from(a) * U256::from(b), U256::from(c));
    let (q, r) = product.div_mod(divisor);
    let q = if r.is_zero() { q } else { q + 1 };
    (q <= U256::from(u128::MAX)).then(|| q.as_u128())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_as_asked() {
        assert_eq!(mul_div_floor(10, 10, 3), Some(33));
        assert_eq!(mul_div_ceil(10, 10, 3), Some(34));
        assert_eq!(mul_div_ceil(10, 9, 3), Some(30));
        assert_eq!(mul_div_floor(0, 5, 7), Some(0));
        assert_eq!(mul_div_ceil(0, 5, 7), Some(0));
    }

    #[test]
    fn products_beyond_u128_are_exact() {
        let big = u128::MAX / 3;
        assert_eq!(mul_div_floor(big, 1u128 << 100, 1u128 << 100), Some(big));
        assert_eq!(mul_div_ceil(u128::MAX, u128::MAX, u128::MAX), Some(u128::MAX));
        // 10^9 NEAR times 10^9 NEAR of shares over 1 yocto would not fit.
        let n = 10u128.pow(33);
        assert_eq!(mul_div_floor(n, n, 1), None);
        assert_eq!(mul_div_floor(n, n, n), Some(n));
    }

    #[test]
    fn division_by_zero_is_none() {
        assert_eq!(mul_div_floor(1, 1, 0), None);
        assert_eq!(mul_div_ceil(1, 1, 0), None);
    }
}
