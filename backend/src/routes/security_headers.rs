//! Headers every response carries: a strict Content-Security-Policy and the
//! other browser hardening headers of the security model (DESIGN.md).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The console needs nothing inline: its loader is an external module and
/// the wasm needs only `'wasm-unsafe-eval'`.
fn content_security_policy(frame_ancestors: &[String]) -> String {
    let ancestors = if frame_ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        frame_ancestors.join(" ")
    };
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        &format!("frame-ancestors {ancestors}"),
    ]
    .join("; ")
}

/// No powerful browser feature is used by the console.
const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), interest-cohort=()";

/// The headers, computed once at start.
#[derive(Clone)]
pub struct SecurityHeaders(Arc<HeaderMap>);

impl SecurityHeaders {
    /// `frame_ancestors` are the portal origins allowed to embed the console
    /// (none: it cannot be framed at all).
    pub fn new(frame_ancestors: &[String], tls: bool) -> anyhow::Result<Self> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&content_security_policy(frame_ancestors))?,
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        );
        headers.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
        // X-Frame-Options cannot name allowed origins: with an allow-list it
        // is left out and frame-ancestors alone decides (every current
        // browser honours it); without one, DENY also covers older browsers.
        if frame_ancestors.is_empty() {
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
        // Only over TLS: browsers ignore it on plain HTTP anyway.
        if tls {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=63072000"),
            );
        }
        Ok(Self(Arc::new(headers)))
    }
}

/// Middleware: adds the headers to every response, whatever produced it.
pub async fn apply(
    State(headers): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    for (name, value) in headers.0.iter() {
        response.headers_mut().insert(name, value.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::content_security_policy;

    #[test]
    fn frames_are_refused_unless_origins_are_allowed() {
        assert!(content_security_policy(&[]).ends_with("frame-ancestors 'none'"));
        let allowed = [
            "https://portal.example.com".to_owned(),
            "http://localhost:3000".to_owned(),
        ];
        assert!(
            content_security_policy(&allowed)
                .ends_with("frame-ancestors https://portal.example.com http://localhost:3000")
        );
    }
}
