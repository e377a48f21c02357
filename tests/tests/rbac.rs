//! Berth works as its service account with the roles of `deploy/`, and
//! reads no Secret in a namespace it did not create.
//!
//! A `berth serve` (the host) serves its embedded API on loopback with an
//! operator token; the rendered `deploy/` is applied to it; a token for
//! the `berth` service account is issued through the TokenRequest
//! subresource; a second `berth serve --kubeconfig` runs as that account
//! against it (so the embedded API authorizes its every request by RBAC,
//! as a cluster would) and every route of `/api/v1` is driven through it.
//!
//! The routes are one table, [`walk`]: a new route is a new row (a
//! `Step::call`, or `Step::call_if_match` when it needs the ETag of the
//! GET before it). The test fails while a route declared in
//! backend/src/routes/mod.rs has no row.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use base64::Engine as _;
use berth_tests::registry::TestRegistry;
use berth_tests::routes::declared_routes;
use berth_tests::stored::{SseReader, expire_now};
use berth_tests::{BerthProcess, StartOptions, workspace_root};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The kinds of `deploy/` the embedded API stores; the others (CRDs it
/// already serves, workloads, Services, policies) run or matter only on a
/// cluster, and are listed so that a new kind in `deploy/` is noticed.
const APPLIED: &[&str] = &[
    "Namespace",
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
];
const CLUSTER_ONLY: &[&str] = &[
    "CustomResourceDefinition",
    "Deployment",
    "Service",
    "NetworkPolicy",
    "PodDisruptionBudget",
];

/// The host: the embedded API on loopback, reached with its operator token.
struct Host {
    berth: BerthProcess,
    url: String,
    client: reqwest::Client,
    /// The CA of the listener's certificate, PEM.
    ca: Vec<u8>,
    token: String,
    _dir: tempfile::TempDir,
}

impl Host {
    async fn start() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let token_file = dir.path().join("token");
        // Its own accounts live elsewhere than the service account's
        // Berth's, and its purge task does not run during the test.
        let berth = BerthProcess::start_with(StartOptions {
            args: [
                "--embedded-api-token-file",
                &token_file.display().to_string(),
                "--system-namespace",
                "berth-host",
                "--purge-interval-seconds",
                "86400",
                "--container-engine",
                "none",
            ]
            .map(str::to_owned)
            .to_vec(),
            ..StartOptions::default()
        })
        .await?;
        let url = berth.kube_url.clone().context("the host's API address")?;
        let kubeconfig = std::fs::read_to_string(berth.data_dir.join("kubeconfig"))?;
        let ca = kubeconfig
            .lines()
            .find_map(|l| l.trim().strip_prefix("certificate-authority-data: "))
            .context("the listener's CA in its kubeconfig")?;
        let ca = base64::engine::general_purpose::STANDARD.decode(ca.trim())?;
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .add_root_certificate(reqwest::Certificate::from_pem(&ca)?)
            .build()?;
        let token = std::fs::read_to_string(&token_file)?.trim().to_owned();
        Ok(Self {
            berth,
            url,
            client,
            ca,
            token,
            _dir: dir,
        })
    }

    /// A request with `token` (the operator's when None).
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(token.unwrap_or(&self.token));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    async fn create(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let (code, answer) = self.send(Method::POST, path, None, Some(body)).await?;
        ensure!(code == StatusCode::CREATED, "POST {path}: {code} {answer}");
        Ok(answer)
    }

    /// A kubeconfig for the service account's token, written 0600 into `dir`.
    fn kubeconfig(&self, dir: &Path, token: &str) -> anyhow::Result<PathBuf> {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let path = dir.join("berth-sa.kubeconfig");
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca);
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: host\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\nusers:\n- name: berth\n  user:\n    token: {}\ncontexts:\n- name: host\n  context:\n    cluster: host\n    user: berth\ncurrent-context: host\n",
            self.url,
            Value::String(token.to_owned())
        );
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?
            .write_all(text.as_bytes())?;
        Ok(path)
    }

    /// A Kubernetes client with the operator's token.
    async fn kube(&self) -> anyhow::Result<kube::Client> {
        let path = self.berth.data_dir.join("kubeconfig");
        let config = kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(&path)?,
            &kube::config::KubeConfigOptions::default(),
        )
        .await?;
        Ok(kube::Client::try_from(config)?)
    }
}

/// `deploy/` rendered by `kubectl kustomize`.
fn rendered() -> anyhow::Result<Vec<Value>> {
    let home = tempfile::tempdir()?;
    let out = berth_tests::kubectl(home.path())
        .arg("kustomize")
        .arg(workspace_root().join("deploy"))
        .output()
        .context("kubectl (install it) renders deploy/")?;
    ensure!(
        out.status.success(),
        "kubectl kustomize: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_saphyr::from_multiple::<Value>(&String::from_utf8(
        out.stdout,
    )?)?)
}

/// The API path of the collection an object of `deploy/` goes into.
fn collection(doc: &Value) -> String {
    let api_version = doc["apiVersion"].as_str().unwrap_or_default();
    let kind = doc["kind"].as_str().unwrap_or_default();
    let plural = format!("{}s", kind.to_ascii_lowercase());
    let base = if api_version.contains('/') {
        format!("/apis/{api_version}")
    } else {
        format!("/api/{api_version}")
    };
    match doc["metadata"]["namespace"].as_str() {
        Some(ns) => format!("{base}/namespaces/{ns}/{plural}"),
        None => format!("{base}/{plural}"),
    }
}

/// One row of the walk.
enum Step {
    Call {
        method: Method,
        template: &'static str,
        path: String,
        body: Option<Value>,
        /// Send the ETag of the last GET of `path` as `If-Match`.
        if_match: bool,
    },
    /// Follow `GET …/deletion` while the project is deleted for good.
    DeleteFollowing { project: &'static str },
    /// End the restore window of a soft-deleted project and wait for the
    /// purge task to delete it.
    Purge { namespace: &'static str },
    /// Run a job template, follow the run, read its log, rerun what failed
    /// and delete both runs. The host runs no containers, so the test plays
    /// the kubelet: it marks each Pod of the run failed through the host's
    /// API, as a node would when the program exits with an error.
    JobRun {
        project: &'static str,
        template: &'static str,
    },
    /// Sign in as a user (the session routes), replace the one-time
    /// password, read and end the session.
    Session {
        user: &'static str,
        password: &'static str,
    },
}

impl Step {
    fn call(method: Method, template: &'static str, path: &str, body: Option<Value>) -> Self {
        Self::Call {
            method,
            template,
            path: path.to_owned(),
            body,
            if_match: false,
        }
    }

    fn call_if_match(method: Method, template: &'static str, path: &str, body: Value) -> Self {
        Self::Call {
            method,
            template,
            path: path.to_owned(),
            body: Some(body),
            if_match: true,
        }
    }
}

const PROJECTS: &str = "/api/v1/projects";
const PROJECT: &str = "/api/v1/projects/{project}";
const CREDENTIALS: &str = "/api/v1/projects/{project}/registry-credentials";
const CREDENTIAL: &str = "/api/v1/projects/{project}/registry-credentials/{name}";
const IMAGES: &str = "/api/v1/projects/{project}/images";
const IMAGE: &str = "/api/v1/projects/{project}/images/{name}";
const TEMPLATES: &str = "/api/v1/projects/{project}/job-templates";
const TEMPLATE: &str = "/api/v1/projects/{project}/job-templates/{name}";

/// Every route of `/api/v1`, in an order that works: one project with one
/// of each kind of data, deleted through every path there is.
fn walk(registry: &TestRegistry, image: &str) -> Vec<Step> {
    use Method as M;
    use Step as S;
    let p = "/api/v1/projects/rbac";
    let credential = |name: &str, user: &str, secret: &str| json!({"name": name, "kind": "other", "server": registry.host, "username": user, "secret": secret});
    let template = |name: &str| {
        json!({"name": name, "imagePointer": "app", "command": ["run"],
               "env": [{"name": "TOKEN", "value": "rbac-token", "sensitive": true}],
               "size": "small", "retryLimit": 1, "maxExecutionSeconds": 60})
    };
    let mut replaced = credential("local", &registry.username, &registry.password);
    if let Some(map) = replaced.as_object_mut() {
        map.remove("name");
    }
    let mut template_again = template("nightly");
    if let Some(map) = template_again.as_object_mut() {
        map.remove("name");
    }
    vec![
        S::call(M::GET, "/api/v1/config", "/api/v1/config", None),
        S::call(M::POST, PROJECTS, PROJECTS, Some(json!({"name": "rbac"}))),
        S::call(M::GET, PROJECTS, PROJECTS, None),
        S::call(M::GET, PROJECTS, "/api/v1/projects?deleted=true", None),
        S::call(M::GET, PROJECT, p, None),
        // Registry credentials.
        S::call(
            M::POST,
            CREDENTIALS,
            &format!("{p}/registry-credentials"),
            Some(credential("local", &registry.username, &registry.password)),
        ),
        S::call(
            M::GET,
            CREDENTIALS,
            &format!("{p}/registry-credentials"),
            None,
        ),
        S::call(
            M::GET,
            CREDENTIAL,
            &format!("{p}/registry-credentials/local"),
            None,
        ),
        S::call(
            M::PUT,
            CREDENTIAL,
            &format!("{p}/registry-credentials/local"),
            Some(replaced),
        ),
        // Image pointers, verified against the registry.
        S::call(
            M::POST,
            IMAGES,
            &format!("{p}/images"),
            Some(json!({"name": "app", "reference": image, "credential": "local"})),
        ),
        S::call(M::GET, IMAGES, &format!("{p}/images"), None),
        S::call(M::GET, IMAGE, &format!("{p}/images/app"), None),
        S::call_if_match(
            M::PUT,
            IMAGE,
            &format!("{p}/images/app"),
            json!({"reference": image, "credential": "local", "description": "d"}),
        ),
        S::call(
            M::POST,
            "/api/v1/projects/{project}/images/{name}/verify",
            &format!("{p}/images/app/verify"),
            None,
        ),
        // Job templates with a sensitive setting, and the Job each runs.
        S::call(
            M::POST,
            TEMPLATES,
            &format!("{p}/job-templates"),
            Some(template("nightly")),
        ),
        S::call(M::GET, TEMPLATES, &format!("{p}/job-templates"), None),
        S::call(
            M::GET,
            TEMPLATE,
            &format!("{p}/job-templates/nightly"),
            None,
        ),
        S::call_if_match(
            M::PUT,
            TEMPLATE,
            &format!("{p}/job-templates/nightly"),
            template_again,
        ),
        S::call(
            M::GET,
            "/api/v1/projects/{project}/job-templates/{name}/job",
            &format!("{p}/job-templates/nightly/job"),
            None,
        ),
        S::call(
            M::POST,
            TEMPLATES,
            &format!("{p}/job-templates"),
            Some(template("second")),
        ),
        S::call(
            M::DELETE,
            TEMPLATE,
            &format!("{p}/job-templates/second"),
            None,
        ),
        // Running the template: submit, follow, log, rerun, delete.
        S::JobRun {
            project: "rbac",
            template: "nightly",
        },
        // Members.
        S::call(
            M::GET,
            "/api/v1/projects/{project}/members",
            &format!("{p}/members"),
            None,
        ),
        S::call(
            M::PUT,
            "/api/v1/projects/{project}/members",
            &format!("{p}/members"),
            Some(json!({"members": [{"user": "admin", "role": "owner"}]})),
        ),
        // What the project holds, and deleting through the inventory.
        S::call(
            M::POST,
            CREDENTIALS,
            &format!("{p}/registry-credentials"),
            Some(credential("other", "u", "s")),
        ),
        S::call(
            M::POST,
            IMAGES,
            &format!("{p}/images"),
            Some(json!({"name": "other", "reference": "nginx"})),
        ),
        S::call(
            M::GET,
            "/api/v1/projects/{project}/inventory",
            &format!("{p}/inventory"),
            None,
        ),
        S::call(
            M::GET,
            "/api/v1/projects/{project}/inventory",
            &format!("{p}/inventory?download=true"),
            None,
        ),
        S::call(
            M::GET,
            "/api/v1/projects/{project}/activity",
            &format!("{p}/activity"),
            None,
        ),
        S::call(
            M::DELETE,
            "/api/v1/projects/{project}/inventory/{kind}/{name}",
            &format!("{p}/inventory/job-template/nightly"),
            None,
        ),
        S::call(
            M::DELETE,
            "/api/v1/projects/{project}/inventory/{kind}/{name}",
            &format!("{p}/inventory/registry-credential/other"),
            None,
        ),
        S::call(
            M::DELETE,
            "/api/v1/projects/{project}/inventory/{kind}/{name}",
            &format!("{p}/inventory/image/other"),
            None,
        ),
        S::call(
            M::DELETE,
            "/api/v1/projects/{project}/inventory/{kind}/{name}",
            &format!("{p}/inventory/activity-log/berth-activity"),
            None,
        ),
        S::call(M::DELETE, IMAGE, &format!("{p}/images/app"), None),
        S::call(
            M::DELETE,
            CREDENTIAL,
            &format!("{p}/registry-credentials/local"),
            None,
        ),
        // Deleting the project: soft, restored, then for good.
        S::call(M::DELETE, PROJECT, &format!("{p}?mode=soft"), None),
        S::call(
            M::POST,
            "/api/v1/projects/{project}/restore",
            &format!("{p}/restore"),
            None,
        ),
        S::DeleteFollowing { project: "rbac" },
        S::call(M::POST, PROJECTS, PROJECTS, Some(json!({"name": "old"}))),
        S::call(M::DELETE, PROJECT, "/api/v1/projects/old?mode=soft", None),
        S::Purge {
            namespace: "berth-old",
        },
        // Accounts and sessions.
        S::call(
            M::POST,
            "/api/v1/users",
            "/api/v1/users",
            Some(json!({"name": "walker", "password": "walker one-time"})),
        ),
        S::call(M::GET, "/api/v1/users", "/api/v1/users", None),
        S::call(
            M::PUT,
            "/api/v1/users/{name}/password",
            "/api/v1/users/walker/password",
            Some(json!({"password": "walker second one-time"})),
        ),
        S::Session {
            user: "walker",
            password: "walker second one-time",
        },
        S::call(
            M::DELETE,
            "/api/v1/users/{name}",
            "/api/v1/users/walker",
            None,
        ),
    ]
}

const RUNS: &str = "/api/v1/projects/{project}/job-runs";
const RUN: &str = "/api/v1/projects/{project}/job-runs/{name}";

/// Berth's answer to `method path` as JSON, refused unless a success.
async fn berth_call(berth: &BerthProcess, method: Method, path: &str) -> anyhow::Result<Value> {
    let response = berth
        .http()
        .request(method.clone(), berth.at(path))
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    ensure!(
        status.is_success(),
        "{method} {path}: {status} {text}\n{}",
        berth.logs()
    );
    Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The job-run routes, driven through Berth as the service account.
async fn job_run(
    berth: &BerthProcess,
    host: &Host,
    project: &str,
    template: &str,
    routes: &mut BTreeSet<(String, String)>,
) -> anyhow::Result<()> {
    let p = format!("/api/v1/projects/{project}");
    let mut drove = |method: &str, route: &str| {
        routes.insert((method.to_owned(), route.to_owned()));
    };
    let run = berth_call(
        berth,
        Method::POST,
        &format!("{p}/job-templates/{template}/runs"),
    )
    .await?;
    drove(
        "POST",
        "/api/v1/projects/{project}/job-templates/{name}/runs",
    );
    let name = run["name"].as_str().context("the run's name")?.to_owned();
    berth_call(berth, Method::GET, &format!("{p}/job-runs")).await?;
    drove("GET", RUNS);
    let mut events = SseReader::open(berth, &format!("{p}/job-runs/{name}/events")).await;
    events.until("run", Duration::from_secs(30)).await;
    drove("GET", "/api/v1/projects/{project}/job-runs/{name}/events");

    // Every attempt fails until the run has failed.
    let namespace = format!("berth-{project}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let state = berth_call(berth, Method::GET, &format!("{p}/job-runs/{name}")).await?;
        if state["state"] == "failed" {
            break;
        }
        ensure!(
            tokio::time::Instant::now() < deadline,
            "the run did not fail: {state}"
        );
        let (_, pods) = host
            .send(
                Method::GET,
                &format!("/api/v1/namespaces/{namespace}/pods?labelSelector=job-name%3D{name}"),
                None,
                None,
            )
            .await?;
        for mut pod in pods["items"].as_array().cloned().unwrap_or_default() {
            if pod["status"]["phase"] == "Failed" {
                continue;
            }
            let pod_name = pod["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let container = pod["spec"]["containers"][0]["name"].clone();
            let now = "2026-01-01T00:00:00Z";
            pod["status"]["phase"] = json!("Failed");
            pod["status"]["containerStatuses"] = json!([{
                "name": container, "ready": false, "restartCount": 0,
                "image": pod["spec"]["containers"][0]["image"], "imageID": "",
                "state": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": now, "finishedAt": now}},
            }]);
            let (code, said) = host
                .send(
                    Method::PUT,
                    &format!("/api/v1/namespaces/{namespace}/pods/{pod_name}/status"),
                    None,
                    Some(&pod),
                )
                .await?;
            // A newer version of the Pod (the job controller's) is met again on the next pass.
            ensure!(
                code.is_success() || code == StatusCode::CONFLICT,
                "failing {pod_name}: {code} {said}"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drove("GET", RUN);
    // The host ran no container, so there is no log: a 404 in plain words,
    // not a refusal (a refusal would be a 403 in Berth's log, checked below).
    let response = berth
        .http()
        .get(berth.at(&format!("{p}/job-runs/{name}/logs?index=0")))
        .send()
        .await?;
    ensure!(
        response.status().is_success() || response.status() == StatusCode::NOT_FOUND,
        "the log: {}",
        response.status()
    );
    drove("GET", "/api/v1/projects/{project}/job-runs/{name}/logs");
    let again = berth_call(
        berth,
        Method::POST,
        &format!("{p}/job-runs/{name}/rerun-failed"),
    )
    .await?;
    drove(
        "POST",
        "/api/v1/projects/{project}/job-runs/{name}/rerun-failed",
    );
    let again = again["name"]
        .as_str()
        .context("the rerun's name")?
        .to_owned();
    for run in [name, again] {
        berth_call(berth, Method::DELETE, &format!("{p}/job-runs/{run}")).await?;
    }
    drove("DELETE", RUN);
    Ok(())
}

/// Runs the walk on `berth`; the route templates it drove.
async fn run(
    berth: &BerthProcess,
    host: &Host,
    steps: Vec<Step>,
) -> anyhow::Result<BTreeSet<(String, String)>> {
    let mut routes = BTreeSet::new();
    let mut etags: std::collections::HashMap<String, String> = Default::default();
    for step in steps {
        match step {
            Step::Call {
                method,
                template,
                path,
                body,
                if_match,
            } => {
                routes.insert((method.to_string(), template.to_owned()));
                let mut request = berth.http().request(method.clone(), berth.at(&path));
                if let Some(body) = body {
                    request = request.json(&body);
                }
                if if_match {
                    let etag = etags.get(&path).context("no GET of this path before")?;
                    request = request.header("if-match", etag);
                }
                let response = request.send().await?;
                let status = response.status();
                if let Some(etag) = response.headers().get("etag").and_then(|v| v.to_str().ok()) {
                    etags.insert(path.clone(), etag.to_owned());
                }
                if !status.is_success() {
                    let said = response.text().await.unwrap_or_default();
                    bail!("{method} {path}: {status} {said}\n{}", berth.logs());
                }
            }
            Step::DeleteFollowing { project } => {
                routes.insert(("GET".into(), format!("{PROJECT}/deletion")));
                routes.insert(("DELETE".into(), PROJECT.into()));
                let mut progress =
                    SseReader::open(berth, &format!("/api/v1/projects/{project}/deletion")).await;
                progress.until("progress", Duration::from_secs(30)).await;
                let response = berth
                    .http()
                    .delete(berth.at(&format!("/api/v1/projects/{project}?mode=hard")))
                    .send()
                    .await?;
                ensure!(
                    response.status().is_success(),
                    "hard delete: {}",
                    response.status()
                );
                progress.until("deleted", Duration::from_secs(30)).await;
            }
            Step::Purge { namespace } => {
                expire_now(&host.kube().await?, namespace).await;
                ensure!(
                    berth
                        .wait_for_log("restore window ended: project deleted for good")
                        .await,
                    "the purge task deleted {namespace}"
                );
            }
            Step::JobRun { project, template } => {
                job_run(berth, host, project, template, &mut routes).await?;
            }
            Step::Session { user, password } => {
                let signed_in = berth.sign_in(user, password).await?;
                let own = format!("{user} own password");
                let signed_in = signed_in.change_password(berth, password, &own).await?;
                routes.insert(("POST".into(), "/api/v1/session".into()));
                routes.insert(("PUT".into(), "/api/v1/session/password".into()));
                for method in [Method::GET, Method::DELETE] {
                    let response = signed_in
                        .client
                        .request(method.clone(), berth.at("/api/v1/session"))
                        .send()
                        .await?;
                    ensure!(response.status().is_success(), "{method} session");
                    routes.insert((method.to_string(), "/api/v1/session".into()));
                }
            }
        }
    }
    Ok(routes)
}

#[tokio::test]
async fn berth_works_as_its_service_account_and_reads_no_foreign_secret() -> anyhow::Result<()> {
    let host = Host::start().await?;

    // deploy/, rendered, applied by the operator.
    let docs = rendered()?;
    let mut skipped = BTreeSet::new();
    for doc in &docs {
        let kind = doc["kind"].as_str().unwrap_or_default();
        if APPLIED.contains(&kind) {
            host.create(&collection(doc), doc).await?;
        } else {
            ensure!(
                CLUSTER_ONLY.contains(&kind),
                "deploy/ has a new kind: {kind}"
            );
            skipped.insert(kind.to_owned());
        }
    }
    let account = docs
        .iter()
        .find(|d| d["kind"] == "ServiceAccount")
        .context("a ServiceAccount")?;
    let (namespace, name) = (
        account["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default(),
        account["metadata"]["name"].as_str().unwrap_or_default(),
    );

    // A token for Berth's service account, as `kubectl create token` asks.
    let issued = host
        .create(
            &format!("/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token"),
            &json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                    "spec": {"expirationSeconds": 3600}}),
        )
        .await?;
    let token = issued["status"]["token"]
        .as_str()
        .context("a token")?
        .to_owned();

    // A Secret in a namespace Berth did not create.
    host.create(
        "/api/v1/namespaces",
        &json!({"metadata": {"name": "foreign"}}),
    )
    .await?;
    host.create(
        "/api/v1/namespaces/foreign/secrets",
        &json!({"metadata": {"name": "kept"}, "stringData": {"k": "v"}}),
    )
    .await?;

    // The second Berth, as the service account.
    let registry = TestRegistry::start("rbac", "rbac-registry-password").await?;
    let pushed = registry.push_image("rbac/app", "v1", "rbac").await?;
    let dir = tempfile::tempdir()?;
    let kubeconfig = host.kubeconfig(dir.path(), &token)?;
    let berth = BerthProcess::start_with(StartOptions {
        args: vec![
            "--kubeconfig".into(),
            kubeconfig.display().to_string(),
            "--insecure-registry".into(),
            registry.host.clone(),
            "--restore-window".into(),
            "1h".into(),
            "--purge-interval-seconds".into(),
            "1".into(),
        ],
        no_embedded_listen: true,
        ..StartOptions::default()
    })
    .await?;
    berth.wait_ready().await;

    let walked = run(&berth, &host, walk(&registry, &pushed.reference)).await?;
    let missed: Vec<_> = declared_routes().difference(&walked).cloned().collect();
    ensure!(
        missed.is_empty(),
        "routes without a row in walk(): {missed:?}"
    );
    ensure!(
        !berth.logs().contains(" is forbidden: "),
        "Berth was refused something:\n{}",
        berth.logs()
    );

    // The project's RoleBinding was made by Berth, through `bind` on
    // berth-project; the foreign Secret stays out of reach.
    let (code, refused) = host
        .send(
            Method::GET,
            "/api/v1/namespaces/foreign/secrets/kept",
            Some(&token),
            None,
        )
        .await?;
    ensure!(code == StatusCode::FORBIDDEN, "{code} {refused}");
    assert_eq!(refused["reason"], "Forbidden");
    assert_eq!(
        refused["message"],
        format!(
            "secrets \"kept\" is forbidden: User \"system:serviceaccount:{namespace}:{name}\" cannot get resource \"secrets\" in API group \"\" in the namespace \"foreign\""
        )
    );
    let (code, refused) = host
        .send(Method::GET, "/api/v1/secrets", Some(&token), None)
        .await?;
    ensure!(code == StatusCode::FORBIDDEN, "{code}");
    assert_eq!(
        refused["message"],
        format!(
            "secrets is forbidden: User \"system:serviceaccount:{namespace}:{name}\" cannot list resource \"secrets\" in API group \"\" at the cluster scope"
        )
    );
    // Nor may it bind a role it does not hold to reach it.
    host.create(
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        &json!({"metadata": {"name": "secret-reader"},
                "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}),
    )
    .await?;
    let binding = json!({"metadata": {"name": "reach"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "secret-reader"},
        "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}]});
    let (code, refused) = host
        .send(
            Method::POST,
            "/apis/rbac.authorization.k8s.io/v1/namespaces/foreign/rolebindings",
            Some(&token),
            Some(&binding),
        )
        .await?;
    ensure!(code == StatusCode::FORBIDDEN, "{code} {refused}");
    let message = refused["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("is attempting to grant RBAC permissions not currently held")
            && message.contains("Resources:[\"secrets\"]"),
        "{message}"
    );
    // Nor see anything past its roles: the host's accounts.
    let (code, _) = host
        .send(
            Method::GET,
            "/api/v1/namespaces/berth-host/secrets",
            Some(&token),
            None,
        )
        .await?;
    ensure!(code == StatusCode::FORBIDDEN, "{code}");
    assert_eq!(
        skipped,
        CLUSTER_ONLY.iter().map(|k| (*k).to_owned()).collect()
    );
    Ok(())
}
