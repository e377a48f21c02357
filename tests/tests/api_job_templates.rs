//! The job templates API against the real `berth` binary and its embedded
//! Kubernetes API: every field, edits with `If-Match`, sensitive values kept
//! apart and never shown or logged, the Job view, and deletion that leaves
//! nothing behind, even when a step is held half-way.

use base64::Engine;
use berth_shared::{JobTemplate, JobTemplateList};
use berth_tests::{BerthProcess, StartOptions, problem};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ApiResource, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PROJECT: &str = "shop";
const NS: &str = "berth-shop";
const TOKEN: &str = "Tok3n-Value-e91a";
const NEW_TOKEN: &str = "Rotated-Tok3n-44bc";
const HUB_SECRET: &str = "dckr_pat_Hub-Secret-77f0";

async fn setup(trace: bool) -> BerthProcess {
    let env = if trace {
        vec![("RUST_LOG".into(), "trace".into())]
    } else {
        Vec::new()
    };
    let berth = BerthProcess::start_with(StartOptions {
        env,
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

fn templates(berth: &BerthProcess) -> String {
    berth.at(&format!("/api/v1/projects/{PROJECT}/job-templates"))
}

async fn create(berth: &BerthProcess, body: &Value) -> reqwest::Response {
    berth
        .http()
        .post(templates(berth))
        .json(body)
        .send()
        .await
        .expect("create")
}

async fn replace(berth: &BerthProcess, name: &str, etag: &str, body: &Value) -> reqwest::Response {
    berth
        .http()
        .put(format!("{}/{name}", templates(berth)))
        .header("If-Match", etag)
        .json(body)
        .send()
        .await
        .expect("replace")
}

fn etag(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned()
}

fn job_templates_api(berth: &BerthProcess) -> Api<DynamicObject> {
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("berth.dev", "v1alpha1", "JobTemplate"),
        "jobtemplates",
    );
    Api::namespaced_with(berth.kube(), NS, &ar)
}

fn secrets_api(berth: &BerthProcess) -> Api<Secret> {
    Api::namespaced(berth.kube(), NS)
}

/// Names of the Secrets that belong to some job template.
async fn companion_secrets(berth: &BerthProcess) -> Vec<String> {
    secrets_api(berth)
        .list(&ListParams::default().labels("berth.dev/kind=job-template-env"))
        .await
        .expect("secrets")
        .items
        .into_iter()
        .filter_map(|s| s.metadata.name)
        .collect()
}

async fn secret_value(berth: &BerthProcess, secret: &str, key: &str) -> Option<String> {
    let secret = secrets_api(berth).get_opt(secret).await.expect("get")?;
    let bytes = secret.data?.remove(key)?.0;
    Some(String::from_utf8(bytes).expect("utf-8"))
}

fn every_field() -> Value {
    json!({
        "name": "nightly",
        "description": "Nightly export",
        "imagePointer": "web",
        "command": ["sh", "-c"],
        "args": ["echo $GREETING", "--verbose"],
        "env": [
            {"name": "GREETING", "value": "hello", "sensitive": false},
            {"name": "API_TOKEN", "value": TOKEN, "sensitive": true}
        ],
        "size": "large",
        "indices": "0-9,20,30-32",
        "retryLimit": 5,
        "maxExecutionSeconds": 1800
    })
}

async fn image_pointer_with_credential(berth: &BerthProcess) {
    let response = berth
        .http()
        .post(berth.at(&format!("/api/v1/projects/{PROJECT}/registry-credentials")))
        .json(&json!({"name": "hub", "kind": "docker-hub", "username": "me", "secret": HUB_SECRET}))
        .send()
        .await
        .expect("credential");
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = berth
        .http()
        .post(berth.at(&format!("/api/v1/projects/{PROJECT}/images")))
        .json(&json!({"name": "web", "reference": "nginx:1.27", "credential": "hub"}))
        .send()
        .await
        .expect("image");
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn every_field_is_stored_sensitive_values_apart_and_never_shown_or_logged() {
    let berth = setup(true).await;
    image_pointer_with_credential(&berth).await;
    let mut seen = String::new();

    let response = create(&berth, &every_field()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let first_etag = etag(&response);
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/api/v1/projects/shop/job-templates/nightly")
    );
    let text = response.text().await.expect("body");
    seen.push_str(&text);
    let created: JobTemplate = serde_json::from_str(&text).expect("json");
    let f = &created.fields;
    assert_eq!(f.description, "Nightly export");
    assert_eq!(f.image_pointer.as_deref(), Some("web"));
    assert_eq!(created.image_reference, "docker.io/library/nginx:1.27");
    assert_eq!(f.command, ["sh", "-c"]);
    assert_eq!(f.args, ["echo $GREETING", "--verbose"]);
    assert_eq!(
        (f.env[0].value.as_str(), f.env[0].sensitive),
        ("hello", false)
    );
    assert_eq!((f.env[1].value.as_str(), f.env[1].sensitive), ("", true));
    assert_eq!(f.size.as_str(), "large");
    assert_eq!(f.indices, "0-9,20,30-32");
    assert_eq!(created.instances, 14);
    assert_eq!((f.retry_limit, f.max_execution_seconds), (5, 1800));
    assert_eq!(created.stamps.created_by.as_deref(), Some("admin"));

    // The custom resource names the sensitive variable; the Secret holds it.
    let cr = job_templates_api(&berth).get("nightly").await.expect("cr");
    let cr_text = serde_json::to_string(&cr).expect("json");
    assert!(!cr_text.contains(TOKEN), "{cr_text}");
    assert_eq!(
        cr.data["spec"]["env"][1],
        json!({"name": "API_TOKEN", "sensitive": true})
    );
    assert_eq!(
        secret_value(&berth, "nightly-env", "API_TOKEN")
            .await
            .as_deref(),
        Some(TOKEN)
    );
    let secret = secrets_api(&berth)
        .get("nightly-env")
        .await
        .expect("secret");
    assert_eq!(secret.type_.as_deref(), Some("Opaque"));
    let owner = &secret.metadata.owner_references.expect("owner")[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("JobTemplate", "nightly")
    );
    assert_eq!(Some(&owner.uid), cr.metadata.uid.as_ref());

    // List and get show no sensitive value either.
    for url in [templates(&berth), format!("{}/nightly", templates(&berth))] {
        let text = berth
            .http()
            .get(url)
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body");
        assert!(!text.contains(TOKEN), "{text}");
        seen.push_str(&text);
    }

    // The Job it becomes: the secret by reference, never inlined.
    let job = berth
        .http()
        .get(format!("{}/nightly/job", templates(&berth)))
        .send()
        .await
        .expect("job");
    assert_eq!(job.status(), StatusCode::OK);
    let text = job.text().await.expect("body");
    seen.push_str(&text);
    let job: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(job["apiVersion"], "batch/v1");
    assert_eq!(job["kind"], "Job");
    let spec = &job["spec"];
    assert_eq!(
        (
            spec["completionMode"].as_str(),
            spec["completions"].as_i64()
        ),
        (Some("Indexed"), Some(14))
    );
    // Retries count per index, as a run counts them.
    assert_eq!(spec["backoffLimitPerIndex"], 5);
    assert_eq!(spec["activeDeadlineSeconds"], 1800);
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["imagePullSecrets"], json!([{"name": "hub"}]));
    let container = &pod["containers"][0];
    assert_eq!(container["image"], "docker.io/library/nginx:1.27");
    assert_eq!(container["command"], json!(["sh", "-c"]));
    assert_eq!(
        container["resources"]["limits"],
        json!({"cpu": "2", "memory": "4Gi"})
    );
    assert_eq!(
        container["env"][0],
        json!({"name": "GREETING", "value": "hello"})
    );
    assert_eq!(
        container["env"][1],
        json!({"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "nightly-env", "key": "API_TOKEN", "optional": false}}})
    );
    assert_eq!(
        container["env"][2],
        json!({"name": "BERTH_ARRAY_INDICES", "value": "0-9,20,30-32"})
    );
    // As text (what the console shows): the same Job, indented for reading.
    let response = berth
        .http()
        .get(format!("{}/nightly/job", templates(&berth)))
        .header("Accept", "text/plain")
        .send()
        .await
        .expect("job as text");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    let text = response.text().await.expect("body");
    seen.push_str(&text);
    assert!(text.contains("\n  \"kind\": \"Job\""), "{text}");
    assert_eq!(serde_json::from_str::<Value>(&text).expect("json"), job);

    // Edit everything but the secret: it survives without being retyped.
    let mut edit = every_field();
    edit["args"] = json!(["--quiet"]);
    edit["env"] = json!([
        {"name": "API_TOKEN", "value": "", "sensitive": true},
        {"name": "GREETING", "value": "bonjour", "sensitive": false}
    ]);
    edit["imagePointer"] = Value::Null;
    edit["image"] = json!("busybox");
    edit["indices"] = json!("");
    let response = replace(&berth, "nightly", &first_etag, &edit).await;
    assert_eq!(response.status(), StatusCode::OK);
    let second_etag = etag(&response);
    assert_ne!(second_etag, first_etag);
    let text = response.text().await.expect("body");
    seen.push_str(&text);
    let edited: JobTemplate = serde_json::from_str(&text).expect("json");
    assert_eq!(edited.fields.args, ["--quiet"]);
    assert_eq!(edited.fields.env[1].value, "bonjour");
    assert_eq!(edited.image_reference, "docker.io/library/busybox:latest");
    assert_eq!(edited.instances, 1);
    assert_eq!(
        secret_value(&berth, "nightly-env", "API_TOKEN")
            .await
            .as_deref(),
        Some(TOKEN)
    );
    let job: Value = berth
        .http()
        .get(format!("{}/nightly/job", templates(&berth)))
        .send()
        .await
        .expect("job")
        .json()
        .await
        .expect("json");
    assert!(job["spec"].get("completionMode").is_none());
    assert!(
        job["spec"]["template"]["spec"]
            .get("imagePullSecrets")
            .is_none()
    );

    // Retyped, it is replaced; no longer sensitive, the Secret goes.
    edit["env"][0]["value"] = json!(NEW_TOKEN);
    let response = replace(&berth, "nightly", &second_etag, &edit).await;
    assert_eq!(response.status(), StatusCode::OK);
    let third_etag = etag(&response);
    seen.push_str(&response.text().await.expect("body"));
    assert_eq!(
        secret_value(&berth, "nightly-env", "API_TOKEN")
            .await
            .as_deref(),
        Some(NEW_TOKEN)
    );
    edit["env"] = json!([{"name": "GREETING", "value": "hi", "sensitive": false}]);
    let response = replace(&berth, "nightly", &third_etag, &edit).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(companion_secrets(&berth).await.is_empty());

    assert!(berth.wait_for_log("job template changed").await);
    let logs = berth.logs();
    assert!(logs.contains("TRACE"), "the log is at trace level");
    for secret in [TOKEN, NEW_TOKEN] {
        assert!(!seen.contains(secret), "a response shows {secret}");
        assert!(!logs.contains(secret), "the log shows {secret}");
        let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
        assert!(!logs.contains(&b64), "the log shows {secret} in base64");
    }
}

#[tokio::test]
async fn a_stale_edit_is_a_409_that_says_what_happened() {
    let berth = setup(false).await;
    let body = json!({"name": "batch", "image": "busybox"});
    let response = create(&berth, &body).await;
    let old = etag(&response);
    let mut first = body.clone();
    first["description"] = json!("first");
    assert_eq!(
        replace(&berth, "batch", &old, &first).await.status(),
        StatusCode::OK
    );
    let mut second = body.clone();
    second["description"] = json!("second");
    let response = replace(&berth, "batch", &old, &second).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let p = problem(response).await;
    assert_eq!(p.kind, "https://berth.dev/problems/stale-version");
    assert!(
        p.message().contains("Someone changed this job template"),
        "{p:?}"
    );
    let kept: JobTemplate = berth
        .http()
        .get(format!("{}/batch", templates(&berth)))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(kept.fields.description, "first");
}

#[tokio::test]
async fn validation_errors_name_their_fields() {
    let berth = setup(false).await;
    let response = create(
        &berth,
        &json!({
            "name": "Bad Name",
            "imagePointer": "missing",
            "command": [""],
            "env": [
                {"name": "1X", "value": "a"},
                {"name": "SECRET", "value": "", "sensitive": true}
            ],
            "size": "small",
            "indices": "5-1",
            "retryLimit": 11,
            "maxExecutionSeconds": 5
        }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = problem(response).await;
    let fields: Vec<&str> = p.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "name",
            "command[0]",
            "env[0].name",
            "env[1].value",
            "indices",
            "retryLimit",
            "maxExecutionSeconds",
            "imagePointer"
        ]
    );
    assert!(
        p.field("imagePointer")
            .is_some_and(|m| m.contains("no image pointer"))
    );
    let response = create(
        &berth,
        &json!({"name": "ok", "image": "busybox", "size": "huge"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn delete_leaves_nothing_behind() {
    let berth = setup(false).await;
    let body = json!({"name": "gone", "image": "busybox",
        "env": [{"name": "K", "value": TOKEN, "sensitive": true}]});
    assert_eq!(create(&berth, &body).await.status(), StatusCode::CREATED);
    assert_eq!(companion_secrets(&berth).await, ["gone-env"]);
    let response = berth
        .http()
        .delete(format!("{}/gone", templates(&berth)))
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        job_templates_api(&berth)
            .get_opt("gone")
            .await
            .expect("get")
            .is_none()
    );
    assert!(companion_secrets(&berth).await.is_empty());
    let list: JobTemplateList = berth
        .http()
        .get(templates(&berth))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert!(list.items.is_empty());
    let response = berth
        .http()
        .get(format!("{}/gone", templates(&berth)))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// The template's removal is held by a finalizer (as a controller or a
/// stuck cluster would): the Secret is gone already, the template leaves the
/// list, and when the finalizer goes nothing at all is left.
#[tokio::test]
async fn a_deletion_held_half_way_leaves_no_orphan_secret() {
    let berth = setup(false).await;
    let body = json!({"name": "held", "image": "busybox",
        "env": [{"name": "K", "value": TOKEN, "sensitive": true}]});
    assert_eq!(create(&berth, &body).await.status(), StatusCode::CREATED);
    let crs = job_templates_api(&berth);
    crs.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": ["test.berth.dev/hold"]}})),
    )
    .await
    .expect("finalizer");
    let response = berth
        .http()
        .delete(format!("{}/held", templates(&berth)))
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        companion_secrets(&berth).await.is_empty(),
        "the Secret goes first"
    );
    let held = crs.get("held").await.expect("still there");
    assert!(held.metadata.deletion_timestamp.is_some());
    let list: JobTemplateList = berth
        .http()
        .get(templates(&berth))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert!(
        list.items.is_empty(),
        "a template being deleted is not listed"
    );
    crs.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .expect("release");
    assert!(crs.get_opt("held").await.expect("get").is_none());
    assert!(companion_secrets(&berth).await.is_empty());
}

/// The Secret cannot be written (its name is taken by a Secret Berth does
/// not own): the template created a moment before is removed again.
#[tokio::test]
async fn a_failed_secret_write_leaves_no_template_behind() {
    let berth = setup(false).await;
    let foreign = Secret {
        metadata: kube::api::ObjectMeta {
            name: Some("clash-env".into()),
            ..Default::default()
        },
        string_data: Some([("other".to_owned(), "theirs".to_owned())].into()),
        ..Secret::default()
    };
    secrets_api(&berth)
        .create(&PostParams::default(), &foreign)
        .await
        .expect("foreign secret");
    let body = json!({"name": "clash", "image": "busybox",
        "env": [{"name": "K", "value": TOKEN, "sensitive": true}]});
    let response = create(&berth, &body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = problem(response).await;
    assert!(
        p.field("name").is_some_and(|m| m.contains("clash-env")),
        "{p:?}"
    );
    assert!(
        job_templates_api(&berth)
            .get_opt("clash")
            .await
            .expect("get")
            .is_none()
    );
    assert_eq!(
        secret_value(&berth, "clash-env", "other").await.as_deref(),
        Some("theirs")
    );
    assert!(secret_value(&berth, "clash-env", "K").await.is_none());
}

#[tokio::test]
async fn a_duplicate_copies_the_sensitive_values_it_does_not_show() {
    let berth = setup(false).await;
    let body = json!({"name": "original", "image": "busybox",
        "env": [{"name": "K", "value": TOKEN, "sensitive": true}]});
    assert_eq!(create(&berth, &body).await.status(), StatusCode::CREATED);
    let copy = json!({"name": "copy", "image": "busybox", "copySensitiveFrom": "original",
        "env": [{"name": "K", "value": "", "sensitive": true}]});
    assert_eq!(create(&berth, &copy).await.status(), StatusCode::CREATED);
    assert_eq!(
        secret_value(&berth, "copy-env", "K").await.as_deref(),
        Some(TOKEN)
    );
}
