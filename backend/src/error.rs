//! The one error type of Berth's HTTP API and its single mapping to an
//! RFC 9457 `application/problem+json` response.

use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_shared::message;
use berth_shared::{FieldError, Message, Problem};
use thiserror::Error;

use crate::kinds::Kind;

/// Everything an API handler can answer instead of success. What a person
/// reads is [`ApiError::message`]: a code, its values and the English
/// sentence they make (each variant's `Display`).
#[derive(Debug, Error)]
#[error("{}", self.message())]
pub enum ApiError {
    Validation(Vec<FieldError>),
    ProjectExists(String),
    ProjectNotFound(String),
    ProjectDeleting(String),
    /// The namespace began terminating while a request was under way (the
    /// project check had passed a moment before).
    NamespaceTerminating,
    ProjectDeleted(String),
    ProjectNotDeleted(String),
    SoftDeleteDisabled,
    Conflict(Message),
    ItemNotFound(Message),
    UnknownEndpoint,
    NotFound {
        kind: &'static Kind,
        name: String,
    },
    NameTaken {
        kind: &'static Kind,
        name: String,
    },
    StaleVersion {
        kind: &'static Kind,
    },
    CredentialInUse {
        name: String,
        used_by: Vec<String>,
    },
    Registry(#[from] crate::registry::RegistryError),
    BadRequest(Message),
    PayloadTooLarge,
    Unauthenticated,
    BadCredentials,
    TooManyAttempts {
        retry_after_seconds: u64,
    },
    PasswordChangeRequired,
    CsrfCheckFailed,
    Forbidden(Message),
    ClusterUnavailable(#[source] kube::Error),
    Internal(#[source] anyhow::Error),
    /// What axum itself refused (a query, a path, a body, a method), with
    /// its status and words.
    Rejected {
        status: StatusCode,
        text: String,
    },
}

/// What a request axum refused before any handler ran is told.
fn rejected_message(status: StatusCode, text: &str) -> Message {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => message!("request.method"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => message!("request.json_required"),
        StatusCode::PAYLOAD_TOO_LARGE => message!("request.too_large"),
        _ if text.is_empty() => message!("request.invalid"),
        _ => message!("request.invalid.reason").with("reason", text),
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::ProjectExists(_) | Self::ProjectDeleting(_) | Self::NamespaceTerminating => {
                StatusCode::CONFLICT
            }
            Self::ProjectNotDeleted(_) | Self::Conflict(_) => StatusCode::CONFLICT,
            Self::ProjectDeleted(_) => StatusCode::GONE,
            Self::SoftDeleteDisabled => StatusCode::BAD_REQUEST,
            Self::ItemNotFound(_) => StatusCode::NOT_FOUND,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::NameTaken { .. } | Self::StaleVersion { .. } | Self::CredentialInUse { .. } => {
                StatusCode::CONFLICT
            }
            Self::Registry(e) => registry_status(e),
            Self::ProjectNotFound(_) | Self::UnknownEndpoint => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthenticated | Self::BadCredentials => StatusCode::UNAUTHORIZED,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PasswordChangeRequired | Self::CsrfCheckFailed | Self::Forbidden(_) => {
                StatusCode::FORBIDDEN
            }
            Self::ClusterUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Rejected { status, .. } => *status,
        }
    }

    /// What the person is told, as a code and its values: the one place
    /// that words every answer (its English is the problem's `detail`).
    pub fn message(&self) -> Message {
        match self {
            Self::Validation(_) => message!("validation.failed"),
            Self::ProjectExists(name) => message!("project.name.taken").with("name", name),
            Self::ProjectNotFound(name) => message!("project.not_found").with("name", name),
            Self::ProjectDeleting(name) => message!("project.deleting").with("name", name),
            Self::NamespaceTerminating => message!("project.terminating"),
            Self::ProjectDeleted(name) => message!("project.deleted").with("name", name),
            Self::ProjectNotDeleted(name) => message!("project.not_deleted").with("name", name),
            Self::SoftDeleteDisabled => message!("project.soft_delete_disabled"),
            Self::Conflict(message)
            | Self::ItemNotFound(message)
            | Self::BadRequest(message)
            | Self::Forbidden(message) => message.clone(),
            Self::UnknownEndpoint => message!("api.unknown_endpoint"),
            Self::NotFound { kind, name } => kind.not_found(name),
            Self::NameTaken { kind, name } => kind.name_taken(name),
            Self::StaleVersion { kind } => kind.stale(),
            Self::CredentialInUse { name, used_by } => match used_by.split_last() {
                Some((only, [])) => message!("credential.in_use")
                    .with("name", name)
                    .with("pointer", only),
                Some((last, rest)) => message!("credential.in_use.many")
                    .with("name", name)
                    .with("pointers", quoted_list(rest))
                    .with("last", last),
                None => message!("credential.in_use.many")
                    .with("name", name)
                    .with("pointers", "")
                    .with("last", ""),
            },
            Self::Registry(e) => e.message(),
            Self::PayloadTooLarge => message!("request.too_large"),
            Self::Unauthenticated => message!("session.required"),
            Self::BadCredentials => message!("session.sign_in.refused"),
            Self::TooManyAttempts {
                retry_after_seconds,
            } => message!("session.sign_in.too_many").with("seconds", retry_after_seconds),
            Self::PasswordChangeRequired => message!("session.password.change_required"),
            Self::CsrfCheckFailed => message!("session.csrf"),
            Self::ClusterUnavailable(_) => message!("storage.unavailable"),
            Self::Internal(_) => message!("server.internal"),
            Self::Rejected { status, text } => rejected_message(*status, text),
        }
    }

    fn problem(&self) -> Problem {
        let status = self.status();
        let title = status.canonical_reason().unwrap_or("Error").to_owned();
        let message = self.message();
        let errors = match self {
            Self::Validation(errors) => errors.clone(),
            Self::ProjectExists(_) | Self::NameTaken { .. } => {
                vec![FieldError::new("name", message.clone())]
            }
            _ => Vec::new(),
        };
        Problem {
            kind: match self {
                Self::Registry(e) => registry_problem_type(e),
                Self::CredentialInUse { .. } => "https://berth.dev/problems/credential-in-use",
                Self::StaleVersion { .. } => "https://berth.dev/problems/stale-version",
                Self::PasswordChangeRequired => {
                    "https://berth.dev/problems/password-change-required"
                }
                Self::CsrfCheckFailed => "https://berth.dev/problems/csrf",
                _ => "about:blank",
            }
            .to_owned(),
            title,
            status: status.as_u16(),
            detail: Some(message.english()),
            code: Some(message.code),
            params: message.params,
            errors,
            request_id: None,
        }
    }
}

/// "“a”, “b”": the pointers before the last one of "“a”, “b” and “c”".
fn quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("“{i}”")).collect();
    quoted.join(", ")
}

/// A registry refusing credentials or lacking the image is a problem with
/// the input (422); not reaching it at all is a gateway problem (502).
fn registry_status(e: &crate::registry::RegistryError) -> StatusCode {
    use crate::registry::RegistryError as R;
    match e {
        R::Unauthorized { .. }
        | R::CredentialsNeeded { .. }
        | R::NotFound { .. }
        | R::InternalAddress { .. }
        | R::PlainHttp { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        R::Unreachable { .. } | R::Tls { .. } | R::Unexpected { .. } => StatusCode::BAD_GATEWAY,
    }
}

/// Problem types that let a client tell the registry failures apart.
fn registry_problem_type(e: &crate::registry::RegistryError) -> &'static str {
    use crate::registry::RegistryError as R;
    match e {
        R::Unauthorized { .. } => "https://berth.dev/problems/registry-unauthorized",
        R::CredentialsNeeded { .. } => "https://berth.dev/problems/registry-credentials-needed",
        R::NotFound { .. } => "https://berth.dev/problems/image-not-found",
        R::Unreachable { .. } => "https://berth.dev/problems/registry-unreachable",
        R::Tls { .. } => "https://berth.dev/problems/registry-tls",
        R::Unexpected { .. } => "https://berth.dev/problems/registry-unexpected",
        R::InternalAddress { .. } => "https://berth.dev/problems/registry-internal-address",
        R::PlainHttp { .. } => "https://berth.dev/problems/registry-plain-http",
    }
}

/// Errors from the Kubernetes API that are not a domain answer: the API is
/// down or misbehaving. Domain cases (not found, conflict) are mapped by the
/// services, which know what they mean.
impl From<kube::Error> for ApiError {
    fn from(err: kube::Error) -> Self {
        match err {
            kube::Error::Api(status) if status.code >= 500 => {
                Self::ClusterUnavailable(kube::Error::Api(status))
            }
            // Kubernetes' namespace lifecycle admission: "unable to create new
            // content in namespace X because it is being terminated".
            kube::Error::Api(status)
                if status.code == 403
                    && status.message.contains("because it is being terminated") =>
            {
                Self::NamespaceTerminating
            }
            kube::Error::Api(_) => Self::Internal(anyhow::Error::new(err)),
            other => Self::ClusterUnavailable(other),
        }
    }
}

/// Answers the storage layer names become the matching problem; the rest
/// are read like any other Kubernetes error.
impl From<crate::storage::StorageError> for ApiError {
    fn from(err: crate::storage::StorageError) -> Self {
        use crate::storage::StorageError as S;
        match err.into_kube() {
            Ok(kube) => kube.into(),
            Err(S::NotFound { what, name }) => match crate::kinds::by_noun(what) {
                Some(kind) => Self::NotFound { kind, name },
                None => Self::Internal(S::NotFound { what, name }.into()),
            },
            Err(S::NameTaken { what, name }) => match crate::kinds::by_noun(what) {
                Some(kind) => Self::NameTaken { kind, name },
                None => Self::Internal(S::NameTaken { what, name }.into()),
            },
            Err(S::Stale { what }) => match crate::kinds::by_noun(what) {
                Some(kind) => Self::StaleVersion { kind },
                None => Self::Internal(S::Stale { what }.into()),
            },
            Err(other) => Self::Internal(other.into()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            status @ StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::Rejected {
                status,
                text: String::new(),
            },
            _ => Self::BadRequest(
                message!("request.body_invalid").with("reason", rejection.body_text()),
            ),
        }
    }
}

/// Attached to every problem response so the request-id middleware can
/// stamp the id into the body the person sees.
#[derive(Clone)]
pub struct ProblemBody(pub Problem);

/// What went wrong behind a 5xx problem, for the log only: the request-log
/// middleware writes it, the person never sees it.
#[derive(Clone)]
pub struct FailureDetail(pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let detail = match &self {
            Self::Internal(source) => Some(format!("{source:?}")),
            Self::Rejected { status, text } if status.is_server_error() => Some(text.clone()),
            Self::ClusterUnavailable(source) => Some(source.to_string()),
            _ => None,
        };
        let mut response = problem_response(self.problem());
        if let Some(detail) = detail {
            response.extensions_mut().insert(FailureDetail(detail));
        }
        if let Self::TooManyAttempts {
            retry_after_seconds,
        } = self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
        }
        response
    }
}

/// Render a problem as `application/problem+json`.
pub fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response.extensions_mut().insert(ProblemBody(problem));
    response
}

#[cfg(test)]
mod tests {

    use berth_shared::message::template;

    use super::*;
    use crate::kinds;

    #[test]
    fn duplicate_project_names_the_field() {
        let problem = ApiError::ProjectExists("shop".into()).problem();
        assert_eq!(problem.status, 409);
        assert!(
            problem
                .field("name")
                .is_some_and(|m| m.contains("already exists"))
        );
    }

    #[test]
    fn a_namespace_terminating_mid_request_is_a_conflict_not_a_500() {
        let status = kube::core::Status {
            code: 403,
            reason: "Forbidden".into(),
            message: "secrets \"x\" is forbidden: unable to create new content in namespace berth-p because it is being terminated".into(),
            ..kube::core::Status::default()
        };
        let error = ApiError::from(kube::Error::Api(Box::new(status)));
        assert_eq!(error.status(), StatusCode::CONFLICT);
        let other = kube::core::Status {
            code: 403,
            message: "forbidden".into(),
            ..kube::core::Status::default()
        };
        let error = ApiError::from(kube::Error::Api(Box::new(other)));
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn duplicate_project_names_carry_a_code_and_the_name() {
        let problem = ApiError::ProjectExists("shop".into()).problem();
        assert_eq!(problem.code.as_deref(), Some("project.name.taken"));
        assert_eq!(problem.params["name"], "shop");
        assert_eq!(
            problem.detail.as_deref(),
            Some("A project named “shop” already exists. Choose another name.")
        );
        let field = problem.field_error("name").expect("the name field");
        assert_eq!(field.code, "project.name.taken");
        assert_eq!(field.params["name"], "shop");
    }

    /// Each answer's English is what it was before it had a code.
    #[test]
    fn every_answer_keeps_its_english() {
        let cases: Vec<(ApiError, &str)> = vec![
            (
                ApiError::Validation(Vec::new()),
                "Some fields need your attention.",
            ),
            (
                ApiError::ProjectNotFound("shop".into()),
                "There is no project named “shop”.",
            ),
            (
                ApiError::ProjectDeleting("shop".into()),
                "Project “shop” is being deleted; its data can no longer be changed.",
            ),
            (
                ApiError::ProjectDeleted("shop".into()),
                "Project “shop” was deleted; restore it from Deleted projects to use its data.",
            ),
            (
                ApiError::NotFound {
                    kind: &kinds::IMAGES,
                    name: "web".into(),
                },
                "There is no image pointer named “web” in this project.",
            ),
            (
                ApiError::NameTaken {
                    kind: &kinds::IMAGES,
                    name: "web".into(),
                },
                "A image pointer named “web” already exists in this project. Choose another name.",
            ),
            (
                ApiError::StaleVersion {
                    kind: &kinds::REGISTRY_CREDENTIALS,
                },
                "Someone changed this registry credential after you opened it. Reload it to see the changes, then make yours again.",
            ),
            (
                ApiError::CredentialInUse {
                    name: "hub".into(),
                    used_by: vec!["a".into()],
                },
                "The registry credential “hub” is used by the image pointers “a”. Choose other credentials for them first, or delete it anyway.",
            ),
            (
                ApiError::CredentialInUse {
                    name: "hub".into(),
                    used_by: vec!["a".into(), "b".into(), "c".into()],
                },
                "The registry credential “hub” is used by the image pointers “a”, “b” and “c”. Choose other credentials for them first, or delete it anyway.",
            ),
            (
                ApiError::TooManyAttempts {
                    retry_after_seconds: 30,
                },
                "Too many sign-in attempts. Wait 30 seconds, then try again.",
            ),
            (
                ApiError::BadCredentials,
                "The user name or password is not right.",
            ),
            (
                ApiError::Rejected {
                    status: StatusCode::BAD_REQUEST,
                    text: "Failed to deserialize query string".into(),
                },
                "The request is not valid: Failed to deserialize query string",
            ),
            (
                ApiError::Rejected {
                    status: StatusCode::METHOD_NOT_ALLOWED,
                    text: String::new(),
                },
                "This address does not take this kind of request (its method).",
            ),
        ];
        for (error, english) in cases {
            let problem = error.problem();
            assert_eq!(problem.detail.as_deref(), Some(english));
            assert_eq!(error.to_string(), english);
            let code = problem.code.expect("a code");
            assert_eq!(template(&code).map(|_| ()), Some(()), "{code}");
        }
    }

    #[test]
    fn internal_errors_do_not_leak_details() {
        let problem = ApiError::Internal(anyhow::anyhow!("password=hunter2 in /etc/x")).problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.message().contains("hunter2"));
    }
}
