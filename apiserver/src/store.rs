//! redb persistence plus the in-memory index that serves every read.
//!
//! * One redb file holds every object (table `objects`, key
//!   `group/resource/namespace/name`, value the object's JSON) and the store
//!   revision (table `meta`). The whole file is loaded into memory at open.
//! * Writes are serialized by one mutex (the single writer), committed with
//!   redb's default immediate durability (fsync) and only then applied to the
//!   in-memory index, so a write that was answered with 2xx survives `kill -9`.
//! * Every object write takes the next value of ONE store-wide revision, used
//!   as `metadata.resourceVersion`, like etcd's revision in Kubernetes.
//! * An in-memory event history (the last [`HISTORY_MAX`] changes) feeds
//!   watches that start from a `resourceVersion`; older starting points are
//!   answered with 410 Expired, as Kubernetes' watch cache does. The history
//!   starts empty at open, so watches from before a restart re-list.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, Weak};

use bytes::Bytes;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;
use tokio::sync::watch;

use super::meta;
use super::resource::GroupResource;
use super::schema::Schemas;
use super::status::ApiError;

const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("objects");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Pods' container logs, keyed `namespace/pod/container/attempt` (see `pods::logs`).
const LOGS: TableDefinition<&str, &[u8]> = TableDefinition::new("logs");
const REVISION_KEY: &str = "revision";

/// How many changes the watch history keeps.
pub const HISTORY_MAX: usize = 20_000;

/// `(namespace, name)`; the namespace is empty for cluster-scoped objects.
pub type ObjKey = (String, String);

/// One stored object: the value and its serialized JSON (kept so that large
/// lists are written out without re-serializing every object).
#[derive(Debug)]
pub struct Stored {
    pub value: Value,
    pub json: Bytes,
}

impl Stored {
    pub fn new(value: Value) -> Arc<Self> {
        let json = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
        Arc::new(Self { value, json })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One change, as recorded in the watch history.
#[derive(Debug)]
pub struct Event {
    pub rv: u64,
    pub gr: GroupResource,
    pub kind: EventType,
    /// The object after the change (for DELETED: its last state, with the deletion revision).
    pub object: Arc<Stored>,
    /// The object before the change (so watches with selectors can tell
    /// "stopped matching" from "changed").
    pub old: Option<Arc<Stored>>,
}

/// The in-memory index.
#[derive(Default)]
pub struct State {
    revision: u64,
    objects: HashMap<GroupResource, BTreeMap<ObjKey, Arc<Stored>>>,
    history: VecDeque<Arc<Event>>,
    /// Events with a revision at or below this are no longer in the history.
    compacted: u64,
    kinds: HashMap<GroupResource, String>,
}

impl State {
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn get(&self, gr: &GroupResource, ns: &str, name: &str) -> Option<&Arc<Stored>> {
        self.objects
            .get(gr)
            .and_then(|m| m.get(&(ns.to_string(), name.to_string())))
    }

    /// Objects of a resource in key order, optionally within one namespace and
    /// strictly after `after`.
    pub fn range<'a>(
        &'a self,
        gr: &GroupResource,
        ns: Option<&'a str>,
        after: Option<&ObjKey>,
    ) -> impl Iterator<Item = (&'a ObjKey, &'a Arc<Stored>)> + 'a {
        let start = match (after, ns) {
            (Some(k), _) => Bound::Excluded(k.clone()),
            (None, Some(ns)) => Bound::Included((ns.to_string(), String::new())),
            (None, None) => Bound::Unbounded,
        };
        self.objects
            .get(gr)
            .into_iter()
            .flat_map(move |m| m.range((start.clone(), Bound::Unbounded)))
            .take_while(move |(k, _)| ns.is_none_or(|ns| k.0 == ns))
    }

    /// Every resource that has (or had) objects.
    pub fn resources(&self) -> impl Iterator<Item = &GroupResource> {
        self.objects.keys()
    }

    /// The kind seen on writes of an unregistered custom resource.
    pub fn learned_kind(&self, gr: &GroupResource) -> &str {
        self.kinds.get(gr).map(String::as_str).unwrap_or("")
    }

    /// Events after revision `rv`, or `None` when some of them left the history.
    pub fn events_after(&self, rv: u64) -> Option<Vec<Arc<Event>>> {
        if rv < self.compacted {
            return None;
        }
        let start = self.history.partition_point(|e| e.rv <= rv);
        Some(self.history.range(start..).cloned().collect())
    }

    fn apply(&mut self, change: Change) {
        let Change {
            rv,
            gr,
            key,
            kind,
            object,
            old,
        } = change;
        if kind == EventType::Deleted {
            self.objects.entry(gr.clone()).or_default().remove(&key);
        } else {
            if !gr.group.is_empty() {
                let k = object
                    .value
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !k.is_empty() && self.learned_kind(&gr) != k {
                    self.kinds.insert(gr.clone(), k.to_string());
                }
            }
            self.objects
                .entry(gr.clone())
                .or_default()
                .insert(key, object.clone());
        }
        self.revision = rv;
        self.history.push_back(Arc::new(Event {
            rv,
            gr,
            kind,
            object,
            old,
        }));
        while self.history.len() > HISTORY_MAX {
            if let Some(e) = self.history.pop_front() {
                self.compacted = e.rv;
            }
        }
    }
}

struct Change {
    rv: u64,
    gr: GroupResource,
    key: ObjKey,
    kind: EventType,
    object: Arc<Stored>,
    old: Option<Arc<Stored>>,
}

/// The view a write closure gets: current objects (including its own pending
/// changes) and the operations that take a new revision each.
pub struct WriteTx<'a> {
    state: &'a State,
    schemas: &'a Schemas,
    next_rev: u64,
    changes: Vec<Change>,
    overlay: HashMap<(GroupResource, ObjKey), Option<Arc<Stored>>>,
}

impl<'a> WriteTx<'a> {
    /// The committed state as of the start of this write (without pending changes).
    pub fn state(&self) -> &'a State {
        self.state
    }

    /// The schemas custom resources are validated against.
    pub fn schemas(&self) -> &'a Schemas {
        self.schemas
    }

    pub fn get(&self, gr: &GroupResource, ns: &str, name: &str) -> Option<Arc<Stored>> {
        let key = (gr.clone(), (ns.to_string(), name.to_string()));
        match self.overlay.get(&key) {
            Some(pending) => pending.clone(),
            None => self.state.get(gr, ns, name).cloned(),
        }
    }

    /// Stores `value` (creating or replacing) with the next revision as its
    /// `metadata.resourceVersion`.
    pub fn put(&mut self, gr: &GroupResource, mut value: Value) -> Arc<Stored> {
        let rv = self.next_rev;
        self.next_rev += 1;
        meta::metadata_mut(&mut value).insert("resourceVersion".into(), rv.to_string().into());
        let key = (
            meta::namespace(&value).to_string(),
            meta::name(&value).to_string(),
        );
        let old = self.get(gr, &key.0, &key.1);
        let object = Stored::new(value);
        self.overlay
            .insert((gr.clone(), key.clone()), Some(object.clone()));
        self.changes.push(Change {
            rv,
            gr: gr.clone(),
            key,
            kind: if old.is_some() {
                EventType::Modified
            } else {
                EventType::Added
            },
            object: object.clone(),
            old,
        });
        object
    }

    /// Removes an object; returns its last state carrying the deletion revision.
    pub fn delete(&mut self, gr: &GroupResource, ns: &str, name: &str) -> Option<Arc<Stored>> {
        let old = self.get(gr, ns, name)?;
        let rv = self.next_rev;
        self.next_rev += 1;
        let mut value = old.value.clone();
        meta::metadata_mut(&mut value).insert("resourceVersion".into(), rv.to_string().into());
        let object = Stored::new(value);
        let key = (ns.to_string(), name.to_string());
        self.overlay.insert((gr.clone(), key.clone()), None);
        self.changes.push(Change {
            rv,
            gr: gr.clone(),
            key,
            kind: EventType::Deleted,
            object: object.clone(),
            old: Some(old),
        });
        Some(object)
    }
}

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: redb::Error,
    },
    #[error("corrupt object under key {key}: {source}")]
    Corrupt {
        key: String,
        #[source]
        source: serde_json::Error,
    },
}

struct Inner {
    /// The single writer; holding this lock is what serializes writes.
    db: Mutex<Database>,
    state: RwLock<State>,
    revision: watch::Sender<u64>,
    /// The served custom resources' schemas, which every write validates against.
    schemas: Schemas,
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

fn storage_key(gr: &GroupResource, key: &ObjKey) -> String {
    format!("{}/{}/{}/{}", gr.group, gr.resource, key.0, key.1)
}

fn parse_storage_key(k: &str) -> Option<(GroupResource, ObjKey)> {
    let mut it = k.splitn(4, '/');
    let group = it.next()?;
    let resource = it.next()?;
    let ns = it.next()?;
    let name = it.next()?;
    Some((
        GroupResource::new(group, resource),
        (ns.to_string(), name.to_string()),
    ))
}

impl Store {
    /// Opens or creates the redb file at `path` and loads it.
    pub fn open(path: &Path, schemas: Schemas) -> Result<Self, StoreError> {
        let open_err = |source: redb::Error| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let db = Database::create(path).map_err(|e| open_err(e.into()))?;
        let mut state = State::default();
        {
            // Create the tables on first open so the read below finds them.
            let tx = db.begin_write().map_err(|e| open_err(e.into()))?;
            tx.open_table(OBJECTS).map_err(|e| open_err(e.into()))?;
            tx.open_table(META).map_err(|e| open_err(e.into()))?;
            tx.open_table(LOGS).map_err(|e| open_err(e.into()))?;
            tx.commit().map_err(|e| open_err(e.into()))?;
        }
        let rtx = db.begin_read().map_err(|e| open_err(e.into()))?;
        let meta_t = rtx.open_table(META).map_err(|e| open_err(e.into()))?;
        state.revision = meta_t
            .get(REVISION_KEY)
            .map_err(|e| open_err(e.into()))?
            .map(|g| g.value())
            .unwrap_or(0);
        let objects = rtx.open_table(OBJECTS).map_err(|e| open_err(e.into()))?;
        for entry in objects.iter().map_err(|e| open_err(e.into()))? {
            let (k, v) = entry.map_err(|e| open_err(e.into()))?;
            let key = k.value().to_string();
            let Some((gr, okey)) = parse_storage_key(&key) else {
                tracing::warn!(key, "skipping unparseable storage key");
                continue;
            };
            let value: Value =
                serde_json::from_slice(v.value()).map_err(|source| StoreError::Corrupt {
                    key: key.clone(),
                    source,
                })?;
            if !gr.group.is_empty()
                && let Some(kind) = value.get("kind").and_then(Value::as_str)
            {
                state.kinds.insert(gr.clone(), kind.to_string());
            }
            state
                .objects
                .entry(gr)
                .or_default()
                .insert(okey, Stored::new(value));
        }
        state.compacted = state.revision;
        let (revision, _) = watch::channel(state.revision);
        Ok(Self {
            inner: Arc::new(Inner {
                db: Mutex::new(db),
                state: RwLock::new(state),
                revision,
                schemas,
            }),
        })
    }

    /// The schemas custom resources are validated against.
    pub fn schemas(&self) -> &Schemas {
        &self.inner.schemas
    }

    pub fn downgrade(&self) -> WeakStore {
        WeakStore(Arc::downgrade(&self.inner))
    }

    /// A read lock on the index. Keep it short: writers wait for it.
    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.inner
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Notified with the new revision after every committed write.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.revision.subscribe()
    }

    /// [`Store::write`] for code that is not async (blocks the calling thread
    /// on the commit; do not call it on an async worker thread).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut WriteTx<'_>) -> Result<T, ApiError>,
    {
        write_blocking(&self.inner, f)
    }

    /// Stores (replaces) one log under `key`; blocking, like [`Self::write_blocking`].
    /// Logs are not objects: no revision, no watch event.
    pub fn put_log(&self, key: &str, data: &[u8]) -> Result<(), ApiError> {
        let db = self.inner.db.lock().unwrap_or_else(PoisonError::into_inner);
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
        let db = self.inner.db.lock().unwrap_or_else(PoisonError::into_inner);
        let rtx = db.begin_read().map_err(redb::Error::from)?;
        let logs = rtx.open_table(LOGS).map_err(redb::Error::from)?;
        Ok(logs
            .get(key)
            .map_err(redb::Error::from)?
            .map(|g| g.value().to_vec()))
    }

    /// Removes every log whose key starts with `prefix`.
    pub fn delete_logs(&self, prefix: &str) -> Result<(), ApiError> {
        let db = self.inner.db.lock().unwrap_or_else(PoisonError::into_inner);
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

    /// Runs `f` as the single writer; its changes are committed durably and
    /// then published, all or nothing. An `Err` from `f` discards its changes.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut WriteTx<'_>) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || write_blocking(&inner, f))
            .await
            .map_err(|e| ApiError::Internal(format!("write task failed: {e}")))?
    }
}

fn write_blocking<T, F>(inner: &Inner, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut WriteTx<'_>) -> Result<T, ApiError>,
{
    let db = inner.db.lock().unwrap_or_else(PoisonError::into_inner);
    let (result, changes) = {
        let state = inner.state.read().unwrap_or_else(PoisonError::into_inner);
        let mut tx = WriteTx {
            state: &state,
            schemas: &inner.schemas,
            next_rev: state.revision + 1,
            changes: Vec::new(),
            overlay: HashMap::new(),
        };
        let result = f(&mut tx);
        (result, tx.changes)
    };
    let value = result?;
    let Some(last) = changes.last() else {
        return Ok(value);
    };
    let new_rev = last.rv;
    let wtx = db.begin_write().map_err(redb::Error::from)?;
    {
        let mut objects = wtx.open_table(OBJECTS).map_err(redb::Error::from)?;
        for c in &changes {
            let key = storage_key(&c.gr, &c.key);
            if c.kind == EventType::Deleted {
                objects.remove(key.as_str()).map_err(redb::Error::from)?;
            } else {
                objects
                    .insert(key.as_str(), c.object.json.as_ref())
                    .map_err(redb::Error::from)?;
            }
        }
        let mut meta_t = wtx.open_table(META).map_err(redb::Error::from)?;
        meta_t
            .insert(REVISION_KEY, new_rev)
            .map_err(redb::Error::from)?;
    }
    wtx.commit().map_err(redb::Error::from)?;
    {
        let mut state = inner.state.write().unwrap_or_else(PoisonError::into_inner);
        for c in changes {
            state.apply(c);
        }
    }
    inner.revision.send_replace(new_rev);
    drop(db);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
