//! The contract's JSON reader ([`liquid_staking::json`]) against serde_json and near-sdk's own
//! argument types, on any input: shared by the property tests (`tests/codec.rs`), the fuzz
//! target (`fuzz_targets/json.rs`) and the replay of the fuzz corpus in CI.
//!
//! The reader must accept exactly the documents serde_json accepts, with two refusals of its
//! own that near-sdk's typed arguments share or that no method needs: an object with a repeated
//! key, and nesting deeper than 16; and it accepts a number too large for an f64, as near-sdk's
//! typed arguments do in a field they skip. Where both accept, the values are equal; and each typed
//! accessor agrees with near-sdk's type for the same field (`U128`, `AccountId`, `u64`, `bool`,
//! `String`): the same value, or both refuse.

use liquid_staking::json::{self, Args, Value};
use near_sdk::AccountId;
use near_sdk::json_types::U128;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Serde;

/// serde_json's value, refusing a repeated key as near-sdk's derived deserializers do.
struct Strict(Serde);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict(Serde::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Strict, E> {
        Ok(Strict(serde_json::Number::from_f64(v).map_or(Serde::Null, Serde::Number)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Serde::String(v.to_string())))
    }

    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Serde::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Strict(Serde::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut fields = serde_json::Map::new();
        while let Some((k, Strict(v))) = map.next_entry::<String, Strict>()? {
            if fields.insert(k, v).is_some() {
                return Err(de::Error::custom("duplicate key"));
            }
        }
        Ok(Strict(Serde::Object(fields)))
    }
}

/// Our value as serde_json's (numbers through serde_json, which checked the same text).
fn to_serde(v: &Value) -> Serde {
    match v {
        Value::Null => Serde::Null,
        Value::Bool(b) => Serde::Bool(*b),
        Value::Number(n) => serde_json::from_str(n).expect("a number the reader accepted"),
        Value::String(s) => Serde::String(s.clone()),
        Value::Array(items) => Serde::Array(items.iter().map(to_serde).collect()),
        Value::Object(fields) => Serde::Object(fields.iter().map(|(k, v)| (k.clone(), to_serde(v))).collect()),
    }
}

fn depth(v: &Serde) -> usize {
    match v {
        Serde::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Serde::Object(fields) => 1 + fields.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Both accept with the same value, or both refuse.
#[track_caller]
fn agree<T: PartialEq + std::fmt::Debug>(what: &str, ours: Result<T, String>, theirs: Result<T, serde_json::Error>) {
    match (ours, theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}"),
        (Err(_), Err(_)) => {}
        (ours, theirs) => panic!("{what}: the reader says {ours:?}, near-sdk's type says {theirs:?}"),
    }
}

/// Checks the reader against serde_json on `bytes`; panics on any disagreement.
pub fn check(bytes: &[u8]) {
    let ours = json::parse(bytes);
    let theirs = serde_json::from_slice::<Strict>(bytes).map(|s| s.0);
    let value = match (ours, theirs) {
        (Ok(v), Ok(t)) => {
            assert_eq!(to_serde(&v), t, "the same document read differently");
            v
        }
        (Err(_), Err(_)) => return,
        (Err("too deeply nested"), Ok(t)) if depth(&t) > 16 => return,
        // serde_json's value cannot hold a float beyond f64; near-sdk's typed arguments skip such
        // a number in a field they do not read, as the reader does.
        (Ok(_), Err(e)) if e.to_string().starts_with("number out of range") => return,
        (ours, theirs) => {
            panic!("{:?}: the reader says {ours:?}, serde_json says {theirs:?}", String::from_utf8_lossy(bytes))
        }
    };
    let Value::Object(fields) = value else { return };
    let args = Args::try_from_bytes(bytes).expect("an object is arguments");
    for (key, field) in &fields {
        let field = serde_json::to_value(to_serde(field)).unwrap();
        agree(key, args.try_u128(key), serde_json::from_value::<U128>(field.clone()).map(|v| v.0));
        agree(key, args.try_account(key), serde_json::from_value::<AccountId>(field.clone()));
        agree(key, args.try_u64(key), serde_json::from_value::<u64>(field.clone()));
        agree(key, args.try_string(key), serde_json::from_value::<String>(field.clone()));
        agree(key, args.try_opt_bool(key), serde_json::from_value::<Option<bool>>(field.clone()));
    }
}
