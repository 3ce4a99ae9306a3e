//! The holders' web app: its type check (strict), build and Vitest unit tests, and `lst node
//! --app` serving a build and the app's configuration. (The browser flow, app/e2e/flow.mjs, is
//! run by hand for now: see app/README.md.)

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn run(dir: &Path, program: &str, args: &[&str]) {
    let status =
        Command::new(program).args(args).current_dir(dir).status().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(status.success(), "{program} {args:?} failed: {status}");
}

/// A raw `GET path` (sent as written, so `..` reaches the node), answering (status, content
/// type, body).
fn get(port: u16, path: &str) -> (u16, String, Vec<u8>) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\n\r\n").unwrap();
    let mut response = vec![];
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type:").map(|v| v.trim().to_string()))
        .unwrap_or_default();
    (status, content_type, response[split + 4..].to_vec())
}

#[test]
fn the_app_type_checks_builds_and_passes_its_unit_tests() {
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../app");
    run(&app, "npm", &["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
    run(&app, "npm", &["run", "--silent", "build"]);
    run(&app, "npm", &["test", "--silent"]);
    let assets: Vec<_> = std::fs::read_dir(app.join("dist/assets")).unwrap().map(|e| e.unwrap().path()).collect();
    let js: u64 =
        assets.iter().filter(|p| p.extension().is_some_and(|e| e == "js")).map(|p| p.metadata().unwrap().len()).sum();
    // The issue's budget is 500 KB gzipped; even uncompressed the bundle stays under it.
    assert!(js > 0 && js < 500_000, "{js} bytes of JS");
}

#[test]
fn the_node_serves_the_app_and_its_configuration() {
    let dir = std::env::temp_dir().join(format!("lst-app-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><p>app</p>").unwrap();
    std::fs::write(dir.join("assets/main.js"), "console.log(1)").unwrap();
    let options = lst::node::Options { app: Some(dir.clone()), ..common::options(20, None) };
    let (port, accounts) = lst::node::spawn(options);

    assert_eq!(get(port, "/"), (200, "text/html; charset=utf-8".into(), b"<!doctype html><p>app</p>".to_vec()));
    assert_eq!(get(port, "/assets/main.js"), (200, "text/javascript".into(), b"console.log(1)".to_vec()));
    assert_eq!(get(port, "/assets/../../etc/passwd").0, 404);
    assert_eq!(get(port, "/nothing.js").0, 404);
    // JSON-RPC still answers on POST /.
    let status = common::post(port, r#"{"jsonrpc":"2.0","id":0,"method":"status","params":[]}"#);
    assert_eq!(status["result"]["chain_id"], "localnet");

    let (code, content_type, body) = get(port, "/app-config.json");
    assert_eq!((code, content_type.as_str()), (200, "application/json"));
    let config: Value = serde_json::from_slice(&body).unwrap();
    let (account, key) = &accounts[0];
    assert_eq!(
        config,
        json!({
            "network": "localnet", "contract_id": "lst.near", "rpc_url": null, "epoch_length": 20, "block_time_ms": 0,
            "dev_accounts": [{"account_id": account, "secret_key": key.to_string()}],
        })
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
