//! The HTTP surface: the JSON API under `/api`, health probes, and the built
//! console for every other path.

pub mod actor;
mod config;
mod health;
mod json;
mod middleware;
mod projects;
pub mod static_files;

use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

use crate::error::ApiError;
use crate::state::AppState;

pub use json::ApiJson;

/// Largest JSON body the API accepts.
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;

/// The whole application.
pub fn router(state: AppState, static_dir: &Path) -> Router {
    let api = Router::new()
        .route("/v1/config", get(config::get_config))
        .route("/v1/projects", get(projects::list).post(projects::create))
        .route("/v1/projects/{project}", get(projects::get))
        .fallback(unknown_endpoint)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(middleware::stamp_request_id))
        .with_state(state.clone());

    Router::new()
        .nest("/api", api)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(state)
        .fallback_service(static_files::service(static_dir))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(middleware::trace_layer())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

async fn unknown_endpoint() -> ApiError {
    ApiError::UnknownEndpoint
}
