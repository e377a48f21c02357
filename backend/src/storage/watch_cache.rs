//! Kubernetes objects kept in memory by a kube reflector (a watch-fed
//! store), so that hot paths (listing projects, checking a session on
//! every request) do not ask the Kubernetes API each time.
//!
//! Read-your-writes: the store lags the API by one watch event, so a
//! request that wrote an object waits (bounded by [`CATCH_UP`]) until the
//! store has seen that write before it answers. Another replica's cache
//! catches up on its own within the same watch latency.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::StreamExt;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Resource};
use serde::de::DeserializeOwned;
use tokio::sync::watch;

/// Longest a write waits for the cache to show it.
pub const CATCH_UP: Duration = Duration::from_secs(5);

/// What a write left behind, for [`WatchCache::caught_up`].
#[derive(Debug, Clone)]
pub enum Written {
    /// The object's name and `resourceVersion` as the API answered the write.
    Version(String, String),
    /// The object is gone.
    Gone(String),
}

impl Written {
    /// The version of the object a write returned.
    pub fn of<K: Resource>(object: &K) -> Self {
        let meta = object.meta();
        Self::Version(
            meta.name.clone().unwrap_or_default(),
            meta.resource_version.clone().unwrap_or_default(),
        )
    }
}

/// A cheap handle on the cache (clones share it).
pub struct WatchCache<K: Resource<DynamicType = ()> + 'static> {
    store: Store<K>,
    /// The namespace watched, for namespaced kinds.
    namespace: Option<String>,
    /// What the cache watches, for log lines.
    what: &'static str,
    ready: Arc<AtomicBool>,
    /// Bumped with every change the store applies, under this lock, so a
    /// reader sees a generation and the store contents that go with it.
    generation: Arc<RwLock<u64>>,
    /// Wakes writers waiting in [`Self::caught_up`].
    changed: watch::Receiver<()>,
}

impl<K: Resource<DynamicType = ()>> Clone for WatchCache<K> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            namespace: self.namespace.clone(),
            what: self.what,
            ready: self.ready.clone(),
            generation: self.generation.clone(),
            changed: self.changed.clone(),
        }
    }
}

impl<K> WatchCache<K>
where
    K: Resource<DynamicType = ()> + Clone + std::fmt::Debug + DeserializeOwned + Send + Sync,
{
    /// Start watching what `api` and `config` select; `trim` may drop what
    /// the cache must not hold (a password hash, managed fields). The task
    /// runs until `stop` changes.
    pub fn start(
        what: &'static str,
        api: Api<K>,
        namespace: Option<String>,
        config: watcher::Config,
        trim: fn(&mut K),
        mut stop: watch::Receiver<()>,
    ) -> Self {
        let (store, mut writer) = reflector::store();
        let ready = Arc::new(AtomicBool::new(false));
        let generation = Arc::new(RwLock::new(0u64));
        let (wake, changed) = watch::channel(());
        let stream = watcher(api, config).default_backoff().modify(trim);
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
                            tracing::info!(cache = what, "cache synced");
                        }
                        wake.send_replace(());
                    }
                    Some(Err(err)) => {
                        tracing::warn!(cache = what, error = %err, "cache watch failed; retrying");
                    }
                    None => break,
                }
            }
        });
        Self {
            store,
            namespace,
            what,
            ready,
            generation,
            changed,
        }
    }

    /// Changes whenever the store applies a change: for a live view fed by
    /// the watch (server-sent events), never by polling.
    pub fn changes(&self) -> watch::Receiver<()> {
        self.changed.clone()
    }

    /// Wait, at most [`CATCH_UP`], for the first full list.
    pub async fn synced(&self) -> bool {
        let mut changes = self.changed.clone();
        let wait = async {
            loop {
                changes.borrow_and_update();
                if self.is_ready() {
                    return true;
                }
                if changes.changed().await.is_err() {
                    return false;
                }
            }
        };
        tokio::time::timeout(CATCH_UP, wait).await.unwrap_or(false)
    }

    /// Whether the first full list has arrived.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Every object, as last seen, with the generation of that state (it
    /// changes with every change; for memoising what is computed from it).
    pub fn snapshot(&self) -> (u64, Vec<Arc<K>>) {
        let generation = self.generation.read().unwrap_or_else(|e| e.into_inner());
        (*generation, self.store.state())
    }

    /// The generation alone, for a memo that is still fresh.
    pub fn generation(&self) -> u64 {
        *self.generation.read().unwrap_or_else(|e| e.into_inner())
    }

    /// One object by name, as last seen (`None` also before the first
    /// list has arrived).
    pub fn get(&self, name: &str) -> Option<Arc<K>> {
        self.store.get(&self.object_ref(name))
    }

    fn object_ref(&self, name: &str) -> ObjectRef<K> {
        let named = ObjectRef::new(name);
        match &self.namespace {
            Some(ns) => named.within(ns),
            None => named,
        }
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
                    .get(name)
                    .is_some_and(|seen| at_least(seen.meta().resource_version.as_deref(), want)),
                Written::Gone(name) => self.get(name).is_none(),
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
            tracing::warn!(
                cache = self.what,
                ?written,
                "the cache did not see a write in time"
            );
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

/// A `trim` that keeps everything but the managed fields (which no reader
/// of a cache needs).
pub fn drop_managed_fields<K: Resource>(object: &mut K) {
    object.meta_mut().managed_fields = None;
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
