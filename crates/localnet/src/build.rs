//! Builds this workspace's contracts to wasm, so `cargo test` needs no separate set-up step.
//!
//! A nested `cargo build --profile contract --target wasm32-unknown-unknown` runs into its own
//! target directory (`target/wasm`), so it never waits on the outer build's lock, and binaryen's
//! `wasm-opt -Oz` then shrinks the result (every call pays to load every byte). Cargo skips the
//! build when nothing changed, the optimizer is skipped when its output is newer than its input,
//! and within one process every package is built at most once. The optimized file is the
//! production wasm: tests, the demo and deployments all use it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crate lives two levels below the workspace root")
        .to_path_buf()
}

/// The production wasm of workspace package `package` (for example `"liquid-staking"`), built
/// with the `contract` profile on first use in this process.
pub fn contract_wasm(package: &str) -> Arc<Vec<u8>> {
    contract_wasm_with_features(package, "")
}

/// The wasm of `package` built with cargo `features` (comma-separated), for tests that need
/// another build than the production one, such as the target of an upgrade. Each set of
/// features builds into its own directory.
pub fn contract_wasm_with_features(package: &str, features: &str) -> Arc<Vec<u8>> {
    static BUILT: OnceLock<Mutex<HashMap<String, Arc<Vec<u8>>>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    let key = format!("{package}[{features}]");
    if let Some(wasm) = built.get(&key) {
        return wasm.clone();
    }
    let wasm = Arc::new(build(package, features));
    built.insert(key, wasm.clone());
    wasm
}

/// Installs the wasm target with rustup if this toolchain lacks it (a fresh machine).
fn ensure_wasm_target(root: &Path) {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .current_dir(root)
        .args(["--print", "target-libdir", "--target", "wasm32-unknown-unknown"])
        .output()
        .expect("cannot run rustc");
    let libdir = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if output.status.success() && Path::new(&libdir).is_dir() {
        return;
    }
    let status = Command::new("rustup")
        .current_dir(root)
        .args(["target", "add", "wasm32-unknown-unknown"])
        .status()
        .expect("the wasm32-unknown-unknown target is missing and rustup cannot be run");
    assert!(status.success(), "rustup could not add the wasm32-unknown-unknown target");
}

/// The file [`contract_wasm`] reads the production wasm of `package` from: the file to deploy.
pub fn contract_wasm_path(package: &str) -> PathBuf {
    optimized_path(package, "")
}

/// The target directory of a build with `features`: each set of features has its own, so
/// builds with different features do not rebuild each other's output.
fn target_dir(features: &str) -> PathBuf {
    let dir = if features.is_empty() { "wasm".to_string() } else { format!("wasm-{}", features.replace(',', "-")) };
    workspace_root().join("target").join(dir)
}

/// Cargo's output for `package`, before the optimizer.
fn cargo_output(package: &str, features: &str) -> PathBuf {
    let file = format!("{}.wasm", package.replace('-', "_"));
    target_dir(features).join("wasm32-unknown-unknown").join("contract").join(file)
}

fn optimized_path(package: &str, features: &str) -> PathBuf {
    cargo_output(package, features).with_extension("opt.wasm")
}

fn build(package: &str, features: &str) -> Vec<u8> {
    let root = workspace_root();
    ensure_wasm_target(&root);
    let target_dir = target_dir(features);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(&root)
        .args(["build", "--locked", "--quiet", "--profile", "contract"])
        .args(["--target", "wasm32-unknown-unknown", "-p", package])
        .args(if features.is_empty() { vec![] } else { vec!["--features", features] })
        .arg("--target-dir")
        .arg(&target_dir);
    // Flags meant for the outer (host) build must not leak into the contract build.
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS", "CARGO_TARGET_DIR"] {
        command.env_remove(var);
    }
    let status = command.status().unwrap_or_else(|e| panic!("cannot run cargo to build {package}: {e}"));
    assert!(status.success(), "building contract {package} failed");
    let (file, optimized) = (cargo_output(package, features), optimized_path(package, features));
    let modified = |f: &Path| std::fs::metadata(f).and_then(|m| m.modified()).ok();
    if modified(&optimized) <= modified(&file) {
        optimize(&file, &optimized);
    }
    copy_abi(&file, package);
    std::fs::read(&optimized).unwrap_or_else(|e| panic!("cannot read {}: {e}", optimized.display()))
}

/// A contract whose build script renders its NEAR ABI (`$OUT_DIR/abi.json`, as the liquid
/// staking contract's does) gets it beside its wasm, where cargo-near would put it.
fn copy_abi(wasm: &Path, package: &str) {
    let builds = wasm.with_file_name("build");
    let newest = std::fs::read_dir(&builds)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&format!("{package}-")))
        .map(|e| e.path().join("out").join("abi.json"))
        .filter_map(|abi| Some((std::fs::metadata(&abi).and_then(|m| m.modified()).ok()?, abi)))
        .max();
    if let Some((_, abi)) = newest {
        let to = wasm.with_extension("abi.json");
        std::fs::copy(&abi, &to).unwrap_or_else(|e| panic!("cannot copy {} to {}: {e}", abi.display(), to.display()));
    }
}

/// `wasm-opt -Oz` with the wasm features NEAR accepts (no multi-value or SIMD).
fn optimize(input: &Path, output: &Path) {
    use wasm_opt::{Feature, OptimizationOptions};
    OptimizationOptions::new_optimize_for_size_aggressively()
        .mvp_features_only()
        .enable_feature(Feature::BulkMemory)
        .enable_feature(Feature::SignExt)
        .enable_feature(Feature::MutableGlobals)
        .enable_feature(Feature::TruncSat)
        .run(input, output)
        .unwrap_or_else(|e| panic!("wasm-opt failed on {}: {e}", input.display()));
}
