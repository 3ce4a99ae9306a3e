//! The gas report: gas burnt by every user method (with no validators and with 500), by a full
//! epoch's crank for 5, 30 and 100 validators, by the validators' staking pool, and the wasm sizes;
//! and the same user methods in the contract's `sdk-codecs` build (near-sdk's serde_json and borsh
//! at its boundary, as `#[near]` generates them), which prices the choice of its own codec.

use localnet::build::{contract_wasm, contract_wasm_with_features};
use localnet::{Account, ExecutionResult, Localnet, NEAR, TGAS};
use serde_json::{Value, json};
use testkit::protocol::{CRANK_GAS, Protocol};

/// One measured method.
pub struct Row {
    pub method: String,
    /// Gas the VM burnt running it (the figure the protocol's targets are set in).
    pub vm_gas: u64,
    /// All gas of its receipt (the VM's and the receipt's exec fees); 0 for views.
    pub receipt_gas: u64,
    /// The part of `vm_gas` for the bytes of values it overwrote or removed, which nearcore
    /// charges and localnet did not before.
    pub value_bytes_gas: u64,
    /// The part of `vm_gas` for the trie nodes its writes and removals walked (nearcore charges
    /// them; localnet did not before). `vm_gas` less both is the earlier accounting the
    /// protocol's held figures were measured in.
    pub trie_node_gas: u64,
}

impl Row {
    fn earlier_accounting(&self) -> u64 {
        self.vm_gas - self.value_bytes_gas - self.trie_node_gas
    }
}

/// A full epoch's crank for some number of validators.
pub struct CrankRow {
    pub validators: usize,
    /// `delegating` (fresh deposits to stake) or `steady` (sync and rewards only).
    pub epoch: &'static str,
    pub calls: usize,
    /// Everything the crank transactions burnt, pool calls and callbacks included.
    pub gas: u64,
    pub largest_call: u64,
}

pub struct Report {
    pub user_methods: Vec<Row>,
    /// VM gas of the same methods with 500 validators in the set.
    pub user_methods_500: Vec<Row>,
    pub crank: Vec<CrankRow>,
    pub staking_pool: Vec<Row>,
    pub wasm: Vec<(&'static str, usize)>,
    /// The user methods in the `sdk-codecs` build, and its wasm size.
    pub sdk_codecs: Vec<Row>,
    pub sdk_codecs_wasm: usize,
}

fn row(method: &str, out: ExecutionResult) -> Row {
    let out = out.unwrap();
    let receipt = out.receipt(method);
    Row {
        method: method.to_string(),
        vm_gas: receipt.vm_gas_burnt,
        receipt_gas: receipt.gas_burnt,
        value_bytes_gas: receipt.value_bytes_gas,
        trie_node_gas: receipt.trie_node_gas,
    }
}

fn view_row(account: &Account, method: &str, args: &Value) -> Row {
    let gas = account.view(method).args_json(args).call().unwrap().gas_burnt;
    Row { method: format!("{method} (view)"), vm_gas: gas, receipt_gas: 0, value_bytes_gas: 0, trie_node_gas: 0 }
}

/// Every user method of the liquid staking contract (this `wasm` build), on a fresh deployment
/// with `validators` in the set (they are only listed: user calls never touch them).
fn user_methods(wasm: &[u8], validators: usize) -> Vec<Row> {
    let p = Protocol::deploy_wasm(Localnet::new(), wasm);
    for i in 0..validators {
        p.call(&p.owner, "add_validator", json!({"account_id": format!("pool{i}.near"), "weight": 1}), 1).unwrap();
    }
    let alice = p.net.create_account("alice", 1_000 * NEAR);
    let bob = p.net.create_account("bob", 1_000 * NEAR);
    let mut rows = vec![];
    let mut new_holder = row("deposit_and_stake", p.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR));
    new_holder.method = "deposit_and_stake (new holder)".into();
    rows.push(new_holder);
    rows.push(row("deposit_and_stake", p.call(&alice, "deposit_and_stake", json!({}), 10 * NEAR)));
    rows.push(row("storage_deposit", p.call(&bob, "storage_deposit", json!({}), NEAR)));
    let transfer = json!({"receiver_id": bob.id(), "amount": NEAR.to_string()});
    rows.push(row("ft_transfer", p.call(&alice, "ft_transfer", transfer, 1)));
    rows.push(row("deposit", p.call(&alice, "deposit", json!({}), NEAR)));
    rows.push(row("stake", p.call(&alice, "stake", json!({"amount": (NEAR / 2).to_string()}), 0)));
    rows.push(row("unstake", p.call(&alice, "unstake", json!({"amount": NEAR.to_string()}), 0)));
    rows.push(row("add_liquidity", p.call(&bob, "add_liquidity", json!({}), 100 * NEAR)));
    let swap = json!({"amount": NEAR.to_string()});
    rows.push(row("instant_unstake", p.call(&alice, "instant_unstake", swap, 0)));
    rows.push(row("unstake_all", p.call(&bob, "unstake_all", json!({}), 0)));
    p.net.advance_epochs(4);
    rows.push(row("withdraw", p.call(&alice, "withdraw", json!({"amount": (NEAR / 4).to_string()}), 0)));
    rows.push(row("withdraw_all", p.call(&alice, "withdraw_all", json!({}), 0)));
    let remove = json!({"shares": (10 * NEAR).to_string()});
    rows.push(row("remove_liquidity", p.call(&bob, "remove_liquidity", remove, 1)));
    let me = json!({"account_id": alice.id()});
    rows.push(view_row(&p.lst, "get_account", &me));
    rows.push(view_row(&p.lst, "ft_balance_of", &me));
    rows
}

fn crank_epoch(p: &Protocol, validators: usize, epoch: &'static str) -> CrankRow {
    let outcomes = p.crank();
    let gas: Vec<u64> = outcomes.iter().map(ExecutionResult::total_gas_burnt).collect();
    CrankRow {
        validators,
        epoch,
        calls: gas.len(),
        gas: gas.iter().sum(),
        largest_call: gas.iter().copied().max().unwrap_or(0),
    }
}

fn crank(validators: usize) -> Vec<CrankRow> {
    // Mainnet-length epochs: the crank of 100 validators takes more blocks than localnet's
    // default epoch.
    let p = Protocol::deploy(Localnet::with_config(localnet::Config { epoch_length: 43_200, ..Default::default() }));
    p.add_validators(&vec![1; validators]);
    let alice = p.net.create_account("alice", 100_000 * NEAR);
    p.call(&alice, "deposit_and_stake", json!({}), 10_000 * NEAR).unwrap();
    let delegating = crank_epoch(&p, validators, "delegating");
    p.net.advance_epochs(1);
    vec![delegating, crank_epoch(&p, validators, "steady")]
}

/// The validators' staking pool, called by a delegator.
fn staking_pool() -> Vec<Row> {
    let p = Protocol::deploy(Localnet::new());
    let pool = p.add_validators(&[1]).remove(0);
    let alice = p.net.create_account("alice", 1_000 * NEAR);
    let call = |method: &str, args: Value, deposit: u128| {
        row(method, alice.call(pool.id(), method).args_json(args).deposit(deposit).gas(CRANK_GAS).transact())
    };
    let amount = json!({"amount": (5 * NEAR).to_string()});
    let mut rows = vec![call("deposit", json!({}), 10 * NEAR), call("deposit_and_stake", json!({}), 10 * NEAR)];
    rows.extend([call("stake", amount.clone(), 0), call("stake_all", json!({}), 0)]);
    rows.extend([call("unstake", amount, 0), call("unstake_all", json!({}), 0)]);
    p.net.advance_epochs(4);
    rows.push(call("ping", json!({}), 0));
    rows.push(call("withdraw", json!({"amount": NEAR.to_string()}), 0));
    rows.push(call("withdraw_all", json!({}), 0));
    rows.push(view_row(&pool, "get_account", &json!({"account_id": alice.id()})));
    rows
}

/// Measures everything (a few minutes in a debug build, seconds in release).
pub fn report() -> Report {
    let production = contract_wasm("liquid-staking");
    let sdk_codecs = contract_wasm_with_features("liquid-staking", "sdk-codecs");
    Report {
        user_methods: user_methods(&production, 0),
        user_methods_500: user_methods(&production, 500),
        crank: [5, 30, 100].into_iter().flat_map(crank).collect(),
        staking_pool: staking_pool(),
        wasm: ["liquid-staking", "staking-pool"].into_iter().map(|c| (c, contract_wasm(c).len())).collect(),
        sdk_codecs: user_methods(&sdk_codecs, 0),
        sdk_codecs_wasm: sdk_codecs.len(),
    }
}

fn tgas(gas: u64) -> String {
    format!("{:.3}", gas as f64 / TGAS as f64)
}

impl Report {
    pub fn markdown(&self) -> String {
        let mut out = String::from("## Liquid staking: user methods\n\n");
        out += "VM gas includes what nearcore charges for the bytes of overwritten and removed values and ";
        out += "for the trie nodes writes walk (shown apart); the last column is the earlier accounting ";
        out += "(without either) the held figures were set in.\n\n";
        out += "| method | VM gas (Tgas) | receipt gas (Tgas) | VM gas, 500 validators (Tgas) | value bytes (Tgas) | trie nodes (Tgas) | VM gas, earlier accounting (Tgas) |\n";
        out += "| --- | --- | --- | --- | --- | --- | --- |\n";
        for (row, with_500) in self.user_methods.iter().zip(&self.user_methods_500) {
            let receipt = if row.receipt_gas == 0 { String::new() } else { tgas(row.receipt_gas) };
            let (vm, with_500, earlier) = (tgas(row.vm_gas), tgas(with_500.vm_gas), tgas(row.earlier_accounting()));
            let (bytes, nodes) = (tgas(row.value_bytes_gas), tgas(row.trie_node_gas));
            out += &format!("| `{}` | {vm} | {receipt} | {with_500} | {bytes} | {nodes} | {earlier} |\n", row.method);
        }
        out += "\n## Liquid staking: a full epoch's crank\n\n";
        out += "| validators | epoch | calls | gas (Tgas) | largest call (Tgas) |\n| --- | --- | --- | --- | --- |\n";
        for c in &self.crank {
            let (gas, largest) = (c.gas as f64 / TGAS as f64, c.largest_call as f64 / TGAS as f64);
            out += &format!("| {} | {} | {} | {gas:.1} | {largest:.1} |\n", c.validators, c.epoch, c.calls);
        }
        out +=
            "\n## Validators' staking pool\n\n| method | VM gas (Tgas) | receipt gas (Tgas) |\n| --- | --- | --- |\n";
        for row in &self.staking_pool {
            let receipt = if row.receipt_gas == 0 { String::new() } else { tgas(row.receipt_gas) };
            out += &format!("| `{}` | {} | {receipt} |\n", row.method, tgas(row.vm_gas));
        }
        out += "\n## Wasm\n\n| contract | bytes |\n| --- | --- |\n";
        for (name, bytes) in &self.wasm {
            out += &format!("| {name} | {bytes} |\n");
        }
        out += "\n## The codec's price: near-sdk's codecs in the same contract\n\n";
        out += "The `sdk-codecs` build reads arguments and writes plain results with serde_json and stores ";
        out += "records with borsh, as `#[near]` does; views of objects and events keep the contract's writer.\n\n";
        out += "| method | VM gas (Tgas) | with near-sdk's codecs (Tgas) | difference (Tgas) |\n| --- | --- | --- | --- |\n";
        for (row, sdk) in self.user_methods.iter().zip(&self.sdk_codecs) {
            let difference = (sdk.vm_gas as f64 - row.vm_gas as f64) / TGAS as f64;
            out += &format!("| `{}` | {} | {} | {difference:+.3} |\n", row.method, tgas(row.vm_gas), tgas(sdk.vm_gas));
        }
        let production = self.wasm.iter().find(|(name, _)| *name == "liquid-staking").map_or(0, |(_, bytes)| *bytes);
        out += &format!(
            "| wasm (bytes) | {production} | {} | {:+} |\n",
            self.sdk_codecs_wasm,
            self.sdk_codecs_wasm as i64 - production as i64
        );
        out
    }

    pub fn json(&self) -> Value {
        let rows = |rows: &[Row]| -> Vec<Value> {
            rows.iter()
                .map(|r| {
                    json!({"method": r.method, "vm_gas": r.vm_gas, "receipt_gas": r.receipt_gas, "value_bytes_gas": r.value_bytes_gas, "trie_node_gas": r.trie_node_gas})
                })
                .collect()
        };
        json!({
            "user_methods": rows(&self.user_methods),
            "user_methods_with_500_validators": rows(&self.user_methods_500),
            "crank": self.crank.iter().map(|c| json!({
                "validators": c.validators, "epoch": c.epoch, "calls": c.calls, "gas": c.gas, "largest_call": c.largest_call,
            })).collect::<Vec<_>>(),
            "staking_pool": rows(&self.staking_pool),
            "wasm": self.wasm.iter().map(|(name, bytes)| json!({"contract": name, "bytes": bytes})).collect::<Vec<_>>(),
            "sdk_codecs": {"user_methods": rows(&self.sdk_codecs), "wasm_bytes": self.sdk_codecs_wasm},
        })
    }
}
