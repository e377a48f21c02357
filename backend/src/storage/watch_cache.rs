//! Kubernetes objects kept in memory by a watch, so that hot paths
//! (listing projects, checking a session on every request) do not ask the
//! Kubernetes API each time. A cache keeps each object trimmed, or only
//! what its readers need of it (the projects cache keeps projects, not
//! namespaces: a third of the memory at 10,000 projects).
//!
//! Read-your-writes: the store lags the API by one watch event, so a
//! request that wrote an object waits (bounded by [`CATCH_UP`]) until the
//! store has seen that write before it answers. Another replica's cache
//! catches up on its own within the same watch latency.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::StreamExt;
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

/// A kind a cache can watch.
pub trait Watched:
    Resource<DynamicType = ()> + Clone + std::fmt::Debug + DeserializeOwned + Send + Sync + 'static
{
}

impl<K> Watched for K where
    K: Resource<DynamicType = ()>
        + Clone
        + std::fmt::Debug
        + DeserializeOwned
        + Send
        + Sync
        + 'static
{
}

/// One cached object: what the cache keeps of it, and its version.
struct Entry<V> {
    version: String,
    value: Arc<V>,
}

/// The cached objects by name (one cache watches one namespace, or a
/// cluster-scoped kind), with a generation bumped by every change, under
/// one lock: a reader sees a generation and the objects that go with it.
struct Objects<V> {
    generation: u64,
    by_name: HashMap<String, Entry<V>>,
    /// A re-list in progress: it replaces `by_name` once complete.
    relisting: Option<HashMap<String, Entry<V>>>,
}

impl<V> Objects<V> {
    fn apply<K: Resource>(&mut self, event: watcher::Event<K>, keep: &impl Fn(K) -> Option<V>) {
        let entry = |object: K| {
            let meta = object.meta();
            let name = meta.name.clone().unwrap_or_default();
            let version = meta.resource_version.clone().unwrap_or_default();
            (
                name,
                keep(object).map(|v| Entry {
                    version,
                    value: Arc::new(v),
                }),
            )
        };
        match event {
            watcher::Event::Apply(object) => match entry(object) {
                (name, Some(e)) => {
                    self.by_name.insert(name, e);
                }
                (name, None) => {
                    self.by_name.remove(&name);
                }
            },
            watcher::Event::Delete(object) => {
                self.by_name
                    .remove(object.meta().name.as_deref().unwrap_or_default());
            }
            watcher::Event::Init => self.relisting = Some(HashMap::new()),
            watcher::Event::InitApply(object) => {
                if let (name, Some(e)) = entry(object) {
                    self.relisting.get_or_insert_default().insert(name, e);
                }
            }
            watcher::Event::InitDone => {
                if let Some(listed) = self.relisting.take() {
                    self.by_name = listed;
                }
            }
        }
        self.generation += 1;
    }
}

/// A cheap handle on the cache (clones share it). `V` is what is kept of
/// each object `K` (the object itself, trimmed, or a smaller projection).
pub struct WatchCache<K, V = K> {
    objects: Arc<RwLock<Objects<V>>>,
    /// What the cache watches, for log lines.
    what: &'static str,
    ready: Arc<AtomicBool>,
    /// Wakes writers waiting in [`Self::caught_up`].
    changed: watch::Receiver<()>,
    kind: PhantomData<fn() -> K>,
}

impl<K, V> Clone for WatchCache<K, V> {
    fn clone(&self) -> Self {
        Self {
            objects: self.objects.clone(),
            what: self.what,
            ready: self.ready.clone(),
            changed: self.changed.clone(),
            kind: PhantomData,
        }
    }
}

impl<K: Watched> WatchCache<K> {
    /// Start watching what `api` and `config` select, keeping each object
    /// after `trim` (which drops what the cache must not hold: a password
    /// hash, managed fields). The task runs until `stop` changes.
    pub fn start(
        what: &'static str,
        api: Api<K>,
        config: watcher::Config,
        trim: fn(&mut K),
        stop: watch::Receiver<()>,
    ) -> Self {
        Self::start_keeping(
            what,
            api,
            config,
            move |mut object| {
                trim(&mut object);
                Some(object)
            },
            stop,
        )
    }
}

impl<K: Watched, V: Send + Sync + 'static> WatchCache<K, V> {
    /// Start watching what `api` and `config` select, keeping of each
    /// object what `keep` makes of it (`None`: not kept). The task runs
    /// until `stop` changes.
    pub fn start_keeping(
        what: &'static str,
        api: Api<K>,
        config: watcher::Config,
        keep: impl Fn(K) -> Option<V> + Send + 'static,
        mut stop: watch::Receiver<()>,
    ) -> Self {
        let objects = Arc::new(RwLock::new(Objects {
            generation: 0,
            by_name: HashMap::new(),
            relisting: None,
        }));
        let ready = Arc::new(AtomicBool::new(false));
        let (wake, changed) = watch::channel(());
        let stream = watcher(api, config).default_backoff();
        let (flag, shared) = (ready.clone(), objects.clone());
        tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            loop {
                let event = tokio::select! {
                    event = stream.next() => event,
                    _ = stop.changed() => break,
                };
                match event {
                    Some(Ok(event)) => {
                        let listed = matches!(event, watcher::Event::InitDone);
                        if let Ok(mut objects) = shared.write() {
                            objects.apply(event, &keep);
                        }
                        if listed && !flag.swap(true, Ordering::SeqCst) {
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
            objects,
            what,
            ready,
            changed,
            kind: PhantomData,
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

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Objects<V>> {
        self.objects.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Every object, as last seen, with the generation of that state (it
    /// changes with every change; for memoising what is computed from it).
    pub fn snapshot(&self) -> (u64, Vec<Arc<V>>) {
        let objects = self.read();
        let all = objects.by_name.values().map(|e| e.value.clone()).collect();
        (objects.generation, all)
    }

    /// The generation alone, for a memo that is still fresh.
    pub fn generation(&self) -> u64 {
        self.read().generation
    }

    /// One object by name, as last seen (`None` also before the first
    /// list has arrived).
    pub fn get(&self, name: &str) -> Option<Arc<V>> {
        self.read().by_name.get(name).map(|e| e.value.clone())
    }

    /// Wait, at most [`CATCH_UP`], until the store reflects `written`.
    /// Returns whether it does; a slow watch only costs the wait, never
    /// the write.
    pub async fn caught_up(&self, written: &Written) -> bool {
        let mut changes = self.changed.clone();
        // Under the lock: once the write is seen, the generation that goes
        // with it is too, and no memo older than it is served.
        let check = || {
            let objects = self.read();
            match written {
                Written::Version(name, want) => objects
                    .by_name
                    .get(name)
                    .is_some_and(|seen| at_least(Some(seen.version.as_str()), want)),
                Written::Gone(name) => !objects.by_name.contains_key(name),
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
    use std::collections::HashMap;

    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::api::ObjectMeta;
    use kube::runtime::watcher::Event;

    use super::{Objects, at_least};

    fn cm(name: &str, version: &str) -> ConfigMap {
        ConfigMap {
            metadata: ObjectMeta {
                name: Some(name.into()),
                resource_version: Some(version.into()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        }
    }

    /// Keeps the name of objects not called "skip".
    fn keep(o: ConfigMap) -> Option<String> {
        o.metadata.name.filter(|n| n != "skip")
    }

    fn names(o: &Objects<String>) -> Vec<(String, String)> {
        let mut all: Vec<_> = o
            .by_name
            .values()
            .map(|e| (e.value.to_string(), e.version.clone()))
            .collect();
        all.sort();
        all
    }

    #[test]
    fn events_change_what_is_kept_and_a_relist_replaces_it() {
        let mut o = Objects {
            generation: 0,
            by_name: HashMap::new(),
            relisting: None,
        };
        o.apply(Event::Apply(cm("a", "1")), &keep);
        o.apply(Event::Apply(cm("b", "2")), &keep);
        o.apply(Event::Apply(cm("a", "3")), &keep);
        o.apply(Event::Apply(cm("skip", "4")), &keep);
        assert_eq!(
            names(&o),
            [("a".into(), "3".into()), ("b".into(), "2".into())]
        );
        o.apply(Event::Delete(cm("b", "5")), &keep);
        assert_eq!(names(&o), [("a".into(), "3".into())]);
        // A re-list: the old state is served until it is complete, then
        // what it did not list (deleted while the watch was down) is gone.
        o.apply(Event::Init, &keep);
        o.apply(Event::InitApply(cm("c", "7")), &keep);
        assert_eq!(names(&o), [("a".into(), "3".into())]);
        o.apply(Event::InitDone, &keep);
        assert_eq!(names(&o), [("c".into(), "7".into())]);
        assert_eq!(o.generation, 8, "every event is a new generation");
    }

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
