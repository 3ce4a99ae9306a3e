//! The yield report (`lst yield`): where the rewards validators paid went, in a steady and a
//! stressed run of the production wasm on localnet.

use lst::yields::{Scenario, run};

const NEAR: f64 = 1e24;

#[test]
fn steady_state_holders_receive_the_rewards_net_of_the_fee() {
    let (s, fee) = run(Scenario::Steady);
    assert_eq!(s.epochs, 16);
    assert_eq!(fee, 0.1);
    // The target: holders receive at least 99.5% of what validators paid on the
    // protocol's stake, net of the fee, and of what all of their NEAR would have earned.
    assert!(s.share_of_paid(fee) >= 99.5, "{}", s.summary(fee));
    assert!(s.share_of_ideal() >= 99.5, "{}", s.summary(fee));
    // The fee is a tenth of the rewards (its tokens rounded down), and nothing is held back.
    assert!((s.fee - s.applied * fee).abs() < 1e-6 * NEAR, "{}", s.summary(fee));
    assert_eq!(s.held_back, 0.0);
    // Fresh deposits are delegated in the epoch they arrive: no NEAR waits in the buffer at an
    // epoch's end, and none is in transit.
    assert!(s.buffer.abs() < 1e-9 * NEAR && s.transit.abs() < 1e-9 * NEAR, "{}", s.summary(fee));
    // The parts account for the whole gap between the ideal and what holders received.
    assert!(s.rounding.abs() < 1e-6 * NEAR, "{}", s.summary(fee));
}

#[test]
fn an_exit_wave_and_an_outage_show_their_drag() {
    let (s, fee) = run(Scenario::Stressed);
    // Holders still receive every reward paid, net of the fee...
    assert!(s.share_of_paid(fee) >= 99.5, "{}", s.summary(fee));
    // ...but part of their NEAR earned nothing: the offline validator's stake until it was
    // drained, and then while it was being drained.
    assert!(s.offline > 0.1 * NEAR && s.transit > 0.1 * NEAR, "{}", s.summary(fee));
    assert!(s.rounding.abs() < 1e-6 * NEAR, "{}", s.summary(fee));
    assert!(s.share_of_ideal() < 95.0, "{}", s.summary(fee));
}

/// The exit wave leaves the validators it emptied under target and the others over it by less
/// than half again their target: flows rebalance them, and no stake is unstaked to move.
#[test]
fn an_exit_wave_sets_off_no_rebalancing() {
    let (s, fee) = run(Scenario::ExitWave);
    assert!(s.transit.abs() < 1e-9 * NEAR && s.offline.abs() < 1e-9 * NEAR, "{}", s.summary(fee));
    assert!(s.share_of_ideal() >= 99.5, "{}", s.summary(fee));
}

#[test]
fn a_keeper_that_cranks_once_an_epoch_leaves_deposits_idle() {
    let (once, fee) = run(Scenario::SteadyOneCrank);
    let (steady, _) = run(Scenario::Steady);
    // Deposits wait in the buffer for the next epoch's crank: that is the whole gap.
    assert!(once.buffer > 0.01 * NEAR, "{}", once.summary(fee));
    assert!(once.share_of_ideal() < steady.share_of_ideal(), "{}", once.summary(fee));
    assert!(once.rounding.abs() < 1e-6 * NEAR, "{}", once.summary(fee));
}
