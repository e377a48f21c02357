//! `GET /api/v1/projects/{project}/job-templates/{name}/job`: the
//! `batch/v1` Job a template would become. The templates themselves are a
//! [`super::collection`].

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use k8s_openapi::api::batch::v1::Job;

use super::scope::ProjectScope;
use crate::error::ApiError;
use crate::services::job_templates::JobTemplateService;

/// The `batch/v1` Job the template would become: JSON, or with
/// `Accept: text/plain` the same JSON indented for reading, which the console
/// shows as it is (so the browser needs no JSON formatter of its own).
#[utoipa::path(
    get,
    path = "/v1/projects/{project}/job-templates/{name}/job",
    tag = "data",
    operation_id = "render_job_templates",
    params(("project" = String, Path, description = "The project's name"), ("name" = String, Path, description = "The job template's name")),
    responses((
        status = 200,
        description = "The Kubernetes `batch/v1` Job (indented text with `Accept: text/plain`)",
        content(
            (Object = "application/json"),
            (String = "text/plain"),
        ),
    )),
)]
pub async fn job(
    State(templates): State<JobTemplateService>,
    scope: ProjectScope,
    Path((_, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let job: Job = templates.job(&scope.namespace, &name).await?;
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
