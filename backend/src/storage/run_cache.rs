//! Job runs' Jobs and Pods, kept in memory by watches (see
//! [`super::watch_cache`]), one pair per project namespace. Berth holds no
//! cluster-wide right inside namespaces (`deploy/rbac.yaml`), so each
//! project's watches start the first time its runs are read and live as
//! long as the server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::runtime::watcher;
use kube::{Api, Client};
use tokio::sync::watch;

use super::labels;
use super::watch_cache::{WatchCache, drop_managed_fields};

/// The runs of one namespace.
#[derive(Clone)]
pub struct NamespaceRuns {
    pub jobs: WatchCache<Job>,
    pub pods: WatchCache<Pod>,
}

impl NamespaceRuns {
    /// Wait (bounded) until both watches have listed once.
    pub async fn synced(&self) -> bool {
        self.jobs.synced().await && self.pods.synced().await
    }
}

/// Every project's run caches (clones share them).
#[derive(Clone)]
pub struct RunCaches {
    client: Client,
    stop: watch::Receiver<()>,
    started: Arc<Mutex<HashMap<String, NamespaceRuns>>>,
}

impl RunCaches {
    pub fn new(client: Client, stop: watch::Receiver<()>) -> Self {
        Self {
            client,
            stop,
            started: Arc::default(),
        }
    }

    /// The caches of `namespace`, started now if they were not, and synced
    /// (or the wait for it ended).
    pub async fn of(&self, namespace: &str) -> NamespaceRuns {
        let runs = {
            let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
            started
                .entry(namespace.to_owned())
                .or_insert_with(|| self.start(namespace))
                .clone()
        };
        if !runs.synced().await {
            tracing::warn!(namespace, "the job run caches did not sync in time");
        }
        runs
    }

    fn start(&self, namespace: &str) -> NamespaceRuns {
        let config = || watcher::Config::default().labels(&labels::job_run_selector());
        NamespaceRuns {
            jobs: WatchCache::start(
                "job runs",
                Api::namespaced(self.client.clone(), namespace),
                Some(namespace.to_owned()),
                config(),
                drop_managed_fields,
                self.stop.clone(),
            ),
            pods: WatchCache::start(
                "job run pods",
                Api::namespaced(self.client.clone(), namespace),
                Some(namespace.to_owned()),
                config(),
                drop_managed_fields,
                self.stop.clone(),
            ),
        }
    }
}
