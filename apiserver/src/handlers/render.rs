//! How objects and lists are written into responses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;

use crate::meta;
use crate::resource::ResourceType;
use crate::status::ApiError;
use crate::store::Stored;

pub fn json_response(code: StatusCode, body: impl Into<Bytes>) -> Response {
    let mut resp = (code, body.into()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// The object's JSON as served at the request's group/version. Stored bytes
/// are reused unless the object was written at another version.
pub fn render(stored: &Stored, rt: &ResourceType) -> Bytes {
    let want = rt.api_version();
    if stored.value.get("apiVersion").and_then(Value::as_str) == Some(want.as_str()) {
        return stored.json.clone();
    }
    let mut v = stored.value.clone();
    meta::ensure_object(&mut v).insert("apiVersion".into(), want.into());
    Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
}

pub(super) fn object_response(code: StatusCode, stored: &Stored, rt: &ResourceType) -> Response {
    json_response(code, render(stored, rt))
}

pub(super) fn not_found(rt: &ResourceType, name: &str) -> ApiError {
    ApiError::NotFound {
        gr: rt.gr(),
        name: name.to_string(),
    }
}

/// The kind of a list: `SecretList`, `ImagePointerList`, or `List` when the
/// kind of an unregistered custom resource is unknown.
pub(super) fn list_kind(kind: &str) -> String {
    if kind.is_empty() {
        "List".into()
    } else {
        format!("{kind}List")
    }
}
