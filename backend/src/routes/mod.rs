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
mod openapi;
mod projects;
mod rejections;
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
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    // Everything about one project: behind the role check. Each route is
    // registered with its description (`routes!` reads the handler's
    // `#[utoipa::path]`), so none is served undescribed.
    let project_routes = OpenApiRouter::new()
        .routes(routes!(projects::get, projects::delete))
        .routes(routes!(projects::restore))
        .routes(routes!(projects::deletion))
        .routes(routes!(members::list, members::replace))
        .routes(routes!(activity::list))
        .routes(routes!(inventory::get))
        .routes(routes!(inventory::delete_item))
        .routes(routes!(images::verify))
        .routes(routes!(job_templates::job))
        .routes(routes!(job_runs::submit))
        .routes(routes!(job_runs::list))
        .routes(routes!(job_runs::get, job_runs::delete))
        .routes(routes!(job_runs::watch))
        .routes(routes!(job_runs::logs))
        .routes(routes!(job_runs::rerun_failed));
    // Every kind of project data: the same routes for each.
    let project_routes = collection::routes::<CredentialService>(project_routes);
    let project_routes = collection::routes::<ImageService>(project_routes);
    let project_routes = collection::routes::<JobTemplateService>(project_routes).route_layer(
        axum::middleware::from_fn_with_state(state.clone(), access::check_project_role),
    );

    let (api, description) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(config::get_config))
        .routes(routes!(session::get, session::login, session::logout))
        .routes(routes!(session::change_password))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::remove))
        .routes(routes!(users::set_password))
        .routes(routes!(projects::list, projects::create))
        .routes(routes!(openapi::document))
        .merge(project_routes)
        .split_for_parts();
    let api = api
        .layer(axum::Extension(openapi::finish(description)?))
        .fallback(unknown_endpoint)
        .layer(axum::middleware::from_fn(audit::record_changes))
        .layer(axum::middleware::from_fn_with_state(
            state.auth.clone(),
            crate::auth::middleware::authenticate,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(rejections::as_problems))
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
