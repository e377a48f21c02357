//! What every request handler shares.
//!
//! One `Arc`: axum clones the state for every extractor and middleware
//! that takes it, and the services hold Kubernetes clients whose clones
//! are not free (each is a `tower` buffer handle). Cloning all of them per
//! request cost a fifth of the project list's throughput.

use std::ops::Deref;
use std::sync::Arc;

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

/// The services, shared by every request.
pub struct Services {
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

/// A handle on the [`Services`]; cloning it is one reference count.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }
}

impl Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// Handlers that need one service take `State<ThatService>`.
macro_rules! substates {
    ($($field:ident: $service:ty),* $(,)?) => {
        $(
            impl FromRef<AppState> for $service {
                fn from_ref(state: &AppState) -> Self {
                    state.$field.clone()
                }
            }
        )*
    };
}

substates! {
    auth: Auth,
    cluster: Cluster,
    projects: ProjectService,
    inventory: InventoryService,
    deletion: DeletionService,
    ui_config: UiConfig,
    credentials: CredentialService,
    images: ImageService,
    job_templates: JobTemplateService,
    job_runs: JobRunService,
    activity: ActivityService,
    project_access: ProjectAccess,
}
