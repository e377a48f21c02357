//! The project's stored data and its deletion: the inventory, deleting one
//! item, deleting and restoring a project, and the projects that wait in
//! their restore window.

use berth_shared::activity::ActivityList;
use berth_shared::inventory::Inventory;
use berth_shared::{Project, ProjectList};
use gloo_net::http::Request;

use super::{API_BASE, ApiError, segment, send_json, send_no_content};

fn project_path(name: &str) -> String {
    format!("{API_BASE}/projects/{}", segment(name))
}

/// Everything Berth stores for the project (never a secret value).
pub async fn get_inventory(project: &str) -> Result<Inventory, ApiError> {
    send_json(Request::get(&format!(
        "{}/inventory",
        project_path(project)
    )))
    .await
}

/// The project's activity log, newest first.
pub async fn get_activity(project: &str) -> Result<ActivityList, ApiError> {
    send_json(Request::get(&format!("{}/activity", project_path(project)))).await
}

/// The address that downloads the inventory as a JSON file.
pub fn inventory_download_url(project: &str) -> String {
    format!("{}/inventory?download=true", project_path(project))
}

/// Deletes one item at the API path the inventory gave for it.
pub async fn delete_item(delete_path: &str) -> Result<(), ApiError> {
    // Only our own API's paths: the inventory is the one source of them.
    if !delete_path.starts_with("/api/v1/projects/") {
        return Err(ApiError::Unexpected { status: 0 });
    }
    send_no_content(Request::delete(delete_path)).await
}

/// Deletes a project: `hard` now and for good, otherwise with the server's
/// restore window. The answer is the project: status `Deleted` (restorable)
/// or `Terminating` (follow [`deletion_events_url`]).
pub async fn delete_project(name: &str, hard: bool) -> Result<Project, ApiError> {
    let mode = if hard { "hard" } else { "soft" };
    send_json(Request::delete(&format!(
        "{}?mode={mode}",
        project_path(name)
    )))
    .await
}

/// Brings back a project deleted with a restore window.
pub async fn restore_project(name: &str) -> Result<Project, ApiError> {
    send_json(Request::post(&format!("{}/restore", project_path(name)))).await
}

/// The projects waiting in their restore window.
pub async fn list_deleted_projects() -> Result<Vec<Project>, ApiError> {
    let list: ProjectList =
        send_json(Request::get(&format!("{API_BASE}/projects?deleted=true"))).await?;
    Ok(list.items)
}

/// The server-sent events of a project's deletion.
pub fn deletion_events_url(name: &str) -> String {
    format!("{}/deletion", project_path(name))
}

/// What the console shows of a `progress` event.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Progress {
    pub remaining: std::collections::BTreeMap<String, usize>,
}

/// What the console shows of a `stalled` event.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stalled {
    pub message: String,
    pub advice: String,
    /// Both as codes and their parameters, from servers that send them.
    #[serde(default)]
    pub message_code: Option<String>,
    #[serde(default)]
    pub message_params: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub advice_code: Option<String>,
    #[serde(default)]
    pub advice_params: std::collections::BTreeMap<String, String>,
}

/// What a deletion's event stream says.
#[derive(Debug, Clone, PartialEq)]
pub enum DeletionUpdate {
    Progress(Progress),
    Stalled(Stalled),
    /// Gone for good.
    Deleted,
    /// Waiting in its restore window.
    SoftDeleted,
}

/// Follows a project's deletion (server-sent events through the browser's
/// `EventSource`) and hands each update to `on_update`. The stream closes
/// itself after `Deleted`/`SoftDeleted`; close the returned source to stop
/// earlier (e.g. when the page goes away).
pub fn follow_deletion(
    name: &str,
    on_update: impl Fn(DeletionUpdate) + 'static,
) -> Option<web_sys::EventSource> {
    use berth_shared::deletion::{
        EVENT_DELETED, EVENT_PROGRESS, EVENT_SOFT_DELETED, EVENT_STALLED,
    };
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let source = web_sys::EventSource::new(&deletion_events_url(name)).ok()?;
    let on_update = std::rc::Rc::new(on_update);
    for event in [
        EVENT_PROGRESS,
        EVENT_STALLED,
        EVENT_DELETED,
        EVENT_SOFT_DELETED,
    ] {
        let on_update = on_update.clone();
        let closing = source.clone();
        let listener =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data().as_string().unwrap_or_default();
                let update = match event {
                    EVENT_PROGRESS => serde_json::from_str(&data)
                        .ok()
                        .map(DeletionUpdate::Progress),
                    EVENT_STALLED => serde_json::from_str(&data)
                        .ok()
                        .map(DeletionUpdate::Stalled),
                    EVENT_DELETED => Some(DeletionUpdate::Deleted),
                    _ => Some(DeletionUpdate::SoftDeleted),
                };
                if matches!(
                    update,
                    Some(DeletionUpdate::Deleted | DeletionUpdate::SoftDeleted)
                ) {
                    // The server ends the stream; without this the browser would reconnect.
                    closing.close();
                }
                if let Some(update) = update {
                    on_update(update);
                }
            });
        let _ = source.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        // Lives as long as the page: four small closures per deletion followed.
        listener.forget();
    }
    Some(source)
}
