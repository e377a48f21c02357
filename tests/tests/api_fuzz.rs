//! The API fuzzed from its own description: schemathesis (from PyPI,
//! installed by `scripts/bootstrap` into `.tools/schemathesis`) generates
//! requests for every operation of `/api/openapi.json` and sends them to
//! the real binary on 127.0.0.1 with a signed-in administrator's session.
//! It must find no server error and no answer the document does not
//! describe. Settings in `tests/fuzz/schemathesis.toml`; everything it
//! writes goes into a temporary directory.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use berth_tests::{ADMIN_PASSWORD, BerthProcess, StartOptions, workspace_root};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Test cases per operation in the fuzzing phase; with the coverage
/// phase's own cases, a run of a few minutes at most on two cores.
const MAX_EXAMPLES: &str = "20";

fn schemathesis() -> PathBuf {
    workspace_root().join(".tools/schemathesis/bin/schemathesis")
}

/// A session of its own for the fuzzer: cookie and CSRF token.
async fn session(berth: &BerthProcess) -> (String, String) {
    let response = berth_tests::http()
        .post(berth.at("/api/v1/session"))
        .json(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_owned();
    let body: Value = response.json().await.expect("session");
    let csrf = body["csrfToken"].as_str().expect("csrf").to_owned();
    (cookie, csrf)
}

/// What the project routes of the configuration point at.
async fn seed(berth: &BerthProcess) {
    let admin = berth.http();
    let posts = [
        (
            "/api/v1/users",
            json!({ "name": "fuzz-target", "password": "a one-time password" }),
        ),
        ("/api/v1/projects", json!({ "name": "shop" })),
        ("/api/v1/projects", json!({ "name": "doomed" })),
        (
            "/api/v1/projects/shop/registry-credentials",
            json!({ "name": "hub", "kind": "docker-hub", "username": "me", "secret": "s3cret" }),
        ),
        (
            "/api/v1/projects/shop/images",
            json!({ "name": "web", "reference": "127.0.0.1:9/shop/web:1", "credential": "hub" }),
        ),
        (
            "/api/v1/projects/shop/job-templates",
            json!({ "name": "nightly", "imagePointer": "web", "indices": "0-3" }),
        ),
    ];
    for (path, body) in posts {
        let response = admin
            .post(berth.at(path))
            .json(&body)
            .send()
            .await
            .expect("seed");
        assert_eq!(response.status(), StatusCode::CREATED, "{path}");
    }
}

/// "903 generated, 903 passed" and the like, from the summary.
fn figures(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim();
        if line == "Test cases:" || line == "API Operations:" {
            found.extend(
                lines
                    .iter()
                    .skip(i + 1)
                    .take(2)
                    .map(|l| l.trim())
                    .filter(|l| !l.is_empty()),
            );
        }
    }
    found.join("; ")
}

#[tokio::test]
async fn the_fuzzer_finds_no_server_error_and_no_undescribed_answer() {
    let tool = schemathesis();
    assert!(
        tool.exists(),
        "{} is missing: run scripts/bootstrap",
        tool.display()
    );
    // A console page of its own, so that paths outside the API (which the
    // fuzzer probes too) are answered whether or not the console is built.
    let scratch = tempfile::tempdir().expect("tmp");
    let console = scratch.path().join("console");
    std::fs::create_dir_all(&console).expect("console dir");
    std::fs::write(
        console.join("index.html"),
        "<!doctype html><title>Berth</title>",
    )
    .expect("index.html");
    // No container engine: nothing the API is asked can start a container.
    let berth = BerthProcess::start_with(StartOptions {
        args: vec![
            "--container-engine".into(),
            "none".into(),
            "--static-dir".into(),
            console.display().to_string(),
        ],
        no_embedded_listen: true,
        ..StartOptions::default()
    })
    .await
    .expect("start");
    assert!(berth.url.starts_with("http://127.0.0.1:"), "{}", berth.url);
    seed(&berth).await;
    let (cookie, csrf) = session(&berth).await;

    let started = Instant::now();
    let output = Command::new(&tool)
        .arg("--config-file")
        .arg(workspace_root().join("tests/fuzz/schemathesis.toml"))
        .arg("run")
        .arg(berth.at("/api/openapi.json"))
        .args(["--max-examples", MAX_EXAMPLES])
        .args(["--workers", "2", "--seed", "20261203", "--no-color"])
        .arg("--report-dir")
        .arg(scratch.path().join("report"))
        // The session goes in headers, as the console sends it; neither
        // value is printed (schemathesis masks Cookie in its output).
        .args(["-H", &format!("Cookie: {cookie}")])
        .args(["-H", &format!("X-CSRF-Token: {csrf}")])
        .args(["-H", &format!("Origin: {}", berth.url)])
        .current_dir(scratch.path())
        .env("HOME", scratch.path())
        .env("XDG_CACHE_HOME", scratch.path().join("cache"))
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .output()
        .expect("run schemathesis");
    let text = String::from_utf8_lossy(&output.stdout).replace(&csrf, "[csrf]");
    let summary = figures(&text);
    println!(
        "schemathesis: {summary} in {} s",
        started.elapsed().as_secs()
    );
    assert!(
        output.status.success(),
        "schemathesis found failures:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The session lasted the whole run, so every route was reached
    // signed in.
    let still = berth_tests::http()
        .get(berth.at("/api/v1/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("session");
    assert_eq!(
        still.status(),
        StatusCode::OK,
        "the fuzzer's session ended early"
    );
    let logs = berth.logs();
    assert!(!logs.contains("ERROR"), "{logs}");
}
