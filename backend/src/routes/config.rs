//! `GET /api/v1/config`: what the console needs before it draws anything.

use axum::Json;
use axum::extract::State;
use berth_shared::UiConfig;

use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/v1/config",
    tag = "meta",
    operation_id = "config",
    responses((status = 200, description = "Public settings, readable before signing in", body = UiConfig)),
)]
pub async fn get_config(State(state): State<AppState>) -> Json<UiConfig> {
    Json(state.ui_config.clone())
}
