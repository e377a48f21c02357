//! What a state-changing request asks for, as both the audit trail in the
//! logs and a project's activity log record it: the method, the path as
//! the client sent it, the route it matched and the client's address.
//! Never a body, so never a secret.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{Extensions, Method};

/// A change a request asks for, taken before it runs.
pub struct RequestedChange {
    pub method: Method,
    /// The whole path, as the client sent it (also inside a nested router).
    pub path: String,
    /// The route template it matched: `/v1/projects/{project}/images/{name}`.
    pub route: String,
    /// The client's address, `-` when unknown.
    pub from: String,
}

impl RequestedChange {
    /// `None` for a read, which neither log records.
    pub fn of(request: &Request) -> Option<Self> {
        let method = request.method();
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return None;
        }
        let extensions = request.extensions();
        Some(Self {
            method: method.clone(),
            path: extensions
                .get::<OriginalUri>()
                .map_or_else(|| request.uri().path(), |u| u.path())
                .to_owned(),
            route: extensions
                .get::<MatchedPath>()
                .map_or("", MatchedPath::as_str)
                .to_owned(),
            from: client_address(extensions),
        })
    }
}

/// The client's address, `-` when unknown.
fn client_address(extensions: &Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "-".to_owned(), |c| c.0.ip().to_string())
}

/// The client's address as an extractor.
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_address(&parts.extensions)))
    }
}
