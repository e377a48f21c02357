//! `/api/v1/projects/{project}/images`: image pointers, and the check that
//! asks the image's registry about one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use berth_shared::{ImagePointerList, SaveImagePointer};

use super::ApiJson;
use super::actor::Actor;
use super::versioned::{if_match, with_etag};
use crate::error::ApiError;
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> Result<Json<ImagePointerList>, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    Ok(Json(ImagePointerList {
        items: state.images.list(&ns).await?,
    }))
}

pub async fn get(
    State(state): State<AppState>,
    Path((project, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let pointer = state.images.get(&ns, &name).await?;
    Ok(with_etag(StatusCode::OK, &pointer, &pointer.version, None))
}

pub async fn create(
    State(state): State<AppState>,
    Path(project): Path<String>,
    actor: Actor,
    ApiJson(request): ApiJson<SaveImagePointer>,
) -> Result<Response, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let pointer = state
        .images
        .create(&ns, request, &actor, &state.credentials)
        .await?;
    let location = format!("/api/v1/projects/{project}/images/{}", pointer.name);
    Ok(with_etag(
        StatusCode::CREATED,
        &pointer,
        &pointer.version,
        Some(location),
    ))
}

pub async fn replace(
    State(state): State<AppState>,
    Path((project, name)): Path<(String, String)>,
    actor: Actor,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SaveImagePointer>,
) -> Result<Response, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let pointer = state
        .images
        .replace(
            &ns,
            &name,
            request,
            if_match(&headers),
            &actor,
            &state.credentials,
        )
        .await?;
    Ok(with_etag(StatusCode::OK, &pointer, &pointer.version, None))
}

pub async fn delete(
    State(state): State<AppState>,
    Path((project, name)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    state.images.delete(&ns, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn verify(
    State(state): State<AppState>,
    Path((project, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let pointer = state.images.verify(&ns, &name, &state.credentials).await?;
    Ok(with_etag(StatusCode::OK, &pointer, &pointer.version, None))
}
