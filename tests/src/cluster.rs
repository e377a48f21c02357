//! For the embedded API suite (`embedded_api.rs`): one cluster per test (the embedded server in
//! a fresh `berth` process, or the real cluster of `BERTH_TEST_KUBECONFIG`),
//! unique names, raw requests, bounded polling.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::BerthProcess;
use anyhow::{Context, bail};
use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, PostParams, WatchEvent};
use kube::core::{ApiResource, GroupVersionKind, Status};
use kube::{Client, Config};
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The label every namespace created by these tests carries.
pub const TEST_LABEL: (&str, &str) = ("berth-test", "embedded-api");

/// A Kubernetes API to test: the embedded server or a real cluster.
pub struct TestCluster {
    pub client: Client,
    berth: Option<BerthProcess>,
    namespaces: Mutex<Vec<String>>,
}

async fn client_for(url: &str) -> anyhow::Result<Client> {
    let config = Config::new(url.parse().context("embedded API url")?);
    Ok(Client::try_from(config)?)
}

impl TestCluster {
    /// The real cluster of `BERTH_TEST_KUBECONFIG`, else a fresh `berth serve`
    /// with `--embedded-api-listen`.
    pub async fn start() -> anyhow::Result<Self> {
        if let Some(path) = std::env::var_os("BERTH_TEST_KUBECONFIG") {
            let kubeconfig = kube::config::Kubeconfig::read_from(&path)
                .with_context(|| format!("reading {}", path.to_string_lossy()))?;
            let config = Config::from_custom_kubeconfig(
                kubeconfig,
                &kube::config::KubeConfigOptions::default(),
            )
            .await?;
            return Ok(Self {
                client: Client::try_from(config)?,
                berth: None,
                namespaces: Mutex::new(Vec::new()),
            });
        }
        let berth = BerthProcess::start().await?;
        let url = berth
            .kube_url
            .clone()
            .context("berth did not announce --embedded-api-listen")?;
        Ok(Self {
            client: client_for(&url).await?,
            berth: Some(berth),
            namespaces: Mutex::new(Vec::new()),
        })
    }

    pub fn is_embedded(&self) -> bool {
        self.berth.is_some()
    }

    /// True (after printing why) when running against a real cluster.
    pub fn skip_unless_embedded(&self, test: &str, why: &str) -> bool {
        if self.is_embedded() {
            return false;
        }
        eprintln!("SKIP {test} on a real cluster: embedded-server only ({why})");
        true
    }

    pub fn kube_url(&self) -> Option<String> {
        self.berth.as_ref().and_then(|b| b.kube_url.clone())
    }

    pub fn logs(&self) -> String {
        self.berth
            .as_ref()
            .map(BerthProcess::logs)
            .unwrap_or_default()
    }

    /// Embedded only: `kill -9` the server and start it again on the same data directory.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        let Some(berth) = self.berth.as_mut() else {
            bail!("restart needs the embedded server");
        };
        let next = berth.restart().await?;
        let url = next
            .kube_url
            .clone()
            .context("no embedded API url after restart")?;
        self.client = client_for(&url).await?;
        self.berth = Some(next);
        Ok(())
    }

    pub fn track_namespace(&self, name: &str) {
        if let Ok(mut list) = self.namespaces.lock() {
            list.push(name.to_string());
        }
    }

    /// Creates a uniquely named namespace for one test.
    pub async fn namespace(&self, prefix: &str) -> anyhow::Result<String> {
        let name = unique(prefix);
        let ns = Namespace {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                labels: Some(labels(&[TEST_LABEL])),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        Api::<Namespace>::all(self.client.clone())
            .create(&PostParams::default(), &ns)
            .await
            .with_context(|| format!("creating namespace {name}"))?;
        self.track_namespace(&name);
        Ok(name)
    }

    /// Berth's ImagePointer resource when it is served (always on the embedded
    /// server; on a real cluster only when the CRDs are installed — otherwise
    /// prints why the custom-resource part of `test` is skipped).
    pub async fn berth_crds(&self, test: &str) -> anyhow::Result<Option<ApiResource>> {
        let (code, doc) = self
            .raw(Method::GET, "/apis/berth.dev/v1alpha1", None, vec![])
            .await?;
        let served = code == StatusCode::OK
            && doc["resources"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r["name"] == "imagepointers"));
        if !served {
            if self.is_embedded() {
                bail!("the embedded server does not serve berth.dev/v1alpha1 imagepointers");
            }
            eprintln!(
                "SKIP custom-resource part of {test}: the berth.dev CRDs are not installed on this cluster"
            );
            return Ok(None);
        }
        Ok(Some(ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("berth.dev", "v1alpha1", "ImagePointer"),
            "imagepointers",
        )))
    }

    /// A raw request through kube's client (so a real cluster's TLS and
    /// credentials apply), returning the status and the body as JSON (or as
    /// a JSON string when it is not JSON).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let (status, _, bytes) = self.raw_bytes(method, path, content_type, body).await?;
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok((status, value))
    }

    /// Like [`Self::raw`], with the response's `Content-Type` and raw bytes.
    pub async fn raw_bytes(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> anyhow::Result<(StatusCode, String, Vec<u8>)> {
        let mut req = kube::core::Request::new("/").list(&ListParams::default())?;
        *req.method_mut() = method;
        *req.uri_mut() = path.parse().context("request path")?;
        if let Some(ct) = content_type {
            req.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_str(ct)?);
        }
        *req.body_mut() = body;
        let resp = self.client.send(req.map(kube::client::Body::from)).await?;
        let status = resp.status();
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = resp.into_body().collect_bytes().await?;
        Ok((status, content_type, bytes.to_vec()))
    }

    pub async fn raw_json(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> anyhow::Result<(StatusCode, Value)> {
        self.raw(
            method,
            path,
            Some("application/json"),
            serde_json::to_vec(body)?,
        )
        .await
    }

    /// On a real cluster, deletes the namespaces this test created (the
    /// embedded server's data directory is thrown away with its process).
    pub async fn cleanup(&self) {
        if self.is_embedded() {
            return;
        }
        let names = self
            .namespaces
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default();
        let api = Api::<Namespace>::all(self.client.clone());
        for name in names {
            let _ = api.delete(&name, &DeleteParams::default()).await;
        }
    }
}

/// A name no other test (or earlier run) uses: `prefix-<time><counter>`.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}-{:x}{:x}",
        (nanos / 1000) % 0xff_ffff_ffff,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A unique label value.
pub fn unique_label() -> String {
    unique("run")
}

pub fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

/// The `Status` of an API error.
pub fn api_error(err: &kube::Error) -> anyhow::Result<&Status> {
    match err {
        kube::Error::Api(s) => Ok(s),
        other => bail!("expected an API error, got {other}"),
    }
}

/// Polls `f` every 50 ms until it returns `Some`, for at most `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut f: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return Ok(v);
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("timed out after {timeout:?} waiting until {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The next watch event, failing after 30 s or at the end of the stream.
pub async fn next_event<K, S>(stream: &mut S) -> anyhow::Result<WatchEvent<K>>
where
    S: Stream<Item = Result<WatchEvent<K>, kube::Error>> + Unpin,
{
    match tokio::time::timeout(Duration::from_secs(30), stream.next()).await {
        Err(_) => bail!("no watch event within 30 s"),
        Ok(None) => bail!("the watch ended"),
        Ok(Some(ev)) => Ok(ev?),
    }
}
