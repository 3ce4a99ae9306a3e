//! A small JSON reader and writer for method arguments and results.
//!
//! The contract's interface is JSON, but a general JSON library (with floats, generic
//! deserializers per argument type and their error formatting) would more than double the wasm,
//! and every call pays to load every byte.
//!
//! **What it reads** (RFC 8259, as serde_json reads it):
//!
//! ```text
//! document = ws value ws                      (an empty or all-whitespace input is `{}`)
//! value    = "null" | "true" | "false" | number | string | array | object
//! object   = "{" ws [ member *( ws "," ws member ) ] ws "}"      keys unique
//! member   = string ws ":" ws value
//! array    = "[" ws [ value *( ws "," ws value ) ] ws "]"
//! number   = [ "-" ] ( "0" | 1-9 *digit ) [ "." 1*digit ] [ ( "e" | "E" ) [ "+" | "-" ] 1*digit ]
//! string   = '"' *( any char but '"', '\' and U+0000..U+001F | escape ) '"'     valid UTF-8
//! escape   = '\' ( '"' | '\' | "/" | "b" | "f" | "n" | "r" | "t" | "u" 4hexdigit )
//!            (a high surrogate must be followed by an escaped low one)
//! ws       = *( " " | tab | LF | CR )
//! ```
//!
//! Two refusals of its own: a repeated key in an object (near-sdk's derived deserializers
//! refuse it too) and nesting deeper than [`MAX_DEPTH`]. Numbers are kept as their text; the
//! accessors turn values into exactly the types methods take (yocto amounts as decimal strings,
//! account ids, integers, booleans, strings, objects), failing with near-sdk's
//! `Failed to deserialize input from JSON: ...`.
//!
//! The parser never panics: [`parse`] returns what is wrong, and each accessor has a `try_*`
//! form; only the plain accessors end the call. `tests/codec.rs` checks all of it against
//! serde_json and near-sdk's `U128` and `AccountId` on generated and mutated documents, and
//! replays the corpus of the fuzz target in `fuzz/`.

use crate::{abi, errors, text};
use near_sdk::{AccountId, env};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's text, checked to be valid JSON.
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The field `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A yocto amount written as a decimal string.
    pub fn as_u128(&self) -> Option<u128> {
        match self {
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// Nesting deeper than this is refused (no method takes more than two levels).
const MAX_DEPTH: usize = 16;

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

type Parsed<T> = Result<T, &'static str>;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Parsed<()> {
        self.skip_whitespace();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err("unexpected character")
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Parsed<Value> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err("invalid literal")
        }
    }

    fn value(&mut self, depth: usize) -> Parsed<Value> {
        if depth > MAX_DEPTH {
            return Err("too deeply nested");
        }
        self.skip_whitespace();
        match self.peek().ok_or("unexpected end of input")? {
            b'n' => self.literal(b"null", Value::Null),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_whitespace();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_whitespace();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return Err("expected , or ]"),
                    }
                }
            }
            b'{' => {
                self.pos += 1;
                let mut fields = Vec::new();
                self.skip_whitespace();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Value::Object(fields));
                }
                loop {
                    self.skip_whitespace();
                    let key = self.string()?;
                    // near-sdk's serde rejects a repeated field; so does this reader (keys are
                    // compared unescaped, so `"a"` and `"\u0061"` are the same key).
                    if fields.iter().any(|(k, _)| *k == key) {
                        return Err("duplicate key in an object");
                    }
                    self.expect(b':')?;
                    fields.push((key, self.value(depth + 1)?));
                    self.skip_whitespace();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Value::Object(fields));
                        }
                        _ => return Err("expected , or }"),
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err("unexpected character"),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Parsed<Value> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let first = self.peek();
        let int_digits = self.digits();
        if int_digits == 0 || (first == Some(b'0') && int_digits > 1) {
            return Err("invalid number");
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err("invalid number");
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err("invalid number");
            }
        }
        let text = core::str::from_utf8(&self.bytes[start..self.pos]).map_err(|_| "invalid number")?;
        Ok(Value::Number(text.to_string()))
    }

    fn hex4(&mut self) -> Parsed<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or("invalid escape")?;
        self.pos += 4;
        // Exactly four hex digits: `from_str_radix` alone would also take a sign (`\u+041`).
        digits.iter().try_fold(0, |code, &d| Ok(code << 4 | (d as char).to_digit(16).ok_or("invalid escape")?))
    }

    fn string(&mut self) -> Parsed<String> {
        if self.peek() != Some(b'"') {
            return Err("expected a string");
        }
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let byte = self.peek().ok_or("unterminated string")?;
            self.pos += 1;
            match byte {
                b'"' => return String::from_utf8(out).map_err(|_| "invalid UTF-8"),
                b'\\' => {
                    let escaped = self.peek().ok_or("unterminated string")?;
                    self.pos += 1;
                    let c = match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code) {
                                if !self.bytes[self.pos..].starts_with(b"\\u") {
                                    return Err("invalid surrogate");
                                }
                                self.pos += 2;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err("invalid surrogate");
                                }
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            }
                            char::from_u32(code).ok_or("invalid escape")?
                        }
                        _ => return Err("invalid escape"),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return Err("control character in string"),
                _ => out.push(byte),
            }
        }
    }
}

/// Parses one JSON document.
pub fn parse(bytes: &[u8]) -> Parsed<Value> {
    let mut parser = Parser { bytes, pos: 0 };
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != bytes.len() {
        return Err("trailing characters");
    }
    Ok(value)
}

fn fail(what: &str) -> ! {
    env::panic_str(&errors::input::invalid_json(what))
}

/// A method's arguments: a JSON object (an empty input counts as `{}`).
///
/// Every accessor comes in two forms: `try_*` returns what is wrong as the text near-sdk would
/// put after `Failed to deserialize input from JSON: `, and the plain form fails the call with
/// it. The contract uses the plain forms; the `try_*` core is what the property and fuzz tests
/// compare with serde_json and near-sdk's own types.
pub struct Args(Vec<(String, Value)>);

/// What an accessor found wrong.
pub type Found<T> = Result<T, String>;

fn or_fail<T>(found: Found<T>) -> T {
    found.unwrap_or_else(|e| fail(&e))
}

impl Args {
    /// The current call's arguments.
    pub fn input() -> Args {
        Self::from_bytes(&env::input().unwrap_or_default())
    }

    pub fn from_bytes(bytes: &[u8]) -> Args {
        or_fail(Self::try_from_bytes(bytes))
    }

    pub fn try_from_bytes(bytes: &[u8]) -> Found<Args> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Args(Vec::new()));
        }
        match parse(bytes) {
            Ok(Value::Object(fields)) => Ok(Args(fields)),
            Ok(_) => Err("the arguments must be an object".into()),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether `key` is present and not null.
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The value of `key`, `None` when it is missing or null.
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v).filter(|v| **v != Value::Null)
    }

    fn required(&self, key: &str) -> Found<&Value> {
        self.get(key).ok_or_else(|| text::join(&["missing field `", key, "`"]))
    }

    pub fn try_opt_string(&self, key: &str) -> Found<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(field(key, "must be a string")),
        }
    }

    pub fn opt_string(&self, key: &str) -> Option<String> {
        or_fail(self.try_opt_string(key))
    }

    pub fn try_string(&self, key: &str) -> Found<String> {
        self.required(key)?;
        self.try_opt_string(key).map(Option::unwrap_or_default)
    }

    pub fn string(&self, key: &str) -> String {
        or_fail(self.try_string(key))
    }

    pub fn try_opt_account(&self, key: &str) -> Found<Option<AccountId>> {
        match self.try_opt_string(key)? {
            None => Ok(None),
            Some(s) => s.parse().map(Some).map_err(|_| field(key, "is not a valid account id")),
        }
    }

    pub fn opt_account(&self, key: &str) -> Option<AccountId> {
        or_fail(self.try_opt_account(key))
    }

    pub fn try_account(&self, key: &str) -> Found<AccountId> {
        self.required(key)?;
        self.try_opt_account(key)?.ok_or_else(|| text::join(&["missing field `", key, "`"]))
    }

    pub fn account(&self, key: &str) -> AccountId {
        or_fail(self.try_account(key))
    }

    /// A yocto amount: a decimal string, as NEP-141 writes them.
    pub fn try_u128(&self, key: &str) -> Found<u128> {
        self.try_string(key)?.parse().map_err(|_| field(key, "must be a decimal string of an unsigned integer"))
    }

    pub fn u128(&self, key: &str) -> u128 {
        or_fail(self.try_u128(key))
    }

    pub fn opt_u128(&self, key: &str) -> Option<u128> {
        self.get(key).map(|_| self.u128(key))
    }

    /// A JSON integer that fits in a u64.
    pub fn try_u64(&self, key: &str) -> Found<u64> {
        match self.required(key)? {
            Value::Number(n) => n.parse().map_err(|_| field(key, "must be an unsigned integer")),
            _ => Err(field(key, "must be an unsigned integer")),
        }
    }

    pub fn u64(&self, key: &str) -> u64 {
        or_fail(self.try_u64(key))
    }

    pub fn u32(&self, key: &str) -> u32 {
        u32::try_from(self.u64(key)).unwrap_or_else(|_| fail(&field(key, "is too large")))
    }

    pub fn opt_u64(&self, key: &str) -> Option<u64> {
        self.get(key).map(|_| self.u64(key))
    }

    pub fn opt_object(&self, key: &str) -> Option<Args> {
        self.get(key).map(|_| self.object(key))
    }

    pub fn try_opt_bool(&self, key: &str) -> Found<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(field(key, "must be a boolean")),
        }
    }

    pub fn opt_bool(&self, key: &str) -> Option<bool> {
        or_fail(self.try_opt_bool(key))
    }

    pub fn try_bool(&self, key: &str) -> Found<bool> {
        self.required(key)?;
        self.try_opt_bool(key).map(Option::unwrap_or_default)
    }

    pub fn bool(&self, key: &str) -> bool {
        or_fail(self.try_bool(key))
    }

    pub fn object(&self, key: &str) -> Args {
        match self.required(key) {
            Ok(Value::Object(fields)) => Args(fields.clone()),
            Ok(_) => fail(&field(key, "must be an object")),
            Err(e) => fail(&e),
        }
    }
}

/// An error about argument `key`: "`key` " and `message`.
fn field(key: &str, message: &str) -> String {
    text::join(&["`", key, "` ", message])
}

/// A wire type of the interface ([`crate::abi`]) as an argument: how its value is read.
pub trait Arg {
    type Value;
    fn read(args: &Args, key: &str) -> Self::Value;
}

/// Wire types read by one accessor of [`Args`].
macro_rules! read_by {
    ($($t:ty => $value:ty, $accessor:ident;)*) => {$(
        impl Arg for $t {
            type Value = $value;
            fn read(args: &Args, key: &str) -> $value {
                args.$accessor(key)
            }
        }
    )*};
}

read_by! {
    abi::U128 => u128, u128;
    u64 => u64, u64;
    u32 => u32, u32;
    bool => bool, bool;
    String => String, string;
    AccountId => AccountId, account;
}

/// Missing or null is `None`; anything else must read as `T`.
impl<T: Arg> Arg for Option<T> {
    type Value = Option<T::Value>;
    fn read(args: &Args, key: &str) -> Self::Value {
        args.has(key).then(|| T::read(args, key))
    }
}

/// A wire type of the interface as a result: how its value is written.
pub trait Ret {
    type Value;
    fn ret(value: Self::Value);
}

impl Ret for abi::U128 {
    type Value = u128;
    fn ret(value: u128) {
        ret(&u128(value));
    }
}

impl Ret for bool {
    type Value = bool;
    fn ret(value: bool) {
        ret(if value { "true" } else { "false" });
    }
}

impl Ret for u32 {
    type Value = u32;
    fn ret(value: u32) {
        ret(&text::decimal(value as u128));
    }
}

impl Ret for String {
    type Value = String;
    fn ret(value: String) {
        ret(&string(&value));
    }
}

impl Ret for AccountId {
    type Value = AccountId;
    fn ret(value: AccountId) {
        ret(&string(value.as_str()));
    }
}

/// Objects, and lists or nulls of them, are rendered by the module that knows them; the text is
/// returned as it is.
macro_rules! rendered {
    ($($t:ty),*) => {$(
        impl<T: abi::Object> Ret for $t {
            type Value = String;
            fn ret(value: String) {
                ret(&value);
            }
        }
    )*};
}

rendered!(T, Vec<T>, Option<T>);

/// A promise: its result becomes the call's.
impl<T> Ret for abi::Promise<T> {
    type Value = near_sdk::PromiseIndex;
    fn ret(value: near_sdk::PromiseIndex) {
        env::promise_return(value);
    }
}

/// A JSON object written field by field, in the order the fields are added, at the end of a
/// string being built (so an event's whole log line is one allocation): the one writer events
/// are rendered with.
pub struct Object {
    out: String,
    empty: bool,
}

impl Default for Object {
    fn default() -> Self {
        Self::new()
    }
}

impl Object {
    pub fn new() -> Self {
        Self::within(String::with_capacity(128))
    }

    /// Starts an object at the end of `out`.
    pub fn within(mut out: String) -> Self {
        out.push('{');
        Object { out, empty: true }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        &mut self.out
    }

    /// An account id: its grammar (a-z, 0-9, `.`, `_`, `-`) needs no escaping.
    pub fn account(&mut self, key: &str, account_id: &AccountId) -> &mut Self {
        let out = self.key(key);
        out.push('"');
        out.push_str(account_id.as_str());
        out.push('"');
        self
    }

    /// Any string, escaped.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        let escaped = string(value);
        self.key(key).push_str(&escaped);
        self
    }

    /// A yocto amount or token count as a decimal string, as NEP-141 writes them.
    pub fn amount(&mut self, key: &str, value: u128) -> &mut Self {
        let out = self.key(key);
        out.push('"');
        text::push_u128(out, value);
        out.push('"');
        self
    }

    /// A signed amount as a decimal string.
    pub fn signed(&mut self, key: &str, value: i128) -> &mut Self {
        let out = self.key(key);
        out.push_str(if value < 0 { "\"-" } else { "\"" });
        text::push_u128(out, value.unsigned_abs());
        out.push('"');
        self
    }

    /// A JSON integer.
    pub fn integer(&mut self, key: &str, value: u64) -> &mut Self {
        text::push_u128(self.key(key), value as u128);
        self
    }

    pub fn boolean(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key).push_str(if value { "true" } else { "false" });
        self
    }

    /// A string, escaped, or `null`.
    pub fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        let json = opt_string(value);
        self.key(key).push_str(&json);
        self
    }

    /// An epoch, or `null` for `u64::MAX` (never).
    pub fn epoch(&mut self, key: &str, epoch: u64) -> &mut Self {
        match epoch {
            u64::MAX => self.raw(key, "null"),
            epoch => self.integer(key, epoch),
        }
    }

    /// Already-rendered JSON.
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key).push_str(json);
        self
    }

    /// Closes the object; the string it was written into.
    pub fn end(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// `s` as a JSON string literal: quoted, with `"`, `\` and control characters escaped.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str(if (c as u32) < 0x10 { "\\u000" } else { "\\u001" });
                out.push(char::from(b"0123456789abcdef"[(c as u32 & 0xf) as usize]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An optional string as JSON: the escaped string or `null`.
pub fn opt_string(s: Option<&str>) -> String {
    s.map_or_else(|| "null".to_string(), string)
}

/// A yocto amount as NEP-141 writes it: a decimal string.
pub fn u128(value: u128) -> String {
    let mut out = String::from("\"");
    text::push_u128(&mut out, value);
    out.push('"');
    out
}

/// A JSON array of the already-rendered `items`.
pub fn array(items: impl Iterator<Item = String>) -> String {
    let mut out = String::from("[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
    out
}

/// Ends the call with `json` as its return value.
pub fn ret(json: &str) {
    env::value_return(json.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn parses_every_json_form() {
        let v =
            parse(br#" {"a": "x\"y\\z\u00e9\ud83d\ude00", "b": [1, -2.5e3, true, false, null], "c": {}} "#).unwrap();
        assert_eq!(
            v,
            obj(&[
                ("a", Value::String("x\"y\\z\u{e9}\u{1f600}".into())),
                (
                    "b",
                    Value::Array(vec![
                        Value::Number("1".into()),
                        Value::Number("-2.5e3".into()),
                        Value::Bool(true),
                        Value::Bool(false),
                        Value::Null
                    ])
                ),
                ("c", obj(&[])),
            ])
        );
    }

    #[test]
    fn rejects_invalid_json() {
        for bad in
            [&b"{"[..], b"{\"a\":}", b"[1,]", b"01", b"1.", b"\"\x01\"", b"{} x", b"tru", b"\"\\ud800\"", b"{\"a\" 1}"]
        {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse(br#"{"a":1,"b":{"a":2},"a":3}"#), Err("duplicate key in an object"));
        assert_eq!(parse(br#"{"a":1,"\u0061":2}"#), Err("duplicate key in an object"));
        let deep = "[".repeat(20) + &"]".repeat(20);
        assert_eq!(parse(deep.as_bytes()), Err("too deeply nested"));
    }

    #[test]
    fn escapes_strings_for_output() {
        assert_eq!(string("a\"b\\c\nd\u{1}é"), r#""a\"b\\c\nd\u0001é""#);
        // What we write, we read back.
        let text = "tab\t quote\" slash\\ bell\u{7} emoji \u{1f600}";
        assert_eq!(parse(string(text).as_bytes()), Ok(Value::String(text.into())));
    }

    #[test]
    fn accessors_read_typed_fields() {
        let args =
            Args::from_bytes(br#"{"amount":"123","n":7,"id":"alice.near","flag":true,"o":{"k":"v"},"none":null}"#);
        assert_eq!(args.u128("amount"), 123);
        assert_eq!(args.u64("n"), 7);
        assert_eq!(args.account("id").as_str(), "alice.near");
        assert_eq!(args.opt_bool("flag"), Some(true));
        assert_eq!(args.object("o").string("k"), "v");
        assert_eq!(args.opt_string("none"), None);
        assert_eq!(args.opt_u128("missing"), None);
        assert!(Args::from_bytes(b"").opt_bool("x").is_none());
    }
}
