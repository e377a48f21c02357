//! Who is making a request, for the "created by" and "changed by" records.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The person behind a request. Until sign-in exists every request is
/// anonymous; identity (local accounts, OIDC) will fill this in from the
/// session or bearer token, and handlers need not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Actor>()
            .cloned()
            .unwrap_or_else(|| Actor {
                name: "anonymous".to_owned(),
            }))
    }
}
