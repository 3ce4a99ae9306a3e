//! localnet: an in-process, deterministic NEAR chain that runs real contract wasm on nearcore's
//! VM (`near-vm-runner`, Wasmtime) with the protocol's real gas, fee and storage parameters.
//!
//! It models accounts and their balances, transactions turned into receipts, cross-contract
//! promises and callbacks (with failed results), refunds, storage staking, blocks and epochs,
//! validators with seats, rewards and the protocol's unlock timing, access keys and signed
//! transactions, trie-node gas, and fault injection, with nearcore's own error types. See
//! [`Localnet`] for the API and the README for what is not modelled.

pub mod build;
mod chain;
mod cheats;
mod config;
mod errors;
mod ext;
mod net;
mod outcome;
mod receipt;
mod staking;
mod state;
mod trie;
mod tx;
mod validate;
mod vm;

pub use chain::{ROOT_ACCOUNT, account_key};
pub use cheats::Fault;
pub use config::{Config, NEAR, TGAS};
pub use errors::Failure;
pub use near_crypto::PublicKey;
pub use near_primitives;
pub use near_primitives_core::types::AccountId;
pub use net::{Account, CallBuilder, DEFAULT_CALL_GAS, Localnet, Submitted, Transaction, ViewBuilder};
pub use outcome::{ExecutionResult, ReceiptOutcome, Status, ViewResult, parse_events};
pub use receipt::{Action, ActionReceipt, FunctionCall, KeyPermission};
pub use staking::{EpochInfo, Rate, Rewards, Seats};
pub use state::{AccessKey, AccountView};
pub use vm::{PROTOCOL_VERSION, runtime_config};
