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

#[derive(Debug, Default, Deserialize)]
pub struct InventoryQuery {
    /// `true`: offer the JSON as a file to save.
    #[serde(default)]
    download: bool,
}

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

pub async fn delete_item(
    State(state): State<AppState>,
    ProjectScope { namespace, .. }: ProjectScope,
    Path((_, kind, name)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    if kind == kinds::JOB_TEMPLATES.inventory {
        // A template goes with its companion Secret, in the safe order.
        state.job_templates.delete(&namespace, &name, false).await?;
    } else {
        state.inventory.delete(&namespace, &kind, &name).await?;
        if kind == berth_shared::inventory::KIND_ACTIVITY_LOG {
            // The log's older entries go with it.
            state.activity.clear_parts(&namespace).await?;
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
