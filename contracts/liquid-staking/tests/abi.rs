//! The contract's NEAR ABI: embedded where near-cli-rs's `contract inspect` reads it, accepted by
//! the `near-abi` crate near-cli-rs parses it with, complete (every exported function, nothing
//! else), matching the staking-pool interface, NEP-141, NEP-145, NEP-148 and the README, and
//! describing what each view really answers.
mod common;

use common::*;
use liquid_staking::exports::{ABI_JSON, EMBEDDED_ABI_JSON};
use localnet::{NEAR, build::contract_wasm};
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn abi() -> Value {
    serde_json::from_str(ABI_JSON).unwrap()
}

fn functions(abi: &Value) -> &Vec<Value> {
    abi["body"]["functions"].as_array().unwrap()
}

fn function<'a>(abi: &'a Value, name: &str) -> &'a Value {
    functions(abi).iter().find(|f| f["name"] == name).unwrap_or_else(|| panic!("{name} is not in the ABI"))
}

/// `kind[modifiers] name(arg: type, ...) -> type`, with types as their JSON schema's short name.
fn signature(f: &Value) -> String {
    let ty = |schema: &Value| short_type(schema);
    let args: Vec<String> = f["params"]["args"]
        .as_array()
        .map(|args| {
            args.iter().map(|a| format!("{}: {}", a["name"].as_str().unwrap(), ty(&a["type_schema"]))).collect()
        })
        .unwrap_or_default();
    let modifiers: Vec<&str> =
        f["modifiers"].as_array().map(|m| m.iter().map(|m| m.as_str().unwrap()).collect()).unwrap_or_default();
    let result = f.get("result").map(|r| format!(" -> {}", ty(&r["type_schema"]))).unwrap_or_default();
    let kind = f["kind"].as_str().unwrap();
    let kind = if modifiers.is_empty() { kind.to_string() } else { format!("{kind}[{}]", modifiers.join(",")) };
    format!("{kind} {}({}){result}", f["name"].as_str().unwrap(), args.join(", "))
}

fn short_type(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference.trim_start_matches("#/definitions/").to_string();
    }
    if let Some(any) = schema["anyOf"].as_array() {
        return format!("{}?", short_type(&any[0]));
    }
    match &schema["type"] {
        Value::Array(types) => format!("{}?", short_type(&json!({"type": types[0], "format": schema["format"]}))),
        Value::String(t) if t == "array" => format!("[{}]", short_type(&schema["items"])),
        Value::String(t) => schema["format"].as_str().unwrap_or(t).to_string(),
        _ => "any".to_string(),
    }
}

#[test]
fn the_wasm_embeds_the_abi_without_docs_as_near_cli_reads_it() {
    let t = setup();
    let compressed = t.lst.view("__contract_abi").call().unwrap().result;
    let embedded = zstd::decode_all(&compressed[..]).unwrap();
    assert_eq!(String::from_utf8(embedded.clone()).unwrap(), EMBEDDED_ABI_JSON);
    // What near-cli-rs does with it: near-abi's own types, which refuse unknown fields and any
    // schema version but 0.4.
    for bytes in [&embedded[..], ABI_JSON.as_bytes()] {
        let parsed: near_abi::AbiRoot = serde_json::from_slice(bytes).unwrap();
        assert_eq!(parsed.schema_version, "0.4.0");
        assert_eq!(parsed.body.functions.len(), functions(&abi()).len());
    }
    // The embedded copy is the full ABI without the docs.
    let mut stripped = abi();
    for f in stripped["body"]["functions"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("doc");
    }
    for d in stripped["body"]["root_schema"]["definitions"].as_object_mut().unwrap().values_mut() {
        d.as_object_mut().unwrap().remove("description");
    }
    assert_eq!(serde_json::from_slice::<Value>(&embedded).unwrap(), stripped);
    assert!(compressed.len() < 2_800, "the embedded ABI takes {} bytes of the wasm", compressed.len());
}

/// The names in the wasm's export section that are functions.
fn exported_functions(wasm: &[u8]) -> BTreeSet<String> {
    fn leb(bytes: &[u8], at: &mut usize) -> usize {
        let (mut value, mut shift) = (0, 0);
        loop {
            let byte = bytes[*at];
            *at += 1;
            value |= ((byte & 0x7f) as usize) << shift;
            if byte < 0x80 {
                return value;
            }
            shift += 7;
        }
    }
    let mut at = 8; // magic and version
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb(wasm, &mut at);
        if id == 7 {
            let mut p = at;
            let mut names = BTreeSet::new();
            for _ in 0..leb(wasm, &mut p) {
                let len = leb(wasm, &mut p);
                let name = String::from_utf8(wasm[p..p + len].to_vec()).unwrap();
                p += len;
                let kind = wasm[p];
                p += 1;
                leb(wasm, &mut p);
                if kind == 0 {
                    names.insert(name);
                }
            }
            return names;
        }
        at += size;
    }
    panic!("the wasm has no export section")
}

#[test]
fn the_abi_lists_every_exported_function_and_nothing_else() {
    let abi = abi();
    let mut listed: BTreeSet<String> =
        functions(&abi).iter().map(|f| f["name"].as_str().unwrap().to_string()).collect();
    listed.insert("__contract_abi".to_string());
    assert_eq!(exported_functions(&contract_wasm("liquid-staking")), listed);
    let names: Vec<&str> = functions(&abi).iter().map(|f| f["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "cargo-near sorts functions by name");
}

#[test]
fn the_abi_matches_the_staking_pool_interface_and_the_token_standards() {
    let abi = abi();
    let expected = [
        // The core staking pool's interface (near/core-contracts staking-pool), which wallets
        // and lockup contracts call.
        "call[payable] deposit()",
        "call[payable] deposit_and_stake() -> string",
        "call stake(amount: string)",
        "call stake_all()",
        "call unstake(amount: string)",
        "call unstake_all()",
        "call withdraw(amount: string)",
        "call withdraw_all()",
        "call ping()",
        "view get_account(account_id: AccountId) -> HumanReadableAccount",
        "view get_account_staked_balance(account_id: AccountId) -> string",
        "view get_account_unstaked_balance(account_id: AccountId) -> string",
        "view get_account_total_balance(account_id: AccountId) -> string",
        "view is_account_unstaked_balance_available(account_id: AccountId) -> boolean",
        "view get_total_staked_balance() -> string",
        "view get_owner_id() -> AccountId",
        "view get_reward_fee_fraction() -> RewardFeeFraction",
        "view get_staking_key() -> string",
        "view is_staking_paused() -> boolean",
        "view get_number_of_accounts() -> uint32",
        "view get_accounts(from_index: uint64, limit: uint64) -> [HumanReadableAccount]",
        // NEP-141.
        "call[payable] ft_transfer(receiver_id: AccountId, amount: string, memo: string?)",
        "call[payable] ft_transfer_call(receiver_id: AccountId, amount: string, memo: string?, msg: string) -> string",
        "call[private] ft_resolve_transfer(sender_id: AccountId, receiver_id: AccountId, amount: string) -> string",
        "view ft_total_supply() -> string",
        "view ft_balance_of(account_id: AccountId) -> string",
        // NEP-145.
        "call[payable] storage_deposit(account_id: AccountId?, registration_only: boolean?) -> StorageBalance",
        "call[payable] storage_withdraw(amount: string?) -> StorageBalance",
        "call[payable] storage_unregister(force: boolean?) -> boolean",
        "view storage_balance_of(account_id: AccountId) -> StorageBalance?",
        "view storage_balance_bounds() -> StorageBalanceBounds",
        // NEP-148 and NEP-330.
        "view ft_metadata() -> FungibleTokenMetadata",
        "view contract_source_metadata() -> ContractSourceMetadata",
    ];
    for line in expected {
        let name = line.split(' ').nth(1).unwrap().split('(').next().unwrap();
        assert_eq!(signature(function(&abi, name)), line);
    }
    let definitions = &abi["body"]["root_schema"]["definitions"];
    assert_eq!(
        definitions["FungibleTokenMetadata"]["required"],
        json!(["spec", "name", "symbol", "decimals"]),
        "NEP-148: icon, reference and reference_hash may be null"
    );
    assert_eq!(definitions["StorageBalance"]["required"], json!(["total", "available"]));
    assert_eq!(function(&abi, "new")["modifiers"], json!(["init", "payable"]));
    assert!(function(&abi, "new").get("result").is_none());
}

#[test]
fn the_readme_names_every_public_method() {
    let readme = include_str!("../../../README.md");
    let abi = abi();
    let missing: Vec<&str> = functions(&abi)
        .iter()
        .filter(|f| f["modifiers"] != json!(["private"]))
        .map(|f| f["name"].as_str().unwrap())
        .filter(|name| !readme.contains(&format!("`{name}`")) && !readme.contains(&format!("`{name}(")))
        .collect();
    assert_eq!(missing, Vec::<&str>::new());
}

/// Checks `value` against a JSON schema of the kinds the ABI uses; returns what does not fit.
fn validate(value: &Value, schema: &Value, definitions: &Value, path: &str) -> Result<(), String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/definitions/");
        return validate(value, &definitions[name], definitions, path);
    }
    if let Some(options) = schema["anyOf"].as_array() {
        return options
            .iter()
            .find(|s| validate(value, s, definitions, path).is_ok())
            .map(|_| ())
            .ok_or(format!("{path}: {value} fits none of {schema}"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap()).collect(),
        _ => return Ok(()), // {}: any value
    };
    let fits = |t: &str| match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "integer" => value.as_u64().is_some_and(|n| match schema["format"].as_str() {
            Some("uint8") => n <= u8::MAX as u64,
            Some("uint32") => n <= u32::MAX as u64,
            _ => true,
        }),
        other => panic!("unexpected type {other}"),
    };
    if !types.iter().any(|t| fits(t)) {
        return Err(format!("{path}: {value} is not {types:?}"));
    }
    if let (Some(items), Some(schema)) = (value.as_array(), schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            validate(item, schema, definitions, &format!("{path}[{i}]"))?;
        }
    }
    if let (Some(fields), Some(properties)) = (value.as_object(), schema["properties"].as_object()) {
        for required in schema["required"].as_array().unwrap() {
            if !fields.contains_key(required.as_str().unwrap()) {
                return Err(format!("{path}: {required} is missing"));
            }
        }
        for (key, field) in fields {
            let property = properties.get(key).ok_or(format!("{path}.{key} is not in the schema"))?;
            validate(field, property, definitions, &format!("{path}.{key}"))?;
        }
    }
    Ok(())
}

#[test]
fn every_view_answers_what_its_schema_says() {
    let t = setup();
    let alice = t.net.create_account("alice", 100 * NEAR);
    t.add_validators(&[1, 1]);
    t.call(&alice, "deposit_and_stake", json!({}), 20 * NEAR).unwrap();
    t.call(&alice, "add_liquidity", json!({}), 5 * NEAR).unwrap();
    t.call(&alice, "unstake", json!({"amount": (2 * NEAR).to_string()}), 0).unwrap();
    t.call(&t.owner, "set_reward_fee", json!({"numerator": 1, "denominator": 20}), 1).unwrap();
    t.crank();
    t.net.advance_epochs(1);
    t.crank();
    let abi = abi();
    let definitions = &abi["body"]["root_schema"]["definitions"];
    let args = |name: &str| match name {
        "get_accounts" | "get_validators" => json!({"from_index": 0, "limit": 10}),
        "quote_instant_unstake" => json!({"amount": NEAR.to_string()}),
        "get_price_history" => json!({}),
        _ => json!({"account_id": alice.id()}),
    };
    let mut checked = 0;
    for f in functions(&abi).iter().filter(|f| f["kind"] == "view") {
        let name = f["name"].as_str().unwrap();
        let answer: Value = t.view(name, args(name));
        validate(&answer, &f["result"]["type_schema"], definitions, name).unwrap();
        checked += 1;
    }
    assert_eq!(checked, functions(&abi).iter().filter(|f| f["kind"] == "view").count());
    // Both forms of the answers that may be null, and arrays with items in them.
    let some: Value = t.view("get_price_history", json!({}));
    assert!(!some.as_array().unwrap().is_empty());
    let none: Value = t.view("storage_balance_of", json!({"account_id": "nobody.near"}));
    assert_eq!(none, Value::Null);
    // And a wrong answer is caught.
    let holder = json!({"account_id": alice.id(), "shares": 1});
    assert!(validate(&holder, &json!({"$ref": "#/definitions/Holder"}), definitions, "holder").is_err());
}
