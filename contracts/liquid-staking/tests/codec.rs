//! Property tests of the contract's JSON reader against serde_json and near-sdk's argument
//! types (the comparison is `fuzz/differential.rs`, shared with the fuzz target), and the fuzz
//! corpus replayed: every input the fuzzer kept must still agree.

#[path = "../fuzz/differential.rs"]
mod differential;

use liquid_staking::json;
use proptest::prelude::*;
use serde_json::Value as Serde;

/// Any JSON document serde_json can write: unicode and control characters in strings and keys,
/// integers of every size, floats, nesting up to 6 levels.
fn document() -> impl Strategy<Value = Serde> {
    let leaf = prop_oneof![
        Just(Serde::Null),
        any::<bool>().prop_map(Serde::Bool),
        any::<u64>().prop_map(Serde::from),
        any::<i64>().prop_map(Serde::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Serde::from),
        any::<String>().prop_map(Serde::String),
        "[0-9]{1,40}".prop_map(Serde::String),
        "[a-z0-9._-]{1,70}".prop_map(Serde::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Serde::Array),
            prop::collection::btree_map(
                prop_oneof![any::<String>(), "[a-z_]{1,8}".prop_map(String::from)],
                inner,
                0..8
            )
            .prop_map(|m| Serde::Object(m.into_iter().collect())),
        ]
    })
}

/// Bytes that matter to JSON, so random edits hit the grammar rather than string contents.
const ALPHABET: &[u8] = b"{}[]\":,0123456789-+.eE \t\n\\/ubfnrtalsx\x00\x1f\x7f\xc3\xa9\xff";

/// A document with up to 4 random edits: a byte deleted, inserted or replaced.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let edit = (any::<prop::sample::Index>(), 0..3u8, prop::sample::select(ALPHABET));
    (document(), any::<bool>(), prop::collection::vec(edit, 1..5)).prop_map(|(doc, pretty, edits)| {
        let mut bytes =
            if pretty { serde_json::to_vec_pretty(&doc).unwrap() } else { serde_json::to_vec(&doc).unwrap() };
        for (at, kind, byte) in edits {
            let i = at.index(bytes.len() + 1);
            match kind {
                0 if i < bytes.len() => drop(bytes.remove(i)),
                1 => bytes.insert(i, byte),
                _ if i < bytes.len() => bytes[i] = byte,
                _ => bytes.push(byte),
            }
        }
        bytes
    })
}

/// Arguments as wallets send them: an object of amounts, account ids, integers and flags,
/// each value drawn to be valid or nearly so.
fn arguments() -> impl Strategy<Value = Vec<u8>> {
    let value = prop_oneof![
        "[+-]?[0-9]{0,41}".prop_map(Serde::String),
        "[a-z0-9]{0,3}([._-]?[a-z0-9]{0,6}){0,4}".prop_map(Serde::String),
        "-?[0-9]{1,21}(\\.[0-9]{1,2})?([eE][+-]?[0-9]{1,3})?"
            .prop_map(|n| serde_json::from_str(&n).unwrap_or(Serde::Null)),
        any::<bool>().prop_map(Serde::Bool),
        Just(Serde::Null),
    ];
    prop::collection::btree_map("[a-z_]{1,12}", value, 0..6)
        .prop_map(|m| serde_json::to_vec(&Serde::Object(m.into_iter().collect())).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn every_document_reads_as_serde_json_reads_it(doc in document(), pretty: bool) {
        let bytes = if pretty { serde_json::to_vec_pretty(&doc).unwrap() } else { serde_json::to_vec(&doc).unwrap() };
        differential::check(&bytes);
    }

    #[test]
    fn a_mutated_document_is_refused_or_read_as_serde_json_reads_it(bytes in mutated()) {
        differential::check(&bytes);
    }

    #[test]
    fn arbitrary_bytes_are_refused_or_read_as_serde_json_reads_them(bytes in prop::collection::vec(prop::sample::select(ALPHABET), 0..40)) {
        differential::check(&bytes);
    }

    #[test]
    fn typed_arguments_read_as_near_sdk_reads_them(bytes in arguments()) {
        differential::check(&bytes);
    }

    #[test]
    fn every_string_written_reads_back_unchanged(s: String) {
        let written = json::string(&s);
        prop_assert_eq!(json::parse(written.as_bytes()), Ok(json::Value::String(s.clone())));
        prop_assert_eq!(serde_json::from_str::<String>(&written).unwrap(), s);
    }
}

/// Inputs the fuzzer found interesting (`fuzz/corpus/json`), replayed on every test run.
#[test]
fn the_fuzz_corpus_replays_without_disagreement() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/json");
    let mut replayed = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        differential::check(&std::fs::read(entry.unwrap().path()).unwrap());
        replayed += 1;
    }
    assert!(replayed >= 100, "the corpus has only {replayed} inputs");
}

/// Found by the differential test: a `\u` escape took a sign as its first "digit".
#[test]
fn an_escape_is_exactly_four_hex_digits() {
    for bad in [r#""\u+041""#, r#""\u-041""#, r#""\u 041""#, r#""\u04g1""#, r#""\u041""#] {
        assert_eq!(json::parse(bad.as_bytes()), Err("invalid escape"), "{bad}");
        differential::check(bad.as_bytes());
    }
    assert_eq!(json::parse(br#""\u0041\u00e9""#), Ok(json::Value::String("Aé".into())));
}
