//! redb persistence plus the in-memory index that serves every read.
//!
//! * One redb file holds every object (table `objects`, key
//!   `group/resource/namespace/name`, value the object's JSON) and the store
//!   revision (table `meta`). The whole file is loaded into memory at open.
//! * Writes go to one committer thread ([`commit`]), which applies the
//!   writes waiting for it in order and commits them together in one redb
//!   transaction with immediate durability (fsync): group commit, as etcd
//!   batches its writes. Only then are they applied to the in-memory index and
//!   answered, so a write that was answered with 2xx survives `kill -9`.
//! * Every object write takes the next value of ONE store-wide revision, used
//!   as `metadata.resourceVersion`, like etcd's revision in Kubernetes.
//! * An in-memory event history (the last [`state::HISTORY_MAX`] changes, and at most
//!   [`state::HISTORY_MAX_BYTES`] of memory for their objects) feeds
//!   watches that start from a `resourceVersion`; older starting points are
//!   answered with 410 Expired, as Kubernetes' watch cache does. The history
//!   starts empty at open, so watches from before a restart re-list.

mod commit;
mod state;

use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, Weak};

use redb::{Builder, Database, ReadableDatabase, ReadableTable};
use tokio::sync::watch;

use self::commit::Committer;
pub use self::state::{Event, EventType, ObjKey, State, StoreError, Stored, WriteTx};
use self::state::{LOGS, Load, Shared, load};
use crate::schema::Schemas;
use crate::status::ApiError;

/// redb's page cache (its default is 1 GiB). Every read is served from the
/// in-memory index, and the file is read once, at open: the cache only
/// holds the pages a commit changes and the branch pages its inserts walk,
/// and kept 13 MB of pages nothing read again at 10,000 projects.
const REDB_CACHE_BYTES: usize = 2 * 1024 * 1024;

struct Inner {
    shared: Arc<Shared>,
    committer: Committer,
    /// Shared with the committer for the logs, which are not objects (redb
    /// runs one write transaction at a time and reads beside it).
    db: Arc<Database>,
}

/// The object store. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

/// A handle that does not keep the store alive (for background tasks).
#[derive(Clone)]
pub struct WeakStore(Weak<Inner>);

impl WeakStore {
    pub fn upgrade(&self) -> Option<Store> {
        self.0.upgrade().map(|inner| Store { inner })
    }
}

/// Creates the store's file readable by its owner only (it holds every
/// Secret); an existing file keeps its mode, and redb initialises an empty one.
fn private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map(drop)
}

impl Store {
    /// Opens or creates the redb file at `path`, loads it, and starts the
    /// committer thread.
    pub fn open(path: &Path, schemas: Schemas) -> Result<Self, StoreError> {
        let open_err = |source: redb::Error| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        private_file(path).map_err(|e| open_err(redb::Error::Io(e)))?;
        let db = Builder::new()
            .set_cache_size(REDB_CACHE_BYTES)
            .create(path)
            .map_err(|e| open_err(e.into()))?;
        let state = load(&db).map_err(|e| match e {
            Load::Db(e) => open_err(e),
            Load::Corrupt(e) => e,
        })?;
        let (revision, _) = watch::channel(state.revision());
        let shared = Arc::new(Shared {
            state: RwLock::new(state),
            revision,
            schemas,
        });
        let db = Arc::new(db);
        let committer = Committer::start(db.clone(), shared.clone()).map_err(StoreError::Thread)?;
        Ok(Self {
            inner: Arc::new(Inner {
                shared,
                committer,
                db,
            }),
        })
    }

    /// The schemas custom resources are validated against.
    pub fn schemas(&self) -> &Schemas {
        &self.inner.shared.schemas
    }

    /// Sets how many bytes of memory the watch history keeps (see
    /// [`state::HISTORY_MAX_BYTES`]); older events are dropped at once.
    pub fn set_history_budget(&self, bytes: usize) {
        let mut state = self
            .inner
            .shared
            .state
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        state.set_history_budget(bytes);
    }

    pub fn downgrade(&self) -> WeakStore {
        WeakStore(Arc::downgrade(&self.inner))
    }

    /// A read lock on the index. Keep it short: the committer waits for it
    /// to publish.
    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.inner.shared.read()
    }

    /// Notified with the new revision after every committed write.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.shared.revision.subscribe()
    }

    /// [`Store::write`] for code that is not async (blocks the calling thread
    /// until the commit; do not call it on an async worker thread).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut WriteTx<'_>) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        self.inner.committer.submit(commit::job(f, move |r| {
            let _ = reply.send(r);
        }))?;
        answer.recv().map_err(|_| commit::lost())?
    }

    /// Stores (replaces) one log under `key`; blocking, like [`Self::write_blocking`].
    /// Logs are not objects: no revision, no watch event.
    pub fn put_log(&self, key: &str, data: &[u8]) -> Result<(), ApiError> {
        let db = &self.inner.db;
        let wtx = db.begin_write().map_err(redb::Error::from)?;
        {
            let mut logs = wtx.open_table(LOGS).map_err(redb::Error::from)?;
            logs.insert(key, data).map_err(redb::Error::from)?;
        }
        wtx.commit().map_err(redb::Error::from)?;
        Ok(())
    }

    /// One stored log.
    pub fn get_log(&self, key: &str) -> Result<Option<Vec<u8>>, ApiError> {
        let db = &self.inner.db;
        let rtx = db.begin_read().map_err(redb::Error::from)?;
        let logs = rtx.open_table(LOGS).map_err(redb::Error::from)?;
        Ok(logs
            .get(key)
            .map_err(redb::Error::from)?
            .map(|g| g.value().to_vec()))
    }

    /// Removes every log whose key starts with `prefix`.
    pub fn delete_logs(&self, prefix: &str) -> Result<(), ApiError> {
        let db = &self.inner.db;
        let wtx = db.begin_write().map_err(redb::Error::from)?;
        {
            let mut logs = wtx.open_table(LOGS).map_err(redb::Error::from)?;
            let keys: Vec<String> = logs
                .range(prefix..)
                .map_err(redb::Error::from)?
                .map_while(Result::ok)
                .map(|(k, _)| k.value().to_string())
                .take_while(|k| k.starts_with(prefix))
                .collect();
            for k in keys {
                logs.remove(k.as_str()).map_err(redb::Error::from)?;
            }
        }
        wtx.commit().map_err(redb::Error::from)?;
        Ok(())
    }

    /// Runs `f` as a writer; its changes are committed durably and then
    /// published, all or nothing, together with the writes that waited for
    /// the same commit. An `Err` from `f` discards its changes alone.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut WriteTx<'_>) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.inner.committer.submit(commit::job(f, move |r| {
            let _ = reply.send(r);
        }))?;
        answer.await.map_err(|_| commit::lost())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta;
    use crate::resource::GroupResource;
    use serde_json::{Value, json};

    fn obj(ns: &str, name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}})
    }

    #[tokio::test]
    async fn writes_survive_reopen_and_revision_is_global() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("cluster.redb");
        let gr = GroupResource::core("configmaps");
        {
            let store = Store::open(&path, Schemas::default())?;
            let g = gr.clone();
            let rv = store
                .write(move |tx| {
                    tx.put(&g, obj("a", "one"));
                    tx.put(&g, obj("b", "two"));
                    let d = tx.delete(&g, "a", "one");
                    tx.put(&g, obj("a", "three"));
                    Ok(d.map(|d| meta::resource_version(&d.value).to_string()))
                })
                .await?;
            assert_eq!(rv.as_deref(), Some("3"));
            assert_eq!(store.read().revision(), 4);
        }
        let store = Store::open(&path, Schemas::default())?;
        let st = store.read();
        assert_eq!(st.revision(), 4);
        let names: Vec<_> = st
            .range(&gr, None, None)
            .map(|(k, _)| k.1.clone())
            .collect();
        assert_eq!(names, vec!["three", "two"]);
        let in_a: Vec<_> = st
            .range(&gr, Some("a"), None)
            .map(|(k, _)| k.1.clone())
            .collect();
        assert_eq!(in_a, vec!["three"]);
        // History starts empty after a reopen: older watches must re-list.
        assert!(st.events_after(3).is_none());
        assert_eq!(st.events_after(4).map(|e| e.len()), Some(0));
        Ok(())
    }

    #[tokio::test]
    async fn failed_write_changes_nothing() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("c.redb"), Schemas::default())?;
        let gr = GroupResource::core("configmaps");
        let r: Result<(), ApiError> = store
            .write(move |tx| {
                tx.put(&gr, obj("a", "x"));
                Err(ApiError::BadRequest("no".into()))
            })
            .await;
        assert!(r.is_err());
        assert_eq!(store.read().revision(), 0);
        Ok(())
    }
}

#[cfg(test)]
mod history_tests {
    use super::*;
    use crate::resource::GroupResource;
    use serde_json::{Value, json};

    #[tokio::test]
    async fn the_watch_history_is_bounded_by_bytes() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("c.redb"), Schemas::default())?;
        store.set_history_budget(100_000);
        let gr = GroupResource::core("configmaps");
        let big = "x".repeat(10_000);
        for i in 0..50 {
            let (g, v) = (gr.clone(), big.clone());
            store
                .write(move |tx| {
                    tx.put(
                        &g,
                        json!({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": "log", "namespace": "a"}, "data": {"i": i, "v": v}}),
                    );
                    Ok(())
                })
                .await?;
        }
        let state = store.read();
        assert!(state.history_bytes <= 100_000, "{}", state.history_bytes);
        // A watch from the start fell behind the budget: 410, re-list.
        assert!(state.events_after(1).is_none());
        // The newest changes are still there to resume from.
        assert_eq!(state.events_after(49).map(|e| e.len()), Some(1));
        Ok(())
    }

    #[test]
    fn the_budget_counts_parsed_objects_not_only_their_json() {
        // Many short labels: the parsed form is several times the JSON.
        let labels: serde_json::Map<String, Value> =
            (0..100).map(|i| (format!("l{i}"), json!("v"))).collect();
        let stored = Stored::new(json!({"metadata": {"name": "a", "labels": labels}}));
        assert!(
            stored.memory > 3 * stored.json.len(),
            "{} bytes for {} bytes of JSON",
            stored.memory,
            stored.json.len()
        );
    }
}
