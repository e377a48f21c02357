//! `/api/v1/projects/{project}/activity`: the project's activity log, and
//! recording each change to a project into it. Only the method, the path
//! and the answer's status and `Location` are recorded: never a body, so
//! never a secret.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::Response;
use berth_shared::activity::{ActivityEntry, ActivityList, Outcome};

use super::requested_change::RequestedChange;
use crate::error::ApiError;
use crate::services::activity::action::{Change, describe};
use crate::services::projects::rfc3339;
use crate::state::AppState;

/// `GET`: newest first. Readable while the project waits in its restore
/// window too, so its owners can see who deleted it.
#[utoipa::path(
    get,
    path = "/v1/projects/{project}/activity",
    tag = "projects",
    operation_id = "list_activity",
    params(("project" = String, Path, description = "The project's name")),
    responses((status = 200, description = "The project's changes, newest first", body = ActivityList)),
)]
pub async fn list(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> Result<Json<ActivityList>, ApiError> {
    let namespace = state.projects.namespace_of(&project);
    Ok(Json(ActivityList {
        items: state.activity.list(&namespace).await?,
    }))
}

/// A change requested of a project, taken before the request runs.
pub struct Pending {
    project: String,
    user: String,
    change: RequestedChange,
    params: HashMap<String, String>,
}

impl Pending {
    /// `None` for a read, which is not recorded.
    pub fn of(
        request: &Request,
        user: &str,
        project: &str,
        params: &HashMap<String, String>,
    ) -> Option<Self> {
        Some(Self {
            change: RequestedChange::of(request)?,
            project: project.to_owned(),
            user: user.to_owned(),
            params: params.clone(),
        })
    }

    /// The entry for this change and the answer it got, and the project
    /// whose log it goes to; `None` when there is no log to write to.
    pub fn finish(self, response: &Response) -> Option<(String, ActivityEntry)> {
        let status = response.status();
        let RequestedChange {
            method,
            path,
            route,
            from,
        } = self.change;
        // The route template after `{project}`: `""`, `"/images/{name}"`, ...
        let route = route.split_once("{project}").map_or("", |(_, rest)| rest);
        // A permanent deletion: the namespace, log included, is going away.
        if method == Method::DELETE && route.is_empty() && status == StatusCode::ACCEPTED {
            return None;
        }
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok());
        let action = describe(&Change {
            method: method.as_str(),
            route,
            params: &self.params,
            location,
            succeeded: status.is_success(),
        });
        let entry = entry(self.user, action, method.as_str(), path, from, status);
        Some((self.project, entry))
    }
}

/// One entry, stamped now.
pub fn entry(
    user: String,
    action: String,
    method: &str,
    path: String,
    from: String,
    status: StatusCode,
) -> ActivityEntry {
    ActivityEntry {
        at: rfc3339(jiff::Timestamp::now()),
        user,
        action: clip(action),
        method: method.to_owned(),
        path: clip(path),
        from,
        status: status.as_u16(),
        outcome: Outcome::of_status(status.as_u16()),
        what: None,
    }
}

/// Appends to the log of `project`. A failure is logged and never fails
/// the person's request: the change itself happened (or not) already.
pub async fn append(state: &AppState, project: &str, entry: &ActivityEntry) {
    let namespace = state.projects.namespace_of(project);
    match state.activity.append(project, &namespace, entry).await {
        Ok(()) => {}
        // The project is being deleted: nobody will read its log again.
        Err(ApiError::NamespaceTerminating) => {
            tracing::debug!(%project, "activity not recorded: the project is being deleted");
        }
        Err(err) => {
            tracing::warn!(%project, %err, "the change could not be added to the project's activity log");
        }
    }
}

/// At most [`TEXT_MAX_CHARS`] of `text`: addresses come from the client,
/// and a log of long ones must still fit in one ConfigMap (1 MiB).
fn clip(mut text: String) -> String {
    if let Some((at, _)) = text.char_indices().nth(TEXT_MAX_CHARS) {
        text.truncate(at);
        text.push('…');
    }
    text
}

/// Longest path or action an entry keeps.
const TEXT_MAX_CHARS: usize = 300;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_client_text_is_clipped() {
        assert_eq!(clip("short".to_owned()), "short");
        let long = clip("é".repeat(TEXT_MAX_CHARS + 50));
        assert_eq!(long.chars().count(), TEXT_MAX_CHARS + 1);
        assert!(long.ends_with('…'));
    }
}
