//! The protobuf form of a `batch/v1` Job, as `kubectl create job` sends it:
//! the fields of the Job spec, its Pod template and containers that kubectl
//! and Berth set. Numbers are those of Kubernetes' `generated.proto`.

use serde_json::{Map, Value, json};

use super::wire::{Field, fields, map_entry, object_meta, put_str, string};
use crate::status::ApiError;

fn int(v: u64) -> Value {
    // int32/int64 fields: negative values arrive as 64-bit two's complement.
    #[allow(clippy::cast_possible_wrap)]
    let n = v as i64;
    n.into()
}

fn strings(list: &mut Vec<Value>, b: &[u8]) -> Result<(), ApiError> {
    list.push(Value::String(string(b)?));
    Ok(())
}

fn key_selector(b: &[u8]) -> Result<Value, ApiError> {
    // {Secret,ConfigMap}KeySelector: localObjectReference=1 {name=1}, key=2, optional=3.
    let mut o = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(r)) => {
                for (n, f) in fields(r)? {
                    if let (1, Field::Bytes(v)) = (n, f) {
                        put_str(&mut o, "name", v)?;
                    }
                }
            }
            (2, Field::Bytes(v)) => put_str(&mut o, "key", v)?,
            (3, Field::Varint(v)) => {
                o.insert("optional".into(), (v != 0).into());
            }
            _ => {}
        }
    }
    Ok(Value::Object(o))
}

fn env_var(b: &[u8]) -> Result<Value, ApiError> {
    let mut o = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => put_str(&mut o, "name", v)?,
            (2, Field::Bytes(v)) => put_str(&mut o, "value", v)?,
            (3, Field::Bytes(src)) => {
                let mut from = Map::new();
                for (n, f) in fields(src)? {
                    match (n, f) {
                        (1, Field::Bytes(v)) => {
                            let mut r = Map::new();
                            for (n, f) in fields(v)? {
                                match (n, f) {
                                    (1, Field::Bytes(x)) => put_str(&mut r, "apiVersion", x)?,
                                    (2, Field::Bytes(x)) => put_str(&mut r, "fieldPath", x)?,
                                    _ => {}
                                }
                            }
                            from.insert("fieldRef".into(), Value::Object(r));
                        }
                        (3, Field::Bytes(v)) => {
                            from.insert("configMapKeyRef".into(), key_selector(v)?);
                        }
                        (4, Field::Bytes(v)) => {
                            from.insert("secretKeyRef".into(), key_selector(v)?);
                        }
                        _ => {}
                    }
                }
                o.insert("valueFrom".into(), Value::Object(from));
            }
            _ => {}
        }
    }
    Ok(Value::Object(o))
}

fn quantities(b: &[u8], into: &mut Map<String, Value>) -> Result<(), ApiError> {
    // map<string, Quantity>; Quantity is { string = 1 }.
    let mut key = String::new();
    let mut value = String::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(k)) => key = string(k)?,
            (2, Field::Bytes(q)) => {
                for (n, f) in fields(q)? {
                    if let (1, Field::Bytes(s)) = (n, f) {
                        value = string(s)?;
                    }
                }
            }
            _ => {}
        }
    }
    into.insert(key, value.into());
    Ok(())
}

fn container(b: &[u8]) -> Result<Value, ApiError> {
    let mut c = Map::new();
    let (mut command, mut args, mut env) = (Vec::new(), Vec::new(), Vec::new());
    let (mut limits, mut requests) = (Map::new(), Map::new());
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => put_str(&mut c, "name", v)?,
            (2, Field::Bytes(v)) => put_str(&mut c, "image", v)?,
            (3, Field::Bytes(v)) => strings(&mut command, v)?,
            (4, Field::Bytes(v)) => strings(&mut args, v)?,
            (5, Field::Bytes(v)) => put_str(&mut c, "workingDir", v)?,
            (7, Field::Bytes(v)) => env.push(env_var(v)?),
            (8, Field::Bytes(r)) => {
                for (n, f) in fields(r)? {
                    match (n, f) {
                        (1, Field::Bytes(q)) => quantities(q, &mut limits)?,
                        (2, Field::Bytes(q)) => quantities(q, &mut requests)?,
                        _ => {}
                    }
                }
            }
            (13, Field::Bytes(v)) => put_str(&mut c, "terminationMessagePath", v)?,
            (14, Field::Bytes(v)) => put_str(&mut c, "imagePullPolicy", v)?,
            (20, Field::Bytes(v)) => put_str(&mut c, "terminationMessagePolicy", v)?,
            _ => {}
        }
    }
    for (k, list) in [("command", command), ("args", args), ("env", env)] {
        if !list.is_empty() {
            c.insert(k.into(), Value::Array(list));
        }
    }
    let mut resources = Map::new();
    if !limits.is_empty() {
        resources.insert("limits".into(), Value::Object(limits));
    }
    if !requests.is_empty() {
        resources.insert("requests".into(), Value::Object(requests));
    }
    c.insert("resources".into(), Value::Object(resources));
    Ok(Value::Object(c))
}

fn pod_spec(b: &[u8]) -> Result<Value, ApiError> {
    let mut s = Map::new();
    let (mut containers, mut pull_secrets) = (Vec::new(), Vec::new());
    let mut node_selector = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (2, Field::Bytes(v)) => containers.push(container(v)?),
            (3, Field::Bytes(v)) => put_str(&mut s, "restartPolicy", v)?,
            (4, Field::Varint(v)) => {
                s.insert("terminationGracePeriodSeconds".into(), int(v));
            }
            (5, Field::Varint(v)) => {
                s.insert("activeDeadlineSeconds".into(), int(v));
            }
            (6, Field::Bytes(v)) => put_str(&mut s, "dnsPolicy", v)?,
            (7, Field::Bytes(v)) => {
                let (k, v) = map_entry(v, false)?;
                node_selector.insert(k, v);
            }
            (8, Field::Bytes(v)) => put_str(&mut s, "serviceAccountName", v)?,
            (15, Field::Bytes(v)) => {
                let mut r = Map::new();
                for (n, f) in fields(v)? {
                    if let (1, Field::Bytes(x)) = (n, f) {
                        put_str(&mut r, "name", x)?;
                    }
                }
                pull_secrets.push(Value::Object(r));
            }
            (16, Field::Bytes(v)) => put_str(&mut s, "hostname", v)?,
            (17, Field::Bytes(v)) => put_str(&mut s, "subdomain", v)?,
            (19, Field::Bytes(v)) => put_str(&mut s, "schedulerName", v)?,
            _ => {}
        }
    }
    s.insert("containers".into(), Value::Array(containers));
    if !pull_secrets.is_empty() {
        s.insert("imagePullSecrets".into(), Value::Array(pull_secrets));
    }
    if !node_selector.is_empty() {
        s.insert("nodeSelector".into(), Value::Object(node_selector));
    }
    Ok(Value::Object(s))
}

fn job_spec(b: &[u8]) -> Result<Value, ApiError> {
    let mut s = Map::new();
    for (n, f) in fields(b)? {
        let key = match n {
            1 => "parallelism",
            2 => "completions",
            3 => "activeDeadlineSeconds",
            5 => "manualSelector",
            7 => "backoffLimit",
            8 => "ttlSecondsAfterFinished",
            10 => "suspend",
            12 => "backoffLimitPerIndex",
            13 => "maxFailedIndexes",
            _ => "",
        };
        match (n, f) {
            (5 | 10, Field::Varint(v)) => {
                s.insert(key.into(), (v != 0).into());
            }
            (_, Field::Varint(v)) if !key.is_empty() => {
                s.insert(key.into(), int(v));
            }
            (6, Field::Bytes(t)) => {
                let mut template = Map::new();
                for (n, f) in fields(t)? {
                    match (n, f) {
                        (1, Field::Bytes(v)) => {
                            template.insert("metadata".into(), object_meta(v)?);
                        }
                        (2, Field::Bytes(v)) => {
                            template.insert("spec".into(), pod_spec(v)?);
                        }
                        _ => {}
                    }
                }
                s.insert("template".into(), Value::Object(template));
            }
            (9, Field::Bytes(v)) => put_str(&mut s, "completionMode", v)?,
            (14, Field::Bytes(v)) => put_str(&mut s, "podReplacementPolicy", v)?,
            _ => {}
        }
    }
    Ok(Value::Object(s))
}

/// Decodes the raw Job message into `obj` (metadata and spec; status is the server's).
pub fn job(b: &[u8], obj: &mut Map<String, Value>) -> Result<(), ApiError> {
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => {
                obj.insert("metadata".into(), object_meta(v)?);
            }
            (2, Field::Bytes(v)) => {
                obj.insert("spec".into(), job_spec(v)?);
            }
            _ => {}
        }
    }
    obj.entry("spec").or_insert_with(|| json!({}));
    Ok(())
}
