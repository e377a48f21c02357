//! The project a request is about, looked up once by the access check
//! ([`super::access`]) and handed to the route with the request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use berth_shared::Project;

use crate::error::ApiError;
use crate::services::projects::refuse_unless_active;

/// The project as the access check found it (set on every request it let
/// through to a project route).
#[derive(Debug, Clone)]
pub struct FoundProject(pub Project);

/// A project whose data may be read and written now, and its namespace. A
/// project that was deleted with a restore window (410) or is being deleted
/// (409) is refused here, for every data route at once.
#[derive(Debug, Clone)]
pub struct ProjectScope {
    pub project: String,
    pub namespace: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ProjectScope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let FoundProject(project) = parts
            .extensions
            .get::<FoundProject>()
            // Only on routes behind the access check.
            .ok_or(ApiError::UnknownEndpoint)?;
        refuse_unless_active(project)?;
        Ok(Self {
            project: project.name.clone(),
            namespace: project.namespace.clone(),
        })
    }
}
