//! `/api/v1/projects/{project}/registry-credentials`: write-only registry
//! credentials. The secret goes out in the request body and never comes back.

use berth_shared::{RegistryCredential, RegistryCredentialList, SaveRegistryCredential};
use gloo_net::http::Request;

use super::{API_BASE, ApiError, segment, send_json, send_no_content, send_with_body};

fn base(project: &str) -> String {
    format!(
        "{API_BASE}/projects/{}/registry-credentials",
        segment(project)
    )
}

/// The project's credentials: metadata only.
pub async fn list_credentials(project: &str) -> Result<Vec<RegistryCredential>, ApiError> {
    let list: RegistryCredentialList = send_json(Request::get(&base(project))).await?;
    Ok(list.items)
}

/// Stores a new credential.
pub async fn create_credential(
    project: &str,
    body: &SaveRegistryCredential,
) -> Result<RegistryCredential, ApiError> {
    send_with_body(Request::post(&base(project)), body).await
}

/// Replaces a credential (the secret must be in `body` again); `version`
/// guards against overwriting someone else's change.
pub async fn replace_credential(
    project: &str,
    name: &str,
    version: &str,
    body: &SaveRegistryCredential,
) -> Result<RegistryCredential, ApiError> {
    let request = Request::put(&format!("{}/{}", base(project), segment(name)))
        .header("If-Match", &format!("\"{version}\""));
    send_with_body(request, body).await
}

/// Deletes a credential; `force` also when image pointers use it.
pub async fn delete_credential(project: &str, name: &str, force: bool) -> Result<(), ApiError> {
    let query = if force { "?force=true" } else { "" };
    send_no_content(Request::delete(&format!(
        "{}/{}{query}",
        base(project),
        segment(name)
    )))
    .await
}
