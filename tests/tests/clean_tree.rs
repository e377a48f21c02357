//! Tests write only into temporary directories. kubectl is the tool that
//! did not: with no `HOME` it keeps its discovery cache in `./.kube`, and a
//! test runs in the tests crate's folder, so the cache landed in the source
//! tree. `berth_tests::kubectl` gives it a temporary home; this checks that
//! a kubectl run through it leaves the tree as it found it.

use std::collections::BTreeSet;
use std::process::Command;

use berth_tests::{BerthProcess, kubectl, workspace_root};

/// Every untracked or ignored entry of the working tree, as `git status`
/// lists it (an ignored folder is one entry).
fn untracked_entries() -> BTreeSet<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(workspace_root())
        .args([
            "status",
            "--porcelain",
            "--ignored",
            "--untracked-files=normal",
        ])
        .output()
        .expect("git (the tests run in a checkout)");
    assert!(out.status.success(), "git status failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("??") || l.starts_with("!!"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn kubectl_run_by_a_test_writes_nothing_into_the_tree() {
    let before = untracked_entries();
    let berth = BerthProcess::start().await.expect("start berth");
    let server = berth.kube_url.clone().expect("embedded API url");
    let home = tempfile::tempdir().expect("temporary home");
    let home_path = home.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        kubectl(&home_path)
            .arg("--server")
            .arg(&server)
            .arg("api-resources")
            .output()
    })
    .await
    .expect("kubectl task")
    .expect("kubectl (install it)");
    assert!(
        out.status.success(),
        "kubectl api-resources: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("imagepointers"),
        "discovery reached the embedded server"
    );
    // The discovery cache exists, and it is in the temporary home.
    let cached = walk(&home.path().join("cache"));
    assert!(
        cached.iter().any(|p| p.ends_with("serverresources.json")),
        "kubectl cached discovery in its temporary home: {cached:?}"
    );
    drop(berth);
    let after = untracked_entries();
    let left: Vec<&String> = after.difference(&before).collect();
    assert!(left.is_empty(), "files left in the source tree: {left:?}");
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path.display().to_string());
        }
    }
    found
}
