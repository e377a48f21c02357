//! The services on the embedded Kubernetes API server, in process: the
//! server's own `kube::Client` reaches its router with no TCP, so these run
//! without a `berth` process, a port or HTTP, and check what a service does
//! with Kubernetes' answers.

use berth::error::ApiError;
use berth::registry::RegistryAccess;
use berth::services::collection::Collection;
use berth::services::credentials::{CredentialBody, CredentialService};
use berth::services::images::ImageService;
use berth::services::job_templates::JobTemplateService;
use berth::storage::resources::crds;
use berth::storage::resources::job_template::secret_name;
use berth_apiserver::EmbeddedApiServer;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, ObjectMeta, PostParams};
use serde_json::json;

/// The embedded server in a temporary directory, and one namespace in it.
struct Fixture {
    client: kube::Client,
    namespace: String,
    _server: EmbeddedApiServer,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temporary directory");
    let crds = crds::committed().expect("the committed CRDs");
    let server = EmbeddedApiServer::open(dir.path(), &crds).expect("open the store");
    let client = server.client();
    let namespace = "berth-services".to_owned();
    Api::<Namespace>::all(client.clone())
        .create(
            &PostParams::default(),
            &Namespace {
                metadata: ObjectMeta {
                    name: Some(namespace.clone()),
                    ..ObjectMeta::default()
                },
                ..Namespace::default()
            },
        )
        .await
        .expect("create the namespace");
    Fixture {
        client,
        namespace,
        _server: server,
        _dir: dir,
    }
}

fn credential(name: &str, secret: &str) -> CredentialBody {
    serde_json::from_value(json!({
        "name": name, "kind": "other", "server": "registry.example.com",
        "username": "robot", "secret": secret,
    }))
    .expect("a credential body")
}

fn services(client: &kube::Client) -> (CredentialService, ImageService, JobTemplateService) {
    let credentials = CredentialService::new(client.clone());
    let images = ImageService::new(
        client.clone(),
        RegistryAccess::default(),
        credentials.clone(),
    );
    let templates = JobTemplateService::new(client.clone(), images.clone());
    (credentials, images, templates)
}

#[tokio::test]
async fn a_credential_in_use_is_kept_until_forced_and_a_stale_edit_conflicts() {
    let f = fixture().await;
    let (credentials, images, _) = services(&f.client);
    let ns = f.namespace.as_str();
    let created = credentials
        .create(ns, credential("hub", "first-secret"), "ann")
        .await
        .expect("created");
    assert_eq!(created.stamps.created_by.as_deref(), Some("ann"));
    assert!(
        !serde_json::to_string(&created)
            .expect("json")
            .contains("first-secret")
    );

    let pointer = serde_json::from_value(json!({
        "name": "web", "reference": "registry.example.com/shop/web:1", "credential": "hub",
    }))
    .expect("a pointer body");
    images.create(ns, pointer, "ann").await.expect("pointer");
    let listed = credentials.list(ns).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].used_by, ["web"]);

    let err = credentials
        .delete(ns, "hub", false)
        .await
        .expect_err("in use");
    assert!(matches!(err, ApiError::CredentialInUse { ref used_by, .. } if used_by == &["web"]));

    // A replacement carrying an older version than the stored one.
    let stale = credentials
        .replace(
            ns,
            "hub",
            credential("hub", "second-secret"),
            Some("1".to_owned()),
            "bob",
        )
        .await
        .expect_err("stale");
    assert!(matches!(stale, ApiError::StaleVersion { .. }), "{stale:?}");
    let replaced = credentials
        .replace(
            ns,
            "hub",
            credential("hub", "second-secret"),
            Some(created.stamps.version.clone()),
            "bob",
        )
        .await
        .expect("replaced with the version read");
    assert_eq!(replaced.stamps.created_by.as_deref(), Some("ann"));
    assert_eq!(replaced.stamps.updated_by.as_deref(), Some("bob"));

    credentials.delete(ns, "hub", true).await.expect("forced");
    let gone = credentials.get(ns, "hub").await.expect_err("deleted");
    assert!(matches!(gone, ApiError::NotFound { .. }), "{gone:?}");
}

#[tokio::test]
async fn names_are_taken_once_and_foreign_objects_are_not_found() {
    let f = fixture().await;
    let (credentials, _, _) = services(&f.client);
    let ns = f.namespace.as_str();
    credentials
        .create(ns, credential("hub", "s3cret"), "ann")
        .await
        .expect("created");
    let taken = credentials
        .create(ns, credential("hub", "s3cret"), "ann")
        .await
        .expect_err("taken");
    assert!(matches!(taken, ApiError::NameTaken { .. }), "{taken:?}");

    // A Secret Berth did not make is not a credential, whatever its name.
    Api::<Secret>::namespaced(f.client.clone(), ns)
        .create(
            &PostParams::default(),
            &Secret {
                metadata: ObjectMeta {
                    name: Some("foreign".to_owned()),
                    ..ObjectMeta::default()
                },
                ..Secret::default()
            },
        )
        .await
        .expect("a foreign Secret");
    let foreign = credentials.get(ns, "foreign").await.expect_err("not ours");
    assert!(matches!(foreign, ApiError::NotFound { .. }), "{foreign:?}");
    assert_eq!(credentials.list(ns).await.expect("list").len(), 1);
}

#[tokio::test]
async fn a_template_keeps_sensitive_values_in_its_companion_secret_and_deletes_it_first() {
    let f = fixture().await;
    let (_, _, templates) = services(&f.client);
    let ns = f.namespace.as_str();
    let body = serde_json::from_value(json!({
        "name": "nightly", "image": "registry.example.com/shop/batch:1",
        "env": [
            {"name": "MODE", "value": "full", "sensitive": false},
            {"name": "TOKEN", "value": "tok-123", "sensitive": true},
        ],
    }))
    .expect("a template body");
    let view = templates.create(ns, body, "ann").await.expect("created");
    assert!(
        !serde_json::to_string(&view)
            .expect("json")
            .contains("tok-123")
    );

    let secrets = Api::<Secret>::namespaced(f.client.clone(), ns);
    let companion = secrets
        .get(&secret_name("nightly"))
        .await
        .expect("the companion Secret");
    let owner = &companion.metadata.owner_references.expect("owned")[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("JobTemplate", "nightly")
    );
    let data = companion.data.expect("data");
    assert_eq!(data["TOKEN"].0, b"tok-123");
    assert!(!data.contains_key("MODE"));

    templates
        .delete(ns, "nightly", false)
        .await
        .expect("deleted");
    assert!(
        secrets
            .get_opt(&secret_name("nightly"))
            .await
            .expect("read")
            .is_none()
    );
    let gone = templates.get(ns, "nightly").await.expect_err("deleted");
    assert!(matches!(gone, ApiError::NotFound { .. }), "{gone:?}");
}
