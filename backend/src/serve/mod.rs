//! `berth serve`: connect to Kubernetes, build the application
//! ([`app`]), bind the listeners, serve until SIGTERM or Ctrl-C, then drain
//! in-flight requests.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::auth::bootstrap;
use crate::auth::sessions::SessionStore;
use crate::cluster::Cluster;
use crate::services::projects::ProjectService;
use crate::services::purge;
use crate::settings::Settings;
use crate::storage::resources::crds;

mod app;
pub mod connections;

use self::connections::CapAcceptor;
mod embedded_listener;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    crate::tls::install_crypto_provider();
    let crds = crds::committed().context("loading the committed CRD manifests")?;
    let cluster = Cluster::connect(&settings.cluster, &crds).await?;

    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(());
    let mut tasks = tokio::task::JoinSet::new();

    if let Some(addr) = settings.embedded_api_listen {
        let server = cluster
            .embedded
            .clone()
            .context("--embedded-api-listen needs the embedded API server, but --kubeconfig selects a cluster")?;
        embedded_listener::start(&mut tasks, &server, &settings, addr, shutdown_rx.clone()).await?;
    }

    let kube_client = cluster.client.clone();
    let state = app::state(&settings, cluster, shutdown_rx.clone()).await?;
    tasks.spawn(purge_task(
        state.projects.clone(),
        settings.purge_interval,
        shutdown_rx.clone(),
    ));
    tasks.spawn(session_sweep_task(
        state.auth.sessions.clone(),
        shutdown_rx.clone(),
    ));
    let users = state.auth.users.clone();
    let app = app::router(&settings, state)?;
    let listener = TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("binding the console to {}", settings.listen))?;
    // Before the address is announced, so whoever waits for it (a person,
    // a test) has already seen the one-time password when there is one.
    let tls = match &settings.tls {
        Some(files) => Some(
            axum_server::tls_rustls::RustlsConfig::from_pem_file(&files.cert, &files.key)
                .await
                .with_context(|| {
                    format!(
                        "reading the TLS certificate {} and key {}",
                        files.cert.display(),
                        files.key.display()
                    )
                })?,
        ),
        None => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let console_url = format!("{scheme}://{}", listener.local_addr()?);
    let first_start = bootstrap::run(
        &kube_client,
        &settings.system_namespace,
        &users,
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
                settings.system_namespace.clone(),
                users.clone(),
                console_url.clone(),
                shutdown_rx.clone(),
            ));
        }
    }
    announce("Berth console listening on", &listener, scheme)?;
    let mut stop = shutdown_rx.clone();
    let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let limits = settings.connections;
    let cap = CapAcceptor::new(limits.max_connections);
    let handle = axum_server::Handle::new();
    let drain = handle.clone();
    tasks.spawn(async move {
        let _ = stop.changed().await;
        drain.graceful_shutdown(Some(Duration::from_secs(30)));
        Ok(())
    });
    let listener = listener.into_std()?;
    match tls {
        None => {
            let mut server = axum_server::from_tcp(listener)?
                .acceptor(cap)
                .first_request_timeout(limits.header_timeout)
                .handle(handle);
            connections::configure(&limits, &mut server);
            tasks.spawn(async move { server.serve(service).await });
        }
        Some(config) => {
            let mut server = axum_server::from_tcp(listener)?
                .acceptor(axum_server::tls_rustls::RustlsAcceptor::new(config).acceptor(cap))
                .first_request_timeout(limits.header_timeout)
                .handle(handle);
            connections::configure(&limits, &mut server);
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
