//! `/api/v1/projects`: list, create and read projects.

use berth_shared::{CreateProject, Project, ProjectList};
use gloo_net::http::Request;

use super::{API_BASE, ApiError, segment, send_json, send_with_body};

/// The projects the signed-in person may see.
pub async fn list_projects() -> Result<Vec<Project>, ApiError> {
    let list: ProjectList = send_json(Request::get(&format!("{API_BASE}/projects"))).await?;
    Ok(list.items)
}

/// One project; a 404 problem when it does not exist (or is not yours).
pub async fn get_project(name: &str) -> Result<Project, ApiError> {
    send_json(Request::get(&format!(
        "{API_BASE}/projects/{}",
        segment(name)
    )))
    .await
}

/// Creates a project. The caller validates first with
/// [`CreateProject::validate`]; the server checks again and answers 409 for
/// a name that is taken, 422 with field errors for a refused input.
pub async fn create_project(body: &CreateProject) -> Result<Project, ApiError> {
    send_with_body(Request::post(&format!("{API_BASE}/projects")), body).await
}
