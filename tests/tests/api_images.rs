//! The image pointers API and the registry check, against the real `berth`
//! binary and a real OCI registry (Debian's docker-registry) on 127.0.0.1.

use berth_shared::{ImagePointer, ImagePointerList};
use berth_tests::registry::TestRegistry;
use berth_tests::{BerthProcess, StartOptions, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PROJECT: &str = "shop";
const USER: &str = "robot";
const PASSWORD: &str = "Right-Pa55word";

async fn setup(registry: Option<&TestRegistry>) -> BerthProcess {
    // The test registry is on loopback: allowed as insecure, or (reached
    // over TLS) through --registry-allow.
    let args = registry
        .map(|r| vec!["--insecure-registry".to_owned(), r.host.clone()])
        .unwrap_or_else(|| vec!["--registry-allow".to_owned(), "127.0.0.1".to_owned()]);
    let berth = BerthProcess::start_with(StartOptions {
        args,
        ..StartOptions::default()
    })
    .await
    .expect("start");
    let response = berth
        .http()
        .post(berth.at("/api/v1/projects"))
        .json(&json!({ "name": PROJECT }))
        .send()
        .await
        .expect("project");
    assert_eq!(response.status(), StatusCode::CREATED);
    berth
}

fn images(berth: &BerthProcess) -> String {
    berth.at(&format!("/api/v1/projects/{PROJECT}/images"))
}

async fn credential(berth: &BerthProcess, name: &str, server: &str, password: &str) {
    let response = berth.http().post(berth.at(&format!("/api/v1/projects/{PROJECT}/registry-credentials")))
        .json(&json!({"name": name, "kind": "other", "server": server, "username": USER, "secret": password}))
        .send()
        .await
        .expect("credential");
    assert_eq!(response.status(), StatusCode::CREATED);
}

async fn create(berth: &BerthProcess, body: Value) -> reqwest::Response {
    berth
        .http()
        .post(images(berth))
        .json(&body)
        .send()
        .await
        .expect("create")
}

async fn verify(berth: &BerthProcess, name: &str) -> reqwest::Response {
    berth
        .http()
        .post(format!("{}/{name}/verify", images(berth)))
        .send()
        .await
        .expect("verify")
}

async fn get(berth: &BerthProcess, name: &str) -> ImagePointer {
    berth
        .http()
        .get(format!("{}/{name}", images(berth)))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn references_are_normalised_and_shown_in_parts() {
    let berth = setup(None).await;
    let response = create(
        &berth,
        json!({"name": "web", "reference": "nginx", "description": "Front door"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/api/v1/projects/shop/images/web")
    );
    let web: ImagePointer = response.json().await.expect("json");
    assert_eq!(web.reference, "docker.io/library/nginx:latest");
    assert_eq!(web.parts.registry, "docker.io");
    assert_eq!(web.parts.repository, "library/nginx");
    assert_eq!(web.parts.tag.as_deref(), Some("latest"));
    assert_eq!(web.parts.digest, None);
    assert_eq!(web.description, "Front door");
    assert_eq!(web.stamps.created_by.as_deref(), Some("admin"));
    assert_eq!(web.digest, None);

    let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    for (input, want) in [
        (
            "index.docker.io/bitnami/redis:7",
            "docker.io/bitnami/redis:7".to_owned(),
        ),
        (
            "us.icr.io/team/app:2.0",
            "us.icr.io/team/app:2.0".to_owned(),
        ),
        (
            &format!("ghcr.io/o/r@{digest}"),
            format!("ghcr.io/o/r@{digest}"),
        ),
    ] {
        let name = format!("i{}", want.len());
        let created: ImagePointer = create(&berth, json!({"name": name, "reference": input}))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(created.reference, want, "{input}");
    }

    // Errors explain what is wrong, next to the field.
    for (bad, says) in [
        ("", "Enter the image address"),
        ("https://nginx", "Leave out"),
        ("nginx:", "tag"),
        ("Nginx", "“N”"),
    ] {
        let response = create(&berth, json!({"name": "bad", "reference": bad})).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let p = problem(response).await;
        let message = p.field("reference").unwrap_or_default().to_owned();
        assert!(message.contains(says), "{bad}: {message}");
    }
    let response = create(
        &berth,
        json!({"name": "Web", "reference": "nginx", "credential": "nope"}),
    )
    .await;
    let p = problem(response).await;
    assert!(p.field("name").is_some());
    let response = create(
        &berth,
        json!({"name": "web2", "reference": "nginx", "credential": "nope"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem(response)
            .await
            .field("credential")
            .is_some_and(|m| m.contains("nope"))
    );
    let taken = create(&berth, json!({"name": "web", "reference": "nginx"})).await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);

    let list: ImagePointerList = berth
        .http()
        .get(images(&berth))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list.items.len(), 4);
    assert_eq!(list.items[3], web);
}

#[tokio::test]
async fn an_image_pointer_is_a_custom_resource() {
    let berth = setup(None).await;
    assert_eq!(
        create(
            &berth,
            json!({"name": "web", "reference": "nginx:1.27", "description": "d"})
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    let client = berth.kube();
    let resource = kube::api::ApiResource {
        group: "berth.dev".into(),
        version: "v1alpha1".into(),
        api_version: "berth.dev/v1alpha1".into(),
        kind: "ImagePointer".into(),
        plural: "imagepointers".into(),
    };
    let api: kube::Api<kube::api::DynamicObject> =
        kube::Api::namespaced_with(client, "berth-shop", &resource);
    let object = api.get("web").await.expect("stored");
    assert_eq!(
        object.data["spec"],
        json!({"reference": "docker.io/library/nginx:1.27", "description": "d"})
    );
    assert_eq!(
        object.metadata.labels.unwrap_or_default()["app.kubernetes.io/managed-by"],
        "berth"
    );
}

#[tokio::test]
async fn verify_records_the_digest_the_registry_reports() {
    let registry = TestRegistry::start(USER, PASSWORD).await.expect("registry");
    let pushed = registry
        .push_image("demo/hello", "1.0", "a")
        .await
        .expect("push");
    let berth = setup(Some(&registry)).await;
    credential(&berth, "local", &registry.host, PASSWORD).await;
    let response = create(
        &berth,
        json!({"name": "hello", "reference": pushed.reference, "credential": "local"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);

    let response = verify(&berth, "hello").await;
    assert_eq!(response.status(), StatusCode::OK);
    let verified: ImagePointer = response.json().await.expect("json");
    assert_eq!(verified.digest.as_deref(), Some(pushed.digest.as_str()));
    assert!(verified.verified_at.is_some());
    assert_eq!(verified.last_error, None);
    // It is stored, not just answered.
    let stored = get(&berth, "hello").await;
    assert_eq!(stored.digest.as_deref(), Some(pushed.digest.as_str()));
    assert_eq!(stored.verified_at, verified.verified_at);

    // A new push under the same tag: the next check records the new digest.
    let repushed = registry
        .push_image("demo/hello", "1.0", "b")
        .await
        .expect("push");
    assert_ne!(repushed.digest, pushed.digest);
    let again: ImagePointer = verify(&berth, "hello").await.json().await.expect("json");
    assert_eq!(again.digest.as_deref(), Some(repushed.digest.as_str()));
}

#[tokio::test]
async fn verify_tells_wrong_credentials_missing_images_and_unreachable_registries_apart() {
    let registry = TestRegistry::start(USER, PASSWORD).await.expect("registry");
    let pushed = registry
        .push_image("demo/hello", "1.0", "c")
        .await
        .expect("push");
    let berth = setup(Some(&registry)).await;
    credential(&berth, "local", &registry.host, PASSWORD).await;
    credential(&berth, "wrong", &registry.host, "Wrong-Pa55word").await;

    // Wrong credentials.
    create(
        &berth,
        json!({"name": "wrong-cred", "reference": pushed.reference, "credential": "wrong"}),
    )
    .await;
    let response = verify(&berth, "wrong-cred").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = problem(response).await;
    assert_eq!(p.kind, "https://berth.dev/problems/registry-unauthorized");
    assert!(
        p.message().contains("refused the credentials"),
        "{}",
        p.message()
    );
    let stored = get(&berth, "wrong-cred").await;
    assert_eq!(stored.digest, None);
    assert!(stored.verified_at.is_some());
    assert!(
        stored
            .last_error
            .is_some_and(|e| e.contains("refused the credentials"))
    );

    // No credentials for a registry that needs them.
    create(
        &berth,
        json!({"name": "no-cred", "reference": pushed.reference}),
    )
    .await;
    let p = problem(verify(&berth, "no-cred").await).await;
    assert_eq!(
        p.kind,
        "https://berth.dev/problems/registry-credentials-needed"
    );

    // A tag that is not there, and a repository that is not there.
    let missing_tag = format!("{}/demo/hello:2.0", registry.host);
    let missing_repo = format!("{}/demo/absent:1.0", registry.host);
    for (name, reference) in [
        ("missing-tag", &missing_tag),
        ("missing-repo", &missing_repo),
    ] {
        create(
            &berth,
            json!({"name": name, "reference": reference, "credential": "local"}),
        )
        .await;
        let response = verify(&berth, name).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
        let p = problem(response).await;
        assert_eq!(
            p.kind, "https://berth.dev/problems/image-not-found",
            "{name}: {p:?}"
        );
        assert!(p.message().contains("has no image"), "{}", p.message());
    }

    // Nothing listening there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let closed_host = closed.local_addr().expect("addr").to_string();
    drop(closed);
    let berth2 = BerthProcess::start_with(StartOptions {
        args: vec!["--insecure-registry".into(), closed_host.clone()],
        ..StartOptions::default()
    })
    .await
    .expect("start");
    berth2
        .http()
        .post(berth2.at("/api/v1/projects"))
        .json(&json!({"name": PROJECT}))
        .send()
        .await
        .expect("project");
    create(
        &berth2,
        json!({"name": "gone", "reference": format!("{closed_host}/demo/x:1")}),
    )
    .await;
    let response = verify(&berth2, "gone").await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let p = problem(response).await;
    assert_eq!(p.kind, "https://berth.dev/problems/registry-unreachable");
    assert!(p.message().contains("could not be reached"));
}

#[tokio::test]
async fn a_plain_http_registry_not_marked_insecure_is_a_tls_problem() {
    let registry = TestRegistry::start(USER, PASSWORD).await.expect("registry");
    let pushed = registry
        .push_image("demo/hello", "1.0", "d")
        .await
        .expect("push");
    // No --insecure-registry: Berth speaks TLS to it, and the handshake fails.
    let berth = setup(None).await;
    credential(&berth, "local", &registry.host, PASSWORD).await;
    create(
        &berth,
        json!({"name": "hello", "reference": pushed.reference, "credential": "local"}),
    )
    .await;
    let response = verify(&berth, "hello").await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let p = problem(response).await;
    assert_eq!(p.kind, "https://berth.dev/problems/registry-tls");
    assert!(p.message().contains("secure (TLS) connection"));
}

#[tokio::test]
async fn updates_carry_the_version_and_a_new_target_forgets_the_old_check() {
    let registry = TestRegistry::start(USER, PASSWORD).await.expect("registry");
    let pushed = registry
        .push_image("demo/hello", "1.0", "e")
        .await
        .expect("push");
    let berth = setup(Some(&registry)).await;
    credential(&berth, "local", &registry.host, PASSWORD).await;
    create(
        &berth,
        json!({"name": "hello", "reference": pushed.reference, "credential": "local"}),
    )
    .await;
    let verified: ImagePointer = verify(&berth, "hello").await.json().await.expect("json");
    assert!(verified.digest.is_some());

    let url = format!("{}/hello", images(&berth));
    let got = berth.http().get(&url).send().await.expect("get");
    let etag = got.headers().get("etag").cloned().expect("etag");
    assert_eq!(
        etag.to_str().ok(),
        Some(format!("\"{}\"", verified.stamps.version).as_str())
    );

    // Only the description: the check still stands.
    let response = berth.http()
        .put(&url)
        .header("if-match", etag.clone())
        .json(&json!({"name": "hello", "reference": pushed.reference, "credential": "local", "description": "Greets"}))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), StatusCode::OK);
    let new_etag = response.headers().get("etag").cloned().expect("etag");
    let changed: ImagePointer = response.json().await.expect("json");
    assert_eq!(changed.description, "Greets");
    assert_eq!(changed.digest, verified.digest);

    // The old version is stale now.
    let stale = berth
        .http()
        .put(&url)
        .header("if-match", etag)
        .json(&json!({"reference": "nginx"}))
        .send()
        .await
        .expect("put");
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(
        problem(stale)
            .await
            .message()
            .contains("Someone changed this image pointer")
    );

    // A new reference: the old digest no longer describes it.
    let response = berth
        .http()
        .put(&url)
        .header("if-match", new_etag)
        .json(&json!({"reference": "nginx:1.27"}))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), StatusCode::OK);
    let moved: ImagePointer = response.json().await.expect("json");
    assert_eq!(moved.reference, "docker.io/library/nginx:1.27");
    assert_eq!(moved.credential, None);
    assert_eq!((moved.digest, moved.verified_at), (None, None));
}

#[tokio::test]
async fn delete_removes_the_pointer() {
    let berth = setup(None).await;
    create(&berth, json!({"name": "web", "reference": "nginx"})).await;
    let url = format!("{}/web", images(&berth));
    assert_eq!(
        berth
            .http()
            .delete(&url)
            .send()
            .await
            .expect("delete")
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        berth.http().get(&url).send().await.expect("get").status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        berth
            .http()
            .delete(&url)
            .send()
            .await
            .expect("delete")
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(verify(&berth, "web").await.status(), StatusCode::NOT_FOUND);
    let unknown = berth
        .http()
        .get(berth.at("/api/v1/projects/nope/images"))
        .send()
        .await
        .expect("get");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}
