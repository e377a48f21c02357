//! `GET /api/v1/config`: public settings read once at start-up.

use berth_shared::UiConfig;
use gloo_net::http::Request;

use super::{API_BASE, ApiError, send_json};

/// The version, auth mode and portal origins the console runs with.
pub async fn get_config() -> Result<UiConfig, ApiError> {
    send_json(Request::get(&format!("{API_BASE}/config"))).await
}
