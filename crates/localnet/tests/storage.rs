//! Storage staking: usage counted per byte, and a receipt that leaves too little balance for
//! its account's storage fails and changes nothing.
mod common;

use common::*;
use localnet::{Localnet, NEAR};
use serde_json::json;

#[test]
fn storage_usage_counts_keys_values_and_record_overhead() {
    let net = Localnet::new();
    let grower = deploy(&net, "storage-grower", near(10));
    let alice = net.create_account("alice", near(10));
    let before = grower.state().storage_usage;
    let out = alice.call(grower.id(), "grow").args_json(json!({"count": 2, "size": 100})).transact().unwrap();
    // Two entries "e0", "e1" of 100 bytes; near-sdk writes the state record "STATE" (a u32)
    // after the method returned its value.
    let entries = before + 2 * (2 + 100 + 40);
    assert_eq!(out.json::<u64>(), entries);
    assert_eq!(grower.state().storage_usage, entries + (5 + 4 + 40));
    let out = alice.call(grower.id(), "shrink").args_json(json!({"count": 1})).transact().unwrap();
    assert_eq!(out.json::<u64>(), entries + (5 + 4 + 40) - (2 + 100 + 40));
}

#[test]
fn a_receipt_that_outgrows_the_balance_fails_with_lack_balance_for_state() {
    let net = Localnet::new();
    let grower = deploy(&net, "storage-grower", near(10));
    let alice = net.create_account("alice", near(10));
    let first = alice.call(grower.id(), "grow").args_json(json!({"count": 1, "size": 10})).transact().unwrap();
    let before = grower.state();
    // Room left for this many bytes:
    let free = (before.amount / BYTE_COST) as u64 - before.storage_usage;
    let size = 50_000u64;
    let count = free / (size + 43) + 1;
    let out = alice
        .call(grower.id(), "grow")
        .args_json(json!({"count": count, "size": size}))
        .gas(300 * localnet::TGAS)
        .transact();
    let added: u64 = (1..=count).map(|i| format!("e{i}").len() as u64 + size + 40).sum();
    let lacking = (before.storage_usage + added) as u128 * BYTE_COST - before.amount;
    let kind = ActionErrorKind::LackBalanceForState { account_id: grower.id().clone(), amount: yocto(lacking) };
    // Checked after all actions: nearcore reports no action index.
    assert_eq!(out.error(), Some(&TxExecutionError::ActionError(ActionError { index: None, kind })));
    assert_eq!(grower.state(), before);
    assert_eq!(grower.view("entries").json::<u32>(), 1);
    assert_eq!(alice.balance(), near(10) - first.total_tokens_burnt() - out.total_tokens_burnt());
}

#[test]
fn small_accounts_need_no_balance_for_storage() {
    let net = Localnet::new();
    // 182 bytes with no balance at all: allowed up to 770 bytes (NEP-448).
    let zero = net.create_account("zero", 0);
    assert_eq!(zero.state().storage_usage, 182);
    assert_eq!(zero.balance(), 0);
}

#[test]
fn a_transaction_cannot_spend_the_balance_its_storage_needs() {
    let net = Localnet::new();
    let grower = deploy(&net, "storage-grower", 2 * NEAR);
    let before = grower.state();
    let spare = before.amount - before.storage_usage as u128 * BYTE_COST;
    let out = grower.transfer(net.root().id(), spare);
    assert!(
        matches!(out.error(), Some(TxExecutionError::InvalidTxError(InvalidTxError::LackBalanceForState { .. }))),
        "{:?}",
        out.error()
    );
    assert_eq!(grower.state(), before);
}

/// The bytes of a value a receipt removes (or overwrites) are charged per byte, as nearcore's
/// runtime does on top of what the VM charges: removing a 1,000-byte value costs 990 times
/// (`storage_remove_ret_value_byte` + `write_register_byte`, the register the value lands in)
/// more than removing a 10-byte one.
#[test]
fn removed_value_bytes_are_charged() {
    use near_parameters::ExtCosts;
    let costs_of = |cost: ExtCosts| localnet::runtime_config().wasm_config.ext_costs.gas_cost(cost).as_gas();
    let net = Localnet::new();
    let alice = net.create_account("alice", near(10));
    let removal = |name: &str, size: u32| {
        let grower = net.create_account(name, near(10));
        grower.deploy(&localnet::build::contract_wasm("test-storage-grower")).unwrap();
        alice.call(grower.id(), "grow").args_json(json!({"count": 1, "size": size})).transact().unwrap();
        let out = alice.call(grower.id(), "shrink").args_json(json!({"count": 1})).transact().unwrap();
        let receipt = out.receipt("shrink");
        (receipt.vm_gas_burnt, receipt.value_bytes_gas)
    };
    let ((small, small_bytes), (large, large_bytes)) = (removal("small", 10), removal("large", 1_000));
    // The outcome reports that charge apart: here the removed value and near-sdk's 4-byte state
    // record it overwrites.
    let evicted = costs_of(ExtCosts::storage_write_evicted_byte);
    assert_eq!(small_bytes, 10 * costs_of(ExtCosts::storage_remove_ret_value_byte) + 4 * evicted);
    assert_eq!(large_bytes - small_bytes, 990 * 11_531_556);
    let per_byte = costs_of(ExtCosts::storage_remove_ret_value_byte) + costs_of(ExtCosts::write_register_byte);
    assert_eq!(costs_of(ExtCosts::storage_remove_ret_value_byte), 11_531_556);
    assert_eq!(large - small, 990 * per_byte);
}

/// A receipt's storage proof is bounded (4 MB, nearcore's `per_receipt_storage_proof_size_limit`):
/// each removal counts 2,000 bytes besides the key and value it records, so removing about 2,000
/// entries in one receipt fails with `RecordedStorageExceeded` and changes nothing, while fewer
/// pass. (The trie's inner nodes are not modelled: mainnet records somewhat more.)
#[test]
fn a_receipt_removing_too_many_keys_exceeds_the_storage_proof_limit() {
    let net = Localnet::new();
    let grower = deploy(&net, "storage-grower", near(100));
    let alice = net.create_account("alice", near(10));
    for _ in 0..4 {
        let grow = json!({"count": 500, "size": 10});
        alice.call(grower.id(), "grow").args_json(grow).gas(300 * localnet::TGAS).transact().unwrap();
    }
    // The proof of removing the newest `n` entries: 2,000 bytes each, their keys and values,
    // and near-sdk's state record ("STATE", 4 bytes), read and written once.
    let proof =
        |n: u32| -> usize { (2_000 - n..2_000).map(|i| 2_000 + format!("e{i}").len() + 10).sum::<usize>() + 5 + 4 };
    let too_many = (1..=2_000).find(|&n| proof(n) > 4_000_000).unwrap();
    assert_eq!((too_many, proof(too_many - 1)), (1_986, 3_998_714));
    let before = grower.state();
    let shrink =
        |n: u32| alice.call(grower.id(), "shrink").args_json(json!({"count": n})).gas(300 * localnet::TGAS).transact();
    let out = shrink(too_many);
    assert_eq!(out.failure(), Some("Size of the recorded trie storage proof has exceeded the allowed limit (4.0 MB)"));
    assert_eq!(grower.state(), before);
    assert_eq!(grower.view("entries").json::<u32>(), 2_000);
    shrink(too_many - 1).unwrap();
    assert_eq!(grower.view("entries").json::<u32>(), 2_000 - (too_many - 1));
}

/// The first write or removal of a key in a block walks the trie to the value it replaces, and
/// each node costs `read_cached_trie_node` (2.28 Ggas): the shard's nodes above the account
/// (`shard_trie_depth`, 8 by default) plus the key's path among the account's keys as the block
/// started. Keys the block already changed cost nothing.
#[test]
fn writes_pay_for_the_trie_nodes_on_the_key_path() {
    use near_parameters::ExtCosts;
    let node = localnet::runtime_config().wasm_config.ext_costs.gas_cost(ExtCosts::read_cached_trie_node).as_gas();
    assert_eq!(node, 2_280_000_000);
    let net = Localnet::new();
    let grower = deploy(&net, "storage-grower", near(10));
    let alice = net.create_account("alice", near(10));
    let bob = net.create_account("bob", near(10));
    let grow = |who: &localnet::Account| who.call(grower.id(), "grow").args_json(json!({"count": 1, "size": 10}));
    // No keys yet: writing "e0" and near-sdk's "STATE" walks the shard's 8 nodes each.
    assert_eq!(grow(&alice).transact().receipt("grow").trie_node_gas, 2 * 8 * node);
    // {"STATE" (0x53..), "e0" (0x65..)} differ in the first nibble: the account's extension, a
    // branch, then the leaf of "e0" (for "e1") or of "STATE".
    assert_eq!(grow(&alice).transact().receipt("grow").trie_node_gas, 2 * (8 + 3) * node);
    // Two calls in one block: the first walks as above, the second finds "STATE" among the
    // block's changes and walks "e3" against the keys of the block's start, {"STATE", "e0", "e1"}:
    // extension, branch, then "e0" and "e1" run on together (an extension) to a branch on
    // their last nibble, where "e2" and "e3" find no child.
    let (first, second) = (grow(&alice).submit(), grow(&bob).submit());
    net.settle();
    let (first, second) = (first.wait(), second.wait());
    assert_eq!(first.receipt("grow").block_height, second.receipt("grow").block_height);
    assert_eq!(first.receipt("grow").trie_node_gas, (2 * 8 + 4 + 3) * node);
    assert_eq!(second.receipt("grow").trie_node_gas, (8 + 4) * node);
    // Removing "e3" in a later block walks to its leaf.
    let out = alice.call(grower.id(), "shrink").args_json(json!({"count": 1})).transact();
    assert_eq!(out.receipt("shrink").trie_node_gas, (8 + 5 + 8 + 3) * node);
}
