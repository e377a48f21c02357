//! Who is making a request, for the "created by" and "changed by" records.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::Identity;

/// The person behind a request: the signed-in user's id. Routes that change
/// data sit behind the role check, so an identity is always there; without
/// one (never on those routes) the record says "anonymous".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let name = parts
            .extensions
            .get::<Identity>()
            .map_or_else(|| "anonymous".to_owned(), |i| i.user.clone());
        Ok(Actor { name })
    }
}
