//! Two `berth serve` replicas against one cluster behave as one: process A
//! runs the embedded API exposed on loopback, process B reaches it through
//! a kubeconfig, and requests alternate between them. Nothing one replica
//! needs lives in the other's memory: writes, deletion progress and the
//! purge of expired projects all go through the cluster.
//!
//! (Signing in on one replica and using the session on the other waits for
//! identity, which does not exist yet.)

mod common;

use std::time::Duration;

use berth_shared::{Project, ProjectList};
use berth_tests::{BerthProcess, StartOptions, http};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

const ARGS: [&str; 4] = ["--restore-window", "1h", "--purge-interval-seconds", "1"];

async fn two_replicas() -> (BerthProcess, BerthProcess, tempfile::TempDir) {
    let a = start(&ARGS).await;
    let kube_url = a.kube_url.clone().expect("A exposes its embedded API");
    let dir = tempfile::tempdir().expect("tmp");
    let kubeconfig = berth_tests::write_kubeconfig(dir.path(), &kube_url);
    let mut args: Vec<String> = ARGS.iter().map(|a| (*a).to_owned()).collect();
    args.extend(["--kubeconfig".to_owned(), kubeconfig.display().to_string()]);
    let b = BerthProcess::start_with(StartOptions {
        args,
        no_embedded_listen: true,
        ..StartOptions::default()
    })
    .await
    .expect("start B");
    a.wait_ready().await;
    b.wait_ready().await;
    assert!(
        b.logs().contains("using a Kubernetes cluster"),
        "{}",
        b.logs()
    );
    (a, b, dir)
}

async fn list(berth: &BerthProcess, deleted: bool) -> Vec<Project> {
    let path = if deleted {
        "/api/v1/projects?deleted=true"
    } else {
        "/api/v1/projects"
    };
    let response = http().get(berth.at(path)).send().await.expect("list");
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<ProjectList>().await.expect("json").items
}

/// A replica's list follows another replica's writes within the latency of
/// its watch (milliseconds); a read of one project is immediate.
async fn listed_soon(berth: &BerthProcess, name: &str, deleted: bool, present: bool) -> bool {
    eventually(Duration::from_secs(5), || async {
        list(berth, deleted).await.iter().any(|p| p.name == name) == present
    })
    .await
}

async fn status(response: reqwest::Response) -> StatusCode {
    response.status()
}

#[tokio::test]
async fn two_replicas_share_everything_through_the_cluster() {
    let (a, b, _dir) = two_replicas().await;

    // Create on one, read and list on the other, both ways.
    create_project(&a, "alpha").await;
    let got = http()
        .get(b.at("/api/v1/projects/alpha"))
        .send()
        .await
        .expect("get");
    assert_eq!(got.status(), StatusCode::OK);
    assert!(listed_soon(&b, "alpha", false, true).await);
    create_project(&b, "beta").await;
    let got = http()
        .get(a.at("/api/v1/projects/beta"))
        .send()
        .await
        .expect("get");
    assert_eq!(got.status(), StatusCode::OK);
    assert!(listed_soon(&a, "beta", false, true).await);
    // The name is taken on both.
    let again = http()
        .post(b.at("/api/v1/projects"))
        .json(&json!({"name": "alpha"}))
        .send()
        .await
        .expect("duplicate");
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // Data written through one replica is read through the other.
    let created = http()
        .post(a.at("/api/v1/projects/alpha/registry-credentials"))
        .json(&json!({"name": "hub", "kind": "docker-hub", "username": "ann", "secret": "replica-secret-1"}))
        .send()
        .await
        .expect("credential");
    assert_eq!(created.status(), StatusCode::CREATED);
    let read = http()
        .get(b.at("/api/v1/projects/alpha/registry-credentials/hub"))
        .send()
        .await
        .expect("read");
    assert_eq!(read.status(), StatusCode::OK);
    assert!(
        !read
            .text()
            .await
            .expect("body")
            .contains("replica-secret-1")
    );

    // Soft delete on B, restore on A.
    let deleted = http()
        .delete(b.at("/api/v1/projects/alpha?mode=soft"))
        .send()
        .await
        .expect("soft delete");
    assert_eq!(status(deleted).await, StatusCode::OK);
    assert!(listed_soon(&a, "alpha", false, false).await);
    assert!(listed_soon(&a, "alpha", true, true).await);
    let data = http()
        .get(a.at("/api/v1/projects/alpha/registry-credentials"))
        .send()
        .await
        .expect("data");
    assert_eq!(data.status(), StatusCode::GONE);
    let restored = http()
        .post(a.at("/api/v1/projects/alpha/restore"))
        .send()
        .await
        .expect("restore");
    assert_eq!(restored.status(), StatusCode::OK);
    assert!(listed_soon(&b, "alpha", false, true).await);

    // Delete for good on A, follow the progress on B.
    let mut progress = SseReader::open(&b, "/api/v1/projects/alpha/deletion").await;
    let gone = http()
        .delete(a.at("/api/v1/projects/alpha?mode=hard"))
        .send()
        .await
        .expect("hard delete");
    assert_eq!(gone.status(), StatusCode::ACCEPTED);
    let (done, _) = progress.until("deleted", Duration::from_secs(30)).await;
    assert_eq!(done.data["project"], "alpha");
    assert!(listed_soon(&b, "alpha", false, false).await);
    assert!(listed_soon(&a, "alpha", false, false).await);
}

#[tokio::test]
async fn an_expired_project_is_purged_once_with_both_replicas_running() {
    let (a, b, _dir) = two_replicas().await;
    create_project(&b, "old").await;
    let deleted = http()
        .delete(a.at("/api/v1/projects/old?mode=soft"))
        .send()
        .await
        .expect("soft delete");
    assert_eq!(deleted.status(), StatusCode::OK);
    // Its window ends now (as if a week had passed).
    let namespaces = expire_now(&kube(&a), "berth-old").await;
    let purged = eventually(Duration::from_secs(15), || async {
        namespaces
            .get_opt("berth-old")
            .await
            .expect("get")
            .is_none()
    })
    .await;
    assert!(purged, "one of the replicas purged the expired project");
    // Both loops run every second; the deletion is guarded by the
    // namespace's resourceVersion, so exactly one of them deleted it.
    let said = "restore window ended: project deleted for good";
    let count = |p: &BerthProcess| {
        p.logs()
            .lines()
            .filter(|l| l.contains(said) && l.contains("old"))
            .count()
    };
    assert_eq!(
        count(&a) + count(&b),
        1,
        "A:\n{}\nB:\n{}",
        a.logs(),
        b.logs()
    );
    assert!(listed_soon(&a, "old", true, false).await);
    assert!(listed_soon(&b, "old", true, false).await);
}
