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

#[utoipa::path(
    post,
    path = "/v1/projects/{project}/images/{name}/verify",
    tag = "data",
    operation_id = "verify_images",
    params(("project" = String, Path, description = "The project's name"), ("name" = String, Path, description = "The image pointer's name")),
    responses(
        (status = 200, description = "The pointer, with what the registry answered", body = berth_shared::ImagePointer),
        (status = 422, description = "The registry refused the credentials or lacks the image", body = berth_shared::Problem, content_type = "application/problem+json"),
        (status = 502, description = "The registry could not be reached", body = berth_shared::Problem, content_type = "application/problem+json"),
    ),
)]
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
