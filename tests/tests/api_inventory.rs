//! The data inventory: every item Berth stores for a project, where it
//! lives, and deleting one item; never a secret value.

mod common;

use berth_shared::inventory::Inventory;

use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn inventory_lists_every_kind_with_its_location_and_nothing_secret() {
    let berth = start(&[]).await;
    create_project(&berth, "vault").await;
    store_one_of_each(&kube(&berth), "berth-vault").await;

    let response = berth
        .http()
        .get(berth.at("/api/v1/projects/vault/inventory"))
        .send()
        .await
        .expect("inventory");
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("body");
    for secret in SECRET_VALUES {
        assert!(!text.contains(secret), "a secret value leaked: {text}");
    }
    assert!(
        !text.contains("dockerconfigjson\":"),
        "no secret data: {text}"
    );
    assert!(!text.contains("not-berths"), "only Berth's objects: {text}");
    let inventory: Inventory = serde_json::from_str(&text).expect("inventory JSON");
    assert_eq!(inventory.project, "vault");
    assert_eq!(inventory.namespace, "berth-vault");

    let found: Vec<(&str, &str, &str, &str, bool)> = inventory
        .items
        .iter()
        .map(|i| {
            assert_eq!(i.location.namespace, "berth-vault");
            assert_eq!(i.location.name, i.name);
            (
                i.kind.as_str(),
                i.name.as_str(),
                i.location.api_version.as_str(),
                i.location.kind.as_str(),
                i.location.is_secret,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("image", "web", "berth.dev/v1alpha1", "ImagePointer", false),
            ("registry-credential", "dockerhub", "v1", "Secret", true),
            (
                "job-template",
                "nightly",
                "berth.dev/v1alpha1",
                "JobTemplate",
                false
            ),
            ("job-template-env", "nightly-env", "v1", "Secret", true),
            // Created with the project, which is its first entry.
            ("activity-log", "berth-activity", "v1", "ConfigMap", false),
        ]
    );
    for kind in [
        "image",
        "registry-credential",
        "job-template",
        "job-template-env",
        "activity-log",
    ] {
        assert_eq!(inventory.totals.get(kind), Some(&1), "{kind}");
    }
    let credential = &inventory.items[1];
    assert_eq!(credential.stamps.created_by.as_deref(), Some("ann"));
    assert_eq!(credential.stamps.updated_by.as_deref(), Some("bob"));
    assert_eq!(
        credential.stamps.updated_at.as_deref(),
        Some("2026-02-03T04:05:06Z")
    );
    assert!(credential.stamps.created_at.ends_with('Z'));
    let image = &inventory.items[0];
    assert_eq!(
        image.stamps.updated_at.as_deref(),
        Some(image.stamps.created_at.as_str()),
        "never changed"
    );
    assert_eq!(image.delete_path, "/api/v1/projects/vault/images/web");
    assert_eq!(
        credential.delete_path,
        "/api/v1/projects/vault/registry-credentials/dockerhub"
    );
    assert_eq!(
        inventory.items[2].delete_path,
        "/api/v1/projects/vault/inventory/job-template/nightly"
    );

    // The download is the same content, offered as a file.
    let download = berth
        .http()
        .get(berth.at("/api/v1/projects/vault/inventory?download=true"))
        .send()
        .await
        .expect("download");
    assert_eq!(download.status(), StatusCode::OK);
    let disposition = download
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.starts_with("attachment") && disposition.contains("berth-vault-inventory.json"),
        "{disposition}"
    );
    let downloaded: Inventory = download.json().await.expect("json");
    assert_eq!(downloaded.items, inventory.items);
}

#[tokio::test]
async fn a_new_project_holds_only_its_activity_log() {
    let berth = start(&[]).await;
    create_project(&berth, "empty").await;
    let inventory = inventory(&berth, "empty").await;
    let kinds: Vec<&str> = inventory.items.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(kinds, ["activity-log"]);
    assert_eq!(inventory.totals.values().sum::<usize>(), 1);
    assert_eq!(inventory.totals.len(), berth_shared::inventory::KINDS.len());
}

#[tokio::test]
async fn each_item_can_be_deleted_through_its_delete_path() {
    let berth = start(&[]).await;
    create_project(&berth, "tidy").await;
    let client = kube(&berth);
    store_one_of_each(&client, "berth-tidy").await;
    let inventory = inventory(&berth, "tidy").await;
    for item in &inventory.items {
        let response = berth
            .http()
            .delete(berth.at(&item.delete_path))
            .send()
            .await
            .expect("delete");
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "{}",
            item.delete_path
        );
        let again = berth
            .http()
            .delete(berth.at(&item.delete_path))
            .send()
            .await
            .expect("delete again");
        // The activity log starts again at once: its clearing (and every
        // later change) is its first entry.
        let expected = if item.kind == "activity-log" {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(again.status(), expected, "{}", item.delete_path);
    }
    assert!(
        names(&client, "berth-tidy", &image_pointers())
            .await
            .is_empty()
    );
    assert!(
        names(&client, "berth-tidy", &job_templates())
            .await
            .is_empty()
    );
    // Only the secret Berth does not manage is left.
    assert_eq!(
        names(&client, "berth-tidy", &secrets()).await,
        ["not-berths"]
    );

    // Berth never deletes what it does not manage, nor an item of another kind.
    for path in [
        "/api/v1/projects/tidy/inventory/registry-credential/not-berths",
        "/api/v1/projects/tidy/inventory/job-template-env/not-berths",
        "/api/v1/projects/tidy/inventory/image/Not_A_Name",
        "/api/v1/projects/nope/inventory/image/web",
    ] {
        let response = berth
            .http()
            .delete(berth.at(path))
            .send()
            .await
            .expect("delete");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        names(&client, "berth-tidy", &secrets()).await,
        ["not-berths"]
    );
}

#[tokio::test]
async fn the_inventorys_own_delete_takes_every_kind() {
    let berth = start(&[]).await;
    create_project(&berth, "generic").await;
    let client = kube(&berth);
    store_one_of_each(&client, "berth-generic").await;
    for (kind, name) in [
        ("image", "web"),
        ("registry-credential", "dockerhub"),
        ("job-template", "nightly"),
        ("job-template-env", "nightly-env"),
    ] {
        let path = format!("/api/v1/projects/generic/inventory/{kind}/{name}");
        let response = berth
            .http()
            .delete(berth.at(&path))
            .send()
            .await
            .expect("delete");
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{path}");
    }
    let inventory = inventory(&berth, "generic").await;
    // What is left is the log of these deletions.
    let kinds: Vec<&str> = inventory.items.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(kinds, ["activity-log"], "{inventory:?}");
    assert_eq!(
        names(&client, "berth-generic", &secrets()).await,
        ["not-berths"]
    );
}
