//! Who may use the loopback listener, and what they may do.
//!
//! Every request to the listener is first checked for its `Host`
//! ([`host`]: loopback names only, against DNS rebinding), then
//! authenticated: with the operator's token when one is configured
//! (`ListenerAccess::with_token`; without one, anything on loopback acts as
//! the operator, as before), or with a service-account token this server
//! issued ([`tokens`]). The operator is unrestricted; a service account is
//! authorized by RBAC as stored ([`authorize`]). Requests from inside the
//! process (`EmbeddedApiServer::client`) never pass through here.

pub mod authorize;
pub mod host;
pub mod tokens;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::rbac::User;
use crate::status::ApiError;
use crate::store::Store;

/// Who a listener request was authenticated as (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The operator's token, or anyone when no token is configured: unrestricted.
    Operator,
    /// A service account, by a token this server issued: RBAC applies.
    ServiceAccount { namespace: String, name: String },
}

impl Identity {
    /// The RBAC user, for identities that are authorized (None: unrestricted).
    pub fn user(&self) -> Option<User> {
        match self {
            Self::Operator => None,
            Self::ServiceAccount { namespace, name } => {
                Some(User::service_account(namespace, name))
            }
        }
    }
}

/// How the listener authenticates its operator.
#[derive(Clone, Default)]
pub struct ListenerAccess {
    /// SHA-256 of the operator's bearer token; None: no token needed.
    token: Option<[u8; 32]>,
}

impl std::fmt::Debug for ListenerAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenerAccess")
            .field("token", &self.token.map(|_| "[set]"))
            .finish()
    }
}

impl ListenerAccess {
    /// No operator token: whoever reaches the loopback port is the operator.
    pub fn open() -> Self {
        Self::default()
    }

    /// Requests need `Authorization: Bearer <token>` (or a service
    /// account's token); others get 401.
    pub fn with_token(token: &str) -> Self {
        Self {
            token: Some(Sha256::digest(token.as_bytes()).into()),
        }
    }
}

#[derive(Clone)]
struct Guard {
    store: Store,
    access: Arc<ListenerAccess>,
}

/// `router` behind the Host check and authentication.
pub fn guarded(router: Router, store: Store, access: ListenerAccess) -> Router {
    let guard = Guard {
        store,
        access: Arc::new(access),
    };
    router.layer(axum::middleware::from_fn_with_state(guard, admit))
}

async fn admit(State(guard): State<Guard>, mut req: Request, next: Next) -> Response {
    match identify(&guard, &req) {
        Ok(identity) => {
            req.extensions_mut().insert(identity);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

fn identify(guard: &Guard, req: &Request) -> Result<Identity, ApiError> {
    if !host::of(req).is_some_and(host::is_loopback) {
        return Err(ApiError::Denied(
            "forbidden: this API server answers only requests addressed to localhost or a loopback address".into(),
        ));
    }
    let bearer = bearer(req.headers())?;
    match (bearer, &guard.access.token) {
        (None, None) => Ok(Identity::Operator),
        (None, Some(_)) => Err(ApiError::Unauthorized),
        (Some(given), Some(operator))
            if bool::from(Sha256::digest(given.as_bytes()).ct_eq(operator.as_slice())) =>
        {
            Ok(Identity::Operator)
        }
        (Some(given), _) => tokens::authenticate(&guard.store.read(), given)
            .map(|(namespace, name)| Identity::ServiceAccount { namespace, name })
            .ok_or(ApiError::Unauthorized),
    }
}

/// The bearer token of `Authorization`, if any; another scheme is refused.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::Unauthorized)?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::Unauthorized),
    }
}
