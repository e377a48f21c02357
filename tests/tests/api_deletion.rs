//! Deleting projects: permanently (the namespace and everything in it), or
//! with a restore window (hidden, data refused, name kept, restorable), the
//! expiry of that window, and a deletion held by a finalizer.

mod common;

use std::time::Duration;

use berth_shared::inventory::{Inventory, InventoryItem};
use berth_shared::{Problem, Project, ProjectList};
use berth_tests::BerthProcess;
use common::*;
use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use kube::api::{Patch, PatchParams};
use reqwest::StatusCode;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

async fn delete(berth: &BerthProcess, project: &str, mode: Option<&str>) -> reqwest::Response {
    let mut url = berth.at(&format!("/api/v1/projects/{project}"));
    if let Some(mode) = mode {
        url.push_str(&format!("?mode={mode}"));
    }
    berth.http().delete(url).send().await.expect("delete")
}

async fn listed(berth: &BerthProcess, query: &str) -> Vec<String> {
    berth
        .http()
        .get(berth.at(&format!("/api/v1/projects{query}")))
        .send()
        .await
        .expect("list")
        .json::<ProjectList>()
        .await
        .expect("list body")
        .items
        .into_iter()
        .map(|p| p.name)
        .collect()
}

async fn inventory_status(berth: &BerthProcess, project: &str) -> (StatusCode, String) {
    let response = berth
        .http()
        .get(berth.at(&format!("/api/v1/projects/{project}/inventory")))
        .send()
        .await
        .expect("inventory");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

async fn namespace_exists(berth: &BerthProcess, namespace: &str) -> bool {
    Api::<Namespace>::all(kube(berth))
        .get_opt(namespace)
        .await
        .expect("get namespace")
        .is_some()
}

#[tokio::test]
async fn hard_delete_removes_every_object_and_the_namespace() {
    let berth = start(&[]).await;
    create_project(&berth, "doomed").await;
    let client = kube(&berth);
    store_one_of_each(&client, "berth-doomed").await;

    let response = delete(&berth, "doomed", Some("hard")).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/api/v1/projects/doomed/deletion")
    );
    let project: Project = response.json().await.expect("body");
    assert_eq!(project.status, "Terminating");

    let mut events = SseReader::open(&berth, "/api/v1/projects/doomed/deletion").await;
    let (deleted, _) = events.until("deleted", WAIT).await;
    assert_eq!(deleted.data["project"], "doomed");
    assert!(
        events.next(WAIT).await.is_none(),
        "the stream ends after deleted"
    );

    assert!(!namespace_exists(&berth, "berth-doomed").await);
    for ar in [secrets(), config_maps(), image_pointers(), job_templates()] {
        assert!(
            names(&client, "berth-doomed", &ar).await.is_empty(),
            "{}",
            ar.plural
        );
    }
    assert_eq!(
        berth
            .http()
            .get(berth.at("/api/v1/projects/doomed"))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(listed(&berth, "").await.is_empty());
    // The name is free again.
    create_project(&berth, "doomed").await;
}

#[tokio::test]
async fn soft_delete_hides_refuses_data_keeps_the_name_and_restores_intact() {
    let berth = start(&[]).await;
    create_project(&berth, "oops").await;
    create_project(&berth, "other").await;
    store_one_of_each(&kube(&berth), "berth-oops").await;
    let (_, before) = inventory_status(&berth, "oops").await;
    let before: Inventory = serde_json::from_str(&before).expect("inventory");

    // The server's default is a restore window of 7 days.
    let response = delete(&berth, "oops", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let project: Project = response.json().await.expect("body");
    assert_eq!(project.status, "Deleted");
    let deletion = project.deletion.expect("restore window");
    let deleted_at: jiff::Timestamp = deletion.deleted_at.parse().expect("time");
    let purge_after: jiff::Timestamp = deletion.purge_after.parse().expect("time");
    assert_eq!(purge_after.as_second() - deleted_at.as_second(), 7 * 86_400);
    assert_eq!(deletion.deleted_by.as_deref(), Some("admin"));

    assert_eq!(listed(&berth, "").await, ["other"]);
    assert_eq!(listed(&berth, "?deleted=true").await, ["oops"]);
    let (status, body) = inventory_status(&berth, "oops").await;
    assert_eq!(status, StatusCode::GONE);
    let problem: Problem = serde_json::from_str(&body).expect("problem");
    assert!(
        problem
            .message()
            .contains("restore it from Deleted projects"),
        "{problem:?}"
    );
    let response = berth
        .http()
        .delete(berth.at("/api/v1/projects/oops/inventory/image/web"))
        .send()
        .await
        .expect("delete item");
    assert_eq!(response.status(), StatusCode::GONE);
    // The name stays taken.
    let response = berth
        .http()
        .post(berth.at("/api/v1/projects"))
        .json(&json!({"name": "oops"}))
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // Deleting again with a restore window changes nothing; the events say so.
    assert_eq!(
        delete(&berth, "oops", Some("soft")).await.status(),
        StatusCode::OK
    );
    let mut events = SseReader::open(&berth, "/api/v1/projects/oops/deletion").await;
    let (soft, _) = events.until("soft-deleted", WAIT).await;
    assert_eq!(soft.data["purgeAfter"], deletion.purge_after.as_str());

    let response = berth
        .http()
        .post(berth.at("/api/v1/projects/oops/restore"))
        .send()
        .await
        .expect("restore");
    assert_eq!(response.status(), StatusCode::OK);
    let restored: Project = response.json().await.expect("body");
    assert_eq!(restored.status, "Active");
    assert!(restored.deletion.is_none());
    assert_eq!(listed(&berth, "").await.len(), 2);
    assert!(listed(&berth, "?deleted=true").await.is_empty());
    let (status, after) = inventory_status(&berth, "oops").await;
    assert_eq!(status, StatusCode::OK);
    let after: Inventory = serde_json::from_str(&after).expect("inventory");
    // The activity log records the deletion and the restore, so versions
    // move; everything else is as it was.
    let unversioned = |items: &[InventoryItem]| {
        let mut items = items.to_vec();
        for item in &mut items {
            item.stamps.version.clear();
        }
        items
    };
    assert_eq!(
        unversioned(&after.items),
        unversioned(&before.items),
        "data intact"
    );

    // Restoring what is not deleted is a conflict, said plainly.
    let response = berth
        .http()
        .post(berth.at("/api/v1/projects/oops/restore"))
        .send()
        .await
        .expect("restore again");
    assert_eq!(response.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn delete_now_from_the_restore_window() {
    let berth = start(&[]).await;
    create_project(&berth, "later").await;
    assert_eq!(
        delete(&berth, "later", Some("soft")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        delete(&berth, "later", Some("hard")).await.status(),
        StatusCode::ACCEPTED
    );
    assert!(
        eventually(WAIT, || async {
            !namespace_exists(&berth, "berth-later").await
        })
        .await
    );
    assert!(listed(&berth, "?deleted=true").await.is_empty());
}

#[tokio::test]
async fn expired_projects_are_deleted_for_good_and_restore_is_then_impossible() {
    let berth = start(&["--restore-window", "2s", "--purge-interval-seconds", "1"]).await;
    create_project(&berth, "brief").await;
    create_project(&berth, "kept").await;
    store_one_of_each(&kube(&berth), "berth-brief").await;
    let response = delete(&berth, "brief", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let project: Project = response.json().await.expect("body");
    assert_eq!(project.status, "Deleted");

    assert!(
        eventually(WAIT, || async {
            !namespace_exists(&berth, "berth-brief").await
        })
        .await,
        "the purge task deleted the expired project; logs:\n{}",
        berth.logs()
    );
    assert!(listed(&berth, "?deleted=true").await.is_empty());
    assert_eq!(listed(&berth, "").await, ["kept"]);
    let response = berth
        .http()
        .post(berth.at("/api/v1/projects/brief/restore"))
        .send()
        .await
        .expect("restore");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(berth.logs().contains("restore window ended"));
}

#[tokio::test]
async fn purging_survives_a_restart() {
    let mut berth = start(&["--restore-window", "3s", "--purge-interval-seconds", "1"]).await;
    create_project(&berth, "restart").await;
    assert_eq!(
        delete(&berth, "restart", None).await.status(),
        StatusCode::OK
    );
    // The restarted server knows the window from the namespace alone.
    let data_dir = berth.data_dir.clone();
    let _keep = berth.data_dir_handle();
    berth.kill_9();
    let berth = BerthProcess::start_with(berth_tests::StartOptions {
        data_dir: Some(data_dir),
        args: vec!["--purge-interval-seconds".into(), "1".into()],
        ..Default::default()
    })
    .await
    .expect("restart");
    assert!(
        eventually(WAIT, || async {
            !namespace_exists(&berth, "berth-restart").await
        })
        .await
    );
}

#[tokio::test]
async fn a_deletion_held_by_a_finalizer_is_reported_as_stalled() {
    let berth = start(&["--deletion-stall-seconds", "1"]).await;
    create_project(&berth, "stuck").await;
    let client = kube(&berth);
    put(
        &client,
        "berth-stuck",
        &config_maps(),
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "held", "finalizers": ["example.com/hold"]},
            "data": {"a": "b"},
        }),
    )
    .await;
    store_one_of_each(&client, "berth-stuck").await;

    assert_eq!(
        delete(&berth, "stuck", Some("hard")).await.status(),
        StatusCode::ACCEPTED
    );
    let mut events = SseReader::open(&berth, "/api/v1/projects/stuck/deletion").await;
    // Progress events count down what is left, until only the held object
    // is, and report the namespace condition that names the finalizer. The
    // namespace controller sets that condition just after the last other
    // object goes, so it may arrive in a later progress event than the count.
    let mut progress = events.until("progress", WAIT).await.0;
    assert_eq!(progress.data["phase"], "Terminating");
    while progress.data["remaining"] != json!({"configmaps": 1})
        || !progress.data["conditions"]
            .to_string()
            .contains("NamespaceFinalizersRemaining")
    {
        progress = events.until("progress", WAIT).await.0;
    }

    let (stalled, _) = events.until("stalled", WAIT).await;
    assert_eq!(stalled.data["blockedBy"], "finalizers");
    assert_eq!(
        stalled.data["blockers"],
        json!([{"resource": "configmaps", "name": "held", "finalizers": ["example.com/hold"]}])
    );
    let advice = stalled.data["advice"].as_str().unwrap_or_default();
    assert!(
        advice.contains("administrator")
            && advice.contains("kubectl patch configmaps held -n berth-stuck"),
        "{advice}"
    );

    // Meanwhile its data is refused with a clear 409, not a 500.
    let (status, body) = inventory_status(&berth, "stuck").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("being deleted"), "{body}");
    let project: Project = berth
        .http()
        .get(berth.at("/api/v1/projects/stuck"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(project.status, "Terminating");
    // Deleting again is harmless.
    assert_eq!(
        delete(&berth, "stuck", Some("hard")).await.status(),
        StatusCode::ACCEPTED
    );

    // An administrator removes the finalizer: the deletion finishes.
    Api::<k8s_openapi::api::core::v1::ConfigMap>::namespaced(client, "berth-stuck")
        .patch(
            "held",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .expect("remove finalizer");
    events.until("deleted", WAIT).await;
    assert!(!namespace_exists(&berth, "berth-stuck").await);
}

#[tokio::test]
async fn deletion_modes_and_their_errors() {
    let berth = start(&["--restore-window-days", "0"]).await;
    create_project(&berth, "plain").await;
    let response = delete(&berth, "plain", Some("later")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = delete(&berth, "plain", Some("soft")).await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "soft delete is off"
    );
    assert_eq!(
        delete(&berth, "missing", None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        delete(&berth, "Bad_Name", None).await.status(),
        StatusCode::NOT_FOUND
    );
    let config: serde_json::Value = berth
        .http()
        .get(berth.at("/api/v1/config"))
        .send()
        .await
        .expect("config")
        .json()
        .await
        .expect("json");
    assert_eq!(config["restoreWindowSeconds"], 0);
    // Without a restore window, the default is permanent.
    assert_eq!(
        delete(&berth, "plain", None).await.status(),
        StatusCode::ACCEPTED
    );
    // Late watchers still learn the outcome.
    let mut events = SseReader::open(&berth, "/api/v1/projects/plain/deletion").await;
    events.until("deleted", WAIT).await;
    // A namespace Berth does not manage is never reported on.
    let foreign: Namespace =
        serde_json::from_value(json!({"metadata": {"name": "berth-foreign"}})).expect("ns");
    Api::<Namespace>::all(kube(&berth))
        .create(&Default::default(), &foreign)
        .await
        .expect("create");
    let response = berth
        .http()
        .get(berth.at("/api/v1/projects/foreign/deletion"))
        .send()
        .await
        .expect("events");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn several_replicas_purge_the_same_projects_without_harm() {
    // Replica A runs the embedded API; replica B uses it as its cluster.
    let a = start(&["--restore-window", "2s", "--purge-interval-seconds", "1"]).await;
    let dir = tempfile::tempdir().expect("tmp");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user: {{}}\ncurrent-context: c\n",
            a.kube_url.clone().expect("kube url")
        ),
    )
    .expect("kubeconfig");
    let b = BerthProcess::start_with(berth_tests::StartOptions {
        args: vec![
            "--kubeconfig".into(),
            kubeconfig.display().to_string(),
            "--restore-window".into(),
            "1h".into(),
            "--purge-interval-seconds".into(),
            "1".into(),
        ],
        no_embedded_listen: true,
        ..Default::default()
    })
    .await
    .expect("replica b");

    for name in ["gone-1", "gone-2", "gone-3"] {
        create_project(&a, name).await;
        store_one_of_each(&kube(&a), &format!("berth-{name}")).await;
        assert_eq!(delete(&a, name, None).await.status(), StatusCode::OK);
    }
    // Deleted on B with B's window of an hour: not expired for either.
    create_project(&b, "waiting").await;
    assert_eq!(delete(&b, "waiting", None).await.status(), StatusCode::OK);

    assert!(
        eventually(WAIT, || async {
            listed(&a, "?deleted=true").await == ["waiting"]
                && listed(&b, "?deleted=true").await == ["waiting"]
        })
        .await
    );
    for name in ["gone-1", "gone-2", "gone-3"] {
        assert!(!namespace_exists(&a, &format!("berth-{name}")).await);
    }
    // Both replicas keep purging without errors, and the other project is
    // still restorable from either.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for logs in [a.logs(), b.logs()] {
        assert!(!logs.contains("purging expired projects failed"), "{logs}");
    }
    let response = a
        .http()
        .post(a.at("/api/v1/projects/waiting/restore"))
        .send()
        .await
        .expect("restore");
    assert_eq!(response.status(), StatusCode::OK);
}
