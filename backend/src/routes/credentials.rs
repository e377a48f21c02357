//! `/api/v1/projects/{project}/registry-credentials`: write-only registry
//! credentials. Responses carry metadata only; a secret travels in request
//! bodies only and is never echoed, not even in an error.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_shared::{RegistryCredential, RegistryCredentialList};
use serde::Deserialize;

use super::actor::Actor;
use crate::error::ApiError;
use crate::services::credentials::CredentialBody;
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> Result<Json<RegistryCredentialList>, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let items = state.credentials.list(&ns, &state.images).await?;
    Ok(Json(RegistryCredentialList { items }))
}

pub async fn get(
    State(state): State<AppState>,
    Path((project, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let credential = state.credentials.get(&ns, &name, &state.images).await?;
    Ok(with_etag(StatusCode::OK, credential, None))
}

pub async fn create(
    State(state): State<AppState>,
    Path(project): Path<String>,
    actor: Actor,
    body: Result<Json<CredentialBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let Json(body) = body.map_err(secret_safe_rejection)?;
    let credential = state.credentials.create(&ns, body, &actor).await?;
    let location = format!(
        "/api/v1/projects/{project}/registry-credentials/{}",
        credential.name
    );
    Ok(with_etag(StatusCode::CREATED, credential, Some(location)))
}

pub async fn replace(
    State(state): State<AppState>,
    Path((project, name)): Path<(String, String)>,
    actor: Actor,
    headers: HeaderMap,
    body: Result<Json<CredentialBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let Json(body) = body.map_err(secret_safe_rejection)?;
    let credential = state
        .credentials
        .replace(&ns, &name, body, if_match(&headers), &actor)
        .await?;
    Ok(with_etag(StatusCode::OK, credential, None))
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteQuery {
    #[serde(default)]
    pub force: bool,
}

pub async fn delete(
    State(state): State<AppState>,
    Path((project, name)): Path<(String, String)>,
    Query(query): Query<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    state
        .credentials
        .delete(&ns, &name, query.force, &state.images)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A malformed credential body is refused without quoting it: serde's
/// messages may cite the very value that was sent.
fn secret_safe_rejection(rejection: JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => ApiError::BadRequest(
            "The request body is not a valid registry credential: send JSON with name, kind (docker-hub, icr or other), server, username and secret."
                .into(),
        ),
    }
}

fn with_etag(
    status: StatusCode,
    credential: RegistryCredential,
    location: Option<String>,
) -> Response {
    let etag = etag_value(&credential.version);
    let mut response = (status, Json(credential)).into_response();
    if let Some(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `"<resourceVersion>"`.
pub fn etag_value(version: &str) -> Option<HeaderValue> {
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
