//! The demo keeps every promise: a short run with an offline validator and random users.
use lst::demo::{Options, run};

#[test]
fn a_short_demo_keeps_every_promise() {
    let summary = run(&Options { users: 8, validators: 4, epochs: 10, seed: 7 });
    assert_eq!(summary.failures, Vec::<String>::new());
    assert!(summary.withdrawals > 0, "no withdrawal was exercised");
    assert!(summary.final_price > 10u128.pow(24), "rewards did not raise the price");
    // Unstakes in an epoch's last blocks are promised 5 epochs, the others 4, and every claim
    // was paid when due.
    let u = &summary.unlocks;
    assert!(u.unstakes > 0 && u.late > 0 && u.in_four_epochs > 0, "{u:?}");
    assert_eq!(u.in_four_epochs + u.late, u.unstakes, "{u:?}");
    assert_eq!((u.longest, u.refused_when_due), (5, 0), "{u:?}");
}
