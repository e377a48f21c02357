//! Signing in and out, and the credentials every later request carries:
//! the CSRF token of the cookie session (kept in memory only, never in
//! storage), or a bearer token a portal handed over.

use std::cell::RefCell;

use berth_shared::{ChangePassword, Login, Session};
use gloo_net::http::{Request, RequestBuilder};

use super::{API_BASE, ApiError, send_json, send_no_content, send_with_body};

thread_local! {
    static CSRF_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    /// A portal's bearer token (embedded mode), in memory only.
    static BEARER: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Runs when the server says the session is gone (401 mid-use).
    static ON_SIGNED_OUT: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Adds what proves who is asking to a request.
pub(super) fn authorize(request: RequestBuilder) -> RequestBuilder {
    if let Some(token) = BEARER.with_borrow(Clone::clone) {
        return request.header("Authorization", &format!("Bearer {token}"));
    }
    match CSRF_TOKEN.with_borrow(Clone::clone) {
        Some(token) => request.header(berth_shared::session::CSRF_HEADER, &token),
        None => request,
    }
}

/// Uses a portal's bearer token for every later request.
pub fn use_bearer_token(token: String) {
    // Early answers were asked for with the cookie, not this token.
    super::early::forget();
    BEARER.set(Some(token));
}

/// Whether requests carry a portal's token.
pub fn has_bearer_token() -> bool {
    BEARER.with_borrow(Option::is_some)
}

/// Tells the app when a request found the session gone.
pub(super) fn signed_out_by_server() {
    CSRF_TOKEN.set(None);
    ON_SIGNED_OUT.with_borrow(|callback| {
        if let Some(callback) = callback {
            callback();
        }
    });
}

/// What to do when the session ends under the person (show the sign-in).
pub fn on_signed_out(callback: impl Fn() + 'static) {
    ON_SIGNED_OUT.set(Some(Box::new(callback)));
}

fn remember(session: Session) -> Session {
    CSRF_TOKEN.set(session.csrf_token.clone());
    session
}

/// Who is signed in; a 401 problem when nobody is.
pub async fn get_session() -> Result<Session, ApiError> {
    send_json(Request::get(&format!("{API_BASE}/session")))
        .await
        .map(remember)
}

/// Signs in with a local account.
pub async fn sign_in(login: &Login) -> Result<Session, ApiError> {
    send_with_body(Request::post(&format!("{API_BASE}/session")), login)
        .await
        .map(remember)
}

/// Replaces the password; the session is renewed with a new CSRF token.
pub async fn change_password(change: &ChangePassword) -> Result<Session, ApiError> {
    send_with_body(
        Request::put(&format!("{API_BASE}/session/password")),
        change,
    )
    .await
    .map(remember)
}

/// Signs out.
pub async fn sign_out() -> Result<(), ApiError> {
    let result = send_no_content(Request::delete(&format!("{API_BASE}/session"))).await;
    CSRF_TOKEN.set(None);
    result
}

/// Whether, and as whom, the person is signed in.
#[derive(Clone, Debug, PartialEq)]
pub enum SignedIn {
    Checking,
    No,
    /// The server could not say (down, unreachable).
    Unknown(super::ApiError),
    Yes(berth_shared::Session),
}
