//! The `lst` command's library: the demo ([`demo`]), the gas report ([`gas`]), the yield report
//! ([`yields`]), the JSON-RPC node ([`node`]) and the keeper for real networks ([`keeper`]). The
//! protocol's deployment on localnet they share is the `testkit` crate.

pub mod demo;
pub mod gas;
pub mod keeper;
pub mod node;
pub mod yields;
