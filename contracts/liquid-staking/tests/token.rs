//! The liquid token: NEP-141 transfers, `ft_transfer_call` with its refund, metadata and price.
mod common;

use common::*;
use localnet::{Account, NEAR, TGAS, build::contract_wasm};
use serde_json::{Value, json};

fn funded(t: &Lst, name: &str, stake: u128) -> Account {
    let account = t.net.create_account(name, 100 * NEAR);
    t.call(&account, "deposit_and_stake", json!({}), stake + storage_cost(&account)).unwrap();
    account
}

#[test]
fn ft_transfer_moves_tokens_and_emits_the_nep141_event() {
    let t = setup();
    let alice = funded(&t, "alice", 10 * NEAR);
    let bob = funded(&t, "bob", NEAR);
    let out = alice
        .call(t.lst.id(), "ft_transfer")
        .args_json(json!({"receiver_id": bob.id(), "amount": (3 * NEAR).to_string(), "memo": "rent \"june\""}))
        .deposit(1)
        .transact()
        .unwrap();
    assert_eq!(
        out.events(),
        vec![json!({"standard":"nep141","version":"1.0.0","event":"ft_transfer","data":[{
            "old_owner_id":"alice.near","new_owner_id":"bob.near","amount":(3 * NEAR).to_string(),"memo":"rent \"june\""}]})]
    );
    assert_eq!(t.shares(&alice), 7 * NEAR);
    assert_eq!(t.shares(&bob), 4 * NEAR);
    assert_eq!(t.u128("ft_total_supply", json!({})), SEED + 11 * NEAR);
    t.assert_balanced();
}

#[test]
fn ft_transfer_call_lets_the_receiver_keep_part_and_refunds_the_rest() {
    let t = setup();
    let alice = funded(&t, "alice", 10 * NEAR);
    let receiver = t.net.create_account("receiver", 10 * NEAR);
    receiver.deploy(&contract_wasm("test-ft-receiver")).unwrap();
    t.call(&alice, "storage_deposit", json!({"account_id": receiver.id()}), storage_cost(&receiver)).unwrap();

    let transfer_call = |amount: u128, msg: &str| {
        alice
            .call(t.lst.id(), "ft_transfer_call")
            .args_json(json!({"receiver_id": receiver.id(), "amount": amount.to_string(), "msg": msg}))
            .deposit(1)
            .gas(50 * TGAS)
            .transact()
    };
    let out = transfer_call(4 * NEAR, &format!("keep:{}", NEAR)).unwrap();
    // The transaction's value is what the receiver used.
    assert_eq!(out.json::<String>(), NEAR.to_string());
    assert_eq!(
        out.events(),
        vec![
            json!({"standard":"nep141","version":"1.0.0","event":"ft_transfer","data":[{
                "old_owner_id":"alice.near","new_owner_id":"receiver.near","amount":(4 * NEAR).to_string()}]}),
            json!({"standard":"nep141","version":"1.0.0","event":"ft_transfer","data":[{
                "old_owner_id":"receiver.near","new_owner_id":"alice.near","amount":(3 * NEAR).to_string(),"memo":"refund"}]}),
        ]
    );
    assert_eq!(out.logs()[1], format!("received {} from alice.near", 4 * NEAR));
    assert_eq!(t.shares(&alice), 9 * NEAR);
    assert_eq!(t.shares(&receiver), NEAR);

    // A receiver that fails or answers nonsense gets nothing: everything is refunded.
    for msg in ["panic", "raw:not json", "raw:\"-5\"", &format!("raw:{}", "9".repeat(100))] {
        let out = transfer_call(2 * NEAR, msg);
        assert_eq!(out.json::<String>(), "0", "{msg}");
        assert_eq!(t.shares(&alice), 9 * NEAR, "{msg}");
        assert_eq!(t.shares(&receiver), NEAR, "{msg}");
    }
    // A valid answer is honoured however long it is (JSON allows whitespace around it).
    let padded = format!("raw:{}\"{}\"{}", " ".repeat(100), NEAR / 2, "\n".repeat(100));
    let out = transfer_call(2 * NEAR, &padded);
    assert_eq!(out.json::<String>(), (2 * NEAR - NEAR / 2).to_string());
    assert_eq!(t.shares(&alice), 9 * NEAR - 2 * NEAR + NEAR / 2);
    assert_eq!(t.shares(&receiver), NEAR + 2 * NEAR - NEAR / 2);
    t.call(
        &receiver,
        "ft_transfer",
        json!({"receiver_id": alice.id(), "amount": (2 * NEAR - NEAR / 2).to_string()}),
        1,
    )
    .unwrap();
    // An answer above the amount counts as the whole amount unused.
    let out = transfer_call(NEAR, &format!("raw:\"{}\"", 5 * NEAR));
    assert_eq!(out.json::<String>(), "0");
    assert_eq!(t.shares(&alice), 9 * NEAR);
    t.assert_balanced();
}

#[test]
fn metadata_and_price() {
    let t = setup();
    assert_eq!(t.view::<Value>("ft_metadata", json!({})), metadata());
    assert_eq!(t.u128("ft_price", json!({})), NEAR);
    let source: Value = t.view("contract_source_metadata", json!({}));
    let standards: Vec<&str> =
        source["standards"].as_array().unwrap().iter().map(|s| s["standard"].as_str().unwrap()).collect();
    assert_eq!(standards, vec!["nep141", "nep145", "nep148", "nep297", "nep330"]);
    assert_eq!(source["version"], json!("0.1.0"));
}

/// An indexer that builds balances from the NEP-141 events alone (`ft_mint`, `ft_burn`,
/// `ft_transfer`) agrees with `ft_balance_of` for every account, the contract's own included
/// (it owns the seed's dead shares and the tokens the instant-unstake pool bought), and with
/// `ft_total_supply`, through deposits, transfers, instant unstakes, the pool's refill and its
/// unstake, and the treasury's fees.
#[test]
fn balances_built_from_the_events_are_the_contracts_balances() {
    let net = localnet::Localnet::new();
    let owner = net.create_account("owner", 5_000 * NEAR);
    let treasury = net.create_account("treasury", NEAR);
    let lst = net.create_account("lst", 50 * NEAR);
    let mut init = init_args(&owner, &treasury);
    init["epoch_blocks"] = json!(net.config().epoch_length);
    let deployed = lst.batch(lst.id()).deploy(&contract_wasm("liquid-staking")).call("new", init, SEED, 100 * TGAS);
    let mut outcomes = vec![deployed.transact().unwrap()];
    let t = Lst { net, lst, owner, treasury };
    t.add_validators(&[1, 1]);
    outcomes.push(t.call(&t.treasury, "storage_deposit", json!({}), NEAR / 100).unwrap());
    let lp = t.net.create_account("lp", 10_000 * NEAR);
    outcomes.push(t.call(&lp, "add_liquidity", json!({}), 1_000 * NEAR).unwrap());
    let (alice, bob) = (t.net.create_account("alice", 100 * NEAR), t.net.create_account("bob", 100 * NEAR));
    for (who, near) in [(&alice, 90 * NEAR), (&bob, 10 * NEAR)] {
        outcomes.push(t.call(who, "deposit_and_stake", json!({}), near).unwrap());
    }
    let transfer = json!({"receiver_id": bob.id(), "amount": (5 * NEAR).to_string()});
    outcomes.push(t.call(&alice, "ft_transfer", transfer, 1).unwrap());
    let swap = json!({"amount": (60 * NEAR).to_string()});
    outcomes.push(t.call(&alice, "instant_unstake", swap, 0).unwrap());
    for _ in 0..3 {
        // New deposits buy the pool's tokens; the rest it unstakes; rewards pay the treasury.
        let carol = t.net.create_account(&format!("c{}", t.net.epoch_height()), 100 * NEAR);
        outcomes.push(t.call(&carol, "deposit_and_stake", json!({}), 20 * NEAR).unwrap());
        t.net.advance_epochs(1);
        outcomes.extend(t.crank());
    }
    let mut balances = std::collections::BTreeMap::<String, i128>::new();
    for event in outcomes.iter().flat_map(|o| o.events()).filter(|e| e["standard"] == json!("nep141")) {
        for data in event["data"].as_array().unwrap() {
            let amount: i128 = data["amount"].as_str().unwrap().parse().unwrap();
            match event["event"].as_str().unwrap() {
                "ft_mint" => *balances.entry(data["owner_id"].as_str().unwrap().into()).or_default() += amount,
                "ft_burn" => *balances.entry(data["owner_id"].as_str().unwrap().into()).or_default() -= amount,
                "ft_transfer" => {
                    *balances.entry(data["old_owner_id"].as_str().unwrap().into()).or_default() -= amount;
                    *balances.entry(data["new_owner_id"].as_str().unwrap().into()).or_default() += amount;
                }
                other => panic!("{other}"),
            }
        }
    }
    let kinds: std::collections::BTreeSet<String> =
        outcomes.iter().flat_map(|o| o.events()).map(|e| e["event"].as_str().unwrap().to_string()).collect();
    for kind in ["ft_mint", "ft_burn", "ft_transfer", "instant_unstake"] {
        assert!(kinds.contains(kind), "no {kind} event: {kinds:?}");
    }
    assert!(balances[t.lst.id().as_str()] >= SEED as i128, "{balances:?}");
    for (account, balance) in &balances {
        assert_eq!(t.u128("ft_balance_of", json!({"account_id": account})) as i128, *balance, "{account}");
    }
    assert_eq!(t.u128("ft_total_supply", json!({})) as i128, balances.values().sum::<i128>());
}
