//! Liveness and readiness probes.

use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

/// Alive: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the project cache has synced and the Kubernetes API answers.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if !state.projects.cache().is_ready() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the project cache has not synced yet",
        );
    }
    match state.cluster.client.apiserver_version().await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(err) => {
            tracing::warn!(error = %err, "not ready: the Kubernetes API does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the Kubernetes API does not answer",
            )
        }
    }
}
