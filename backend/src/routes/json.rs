//! A JSON extractor whose rejections are Berth problems, not plain text.

use axum::extract::FromRequest;

use crate::error::ApiError;

/// Like `axum::Json`, but a malformed body is a problem+json answer.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);
