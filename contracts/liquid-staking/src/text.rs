//! Numbers as decimal text, written by hand. `format!` and `write!` would bring in `core::fmt`'s
//! 128-bit integer formatting and its dynamic dispatch: kilobytes of code every call pays to
//! load, and instructions it pays to run for every number in an event, a view or a call's
//! arguments. Panic messages (near-sdk's hook) still use `core::fmt`, for 32-bit numbers only.

/// 10^19: the largest power of ten below `u64::MAX`.
const E19: u128 = 10_000_000_000_000_000_000;

/// Appends `value` in decimal: 19-digit groups, each printed with 64-bit division (one wasm
/// instruction, where 128-bit division is a library call).
pub fn push_u128(out: &mut String, value: u128) {
    if value < E19 {
        return push_u64(out, value as u64, 1);
    }
    let (high, low) = div_e19(value);
    push_u128(out, high);
    push_u64(out, low, 19);
}

/// `n / 10^19` and its remainder with 64-bit operations only (128-bit division is a library
/// routine of hundreds of instructions). As 10^19 = 2^19 * 5^19, the quotient is
/// `(n >> 19) / 5^19`: the top 64 bits of `n >> 19` (below 2^45) divided at once, then its low
/// 64 bits 16 at a time (a remainder below 5^19 < 2^45, shifted by 16 bits, stays below 2^64);
/// the remainder is the last one times 2^19 plus `n`'s low 19 bits.
fn div_e19(n: u128) -> (u128, u64) {
    const FIVE_19: u64 = 19_073_486_328_125;
    let shifted = n >> 19;
    let top = (shifted >> 64) as u64;
    let (high_quotient, mut remainder) = (top / FIVE_19, top % FIVE_19);
    let mut low_quotient = 0u64;
    for shift in [48, 32, 16, 0] {
        let part = (remainder << 16) | ((shifted as u64 >> shift) & 0xffff);
        low_quotient = (low_quotient << 16) | (part / FIVE_19);
        remainder = part % FIVE_19;
    }
    let quotient = ((high_quotient as u128) << 64) | low_quotient as u128;
    (quotient, (remainder << 19) | (n as u64 & ((1 << 19) - 1)))
}

/// The two digits of every number below 100, side by side.
const PAIRS: [u8; 200] = {
    let mut pairs = [0; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

/// Appends `value` in decimal, zero-padded to `width` digits: two digits at a time from a table
/// (every wasm instruction costs gas), written at once.
fn push_u64(out: &mut String, mut value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while value >= 10 && start >= 2 {
        let pair = (value % 100) as usize * 2;
        value /= 100;
        start -= 2;
        digits[start] = PAIRS[pair];
        digits[start + 1] = PAIRS[pair + 1];
    }
    if (value > 0 || start == digits.len()) && start >= 1 {
        start -= 1;
        digits[start] = b'0' + value as u8;
    }
    let start = start.min(digits.len() - width);
    // SAFETY: `digits` holds ASCII digits only, so any slice of it is UTF-8.
    out.push_str(unsafe { core::str::from_utf8_unchecked(&digits[start..]) });
}

/// `value` in decimal.
pub fn decimal(value: u128) -> String {
    let mut out = String::new();
    push_u128(&mut out, value);
    out
}

/// The `parts` one after the other (`[..].concat()` brings in a generic join of a kilobyte).
pub fn join(parts: &[&str]) -> String {
    let mut out = String::new();
    parts.iter().for_each(|part| out.push_str(part));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_format_writes() {
        let mut values = vec![0, 1, 9, 10, 99, 100, E19 - 1, E19, E19 + 1, E19 * 10, E19 * E19, u128::MAX];
        values.extend((0..128).map(|bit| 1u128 << bit));
        values.extend((0..39).map(|digits| 10u128.pow(digits)));
        values.extend((1..39).map(|digits| 10u128.pow(digits) - 1));
        let mut x = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834u128;
        for _ in 0..10_000 {
            // Every magnitude, from a xorshift.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x >> (x % 128));
        }
        for value in values {
            assert_eq!(decimal(value), format!("{value}"));
            let (quotient, remainder) = div_e19(value);
            assert_eq!((quotient, remainder as u128), (value / E19, value % E19));
        }
    }
}
