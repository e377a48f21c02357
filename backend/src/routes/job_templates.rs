//! `/api/v1/projects/{project}/job-templates`: batch job templates, and the
//! `batch/v1` Job each would become. Sensitive environment values travel in
//! request bodies only and are never echoed, not even in an error.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_shared::{JobTemplateList, SaveJobTemplate};
use k8s_openapi::api::batch::v1::Job;

use super::actor::Actor;
use super::versioned::{if_match, with_etag};
use crate::error::ApiError;
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> Result<Json<JobTemplateList>, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let items = state.job_templates.list(&ns, &state.images).await?;
    Ok(Json(JobTemplateList { items }))
}

pub async fn get(
    State(state): State<AppState>,
    Path((project, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let template = state.job_templates.get(&ns, &name, &state.images).await?;
    Ok(with_etag(
        StatusCode::OK,
        &template,
        &template.version,
        None,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    Path(project): Path<String>,
    actor: Actor,
    body: Result<Json<SaveJobTemplate>, JsonRejection>,
) -> Result<Response, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let Json(request) = body.map_err(secret_safe_rejection)?;
    let template = state
        .job_templates
        .create(&ns, request, &actor, &state.images)
        .await?;
    let location = format!(
        "/api/v1/projects/{project}/job-templates/{}",
        template.fields.name
    );
    Ok(with_etag(
        StatusCode::CREATED,
        &template,
        &template.version,
        Some(location),
    ))
}

pub async fn replace(
    State(state): State<AppState>,
    Path((project, name)): Path<(String, String)>,
    actor: Actor,
    headers: HeaderMap,
    body: Result<Json<SaveJobTemplate>, JsonRejection>,
) -> Result<Response, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let Json(request) = body.map_err(secret_safe_rejection)?;
    let template = state
        .job_templates
        .replace(
            &ns,
            &name,
            request,
            if_match(&headers),
            &actor,
            &state.images,
        )
        .await?;
    Ok(with_etag(
        StatusCode::OK,
        &template,
        &template.version,
        None,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    Path((project, name)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    state.job_templates.delete(&ns, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `batch/v1` Job the template would become: JSON, or with
/// `Accept: text/plain` the same JSON indented for reading, which the console
/// shows as it is (so the browser needs no JSON formatter of its own).
pub async fn job(
    State(state): State<AppState>,
    Path((project, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ns = state.projects.data_namespace(&project).await?;
    let job: Job = state.job_templates.job(&ns, &name, &state.images).await?;
    if !wants_text(&headers) {
        return Ok(Json(job).into_response());
    }
    let text = serde_json::to_string_pretty(&job).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// Whether the caller asked for text rather than JSON.
fn wants_text(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.trim_start().starts_with("text/plain"))
}

/// A malformed body is refused without quoting it: serde's messages may
/// cite a sensitive value that was sent.
fn secret_safe_rejection(rejection: JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => ApiError::BadRequest(
            "The request body is not a valid job template: send JSON with name, image or imagePointer, command, args, env (name, value, sensitive), size, indices, retryLimit and maxExecutionSeconds."
                .into(),
        ),
    }
}
