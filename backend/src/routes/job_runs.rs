//! Job runs: submit a template, list and read runs, follow them live
//! (server-sent events), read an index's log, rerun what failed, delete.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use berth_shared::job_run::{JobRun, JobRunList, RunDeleted, SubmitJobRun, events};
use berth_shared::message;
use futures::StreamExt;
use serde::Deserialize;

use super::actor::Actor;
use super::scope::ProjectScope;
use crate::error::ApiError;
use crate::services::job_runs::JobRunService;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    template: Option<String>,
}

/// `GET …/job-runs[?template=T]` ([`JobRunList`]): newest first, from the
/// cache, the unfiltered body as it was last serialised.
#[utoipa::path(
    get,
    path = "/v1/projects/{project}/job-runs",
    tag = "job-runs",
    operation_id = "list_job_runs",
    params(("project" = String, Path, description = "The project's name"), ("template" = Option<String>, Query, description = "Only the runs of this job template")),
    responses((status = 200, description = "The project's job runs, newest first", body = JobRunList)),
)]
pub async fn list(
    State(runs): State<JobRunService>,
    scope: ProjectScope,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let template = query.template.as_deref().filter(|t| !t.is_empty());
    let body = runs.list_json(&scope.namespace, template).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET …/job-runs/{run}`.
#[utoipa::path(
    get,
    path = "/v1/projects/{project}/job-runs/{name}",
    tag = "job-runs",
    operation_id = "get_job_run",
    params(("project" = String, Path, description = "The project's name"), ("name" = String, Path, description = "The job run's name")),
    responses((status = 200, description = "The run and every index", body = JobRun)),
)]
pub async fn get(
    State(runs): State<JobRunService>,
    scope: ProjectScope,
    Path((_, run)): Path<(String, String)>,
) -> Result<Json<JobRun>, ApiError> {
    Ok(Json(runs.get(&scope.namespace, &run).await?))
}

fn created(scope: &ProjectScope, run: &JobRun) -> Response {
    let location = format!(
        "/api/v1/projects/{}/job-runs/{}",
        scope.project, run.summary.name
    );
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(run),
    )
        .into_response()
}

/// `POST …/job-templates/{template}/runs`: a body of overrides, or none.
#[utoipa::path(
    post,
    path = "/v1/projects/{project}/job-templates/{name}/runs",
    tag = "job-runs",
    operation_id = "submit_job_run",
    params(("project" = String, Path, description = "The project's name"), ("name" = String, Path, description = "The job template's name")),
    request_body(content = Option<SubmitJobRun>, description = "Changes for this run only; an empty body runs the template as it is"),
    responses((status = 201, description = "Submitted", body = JobRun)),
)]
pub async fn submit(
    State(runs): State<JobRunService>,
    scope: ProjectScope,
    actor: Actor,
    Path((_, template)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: SubmitJobRun = if body.iter().all(u8::is_ascii_whitespace) {
        SubmitJobRun::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|_| ApiError::BadRequest(message!("job_run.body_invalid")))?
    };
    let run = runs
        .submit(
            &scope.namespace,
            &scope.project,
            &template,
            request,
            &actor.name,
        )
        .await?;
    Ok(created(&scope, &run))
}

/// `POST …/job-runs/{run}/rerun-failed`.
#[utoipa::path(
    post,
    path = "/v1/projects/{project}/job-runs/{name}/rerun-failed",
    tag = "job-runs",
    operation_id = "rerun_failed_job_run",
    params(("project" = String, Path, description = "The project's name"), ("name" = String, Path, description = "The job run's name")),
    responses((status = 201, description = "A new run of the failed indices", body = JobRun)),
)]
pub async fn rerun_failed(
    State(runs): State<JobRunService>,
    scope: ProjectScope,
    actor: Actor,
    Path((_, run)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let new = runs
        .rerun_failed(&scope.namespace, &run, &actor.name)
        .await?;
    Ok(created(&scope, &new))
}

/// `DELETE …/job-runs/{run}`.
#[utoipa::path(
    delete,
    path = "/v1/projects/{project}/job-runs/{name}",
    tag = "job-runs",
    operation_id = "delete_job_run",
    params(("project" = String, Path, description = "The project's name"), ("name" = String, Path, description = "The job run's name")),
    responses((status = 204, description = "Deleted, with its instances, logs and secret values")),
)]
pub async fn delete(
    State(runs): State<JobRunService>,
    scope: ProjectScope,
    Path((_, run)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    runs.delete(&scope.namespace, &run).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET …/job-runs/{run}/events`: `run` with the whole run at once and
/// after every change, `deleted` when it is gone.
#[utoipa::path(
    get,
    path = "/v1/projects/{project}/job-runs/{name}/events",
    tag = "job-runs",
    operation_id = "follow_job_run",
    params(("project" = String, Path, description = "The project's name"), ("name" = String, Path, description = "The job run's name")),
    responses((
        status = 200,
        description = "Server-sent events: `run` (JobRun) at once and after every change, `deleted` (RunDeleted) when it is gone",
        content_type = "text/event-stream",
        body = String,
    )),
)]
pub async fn watch(
    State(runs): State<JobRunService>,
    scope: ProjectScope,
    Path((_, run)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let name = run.clone();
    let stream = runs
        .watch(&scope.namespace, &run)
        .await?
        .map(move |update| {
            let event = match update {
                Some(run) => Event::default()
                    .event(events::RUN)
                    .data(serde_json::to_string(&run).unwrap_or_default()),
                None => Event::default().event(events::DELETED).data(
                    serde_json::to_string(&RunDeleted { name: name.clone() }).unwrap_or_default(),
                ),
            };
            Ok::<Event, Infallible>(event)
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[derive(Debug, Deserialize)]
pub struct LogQuery {
    index: Option<String>,
    attempt: Option<String>,
    #[serde(default)]
    follow: Option<String>,
    #[serde(default)]
    download: Option<String>,
}

fn number(value: Option<&str>, what: &str) -> Result<Option<u32>, ApiError> {
    value
        .map(|v| {
            v.parse::<u32>().map_err(|_| {
                ApiError::BadRequest(message!("request.query.not_a_number").with("name", what))
            })
        })
        .transpose()
}

fn yes(value: Option<&str>) -> bool {
    matches!(value, Some("true" | "1" | "yes"))
}

/// `GET …/job-runs/{run}/logs?index=N[&attempt=K][&follow=true][&download=true]`.
#[utoipa::path(
    get,
    path = "/v1/projects/{project}/job-runs/{name}/logs",
    tag = "job-runs",
    operation_id = "job_run_logs",
    params(
        ("project" = String, Path, description = "The project's name"), ("name" = String, Path, description = "The job run's name"),
        ("index" = u32, Query, description = "The index whose log to read"),
        ("attempt" = Option<u32>, Query, description = "Which attempt (1 is the first); the latest when absent"),
        ("follow" = Option<bool>, Query, description = "Keep the answer open and stream new lines while the index runs"),
        ("download" = Option<bool>, Query, description = "Answer as a file to save"),
    ),
    responses((status = 200, description = "The log, as the program printed it", content_type = "text/plain", body = String)),
)]
pub async fn logs(
    State(runs): State<JobRunService>,
    scope: ProjectScope,
    Path((_, run)): Path<(String, String)>,
    Query(query): Query<LogQuery>,
) -> Result<Response, ApiError> {
    let index = number(query.index.as_deref(), "index")?
        .ok_or_else(|| ApiError::BadRequest(message!("job_run.index.required")))?;
    let attempt = number(query.attempt.as_deref(), "attempt")?;
    let (file, stream) = runs
        .logs(
            &scope.namespace,
            &run,
            index,
            attempt,
            yes(query.follow.as_deref()),
        )
        .await?;
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    // Never compressed: a followed log must reach the browser line by line,
    // not when a compressor's buffer fills.
    headers.insert(
        header::CONTENT_ENCODING,
        header::HeaderValue::from_static("identity"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    if yes(query.download.as_deref())
        && let Ok(value) =
            header::HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
