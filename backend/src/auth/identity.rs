//! The person behind a request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::ApiError;

/// How the request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The sign-in cookie; changes need the session's CSRF token.
    Session {
        /// The session's storage id (a hash of the cookie, never the cookie).
        id: String,
        csrf_token: String,
        expires_at: String,
        password_change_required: bool,
    },
    /// An OIDC bearer token (portal).
    Bearer,
}

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// User id: a local user name, or the OIDC subject.
    pub user: String,
    pub display_name: String,
    /// Sees and manages every project.
    pub admin: bool,
    pub via: Via,
}

impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .cloned()
            .ok_or(ApiError::Unauthenticated)
    }
}
