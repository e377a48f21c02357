//! Versions on the wire: an object's `resourceVersion` goes out as its
//! `ETag` and comes back in `If-Match`, so a stale edit is a 409.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The quoted `ETag` of a version.
fn etag_value(version: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("\"{version}\"")).ok()
}

/// The version a client sent in `If-Match` (quotes and `W/` removed);
/// `*` means any.
pub fn if_match(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::IF_MATCH)?.to_str().ok()?.trim();
    let raw = raw.strip_prefix("W/").unwrap_or(raw);
    let value = raw.trim_matches('"');
    (!value.is_empty() && value != "*").then(|| value.to_owned())
}

/// `body` as JSON with its version as `ETag`, and `Location` when given
/// (a creation).
pub fn with_etag(
    status: StatusCode,
    body: impl Serialize,
    version: &str,
    location: Option<String>,
) -> Response {
    let etag = etag_value(version);
    let mut response = (status, Json(body)).into_response();
    if let Some(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}
