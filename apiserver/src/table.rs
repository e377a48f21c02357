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
        Flavor::Job => json!([
            name,
            job_status(obj),
            job_completions(obj),
            job_duration(obj),
            age
        ]),
        Flavor::Pod => {
            let ready = obj
                .pointer("/status/containerStatuses")
                .and_then(Value::as_array)
                .map_or(0, |cs| {
                    cs.iter()
                        .filter(|c| c.get("ready") == Some(&Value::Bool(true)))
                        .count()
                });
            let total = obj
                .pointer("/spec/containers")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let restarts = obj
                .pointer("/status/containerStatuses/0/restartCount")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            json!([
                name,
                format!("{ready}/{total}"),
                pod_status(obj),
                restarts,
                age
            ])
        }
        Flavor::Custom | Flavor::Plain => json!([name, age]),
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
        Flavor::Job => json!([
            name,
            column("Status", "string", "", "Status of the job."),
            column(
                "Completions",
                "string",
                "",
                "The desired number of successfully finished pods the job should be run with."
            ),
            column(
                "Duration",
                "string",
                "",
                "Time required to complete the job."
            ),
            age
        ]),
        Flavor::Pod => json!([
            name,
            column(
                "Ready",
                "string",
                "",
                "The aggregate readiness state of this pod for accepting traffic."
            ),
            column(
                "Status",
                "string",
                "",
                "The aggregate status of the containers in this pod."
            ),
            column(
                "Restarts",
                "string",
                "",
                "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."
            ),
            age
        ]),
        Flavor::Custom | Flavor::Plain => json!([name, age]),
    }
}

fn condition_true(obj: &Value, ty: &str) -> bool {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some(ty)
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
}

/// kubectl's Job status column.
fn job_status(obj: &Value) -> &'static str {
    if condition_true(obj, "Complete") {
        "Complete"
    } else if condition_true(obj, "Failed") {
        "Failed"
    } else if condition_true(obj, "FailureTarget") {
        "FailureTarget"
    } else if condition_true(obj, "SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else if obj.pointer("/spec/suspend") == Some(&Value::Bool(true)) {
        "Suspended"
    } else {
        "Running"
    }
}

fn job_completions(obj: &Value) -> String {
    let succeeded = obj
        .pointer("/status/succeeded")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    match obj.pointer("/spec/completions").and_then(Value::as_u64) {
        Some(c) => format!("{succeeded}/{c}"),
        None => {
            let p = obj
                .pointer("/spec/parallelism")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            format!("{succeeded}/1 of {p}")
        }
    }
}

fn job_duration(obj: &Value) -> String {
    let t = |k: &str| {
        obj.pointer(k)
            .and_then(Value::as_str)
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    };
    let Some(start) = t("/status/startTime") else {
        return String::new();
    };
    let end = t("/status/completionTime").unwrap_or_else(jiff::Timestamp::now);
    let secs = (end.as_second() - start.as_second()).max(0);
    if secs < 120 {
        format!("{secs}s")
    } else {
        format!("{}m", secs / 60)
    }
}

/// kubectl's Pod status column: a container's waiting or terminated reason, else the phase.
fn pod_status(obj: &Value) -> String {
    let state = obj.pointer("/status/containerStatuses/0/state");
    let reason = state
        .and_then(|s| {
            s.pointer("/waiting/reason")
                .or_else(|| s.pointer("/terminated/reason"))
        })
        .and_then(Value::as_str);
    if let Some(r) = reason {
        return r.to_string();
    }
    obj.pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("Pending")
        .to_string()
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
