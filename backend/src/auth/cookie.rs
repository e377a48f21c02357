//! The sign-in cookie.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};

/// Its name. `__Host-` would be better but needs `Secure`, which plain-HTTP
/// local use cannot have.
pub const NAME: &str = "berth_session";

/// The cookie's token, if the request carries one.
pub fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == NAME)
        .map(|c| c.value().to_owned())
}

/// `Set-Cookie` for a new session: not readable by scripts, sent only to
/// this site (`SameSite=Strict`), for the session's lifetime.
pub fn set(token: &str, lifetime: Duration, secure: bool) -> Option<HeaderValue> {
    let max_age = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
    let cookie = Cookie::build((NAME, token))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// `Set-Cookie` that removes it (signing out).
pub fn clear(secure: bool) -> Option<HeaderValue> {
    let cookie = Cookie::build((NAME, ""))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}
