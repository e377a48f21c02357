//! Two `berth serve` replicas against one cluster behave as one: process A
//! runs the embedded API exposed on loopback, process B reaches it through
//! a kubeconfig, and requests alternate between them. Nothing one replica
//! needs lives in the other's memory: writes, deletion progress and the
//! purge of expired projects all go through the cluster, and so do
//! sessions: signing in on one replica and working on the other.

mod common;

use std::time::Duration;

use berth_shared::{Project, ProjectList};
use berth_tests::BerthProcess;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

const ARGS: [&str; 4] = ["--restore-window", "1h", "--purge-interval-seconds", "1"];

async fn list(berth: &BerthProcess, deleted: bool) -> Vec<Project> {
    let path = if deleted {
        "/api/v1/projects?deleted=true"
    } else {
        "/api/v1/projects"
    };
    let response = berth.http().get(berth.at(path)).send().await.expect("list");
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
    let (a, b, _dir) = two_replicas(&ARGS).await;

    // Create on one, read and list on the other, both ways.
    create_project(&a, "alpha").await;
    let got = b
        .http()
        .get(b.at("/api/v1/projects/alpha"))
        .send()
        .await
        .expect("get");
    assert_eq!(got.status(), StatusCode::OK);
    assert!(listed_soon(&b, "alpha", false, true).await);
    create_project(&b, "beta").await;
    let got = a
        .http()
        .get(a.at("/api/v1/projects/beta"))
        .send()
        .await
        .expect("get");
    assert_eq!(got.status(), StatusCode::OK);
    assert!(listed_soon(&a, "beta", false, true).await);
    // The name is taken on both.
    let again = b
        .http()
        .post(b.at("/api/v1/projects"))
        .json(&json!({"name": "alpha"}))
        .send()
        .await
        .expect("duplicate");
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // Data written through one replica is read through the other.
    let created = a.http()
        .post(a.at("/api/v1/projects/alpha/registry-credentials"))
        .json(&json!({"name": "hub", "kind": "docker-hub", "username": "ann", "secret": "replica-secret-1"}))
        .send()
        .await
        .expect("credential");
    assert_eq!(created.status(), StatusCode::CREATED);
    let read = b
        .http()
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
    let deleted = b
        .http()
        .delete(b.at("/api/v1/projects/alpha?mode=soft"))
        .send()
        .await
        .expect("soft delete");
    assert_eq!(status(deleted).await, StatusCode::OK);
    assert!(listed_soon(&a, "alpha", false, false).await);
    assert!(listed_soon(&a, "alpha", true, true).await);
    let data = a
        .http()
        .get(a.at("/api/v1/projects/alpha/registry-credentials"))
        .send()
        .await
        .expect("data");
    assert_eq!(data.status(), StatusCode::GONE);
    let restored = a
        .http()
        .post(a.at("/api/v1/projects/alpha/restore"))
        .send()
        .await
        .expect("restore");
    assert_eq!(restored.status(), StatusCode::OK);
    assert!(listed_soon(&b, "alpha", false, true).await);

    // Delete for good on A, follow the progress on B.
    let mut progress = SseReader::open(&b, "/api/v1/projects/alpha/deletion").await;
    let gone = a
        .http()
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
    let (a, b, _dir) = two_replicas(&ARGS).await;
    create_project(&b, "old").await;
    let deleted = a
        .http()
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

#[tokio::test]
async fn a_session_made_on_one_replica_works_on_the_other() {
    let (a, b, _dir) = two_replicas(&ARGS).await;
    // A user made through B signs in through A ...
    let ann = b.add_user("ann").await.expect("ann on B");
    let on_a = a.sign_in("ann", &ann.password).await.expect("sign in on A");
    // ... and works through B with that session: a write (its CSRF token
    // and session are checked by B; behind one Service both replicas share
    // an origin, here B's address stands for it) and reads.
    let created = on_a
        .client
        .post(b.at("/api/v1/projects"))
        .header("origin", b.url.as_str())
        .json(&json!({"name": "anns"}))
        .send()
        .await
        .expect("create on B");
    assert_eq!(created.status(), StatusCode::CREATED);
    let mine = on_a
        .client
        .get(b.at("/api/v1/projects"))
        .send()
        .await
        .expect("list on B")
        .json::<ProjectList>()
        .await
        .expect("json");
    assert_eq!(
        mine.items
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["anns"],
        "ann sees her project, and only hers"
    );
    let got = on_a
        .client
        .get(a.at("/api/v1/projects/anns"))
        .send()
        .await
        .expect("get on A");
    assert_eq!(got.status(), StatusCode::OK);
    // Signing out on B ends the session on A too.
    let out = on_a
        .client
        .delete(b.at("/api/v1/session"))
        .header("origin", b.url.as_str())
        .send()
        .await
        .expect("sign out on B");
    assert!(out.status().is_success(), "{}", out.status());
    let after = on_a
        .client
        .get(a.at("/api/v1/projects"))
        .send()
        .await
        .expect("list on A");
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}
