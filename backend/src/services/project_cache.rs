//! The namespaces Berth manages, kept in memory by a kube reflector (a
//! watch fed store), so that listing projects does not ask the Kubernetes
//! API for every namespace on every request.
//!
//! Read-your-writes: the store lags the API by one watch event, so a
//! request that wrote a namespace waits (bounded by [`CATCH_UP`]) until the
//! store has seen that write before it answers; the person's next list then
//! shows it. Another replica's cache catches up on its own within the same
//! watch latency.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Namespace;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use tokio::sync::watch;

use super::labels;

/// Longest a write waits for the cache to show it.
pub const CATCH_UP: Duration = Duration::from_secs(5);

/// What a write left behind, for [`ProjectCache::caught_up`].
#[derive(Debug, Clone)]
pub enum Written {
    /// The namespace as the API answered the write (its `resourceVersion`).
    Object(Namespace),
    /// The namespace is gone.
    Gone(String),
}

/// A cheap handle on the cache (clones share it).
#[derive(Clone)]
pub struct ProjectCache {
    store: Store<Namespace>,
    ready: Arc<AtomicBool>,
    /// Bumped after every change the store applied.
    generation: watch::Receiver<u64>,
}

impl ProjectCache {
    /// Start watching the namespaces labelled as Berth's; the task runs
    /// until `stop` changes.
    pub fn start(client: Client, mut stop: watch::Receiver<()>) -> Self {
        let (store, writer) = reflector::store();
        let ready = Arc::new(AtomicBool::new(false));
        let (bump, generation) = watch::channel(0u64);
        let api: Api<Namespace> = Api::all(client);
        let config = watcher::Config::default().labels(&labels::managed_selector());
        let stream = reflector::reflector(writer, watcher(api, config).default_backoff());
        let flag = ready.clone();
        tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            loop {
                let event = tokio::select! {
                    event = stream.next() => event,
                    _ = stop.changed() => break,
                };
                match event {
                    Some(Ok(watcher::Event::InitDone)) => {
                        if !flag.swap(true, Ordering::SeqCst) {
                            tracing::info!("project cache synced");
                        }
                        bump.send_modify(|g| *g += 1);
                    }
                    Some(Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_))) => {
                        bump.send_modify(|g| *g += 1);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(err)) => {
                        tracing::warn!(error = %err, "project cache watch failed; retrying");
                    }
                    None => break,
                }
            }
        });
        Self {
            store,
            ready,
            generation,
        }
    }

    /// Whether the first full list has arrived.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Changes with every change the store applied; for memoising what is
    /// computed from [`Self::namespaces`].
    pub fn generation(&self) -> u64 {
        *self.generation.borrow()
    }

    /// Every namespace Berth manages, as last seen.
    pub fn namespaces(&self) -> Vec<Arc<Namespace>> {
        self.store.state()
    }

    /// Wait, at most [`CATCH_UP`], until the store reflects `written`.
    /// Returns whether it does; a slow watch only costs the wait, never
    /// the write.
    pub async fn caught_up(&self, written: &Written) -> bool {
        let mut changes = self.generation.clone();
        let check = || match written {
            Written::Object(ns) => {
                let name = ns.metadata.name.as_deref().unwrap_or_default();
                let want = ns.metadata.resource_version.as_deref().unwrap_or_default();
                self.store
                    .get(&ObjectRef::new(name))
                    .is_some_and(|seen| at_least(seen.metadata.resource_version.as_deref(), want))
            }
            Written::Gone(name) => self.store.get(&ObjectRef::new(name)).is_none(),
        };
        let wait = async {
            loop {
                changes.borrow_and_update();
                if check() {
                    return true;
                }
                if changes.changed().await.is_err() {
                    return false;
                }
            }
        };
        let seen = tokio::time::timeout(CATCH_UP, wait).await.unwrap_or(false);
        if !seen {
            tracing::warn!(?written, "the project cache did not see a write in time");
        }
        seen
    }
}

/// Whether the seen version is the written one or later. Kubernetes calls
/// resource versions opaque, but every implementation (etcd's revision, the
/// embedded store's) uses increasing integers; without them only equality
/// counts.
fn at_least(seen: Option<&str>, want: &str) -> bool {
    let Some(seen) = seen else { return false };
    match (seen.parse::<u64>(), want.parse::<u64>()) {
        (Ok(s), Ok(w)) => s >= w,
        _ => seen == want,
    }
}

#[cfg(test)]
mod tests {
    use super::at_least;

    #[test]
    fn later_versions_count_as_seen() {
        assert!(at_least(Some("12"), "12"));
        assert!(at_least(Some("13"), "12"));
        assert!(!at_least(Some("11"), "12"));
        assert!(at_least(Some("abc"), "abc"));
        assert!(!at_least(Some("abd"), "abc"));
        assert!(!at_least(None, "1"));
    }
}
