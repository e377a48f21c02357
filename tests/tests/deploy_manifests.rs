//! The Kubernetes manifests in `deploy/`, rendered with `kubectl kustomize`:
//! their production shape (replicas, probes, limits, security context, PDB,
//! NetworkPolicy), and a ClusterRole that grants exactly what Berth uses.
//!
//! "What Berth uses" is not a hand-written list: the embedded API server
//! logs every request it serves as (verb, API group, resource), and this
//! test drives the backend through every route of `/api/v1` (the routes are
//! read from backend/src/routes/mod.rs, so a new route without a walk here
//! fails) and compares what was logged with the role, both ways.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use berth_tests::registry::TestRegistry;
use berth_tests::{BerthProcess, StartOptions, workspace_root};
use common::*;
use reqwest::Method;
use serde_json::{Value, json};

fn rendered() -> Vec<Value> {
    let deploy = workspace_root().join("deploy");
    for crd in [
        "imagepointers.berth.dev.yaml",
        "jobtemplates.berth.dev.yaml",
    ] {
        assert!(
            deploy.join("crds").join(crd).exists(),
            "deploy/crds/{crd} is missing: it is generated from the Rust types"
        );
    }
    let home = tempfile::tempdir().expect("a temporary home for kubectl");
    let out = berth_tests::kubectl(home.path())
        .arg("kustomize")
        .arg(&deploy)
        .output()
        .expect("kubectl (install it) renders deploy/");
    assert!(
        out.status.success(),
        "kubectl kustomize deploy/: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 YAML");
    serde_saphyr::from_multiple::<Value>(&text).expect("YAML documents")
}

fn one<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    let found: Vec<&Value> = docs.iter().filter(|d| d["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "exactly one {kind}");
    found[0]
}

fn selects(selector: &Value, labels: &Value) -> bool {
    selector["matchLabels"]
        .as_object()
        .is_some_and(|m| !m.is_empty() && m.iter().all(|(k, v)| labels[k] == *v))
}

#[test]
fn deployment_is_replicated_probed_limited_and_locked_down() {
    let docs = rendered();
    let deployment = one(&docs, "Deployment");
    let namespace = one(&docs, "Namespace")["metadata"]["name"].clone();
    assert_eq!(deployment["metadata"]["namespace"], namespace);
    assert!(deployment["spec"]["replicas"].as_u64() >= Some(2));
    let pod = &deployment["spec"]["template"];
    let pod_labels = &pod["metadata"]["labels"];
    assert!(selects(&deployment["spec"]["selector"], pod_labels));
    let spec = &pod["spec"];
    let pod_security = &spec["securityContext"];
    assert_eq!(pod_security["runAsNonRoot"], true);
    assert_eq!(pod_security["seccompProfile"]["type"], "RuntimeDefault");
    assert!(pod_security["runAsUser"].as_u64() > Some(0));

    let containers = spec["containers"].as_array().expect("containers");
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    assert_eq!(c["image"], "registry.example.invalid/berth/berth:0.1.0");
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
    for kind in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            assert!(
                c["resources"][kind][resource].is_string(),
                "{kind}.{resource}"
            );
        }
    }
    let security = &c["securityContext"];
    assert_eq!(security["runAsNonRoot"], true);
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["capabilities"]["drop"], json!(["ALL"]));
    assert_eq!(security["seccompProfile"]["type"], "RuntimeDefault");
    let port = &c["ports"][0];
    assert_eq!(port["name"], "http");

    let account = one(&docs, "ServiceAccount");
    assert_eq!(spec["serviceAccountName"], account["metadata"]["name"]);

    let pdb = one(&docs, "PodDisruptionBudget");
    assert!(selects(&pdb["spec"]["selector"], pod_labels));
    assert!(
        pdb["spec"]["minAvailable"].as_u64() >= Some(1),
        "a voluntary disruption keeps one replica"
    );

    let service = one(&docs, "Service");
    assert!(
        service["spec"]["selector"]
            .as_object()
            .is_some_and(|m| m.iter().all(|(k, v)| pod_labels[k] == *v))
    );
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");

    let policy = one(&docs, "NetworkPolicy");
    assert!(selects(&policy["spec"]["podSelector"], pod_labels));
    assert_eq!(policy["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
    let ingress = policy["spec"]["ingress"].as_array().expect("ingress rules");
    assert!(
        ingress
            .iter()
            .flat_map(|r| r["ports"].as_array().into_iter().flatten())
            .all(|p| p["port"] == "http"),
        "only the console port is open"
    );

    let crds: BTreeSet<&str> = docs
        .iter()
        .filter(|d| d["kind"] == "CustomResourceDefinition")
        .filter_map(|d| d["metadata"]["name"].as_str())
        .collect();
    assert_eq!(
        crds,
        BTreeSet::from(["imagepointers.berth.dev", "jobtemplates.berth.dev"])
    );

    let binding = one(&docs, "ClusterRoleBinding");
    assert_eq!(
        binding["roleRef"]["name"],
        one(&docs, "ClusterRole")["metadata"]["name"]
    );
    assert_eq!(
        binding["subjects"],
        json!([{"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": namespace}])
    );
    // Accounts and sessions: a Role in Berth's own namespace.
    let binding = one(&docs, "RoleBinding");
    assert_eq!(binding["metadata"]["namespace"], namespace);
    assert_eq!(binding["roleRef"]["kind"], "Role");
    assert_eq!(
        binding["roleRef"]["name"],
        one(&docs, "Role")["metadata"]["name"]
    );
    assert_eq!(
        binding["subjects"],
        json!([{"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": namespace}])
    );
    assert_eq!(one(&docs, "Role")["metadata"]["namespace"], namespace);
}

/// (verb, API group, resource), as RBAC names them.
type Permission = (String, String, String);

/// What the one `kind` (`ClusterRole` or `Role`) grants.
fn granted(docs: &[Value], kind: &str) -> BTreeSet<Permission> {
    let role = one(docs, kind);
    let mut out = BTreeSet::new();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    for rule in role["rules"].as_array().expect("rules") {
        assert!(
            rule.get("nonResourceURLs").is_none() && rule.get("resourceNames").is_none(),
            "{rule}"
        );
        for verb in strings(&rule["verbs"]) {
            assert_ne!(verb, "*", "no wildcards");
            for group in strings(&rule["apiGroups"]) {
                for resource in strings(&rule["resources"]) {
                    assert!(!group.contains('*') && !resource.contains('*'));
                    out.insert((verb.clone(), group.clone(), resource));
                }
            }
        }
    }
    out
}

/// What the backend asked the embedded API for, from its audit lines:
/// in `system_namespace`, elsewhere, and non-resource paths.
fn observed(
    logs: &str,
    system_namespace: &str,
) -> (BTreeSet<Permission>, BTreeSet<Permission>, BTreeSet<String>) {
    let mut in_system = BTreeSet::new();
    let mut resources = BTreeSet::new();
    let mut paths = BTreeSet::new();
    for line in logs.lines() {
        let Ok(entry) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if entry["target"] != "berth::embedded::audit" || entry["caller"] != "backend" {
            continue;
        }
        let text = |k: &str| entry[k].as_str().unwrap_or_default().to_owned();
        if let Some(path) = entry["path"].as_str() {
            paths.insert(format!("{} {path}", text("verb")));
        } else if entry["namespace"] == system_namespace {
            in_system.insert((text("verb"), text("group"), text("resource")));
        } else {
            resources.insert((text("verb"), text("group"), text("resource")));
        }
    }
    (in_system, resources, paths)
}

/// `(METHOD, path template)` of every route in backend/src/routes/mod.rs.
fn declared_routes() -> BTreeSet<(String, String)> {
    let source = std::fs::read_to_string(workspace_root().join("backend/src/routes/mod.rs"))
        .expect("routes source");
    let mut routes = BTreeSet::new();
    for chunk in source.split(".route(").skip(1) {
        let mut depth = 1usize;
        let end = chunk
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(chunk.len(), |(i, _)| i);
        let call = &chunk[..end];
        let Some(path) = call.split('"').nth(1) else {
            continue;
        };
        if !path.starts_with("/v1/") {
            continue;
        }
        for method in ["get", "post", "put", "patch", "delete"] {
            let used = call.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0
                    || !call.as_bytes()[i - 1].is_ascii_alphanumeric()
                        && call.as_bytes()[i - 1] != b'_'
            });
            if used {
                routes.insert((method.to_ascii_uppercase(), format!("/api{path}")));
            }
        }
    }
    assert!(routes.len() > 10, "routes found: {routes:?}");
    routes
}

/// Calls the API and notes the route template each call exercised.
struct Walk<'a> {
    berth: &'a BerthProcess,
    routes: BTreeSet<(String, String)>,
}

impl Walk<'_> {
    async fn call(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, String)],
    ) -> reqwest::Response {
        self.routes
            .insert((method.to_string(), template.to_owned()));
        let mut request = self
            .berth
            .http()
            .request(method.clone(), self.berth.at(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.expect("request");
        assert!(
            response.status().is_success(),
            "{method} {path}: {}",
            response.status()
        );
        response
    }

    async fn get(&mut self, template: &str, path: &str) -> reqwest::Response {
        self.call(Method::GET, template, path, None, &[]).await
    }

    async fn post(&mut self, template: &str, path: &str, body: Option<Value>) -> reqwest::Response {
        self.call(Method::POST, template, path, body, &[]).await
    }

    async fn delete(&mut self, template: &str, path: &str) -> reqwest::Response {
        self.call(Method::DELETE, template, path, None, &[]).await
    }
}

/// Everything a person can do through the API, on one project (and one
/// expired one for the purge task).
async fn walk_every_route(
    berth: &BerthProcess,
    registry: &TestRegistry,
) -> BTreeSet<(String, String)> {
    use Method as M;
    let mut w = Walk {
        berth,
        routes: BTreeSet::new(),
    };
    let p = "/api/v1/projects/{project}";
    w.get("/api/v1/config", "/api/v1/config").await;
    w.post(
        "/api/v1/projects",
        "/api/v1/projects",
        Some(json!({"name": "walk"})),
    )
    .await;
    w.get("/api/v1/projects", "/api/v1/projects").await;
    w.get("/api/v1/projects", "/api/v1/projects?deleted=true")
        .await;
    w.get(p, "/api/v1/projects/walk").await;

    let creds = format!("{p}/registry-credentials");
    let cred = format!("{creds}/{{name}}");
    let body = json!({"name": "local", "kind": "other", "server": registry.host,
                      "username": registry.username, "secret": registry.password});
    w.post(
        &creds,
        "/api/v1/projects/walk/registry-credentials",
        Some(body),
    )
    .await;
    w.get(&creds, "/api/v1/projects/walk/registry-credentials")
        .await;
    w.get(&cred, "/api/v1/projects/walk/registry-credentials/local")
        .await;
    let body = json!({"kind": "other", "server": registry.host,
                      "username": registry.username, "secret": registry.password});
    w.call(
        M::PUT,
        &cred,
        "/api/v1/projects/walk/registry-credentials/local",
        Some(body),
        &[],
    )
    .await;

    let pushed = registry
        .push_image("walk/app", "v1", "walk")
        .await
        .expect("push");
    let images = format!("{p}/images");
    let image = format!("{images}/{{name}}");
    let body = json!({"name": "app", "reference": pushed.reference, "credential": "local"});
    w.post(&images, "/api/v1/projects/walk/images", Some(body))
        .await;
    w.get(&images, "/api/v1/projects/walk/images").await;
    let got = w
        .call(
            M::GET,
            &image,
            "/api/v1/projects/walk/images/app",
            None,
            &[],
        )
        .await;
    let etag = got
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = json!({"reference": pushed.reference, "credential": "local", "description": "d"});
    w.call(
        M::PUT,
        &image,
        "/api/v1/projects/walk/images/app",
        Some(body),
        &[("if-match", etag)],
    )
    .await;
    w.post(
        &format!("{image}/verify"),
        "/api/v1/projects/walk/images/app/verify",
        None,
    )
    .await;

    // Job templates (with a sensitive setting: a companion Secret), and
    // the Job each would run.
    let templates = format!("{p}/job-templates");
    let template = format!("{templates}/{{name}}");
    let body = json!({"name": "nightly", "imagePointer": "app", "command": ["run"],
                      "env": [{"name": "TOKEN", "value": "walk-token", "sensitive": true}],
                      "size": "small", "retryLimit": 1, "maxExecutionSeconds": 60});
    w.post(
        &templates,
        "/api/v1/projects/walk/job-templates",
        Some(body.clone()),
    )
    .await;
    w.get(&templates, "/api/v1/projects/walk/job-templates")
        .await;
    let got = w
        .get(&template, "/api/v1/projects/walk/job-templates/nightly")
        .await;
    let etag = got
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    w.call(
        M::PUT,
        &template,
        "/api/v1/projects/walk/job-templates/nightly",
        Some(body),
        &[("if-match", etag)],
    )
    .await;
    w.get(
        &format!("{template}/job"),
        "/api/v1/projects/walk/job-templates/nightly/job",
    )
    .await;
    let body = json!({"name": "second", "imagePointer": "app", "command": ["run"],
                      "size": "small", "retryLimit": 1, "maxExecutionSeconds": 60});
    w.post(
        &templates,
        "/api/v1/projects/walk/job-templates",
        Some(body),
    )
    .await;
    w.delete(&template, "/api/v1/projects/walk/job-templates/second")
        .await;

    // Members: read, then replaced (the owner stays).
    let members = format!("{p}/members");
    w.get(&members, "/api/v1/projects/walk/members").await;
    w.call(
        M::PUT,
        &members,
        "/api/v1/projects/walk/members",
        Some(json!({"members": [{"user": "admin", "role": "owner"}]})),
        &[],
    )
    .await;

    // One more of each kind, deleted through the inventory.
    let client = kube(berth);
    let body = json!({"name": "other", "kind": "other", "server": registry.host,
                      "username": "u", "secret": "s"});
    w.post(
        &creds,
        "/api/v1/projects/walk/registry-credentials",
        Some(body),
    )
    .await;
    let body = json!({"name": "other", "reference": "nginx"});
    w.post(&images, "/api/v1/projects/walk/images", Some(body))
        .await;
    w.get(&format!("{p}/inventory"), "/api/v1/projects/walk/inventory")
        .await;
    w.get(&format!("{p}/activity"), "/api/v1/projects/walk/activity")
        .await;
    for (kind, name) in [
        ("job-template", "nightly"),
        ("registry-credential", "other"),
        ("image", "other"),
        ("activity-log", "berth-activity"),
    ] {
        w.delete(
            &format!("{p}/inventory/{{kind}}/{{name}}"),
            &format!("/api/v1/projects/walk/inventory/{kind}/{name}"),
        )
        .await;
    }
    w.delete(&image, "/api/v1/projects/walk/images/app").await;
    w.delete(&cred, "/api/v1/projects/walk/registry-credentials/local")
        .await;

    // Soft delete, restore, then delete for good and follow the progress.
    w.delete(p, "/api/v1/projects/walk?mode=soft").await;
    w.post(
        &format!("{p}/restore"),
        "/api/v1/projects/walk/restore",
        None,
    )
    .await;
    // Following starts before the deletion (its first progress event
    // counts what is left), so every call the stream makes is seen.
    w.routes.insert(("GET".into(), format!("{p}/deletion")));
    let mut progress = SseReader::open(berth, "/api/v1/projects/walk/deletion").await;
    progress.until("progress", Duration::from_secs(30)).await;
    w.delete(p, "/api/v1/projects/walk?mode=hard").await;
    progress.until("deleted", Duration::from_secs(30)).await;

    // The purge task: a soft-deleted project whose window has ended.
    w.post(
        "/api/v1/projects",
        "/api/v1/projects",
        Some(json!({"name": "old"})),
    )
    .await;
    w.delete(p, "/api/v1/projects/old?mode=soft").await;
    expire_now(&client, "berth-old").await;
    assert!(
        berth
            .wait_for_log("restore window ended: project deleted for good")
            .await,
        "the purge task deleted the expired project"
    );
    // Accounts and sessions: a user made by the administrator signs in,
    // replaces the one-time password, reads and ends the session.
    w.post(
        "/api/v1/users",
        "/api/v1/users",
        Some(json!({"name": "walker", "password": "walker one-time"})),
    )
    .await;
    w.get("/api/v1/users", "/api/v1/users").await;
    w.call(
        M::PUT,
        "/api/v1/users/{name}/password",
        "/api/v1/users/walker/password",
        Some(json!({"password": "walker second one-time"})),
        &[],
    )
    .await;
    let walker = berth
        .sign_in("walker", "walker second one-time")
        .await
        .expect("sign in");
    let walker = walker
        .change_password(berth, "walker second one-time", "walker own password")
        .await
        .expect("change password");
    for route in [
        ("POST", "/api/v1/session"),
        ("PUT", "/api/v1/session/password"),
    ] {
        w.routes.insert((route.0.into(), route.1.into()));
    }
    for method in [M::GET, M::DELETE] {
        let response = walker
            .client
            .request(method.clone(), berth.at("/api/v1/session"))
            .send()
            .await
            .expect("session");
        assert!(response.status().is_success(), "{method} session");
        w.routes
            .insert((method.to_string(), "/api/v1/session".into()));
    }
    w.delete("/api/v1/users/{name}", "/api/v1/users/walker")
        .await;
    w.routes
}

#[tokio::test]
async fn cluster_role_grants_exactly_the_calls_berth_makes() {
    let registry = TestRegistry::start("walker", "walker-password")
        .await
        .expect("registry");
    let berth = BerthProcess::start_with(StartOptions::logging_kubernetes_requests(&[
        "--restore-window",
        "1h",
        "--purge-interval-seconds",
        "1",
        "--insecure-registry",
        &registry.host,
    ]))
    .await
    .expect("start");
    berth.wait_ready().await;

    let walked = walk_every_route(&berth, &registry).await;
    let declared = declared_routes();
    let missed: Vec<_> = declared.difference(&walked).collect();
    assert!(
        missed.is_empty(),
        "routes this test does not drive: {missed:?}"
    );

    let docs = rendered();
    let system = one(&docs, "Namespace")["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (in_system, elsewhere, paths) = observed(&berth.logs(), &system);
    let cluster = granted(&docs, "ClusterRole");
    let role = granted(&docs, "Role");
    let lacking = |used: &BTreeSet<Permission>,
                   allowed: &BTreeSet<Permission>|
     -> Vec<Permission> { used.difference(allowed).cloned().collect() };
    assert_eq!(
        lacking(&elsewhere, &cluster),
        [],
        "the ClusterRole lacks what Berth calls (verb, group, resource)"
    );
    let cluster_and_role: BTreeSet<Permission> = cluster.union(&role).cloned().collect();
    assert_eq!(
        lacking(&in_system, &cluster_and_role),
        [],
        "the Role lacks what Berth calls in {system}"
    );
    assert_eq!(
        lacking(&cluster, &elsewhere),
        [],
        "the ClusterRole grants what Berth never calls outside {system}"
    );
    let only_in_system: BTreeSet<Permission> = in_system.difference(&cluster).cloned().collect();
    assert_eq!(
        lacking(&role, &only_in_system),
        [],
        "the Role grants what Berth never calls in {system}, or what the ClusterRole grants already"
    );
    // Non-resource paths: only /version (readiness), which every
    // authenticated identity may read (system:public-info-viewer).
    assert!(
        paths.iter().all(|p| p == "get /version"),
        "non-resource requests: {paths:?}"
    );
}
