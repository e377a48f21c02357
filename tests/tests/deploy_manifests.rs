//! The Kubernetes manifests in `deploy/`, rendered with `kubectl kustomize`:
//! valid against the OpenAPI schemas of a Kubernetes release, their
//! production shape (replicas, probes, limits, security context, PDB,
//! NetworkPolicy), and roles that grant exactly what Berth uses, split by
//! where: cluster wide, inside a project, in Berth's own namespace.
//!
//! "What Berth uses" is not a hand-written list: the embedded API server
//! logs every request it serves as (verb, API group, resource, namespace),
//! and this test drives the backend through every route of `/api/v1` (the
//! routes are read from backend/src/routes/mod.rs, so a new route without a
//! walk here fails) and compares what was logged with the roles, both ways.

mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use berth_tests::podman::PodmanStore;
use berth_tests::registry::TestRegistry;
use berth_tests::{BerthProcess, StartOptions, workspace_root};
use common::*;
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::Api;
use kube::api::{ListParams, PostParams};
use reqwest::Method;
use serde_json::{Value, json};

/// The Kubernetes release whose schemas the manifests must satisfy (the
/// newest that the pinned kubernetes-validate of scripts/bootstrap ships).
const KUBERNETES_VERSION: &str = "1.37";
const RBAC: &str = "rbac.authorization.k8s.io";

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

fn named<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("a {kind} {name}"))
}

/// `kubernetes-validate` (PyPI), installed by scripts/bootstrap in a venv
/// of the project's own: it ships the OpenAPI schemas of each Kubernetes
/// release and validates objects against them.
fn validator() -> std::path::PathBuf {
    let path = workspace_root().join(".tools/kubernetes-validate/bin/kubernetes-validate");
    assert!(
        path.exists(),
        "{} is missing: run scripts/bootstrap",
        path.display()
    );
    path
}

/// Validates `docs` against Kubernetes' schemas, strictly (an unknown
/// field is an error): the validator's verdict and what it printed.
fn validate(docs: &[Value]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("rendered.yaml");
    // JSON is YAML: one document per object.
    let text: Vec<String> = docs.iter().map(Value::to_string).collect();
    std::fs::write(&file, text.join("\n---\n")).expect("write the objects");
    let out = Command::new(validator())
        .args(["--strict", "--kubernetes-version", KUBERNETES_VERSION])
        .arg(&file)
        // Nothing of Python's lands beside the sources or in a home.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("HOME", dir.path())
        .output()
        .expect("kubernetes-validate runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[test]
fn every_rendered_object_is_valid_for_kubernetes() {
    let docs = rendered();
    let (valid, said) = validate(&docs);
    assert!(
        valid,
        "deploy/ against Kubernetes {KUBERNETES_VERSION}:\n{said}"
    );
    // Each object was checked against a schema, none skipped as unknown.
    for doc in &docs {
        let kind = doc["kind"].as_str().unwrap_or_default().to_lowercase();
        let name = doc["metadata"]["name"].as_str().unwrap_or_default();
        assert!(
            said.contains(&format!("passed for resource {kind}/{name} ")),
            "{kind}/{name} was not validated:\n{said}"
        );
    }
}

/// The check above can fail: the same objects with one unknown field, or
/// one value of the wrong type, are refused, and the validator says where.
#[test]
fn the_schema_check_refuses_unknown_fields_and_wrong_types() {
    let docs = rendered();
    let deployment = docs
        .iter()
        .position(|d| d["kind"] == "Deployment")
        .expect("a Deployment");

    let mut unknown = docs.clone();
    unknown[deployment]["spec"]["template"]["spec"]["containers"][0]["readOnlyRootFileSystem"] =
        json!(true);
    let (valid, said) = validate(&unknown);
    assert!(!valid, "an unknown field passed:\n{said}");
    assert!(said.contains("readOnlyRootFileSystem"), "{said}");

    let mut wrong_type = docs.clone();
    wrong_type[deployment]["spec"]["replicas"] = json!("two");
    let (valid, said) = validate(&wrong_type);
    assert!(!valid, "a string for replicas passed:\n{said}");
    assert!(said.contains("replicas"), "{said}");

    let role = docs
        .iter()
        .position(|d| d["kind"] == "ClusterRole")
        .expect("a ClusterRole");
    let mut misspelt = docs.clone();
    misspelt[role]["rules"][0]["resourceName"] = json!(["x"]);
    let (valid, said) = validate(&misspelt);
    assert!(!valid, "a misspelt rule field passed:\n{said}");
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

    // One ClusterRole bound cluster wide (`berth`); `berth-project` is
    // bound by Berth inside each project only.
    let binding = one(&docs, "ClusterRoleBinding");
    assert_eq!(binding["roleRef"]["kind"], "ClusterRole");
    assert_eq!(binding["roleRef"]["name"], "berth");
    named(&docs, "ClusterRole", "berth");
    named(&docs, "ClusterRole", "berth-project");
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

/// (verb, API group, resource, resource name), as RBAC names them; the
/// name is empty for a rule (or a call) not limited to named objects.
type Permission = (String, String, String, String);

fn permission(verb: &str, group: &str, resource: &str, name: &str) -> Permission {
    (verb.into(), group.into(), resource.into(), name.into())
}

/// What the role `kind`/`name` (`ClusterRole` or `Role`) grants.
fn granted(docs: &[Value], kind: &str, name: &str) -> BTreeSet<Permission> {
    let role = named(docs, kind, name);
    let mut out = BTreeSet::new();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    for rule in role["rules"].as_array().expect("rules") {
        assert!(rule.get("nonResourceURLs").is_none(), "{rule}");
        let names = match strings(&rule["resourceNames"]) {
            names if names.is_empty() => vec![String::new()],
            names => names,
        };
        for verb in strings(&rule["verbs"]) {
            assert_ne!(verb, "*", "no wildcards");
            for group in strings(&rule["apiGroups"]) {
                for resource in strings(&rule["resources"]) {
                    assert!(!group.contains('*') && !resource.contains('*'));
                    for object in &names {
                        out.insert(permission(&verb, &group, &resource, object));
                    }
                }
            }
        }
    }
    out
}

/// What the backend asked the embedded API for, from its audit lines.
#[derive(Default)]
struct Observed {
    /// Cluster-scoped resources (namespaces), or across all namespaces.
    cluster: BTreeSet<Permission>,
    /// Inside project namespaces.
    in_projects: BTreeSet<Permission>,
    /// Inside Berth's own namespace.
    in_system: BTreeSet<Permission>,
    /// Non-resource paths, `verb /path`.
    paths: BTreeSet<String>,
}

fn observed(logs: &str, system_namespace: &str) -> Observed {
    let mut seen = Observed::default();
    for line in logs.lines() {
        let Ok(entry) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if entry["target"] != "berth::embedded::audit" || entry["caller"] != "backend" {
            continue;
        }
        let text = |k: &str| entry[k].as_str().unwrap_or_default().to_owned();
        let call = permission(&text("verb"), &text("group"), &text("resource"), "");
        if let Some(path) = entry["path"].as_str() {
            seen.paths.insert(format!("{} {path}", text("verb")));
        } else if entry["namespace"] == system_namespace {
            seen.in_system.insert(call);
        } else if entry["namespace"] == "" {
            seen.cluster.insert(call);
        } else {
            seen.in_projects.insert(call);
        }
    }
    seen
}

/// Whether a call inside a project is the one that gives Berth its access
/// there: it cannot be granted by the binding it creates.
fn binds_access(call: &Permission) -> bool {
    call.1 == RBAC && call.2 == "rolebindings"
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
    /// The RoleBinding Berth made in the project it created.
    binding: Value,
}

/// The one RoleBinding in `namespace`, read past Berth (as a cluster
/// administrator would).
async fn project_binding(berth: &BerthProcess, namespace: &str) -> Value {
    let bindings: Api<RoleBinding> = Api::namespaced(kube(berth), namespace);
    let list = bindings
        .list(&ListParams::default())
        .await
        .expect("list RoleBindings");
    assert_eq!(list.items.len(), 1, "one RoleBinding in {namespace}");
    serde_json::to_value(&list.items[0]).expect("JSON")
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
        let status = response.status();
        assert!(
            status.is_success(),
            "{method} {path}: {status} {}",
            response.text().await.unwrap_or_default()
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
async fn walk_every_route<'a>(
    berth: &'a BerthProcess,
    registry: &TestRegistry,
    busybox: &str,
) -> Walk<'a> {
    use Method as M;
    let mut w = Walk {
        berth,
        routes: BTreeSet::new(),
        binding: Value::Null,
    };
    let p = "/api/v1/projects/{project}";
    w.get("/api/v1/config", "/api/v1/config").await;
    w.post(
        "/api/v1/projects",
        "/api/v1/projects",
        Some(json!({"name": "walk"})),
    )
    .await;
    w.binding = project_binding(berth, "berth-walk").await;
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

    // Job runs, on real containers: a run whose only index fails (with a
    // sensitive setting, so a snapshot Secret), its events and log, a
    // rerun of what failed, and both deleted.
    let body = json!({"name": "box", "reference": busybox, "credential": "local"});
    w.post(&images, "/api/v1/projects/walk/images", Some(body))
        .await;
    let body = json!({"name": "runner", "imagePointer": "box",
                      "command": ["/bin/sh", "-c", "echo walking; exit 3"],
                      "env": [{"name": "TOKEN", "value": "walk-token", "sensitive": true}],
                      "retryLimit": 0, "maxExecutionSeconds": 60});
    w.post(
        &templates,
        "/api/v1/projects/walk/job-templates",
        Some(body),
    )
    .await;
    let submitted: Value = w
        .post(
            &format!("{template}/runs"),
            "/api/v1/projects/walk/job-templates/runner/runs",
            Some(json!({})),
        )
        .await
        .json()
        .await
        .expect("run");
    let run_name = submitted["name"].as_str().expect("a run name").to_owned();
    let runs = format!("{p}/job-runs");
    let run = format!("{runs}/{{name}}");
    let at_run = format!("/api/v1/projects/walk/job-runs/{run_name}");
    w.routes.insert(("GET".into(), format!("{run}/events")));
    let mut events = SseReader::open(berth, &format!("{at_run}/events")).await;
    loop {
        let (event, _) = events.until("run", Duration::from_secs(60)).await;
        if event.data["state"] == "failed" {
            break;
        }
    }
    drop(events);
    w.get(&runs, "/api/v1/projects/walk/job-runs").await;
    w.get(&run, &at_run).await;
    w.get(&format!("{run}/logs"), &format!("{at_run}/logs?index=0"))
        .await;
    let rerun: Value = w
        .post(
            &format!("{run}/rerun-failed"),
            &format!("{at_run}/rerun-failed"),
            None,
        )
        .await
        .json()
        .await
        .expect("rerun");
    let rerun_name = rerun["name"].as_str().expect("a run name").to_owned();
    w.delete(&run, &at_run).await;
    w.delete(
        &run,
        &format!("/api/v1/projects/walk/job-runs/{rerun_name}"),
    )
    .await;
    w.delete(&template, "/api/v1/projects/walk/job-templates/runner")
        .await;
    w.delete(&image, "/api/v1/projects/walk/images/box").await;

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
    w
}

#[tokio::test]
async fn roles_grant_exactly_the_calls_berth_makes_where_it_makes_them() {
    let registry = TestRegistry::start("walker", "walker-password")
        .await
        .expect("registry");
    // A runnable image for the job runs, and podman for Berth to run it.
    let build = PodmanStore::new().expect("podman");
    build
        .build_busybox("localhost/walk-busybox:1")
        .expect("build");
    let busybox = format!("{}/walk/busybox:1", registry.host);
    build
        .push(&registry, "localhost/walk-busybox:1", &busybox)
        .expect("push");
    let engine = PodmanStore::new().expect("podman");
    let mut options = StartOptions::logging_kubernetes_requests(&[
        "--restore-window",
        "1h",
        "--purge-interval-seconds",
        "1",
        "--insecure-registry",
        &registry.host,
        "--container-engine",
        &engine.bin.display().to_string(),
    ]);
    options.env.extend(engine.env());
    let berth = BerthProcess::start_with(options).await.expect("start");
    berth.wait_ready().await;

    let walk = walk_every_route(&berth, &registry, &busybox).await;
    let declared = declared_routes();
    let missed: Vec<_> = declared.difference(&walk.routes).collect();
    assert!(
        missed.is_empty(),
        "routes this test does not drive: {missed:?}"
    );

    let docs = rendered();
    let system = one(&docs, "Namespace")["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let account = one(&docs, "ServiceAccount")["metadata"]["name"].clone();

    // The binding Berth made in its project: Berth's service account, a
    // ClusterRole of deploy/ that no ClusterRoleBinding grants.
    let binding = &walk.binding;
    assert_eq!(
        binding["subjects"],
        json!([{"kind": "ServiceAccount", "name": account, "namespace": system}])
    );
    assert_eq!(binding["roleRef"]["kind"], "ClusterRole");
    assert_eq!(binding["roleRef"]["apiGroup"], RBAC);
    let project_role = binding["roleRef"]["name"]
        .as_str()
        .expect("a role name")
        .to_owned();
    let cluster_binding = one(&docs, "ClusterRoleBinding");
    assert_ne!(cluster_binding["roleRef"]["name"], project_role.as_str());
    let cluster_role = cluster_binding["roleRef"]["name"]
        .as_str()
        .expect("a role name")
        .to_owned();
    let system_role = one(&docs, "RoleBinding")["roleRef"]["name"]
        .as_str()
        .expect("a role name")
        .to_owned();

    let seen = observed(&berth.logs(), &system);
    // Cluster wide: cluster-scoped calls, creating the project's binding,
    // and `bind` on the role it names (RBAC's check on creating it).
    let (bind_calls, in_projects): (BTreeSet<Permission>, BTreeSet<Permission>) =
        seen.in_projects.iter().cloned().partition(binds_access);
    let mut cluster_wide: BTreeSet<Permission> = seen.cluster.union(&bind_calls).cloned().collect();
    if !bind_calls.is_empty() {
        cluster_wide.insert(permission("bind", RBAC, "clusterroles", &project_role));
    }
    let both_ways = |what: &str, used: &BTreeSet<Permission>, allowed: &BTreeSet<Permission>| {
        let lacking: Vec<_> = used.difference(allowed).collect();
        assert_eq!(
            lacking,
            Vec::<&Permission>::new(),
            "{what} lacks what Berth calls"
        );
        let unused: Vec<_> = allowed.difference(used).collect();
        assert_eq!(
            unused,
            Vec::<&Permission>::new(),
            "{what} grants what Berth never calls"
        );
    };
    both_ways(
        &format!("ClusterRole {cluster_role} (cluster wide)"),
        &cluster_wide,
        &granted(&docs, "ClusterRole", &cluster_role),
    );
    both_ways(
        &format!("ClusterRole {project_role} (inside projects)"),
        &in_projects,
        &granted(&docs, "ClusterRole", &project_role),
    );
    both_ways(
        &format!("Role {system_role} (in {system})"),
        &seen.in_system,
        &granted(&docs, "Role", &system_role),
    );
    // Non-resource paths: only /version (readiness), which every
    // authenticated identity may read (system:public-info-viewer).
    assert!(
        seen.paths.iter().all(|p| p == "get /version"),
        "non-resource requests: {:?}",
        seen.paths
    );
}

/// Projects made before Berth bound its role in each (or whose binding
/// was removed) get it at the next start.
#[tokio::test]
async fn a_start_binds_the_project_role_where_it_is_missing() {
    let mut berth = BerthProcess::start().await.expect("start");
    berth.wait_ready().await;
    create_project(&berth, "older").await;
    let bindings: Api<RoleBinding> = Api::namespaced(kube(&berth), "berth-older");
    let made = project_binding(&berth, "berth-older").await;
    let name = made["metadata"]["name"]
        .as_str()
        .expect("a name")
        .to_owned();
    bindings
        .delete(&name, &Default::default())
        .await
        .expect("remove the binding");
    // A project namespace Berth did not make through its API.
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(kube(&berth));
    let foreign = serde_json::from_value(json!({"metadata": {"name": "berth-imported",
        "labels": {"app.kubernetes.io/managed-by": "berth", "berth.dev/project": "imported"}}}))
    .expect("a namespace");
    namespaces
        .create(&PostParams::default(), &foreign)
        .await
        .expect("create a namespace");

    let berth = berth.restart().await.expect("restart");
    berth.wait_ready().await;
    for namespace in ["berth-older", "berth-imported"] {
        let bindings: Api<RoleBinding> = Api::namespaced(kube(&berth), namespace);
        assert!(
            eventually(Duration::from_secs(10), || async {
                bindings.get_opt(&name).await.ok().flatten().is_some()
            })
            .await,
            "{namespace} got its binding back"
        );
        let again = project_binding(&berth, namespace).await;
        assert_eq!(again["roleRef"], made["roleRef"]);
        assert_eq!(again["subjects"], made["subjects"]);
    }
}
