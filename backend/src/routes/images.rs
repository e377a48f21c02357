//! `/api/v1/projects/{project}/images`: image pointers, and the check that
//! asks the image's registry about one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_shared::{ImagePointer, ImagePointerList, SaveImagePointer};

use super::ApiJson;
use super::actor::Actor;
use super::credentials::{etag_value, if_match};
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
    Ok(with_etag(
        StatusCode::OK,
        state.images.get(&ns, &name).await?,
        None,
    ))
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
    Ok(with_etag(StatusCode::CREATED, pointer, Some(location)))
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
    Ok(with_etag(StatusCode::OK, pointer, None))
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
    Ok(with_etag(StatusCode::OK, pointer, None))
}

fn with_etag(status: StatusCode, pointer: ImagePointer, location: Option<String>) -> Response {
    let etag = etag_value(&pointer.version);
    let mut response = (status, Json(pointer)).into_response();
    if let Some(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}
