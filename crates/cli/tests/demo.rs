//! The demo keeps every promise: a short run with an offline validator and random users.
use lst::demo::{Options, run};

#[test]
fn a_short_demo_keeps_every_promise() {
    let summary = run(&Options { users: 8, validators: 4, epochs: 10, seed: 7 });
    assert_eq!(summary.failures, Vec::<String>::new());
    assert!(summary.withdrawals > 0, "no withdrawal was exercised");
    assert!(summary.final_price > 10u128.pow(24), "rewards did not raise the price");
}
