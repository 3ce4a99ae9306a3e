//! `lst node --app`: the web app to serve. Given the app's sources (a `package.json`), installs
//! its npm packages on first use and builds it when the build is missing or older than the
//! sources, so one command gives a newcomer a working local app; given a build (an
//! `index.html`), serves it as it is.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// The app's sources in this repository, for `--app` without a directory.
pub const DEFAULT_APP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../app");

/// The directory of built files to serve for `dir`, building it first if needed.
pub fn prepare(dir: &Path) -> Result<PathBuf, String> {
    if dir.join("index.html").is_file() && !dir.join("package.json").is_file() {
        return Ok(dir.to_path_buf());
    }
    if !dir.join("package.json").is_file() {
        return Err(format!(
            "{}: neither a built app (index.html) nor the app's sources (package.json)",
            dir.display()
        ));
    }
    let dist = dir.join("dist");
    if !dir.join("node_modules").is_dir() {
        eprintln!("lst node: installing the web app's npm packages (npm ci, about 30 s the first time) ...");
        npm(dir, &["ci", "--no-audit", "--no-fund", "--loglevel=error"])?;
    }
    let built = modified(&dist.join("index.html"));
    let sources = ["src", "index.html", "package.json", "package-lock.json", "vite.config.ts"]
        .iter()
        .map(|p| newest(&dir.join(p)))
        .max()
        .flatten();
    if built.is_none() || sources > built {
        eprintln!("lst node: building the web app (vite build, about 15 s) ...");
        npm(dir, &["run", "--silent", "build"])?;
    }
    Ok(dist)
}

fn npm(dir: &Path, args: &[&str]) -> Result<(), String> {
    let status = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot run npm (Node.js 20 or later is needed for the app): {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("npm {} failed in {}: {status}", args.join(" "), dir.display())) }
}

fn modified(path: &Path) -> Option<SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

/// The newest modification time of `path` or anything under it.
fn newest(path: &Path) -> Option<SystemTime> {
    let own = modified(path);
    let Ok(entries) = std::fs::read_dir(path) else { return own };
    entries.filter_map(Result::ok).map(|e| newest(&e.path())).max().flatten().max(own)
}
