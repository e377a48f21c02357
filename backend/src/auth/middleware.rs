//! Finding out who calls, on every API request, and the CSRF check for
//! changes made with the sign-in cookie.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::{Auth, Identity, Via, cookie};
use crate::error::ApiError;

/// Paths a person whose password is a one-time password may still use:
/// reading the session, changing the password, signing out.
const ALLOWED_BEFORE_PASSWORD_CHANGE: [&str; 3] =
    ["/v1/session", "/v1/session/password", "/v1/config"];

/// Middleware: verifies the bearer token or the session cookie and puts
/// the [`Identity`] on the request. Requests without credentials go on
/// without one (the handlers that need one answer 401); wrong credentials
/// are a 401 here.
pub async fn authenticate(State(auth): State<Auth>, mut request: Request, next: Next) -> Response {
    // Signing in needs no earlier session; whatever cookie comes along is
    // replaced, so it is not checked (nor its CSRF token asked for).
    let signing_in =
        request.method() == Method::POST && request.uri().path().ends_with("/v1/session");
    let identity = if signing_in {
        Ok(None)
    } else {
        identify(&auth, request.headers()).await
    };
    match identity {
        Ok(Some(identity)) => {
            if let Err(refused) = check(&identity, &request, auth.secure_cookies) {
                return refused.into_response();
            }
            request.extensions_mut().insert(identity);
        }
        Ok(None) => {
            // Signing in is a change without a session: still refuse
            // other sites' pages posting the login form.
            if !is_safe(request.method()) && !same_origin(request.headers(), auth.secure_cookies) {
                return ApiError::CsrfCheckFailed.into_response();
            }
        }
        Err(err) => return err.into_response(),
    }
    next.run(request).await
}

async fn identify(auth: &Auth, headers: &HeaderMap) -> Result<Option<Identity>, ApiError> {
    if let Some(token) = bearer(headers) {
        let Some(oidc) = &auth.oidc else {
            return Err(ApiError::Unauthenticated);
        };
        return match oidc.verify(token).await {
            Ok(identity) => Ok(Some(identity)),
            Err(reason) => {
                tracing::info!(%reason, "bearer token refused");
                Err(ApiError::Unauthenticated)
            }
        };
    }
    let Some(token) = cookie::token(headers) else {
        return Ok(None);
    };
    let Some(session) = auth.sessions.lookup(&token).await? else {
        // A stale cookie is no sign-in; the console then shows the login page.
        return Ok(None);
    };
    let Some(user) = auth.users.get(&session.user).await? else {
        auth.sessions.delete(&session.id).await?;
        return Ok(None);
    };
    Ok(Some(Identity {
        display_name: user.name.clone(),
        user: user.name,
        admin: user.admin,
        via: Via::Session {
            id: session.id,
            csrf_token: session.csrf_token,
            expires_at: session.expires_at.to_string(),
            password_change_required: user.password_change_required,
        },
    }))
}

/// The CSRF check and the one-time-password rule for cookie sessions;
/// bearer tokens are not sent by browsers on their own, so they need
/// neither.
fn check(identity: &Identity, request: &Request, tls: bool) -> Result<(), ApiError> {
    let Via::Session {
        csrf_token,
        password_change_required,
        ..
    } = &identity.via
    else {
        return Ok(());
    };
    if !is_safe(request.method()) {
        let sent = request
            .headers()
            .get(berth_shared::session::CSRF_HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        let token_ok: bool = sent.ct_eq(csrf_token.as_bytes()).into();
        if !token_ok || !same_origin(request.headers(), tls) {
            tracing::warn!(user = %identity.user, path = %request.uri().path(), "CSRF check failed");
            return Err(ApiError::CsrfCheckFailed);
        }
    }
    // Paths as seen inside `/api`, where this middleware runs.
    let path = request.uri().path();
    if *password_change_required
        && !ALLOWED_BEFORE_PASSWORD_CHANGE
            .iter()
            .any(|p| path.ends_with(p))
    {
        return Err(ApiError::PasswordChangeRequired);
    }
    Ok(())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A request without `Origin` (not sent by a browser page, or a same-origin
/// GET) passes; with one, its scheme, host and port must be those the
/// request was sent to. The scheme is the one Berth serves (`tls`), or the
/// one a TLS-terminating proxy names in `X-Forwarded-Proto`: a page of
/// another site cannot set that header without a CORS preflight, which
/// Berth never grants, so it is no weaker than trusting `Host`.
fn same_origin(headers: &HeaderMap, tls: bool) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|p| matches!(*p, "http" | "https"));
    let scheme = forwarded.unwrap_or(if tls { "https" } else { "http" });
    let (Ok(origin), Ok(served)) = (
        url::Url::parse(origin),
        url::Url::parse(&format!("{scheme}://{host}")),
    ) else {
        return false;
    };
    // `Url` lowercases hosts and fills in the scheme's default port.
    origin.scheme() == served.scheme()
        && origin.host_str().is_some()
        && origin.host_str() == served.host_str()
        && origin.port_or_known_default() == served.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).expect("host"));
        if let Some(origin) = origin {
            h.insert(
                header::ORIGIN,
                HeaderValue::from_str(origin).expect("origin"),
            );
        }
        h
    }

    #[test]
    fn origin_must_be_the_host_itself() {
        let same = |origin, host| same_origin(&headers(origin, host), false);
        assert!(same(None, "127.0.0.1:8080"));
        assert!(same(Some("http://127.0.0.1:8080"), "127.0.0.1:8080"));
        assert!(same(Some("http://Berth.Example"), "berth.example:80"));
        assert!(!same(Some("http://evil.example"), "127.0.0.1:8080"));
        assert!(!same(Some("null"), "127.0.0.1:8080"));
        assert!(!same(Some("http://127.0.0.1:8081"), "127.0.0.1:8080"));
        assert!(!same(Some("http://127.0.0.1"), "127.0.0.1:8080"));
    }

    #[test]
    fn origin_must_have_the_scheme_berth_serves() {
        let plain = headers(Some("https://127.0.0.1:8080"), "127.0.0.1:8080");
        assert!(!same_origin(&plain, false));
        assert!(same_origin(&plain, true));
        let tls = headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080");
        assert!(!same_origin(&tls, true));
        assert!(same_origin(
            &headers(Some("https://berth.example"), "berth.example:443"),
            true
        ));
        let mut proxied = headers(Some("https://berth.example"), "berth.example");
        proxied.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(same_origin(&proxied, false));
    }

    #[test]
    fn bearer_tokens_are_read_from_the_authorization_header() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc.def.ghi"),
        );
        assert_eq!(bearer(&h), Some("abc.def.ghi"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic Zm9vOmJhcg=="),
        );
        assert_eq!(bearer(&h), None);
    }
}
