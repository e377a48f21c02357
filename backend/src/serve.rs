//! `berth serve`: connect to Kubernetes, bind the listeners, serve until
//! SIGTERM or Ctrl-C, then drain in-flight requests.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use berth_shared::UiConfig;
use tokio::net::TcpListener;
use tokio::sync::watch;

use std::sync::Arc;

use crate::auth::oidc::{OidcSettings, OidcVerifier};
use crate::auth::rate_limit::LoginLimits;
use crate::auth::sessions::SessionStore;
use crate::auth::users::UserStore;
use crate::auth::{Auth, bootstrap, records};
use crate::cli::ServeArgs;
use crate::cluster::Cluster;
use crate::routes;
use crate::services::activity::ActivityService;
use crate::services::credentials::CredentialService;
use crate::services::deletion::{DeletionService, DeletionTiming};
use crate::services::images::ImageService;
use crate::services::inventory::InventoryService;
use crate::services::job_templates::JobTemplateService;
use crate::services::project_access::ProjectAccess;
use crate::services::project_cache;
use crate::services::projects::ProjectService;
use crate::services::purge;
use crate::services::registry::RegistryAccess;
use crate::state::AppState;

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    crate::tls::install_crypto_provider();
    let cluster = Cluster::connect(&args).await?;

    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(());
    let mut tasks = tokio::task::JoinSet::new();

    if let Some(addr) = args.embedded_api_listen {
        let server = cluster
            .embedded
            .clone()
            .context("--embedded-api-listen needs the embedded API server, but --kubeconfig selects a cluster")?;
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding the embedded Kubernetes API to {addr}"))?;
        announce("Embedded Kubernetes API listening on", &listener, "http")?;
        let mut stop = shutdown_rx.clone();
        tasks.spawn(async move {
            axum::serve(listener, server.router())
                .with_graceful_shutdown(async move {
                    let _ = stop.changed().await;
                })
                .await
        });
    }

    let restore_window = args.restore_window()?;
    let cache = project_cache::start(cluster.client.clone(), shutdown_rx.clone());
    let projects =
        ProjectService::new(cluster.client.clone(), args.namespace_prefix.clone(), cache)
            .with_restore_window(restore_window);
    tasks.spawn(purge_task(
        projects.clone(),
        Duration::from_secs(args.purge_interval_seconds.max(1)),
        shutdown_rx.clone(),
    ));

    let auth = auth_from(&args, &cluster, shutdown_rx.clone()).await?;
    tasks.spawn(session_sweep_task(
        auth.sessions.clone(),
        shutdown_rx.clone(),
    ));

    let kube_client = cluster.client.clone();
    // Detached: it ends on its own, which a task of `tasks` must not.
    let project_access = ProjectAccess::new(cluster.client.clone(), &args.system_namespace);
    tokio::spawn(project_access.clone().grant_missing());
    let state = AppState {
        auth: auth.clone(),
        projects: projects.clone(),
        inventory: InventoryService::new(cluster.client.clone()),
        deletion: DeletionService::new(
            cluster.client.clone(),
            DeletionTiming {
                stall_after: Duration::from_secs(args.deletion_stall_seconds),
                ..DeletionTiming::default()
            },
        ),
        ui_config: UiConfig {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            auth_mode: "none".to_owned(),
            allowed_portal_origins: args.allowed_frame_ancestors.clone(),
            cluster_mode: cluster.mode().to_owned(),
            restore_window_seconds: restore_window.as_secs(),
        },
        credentials: CredentialService::new(cluster.client.clone()),
        job_templates: JobTemplateService::new(cluster.client.clone()),
        activity: ActivityService::new(cluster.client.clone(), args.activity_limit),
        images: ImageService::new(
            cluster.client.clone(),
            RegistryAccess::new(args.insecure_registries.clone()),
        ),
        cluster,
        project_access,
    };
    let app = routes::router(state, &args.static_dir)?;
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding the console to {}", args.listen))?;
    // Before the address is announced, so whoever waits for it (a person,
    // a test) has already seen the one-time password when there is one.
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .with_context(|| {
                    format!(
                        "reading the TLS certificate {} and key {}",
                        cert.display(),
                        key.display()
                    )
                })?,
        ),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let console_url = format!("{scheme}://{}", listener.local_addr()?);
    let first_start = bootstrap::run(
        &kube_client,
        &args.system_namespace,
        &auth.users,
        &console_url,
    );
    match tokio::time::timeout(Duration::from_secs(15), first_start).await {
        Ok(Ok(())) => {}
        outcome => {
            let reason = match outcome {
                Ok(Err(err)) => err.to_string(),
                _ => "no answer in 15 s".to_owned(),
            };
            tracing::warn!(%reason, "setting up accounts failed; retrying in the background");
            tasks.spawn(bootstrap::retry(
                kube_client.clone(),
                args.system_namespace.clone(),
                auth.users.clone(),
                console_url.clone(),
                shutdown_rx.clone(),
            ));
        }
    }
    announce("Berth console listening on", &listener, scheme)?;
    let mut stop = shutdown_rx.clone();
    let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    match tls {
        None => {
            tasks.spawn(async move {
                axum::serve(listener, service)
                    .with_graceful_shutdown(async move {
                        let _ = stop.changed().await;
                    })
                    .await
            });
        }
        Some(config) => {
            let handle = axum_server::Handle::new();
            let drain = handle.clone();
            tasks.spawn(async move {
                let _ = stop.changed().await;
                drain.graceful_shutdown(Some(Duration::from_secs(30)));
                Ok(())
            });
            let server = axum_server::from_tcp_rustls(listener.into_std()?, config)?.handle(handle);
            tasks.spawn(async move { server.serve(service).await });
        }
    }

    tokio::select! {
        () = shutdown_signal() => {
            tracing::info!("shutting down: finishing requests in flight");
            let _ = shutdown_tx.send(());
        }
        Some(result) = tasks.join_next() => {
            result.context("a server task panicked")?.context("a server stopped")?;
        }
    }
    while let Some(result) = tasks.join_next().await {
        result
            .context("a server task panicked")?
            .context("a server stopped")?;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Accounts and sessions in the system namespace, and the OIDC issuer if
/// one is configured.
async fn auth_from(
    args: &ServeArgs,
    cluster: &Cluster,
    stop: watch::Receiver<()>,
) -> anyhow::Result<Auth> {
    let session_lifetime = Duration::from_secs(args.session_hours.max(1) * 3_600);
    let oidc = match (&args.oidc_issuer, &args.oidc_audience) {
        (Some(issuer), Some(audience)) => {
            let verifier = OidcVerifier::new(OidcSettings {
                issuer: issuer.clone(),
                audience: audience.clone(),
                groups_claim: args.oidc_groups_claim.clone(),
                admin_group: args.admin_group.clone(),
            });
            // Fetched now so a wrong issuer shows at start; tokens would
            // fetch the keys anyway.
            if let Err(err) = verifier.refresh(true).await {
                tracing::warn!(%issuer, error = %err, "the OIDC issuer's keys could not be fetched yet");
            }
            tracing::info!(%issuer, "accepting bearer tokens from the OIDC issuer");
            Some(Arc::new(verifier))
        }
        _ => None,
    };
    let records = records::start(cluster.client.clone(), &args.system_namespace, stop);
    Ok(Auth {
        users: UserStore::new(
            cluster.client.clone(),
            &args.system_namespace,
            records.clone(),
        ),
        sessions: SessionStore::new(
            cluster.client.clone(),
            &args.system_namespace,
            records,
            session_lifetime,
        ),
        oidc,
        limits: Arc::new(LoginLimits::new(
            args.login_attempts_per_user,
            args.login_attempts_per_address,
        )),
        session_lifetime,
        // Served over TLS: cookies get `Secure`, responses HSTS.
        secure_cookies: args.tls_cert.is_some(),
    })
}

/// Deletes expired sessions every few minutes (lookups refuse them anyway).
async fn session_sweep_task(
    sessions: SessionStore,
    mut stop: tokio::sync::watch::Receiver<()>,
) -> std::io::Result<()> {
    let mut every = tokio::time::interval(Duration::from_secs(300));
    loop {
        tokio::select! {
            _ = every.tick() => {
                if let Err(err) = sessions.sweep_expired().await {
                    tracing::warn!(error = %err, "sweeping expired sessions failed");
                }
            }
            _ = stop.changed() => return Ok(()),
        }
    }
}

/// The purge loop as a server task (it ends with the servers).
async fn purge_task(
    projects: ProjectService,
    every: Duration,
    stop: tokio::sync::watch::Receiver<()>,
) -> std::io::Result<()> {
    purge::run(projects, every, stop).await;
    Ok(())
}

/// Print the bound address on stdout: with `--listen 127.0.0.1:0` this is
/// how a person (or a test) learns the port.
fn announce(what: &str, listener: &TcpListener, scheme: &str) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{what} {scheme}://{addr}")?;
    out.flush()?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
