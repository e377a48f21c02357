//! `/api/v1/projects/{project}/registry-credentials`: write-only registry
//! credentials. Responses carry metadata only; a secret travels in request
//! bodies only and is never echoed, not even in an error.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use berth_shared::RegistryCredentialList;
use serde::Deserialize;

use super::actor::Actor;
use super::versioned::{if_match, with_etag};
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
    Ok(with_etag(
        StatusCode::OK,
        &credential,
        &credential.version,
        None,
    ))
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
    Ok(with_etag(
        StatusCode::CREATED,
        &credential,
        &credential.version,
        Some(location),
    ))
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
    Ok(with_etag(
        StatusCode::OK,
        &credential,
        &credential.version,
        None,
    ))
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
