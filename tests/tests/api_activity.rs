//! The project's activity log: every change a member asks for, with who,
//! what, when, from where and how it ended, newest first; never a secret.

mod common;

use berth_shared::activity::{ActivityEntry, ActivityList, Outcome};
use berth_tests::{BerthProcess, SignedIn};
use common::*;
use kube::Api;
use kube::api::DynamicObject;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn activity(client: &reqwest::Client, berth: &BerthProcess, project: &str) -> ActivityList {
    let response = client
        .get(berth.at(&format!("/api/v1/projects/{project}/activity")))
        .send()
        .await
        .expect("activity");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// `(user, action, status, outcome)` of each entry, newest first.
fn summary(list: &ActivityList) -> Vec<(&str, &str, u16, Outcome)> {
    list.items
        .iter()
        .map(|e| (e.user.as_str(), e.action.as_str(), e.status, e.outcome))
        .collect()
}

async fn send(
    who: &reqwest::Client,
    berth: &BerthProcess,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> StatusCode {
    let mut request = who.request(method, berth.at(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request").status()
}

async fn members(berth: &BerthProcess, project: &str, list: Value) {
    let path = format!("/api/v1/projects/{project}/members");
    let put = reqwest::Method::PUT;
    let status = send(&berth.http(), berth, put, &path, Some(list)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn changes_by_members_are_listed_newest_first_with_who_what_from_and_result() {
    use reqwest::Method as M;
    let berth = start(&["--restore-window", "1h"]).await;
    let edith: SignedIn = berth.add_user("edith").await.expect("editor");
    let victor = berth.add_user("victor").await.expect("viewer");
    let oscar = berth.add_user("oscar").await.expect("outsider");
    create_project(&berth, "shop").await;
    members(
        &berth,
        "shop",
        json!({ "members": [
            { "user": "admin", "role": "owner" },
            { "user": "edith", "role": "editor" },
            { "user": "victor", "role": "viewer" },
        ]}),
    )
    .await;
    let images = "/api/v1/projects/shop/images";
    let web = json!({ "name": "web", "reference": "nginx:1.27" });
    assert_eq!(
        send(&edith.client, &berth, M::POST, images, Some(web.clone())).await,
        StatusCode::CREATED
    );
    assert_eq!(
        send(&victor.client, &berth, M::POST, images, Some(web)).await,
        StatusCode::FORBIDDEN
    );
    let bad = json!({ "name": "Not A Name", "reference": "nginx" });
    assert_eq!(
        send(&edith.client, &berth, M::POST, images, Some(bad)).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let admin = berth.http();
    let path = "/api/v1/projects/shop/images/web";
    assert_eq!(
        send(&admin, &berth, M::DELETE, path, None).await,
        StatusCode::NO_CONTENT
    );
    // An outsider's attempt is not the project's business: 404, no entry.
    assert_eq!(
        send(
            &oscar.client,
            &berth,
            M::DELETE,
            "/api/v1/projects/shop",
            None
        )
        .await,
        StatusCode::NOT_FOUND
    );
    // Reads are not changes.
    assert_eq!(
        send(&edith.client, &berth, M::GET, images, None).await,
        StatusCode::OK
    );

    // A viewer reads the log; it shows the change at once.
    let log = activity(&victor.client, &berth, "shop").await;
    use Outcome::{Refused, Succeeded};
    assert_eq!(
        summary(&log),
        [
            ("admin", "Deleted image pointer web", 204, Succeeded),
            ("edith", "Tried to create an image pointer", 422, Refused),
            ("victor", "Tried to create an image pointer", 403, Refused),
            ("edith", "Created image pointer web", 201, Succeeded),
            ("admin", "Changed the members", 200, Succeeded),
            ("admin", "Created the project", 201, Succeeded),
        ]
    );
    let newest: &ActivityEntry = &log.items[0];
    assert_eq!(newest.method, "DELETE");
    assert_eq!(newest.path, "/api/v1/projects/shop/images/web");
    assert_eq!(newest.from, "127.0.0.1");
    assert!(
        newest.at.parse::<jiff::Timestamp>().is_ok() && newest.at.ends_with('Z'),
        "{}",
        newest.at
    );
    assert!(log.items.windows(2).all(|w| w[0].at >= w[1].at));
    // Each entry also comes as a code the console says in the reader's
    // language, whose English is the entry's words.
    let what = newest.what.as_ref().expect("a code for a known change");
    assert_eq!(what.code, "activity.image.deleted");
    assert_eq!(what.params.get("name").map(String::as_str), Some("web"));
    let created = &log.items[3];
    assert_eq!(
        created.what.as_ref().map(|m| m.code.as_str()),
        Some("activity.image.created")
    );

    // Deleting the project with a restore window, and restoring it.
    assert_eq!(
        send(&admin, &berth, M::DELETE, "/api/v1/projects/shop", None).await,
        StatusCode::OK
    );
    let path = "/api/v1/projects/shop/restore";
    assert_eq!(
        send(&admin, &berth, M::POST, path, None).await,
        StatusCode::OK
    );
    let log = activity(&admin, &berth, "shop").await;
    assert_eq!(
        summary(&log)[..2],
        [
            ("admin", "Restored the project", 200, Succeeded),
            ("admin", "Deleted the project", 200, Succeeded),
        ]
    );

    // Someone with no role in the project cannot tell it exists.
    let hidden = oscar
        .client
        .get(berth.at("/api/v1/projects/shop/activity"))
        .send()
        .await
        .expect("activity");
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn credentials_are_recorded_by_name_and_never_by_secret() {
    use reqwest::Method as M;
    let berth = start(&[]).await;
    create_project(&berth, "vault").await;
    let admin = berth.http();
    let first = "dckr_pat_Activity-First-S3cret";
    let second = "dckr_pat_Activity-Second-S3cret";
    let credentials = "/api/v1/projects/vault/registry-credentials";
    let body = |secret: &str| json!({ "name": "hub", "kind": "docker-hub", "username": "someone", "secret": secret });
    assert_eq!(
        send(&admin, &berth, M::POST, credentials, Some(body(first))).await,
        StatusCode::CREATED
    );
    let hub = format!("{credentials}/hub");
    assert_eq!(
        send(&admin, &berth, M::PUT, &hub, Some(body(second))).await,
        StatusCode::OK
    );
    let text = admin
        .get(berth.at("/api/v1/projects/vault/activity"))
        .send()
        .await
        .expect("activity")
        .text()
        .await
        .expect("text");
    let log: ActivityList = serde_json::from_str(&text).expect("json");
    let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "Changed registry credential hub",
            "Created registry credential hub",
            "Created the project",
        ]
    );
    for secret in [first, second] {
        assert!(!text.contains(secret), "the log holds no secret");
        assert!(!berth.logs().contains(secret), "the process log neither");
    }
    // Nor does the stored ConfigMap.
    let stored = Api::<DynamicObject>::namespaced_with(kube(&berth), "berth-vault", &config_maps())
        .get("berth-activity")
        .await
        .expect("activity ConfigMap");
    let stored = serde_json::to_string(&stored).expect("json");
    assert!(!stored.contains(first) && !stored.contains(second));
}

#[tokio::test]
async fn the_log_keeps_the_newest_entries_up_to_its_limit() {
    let berth = start(&["--activity-limit", "5"]).await;
    create_project(&berth, "busy").await;
    let admin = berth.http();
    for i in 1..=7 {
        let path = format!("/api/v1/projects/busy/images/gone-{i}");
        let status = send(&admin, &berth, reqwest::Method::DELETE, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let log = activity(&admin, &berth, "busy").await;
    let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        (3..=7)
            .rev()
            .map(|i| format!("Tried to delete image pointer gone-{i}"))
            .collect::<Vec<_>>()
    );
    let stored = Api::<DynamicObject>::namespaced_with(kube(&berth), "berth-busy", &config_maps())
        .get("berth-activity")
        .await
        .expect("activity ConfigMap");
    assert_eq!(
        stored.data["data"].as_object().map(|d| d.len()),
        Some(5),
        "older keys are removed from the ConfigMap"
    );
}

#[tokio::test]
async fn the_log_is_an_item_of_the_inventory_and_clearing_it_is_its_first_entry() {
    let berth = start(&[]).await;
    create_project(&berth, "tidy").await;
    let admin = berth.http();
    let listed = inventory(&berth, "tidy").await;
    let item = listed
        .items
        .iter()
        .find(|i| i.kind == "activity-log")
        .expect("the activity log is listed");
    assert_eq!(item.location.kind, "ConfigMap");
    assert_eq!(item.location.name, "berth-activity");
    let path = &item.delete_path;
    let status = send(&admin, &berth, reqwest::Method::DELETE, path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let log = activity(&admin, &berth, "tidy").await;
    assert_eq!(
        summary(&log),
        [("admin", "Cleared the activity log", 204, Outcome::Succeeded)]
    );
}

#[tokio::test]
async fn two_replicas_write_and_read_one_log() {
    let (a, b, _dir) = two_replicas(&[]).await;
    create_project(&a, "both").await;
    // Both replicas append at the same time; none of the entries is lost.
    let mut writes = Vec::new();
    for i in 0..10 {
        let (berth, client) = if i % 2 == 0 {
            (&a, a.http())
        } else {
            (&b, b.http())
        };
        let url = berth.at(&format!("/api/v1/projects/both/images/gone-{i}"));
        writes.push(async move { client.delete(url).send().await.expect("delete").status() });
    }
    for status in futures::future::join_all(writes).await {
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let on_a = activity(&a.http(), &a, "both").await;
    let on_b = activity(&b.http(), &b, "both").await;
    assert_eq!(on_a, on_b);
    assert_eq!(on_a.items.len(), 11, "{:#?}", summary(&on_a));
}

/// Entries per ConfigMap part of the log (the backend's `PART_ENTRIES`).
const PART_ENTRIES: usize = 16;

#[tokio::test]
async fn a_long_log_costs_each_change_a_small_write_and_stays_within_its_bound() {
    let limit = 40;
    let berth = start(&["--activity-limit", &limit.to_string()]).await;
    create_project(&berth, "long").await;
    let admin = berth.http();
    let changes = 100;
    for i in 1..=changes {
        let path = format!("/api/v1/projects/long/images/gone-{i}");
        let status = send(&admin, &berth, reqwest::Method::DELETE, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The log ConfigMap a change writes stays small however long the
        // log is: a change never rewrites the whole log.
        let head =
            Api::<DynamicObject>::namespaced_with(kube(&berth), "berth-long", &config_maps())
                .get("berth-activity")
                .await
                .expect("activity ConfigMap");
        let held = head.data["data"].as_object().map_or(0, |d| d.len());
        assert!(held <= PART_ENTRIES + 1, "{held} entries after change {i}");
    }
    // The newest `limit` changes, newest first, none lost or repeated.
    let log = activity(&admin, &berth, "long").await;
    let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        (changes - limit + 1..=changes)
            .rev()
            .map(|i| format!("Tried to delete image pointer gone-{i}"))
            .collect::<Vec<_>>()
    );
    // What is stored stays bounded: older parts are deleted.
    let maps = Api::<DynamicObject>::namespaced_with(kube(&berth), "berth-long", &config_maps())
        .list(&Default::default())
        .await
        .expect("ConfigMaps");
    let stored: usize = maps
        .items
        .iter()
        .map(|m| m.data["data"].as_object().map_or(0, |d| d.len()))
        .sum();
    assert!(
        (limit..=limit + 2 * PART_ENTRIES).contains(&stored),
        "{stored} entries stored for a limit of {limit}"
    );

    // The inventory shows the log as one item, and clearing it clears all.
    let listed = inventory(&berth, "long").await;
    let logs: Vec<_> = listed
        .items
        .iter()
        .filter(|i| i.kind == "activity-log")
        .collect();
    assert_eq!(logs.len(), 1, "{:?}", listed.items);
    assert_eq!(listed.totals["activity-log"], 1);
    let status = send(
        &admin,
        &berth,
        reqwest::Method::DELETE,
        &logs[0].delete_path,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let log = activity(&admin, &berth, "long").await;
    assert_eq!(
        summary(&log),
        [("admin", "Cleared the activity log", 204, Outcome::Succeeded)]
    );
}
