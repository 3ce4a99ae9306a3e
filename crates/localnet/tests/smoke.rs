use localnet::{Localnet, NEAR, build::contract_wasm};
use serde_json::json;

#[test]
fn smoke() {
    let net = Localnet::new();
    let alice = net.create_account("alice", 100 * NEAR);
    let counter = net.create_account("counter", 10 * NEAR);
    let wasm = contract_wasm("test-counter");
    counter.deploy(&wasm).unwrap();
    let out = alice.call(counter.id(), "increment").args_json(json!({"by": 5})).transact().unwrap();
    println!("{out:#?}");
    assert_eq!(out.json::<i64>(), 5);
    println!("{}", alice.balance());
}
