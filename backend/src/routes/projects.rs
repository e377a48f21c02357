//! `/api/v1/projects`: list, create, read, delete, restore, and follow a
//! deletion as server-sent events.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use berth_shared::deletion::{EVENT_DELETED, EVENT_PROGRESS, EVENT_SOFT_DELETED, EVENT_STALLED};
use berth_shared::{CreateProject, Problem, Project, ProjectList, Role, validate_project_name};
use futures::StreamExt;
use serde::Deserialize;

use super::ApiJson;
use super::access::ProjectRole;
use super::activity;
use super::actor::Actor;
use super::requested_change::ClientAddress;
use crate::auth::Identity;
use crate::error::ApiError;
use crate::services::deletion::DeletionEvent;
use crate::services::projects::{DeleteMode, Deleted, visible_to};
use crate::services::rendered::Encoding;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `true`: the projects deleted with a restore window, instead of the
    /// live ones.
    #[serde(default)]
    deleted: bool,
}

/// The caller's projects (every project for an administrator), each with
/// the caller's role, from the project cache; the live list is the most
/// frequent request, so its JSON is kept between changes. Deleted projects
/// are listed to their owners only.
#[utoipa::path(
    get,
    path = "/v1/projects",
    tag = "projects",
    operation_id = "list_projects",
    params(ListQuery),
    responses((status = 200, description = "The caller's projects", body = ProjectList)),
)]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if query.deleted {
        let projects = state.projects.list_with_members(true).await?;
        let items = visible_to(projects, &identity.user, identity.admin, Role::Owner);
        return Ok(Json(ProjectList { items }).into_response());
    }
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let (encoding, body) = state
        .projects
        .list_json_for(&identity.user, identity.admin)
        .await?
        .body(Encoding::negotiate(accept));
    let mut response = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // Already compressed: the compression layer leaves it as it is.
    if let Some(name) = encoding.header() {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
    }
    Ok(response)
}

#[utoipa::path(
    get,
    path = "/v1/projects/{project}",
    tag = "projects",
    operation_id = "read_project",
    params(("project" = String, Path, description = "The project's name")),
    responses((status = 200, description = "The project, with the caller's role", body = Project)),
)]
pub async fn get(
    State(state): State<AppState>,
    Path(project): Path<String>,
    Extension(ProjectRole(role)): Extension<ProjectRole>,
) -> Result<Json<Project>, ApiError> {
    let mut project = state.projects.get(&project).await?;
    project.role = role;
    Ok(Json(project))
}

/// Creates a project; its creator is its owner. The creation is the first
/// entry of the project's activity log.
#[utoipa::path(
    post,
    path = "/v1/projects",
    tag = "projects",
    operation_id = "create_project",
    request_body = CreateProject,
    responses(
        (status = 201, description = "Created; the caller is its owner", body = Project),
        (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    ClientAddress(from): ClientAddress,
    ApiJson(request): ApiJson<CreateProject>,
) -> Result<impl IntoResponse, ApiError> {
    let mut project = state
        .projects
        .create_by(request, Some(&identity.user))
        .await?;
    state.project_access.grant(&project.namespace).await?;
    project.role = Some(Role::Owner);
    let created = activity::entry(
        identity.user,
        "Created the project".to_owned(),
        "POST",
        "/api/v1/projects".to_owned(),
        from,
        StatusCode::CREATED,
    );
    activity::append(&state, &project.name, &created).await;
    let location = format!("/api/v1/projects/{}", project.name);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(project),
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// `soft` (restorable for the server's restore window) or `hard`
    /// (permanent, now); the server's default when absent.
    mode: Option<String>,
}

/// `DELETE /api/v1/projects/{project}`: 200 with the project (status
/// `Deleted`) when it stays restorable; 202 with the project (status
/// `Terminating`) and the address of its deletion progress otherwise.
#[utoipa::path(
    delete,
    path = "/v1/projects/{project}",
    tag = "projects",
    operation_id = "delete_project",
    params(("project" = String, Path, description = "The project's name"), DeleteQuery),
    responses(
        (status = 200, description = "Deleted with a restore window (status `Deleted`)", body = Project),
        (status = 202, description = "Being deleted for good; follow its Location", body = Project),
    ),
)]
pub async fn delete(
    State(state): State<AppState>,
    Path(project): Path<String>,
    Query(query): Query<DeleteQuery>,
    actor: Actor,
) -> Result<Response, ApiError> {
    let mode = query.mode.as_deref().map(DeleteMode::parse).transpose()?;
    Ok(
        match state.projects.delete(&project, mode, &actor.name).await? {
            Deleted::Soft(project) => (StatusCode::OK, Json(project)).into_response(),
            Deleted::Hard(project) => {
                let location = format!("/api/v1/projects/{}/deletion", project.name);
                (
                    StatusCode::ACCEPTED,
                    [(header::LOCATION, location)],
                    Json(project),
                )
                    .into_response()
            }
        },
    )
}

/// `POST /api/v1/projects/{project}/restore`.
#[utoipa::path(
    post,
    path = "/v1/projects/{project}/restore",
    tag = "projects",
    operation_id = "restore_project",
    params(("project" = String, Path, description = "The project's name")),
    responses((status = 200, description = "Restored", body = Project)),
)]
pub async fn restore(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> Result<Json<Project>, ApiError> {
    Ok(Json(state.projects.restore(&project).await?))
}

/// `GET /api/v1/projects/{project}/deletion`: `progress` events while the
/// namespace is being emptied, `stalled` when nothing moves, then
/// `deleted`. A project deleted a moment ago answers `deleted` at once to
/// those who could see it (the access check lets them through), so a
/// client that connects late still learns the outcome.
#[utoipa::path(
    get,
    path = "/v1/projects/{project}/deletion",
    tag = "projects",
    operation_id = "follow_deletion",
    params(("project" = String, Path, description = "The project's name")),
    responses((
        status = 200,
        description = "Server-sent events: `progress` (DeletionProgress), `stalled` \
            (DeletionStalled), then `deleted` or `soft-deleted` (DeletionDone)",
        content_type = "text/event-stream",
        body = String,
    )),
)]
pub async fn deletion(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    if validate_project_name(&project).is_err() {
        return Err(ApiError::ProjectNotFound(project));
    }
    let namespace = state.projects.namespace_of(&project);
    // A namespace that exists but is not this project's is not reported on.
    if state.projects.is_foreign(&project).await? {
        return Err(ApiError::ProjectNotFound(project));
    }
    let events = state
        .deletion
        .watch(project, namespace)
        .map(|event| Ok::<Event, Infallible>(to_sse(&event)));
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

fn to_sse(event: &DeletionEvent) -> Event {
    let (name, data) = match event {
        DeletionEvent::Progress(p) => (EVENT_PROGRESS, serde_json::to_string(p)),
        DeletionEvent::Stalled(s) => (EVENT_STALLED, serde_json::to_string(s)),
        DeletionEvent::Deleted(d) => (EVENT_DELETED, serde_json::to_string(d)),
        DeletionEvent::SoftDeleted(d) => (EVENT_SOFT_DELETED, serde_json::to_string(d)),
    };
    Event::default()
        .event(name)
        .data(data.unwrap_or_else(|_| "{}".to_owned()))
}
