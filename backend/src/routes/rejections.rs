//! Every error answer under `/api` is a problem body: what axum's own
//! extractors and router answer in plain text (a bad query string, a path
//! that is not UTF-8, a body of the wrong type, a method the address does
//! not take) is turned into one here, in one place, whatever route it
//! came from.

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ProblemBody};

/// The most of a plain-text rejection kept as the problem's detail.
const DETAIL_MAX_BYTES: usize = 2048;

/// Middleware: an error answer without a problem body becomes one, with
/// the same status and headers (`Allow`, `Retry-After`, …).
pub async fn as_problems(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<ProblemBody>().is_some()
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    // axum's rejections are short texts; anything longer is cut.
    let text = to_bytes(body, DETAIL_MAX_BYTES)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let mut problem = ApiError::Rejected { status, text }.into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name, value.clone());
        }
    }
    problem
}
