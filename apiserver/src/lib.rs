//! An embedded Kubernetes-compatible API server.
//!
//! When no cluster is configured, Berth serves the Kubernetes REST API for the
//! resources it uses (namespaces, secrets, configmaps and any namespaced custom
//! resource) from this crate, persisted in one redb file. The backend talks to
//! it through an ordinary [`kube::Client`] (in-process, via [`EmbeddedApiServer::client`]),
//! so it cannot tell it from a real cluster; the same router can also be served
//! on a loopback port for `kubectl --server`.
//!
//! Layout: [`routes`] parses paths → [`handlers`] implement the verbs (with
//! [`validation`], [`patch`], [`selector`], [`watch`], [`table`]) → [`store`]
//! persists; [`namespace_controller`] terminates namespaces; [`discovery`]
//! answers `/api`, `/apis`, `/version`; [`status`] maps every error to a
//! `metav1.Status`.

mod access;
mod audit;
mod discovery;
mod handlers;
mod jobs;
mod meta;
mod namespace_controller;
mod openapi;
mod patch;
mod pods;
mod protobuf;
mod rbac;
mod reconcile;
mod resource;
mod routes;
mod runner;
mod schema;
mod selector;
mod service_accounts;
mod status;
mod store;
mod table;
#[cfg(test)]
mod tests;
mod validation;
mod watch;

use std::path::Path;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::json;

pub use self::access::ListenerAccess;
use self::pods::logs::LogHub;
use self::resource::GroupResource;
pub use self::runner::engine::Engine as ContainerEngine;
use self::schema::Schemas;
use self::store::Store;
pub use self::store::StoreError;

/// Tracing target of the audit lines (one per request), for
/// `RUST_LOG=berth::embedded::audit=debug`.
pub const AUDIT_TARGET: &str = audit::TARGET;

/// The file, inside the data directory, that holds the whole cluster state.
pub const DB_FILE: &str = "cluster.redb";

/// Why the embedded server could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the embedded API server needs a tokio runtime for its namespace controller")]
    NoRuntime,
    #[error("cannot load the served CRDs: {0}")]
    Crds(String),
    #[error("cannot initialise the store: {0}")]
    Init(String),
}

/// How the embedded server runs the Pods of Jobs.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The container engine; None: Pods are stored and stay Pending.
    pub engine: Option<ContainerEngine>,
    /// Most containers running at once (0: the number of CPUs).
    pub max_running_pods: usize,
    /// Registries (`HOST:PORT`) the engine may pull from over plain HTTP.
    pub insecure_registries: Vec<String>,
}

/// The embedded API server. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct EmbeddedApiServer {
    store: Store,
    logs: LogHub,
    can_run_pods: bool,
}

impl std::fmt::Debug for EmbeddedApiServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedApiServer")
            .field("revision", &self.store.read().revision())
            .finish()
    }
}

impl EmbeddedApiServer {
    /// Opens (or creates) `<data_dir>/cluster.redb`, serving the custom
    /// resources of `crds` (validated against their schemas), and starts the
    /// namespace-termination controller task (needs a tokio runtime).
    ///
    /// A new store gets the `default` namespace, as every cluster has one.
    pub fn open(data_dir: &Path, crds: &[CustomResourceDefinition]) -> Result<Self, EmbeddedError> {
        Self::open_with(data_dir, crds, RunOptions::default())
    }

    /// [`Self::open`], and also runs Jobs: starts the job controller and the
    /// pod runner with `run` (without an engine, Pods stay Pending and say why).
    pub fn open_with(
        data_dir: &Path,
        crds: &[CustomResourceDefinition],
        run: RunOptions,
    ) -> Result<Self, EmbeddedError> {
        tokio::runtime::Handle::try_current().map_err(|_| EmbeddedError::NoRuntime)?;
        std::fs::create_dir_all(data_dir).map_err(|source| EmbeddedError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let schemas = Schemas::compile(crds).map_err(EmbeddedError::Crds)?;
        tracing::debug!(
            crds = schemas.len(),
            "embedded API server validates custom resources"
        );
        let path = data_dir.join(DB_FILE);
        let store = Store::open(&path, schemas)?;
        tracing::info!(path = %path.display(), revision = store.read().revision(), "embedded API server store opened");
        if store.read().revision() == 0 {
            // One small commit on first open; tolerable even on a runtime thread.
            create_default_namespace(&store).map_err(|e| EmbeddedError::Init(e.to_string()))?;
        }
        namespace_controller::spawn(&store);
        jobs::controller::spawn(&store);
        let logs = LogHub::default();
        let can_run_pods = run.engine.is_some();
        let max_running = if run.max_running_pods == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            run.max_running_pods
        };
        runner::spawn(
            &store,
            logs.clone(),
            runner::RunnerConfig {
                engine: run.engine,
                max_running,
                insecure_registries: run.insecure_registries,
                work_dir: data_dir.join("runner"),
                instance: instance_id(data_dir)?,
            },
        );
        Ok(Self {
            store,
            logs,
            can_run_pods,
        })
    }

    /// Whether Pods run here (a container engine was given).
    pub fn can_run_pods(&self) -> bool {
        self.can_run_pods
    }

    /// Bounds the watch history to `bytes` of memory (default
    /// `HISTORY_MAX_BYTES` of the store, 16 MiB); watches that fall further
    /// behind get 410 Gone and re-list.
    pub fn set_watch_history_budget(&self, bytes: usize) {
        self.store.set_history_budget(bytes);
    }

    /// The Kubernetes REST API as an axum Router (relative paths: /api, /apis, /version, ...).
    pub fn router(&self) -> axum::Router {
        routes::router(self.store.clone(), self.logs.clone())
    }

    /// [`Self::router`] for a loopback listener: only requests addressed to
    /// a loopback name, authenticated by `access` (the operator's token, or
    /// a service-account token this server issued, authorized by RBAC).
    pub fn listener_router(&self, access: ListenerAccess) -> axum::Router {
        access::guarded(self.router(), self.store.clone(), access)
    }

    /// A `kube::Client` that talks to [`Self::router`] in-process, without TCP.
    pub fn client(&self) -> kube::Client {
        let router = self.router().layer(axum::Extension(audit::Caller::Backend));
        kube::Client::new(router, "default")
    }
}

/// This data directory's identity, labelled on the containers it starts
/// (kept in `runner-instance`, made on first use).
fn instance_id(data_dir: &Path) -> Result<String, EmbeddedError> {
    let path = data_dir.join("runner-instance");
    if let Ok(id) = std::fs::read_to_string(&path)
        && !id.trim().is_empty()
    {
        return Ok(id.trim().to_string());
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let write = || {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)?
            .write_all(id.as_bytes())
    };
    write().map_err(|source| EmbeddedError::DataDir {
        path: path.display().to_string(),
        source,
    })?;
    Ok(id)
}

fn create_default_namespace(store: &Store) -> Result<(), status::ApiError> {
    store.write_blocking(|tx| {
        let gr = GroupResource::namespaces();
        if tx.get(&gr, "", "default").is_none() {
            tx.put(
                &gr,
                json!({
                    "apiVersion": "v1",
                    "kind": "Namespace",
                    "metadata": {
                        "name": "default",
                        "uid": uuid::Uuid::new_v4().to_string(),
                        "creationTimestamp": meta::now_rfc3339(),
                        "labels": {"kubernetes.io/metadata.name": "default"},
                    },
                    "spec": {"finalizers": [handlers::KUBERNETES_FINALIZER]},
                    "status": {"phase": "Active"},
                }),
            );
        }
        Ok(())
    })
}
