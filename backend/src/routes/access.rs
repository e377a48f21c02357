//! The role check in front of every `/api/v1/projects/{project}/…` route.
//! A caller with no role in the project gets the same 404 as for a project
//! that does not exist, so project names do not leak; a member whose role
//! is too small gets 403, since they already know the project.

use std::collections::HashMap;

use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use berth_shared::message;
use berth_shared::{Message, Role};

use super::activity::{Pending, append};
use super::scope::FoundProject;
use crate::auth::Identity;
use crate::error::ApiError;
use crate::kinds;
use crate::state::AppState;

/// The caller's role in the project of the request (`None`: an
/// administrator who is not a member), for handlers that report it.
#[derive(Debug, Clone, Copy)]
pub struct ProjectRole(pub Option<Role>);

/// Why a member whose role is too small is refused: "Your role in project
/// “shop” is viewer: it cannot do this. …", one code per role.
fn refused(role: Role, project: &str) -> Message {
    match role {
        Role::Viewer => message!("access.forbidden.viewer"),
        Role::Editor => message!("access.forbidden.editor"),
        Role::Owner => message!("access.forbidden.owner"),
    }
    .with("project", project)
}

/// The role a request needs: reading needs a viewer, changing data an
/// editor; deleting or restoring the project and managing members an owner.
pub fn required_role(method: &Method, rest: &str) -> Role {
    let segments: Vec<&str> = rest.split('/').skip(1).collect();
    if let Some(kind) = segments.first().and_then(|s| kinds::by_segment(s)) {
        let action = match segments.as_slice() {
            [_, _, action] => kind.action(method.as_str(), action),
            _ => None,
        };
        return action.map_or_else(|| kind.role_for(method.as_str()), |a| a.role);
    }
    let reading = matches!(*method, Method::GET | Method::HEAD);
    match rest {
        _ if reading => Role::Viewer,
        "" | "/restore" | "/members" => Role::Owner,
        _ => Role::Editor,
    }
}

/// Middleware for the project routes.
pub async fn check_project_role(
    State(state): State<AppState>,
    identity: Identity,
    Path(params): Path<HashMap<String, String>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(project) = params.get("project") else {
        return ApiError::UnknownEndpoint.into_response();
    };
    let (project_found, members) = match state.projects.get_with_members(project).await {
        Ok(found) => found,
        // The progress of a deletion that has just finished: the stream
        // says "deleted" to those who could see the project; everyone
        // else gets the 404 of a project that never existed.
        Err(ApiError::ProjectNotFound(_))
            if request.uri().path().ends_with("/deletion")
                && state
                    .deletion
                    .recent
                    .may_follow(project, &identity.user, identity.admin) =>
        {
            return next.run(request).await;
        }
        Err(err) => return err.into_response(),
    };
    let role = members.get(&identity.user).copied();
    if role.is_none() && !identity.admin {
        return ApiError::ProjectNotFound(project.clone()).into_response();
    }
    // What follows the project in the address: "", "/images/web", ...
    let marker = format!("/projects/{project}");
    let path = request.uri().path();
    let rest = path.split_once(&marker).map_or("", |(_, rest)| rest);
    let needed = required_role(request.method(), rest);
    let request_method = request.method().clone();
    let rest = rest.to_owned();
    // Every change a member asks for goes into the project's activity log,
    // refused ones too; an outsider's never does.
    let change = Pending::of(&request, &identity.user, project, &params);
    let response = if let Some(role) = role.filter(|r| !identity.admin && *r < needed) {
        ApiError::Forbidden(refused(role, project)).into_response()
    } else {
        request.extensions_mut().insert(ProjectRole(role));
        request.extensions_mut().insert(FoundProject(project_found));
        next.run(request).await
    };
    if rest.is_empty()
        && request_method == Method::DELETE
        && response.status() == StatusCode::ACCEPTED
    {
        let members = members.keys().cloned().collect();
        state.deletion.recent.remember(project, members);
    }
    // Recorded before the answer leaves, so the next read of the log
    // shows it.
    if let Some((project, entry)) = change.and_then(|c| c.finish(&response)) {
        append(&state, &project, &entry).await;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_needed_per_route() {
        assert_eq!(required_role(&Method::GET, ""), Role::Viewer);
        assert_eq!(required_role(&Method::GET, "/members"), Role::Viewer);
        assert_eq!(required_role(&Method::DELETE, ""), Role::Owner);
        assert_eq!(required_role(&Method::POST, "/restore"), Role::Owner);
        assert_eq!(required_role(&Method::PUT, "/members"), Role::Owner);
        assert_eq!(required_role(&Method::POST, "/images"), Role::Editor);
        assert_eq!(
            required_role(&Method::DELETE, "/inventory/image/web"),
            Role::Editor
        );
        assert_eq!(
            required_role(&Method::POST, "/images/web/verify"),
            Role::Editor
        );
    }
}
