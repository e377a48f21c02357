//! What every request handler shares.

use axum::extract::FromRef;
use berth_shared::UiConfig;

use crate::auth::Auth;
use crate::cluster::Cluster;
use crate::services::activity::ActivityService;
use crate::services::credentials::CredentialService;
use crate::services::deletion::DeletionService;
use crate::services::images::ImageService;
use crate::services::inventory::InventoryService;
use crate::services::job_runs::JobRunService;
use crate::services::job_templates::JobTemplateService;
use crate::services::project_access::ProjectAccess;
use crate::services::projects::ProjectService;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub auth: Auth,
    pub cluster: Cluster,
    pub projects: ProjectService,
    pub inventory: InventoryService,
    pub deletion: DeletionService,
    pub ui_config: UiConfig,
    pub credentials: CredentialService,
    pub images: ImageService,
    pub job_templates: JobTemplateService,
    pub job_runs: JobRunService,
    pub activity: ActivityService,
    pub project_access: ProjectAccess,
}
