//! Job runs' Jobs and Pods, kept in memory by watches (see
//! [`super::watch_cache`]), one pair per project namespace. Berth holds no
//! cluster-wide right inside namespaces (`deploy/rbac.yaml`), so each
//! project's watches start the first time its runs are read, and stop when
//! the project cache no longer holds its namespace (the project was
//! deleted), so a server that outlives many projects keeps no watch of one
//! that is gone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::runtime::watcher;
use kube::{Api, Client};
use tokio::sync::watch;

use super::labels;
use super::project_cache::ProjectCache;
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

/// The caches of one namespace, and what stops them: dropping `_forget`
/// (with the entry).
struct Started {
    runs: NamespaceRuns,
    _forget: watch::Sender<()>,
}

/// Every project's run caches (clones share them).
#[derive(Clone)]
pub struct RunCaches {
    client: Client,
    stop: watch::Receiver<()>,
    started: Arc<Mutex<HashMap<String, Started>>>,
}

impl RunCaches {
    /// The caches stop with `stop`, or when `projects` no longer holds
    /// their namespace.
    pub fn new(client: Client, stop: watch::Receiver<()>, projects: ProjectCache) -> Self {
        let caches = Self {
            client,
            stop,
            started: Arc::default(),
        };
        tokio::spawn(caches.clone().forget_deleted(projects));
        caches
    }

    /// Drops the caches of every namespace the project cache no longer
    /// holds, after each of its changes, until the server stops.
    async fn forget_deleted(self, projects: ProjectCache) {
        let mut changes = projects.changes();
        let mut stop = self.stop.clone();
        loop {
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { return },
                _ = stop.changed() => return,
            }
            if !projects.is_ready() {
                continue;
            }
            let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
            // Dropping an entry drops its `forget` sender, which stops its watches.
            started.retain(|namespace, _| projects.get(namespace).is_some());
        }
    }

    /// The namespaces whose runs are watched now.
    #[cfg(test)]
    fn watched(&self) -> Vec<String> {
        let started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        started.keys().cloned().collect()
    }

    /// The caches of `namespace`, started now if they were not, and synced
    /// (or the wait for it ended).
    pub async fn of(&self, namespace: &str) -> NamespaceRuns {
        let runs = {
            let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
            started
                .entry(namespace.to_owned())
                .or_insert_with(|| self.start(namespace))
                .runs
                .clone()
        };
        if !runs.synced().await {
            tracing::warn!(namespace, "the job run caches did not sync in time");
        }
        runs
    }

    fn start(&self, namespace: &str) -> Started {
        let config = || watcher::Config::default().labels(&labels::job_run_selector());
        // The watches stop when their channel's sender goes: on the
        // server's stop, or when the namespace is forgotten.
        let (forget, mut forgotten) = watch::channel(());
        let (stop_watches, stop) = watch::channel(());
        let mut server_stop = self.stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = server_stop.changed() => {}
                _ = forgotten.changed() => {}
            }
            drop(stop_watches);
        });
        let runs = NamespaceRuns {
            jobs: WatchCache::start(
                "job runs",
                Api::namespaced(self.client.clone(), namespace),
                config(),
                drop_managed_fields,
                stop.clone(),
            ),
            pods: WatchCache::start(
                "job run pods",
                Api::namespaced(self.client.clone(), namespace),
                config(),
                drop_managed_fields,
                stop,
            ),
        };
        Started {
            runs,
            _forget: forget,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use k8s_openapi::api::core::v1::Namespace;
    use kube::api::{DeleteParams, PostParams};

    use super::*;
    use crate::storage::project_cache::{self, CachedProject};

    /// Every namespace the cache watches counts as a project here.
    fn any_namespace(ns: &Namespace) -> Option<CachedProject> {
        let name = ns.metadata.name.clone().unwrap_or_default();
        Some(CachedProject {
            project: berth_shared::Project {
                name: name.clone(),
                description: String::new(),
                namespace: name,
                stamps: Default::default(),
                status: "Active".into(),
                deletion: None,
                role: None,
            },
            members: Default::default(),
        })
    }

    #[tokio::test]
    async fn the_run_watches_of_a_deleted_project_stop() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let server = berth_apiserver::EmbeddedApiServer::open(dir.path(), &[])?;
        let client = server.client();
        let (_server_stop, stop) = watch::channel(());
        let projects = project_cache::start(client.clone(), any_namespace, stop.clone());
        let caches = RunCaches::new(client.clone(), stop, projects);
        let namespaces: Api<Namespace> = Api::all(client);
        let ns = serde_json::json!({"metadata": {
            "name": "berth-gone",
            "labels": {labels::MANAGED_BY: labels::MANAGED_BY_VALUE, labels::PROJECT: "gone"},
        }});
        namespaces
            .create(&PostParams::default(), &serde_json::from_value(ns)?)
            .await?;
        let runs = caches.of("berth-gone").await;
        assert!(runs.synced().await);
        assert_eq!(caches.watched(), ["berth-gone"]);
        let (mut jobs, mut pods) = (runs.jobs.changes(), runs.pods.changes());

        namespaces
            .delete("berth-gone", &DeleteParams::default())
            .await?;
        // A watch that ends drops its sender: `changed` then fails.
        let ended = async {
            while jobs.changed().await.is_ok() {}
            while pods.changed().await.is_ok() {}
        };
        tokio::time::timeout(Duration::from_secs(30), ended).await?;
        assert!(caches.watched().is_empty());
        Ok(())
    }
}
