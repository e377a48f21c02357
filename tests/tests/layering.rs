//! The backend's modules depend downwards only, and no two of them depend
//! on each other: routes → services (and auth beside them) → storage →
//! Kubernetes; so do the console's (app → features → components → api),
//! and a feature reaches another only through components or api; the
//! embedded API server's modules use each other in no cycle. Read from the source: every `crate::…` and `super::…` path in a
//! file is a dependency of that file on the module it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use berth_tests::workspace_root;

/// Top-level modules from the top down. A module may use one further down
/// the list; two on the same level may not use each other.
const LAYERS: &[&[&str]] = &[
    &["main"],
    &["cli"],
    &["commands"],
    &["serve"],
    &["settings"],
    &["routes"],
    &["state"],
    &["auth", "services"],
    &["error"],
    &["storage", "registry", "kinds"],
    &["cluster", "tls", "telemetry"],
];

/// The console's top-level modules, from the top down.
const CONSOLE_LAYERS: &[&[&str]] = &[
    &["main"],
    &["app"],
    &["features"],
    &["components"],
    &["embed"],
    &["api"],
    &["router"],
    &["theme"],
    &["format"],
    &["i18n"],
];

fn level_in(layers: &[&[&str]], top: &str) -> Option<usize> {
    layers.iter().position(|level| level.contains(&top))
}

/// A source file as a module path: `services/credentials.rs` →
/// `["services", "credentials"]`, `services/mod.rs` → `["services"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The longest prefix of `path` that is a module of the crate.
fn resolve(modules: &BTreeSet<Vec<String>>, path: &[String]) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
}

/// Every module a file names through `crate::` or `super::` paths,
/// including each item of a `{…}` group.
fn dependencies(
    modules: &BTreeSet<Vec<String>>,
    module: &[String],
    text: &str,
) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let mut in_tests = false;
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        if line.starts_with("mod tests") {
            in_tests = true;
        }
        for (at, _) in code
            .match_indices("crate::")
            .chain(code.match_indices("super::"))
        {
            // A path that merely ends in "crate"/"super" (e.g. `berth_crate::`).
            if code[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let rest = &code[at..];
            let mut segments: Vec<String> = Vec::new();
            let mut base: Vec<String> = module.to_vec();
            let mut tail = rest;
            if tail.starts_with("crate::") {
                base.clear();
                tail = &tail["crate::".len()..];
            } else {
                // `super` of a file is its folder's module; of a test module
                // inside a file, the file itself.
                let mut first = true;
                while let Some(after) = tail.strip_prefix("super::") {
                    if !(first && in_tests) {
                        base.pop();
                    }
                    first = false;
                    tail = after;
                }
            }
            let word_end = |s: &str| {
                s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(s.len())
            };
            loop {
                let end = word_end(tail);
                if end == 0 {
                    break;
                }
                segments.push(tail[..end].to_owned());
                match tail[end..].strip_prefix("::") {
                    Some(next) => tail = next,
                    None => break,
                }
            }
            let mut prefix = base.clone();
            prefix.extend(segments);
            if let Some(group) = tail.strip_prefix('{') {
                let group = group.split('}').next().unwrap_or("");
                for item in group.split(',') {
                    let head = item.trim().split("::").next().unwrap_or("").trim();
                    let mut path = prefix.clone();
                    path.push(head.to_owned());
                    if let Some(m) = resolve(modules, &path) {
                        found.insert(m);
                    }
                }
            }
            if let Some(m) = resolve(modules, &prefix) {
                found.insert(m);
            }
        }
    }
    found.remove(module);
    found
}

/// Each module of the crate whose sources are in `src`, with the modules it uses.
fn graph_of(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let files = rust_files(src);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let module = module_of(src, file);
        let text = std::fs::read_to_string(file).expect("read source");
        let deps = dependencies(&modules, &module, &text)
            .into_iter()
            // The crate root only declares modules.
            .filter(|d| !d.is_empty())
            .collect();
        graph.insert(module, deps);
    }
    graph
}

/// Every cycle of `graph`, as `a → b → a`.
fn cycles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<String> {
    let mut found = Vec::new();
    for start in graph.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for next in graph.get(&at).into_iter().flatten() {
                if next == start {
                    let names: Vec<String> = path.iter().map(|m| m.join("::")).collect();
                    found.push(format!(
                        "cycle: {} → {}",
                        names.join(" → "),
                        start.join("::")
                    ));
                } else if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    found
}

#[test]
fn the_embedded_api_servers_modules_use_each_other_in_no_cycle() {
    let graph = graph_of(&workspace_root().join("apiserver").join("src"));
    assert!(
        graph.len() > 40 && graph.values().map(BTreeSet::len).sum::<usize>() > 80,
        "the reader found the modules and their uses"
    );
    let mut wrong = cycles(&graph);
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn backend_modules_depend_downwards_only() {
    let graph = graph_of(&workspace_root().join("backend").join("src"));
    assert!(
        graph.len() > 50 && graph.values().map(BTreeSet::len).sum::<usize>() > 100,
        "the reader found the modules and their uses"
    );
    let wrong = downwards_only(&graph, LAYERS);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn console_modules_depend_downwards_only_and_features_not_on_each_other() {
    let graph = graph_of(&workspace_root().join("frontend").join("src"));
    assert!(
        graph.len() > 40 && graph.values().map(BTreeSet::len).sum::<usize>() > 80,
        "the reader found the modules and their uses"
    );
    let mut wrong = downwards_only(&graph, CONSOLE_LAYERS);
    for (from, deps) in &graph {
        let [top, feature, ..] = from.as_slice() else {
            continue;
        };
        if top != "features" {
            continue;
        }
        for to in deps {
            if to.first() == Some(top) && to.get(1).is_some_and(|other| other != feature) {
                wrong.push(format!(
                    "{} uses {}: features meet only in components or api",
                    from.join("::"),
                    to.join("::")
                ));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What in `graph` uses a module that is not below it in `layers`, and
/// every cycle.
fn downwards_only(
    graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    layers: &[&[&str]],
) -> Vec<String> {
    let level = |top: &str| level_in(layers, top);
    let mut wrong = Vec::new();
    for (from, deps) in graph {
        let Some(from_top) = from.first() else {
            continue;
        };
        for to in deps {
            let to_top = &to[0];
            if from_top == to_top {
                continue;
            }
            match (level(from_top), level(to_top)) {
                (Some(a), Some(b)) if a < b => {}
                (Some(_), Some(_)) => wrong.push(format!(
                    "{} uses {}, which is not below it",
                    from.join("::"),
                    to.join("::")
                )),
                _ => wrong.push(format!(
                    "{} or {} has no layer in this test",
                    from_top, to_top
                )),
            }
        }
    }
    // No cycles at all, inside a top-level module too.
    wrong.extend(cycles(graph));
    wrong.sort();
    wrong.dedup();
    wrong
}
