//! nearcore's VM (Wasmtime) with the protocol's real wasm and fee configuration, and a
//! process-wide cache of compiled contracts.

use near_parameters::{RuntimeConfig, RuntimeConfigStore};
use near_primitives_core::hash::CryptoHash;
use near_vm_runner::logic::{External, VMContext, VMOutcome};
use near_vm_runner::{Contract, ContractCode, ContractRuntimeCache, FilesystemContractRuntimeCache};
use std::sync::{Arc, OnceLock};

/// The protocol version whose parameters localnet runs with.
pub const PROTOCOL_VERSION: u32 = 88;

/// nearcore's runtime configuration (fees, wasm limits, storage cost) for [`PROTOCOL_VERSION`].
pub fn runtime_config() -> &'static Arc<RuntimeConfig> {
    static CONFIG: OnceLock<Arc<RuntimeConfig>> = OnceLock::new();
    CONFIG.get_or_init(|| RuntimeConfigStore::new(None).get_config(PROTOCOL_VERSION).clone())
}

/// Compiled contracts, shared by every localnet in the process and kept on disk under
/// `target/localnet-cache`, so a contract is compiled once and a call only loads it from memory.
fn cache() -> &'static FilesystemContractRuntimeCache {
    static CACHE: OnceLock<FilesystemContractRuntimeCache> = OnceLock::new();
    CACHE.get_or_init(|| {
        let home = crate::build::workspace_root().join("target");
        FilesystemContractRuntimeCache::with_memory_cache(
            &home,
            None::<&str>,
            "localnet-cache",
            64,
            None,
            1 << 30,
            near_vm_runner::noop_background_spawner(),
        )
        .expect("cannot open the compiled-contract cache")
    })
}

/// Code deployed on an account: the wasm and its hash.
#[derive(Clone)]
pub struct Code(pub Arc<ContractCode>);

impl Code {
    pub fn new(wasm: Vec<u8>) -> Self {
        Code(Arc::new(ContractCode::new(wasm, None)))
    }

    pub fn hash(&self) -> CryptoHash {
        *self.0.hash()
    }

    pub fn len(&self) -> usize {
        self.0.code().len()
    }
}

impl Contract for Code {
    fn hash(&self) -> CryptoHash {
        *self.0.hash()
    }

    fn get_code(&self) -> Option<Arc<ContractCode>> {
        Some(self.0.clone())
    }
}

/// Runs `context.method` of `code` against `ext`. `Err` means the VM itself broke (not the
/// contract); contract failures come back as `VMOutcome::aborted`.
pub fn run(
    code: &Code,
    method: &str,
    ext: &mut (dyn External + Send),
    context: &VMContext,
) -> Result<VMOutcome, String> {
    let config = runtime_config();
    let wasm_config = config.wasm_config.clone();
    let gas_counter = context.make_gas_counter(&wasm_config);
    let cache: &dyn ContractRuntimeCache = cache();
    let prepared = near_vm_runner::prepare(code, wasm_config, Some(cache), gas_counter, method);
    near_vm_runner::run(prepared, ext, context, config.fees.clone()).map_err(|e| e.to_string())
}
