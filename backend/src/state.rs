//! What every request handler shares.

use berth_shared::UiConfig;

use crate::cluster::Cluster;
use crate::services::projects::ProjectService;

#[derive(Clone)]
pub struct AppState {
    pub cluster: Cluster,
    pub projects: ProjectService,
    pub ui_config: UiConfig,
}
