//! Renders the NEAR ABI (schema 0.4.0, as cargo-near writes it) from the interface table
//! `src/interface.rs`, whose wire types know their JSON schemas (`src/abi.rs`), into
//! `$OUT_DIR/abi.json`, and compresses it with zstd into `$OUT_DIR/abi.json.zst`, which the
//! contract returns from `__contract_abi`.

#[allow(dead_code)]
#[path = "src/abi.rs"]
mod abi;

use abi::*;

/// One method of the table, as the ABI lists it.
struct Function {
    name: &'static str,
    kind: &'static str,
    doc: Vec<&'static str>,
    args: Vec<(&'static str, String)>,
    result: Option<String>,
}

/// The build-side reading of `interface.rs`: each method's name, kind, docs and the schemas of
/// its arguments and result. The bodies are not compiled here.
macro_rules! export {
    (@result $defs:ident) => {
        None
    };
    (@result $defs:ident, $ret:ty) => {
        Some(<$ret as Schema>::schema($defs))
    };
    ($(
        $(#[doc = $doc:literal])*
        $kind:ident fn $name:ident ( $( $arg:ident : $ty:ty ),* $(,)? ) $( -> $ret:ty )? $body:block
    )*) => {
        fn functions(defs: &mut Definitions) -> Vec<Function> {
            vec![$(
                Function {
                    name: stringify!($name),
                    kind: stringify!($kind),
                    doc: vec![$($doc),*],
                    args: vec![$( (stringify!($arg), <$ty as Schema>::schema(defs)) ),*],
                    result: export!(@result defs $(, $ret)?),
                }
            ),*]
        }
    };
}

include!("src/interface.rs");

/// `s` as a JSON string.
fn string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Function {
    fn json(&self) -> String {
        let (kind, modifiers): (&str, &[&str]) = match self.kind {
            "view" => ("view", &[]),
            "call" => ("call", &[]),
            "payable" => ("call", &["payable"]),
            "private" => ("call", &["private"]),
            "init" => ("call", &["init", "payable"]),
            other => panic!("{}: unknown kind `{other}`", self.name),
        };
        let mut out = format!(r#"{{"name":{}"#, string(self.name));
        if !self.doc.is_empty() {
            out += &format!(r#","doc":{}"#, string(&self.doc.join("\n")));
        }
        out += &format!(r#","kind":"{kind}""#);
        if !modifiers.is_empty() {
            let modifiers: Vec<String> = modifiers.iter().map(|m| string(m)).collect();
            out += &format!(r#","modifiers":[{}]"#, modifiers.join(","));
        }
        if !self.args.is_empty() {
            let args: Vec<String> = self
                .args
                .iter()
                .map(|(name, schema)| format!(r#"{{"name":"{name}","type_schema":{schema}}}"#))
                .collect();
            out += &format!(r#","params":{{"serialization_type":"json","args":[{}]}}"#, args.join(","));
        }
        if let Some(schema) = &self.result {
            out += &format!(r#","result":{{"serialization_type":"json","type_schema":{schema}}}"#);
        }
        out + "}"
    }
}

/// The whole ABI, with or without the docs of methods and types.
fn abi(docs: bool) -> String {
    let mut defs = Definitions { docs, schemas: Default::default() };
    let mut functions = functions(&mut defs);
    functions.sort_by_key(|f| f.name);
    if !docs {
        functions.iter_mut().for_each(|f| f.doc.clear());
    }
    let functions: Vec<String> = functions.iter().map(Function::json).collect();
    let definitions: Vec<String> = defs.schemas.iter().map(|(name, schema)| format!("\"{name}\":{schema}")).collect();
    format!(
        concat!(
            r#"{{"schema_version":"0.4.0","metadata":{{"name":"{}","version":"{}","#,
            r#""build":{{"compiler":"rustc","builder":"liquid-staking build.rs"}}}},"#,
            r#""body":{{"functions":[{}],"root_schema":{{"$schema":"http://json-schema.org/draft-07/schema#","#,
            r#""title":"String","type":"string","definitions":{{{}}}}}}}}}"#
        ),
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        functions.join(","),
        definitions.join(",")
    )
}

fn main() {
    println!("cargo::rerun-if-changed=src/interface.rs");
    println!("cargo::rerun-if-changed=src/abi.rs");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("abi.json"), abi(true)).unwrap();
    // Every call pays to load every byte of the wasm: the embedded copy leaves the docs out.
    let embedded = abi(false);
    std::fs::write(out.join("abi-embedded.json"), &embedded).unwrap();
    // zstd's strongest level, as cargo-near compresses it.
    let compressed = zstd::encode_all(embedded.as_bytes(), 22).unwrap();
    std::fs::write(out.join("abi-embedded.json.zst"), compressed).unwrap();
}
