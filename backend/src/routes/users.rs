//! `/api/v1/users`: local accounts, for administrators (`berth user …`).
//! Passwords come in and never go out; a password set by an administrator
//! is a one-time password its owner must replace at the first sign-in.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use berth_shared::FieldError;
use berth_shared::message;
use berth_shared::session::{validate_password, validate_username};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::ApiJson;
use crate::auth::users::{Removal, User};
use crate::auth::{Identity, passwords};
use crate::error::ApiError;
use crate::state::AppState;

/// `POST` body.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    name: String,
    password: String,
    #[serde(default)]
    admin: bool,
}

/// `PUT /{name}/password` body.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewPassword {
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserList {
    items: Vec<User>,
}

fn require_admin(identity: &Identity) -> Result<(), ApiError> {
    if identity.admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(message!("users.admin_only")))
    }
}

#[utoipa::path(
    get,
    path = "/v1/users",
    tag = "users",
    operation_id = "list_users",
    responses((status = 200, description = "Every local account", body = UserList)),
)]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<UserList>, ApiError> {
    require_admin(&identity)?;
    Ok(Json(UserList {
        items: state.auth.users.list().await?,
    }))
}

#[utoipa::path(
    post,
    path = "/v1/users",
    tag = "users",
    operation_id = "create_user",
    request_body = NewUser,
    responses((status = 201, description = "Created; its password works once", body = User)),
)]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    require_admin(&identity)?;
    let mut errors = Vec::new();
    if let Err(e) = validate_username(&new.name) {
        errors.push(FieldError::new("name", e.message()));
    }
    if let Err(e) = validate_password(&new.password) {
        errors.push(FieldError::new("password", e));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let hash = passwords::hash(SecretString::from(new.password)).await?;
    let user = state
        .auth
        .users
        .create(&new.name, hash, new.admin, true)
        .await?
        .ok_or_else(|| ApiError::Conflict(message!("users.name.taken").with("name", &new.name)))?;
    tracing::info!(by = %identity.user, user = %user.name, admin = user.admin, "account created");
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(
    put,
    path = "/v1/users/{name}/password",
    tag = "users",
    operation_id = "reset_password",
    params(("name" = String, Path, description = "The account's name")),
    request_body = NewPassword,
    responses((status = 204, description = "Set, as a one-time password; the account's sessions end")),
)]
pub async fn set_password(
    State(state): State<AppState>,
    identity: Identity,
    Path(name): Path<String>,
    ApiJson(new): ApiJson<NewPassword>,
) -> Result<StatusCode, ApiError> {
    require_admin(&identity)?;
    known_form(&name)?;
    validate_password(&new.password)
        .map_err(|e| ApiError::Validation(vec![FieldError::new("password", e)]))?;
    let hash = passwords::hash(SecretString::from(new.password)).await?;
    if !state.auth.users.set_password(&name, hash, true).await? {
        return Err(no_account(&name));
    }
    state.auth.sessions.delete_all_of(&name).await?;
    tracing::info!(by = %identity.user, user = %name, "password reset");
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/v1/users/{name}",
    tag = "users",
    operation_id = "delete_user",
    params(("name" = String, Path, description = "The account's name")),
    responses((status = 204, description = "Deleted, with its sessions")),
)]
pub async fn remove(
    State(state): State<AppState>,
    identity: Identity,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_admin(&identity)?;
    known_form(&name)?;
    match state.auth.users.remove(&name).await? {
        Removal::Removed => {}
        Removal::NoAccount => return Err(no_account(&name)),
        Removal::LastAdmin => {
            return Err(ApiError::Conflict(message!("users.last_admin")));
        }
        Removal::Busy => {
            return Err(ApiError::Conflict(message!("users.busy")));
        }
    }
    state.auth.sessions.delete_all_of(&name).await?;
    tracing::info!(by = %identity.user, user = %name, "account removed");
    Ok(StatusCode::NO_CONTENT)
}

/// A name no account can have is answered like an unknown account, before
/// it reaches the store (which would refuse it as an invalid object name).
fn known_form(name: &str) -> Result<(), ApiError> {
    validate_username(name).map_err(|_| no_account(name))
}

fn no_account(name: &str) -> ApiError {
    ApiError::ItemNotFound(message!("users.not_found").with("name", name))
}
