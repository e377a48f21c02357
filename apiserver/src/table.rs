//! `meta.k8s.io/v1` Table responses, which `kubectl get` asks for
//! (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), with the columns
//! kubectl shows for these types on a real cluster.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::handlers::json_response;
use super::meta;
use super::resource::{Flavor, ResourceType};
use super::store::Stored;

/// Whether the client asked for a Table rendering.
pub fn wants_table(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("as=Table"))
}

fn column(name: &str, ty: &str, format: &str, description: &str) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": description, "priority": 0})
}

/// Kubernetes' `duration.HumanDuration`, the AGE column.
pub fn human_age(created: &str) -> String {
    let Ok(t) = created.parse::<jiff::Timestamp>() else {
        return "<unknown>".into();
    };
    let secs = (jiff::Timestamp::now().as_second() - t.as_second()).max(0);
    let (m, h) = (secs / 60, secs / 3600);
    let d = h / 24;
    match () {
        _ if secs < 120 => format!("{secs}s"),
        _ if m < 10 && secs % 60 == 0 => format!("{m}m"),
        _ if m < 10 => format!("{m}m{}s", secs % 60),
        _ if h < 3 => format!("{m}m"),
        _ if h < 8 && m % 60 == 0 => format!("{h}h"),
        _ if h < 8 => format!("{h}h{}m", m % 60),
        _ if h < 48 => format!("{h}h"),
        _ if h < 192 && h % 24 == 0 => format!("{d}d"),
        _ if h < 192 => format!("{d}d{}h", h % 24),
        _ if d < 365 * 2 => format!("{d}d"),
        _ => format!("{}y", d / 365),
    }
}

fn count(v: Option<&Value>) -> usize {
    v.and_then(Value::as_object).map_or(0, Map::len)
}

fn row(rt: &ResourceType, obj: &Value) -> Value {
    let name = meta::name(obj);
    let age = human_age(meta::meta_str(obj, "creationTimestamp"));
    let cells = match rt.flavor {
        Flavor::Namespace => json!([
            name,
            obj.get("status")
                .and_then(|s| s.get("phase"))
                .and_then(Value::as_str)
                .unwrap_or(""),
            age
        ]),
        Flavor::Secret => json!([
            name,
            obj.get("type").and_then(Value::as_str).unwrap_or(""),
            count(obj.get("data")),
            age
        ]),
        Flavor::ConfigMap => json!([
            name,
            count(obj.get("data")) + count(obj.get("binaryData")),
            age
        ]),
        Flavor::Custom => json!([name, age]),
    };
    json!({"cells": cells, "object": obj})
}

fn columns(rt: &ResourceType) -> Value {
    let name = column(
        "Name",
        "string",
        "name",
        "Name must be unique within a namespace.",
    );
    let age = column(
        "Age",
        "string",
        "",
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
    );
    match rt.flavor {
        Flavor::Namespace => json!([
            name,
            column("Status", "string", "", "The status of the namespace"),
            age
        ]),
        Flavor::Secret => json!([
            name,
            column("Type", "string", "", "The type of the secret"),
            column("Data", "string", "", "The number of entries in the secret"),
            age
        ]),
        Flavor::ConfigMap => json!([
            name,
            column(
                "Data",
                "string",
                "",
                "The number of entries in the configmap"
            ),
            age
        ]),
        Flavor::Custom => json!([name, age]),
    }
}

/// A Table of list items.
pub fn list_table(
    rt: &ResourceType,
    items: &[Arc<Stored>],
    list_meta: Map<String, Value>,
) -> Response {
    let rows: Vec<Value> = items.iter().map(|o| row(rt, &o.value)).collect();
    json_response(
        StatusCode::OK,
        json!({
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": list_meta,
            "columnDefinitions": columns(rt),
            "rows": rows,
        })
        .to_string(),
    )
}

/// A Table of one object.
pub fn object_table(rt: &ResourceType, obj: &Stored) -> Response {
    let mut md = Map::new();
    md.insert(
        "resourceVersion".into(),
        meta::resource_version(&obj.value).into(),
    );
    json_response(
        StatusCode::OK,
        json!({
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": md,
            "columnDefinitions": columns(rt),
            "rows": [row(rt, &obj.value)],
        })
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        let now = jiff::Timestamp::now();
        let ago = |s: i64| {
            (now - jiff::SignedDuration::from_secs(s))
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        };
        assert_eq!(human_age(&ago(5)), "5s");
        assert_eq!(human_age(&ago(185)), "3m5s");
        assert_eq!(human_age(&ago(3600 * 30)), "30h");
        assert_eq!(human_age("nonsense"), "<unknown>");
    }
}
