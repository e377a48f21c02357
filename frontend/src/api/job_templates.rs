//! `/api/v1/projects/{project}/job-templates`: job templates and the Job
//! each would become.

use berth_shared::{JobTemplate, JobTemplateList, SaveJobTemplate};
use gloo_net::http::Request;

use super::{
    API_BASE, ApiError, segment, send_for_text, send_json, send_no_content, send_with_body,
};

fn base(project: &str) -> String {
    format!("{API_BASE}/projects/{}/job-templates", segment(project))
}

fn one(project: &str, name: &str) -> String {
    format!("{}/{}", base(project), segment(name))
}

pub async fn list_job_templates(project: &str) -> Result<Vec<JobTemplate>, ApiError> {
    let list: JobTemplateList = send_json(Request::get(&base(project))).await?;
    Ok(list.items)
}

/// Creates a template, or (with `version`) replaces one if nobody changed it since.
pub async fn save_job_template(
    project: &str,
    version: Option<&str>,
    body: &SaveJobTemplate,
) -> Result<JobTemplate, ApiError> {
    let request = match version {
        Some(v) => Request::put(&one(project, &body.name)).header("If-Match", &format!("\"{v}\"")),
        None => Request::post(&base(project)),
    };
    send_with_body(request, body).await
}

pub async fn delete_job_template(project: &str, name: &str) -> Result<(), ApiError> {
    send_no_content(Request::delete(&one(project, name))).await
}

/// The `batch/v1` Job the template would become, as indented JSON text
/// the server renders.
pub async fn job_of_template(project: &str, name: &str) -> Result<String, ApiError> {
    send_for_text(Request::get(&format!("{}/job", one(project, name)))).await
}
