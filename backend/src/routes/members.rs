//! `/api/v1/projects/{project}/members`: who has which role.

use axum::Json;
use axum::extract::{Path, State};
use berth_shared::MemberList;

use super::ApiJson;
use crate::auth::Identity;
use crate::error::ApiError;
use crate::services::members;
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> Result<Json<MemberList>, ApiError> {
    let (_, current) = state.projects.get_with_members(&project).await?;
    Ok(Json(members::to_list(&current)))
}

/// Replaces the member list (owners only; at least one owner stays).
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
    state.projects.set_members(&project, &wanted).await?;
    tracing::info!(
        project = %project,
        by = %identity.user,
        members = wanted.len(),
        "members changed"
    );
    Ok(Json(members::to_list(&wanted)))
}
