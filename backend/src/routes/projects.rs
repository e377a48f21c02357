//! `/api/v1/projects`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use berth_shared::{CreateProject, Project, ProjectList};

use super::ApiJson;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn list(State(state): State<AppState>) -> Result<Json<ProjectList>, ApiError> {
    let items = state.projects.list().await?;
    Ok(Json(ProjectList { items }))
}

pub async fn get(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> Result<Json<Project>, ApiError> {
    Ok(Json(state.projects.get(&project).await?))
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateProject>,
) -> Result<impl IntoResponse, ApiError> {
    let project = state.projects.create(request).await?;
    let location = format!("/api/v1/projects/{}", project.name);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(project),
    ))
}
