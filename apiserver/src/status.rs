//! Errors of the embedded API server and their one mapping to `metav1.Status`.
//!
//! Every failure a handler can produce is an [`ApiError`]; [`ApiError::into_response`]
//! is the single place that turns it into the JSON body, HTTP code and `reason`
//! a Kubernetes API server would send, so clients (`kube`, `kubectl`) interpret
//! it exactly as they would a real cluster's answer. Messages never contain
//! secret values: callers only pass names, field paths and fixed wording.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::resource::GroupResource;

/// One invalid field, formatted like `k8s.io/apimachinery/pkg/util/validation/field.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub kind: FieldErrorKind,
    /// The field path, e.g. `metadata.name` or `data[.dockerconfigjson]`.
    pub field: String,
    /// The offending value, already rendered (quoted string or literal); `None` when not shown.
    pub value: Option<String>,
    pub detail: String,
}

/// The `field.ErrorType`s the server produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    Required,
    Invalid,
    TooLong,
    Forbidden,
    Duplicate,
    NotSupported,
    TooMany,
}

impl FieldError {
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            kind: FieldErrorKind::Required,
            field: field.into(),
            value: None,
            detail: detail.into(),
        }
    }

    /// An invalid string value; it is shown quoted, as Go's `%q` would.
    pub fn invalid(field: impl Into<String>, value: &str, detail: impl Into<String>) -> Self {
        Self::invalid_raw(field, format!("{value:?}"), detail)
    }

    /// An invalid value rendered verbatim (numbers, or `"<secret contents redacted>"`).
    pub fn invalid_raw(
        field: impl Into<String>,
        rendered: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind: FieldErrorKind::Invalid,
            field: field.into(),
            value: Some(rendered.into()),
            detail: detail.into(),
        }
    }

    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        Self {
            kind: FieldErrorKind::TooLong,
            field: field.into(),
            value: None,
            detail: format!("must have at most {max} bytes"),
        }
    }

    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            kind: FieldErrorKind::Forbidden,
            field: field.into(),
            value: None,
            detail: detail.into(),
        }
    }

    pub fn duplicate(field: impl Into<String>, value: &str) -> Self {
        Self {
            kind: FieldErrorKind::Duplicate,
            field: field.into(),
            value: Some(format!("{value:?}")),
            detail: String::new(),
        }
    }

    fn reason(&self) -> &'static str {
        match self.kind {
            FieldErrorKind::Required => "FieldValueRequired",
            FieldErrorKind::Invalid => "FieldValueInvalid",
            FieldErrorKind::TooLong => "FieldValueTooLong",
            FieldErrorKind::Forbidden => "FieldValueForbidden",
            FieldErrorKind::Duplicate => "FieldValueDuplicate",
            FieldErrorKind::NotSupported => "FieldValueNotSupported",
            FieldErrorKind::TooMany => "FieldValueTooMany",
        }
    }

    /// `field.Error.ErrorBody()`: everything after `field: `.
    pub fn body(&self) -> String {
        let head = match self.kind {
            FieldErrorKind::Required => "Required value",
            FieldErrorKind::Invalid => "Invalid value",
            FieldErrorKind::TooLong => "Too long",
            FieldErrorKind::Forbidden => "Forbidden",
            FieldErrorKind::Duplicate => "Duplicate value",
            FieldErrorKind::NotSupported => "Unsupported value",
            FieldErrorKind::TooMany => "Too many",
        };
        let mut s = head.to_string();
        if let Some(v) = &self.value {
            s.push_str(": ");
            s.push_str(v);
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// Every failure the API can answer with. The variants follow the
/// `metav1.StatusReason`s Kubernetes uses for the same situations.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{gr} {name:?} not found")]
    NotFound { gr: GroupResource, name: String },
    /// A path that names no resource or API at all.
    #[error("the server could not find the requested resource")]
    NoSuchPath,
    #[error("{gr} {name:?} already exists")]
    AlreadyExists { gr: GroupResource, name: String },
    #[error("Operation cannot be fulfilled on {gr} {name:?}: {detail}")]
    Conflict {
        gr: GroupResource,
        name: String,
        detail: String,
    },
    #[error("{} {name:?} is invalid: {}", qualified(.kind, .group), join_causes(.causes))]
    Invalid {
        kind: String,
        group: String,
        name: String,
        causes: Vec<FieldError>,
    },
    /// A request that fails validation before any object is at hand (e.g. a JSON
    /// patch that does not apply); Kubernetes answers those with a 422 without details.
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("the server does not allow this method on the requested resource")]
    MethodNotAllowed,
    #[error("{} is forbidden: {message}", forbidden_subject(.gr, .name))]
    Forbidden {
        gr: GroupResource,
        name: String,
        message: String,
        /// `(type, message, field)` causes.
        causes: Vec<(String, String, String)>,
    },
    /// A refusal that names no object: a non-resource path, a Host the
    /// listener does not serve. The message is Kubernetes' whole sentence.
    #[error("{0}")]
    Denied(String),
    /// No credentials, or ones this server did not issue.
    #[error("Unauthorized")]
    Unauthorized,
    #[error("{0}")]
    Expired(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("Internal error occurred: {0}")]
    Internal(String),
}

fn qualified(kind: &str, group: &str) -> String {
    if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    }
}

fn forbidden_subject(gr: &GroupResource, name: &str) -> String {
    if name.is_empty() {
        gr.to_string()
    } else {
        format!("{gr} {name:?}")
    }
}

fn join_causes(causes: &[FieldError]) -> String {
    match causes {
        [one] => one.to_string(),
        many => format!(
            "[{}]",
            many.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl ApiError {
    pub fn code(&self) -> StatusCode {
        match self {
            Self::NotFound { .. } | Self::NoSuchPath => StatusCode::NOT_FOUND,
            Self::AlreadyExists { .. } | Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Invalid { .. } | Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Forbidden { .. } | Self::Denied(_) => StatusCode::FORBIDDEN,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Expired(_) => StatusCode::GONE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn reason(&self) -> &'static str {
        match self {
            Self::NotFound { .. } | Self::NoSuchPath => "NotFound",
            Self::AlreadyExists { .. } => "AlreadyExists",
            Self::Conflict { .. } => "Conflict",
            Self::Invalid { .. } | Self::Unprocessable(_) => "Invalid",
            Self::BadRequest(_) => "BadRequest",
            Self::MethodNotAllowed => "MethodNotAllowed",
            Self::Forbidden { .. } | Self::Denied(_) => "Forbidden",
            Self::Unauthorized => "Unauthorized",
            Self::Expired(_) => "Expired",
            Self::UnsupportedMediaType(_) => "UnsupportedMediaType",
            Self::TooLarge(_) => "RequestEntityTooLarge",
            Self::Internal(_) => "InternalError",
        }
    }

    fn details(&self) -> Option<Value> {
        let mut d = Map::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                d.insert(k.to_string(), Value::String(v.to_string()));
            }
        };
        match self {
            Self::NotFound { gr, name }
            | Self::AlreadyExists { gr, name }
            | Self::Conflict { gr, name, .. } => {
                put("name", name);
                put("group", &gr.group);
                put("kind", &gr.resource);
            }
            Self::Forbidden {
                gr, name, causes, ..
            } => {
                put("name", name);
                put("group", &gr.group);
                put("kind", &gr.resource);
                if !causes.is_empty() {
                    d.insert(
                        "causes".into(),
                        causes
                            .iter()
                            .map(|(t, m, f)| json!({"reason": t, "message": m, "field": f}))
                            .collect(),
                    );
                }
            }
            Self::Invalid {
                kind,
                group,
                name,
                causes,
            } => {
                put("name", name);
                put("group", group);
                put("kind", kind);
                d.insert(
                    "causes".into(),
                    causes
                        .iter()
                        .map(|c| json!({"reason": c.reason(), "message": c.body(), "field": c.field}))
                        .collect(),
                );
            }
            Self::Internal(msg) => {
                d.insert("causes".into(), json!([{ "message": msg }]));
            }
            _ => return None,
        }
        Some(Value::Object(d))
    }

    /// The `metav1.Status` object for this error.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.to_string(),
            "reason": self.reason(),
            "code": self.code().as_u16(),
        });
        if let (Some(details), Some(obj)) = (self.details(), status.as_object_mut()) {
            obj.insert("details".into(), details);
        }
        status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if matches!(self, Self::Internal(_)) {
            tracing::error!(error = %self, "embedded API server internal error");
        }
        let body = self.to_status().to_string();
        let mut resp = (self.code(), body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        resp
    }
}

impl From<redb::Error> for ApiError {
    fn from(e: redb::Error) -> Self {
        Self::Internal(format!("storage: {e}"))
    }
}

/// The `Status` with `status: Success` that Kubernetes returns when deleting
/// objects whose registry does not return the deleted object.
pub fn success_status(gr: &GroupResource, name: &str, uid: &str) -> Value {
    let mut details = Map::new();
    details.insert("name".into(), name.into());
    if !gr.group.is_empty() {
        details.insert("group".into(), gr.group.clone().into());
    }
    details.insert("kind".into(), gr.resource.clone().into());
    if !uid.is_empty() {
        details.insert("uid".into(), uid.into());
    }
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_matches_kubernetes_wording() {
        let e = ApiError::NotFound {
            gr: GroupResource::core("namespaces"),
            name: "foo".into(),
        };
        let s = e.to_status();
        assert_eq!(s["message"], "namespaces \"foo\" not found");
        assert_eq!(s["reason"], "NotFound");
        assert_eq!(s["code"], 404);
        assert_eq!(s["details"]["kind"], "namespaces");
    }

    #[test]
    fn invalid_lists_causes() {
        let e = ApiError::Invalid {
            kind: "Secret".into(),
            group: String::new(),
            name: "x".into(),
            causes: vec![FieldError::required("data[.dockerconfigjson]", "")],
        };
        let s = e.to_status();
        assert_eq!(
            s["message"],
            "Secret \"x\" is invalid: data[.dockerconfigjson]: Required value"
        );
        assert_eq!(s["details"]["causes"][0]["reason"], "FieldValueRequired");
        assert_eq!(
            s["details"]["causes"][0]["field"],
            "data[.dockerconfigjson]"
        );
        assert_eq!(s["code"], 422);
    }

    #[test]
    fn group_qualified_conflict() {
        let e = ApiError::Conflict {
            gr: GroupResource::new("berth.dev", "imagepointers"),
            name: "a".into(),
            detail: "the object has been modified".into(),
        };
        assert_eq!(
            e.to_string(),
            "Operation cannot be fulfilled on imagepointers.berth.dev \"a\": the object has been modified"
        );
    }
}
