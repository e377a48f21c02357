//! Helpers shared by the inventory, deletion and CLI tests: a Kubernetes
//! client for the embedded API, objects of every kind Berth stores, and a
//! reader of server-sent events.

use std::time::Duration;

use crate::{BerthProcess, StartOptions};
use kube::api::{ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub async fn start(args: &[&str]) -> BerthProcess {
    BerthProcess::start_with(StartOptions {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        ..StartOptions::default()
    })
    .await
    .expect("start berth")
}

pub fn kube(berth: &BerthProcess) -> Client {
    berth.kube()
}

pub async fn create_project(berth: &BerthProcess, name: &str) {
    let response = berth
        .http()
        .post(berth.at("/api/v1/projects"))
        .json(&json!({ "name": name, "description": "test" }))
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), StatusCode::CREATED);
}

pub fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

pub fn secrets() -> ApiResource {
    resource("", "v1", "Secret", "secrets")
}

pub fn config_maps() -> ApiResource {
    resource("", "v1", "ConfigMap", "configmaps")
}

pub fn image_pointers() -> ApiResource {
    resource("berth.dev", "v1alpha1", "ImagePointer", "imagepointers")
}

pub fn job_templates() -> ApiResource {
    resource("berth.dev", "v1alpha1", "JobTemplate", "jobtemplates")
}

/// The secret values the stored objects hold; none may ever leave Berth.
pub const SECRET_VALUES: [&str; 2] = ["hunter2-registry-password", "s3cret-env-value"];

pub async fn put(client: &Client, namespace: &str, ar: &ApiResource, object: Value) {
    let object: DynamicObject = serde_json::from_value(object).expect("object");
    Api::<DynamicObject>::namespaced_with(client.clone(), namespace, ar)
        .create(&PostParams::default(), &object)
        .await
        .expect("create object");
}

/// One object of every kind Berth stores, as its features write them,
/// plus one secret Berth does not manage.
pub async fn store_one_of_each(client: &Client, namespace: &str) {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let docker = json!({"auths": {"docker.io": {"username": "ann", "password": SECRET_VALUES[0]}}})
        .to_string();
    put(client, namespace, &secrets(), json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {
            "name": "dockerhub",
            "labels": {"app.kubernetes.io/managed-by": "berth", "berth.dev/kind": "registry-credential"},
            "annotations": {"berth.dev/created-by": "ann", "berth.dev/updated-by": "bob",
                            "berth.dev/updated-at": "2026-02-03T04:05:06Z"},
        },
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": b64(&docker)},
    })).await;
    put(client, namespace, &secrets(), json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {
            "name": "nightly-env",
            "labels": {"app.kubernetes.io/managed-by": "berth", "berth.dev/kind": "job-template-env"},
        },
        "type": "Opaque",
        "data": {"TOKEN": b64(SECRET_VALUES[1])},
    })).await;
    put(
        client,
        namespace,
        &image_pointers(),
        json!({
            "apiVersion": "berth.dev/v1alpha1", "kind": "ImagePointer",
            "metadata": {
                "name": "web",
                "labels": {"app.kubernetes.io/managed-by": "berth"},
                "annotations": {"berth.dev/created-by": "ann"},
            },
            "spec": {"reference": "docker.io/library/nginx:latest"},
        }),
    )
    .await;
    put(
        client,
        namespace,
        &job_templates(),
        json!({
            "apiVersion": "berth.dev/v1alpha1", "kind": "JobTemplate",
            "metadata": {"name": "nightly", "labels": {"app.kubernetes.io/managed-by": "berth"}},
            "spec": {"imagePointer": "web", "command": ["run"], "size": "small", "retryLimit": 3, "maxExecutionSeconds": 3600},
        }),
    )
    .await;
    put(
        client,
        namespace,
        &secrets(),
        json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "not-berths"},
            "type": "Opaque",
            "data": {"x": b64("unmanaged")},
        }),
    )
    .await;
}

/// Names of the objects of `ar` in `namespace`.
pub async fn names(client: &Client, namespace: &str, ar: &ApiResource) -> Vec<String> {
    Api::<DynamicObject>::namespaced_with(client.clone(), namespace, ar)
        .list(&Default::default())
        .await
        .expect("list")
        .items
        .into_iter()
        .filter_map(|o| o.metadata.name)
        .collect()
}

/// A server-sent event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub event: String,
    pub data: Value,
}

/// Reads a `text/event-stream` response event by event.
pub struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

impl SseReader {
    pub async fn open(berth: &BerthProcess, path: &str) -> Self {
        let response = berth
            .http()
            .get(berth.at(path))
            .header("accept", "text/event-stream")
            .send()
            .await
            .expect("open event stream");
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (comments and keep-alives skipped), or `None` when
    /// the stream ends. Panics after `within`.
    pub async fn next(&mut self, within: Duration) -> Option<SseEvent> {
        tokio::time::timeout(within, self.next_inner())
            .await
            .expect("an event in time")
    }

    async fn next_inner(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                return Some(SseEvent {
                    event,
                    data: serde_json::from_str(&data).expect("event data is JSON"),
                });
            }
            match self.response.chunk().await.expect("read event stream") {
                Some(bytes) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                None => return None,
            }
        }
    }

    /// Skips events until one named `name`; returns it and the ones before.
    pub async fn until(&mut self, name: &str, within: Duration) -> (SseEvent, Vec<SseEvent>) {
        let deadline = tokio::time::Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let event = self
                .next(left)
                .await
                .unwrap_or_else(|| panic!("stream ended before {name}; saw {seen:?}"));
            if event.event == name {
                return (event, seen);
            }
            seen.push(event);
        }
    }
}

/// Polls `check` every 100 ms until it holds, for at most `within`.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// End the restore window of a soft-deleted project's namespace now (as if
/// it had passed); returns the namespaces API to watch it go.
pub async fn expire_now(client: &Client, namespace: &str) -> Api<DynamicObject> {
    let namespaces: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &resource("", "v1", "Namespace", "namespaces"),
    );
    namespaces
        .patch(
            namespace,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"annotations": {"berth.dev/purge-after": "2000-01-01T00:00:00Z"}}})),
        )
        .await
        .expect("expire");
    namespaces
}

/// Two replicas of one Berth: A runs the embedded API exposed on loopback,
/// B reaches it through a kubeconfig (kept in the returned directory).
pub async fn two_replicas(args: &[&str]) -> (BerthProcess, BerthProcess, tempfile::TempDir) {
    let a = start(args).await;
    let kube_url = a.kube_url.clone().expect("A exposes its embedded API");
    let dir = tempfile::tempdir().expect("tmp");
    let kubeconfig = crate::write_kubeconfig(dir.path(), &kube_url);
    let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
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

/// The inventory of `project`, read by the administrator.
pub async fn inventory(berth: &BerthProcess, project: &str) -> berth_shared::inventory::Inventory {
    let path = format!("/api/v1/projects/{project}/inventory");
    let response = berth
        .http()
        .get(berth.at(&path))
        .send()
        .await
        .expect("inventory");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("inventory JSON")
}
