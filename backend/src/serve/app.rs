//! Building the application: the services on top of one Kubernetes client,
//! the accounts, and the router. Nothing here listens or waits for signals.

use std::sync::Arc;

use axum::Router;
use berth_shared::UiConfig;
use tokio::sync::watch;

use crate::auth::oidc::OidcVerifier;
use crate::auth::rate_limit::LoginLimits;
use crate::auth::sessions::SessionStore;
use crate::auth::users::UserStore;
use crate::auth::{Auth, records};
use crate::cluster::Cluster;
use crate::registry::RegistryAccess;
use crate::routes;
use crate::services::activity::ActivityService;
use crate::services::credentials::CredentialService;
use crate::services::deletion::{DeletionService, DeletionTiming};
use crate::services::images::ImageService;
use crate::services::inventory::InventoryService;
use crate::services::job_runs::JobRunService;
use crate::services::job_templates::JobTemplateService;
use crate::services::project_access::ProjectAccess;
use crate::services::projects::{self, ProjectService};
use crate::settings::Settings;
use crate::state::{AppState, Services};
use crate::storage::project_cache;
use crate::storage::run_cache::RunCaches;

/// The state every request handler shares; the watches it starts end with
/// `stop`.
pub async fn state(
    settings: &Settings,
    cluster: Cluster,
    stop: watch::Receiver<()>,
) -> anyhow::Result<AppState> {
    let client = cluster.client.clone();
    let cache = project_cache::start(client.clone(), projects::cached, stop.clone());
    let runs_cache = RunCaches::new(client.clone(), stop.clone(), cache.clone());
    let projects = ProjectService::new(client.clone(), settings.namespace_prefix.clone(), cache)
        .with_restore_window(settings.restore_window);
    let auth = auth(settings, &cluster, stop).await;
    // Local accounts are always enforced; OIDC tokens only with an issuer.
    let sign_in_modes: Vec<String> = std::iter::once("local")
        .chain(auth.oidc.as_ref().map(|_| "oidc"))
        .map(str::to_owned)
        .collect();
    let project_access = ProjectAccess::new(client.clone(), &settings.system_namespace);
    // Detached: it ends on its own, which a task the server waits for must not.
    tokio::spawn(project_access.clone().grant_missing());
    let credentials = CredentialService::new(client.clone());
    let images = ImageService::new(
        client.clone(),
        RegistryAccess::new(
            settings.insecure_registries.clone(),
            settings.registry_allow.clone(),
        ),
        credentials.clone(),
    );
    let job_templates = JobTemplateService::new(client.clone(), images.clone());
    Ok(AppState::new(Services {
        auth,
        projects,
        inventory: InventoryService::new(client.clone()),
        deletion: DeletionService::new(
            client.clone(),
            DeletionTiming {
                stall_after: settings.deletion_stall,
                ..DeletionTiming::default()
            },
        ),
        ui_config: UiConfig {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            auth_mode: sign_in_modes.join("+"),
            sign_in_modes,
            allowed_portal_origins: settings.allowed_frame_ancestors.clone(),
            cluster_mode: cluster.mode().to_owned(),
            restore_window_seconds: settings.restore_window.as_secs(),
            jobs_can_run: cluster.jobs_can_run(),
        },
        credentials,
        job_templates: job_templates.clone(),
        job_runs: JobRunService::new(
            client.clone(),
            runs_cache,
            job_templates,
            cluster.jobs_can_run(),
            settings.job_run_retention,
        ),
        activity: ActivityService::new(client, settings.activity_limit),
        images,
        project_access,
        cluster,
    }))
}

/// The whole HTTP application for `state`.
pub fn router(settings: &Settings, state: AppState) -> anyhow::Result<Router> {
    routes::router(state, &settings.static_dir)
}

/// Accounts and sessions in the system namespace, and the OIDC issuer if
/// one is configured.
async fn auth(settings: &Settings, cluster: &Cluster, stop: watch::Receiver<()>) -> Auth {
    let oidc = match &settings.oidc {
        Some(oidc) => {
            let verifier = OidcVerifier::new(oidc.clone());
            // Fetched now so a wrong issuer shows at start; tokens would
            // fetch the keys anyway.
            if let Err(err) = verifier.refresh(true).await {
                tracing::warn!(issuer = %oidc.issuer, error = %err, "the OIDC issuer's keys could not be fetched yet");
            }
            tracing::info!(issuer = %oidc.issuer, "accepting bearer tokens from the OIDC issuer");
            Some(Arc::new(verifier))
        }
        None => None,
    };
    let namespace = &settings.system_namespace;
    let records = records::start(cluster.client.clone(), namespace, stop);
    Auth {
        users: UserStore::new(cluster.client.clone(), namespace, records.clone()),
        sessions: SessionStore::new(
            cluster.client.clone(),
            namespace,
            records,
            settings.session_lifetime,
        ),
        oidc,
        limits: Arc::new(LoginLimits::new(
            settings.login_attempts_per_user,
            settings.login_attempts_per_address,
        )),
        session_lifetime: settings.session_lifetime,
        // Served over TLS: cookies get `Secure`, responses HSTS.
        secure_cookies: settings.tls.is_some(),
    }
}
