//! `POST /api/v1/projects/{project}/images/{name}/verify`: ask the image's
//! registry about an image pointer. The pointers themselves are a
//! [`super::collection`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::scope::ProjectScope;
use super::versioned::with_etag;
use crate::error::ApiError;
use crate::services::images::ImageService;

pub async fn verify(
    State(images): State<ImageService>,
    scope: ProjectScope,
    Path((_, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let pointer = images.verify(&scope.namespace, &name).await?;
    Ok(with_etag(
        StatusCode::OK,
        &pointer,
        &pointer.stamps.version,
        None,
    ))
}
