//! Who is calling: local accounts with sign-in sessions, and OIDC bearer
//! tokens from a portal. [`middleware::authenticate`] puts an [`Identity`]
//! on each request that carries valid credentials; handlers take it as an
//! extractor, which answers 401 when there is none.

mod argon2_in_place;
pub mod bootstrap;
mod cookie;
pub mod identity;
pub mod middleware;
pub mod oidc;
pub mod passwords;
pub mod rate_limit;
pub mod records;
pub mod sessions;
pub mod users;

pub use cookie::{clear as clear_cookie_header, set as cookie_header, token as presented_token};
pub use identity::{Identity, Via};

use std::sync::Arc;
use std::time::Duration;

/// Everything authentication needs, shared by the routes.
#[derive(Clone)]
pub struct Auth {
    pub users: users::UserStore,
    pub sessions: sessions::SessionStore,
    pub oidc: Option<Arc<oidc::OidcVerifier>>,
    pub limits: Arc<rate_limit::LoginLimits>,
    /// How long a sign-in lasts.
    pub session_lifetime: Duration,
    /// Session cookies get `Secure` (served over TLS).
    pub secure_cookies: bool,
}
