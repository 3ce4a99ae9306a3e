//! `lst build` names the files to deploy: the production wasm the tests run, with its size and
//! the code hash NEAR will show for it.

use localnet::build::contract_wasm;
use near_primitives_core::hash::CryptoHash;
use std::process::Command;

#[test]
fn build_prints_each_production_wasm_with_its_size_and_code_hash() {
    let out = Command::new(env!("CARGO_BIN_EXE_lst")).arg("build").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    for (line, contract) in lines.iter().zip(["liquid-staking", "staking-pool"]) {
        let wasm = contract_wasm(contract);
        let path = line
            .strip_prefix(&format!("{contract}: "))
            .and_then(|rest| rest.split(" (").next())
            .unwrap_or_else(|| panic!("unexpected line {line:?}"));
        assert!(path.ends_with(&format!("/contract/{}.opt.wasm", contract.replace('-', "_"))), "{line}");
        assert_eq!(std::fs::read(path).unwrap(), *wasm, "{path} is not the wasm the tests run");
        let expected =
            format!("{contract}: {path} ({} bytes, code hash {})", wasm.len(), CryptoHash::hash_bytes(&wasm));
        assert_eq!(*line, expected);
    }
}
