//! `berth serve`: connect to Kubernetes, bind the listeners, serve until
//! SIGTERM or Ctrl-C, then drain in-flight requests.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use berth_shared::UiConfig;
use tokio::net::TcpListener;

use crate::cli::ServeArgs;
use crate::cluster::Cluster;
use crate::routes;
use crate::services::credentials::CredentialService;
use crate::services::deletion::{DeletionService, DeletionTiming};
use crate::services::images::ImageService;
use crate::services::inventory::InventoryService;
use crate::services::project_cache::ProjectCache;
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
        announce("Embedded Kubernetes API listening on", &listener)?;
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
    let cache = ProjectCache::start(cluster.client.clone(), shutdown_rx.clone());
    let projects =
        ProjectService::new(cluster.client.clone(), args.namespace_prefix.clone(), cache)
            .with_restore_window(restore_window);
    tasks.spawn(purge_task(
        projects.clone(),
        Duration::from_secs(args.purge_interval_seconds.max(1)),
        shutdown_rx.clone(),
    ));

    let state = AppState {
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
            allowed_portal_origins: Vec::new(),
            cluster_mode: cluster.mode().to_owned(),
            restore_window_seconds: restore_window.as_secs(),
        },
        credentials: CredentialService::new(cluster.client.clone()),
        images: ImageService::new(
            cluster.client.clone(),
            RegistryAccess::new(args.insecure_registries.clone()),
        ),
        cluster,
    };
    let app = routes::router(state, &args.static_dir);
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding the console to {}", args.listen))?;
    announce("Berth console listening on", &listener)?;
    let mut stop = shutdown_rx.clone();
    tasks.spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.changed().await;
            })
            .await
    });

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
fn announce(what: &str, listener: &TcpListener) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{what} http://{addr}")?;
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
