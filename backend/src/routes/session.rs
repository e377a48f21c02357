//! `/api/v1/session`: sign in, see who is signed in, change the password,
//! sign out.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_shared::message;
use berth_shared::{ChangePassword, FieldError, Login, Problem, Session};
use secrecy::SecretString;

use super::ApiJson;
use crate::auth::{Identity, Via, cookie_header, passwords};
use crate::error::ApiError;
use crate::state::AppState;

/// `GET`: the signed-in person, with the CSRF token for changes.
#[utoipa::path(
    get,
    path = "/v1/session",
    tag = "session",
    operation_id = "session",
    responses((status = 200, description = "Who is signed in", body = Session)),
)]
pub async fn get(identity: Identity) -> Json<Session> {
    Json(to_session(&identity))
}

/// `POST`: signs in with a local account. A new session every time (any
/// session the browser still had is ended), so a cookie planted before
/// sign-in is worthless after it.
#[utoipa::path(
    post,
    path = "/v1/session",
    tag = "session",
    operation_id = "sign_in",
    request_body = Login,
    responses(
        (status = 200, description = "Signed in: the session cookie is set", body = Session),
        (status = 401, description = "Wrong user name or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(login): ApiJson<Login>,
) -> Result<Response, ApiError> {
    let auth = &state.auth;
    // A name no account can have is refused before any work, and never
    // logged or kept: it may be huge or hold control characters.
    let username = login.username.trim().to_ascii_lowercase();
    if berth_shared::session::validate_username(&username).is_err() {
        tracing::info!(address = %peer.ip(), "sign-in refused: not a user name");
        return Err(ApiError::BadCredentials);
    }
    if let Err(wait) = auth.limits.check(&username, peer.ip()) {
        tracing::warn!(user = %username, address = %peer.ip(), "sign-in attempts over the limit");
        return Err(ApiError::TooManyAttempts {
            retry_after_seconds: wait.as_secs().max(1),
        });
    }
    let account = auth.users.get_with_hash(&username).await?;
    let hash = account.as_ref().map(|(_, hash)| hash.clone());
    if !passwords::verify(SecretString::from(login.password), hash).await {
        tracing::info!(user = %username, address = %peer.ip(), "sign-in refused");
        return Err(ApiError::BadCredentials);
    }
    let Some((user, _)) = account else {
        return Err(ApiError::BadCredentials);
    };
    end_presented_session(&state, &headers).await?;
    let (token, record) = auth.sessions.create(&user.name).await?;
    tracing::info!(user = %user.name, address = %peer.ip(), "signed in");
    let identity = Identity {
        display_name: user.name.clone(),
        user: user.name,
        admin: user.admin,
        via: Via::Session {
            id: record.id,
            csrf_token: record.csrf_token,
            expires_at: record.expires_at.to_string(),
            password_change_required: user.password_change_required,
        },
    };
    Ok(with_cookie(&state, &token, Json(to_session(&identity))))
}

/// `PUT /password`: replaces the password (the one-time password first of
/// all). Every other session of the account ends; this one is renewed.
#[utoipa::path(
    put,
    path = "/v1/session/password",
    tag = "session",
    operation_id = "change_own_password",
    request_body = ChangePassword,
    responses((status = 200, description = "Changed; this session is renewed, every other one ends", body = Session)),
)]
pub async fn change_password(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(change): ApiJson<ChangePassword>,
) -> Result<Response, ApiError> {
    if identity.via == Via::Bearer {
        return Err(ApiError::Forbidden(message!("session.password.external")));
    }
    let errors = change.validate();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let auth = &state.auth;
    let hash = auth
        .users
        .get_with_hash(&identity.user)
        .await?
        .map(|(_, hash)| hash);
    if !passwords::verify(SecretString::from(change.current_password), hash).await {
        return Err(ApiError::Validation(vec![FieldError::new(
            "currentPassword",
            message!("session.current_password.wrong"),
        )]));
    }
    let new_hash = passwords::hash(SecretString::from(change.new_password)).await?;
    auth.users
        .set_password(&identity.user, new_hash, false)
        .await?;
    auth.sessions.delete_all_of(&identity.user).await?;
    let (token, record) = auth.sessions.create(&identity.user).await?;
    tracing::info!(user = %identity.user, "password changed");
    let renewed = Identity {
        via: Via::Session {
            id: record.id,
            csrf_token: record.csrf_token,
            expires_at: record.expires_at.to_string(),
            password_change_required: false,
        },
        ..identity
    };
    Ok(with_cookie(&state, &token, Json(to_session(&renewed))))
}

/// `DELETE`: signs out (ends the session and removes the cookie).
#[utoipa::path(
    delete,
    path = "/v1/session",
    tag = "session",
    operation_id = "sign_out",
    responses((status = 204, description = "Signed out")),
)]
pub async fn logout(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, ApiError> {
    if let Via::Session { id, .. } = &identity.via {
        state.auth.sessions.delete(id).await?;
        tracing::info!(user = %identity.user, "signed out");
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(clear) = crate::auth::clear_cookie_header(state.auth.secure_cookies) {
        response.headers_mut().insert(header::SET_COOKIE, clear);
    }
    Ok(response)
}

async fn end_presented_session(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if let Some(old) = crate::auth::presented_token(headers) {
        state
            .auth
            .sessions
            .delete(&crate::auth::sessions::session_id(&old))
            .await?;
    }
    Ok(())
}

fn with_cookie(state: &AppState, token: &str, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    if let Some(set) = cookie_header(
        token,
        state.auth.session_lifetime,
        state.auth.secure_cookies,
    ) {
        response.headers_mut().insert(header::SET_COOKIE, set);
    }
    // Responses that set a session must never be cached anywhere.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

fn to_session(identity: &Identity) -> Session {
    let (via, csrf_token, expires_at, password_change_required) = match &identity.via {
        Via::Session {
            csrf_token,
            expires_at,
            password_change_required,
            ..
        } => (
            "session",
            Some(csrf_token.clone()),
            Some(expires_at.clone()),
            *password_change_required,
        ),
        Via::Bearer => ("bearer", None, None, false),
    };
    Session {
        user: identity.user.clone(),
        display_name: identity.display_name.clone(),
        admin: identity.admin,
        via: via.to_owned(),
        csrf_token,
        password_change_required,
        expires_at,
    }
}
