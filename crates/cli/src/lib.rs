//! The `lst` command's library: the protocol deployed on localnet ([`protocol`]), the demo
//! ([`demo`]) and the gas report ([`gas`]).

pub mod demo;
pub mod gas;
pub mod protocol;
