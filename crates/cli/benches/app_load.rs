//! The web app's first-load time on `lst node --app`: `cargo bench -p lst --bench app_load`.
//!
//! Builds the app (app/, as `lst node --app` does), starts the node (block time 0, two dev
//! accounts) and loads the page 10 times in Debian's Chromium (app/e2e/load.mjs): from
//! navigation start to the holder's balances on screen (the page's script, its configuration
//! and the 13 JSON-RPC requests of the first draw), with a cold cache and reloaded warm; and the
//! gzipped size of the built JavaScript.

use std::process::Command;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn gzipped(path: &std::path::Path) -> usize {
    Command::new("gzip").args(["-9", "-c"]).arg(path).output().unwrap().stdout.len()
}

fn main() {
    let app = std::path::Path::new(lst::node::app_build::DEFAULT_APP);
    let dist = lst::node::app_build::prepare(app).unwrap();
    let options = lst::node::Options {
        port: 0,
        block_time: std::time::Duration::ZERO,
        epoch_length: 60,
        validators: 3,
        accounts: 2,
        keeper: true,
        state: None,
        app: Some(dist.clone()),
    };
    let (port, _) = lst::node::spawn(options);
    let output = Command::new("node")
        .arg("e2e/load.mjs")
        .current_dir(app)
        .env("LST_URL", format!("http://127.0.0.1:{port}"))
        .env("LST_RUNS", "10")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let times = |key: &str| {
        let mut t: Vec<f64> = result[key].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        t.sort_by(f64::total_cmp);
        t
    };
    let (cold, warm) = (times("cold"), times("warm"));

    println!("| load | runs | median (ms) | p90 (ms) | fastest (ms) |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, t) in [("cold cache", &cold), ("warm cache", &warm)] {
        println!("| {name} | {} | {:.0} | {:.0} | {:.0} |", t.len(), percentile(t, 0.5), percentile(t, 0.9), t[0]);
    }
    println!();
    println!("| JavaScript | bytes | gzipped |");
    println!("| --- | --- | --- |");
    let mut files: Vec<_> = std::fs::read_dir(dist.join("assets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let what =
            if name.starts_with("wallet-") { "wallet selector (testnet/mainnet, on connect)" } else { "the page" };
        println!("| {what} | {} | {} |", path.metadata().unwrap().len(), gzipped(&path));
    }
    println!(
        "\nJavaScript transferred by a cold load (lst node serves it uncompressed): {} bytes",
        result["scriptBytes"]
    );
}
