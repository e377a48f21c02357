//! What a request carries: query parameters, the addressed target, and the
//! object or `DeleteOptions` in its body.

use serde_json::Value;

use crate::meta;
use crate::resource::ResourceType;
use crate::selector::Selectors;
use crate::status::ApiError;

/// Query parameters the server understands (others are ignored, as unknown
/// parameters are by Kubernetes).
#[derive(Debug, Default, Clone)]
pub struct Params {
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
    pub resource_version: Option<String>,
    pub watch: bool,
    pub timeout_seconds: Option<u64>,
    pub allow_watch_bookmarks: bool,
    pub send_initial_events: bool,
    pub dry_run: bool,
    pub propagation_policy: Option<String>,
}

pub(super) fn truthy(v: &str) -> bool {
    matches!(v, "true" | "1" | "True" | "TRUE")
}

impl Params {
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ApiError> {
        let mut p = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "labelSelector" => p.label_selector = Some(v.clone()),
                "fieldSelector" => p.field_selector = Some(v.clone()),
                "limit" => {
                    let n: i64 = v.parse().map_err(|_| {
                        ApiError::BadRequest(format!("invalid value for limit: {v:?}"))
                    })?;
                    p.limit = usize::try_from(n).ok().filter(|n| *n > 0);
                }
                "continue" => p.continue_token = Some(v.clone()).filter(|v| !v.is_empty()),
                "resourceVersion" => p.resource_version = Some(v.clone()).filter(|v| !v.is_empty()),
                "watch" => p.watch = truthy(v),
                "timeoutSeconds" => {
                    p.timeout_seconds = Some(v.parse().map_err(|_| {
                        ApiError::BadRequest(format!("invalid value for timeoutSeconds: {v:?}"))
                    })?)
                }
                "allowWatchBookmarks" => p.allow_watch_bookmarks = truthy(v),
                "sendInitialEvents" => p.send_initial_events = truthy(v),
                "dryRun" => p.dry_run = v == "All",
                "propagationPolicy" => p.propagation_policy = Some(v.clone()),
                _ => {}
            }
        }
        Ok(p)
    }

    pub fn selectors(&self, rt: &ResourceType) -> Result<Selectors, ApiError> {
        Selectors::parse(
            self.label_selector.as_deref(),
            self.field_selector.as_deref(),
            rt,
        )
        .map_err(|e| ApiError::BadRequest(e.to_string()))
    }
}

/// Where a request points.
#[derive(Debug, Clone)]
pub struct Target {
    pub rt: ResourceType,
    /// The namespace in the path (`None` for cluster-scoped resources and
    /// all-namespaces lists).
    pub namespace: Option<String>,
}

impl Target {
    pub fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }
}

/// Parses a request body into an object of this resource: a JSON object whose
/// `apiVersion`/`kind` (if given) match the path, with both filled in.
pub(super) fn parse_body(body: &[u8], rt: &ResourceType) -> Result<Value, ApiError> {
    let mut obj: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body of the request could not be decoded as JSON: {e}"
        ))
    })?;
    let Some(map) = obj.as_object_mut() else {
        return Err(ApiError::BadRequest(
            "the body of the request must be a JSON object".into(),
        ));
    };
    let want_version = rt.api_version();
    match map.get("apiVersion").and_then(Value::as_str) {
        Some(v) if !v.is_empty() && v != want_version => {
            return Err(ApiError::BadRequest(format!(
                "the API version in the data ({v}) does not match the expected API version ({want_version})"
            )));
        }
        _ => {}
    }
    let body_kind = map
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = match (rt.kind.as_str(), body_kind.as_str()) {
        ("", "") => {
            return Err(ApiError::BadRequest("Object 'Kind' is missing".into()));
        }
        ("", k) => k.to_string(),
        (k, "") => k.to_string(),
        (k, b) if k == b => k.to_string(),
        (k, b) => {
            return Err(ApiError::BadRequest(format!(
                "the kind in the data ({b}) does not match the expected kind ({k})"
            )));
        }
    };
    map.insert("apiVersion".into(), want_version.into());
    map.insert("kind".into(), kind.into());
    if !map
        .get("metadata")
        .is_none_or(|m| m.is_object() || m.is_null())
    {
        return Err(ApiError::BadRequest(
            "metadata must be a JSON object".into(),
        ));
    }
    meta::metadata_mut(&mut obj);
    Ok(obj)
}

/// Sets or checks `metadata.namespace` against the path.
pub(super) fn check_namespace(obj: &mut Value, t: &Target) -> Result<(), ApiError> {
    let md = meta::metadata_mut(obj);
    if t.rt.namespaced {
        let ns = t.ns().to_string();
        match md.get("namespace").and_then(Value::as_str) {
            Some(given) if !given.is_empty() && given != ns => {
                return Err(ApiError::BadRequest(
                    "the namespace of the provided object does not match the namespace sent on the request".into(),
                ));
            }
            _ => {
                md.insert("namespace".into(), ns.into());
            }
        }
    } else {
        md.remove("namespace");
    }
    Ok(())
}

pub(super) fn parse_delete_options(body: &[u8]) -> Result<Option<Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice::<Value>(body)
        .map(Some)
        .map_err(|e| ApiError::BadRequest(format!("invalid DeleteOptions: {e}")))
}
