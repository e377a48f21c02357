//! `/api/v1/projects/{project}/members`: who has which role.

use axum::Json;
use axum::extract::{Path, State};
use berth_shared::message;
use berth_shared::{FieldError, MemberList};

use super::ApiJson;
use crate::auth::Identity;
use crate::error::ApiError;
use crate::services::members;
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/v1/projects/{project}/members",
    tag = "projects",
    operation_id = "list_members",
    params(("project" = String, Path, description = "The project's name")),
    responses((status = 200, description = "Who has which role", body = MemberList)),
)]
pub async fn list(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> Result<Json<MemberList>, ApiError> {
    let (_, current) = state.projects.get_with_members(&project).await?;
    Ok(Json(members::to_list(&current)))
}

/// Replaces the member list (owners only; at least one owner stays).
#[utoipa::path(
    put,
    path = "/v1/projects/{project}/members",
    tag = "projects",
    operation_id = "replace_members",
    params(("project" = String, Path, description = "The project's name")),
    request_body = MemberList,
    responses((status = 200, description = "The new members", body = MemberList)),
)]
pub async fn replace(
    State(state): State<AppState>,
    Path(project): Path<String>,
    identity: Identity,
    ApiJson(list): ApiJson<MemberList>,
) -> Result<Json<MemberList>, ApiError> {
    let errors = list.validate();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let wanted = members::from_list(&list);
    refuse_unknown_users(&state, &project, &list).await?;
    state.projects.set_members(&project, &wanted).await?;
    tracing::info!(
        project = %project,
        by = %identity.user,
        members = wanted.len(),
        "members changed"
    );
    Ok(Json(members::to_list(&wanted)))
}

/// A new member must be a local account, unless people also sign in through
/// OIDC: then a name that is no local account is taken as an OIDC subject,
/// exactly as typed (Berth cannot list the identity provider's people).
/// Members already on the list are kept even if their account is gone.
async fn refuse_unknown_users(
    state: &AppState,
    project: &str,
    list: &MemberList,
) -> Result<(), ApiError> {
    if state.auth.oidc.is_some() {
        return Ok(());
    }
    let (_, current) = state.projects.get_with_members(project).await?;
    let mut errors = Vec::new();
    for (i, member) in list.members.iter().enumerate() {
        let user = member.user.trim();
        if current.contains_key(user) || state.auth.users.get(user).await?.is_some() {
            continue;
        }
        errors.push(FieldError::new(
            format!("members[{i}].user"),
            message!("members.user.unknown").with("user", user),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}
