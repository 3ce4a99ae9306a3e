//! The `lst` command's library: the protocol deployed on localnet ([`protocol`]), the demo
//! ([`demo`]), the gas report ([`gas`]), the JSON-RPC node ([`node`]), the keeper for real networks
//! ([`keeper`]), the yield report ([`yields`]) and a seeded random generator ([`rng`]).

pub mod demo;
pub mod gas;
pub mod keeper;
pub mod node;
pub mod protocol;
pub mod rng;
pub mod yields;
