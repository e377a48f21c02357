//! `/api/v1/projects/{project}/inventory`: everything Berth stores for a
//! project, and deleting one item of it.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::scope::ProjectScope;
use crate::error::ApiError;
use crate::kinds;
use crate::services::collection::Collection;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InventoryQuery {
    /// `true`: offer the JSON as a file to save.
    #[serde(default)]
    download: bool,
}

#[utoipa::path(
    get,
    path = "/v1/projects/{project}/inventory",
    tag = "projects",
    operation_id = "read_inventory",
    params(("project" = String, Path, description = "The project's name"), InventoryQuery),
    responses((status = 200, description = "Everything Berth stores for the project", body = berth_shared::inventory::Inventory)),
)]
pub async fn get(
    State(state): State<AppState>,
    ProjectScope { project, namespace }: ProjectScope,
    Query(query): Query<InventoryQuery>,
) -> Result<Response, ApiError> {
    let inventory = state.inventory.inventory(&project, &namespace).await?;
    let mut response = Json(inventory).into_response();
    if query.download {
        let disposition = format!("attachment; filename=\"berth-{project}-inventory.json\"");
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[utoipa::path(
    delete,
    path = "/v1/projects/{project}/inventory/{kind}/{name}",
    tag = "projects",
    operation_id = "delete_inventory_item",
    params(
        ("project" = String, Path, description = "The project's name"),
        ("kind" = String, Path, description = "The item's kind, as the inventory names it"),
        ("name" = String, Path, description = "The item's name"),
    ),
    responses((status = 204, description = "Deleted")),
)]
pub async fn delete_item(
    State(state): State<AppState>,
    ProjectScope { namespace, .. }: ProjectScope,
    Path((_, kind, name)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    if kind == kinds::JOB_TEMPLATES.inventory {
        // A template goes with its companion Secret, in the safe order.
        state.job_templates.delete(&namespace, &name, false).await?;
    } else if kind == kinds::JOB_RUNS.inventory {
        // A run goes with its Pods and its snapshot Secret.
        state.job_runs.delete(&namespace, &name).await?;
    } else {
        state.inventory.delete(&namespace, &kind, &name).await?;
        if kind == berth_shared::inventory::KIND_ACTIVITY_LOG {
            // The log's older entries go with it.
            state.activity.clear_parts(&namespace).await?;
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
