//! `/api/v1/projects/{project}/images`: image pointers and their check.

use berth_shared::{ImagePointer, ImagePointerList, SaveImagePointer};
use gloo_net::http::Request;

use super::{API_BASE, ApiError, segment, send_json, send_no_content, send_with_body};

fn base(project: &str) -> String {
    format!("{API_BASE}/projects/{}/images", segment(project))
}

pub async fn list_images(project: &str) -> Result<Vec<ImagePointer>, ApiError> {
    let list: ImagePointerList = send_json(Request::get(&base(project))).await?;
    Ok(list.items)
}

pub async fn create_image(
    project: &str,
    body: &SaveImagePointer,
) -> Result<ImagePointer, ApiError> {
    send_with_body(Request::post(&base(project)), body).await
}

pub async fn replace_image(
    project: &str,
    name: &str,
    version: &str,
    body: &SaveImagePointer,
) -> Result<ImagePointer, ApiError> {
    let request = Request::put(&format!("{}/{}", base(project), segment(name)))
        .header("If-Match", &format!("\"{version}\""));
    send_with_body(request, body).await
}

pub async fn delete_image(project: &str, name: &str) -> Result<(), ApiError> {
    send_no_content(Request::delete(&format!(
        "{}/{}",
        base(project),
        segment(name)
    )))
    .await
}

/// Asks the image's registry whether the image exists; the answer is the
/// pointer with the digest and time of the check.
pub async fn verify_image(project: &str, name: &str) -> Result<ImagePointer, ApiError> {
    send_json(Request::post(&format!(
        "{}/{}/verify",
        base(project),
        segment(name)
    )))
    .await
}
