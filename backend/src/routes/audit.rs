//! The audit trail in the logs: every change made through the API, with who
//! made it, what it was, when, from where, and how it ended. Only the
//! method and path are recorded: never a body, so never a secret.

use axum::extract::{MatchedPath, OriginalUri, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use super::activity::client_address;
use crate::auth::Identity;

/// Middleware, inside authentication (so the caller is known).
pub async fn record_changes(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    // The whole path, as the client sent it (this runs inside `/api`).
    let path = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().path().to_owned(), |u| u.path().to_owned());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let user = request
        .extensions()
        .get::<Identity>()
        .map_or_else(|| "-".to_owned(), |i| i.user.clone());
    let address = client_address(request.extensions());
    let response = next.run(request).await;
    tracing::info!(
        target: "berth::audit",
        %user,
        %method,
        %path,
        %route,
        from = %address,
        status = response.status().as_u16(),
        "change"
    );
    response
}
