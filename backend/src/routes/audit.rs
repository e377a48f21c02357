//! The audit trail in the logs: every change made through the API, with who
//! made it, what it was, when, from where, and how it ended. Only the
//! method and path are recorded: never a body, so never a secret.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use super::requested_change::RequestedChange;
use crate::auth::Identity;

/// Middleware, inside authentication (so the caller is known).
pub async fn record_changes(request: Request, next: Next) -> Response {
    let Some(change) = RequestedChange::of(&request) else {
        return next.run(request).await;
    };
    let user = request
        .extensions()
        .get::<Identity>()
        .map_or_else(|| "-".to_owned(), |i| i.user.clone());
    let response = next.run(request).await;
    let RequestedChange {
        method,
        path,
        route,
        from,
    } = change;
    tracing::info!(
        target: "berth::audit",
        %user,
        %method,
        %path,
        %route,
        %from,
        status = response.status().as_u16(),
        "change"
    );
    response
}
