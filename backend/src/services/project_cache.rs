//! The namespaces Berth manages, kept in memory by a kube reflector (a
//! watch fed store), so that listing projects does not ask the Kubernetes
//! API for every namespace on every request.
//!
//! Read-your-writes: the store lags the API by one watch event, so a
//! request that wrote a namespace waits (bounded by [`CATCH_UP`]) until the
//! store has seen that write before it answers; the person's next list then
//! shows it. Another replica's cache catches up on its own within the same
//! watch latency.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
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
    /// The namespace's name and `resourceVersion` as the API answered the write.
    Version(String, String),
    /// The namespace is gone.
    Gone(String),
}

impl Written {
    /// The version of the namespace a write returned.
    pub fn of(ns: &Namespace) -> Self {
        Self::Version(
            ns.metadata.name.clone().unwrap_or_default(),
            ns.metadata.resource_version.clone().unwrap_or_default(),
        )
    }
}

/// A cheap handle on the cache (clones share it).
#[derive(Clone)]
pub struct ProjectCache {
    store: Store<Namespace>,
    ready: Arc<AtomicBool>,
    /// Bumped with every change the store applies, under this lock, so a
    /// reader sees a generation and the store contents that go with it.
    generation: Arc<RwLock<u64>>,
    /// Wakes writers waiting in [`Self::caught_up`].
    changed: watch::Receiver<()>,
}

impl ProjectCache {
    /// Start watching the namespaces labelled as Berth's; the task runs
    /// until `stop` changes.
    pub fn start(client: Client, mut stop: watch::Receiver<()>) -> Self {
        let (store, mut writer) = reflector::store();
        let ready = Arc::new(AtomicBool::new(false));
        let generation = Arc::new(RwLock::new(0u64));
        let (wake, changed) = watch::channel(());
        let api: Api<Namespace> = Api::all(client);
        let config = watcher::Config::default().labels(&labels::managed_selector());
        let stream = watcher(api, config).default_backoff();
        let (flag, gen_lock) = (ready.clone(), generation.clone());
        tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            loop {
                let event = tokio::select! {
                    event = stream.next() => event,
                    _ = stop.changed() => break,
                };
                match event {
                    Some(Ok(event)) => {
                        if let Ok(mut generation) = gen_lock.write() {
                            writer.apply_watcher_event(&event);
                            *generation += 1;
                        }
                        if matches!(event, watcher::Event::InitDone)
                            && !flag.swap(true, Ordering::SeqCst)
                        {
                            tracing::info!("project cache synced");
                        }
                        wake.send_replace(());
                    }
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
            changed,
        }
    }

    /// Whether the first full list has arrived.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Every namespace Berth manages, as last seen, with the generation of
    /// that state (it changes with every change; for memoising what is
    /// computed from it).
    pub fn snapshot(&self) -> (u64, Vec<Arc<Namespace>>) {
        let generation = self.generation.read().unwrap_or_else(|e| e.into_inner());
        (*generation, self.store.state())
    }

    /// The generation alone, for a memo that is still fresh.
    pub fn generation(&self) -> u64 {
        *self.generation.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Wait, at most [`CATCH_UP`], until the store reflects `written`.
    /// Returns whether it does; a slow watch only costs the wait, never
    /// the write.
    pub async fn caught_up(&self, written: &Written) -> bool {
        let mut changes = self.changed.clone();
        let check = || {
            // Under the lock: once the write is seen, the generation that
            // goes with it is too, and no memo older than it is served.
            let _generation = self.generation.read().unwrap_or_else(|e| e.into_inner());
            match written {
                Written::Version(name, want) => self
                    .store
                    .get(&ObjectRef::new(name))
                    .is_some_and(|seen| at_least(seen.metadata.resource_version.as_deref(), want)),
                Written::Gone(name) => self.store.get(&ObjectRef::new(name)).is_none(),
            }
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
