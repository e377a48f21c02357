//! The HTTP surface: the JSON API under `/api`, health probes, and the built
//! console for every other path.

mod access;
mod activity;
pub mod actor;
mod audit;
mod collection;
mod config;
mod health;
mod images;
mod inventory;
mod job_runs;
mod job_templates;
mod json;
mod members;
mod middleware;
mod projects;
mod requested_change;
mod scope;
mod security_headers;
mod session;
pub mod static_files;
mod users;
mod versioned;

use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::routing::{delete, get, post, put};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

use crate::error::ApiError;
use crate::services::credentials::CredentialService;
use crate::services::images::ImageService;
use crate::services::job_templates::JobTemplateService;
use crate::state::AppState;

pub use json::ApiJson;

/// Largest JSON body the API accepts.
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;

/// The whole application.
pub fn router(state: AppState, static_dir: &Path) -> anyhow::Result<Router> {
    let security_headers = security_headers::SecurityHeaders::new(
        &state.ui_config.allowed_portal_origins,
        state.auth.secure_cookies,
    )?;
    // Everything about one project: behind the role check.
    let project_routes = Router::new()
        .route(
            "/v1/projects/{project}",
            get(projects::get).delete(projects::delete),
        )
        .route("/v1/projects/{project}/restore", post(projects::restore))
        .route("/v1/projects/{project}/deletion", get(projects::deletion))
        .route(
            "/v1/projects/{project}/members",
            get(members::list).put(members::replace),
        )
        .route("/v1/projects/{project}/activity", get(activity::list))
        .route("/v1/projects/{project}/inventory", get(inventory::get))
        .route(
            "/v1/projects/{project}/inventory/{kind}/{name}",
            delete(inventory::delete_item),
        )
        .route(
            "/v1/projects/{project}/images/{name}/verify",
            post(images::verify),
        )
        .route(
            "/v1/projects/{project}/job-templates/{name}/job",
            get(job_templates::job),
        )
        .route(
            "/v1/projects/{project}/job-templates/{name}/runs",
            post(job_runs::submit),
        )
        .route("/v1/projects/{project}/job-runs", get(job_runs::list))
        .route(
            "/v1/projects/{project}/job-runs/{name}",
            get(job_runs::get).delete(job_runs::delete),
        )
        .route(
            "/v1/projects/{project}/job-runs/{name}/events",
            get(job_runs::watch),
        )
        .route(
            "/v1/projects/{project}/job-runs/{name}/logs",
            get(job_runs::logs),
        )
        .route(
            "/v1/projects/{project}/job-runs/{name}/rerun-failed",
            post(job_runs::rerun_failed),
        );
    // Every kind of project data: the same routes for each.
    let project_routes = collection::routes::<CredentialService>(project_routes);
    let project_routes = collection::routes::<ImageService>(project_routes);
    let project_routes = collection::routes::<JobTemplateService>(project_routes).route_layer(
        axum::middleware::from_fn_with_state(state.clone(), access::check_project_role),
    );

    let api = Router::new()
        .route("/v1/config", get(config::get_config))
        .route(
            "/v1/session",
            get(session::get)
                .post(session::login)
                .delete(session::logout),
        )
        .route("/v1/session/password", put(session::change_password))
        .route("/v1/users", get(users::list).post(users::create))
        .route("/v1/users/{name}", delete(users::remove))
        .route("/v1/users/{name}/password", put(users::set_password))
        .route("/v1/projects", get(projects::list).post(projects::create))
        .merge(project_routes)
        .fallback(unknown_endpoint)
        .layer(axum::middleware::from_fn(audit::record_changes))
        .layer(axum::middleware::from_fn_with_state(
            state.auth.clone(),
            crate::auth::middleware::authenticate,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(middleware::stamp_request_id))
        .with_state(state.clone());

    Ok(Router::new()
        .nest("/api", api)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(state)
        .fallback_service(static_files::service(static_dir))
        .layer(axum::middleware::from_fn_with_state(
            security_headers,
            security_headers::apply,
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(middleware::trace_layer())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid)))
}

async fn unknown_endpoint() -> ApiError {
    ApiError::UnknownEndpoint
}
