//! Protobuf bodies of ServiceAccounts, TokenRequests and the RBAC kinds, as
//! `kubectl create serviceaccount|token|role|rolebinding|…` sends them
//! (see [`super::protobuf`]).

use serde_json::{Map, Value};

use super::wire::{Field, fields, object_meta, put_str, string};
use crate::status::ApiError;

fn strings(list: &mut Vec<Value>, b: &[u8]) -> Result<(), ApiError> {
    list.push(Value::String(string(b)?));
    Ok(())
}

/// A ServiceAccount, Role, ClusterRole, RoleBinding or ClusterRoleBinding
/// (by `plural`) into `obj`.
pub fn object(plural: &str, b: &[u8], obj: &mut Map<String, Value>) -> Result<(), ApiError> {
    let mut rules = Vec::new();
    let mut subjects = Vec::new();
    for (n, f) in fields(b)? {
        match (plural, n, f) {
            (_, 1, Field::Bytes(v)) => {
                obj.insert("metadata".into(), object_meta(v)?);
            }
            ("serviceaccounts", 4, Field::Varint(v)) => {
                obj.insert("automountServiceAccountToken".into(), (v != 0).into());
            }
            ("roles" | "clusterroles", 2, Field::Bytes(v)) => rules.push(policy_rule(v)?),
            ("rolebindings" | "clusterrolebindings", 2, Field::Bytes(v)) => {
                subjects.push(subject(v)?);
            }
            ("rolebindings" | "clusterrolebindings", 3, Field::Bytes(v)) => {
                obj.insert("roleRef".into(), role_ref(v)?);
            }
            _ => {}
        }
    }
    if matches!(plural, "roles" | "clusterroles") {
        obj.insert("rules".into(), Value::Array(rules));
    }
    if !subjects.is_empty() {
        obj.insert("subjects".into(), Value::Array(subjects));
    }
    Ok(())
}

fn policy_rule(b: &[u8]) -> Result<Value, ApiError> {
    let keys = [
        "verbs",
        "apiGroups",
        "resources",
        "resourceNames",
        "nonResourceURLs",
    ];
    let mut lists: [Vec<Value>; 5] = Default::default();
    for (n, f) in fields(b)? {
        if let (1..=5, Field::Bytes(v)) = (n, f) {
            let i = usize::try_from(n - 1).unwrap_or_default();
            strings(&mut lists[i], v)?;
        }
    }
    let mut rule = Map::new();
    for (key, list) in keys.iter().zip(lists) {
        if !list.is_empty() {
            rule.insert((*key).into(), Value::Array(list));
        }
    }
    Ok(Value::Object(rule))
}

fn subject(b: &[u8]) -> Result<Value, ApiError> {
    let mut s = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => put_str(&mut s, "kind", v)?,
            (2, Field::Bytes(v)) => put_str(&mut s, "apiGroup", v)?,
            (3, Field::Bytes(v)) => put_str(&mut s, "name", v)?,
            (4, Field::Bytes(v)) => put_str(&mut s, "namespace", v)?,
            _ => {}
        }
    }
    Ok(Value::Object(s))
}

fn role_ref(b: &[u8]) -> Result<Value, ApiError> {
    let mut r = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => put_str(&mut r, "apiGroup", v)?,
            (2, Field::Bytes(v)) => put_str(&mut r, "kind", v)?,
            (3, Field::Bytes(v)) => put_str(&mut r, "name", v)?,
            _ => {}
        }
    }
    Ok(Value::Object(r))
}

/// An `authentication.k8s.io/v1` TokenRequest's spec into `obj`.
pub fn token_request(b: &[u8], obj: &mut Map<String, Value>) -> Result<(), ApiError> {
    for (n, f) in fields(b)? {
        if let (2, Field::Bytes(spec)) = (n, f) {
            let mut out = Map::new();
            let mut audiences = Vec::new();
            for (n, f) in fields(spec)? {
                match (n, f) {
                    (1, Field::Bytes(v)) => strings(&mut audiences, v)?,
                    (4, Field::Varint(v)) => {
                        // int64 on the wire: two's complement in a varint.
                        out.insert("expirationSeconds".into(), (v.cast_signed()).into());
                    }
                    _ => {}
                }
            }
            if !audiences.is_empty() {
                out.insert("audiences".into(), Value::Array(audiences));
            }
            obj.insert("spec".into(), Value::Object(out));
        }
    }
    Ok(())
}
