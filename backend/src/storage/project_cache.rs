//! The namespaces Berth manages, kept in memory by a watch (see
//! [`super::watch_cache`]), so that listing projects does not ask the
//! Kubernetes API for every namespace on every request.

use k8s_openapi::api::core::v1::Namespace;
use kube::runtime::watcher;
use kube::{Api, Client};
use tokio::sync::watch;

use super::labels;
use super::watch_cache::{WatchCache, drop_managed_fields};

pub use super::watch_cache::Written;

/// The cache of Berth's namespaces.
pub type ProjectCache = WatchCache<Namespace>;

/// Start watching the namespaces labelled as Berth's.
pub fn start(client: Client, stop: watch::Receiver<()>) -> ProjectCache {
    WatchCache::start(
        "projects",
        Api::all(client),
        None,
        watcher::Config::default().labels(&labels::managed_selector()),
        drop_managed_fields,
        stop,
    )
}
