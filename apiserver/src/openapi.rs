//! A minimal OpenAPI v3 description, enough for kubectl's checks.
//!
//! `kubectl create -f` validates strictly by default. It first asks the
//! server's OpenAPI v3 document whether the PATCH operation of the object's
//! kind accepts the `fieldValidation` query parameter; when it does, kubectl
//! leaves validation to the server and needs no schema. So each served
//! group/version gets a document listing, per resource, a PATCH operation
//! tagged with its group/version/kind and that parameter. Schemas are empty:
//! this is not a full OpenAPI description (`kubectl explain` does not work).

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::{Value, json};

use super::discovery;
use super::resource::ResourceType;
use super::store::State;

/// `api/v1` or `apis/{group}/{version}` → resources served there.
fn group_versions(state: &State) -> BTreeMap<String, Vec<ResourceType>> {
    let mut out = BTreeMap::new();
    out.insert("api/v1".to_string(), super::resource::core_resources());
    for (group, versions) in discovery::custom_groups(state) {
        for (version, resources) in versions {
            out.insert(format!("apis/{group}/{version}"), resources);
        }
    }
    out
}

fn hash_of(resources: &[ResourceType]) -> String {
    let mut h = DefaultHasher::new();
    discovery::GIT_VERSION.hash(&mut h);
    for r in resources {
        (&r.group, &r.version, &r.plural, &r.kind, r.namespaced).hash(&mut h);
    }
    format!("{:016X}", h.finish())
}

/// `GET /openapi/v3`: where each group/version's document is.
pub fn root(state: &State) -> Value {
    let paths: serde_json::Map<String, Value> = group_versions(state)
        .into_iter()
        .map(|(gv, resources)| {
            let url = format!("/openapi/v3/{gv}?hash={}", hash_of(&resources));
            (gv, json!({"serverRelativeURL": url}))
        })
        .collect();
    json!({"paths": paths})
}

/// `GET /openapi/v3/{api/v1 | apis/g/v}`.
pub fn group_version(state: &State, gv: &str) -> Option<Value> {
    let resources = group_versions(state).remove(gv)?;
    let mut paths = serde_json::Map::new();
    for r in &resources {
        let gvk = json!({"group": r.group, "version": r.version, "kind": r.kind});
        let base = if r.namespaced {
            format!("/{gv}/namespaces/{{namespace}}/{}/{{name}}", r.plural)
        } else {
            format!("/{gv}/{}/{{name}}", r.plural)
        };
        let op = |id: &str| {
            json!({
                "operationId": format!("{id}{}", r.kind),
                "x-kubernetes-group-version-kind": gvk,
                "parameters": [
                    {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
                    {"name": "fieldManager", "in": "query", "schema": {"type": "string"}},
                    {"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "OK"}},
            })
        };
        paths.insert(base, json!({"patch": op("patch"), "put": op("replace")}));
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": discovery::GIT_VERSION},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}
