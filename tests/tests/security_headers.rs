//! The hardening headers on every response, and who may frame the console.

use berth_tests::{BerthProcess, StartOptions, berth_bin, http};
use reqwest::StatusCode;

const STRICT: [&str; 8] = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "img-src 'self' data:",
];

async fn start_with_dist(extra: &[&str]) -> (BerthProcess, tempfile::TempDir) {
    let dist = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>Berth</title>",
    )
    .expect("index");
    std::fs::write(dist.path().join("app-0123456789abcdef.js"), "export {}").expect("js");
    let mut args = vec!["--static-dir".to_owned(), dist.path().display().to_string()];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let berth = BerthProcess::start_with(StartOptions {
        args,
        ..Default::default()
    })
    .await
    .expect("start");
    (berth, dist)
}

/// The console, an asset, the API (answer and problem) and the probes.
const PATHS: [(&str, StatusCode); 6] = [
    ("/", StatusCode::OK),
    ("/projects/shop", StatusCode::OK),
    ("/app-0123456789abcdef.js", StatusCode::OK),
    ("/api/v1/config", StatusCode::OK),
    ("/api/v1/no-such-thing", StatusCode::NOT_FOUND),
    ("/healthz", StatusCode::OK),
];

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("ascii header").to_owned())
}

#[tokio::test]
async fn every_response_carries_the_hardening_headers_and_refuses_framing() {
    let (berth, _dist) = start_with_dist(&[]).await;
    for (path, status) in PATHS {
        let response = http().get(berth.at(path)).send().await.expect("get");
        assert_eq!(response.status(), status, "{path}");
        let csp = header(&response, "content-security-policy").unwrap_or_default();
        for directive in STRICT {
            assert!(
                csp.split("; ").any(|d| d == directive),
                "{path}: {directive} missing in {csp}"
            );
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(
            csp.split("; ").any(|d| d == "frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(
            header(&response, "x-frame-options").as_deref(),
            Some("DENY"),
            "{path}"
        );
        assert_eq!(
            header(&response, "x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header(&response, "referrer-policy").as_deref(),
            Some("no-referrer"),
            "{path}"
        );
        let permissions = header(&response, "permissions-policy").unwrap_or_default();
        for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"] {
            assert!(permissions.contains(feature), "{path}: {permissions}");
        }
        // Plain HTTP: a Strict-Transport-Security header would be ignored,
        // and is not sent.
        assert_eq!(
            header(&response, "strict-transport-security"),
            None,
            "{path}"
        );
    }
}

#[tokio::test]
async fn allowed_portals_may_frame_the_console_and_are_in_the_config() {
    let (berth, _dist) = start_with_dist(&[
        "--allowed-frame-ancestors",
        "https://Portal.Example.com:443,http://localhost:3000",
    ])
    .await;
    for (path, _) in PATHS {
        let response = http().get(berth.at(path)).send().await.expect("get");
        let csp = header(&response, "content-security-policy").unwrap_or_default();
        assert!(
            csp.split("; ")
                .any(|d| d == "frame-ancestors https://portal.example.com http://localhost:3000"),
            "{path}: {csp}"
        );
        // It cannot name origins, and DENY would override the allow-list.
        assert_eq!(header(&response, "x-frame-options"), None, "{path}");
    }
    let config: serde_json::Value = http()
        .get(berth.at("/api/v1/config"))
        .send()
        .await
        .expect("config")
        .json()
        .await
        .expect("json");
    assert_eq!(
        config["allowedPortalOrigins"],
        serde_json::json!(["https://portal.example.com", "http://localhost:3000"])
    );
}

#[test]
fn a_frame_ancestor_that_is_not_an_origin_stops_the_start_with_a_clear_message() {
    for bad in [
        "*",
        "https://portal.example.com/console",
        "portal.example.com",
    ] {
        let output = std::process::Command::new(berth_bin())
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--allowed-frame-ancestors",
                bad,
            ])
            .output()
            .expect("run berth");
        assert!(!output.status.success(), "{bad} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--allowed-frame-ancestors"), "{stderr}");
        assert!(stderr.contains("is not an origin"), "{stderr}");
    }
}
