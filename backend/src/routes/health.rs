//! Liveness and readiness probes.

use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

/// Alive: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the Kubernetes API answers too.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
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
