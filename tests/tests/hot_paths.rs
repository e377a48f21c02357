//! The requests every page of the console makes are answered from memory:
//! who is calling (session and account), the list of projects and a
//! project with its members (the role check of every project route) come
//! from watch-fed caches, not from a Kubernetes request each time. The
//! embedded API server logs every request the backend makes to it, so the
//! test counts them.

use berth_tests::{BerthProcess, StartOptions};
use reqwest::StatusCode;
use serde_json::Value;

/// The backend's requests to the Kubernetes API so far, as
/// `verb resource namespace` lines.
fn kubernetes_requests(berth: &BerthProcess) -> Vec<String> {
    berth
        .logs()
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|e| e["target"] == "berth::embedded::audit" && e["caller"] == "backend")
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            format!(
                "{} {} {}",
                text("verb"),
                text("resource"),
                text("namespace")
            )
        })
        // Watches are long-lived streams the caches keep open; a watch
        // that ends and resumes is not a request made for a page.
        .filter(|line| !line.starts_with("watch "))
        .collect()
}

#[tokio::test]
async fn session_checks_and_project_lists_ask_kubernetes_nothing() {
    let berth = BerthProcess::start_with(StartOptions::logging_kubernetes_requests(&[
        "--purge-interval-seconds",
        "3600",
    ]))
    .await
    .expect("start");
    berth.wait_ready().await;
    let http = berth.http();
    for name in ["alpha", "beta"] {
        let created = http
            .post(berth.at("/api/v1/projects"))
            .json(&serde_json::json!({ "name": name }))
            .send()
            .await
            .expect("create");
        assert_eq!(created.status(), StatusCode::CREATED);
    }

    let before = kubernetes_requests(&berth);
    for _ in 0..20 {
        let session = http
            .get(berth.at("/api/v1/session"))
            .send()
            .await
            .expect("session");
        assert_eq!(session.status(), StatusCode::OK);
        let list: Value = http
            .get(berth.at("/api/v1/projects"))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let items = list["items"].as_array().map_or(0, Vec::len);
        assert_eq!(items, 2, "{list}");
        let project = http
            .get(berth.at("/api/v1/projects/alpha"))
            .send()
            .await
            .expect("project");
        assert_eq!(project.status(), StatusCode::OK);
    }
    let after = kubernetes_requests(&berth);
    assert_eq!(
        after[before.len()..].to_vec(),
        Vec::<String>::new(),
        "60 requests for the session, the project list and a project reached Kubernetes"
    );

    // A session the cache does not hold yet (or a forged cookie) is looked
    // up in the cluster, and refused when it is not there.
    let forged = berth
        .client(Some(("berth_session=not-a-session", "x")))
        .expect("client")
        .get(berth.at("/api/v1/projects"))
        .send()
        .await
        .expect("list");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}
