//! Public configuration the console reads before it draws anything.

use serde::{Deserialize, Serialize};

/// The body of `GET /api/v1/config`. Nothing here is secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UiConfig {
    /// Berth's version, shown in the footer.
    pub version: String,
    /// How people sign in, in one word: `local` (Berth's own accounts) or
    /// `local+oidc` (also bearer tokens from the portal's OIDC issuer).
    pub auth_mode: String,
    /// The same as a list: `local`, then `oidc` when bearer tokens are
    /// accepted.
    #[serde(default)]
    pub sign_in_modes: Vec<String>,
    /// Origins of portals allowed to embed the console.
    #[serde(default)]
    pub allowed_portal_origins: Vec<String>,
    /// Which Kubernetes API Berth stores data in: `embedded` or `cluster`.
    pub cluster_mode: String,
    /// How long a project deleted with a restore window can be restored, in
    /// seconds; 0 when deletion is always permanent.
    #[serde(default)]
    pub restore_window_seconds: u64,
    /// Whether Jobs can run: always on a cluster; on the embedded API only
    /// when a container engine (podman or docker) is on this machine.
    #[serde(default)]
    pub jobs_can_run: bool,
}
