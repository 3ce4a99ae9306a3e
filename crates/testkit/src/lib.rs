//! What the tests, the demo, the gas report, the yield report and `lst node` share: the protocol
//! deployed on localnet ([`protocol`]) and a seeded random generator ([`rng`]). A crate of its
//! own so the contracts' tests do not depend on the `lst` command.

pub mod protocol;
pub mod rng;
