//! The one error type of Berth's HTTP API and its single mapping to an
//! RFC 9457 `application/problem+json` response.

use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_shared::{FieldError, Problem};
use thiserror::Error;

/// Everything an API handler can answer instead of success.
#[derive(Debug, Error)]
pub enum ApiError {
    #[error("Some fields need your attention.")]
    Validation(Vec<FieldError>),
    #[error("A project named “{0}” already exists. Choose another name.")]
    ProjectExists(String),
    #[error("There is no project named “{0}”.")]
    ProjectNotFound(String),
    #[error("Project “{0}” is being deleted; its data can no longer be changed.")]
    ProjectDeleting(String),
    /// The namespace began terminating while a request was under way (the
    /// project check had passed a moment before).
    #[error("This project is being deleted; its data can no longer be changed.")]
    NamespaceTerminating,
    #[error("Project “{0}” was deleted; restore it from Deleted projects to use its data.")]
    ProjectDeleted(String),
    #[error("Project “{0}” is not deleted, so there is nothing to restore.")]
    ProjectNotDeleted(String),
    #[error(
        "This server deletes projects permanently: deleting with a restore window is turned off."
    )]
    SoftDeleteDisabled,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    ItemNotFound(String),
    #[error("There is no API endpoint at this address.")]
    UnknownEndpoint,
    #[error("There is no {what} named “{name}” in this project.")]
    NotFound { what: &'static str, name: String },
    #[error("A {what} named “{name}” already exists in this project. Choose another name.")]
    NameTaken { what: &'static str, name: String },
    #[error(
        "Someone changed this {what} after you opened it. Reload it to see the changes, then make yours again."
    )]
    StaleVersion { what: &'static str },
    #[error("The registry credential “{name}” is used by the image pointers {}. Choose other credentials for them first, or delete it anyway.", quoted_list(.used_by))]
    CredentialInUse { name: String, used_by: Vec<String> },
    #[error("{0}")]
    Registry(#[from] crate::registry::RegistryError),
    #[error("{0}")]
    BadRequest(String),
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("The user name or password is not right.")]
    BadCredentials,
    #[error("Too many sign-in attempts. Wait {} seconds, then try again.", .retry_after_seconds)]
    TooManyAttempts { retry_after_seconds: u64 },
    #[error("Choose your own password first: the one you signed in with works only once.")]
    PasswordChangeRequired,
    #[error(
        "This request did not come from the console (its CSRF check failed). Reload the page and try again."
    )]
    CsrfCheckFailed,
    #[error("{0}")]
    Forbidden(String),
    #[error("The storage service did not answer. Try again in a moment.")]
    ClusterUnavailable(#[source] kube::Error),
    #[error("Something went wrong on our side.")]
    Internal(#[source] anyhow::Error),
    /// What axum itself refused (a query, a path, a body, a method), with
    /// its status and words.
    #[error("{}", rejected_words(*.status, .text))]
    Rejected { status: StatusCode, text: String },
}

/// Plain words for a request axum refused before any handler ran.
fn rejected_words(status: StatusCode, text: &str) -> String {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            "This address does not take this kind of request (its method).".to_owned()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "Send the request body as JSON (Content-Type: application/json).".to_owned()
        }
        StatusCode::PAYLOAD_TOO_LARGE => "The request body is too large.".to_owned(),
        _ if text.is_empty() => "The request is not valid.".to_owned(),
        _ => format!("The request is not valid: {text}"),
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

    fn problem(&self) -> Problem {
        let status = self.status();
        let title = status.canonical_reason().unwrap_or("Error").to_owned();
        let errors = match self {
            Self::Validation(errors) => errors.clone(),
            Self::ProjectExists(_) | Self::NameTaken { .. } => vec![FieldError::new("name", self)],
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
            detail: Some(self.to_string()),
            errors,
            request_id: None,
        }
    }
}

/// "“a”, “b” and “c”".
fn quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("“{i}”")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
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
            Err(S::NotFound { what, name }) => Self::NotFound { what, name },
            Err(S::NameTaken { what, name }) => Self::NameTaken { what, name },
            Err(S::Stale { what }) => Self::StaleVersion { what },
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
            _ => Self::BadRequest(format!(
                "The request body is not valid: {}",
                rejection.body_text()
            )),
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
    use super::*;

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
    fn internal_errors_do_not_leak_details() {
        let problem = ApiError::Internal(anyhow::anyhow!("password=hunter2 in /etc/x")).problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.message().contains("hunter2"));
    }
}
