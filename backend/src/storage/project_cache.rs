//! Berth's projects, kept in memory by a watch on the namespaces Berth
//! manages (see [`super::watch_cache`]), so that listing projects does not
//! ask the Kubernetes API for every namespace on every request. The cache
//! keeps each namespace as the project it is, with its members: not the
//! namespace (its label and annotation maps cost three times as much).

use std::collections::BTreeMap;

use berth_shared::{Project, Role};
use k8s_openapi::api::core::v1::Namespace;
use kube::runtime::watcher;
use kube::{Api, Client};
use tokio::sync::watch;

use super::labels;
use super::watch_cache::WatchCache;

pub use super::watch_cache::Written;

/// What the cache keeps of a project's namespace.
#[derive(Debug, Clone)]
pub struct CachedProject {
    pub project: Project,
    pub members: BTreeMap<String, Role>,
}

/// The cache of Berth's projects, by namespace name.
pub type ProjectCache = WatchCache<Namespace, CachedProject>;

/// Start watching the namespaces labelled as Berth's, keeping each as
/// `project` reads it (`None`: not a project).
pub fn start(
    client: Client,
    project: fn(&Namespace) -> Option<CachedProject>,
    stop: watch::Receiver<()>,
) -> ProjectCache {
    WatchCache::start_keeping(
        "projects",
        Api::all(client),
        watcher::Config::default().labels(&labels::managed_selector()),
        move |ns| project(&ns),
        stop,
    )
}
