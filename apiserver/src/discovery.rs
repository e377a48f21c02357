//! Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`,
//! `/apis/{group}`, `/apis/{group}/{version}`.
//!
//! Always plain `application/json` (legacy discovery), even when the client
//! asks for aggregated discovery: kubectl and kube fall back to it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::resource::{self, BERTH_GROUP, BERTH_VERSION, Flavor, ResourceType, VERBS};
use super::store::State;

/// The version this server reports (the Kubernetes API level it imitates).
pub const GIT_VERSION: &str = "v1.33.0-berth";

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "gitVersion": GIT_VERSION,
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
        "goVersion": concat!("berth ", env!("CARGO_PKG_VERSION")),
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
    })
}

pub fn api_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}],
    })
}

fn api_resource(r: &ResourceType) -> Vec<Value> {
    let verbs: Vec<&str> = VERBS
        .iter()
        .copied()
        .filter(|v| !(r.flavor == Flavor::Namespace && *v == "deletecollection"))
        .collect();
    let mut main = json!({
        "name": r.plural,
        "singularName": r.singular,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": verbs,
    });
    if !r.short_names.is_empty() {
        main["shortNames"] = json!(r.short_names);
    }
    let mut out = vec![main];
    if matches!(
        r.flavor,
        Flavor::Namespace | Flavor::Custom | Flavor::Pod | Flavor::Job
    ) {
        out.push(json!({
            "name": format!("{}/status", r.plural),
            "singularName": "",
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": ["get", "patch", "update"],
        }));
    }
    if r.flavor == Flavor::Pod {
        out.push(json!({
            "name": "pods/log",
            "singularName": "",
            "namespaced": true,
            "kind": "Pod",
            "verbs": ["get"],
        }));
    }
    if r.plural == "serviceaccounts" && r.group.is_empty() {
        out.push(json!({
            "name": "serviceaccounts/token",
            "singularName": "",
            "namespaced": true,
            "group": "authentication.k8s.io",
            "version": "v1",
            "kind": "TokenRequest",
            "verbs": ["create"],
        }));
    }
    if r.flavor == Flavor::Namespace {
        out.push(json!({
            "name": "namespaces/finalize",
            "singularName": "",
            "namespaced": false,
            "kind": "Namespace",
            "verbs": ["update"],
        }));
    }
    out
}

fn resource_list(group_version: &str, resources: &[ResourceType]) -> Value {
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources.iter().flat_map(api_resource).collect::<Vec<_>>(),
    })
}

pub fn core_resources() -> Value {
    resource_list("v1", &resource::core_resources())
}

/// Named groups by version: the built-in `batch`, Berth's custom resources, plus any unregistered ones
/// that have objects (so `kubectl get widgets.example.com` works too).
pub fn custom_groups(state: &State) -> BTreeMap<String, BTreeMap<String, Vec<ResourceType>>> {
    let mut groups: BTreeMap<String, BTreeMap<String, Vec<ResourceType>>> = BTreeMap::new();
    for r in resource::builtin_group_resources() {
        groups
            .entry(r.group.clone())
            .or_default()
            .entry(r.version.clone())
            .or_default()
            .push(r);
    }
    groups
        .entry(BERTH_GROUP.into())
        .or_default()
        .insert(BERTH_VERSION.into(), resource::berth_resources());
    let mut learned: Vec<_> = state
        .resources()
        .filter(|gr| !gr.group.is_empty())
        .collect();
    learned.sort();
    for gr in learned {
        if gr.group == BERTH_GROUP || resource::is_builtin_group(&gr.group) {
            continue;
        }
        let Some((_, obj)) = state.range(gr, None, None).next() else {
            continue;
        };
        let api_version = obj
            .value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let Some((_, version)) = api_version.split_once('/') else {
            continue;
        };
        let rt = resource::custom(&gr.group, version, &gr.resource, state.learned_kind(gr));
        groups
            .entry(gr.group.clone())
            .or_default()
            .entry(version.to_string())
            .or_default()
            .push(rt);
    }
    groups
}

fn group_doc(name: &str, versions: &BTreeMap<String, Vec<ResourceType>>) -> Value {
    let vs: Vec<Value> = versions
        .keys()
        .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
        .collect();
    let preferred = vs.first().cloned().unwrap_or(Value::Null);
    json!({"name": name, "versions": vs, "preferredVersion": preferred})
}

pub fn api_groups(state: &State) -> Value {
    let groups: Vec<Value> = custom_groups(state)
        .iter()
        .map(|(name, versions)| group_doc(name, versions))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn api_group(state: &State, group: &str) -> Option<Value> {
    let groups = custom_groups(state);
    let versions = groups.get(group)?;
    let mut doc = group_doc(group, versions);
    doc["kind"] = "APIGroup".into();
    doc["apiVersion"] = "v1".into();
    Some(doc)
}

pub fn group_resources(state: &State, group: &str, version: &str) -> Option<Value> {
    let groups = custom_groups(state);
    let resources = groups.get(group)?.get(version)?;
    Some(resource_list(&format!("{group}/{version}"), resources))
}
