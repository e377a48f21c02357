//! `/api/v1/projects/{project}/members`: who has which role.

use berth_shared::MemberList;
use gloo_net::http::Request;

use super::{API_BASE, ApiError, segment, send_json, send_with_body};

fn path(project: &str) -> String {
    format!("{API_BASE}/projects/{}/members", segment(project))
}

pub async fn get_members(project: &str) -> Result<MemberList, ApiError> {
    send_json(Request::get(&path(project))).await
}

pub async fn save_members(project: &str, members: &MemberList) -> Result<MemberList, ApiError> {
    send_with_body(Request::put(&path(project)), members).await
}
