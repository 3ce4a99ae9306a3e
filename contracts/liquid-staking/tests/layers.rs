//! The contract's modules form layers, and every import points down (or sideways within a layer
//! without a cycle). This test reads the sources: an import against the direction fails it.
//!
//! ```text
//! interface     exports (the table in interface.rs), views, sdk_codecs (a measurement build)
//! operations    governance, crank, plan, settle, liquidity, staking, token, storage, validators
//! ledger        ledger, claims, exit
//! state         state, history
//! guards/events access, events           (only the base below them)
//! base          config, errors, gas, math, json, abi, record, promise, alloc, text
//! ```
//!
//! `lib.rs` is the crate root: it declares the modules and re-exports, and holds no logic.

use std::collections::BTreeMap;
use std::path::Path;

/// Bottom to top.
const LAYERS: &[(&str, &[&str])] = &[
    ("base", &["config", "errors", "gas", "math", "json", "abi", "record", "promise", "alloc", "text"]),
    ("guards and events", &["access", "events"]),
    ("state", &["state", "history"]),
    ("ledger", &["ledger", "claims", "exit"]),
    (
        "operations",
        &["governance", "crank", "plan", "settle", "liquidity", "staking", "token", "storage", "validators"],
    ),
    ("interface", &["exports", "interface", "views", "sdk_codecs"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, modules)| modules.contains(&module))
}

/// The modules `source` names through `crate::` paths, outside comments and the unit tests at
/// the end of a file (`#[cfg(test)]` on): a test may reach across layers to build its values.
fn imports(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let code = source.lines().take_while(|l| l.trim() != "#[cfg(test)]");
    for line in code.filter(|l| !l.trim_start().starts_with("//")) {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let name: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !name.is_empty() {
                        found.push(name);
                    }
                }
            } else {
                found.push(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Every import against the layering, and every cycle within a layer, as messages.
fn violations(sources: &BTreeMap<String, String>) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut edges: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (module, source) in sources {
        let Some(from) = layer_of(module) else {
            wrong.push(format!("{module}.rs is in no layer: add it to LAYERS"));
            continue;
        };
        for target in imports(source) {
            if &target == module {
                continue;
            }
            match layer_of(&target) {
                None => wrong.push(format!("{module} imports crate::{target}, which is not a module in a layer")),
                Some(to) if to > from => wrong.push(format!(
                    "{module} ({}) imports {target} ({}), a layer above it",
                    LAYERS[from].0, LAYERS[to].0
                )),
                Some(to) if to == from && from == 1 => {
                    wrong.push(format!("{module} imports {target}: guards and events use only the base"))
                }
                Some(to) if to == from => edges.entry(module).or_default().push(target),
                Some(_) => {}
            }
        }
    }
    // Within a layer the imports must not close a cycle.
    for start in edges.keys() {
        let mut path = vec![start.to_string()];
        if let Some(cycle) = find_cycle(&edges, start, &mut path) {
            wrong.push(format!("import cycle: {}", cycle.join(" -> ")));
        }
    }
    wrong
}

fn find_cycle(edges: &BTreeMap<&str, Vec<String>>, start: &str, path: &mut Vec<String>) -> Option<Vec<String>> {
    let last = path.last().cloned()?;
    for next in edges.get(last.as_str()).into_iter().flatten() {
        if next == start {
            let mut cycle = path.clone();
            cycle.push(next.clone());
            return Some(cycle);
        }
        if !path.contains(next) {
            path.push(next.clone());
            if let Some(cycle) = find_cycle(edges, start, path) {
                return Some(cycle);
            }
            path.pop();
        }
    }
    None
}

fn contract_sources() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        if path.extension().is_some_and(|e| e == "rs") && name != "lib" {
            sources.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    sources
}

#[test]
fn every_import_points_down_the_layers() {
    let sources = contract_sources();
    assert_eq!(sources.len(), LAYERS.iter().map(|(_, m)| m.len()).sum::<usize>(), "a layer names a missing file");
    assert_eq!(violations(&sources), Vec::<String>::new());
}

#[test]
fn the_crate_root_only_declares_and_re_exports() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let code: Vec<&str> = lib
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("#["))
        .filter(|l| !l.starts_with("mod ") && !l.starts_with("pub mod ") && !l.starts_with("pub use "))
        // The lines of a multi-line `pub use` list.
        .filter(|l| !l.ends_with(',') && *l != "};")
        .collect();
    assert_eq!(code, Vec::<&str>::new());
}

#[test]
fn the_checker_reports_upward_imports_cycles_and_strays() {
    let sources: BTreeMap<String, String> = [
        (
            "state",
            "use crate::ledger::x;\n// crate::crank in a comment is not an import\n#[cfg(test)]\nuse crate::crank;",
        ),
        ("ledger", "use crate::{state, exit::y};"),
        ("exit", "fn f() { crate::ledger::z() }"),
        ("events", "use crate::access;"),
        ("stray", ""),
    ]
    .into_iter()
    .map(|(m, s)| (m.to_string(), s.to_string()))
    .collect();
    assert_eq!(
        violations(&sources),
        [
            "events imports access: guards and events use only the base",
            "state (state) imports ledger (ledger), a layer above it",
            "stray.rs is in no layer: add it to LAYERS",
            "import cycle: exit -> ledger -> exit",
            "import cycle: ledger -> exit -> ledger",
        ]
    );
}
