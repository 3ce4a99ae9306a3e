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
    push_u128(out, value / E19);
    push_u64(out, (value % E19) as u64, 19);
}

/// Appends `value` in decimal, zero-padded to `width` digits.
fn push_u64(out: &mut String, mut value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while value > 0 || digits.len() - start < width {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    digits[start..].iter().for_each(|&d| out.push(d as char));
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
        for value in values {
            assert_eq!(decimal(value), format!("{value}"));
        }
    }
}
