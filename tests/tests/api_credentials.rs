//! The registry credentials API, driven over real HTTP against the real
//! `berth` binary: write-only credentials stored as kubelet-ready
//! `kubernetes.io/dockerconfigjson` Secrets.

use berth_shared::{RegistryCredential, RegistryCredentialList};
use berth_tests::registry::TestRegistry;
use berth_tests::{BerthProcess, StartOptions, problem};
use k8s_openapi::api::core::v1::Secret;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PROJECT: &str = "shop";

async fn project(berth: &BerthProcess) {
    let response = berth
        .http()
        .post(berth.at("/api/v1/projects"))
        .json(&json!({ "name": PROJECT }))
        .send()
        .await
        .expect("create project");
    assert_eq!(response.status(), StatusCode::CREATED);
}

fn creds_url(berth: &BerthProcess) -> String {
    berth.at(&format!("/api/v1/projects/{PROJECT}/registry-credentials"))
}

async fn post(berth: &BerthProcess, body: Value) -> reqwest::Response {
    berth
        .http()
        .post(creds_url(berth))
        .json(&body)
        .send()
        .await
        .expect("request")
}

async fn kube_secret(berth: &BerthProcess, name: &str) -> Option<Secret> {
    let client = berth.kube();
    kube::Api::<Secret>::namespaced(client, &format!("berth-{PROJECT}"))
        .get_opt(name)
        .await
        .expect("kube get")
}

fn docker_config(secret: &Secret) -> Value {
    let data = secret.data.as_ref().expect("data");
    assert_eq!(data.len(), 1, "only .dockerconfigjson");
    serde_json::from_slice(&data[".dockerconfigjson"].0).expect("json")
}

#[tokio::test]
async fn docker_hub_credential_is_a_kubelet_ready_secret_and_write_only() {
    let berth = BerthProcess::start().await.expect("start");
    project(&berth).await;
    let response = post(
        &berth,
        json!({"name": "hub", "kind": "docker-hub", "server": "https://evil.example.com",
               "username": "mydockerid", "secret": "dckr_pat_S3cr3t-Value"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/api/v1/projects/shop/registry-credentials/hub")
    );
    let etag = response.headers().get("etag").cloned().expect("etag");
    let text = response.text().await.expect("body");
    assert!(!text.contains("dckr_pat_S3cr3t-Value"), "{text}");
    let created: RegistryCredential = serde_json::from_str(&text).expect("json");
    assert_eq!(
        created.server, "https://index.docker.io/v1/",
        "server is fixed"
    );
    assert_eq!(created.username, "mydockerid");
    assert_eq!(created.stamps.created_by.as_deref(), Some("admin"));
    assert_eq!(
        etag.to_str().ok(),
        Some(format!("\"{}\"", created.stamps.version).as_str())
    );

    // The Secret holds exactly what a kubelet expects.
    let secret = kube_secret(&berth, "hub").await.expect("secret exists");
    assert_eq!(
        secret.type_.as_deref(),
        Some("kubernetes.io/dockerconfigjson")
    );
    assert_eq!(
        docker_config(&secret),
        json!({"auths": {"https://index.docker.io/v1/": {
            "username": "mydockerid",
            "password": "dckr_pat_S3cr3t-Value",
            "auth": "bXlkb2NrZXJpZDpkY2tyX3BhdF9TM2NyM3QtVmFsdWU=",
        }}})
    );
    let labels = secret.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels["app.kubernetes.io/managed-by"], "berth");
    assert_eq!(labels["berth.dev/kind"], "registry-credential");
    let annotations = secret.metadata.annotations.clone().unwrap_or_default();
    assert_eq!(annotations["berth.dev/registry-kind"], "docker-hub");
    assert_eq!(
        annotations["berth.dev/registry-server"],
        "https://index.docker.io/v1/"
    );
    assert_eq!(annotations["berth.dev/registry-username"], "mydockerid");
    assert_eq!(annotations["berth.dev/created-by"], "admin");
    assert!(annotations.contains_key("berth.dev/updated-at"));
    for value in annotations.values() {
        assert!(!value.contains("S3cr3t"), "no secret in annotations");
    }

    // List and get return metadata only.
    let list = berth
        .http()
        .get(creds_url(&berth))
        .send()
        .await
        .expect("list");
    let text = list.text().await.expect("body");
    assert!(!text.contains("S3cr3t"), "{text}");
    let list: RegistryCredentialList = serde_json::from_str(&text).expect("json");
    assert_eq!(list.items, vec![created.clone()]);
    let got = berth
        .http()
        .get(format!("{}/hub", creds_url(&berth)))
        .send()
        .await
        .expect("get");
    assert_eq!(got.headers().get("etag"), Some(&etag));
    let text = got.text().await.expect("body");
    assert!(!text.contains("S3cr3t") && !text.contains("password") && !text.contains("auths"));
    let value: Value = serde_json::from_str(&text).expect("json");
    assert!(value.get("secret").is_none());
}

#[tokio::test]
async fn icr_credential_uses_an_icr_endpoint_and_the_iamapikey_user() {
    let berth = BerthProcess::start().await.expect("start");
    project(&berth).await;
    let refused = post(
        &berth,
        json!({"name": "icr", "kind": "icr", "server": "registry.example.com", "secret": "k"}),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = problem(refused).await;
    assert!(
        p.field("server")
            .is_some_and(|m| m.contains("IBM Container Registry"))
    );

    let response = post(
        &berth,
        json!({"name": "icr-frankfurt", "kind": "icr", "server": "de.icr.io",
               "username": "someone-else", "secret": "ApiKey-0123456789"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: RegistryCredential = response.json().await.expect("json");
    assert_eq!(
        (created.server.as_str(), created.username.as_str()),
        ("de.icr.io", "iamapikey")
    );
    let secret = kube_secret(&berth, "icr-frankfurt").await.expect("secret");
    assert_eq!(
        docker_config(&secret),
        json!({"auths": {"de.icr.io": {
            "username": "iamapikey",
            "password": "ApiKey-0123456789",
            "auth": "aWFtYXBpa2V5OkFwaUtleS0wMTIzNDU2Nzg5",
        }}})
    );
}

#[tokio::test]
async fn other_registries_need_a_valid_host_port_a_user_and_a_password() {
    let berth = BerthProcess::start().await.expect("start");
    project(&berth).await;
    let response = post(
        &berth,
        json!({"name": "own", "kind": "other", "server": "https://reg.example.com/v2", "username": "", "secret": ""}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = problem(response).await;
    assert!(
        p.field("server").is_some_and(|m| m.contains("https://")),
        "{p:?}"
    );
    assert!(p.field("username").is_some());
    assert!(p.field("secret").is_some());
    for bad in [
        "reg.example.com:0",
        "reg.example.com:70000",
        "reg_x.example.com",
        "reg..example.com",
    ] {
        let response = post(
            &berth,
            json!({"name": "own", "kind": "other", "server": bad, "username": "u", "secret": "p"}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let response = post(
        &berth,
        json!({"name": "own", "kind": "other", "server": "Registry.Example.com:5443", "username": "robot", "secret": "pw:with:colons"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let secret = kube_secret(&berth, "own").await.expect("secret");
    assert_eq!(
        docker_config(&secret),
        json!({"auths": {"registry.example.com:5443": {
            "username": "robot", "password": "pw:with:colons", "auth": "cm9ib3Q6cHc6d2l0aDpjb2xvbnM=",
        }}})
    );
}

#[tokio::test]
async fn names_follow_the_platform_rules() {
    let berth = BerthProcess::start().await.expect("start");
    project(&berth).await;
    let body =
        |name: &str| json!({"name": name, "kind": "docker-hub", "username": "u", "secret": "p"});
    for bad in ["", "Hub", "-hub", "hub-", "hub_1", "a..b", &"a".repeat(254)] {
        let response = post(&berth, body(bad)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(problem(response).await.field("name").is_some(), "{bad}");
    }
    for good in ["hub", "0hub", "my.hub-2", &"a".repeat(253)] {
        assert_eq!(
            post(&berth, body(good)).await.status(),
            StatusCode::CREATED,
            "{good}"
        );
    }
    let taken = post(&berth, body("hub")).await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert!(
        problem(taken)
            .await
            .field("name")
            .is_some_and(|m| m.contains("already exists"))
    );
    let unknown = berth
        .http()
        .get(berth.at("/api/v1/projects/nope/registry-credentials"))
        .send()
        .await
        .expect("get");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn replacing_needs_the_secret_again_and_the_current_version() {
    let berth = BerthProcess::start().await.expect("start");
    project(&berth).await;
    let created: RegistryCredential = post(
        &berth,
        json!({"name": "hub", "kind": "docker-hub", "username": "alice", "secret": "first-Secret"}),
    )
    .await
    .json()
    .await
    .expect("json");
    let url = format!("{}/hub", creds_url(&berth));

    // Only the user name, no secret: refused, plainly.
    let response = berth
        .http()
        .put(&url)
        .json(&json!({"kind": "docker-hub", "username": "bob"}))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = problem(response).await;
    assert!(
        p.field("secret")
            .is_some_and(|m| m.contains("To change the user name, type the password")),
        "{p:?}"
    );
    // Nothing changed, not even the user name.
    let secret = kube_secret(&berth, "hub").await.expect("secret");
    assert_eq!(
        docker_config(&secret)["auths"]["https://index.docker.io/v1/"]["username"],
        "alice"
    );
    // Same user, no secret: also refused.
    let response = berth
        .http()
        .put(&url)
        .json(&json!({"kind": "docker-hub", "username": "alice"}))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem(response)
            .await
            .field("secret")
            .is_some_and(|m| m.contains("Type the password"))
    );

    // With the secret typed again and the current version: replaced.
    let response = berth
        .http()
        .put(&url)
        .header("if-match", format!("\"{}\"", created.stamps.version))
        .json(&json!({"kind": "docker-hub", "username": "bob", "secret": "second-Secret"}))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers().get("etag").cloned().expect("etag");
    let replaced: RegistryCredential = response.json().await.expect("json");
    assert_eq!(replaced.username, "bob");
    assert_eq!(replaced.stamps.created_at, created.stamps.created_at);
    assert_ne!(replaced.stamps.version, created.stamps.version);
    assert_eq!(
        etag.to_str().ok(),
        Some(format!("\"{}\"", replaced.stamps.version).as_str())
    );
    let secret = kube_secret(&berth, "hub").await.expect("secret");
    assert_eq!(
        docker_config(&secret),
        json!({"auths": {"https://index.docker.io/v1/": {
            "username": "bob", "password": "second-Secret", "auth": "Ym9iOnNlY29uZC1TZWNyZXQ=",
        }}})
    );

    // A stale version is a conflict a person understands.
    let stale = berth
        .http()
        .put(&url)
        .header("if-match", format!("\"{}\"", created.stamps.version))
        .json(&json!({"kind": "docker-hub", "username": "carol", "secret": "third"}))
        .send()
        .await
        .expect("put");
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(
        problem(stale)
            .await
            .message()
            .contains("Someone changed this registry credential")
    );

    let missing = berth
        .http()
        .put(format!("{}/nope", creds_url(&berth)))
        .json(&json!({"kind": "docker-hub", "username": "u", "secret": "p"}))
        .send()
        .await
        .expect("put");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn deleting_a_credential_in_use_needs_force() {
    let berth = BerthProcess::start().await.expect("start");
    project(&berth).await;
    assert_eq!(
        post(
            &berth,
            json!({"name": "hub", "kind": "docker-hub", "username": "u", "secret": "p"})
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    for image in ["web", "worker"] {
        let response = berth
            .http()
            .post(berth.at(&format!("/api/v1/projects/{PROJECT}/images")))
            .json(&json!({"name": image, "reference": "nginx", "credential": "hub"}))
            .send()
            .await
            .expect("image");
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let got: RegistryCredential = berth
        .http()
        .get(format!("{}/hub", creds_url(&berth)))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(got.used_by, ["web", "worker"]);

    let refused = berth
        .http()
        .delete(format!("{}/hub", creds_url(&berth)))
        .send()
        .await
        .expect("delete");
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let p = problem(refused).await;
    assert_eq!(p.kind, "https://berth.dev/problems/credential-in-use");
    assert!(
        p.message().contains("“web” and “worker”"),
        "{}",
        p.message()
    );
    assert!(kube_secret(&berth, "hub").await.is_some());

    let forced = berth
        .http()
        .delete(format!("{}/hub?force=true", creds_url(&berth)))
        .send()
        .await
        .expect("delete");
    assert_eq!(forced.status(), StatusCode::NO_CONTENT);
    assert!(kube_secret(&berth, "hub").await.is_none());
    let again = berth
        .http()
        .delete(format!("{}/hub", creds_url(&berth)))
        .send()
        .await
        .expect("delete");
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn other_secrets_in_the_namespace_are_not_credentials() {
    let berth = BerthProcess::start().await.expect("start");
    project(&berth).await;
    let client = berth.kube();
    let foreign: Secret = serde_json::from_value(json!({
        "metadata": {"name": "foreign"}, "stringData": {"token": "x"}
    }))
    .expect("secret");
    kube::Api::<Secret>::namespaced(client, "berth-shop")
        .create(&Default::default(), &foreign)
        .await
        .expect("create");
    let list: RegistryCredentialList = berth
        .http()
        .get(creds_url(&berth))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert!(list.items.is_empty());
    let got = berth
        .http()
        .get(format!("{}/foreign", creds_url(&berth)))
        .send()
        .await
        .expect("get");
    assert_eq!(got.status(), StatusCode::NOT_FOUND);
    let deleted = berth
        .http()
        .delete(format!("{}/foreign", creds_url(&berth)))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), StatusCode::NOT_FOUND);
}

/// Every secret typed in this test, and where it must never appear: any API
/// response, the served console, and the backend's log at trace level.
#[tokio::test]
async fn secrets_never_appear_in_responses_html_or_trace_logs() {
    let registry = TestRegistry::start("robot", "Registry-Pa55word-7d1f")
        .await
        .expect("registry");
    let image = registry
        .push_image("demo/hello", "1.0", "logs")
        .await
        .expect("push");
    let berth = BerthProcess::start_with(StartOptions {
        args: vec!["--insecure-registry".into(), registry.host.clone()],
        env: vec![("RUST_LOG".into(), "trace".into())],
        ..StartOptions::default()
    })
    .await
    .expect("start");
    project(&berth).await;
    let secrets = [
        "Registry-Pa55word-7d1f",
        "Wrong-Pa55word-9c2e",
        "Hub-Token-5b8a",
        "Icr-ApiKey-3e6d",
        "Replaced-Token-1a4c",
        "Malformed-Body-8f0b",
    ];
    let mut seen = String::new();
    let mut record = async |response: reqwest::Response| {
        let status = response.status();
        let headers = format!("{:?}", response.headers());
        let body = response.text().await.unwrap_or_default();
        seen.push_str(&headers);
        seen.push_str(&body);
        (status, body)
    };
    for body in [
        json!({"name": "local", "kind": "other", "server": registry.host, "username": "robot", "secret": secrets[0]}),
        json!({"name": "wrong", "kind": "other", "server": registry.host, "username": "robot", "secret": secrets[1]}),
        json!({"name": "hub", "kind": "docker-hub", "username": "me", "secret": secrets[2]}),
        json!({"name": "icr", "kind": "icr", "server": "us.icr.io", "secret": secrets[3]}),
        // Refused bodies must not echo the secret either.
        json!({"name": "Bad Name", "kind": "other", "server": "x", "username": "", "secret": secrets[2]}),
        json!({"name": "odd", "kind": "nonsense", "secret": secrets[5]}),
        json!({"name": "odd", "kind": "other", "secret": {"nested": secrets[5]}}),
    ] {
        record(post(&berth, body).await).await;
    }
    let (status, _) = record(
        berth
            .http()
            .post(creds_url(&berth))
            .header("content-type", "application/json")
            .body(format!("{{\"name\":\"x\",\"secret\":\"{}\"", secrets[5]))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    record(
        berth
            .http()
            .put(format!("{}/hub", creds_url(&berth)))
            .json(&json!({"kind": "docker-hub", "username": "me", "secret": secrets[4]}))
            .send()
            .await
            .expect("put"),
    )
    .await;
    record(
        berth
            .http()
            .get(creds_url(&berth))
            .send()
            .await
            .expect("list"),
    )
    .await;
    for name in ["local", "wrong", "hub", "icr"] {
        record(
            berth
                .http()
                .get(format!("{}/{name}", creds_url(&berth)))
                .send()
                .await
                .expect("get"),
        )
        .await;
    }
    // Checks against a real registry, right and wrong credentials.
    let images = berth.at(&format!("/api/v1/projects/{PROJECT}/images"));
    for (name, cred) in [("good", "local"), ("bad", "wrong")] {
        record(
            berth
                .http()
                .post(&images)
                .json(&json!({"name": name, "reference": image.reference, "credential": cred}))
                .send()
                .await
                .expect("image"),
        )
        .await;
        let (status, _) = record(
            berth
                .http()
                .post(format!("{images}/{name}/verify"))
                .send()
                .await
                .expect("verify"),
        )
        .await;
        assert_eq!(
            status,
            if cred == "local" {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        );
    }
    record(berth.http().get(&images).send().await.expect("list")).await;
    record(berth.http().get(berth.at("/")).send().await.expect("html")).await;
    record(
        berth
            .http()
            .get(berth.at(&format!("/projects/{PROJECT}/credentials")))
            .send()
            .await
            .expect("html"),
    )
    .await;
    record(
        berth
            .http()
            .delete(format!("{}/hub", creds_url(&berth)))
            .send()
            .await
            .expect("delete"),
    )
    .await;

    assert!(berth.wait_for_log("image pointer verified").await);
    let logs = berth.logs();
    assert!(logs.contains("TRACE"), "the log is at trace level");
    for secret in secrets {
        assert!(!seen.contains(secret), "a response shows {secret}");
        assert!(!logs.contains(secret), "the log shows {secret}");
    }
    // Nor the base64 `auth` of the registry login.
    let auth = "cm9ib3Q6UmVnaXN0cnktUGE1NXdvcmQtN2QxZg==";
    assert!(!logs.contains(auth) && !seen.contains(auth));
}
