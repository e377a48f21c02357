//! The in-memory index (every object, the event history) and what a write
//! and its commit work with: the transaction view, its changes, and their
//! persistence in redb. The committer ([`super::commit`]) and the store's
//! handles ([`super::Store`]) both stand on it.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::ops::Bound;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

use bytes::Bytes;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;
use tokio::sync::watch;

use crate::meta;
use crate::resource::GroupResource;
use crate::schema::Schemas;

pub(crate) const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("objects");
pub(crate) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Pods' container logs, keyed `namespace/pod/container/attempt` (see `pods::logs`).
pub(super) const LOGS: TableDefinition<&str, &[u8]> = TableDefinition::new("logs");
pub(crate) const REVISION_KEY: &str = "revision";

/// How many changes the watch history keeps.
pub const HISTORY_MAX: usize = 20_000;

/// How many bytes of memory (the objects after and before each change,
/// parsed and as JSON) the watch history keeps by default. The count alone let a few large objects
/// changed often (an activity log, a big job template) hold gigabytes; a watch
/// that falls further behind gets 410 Gone and re-lists, as on a cluster.
pub const HISTORY_MAX_BYTES: usize = 16 * 1024 * 1024;

/// `(namespace, name)`; the namespace is empty for cluster-scoped objects.
pub type ObjKey = (String, String);

/// One stored object: the value and its serialized JSON (kept so that large
/// lists are written out without re-serializing every object).
#[derive(Debug)]
pub struct Stored {
    pub value: Value,
    pub json: Bytes,
    /// About how much memory both take (see [`memory_of`]).
    pub(super) memory: usize,
}

impl Stored {
    pub fn new(value: Value) -> Arc<Self> {
        let json = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
        let memory = json.len() + memory_of(&value);
        Arc::new(Self {
            value,
            json,
            memory,
        })
    }
}

/// About how much memory a parsed JSON value holds: its nodes and their
/// strings. Several times the JSON's length (a map entry alone is two
/// nodes), so a budget in JSON bytes would hold several times its size.
fn memory_of(value: &Value) -> usize {
    let own = std::mem::size_of::<Value>();
    own + match value {
        Value::String(s) => s.capacity(),
        Value::Array(items) => items.iter().map(memory_of).sum(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| std::mem::size_of::<String>() + k.capacity() + memory_of(v))
            .sum(),
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
    }
}

impl Event {
    /// What this event counts against the history's byte budget: the
    /// memory of the objects it holds, so the budget bounds memory.
    fn bytes(&self) -> usize {
        self.object.memory + self.old.as_ref().map_or(0, |o| o.memory)
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
pub struct State {
    revision: u64,
    objects: HashMap<GroupResource, BTreeMap<ObjKey, Arc<Stored>>>,
    history: VecDeque<Arc<Event>>,
    /// The bytes of the events in `history` (see [`Event::bytes`]).
    pub(super) history_bytes: usize,
    history_budget: usize,
    /// Events with a revision at or below this are no longer in the history.
    compacted: u64,
    kinds: HashMap<GroupResource, String>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            revision: 0,
            objects: HashMap::new(),
            history: VecDeque::new(),
            history_bytes: 0,
            history_budget: HISTORY_MAX_BYTES,
            compacted: 0,
            kinds: HashMap::new(),
        }
    }
}

impl State {
    /// A new budget for the event history's objects; older events go at once.
    pub(super) fn set_history_budget(&mut self, bytes: usize) {
        self.history_budget = bytes;
        self.trim_history();
    }

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

    pub(crate) fn apply(&mut self, change: Change) {
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
        let event = Arc::new(Event {
            rv,
            gr,
            kind,
            object,
            old,
        });
        self.history_bytes += event.bytes();
        self.history.push_back(event);
        self.trim_history();
    }

    /// Drops the oldest events until the history is within its count and
    /// byte budgets; the newest event is kept whatever its size.
    fn trim_history(&mut self) {
        while self.history.len() > HISTORY_MAX
            || (self.history_bytes > self.history_budget && self.history.len() > 1)
        {
            let Some(e) = self.history.pop_front() else {
                break;
            };
            self.history_bytes -= e.bytes();
            self.compacted = e.rv;
        }
    }
}

/// One change of a write, waiting for its commit.
pub(crate) struct Change {
    pub(crate) rv: u64,
    gr: GroupResource,
    key: ObjKey,
    kind: EventType,
    object: Arc<Stored>,
    old: Option<Arc<Stored>>,
}

/// Objects changed but not yet committed: `None` for a deletion.
pub(crate) type Overlay = HashMap<(GroupResource, ObjKey), Option<Arc<Stored>>>;

/// The view a write closure gets: current objects (including the changes of
/// the writes before it in the same commit, and its own) and the operations
/// that take a new revision each.
pub struct WriteTx<'a> {
    state: &'a State,
    schemas: &'a Schemas,
    /// The changes of the earlier writes of this commit.
    batch: &'a Overlay,
    next_rev: u64,
    changes: Vec<Change>,
    overlay: Overlay,
}

impl<'a> WriteTx<'a> {
    pub(crate) fn new(
        state: &'a State,
        schemas: &'a Schemas,
        batch: &'a Overlay,
        next_rev: u64,
    ) -> Self {
        Self {
            state,
            schemas,
            batch,
            next_rev,
            changes: Vec::new(),
            overlay: Overlay::new(),
        }
    }

    /// This write's changes, and the revision the next write starts at.
    pub(crate) fn into_parts(self) -> (Overlay, Vec<Change>, u64) {
        (self.overlay, self.changes, self.next_rev)
    }

    /// The schemas custom resources are validated against.
    pub fn schemas(&self) -> &'a Schemas {
        self.schemas
    }

    pub fn get(&self, gr: &GroupResource, ns: &str, name: &str) -> Option<Arc<Stored>> {
        let key = (gr.clone(), (ns.to_string(), name.to_string()));
        match self.overlay.get(&key).or_else(|| self.batch.get(&key)) {
            Some(pending) => pending.clone(),
            None => self.state.get(gr, ns, name).cloned(),
        }
    }

    /// The objects of a resource as this write sees them (pending changes
    /// included), in key order, within one namespace or all.
    pub fn list(&self, gr: &GroupResource, ns: Option<&str>) -> Vec<Arc<Stored>> {
        let mut found: BTreeMap<ObjKey, Arc<Stored>> = self
            .state
            .range(gr, ns, None)
            .map(|(k, o)| (k.clone(), o.clone()))
            .collect();
        for layer in [self.batch, &self.overlay] {
            for ((g, key), pending) in layer {
                if g != gr || ns.is_some_and(|ns| key.0 != ns) {
                    continue;
                }
                match pending {
                    Some(o) => found.insert(key.clone(), o.clone()),
                    None => found.remove(key),
                };
            }
        }
        found.into_values().collect()
    }

    /// Every resource that has (or had) objects, pending ones included.
    pub fn resources(&self) -> BTreeSet<GroupResource> {
        let mut all: BTreeSet<GroupResource> = self.state.resources().cloned().collect();
        for layer in [self.batch, &self.overlay] {
            all.extend(layer.keys().map(|(gr, _)| gr.clone()));
        }
        all
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
    #[error("cannot start the store's committer thread: {0}")]
    Thread(#[source] std::io::Error),
}

/// What the store's handles and its committer thread share.
pub(crate) struct Shared {
    pub(crate) state: RwLock<State>,
    pub(crate) revision: watch::Sender<u64>,
    /// The served custom resources' schemas, which every write validates against.
    pub(crate) schemas: Schemas,
}

impl Shared {
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
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

pub(super) enum Load {
    Db(redb::Error),
    Corrupt(StoreError),
}

impl From<redb::TransactionError> for Load {
    fn from(e: redb::TransactionError) -> Self {
        Self::Db(e.into())
    }
}

impl From<redb::TableError> for Load {
    fn from(e: redb::TableError) -> Self {
        Self::Db(e.into())
    }
}

impl From<redb::StorageError> for Load {
    fn from(e: redb::StorageError) -> Self {
        Self::Db(e.into())
    }
}

impl From<redb::CommitError> for Load {
    fn from(e: redb::CommitError) -> Self {
        Self::Db(e.into())
    }
}

/// Reads the whole file into a new index.
pub(super) fn load(db: &Database) -> Result<State, Load> {
    let mut state = State::default();
    {
        // Create the tables on first open so the read below finds them.
        let tx = db.begin_write()?;
        tx.open_table(OBJECTS)?;
        tx.open_table(META)?;
        tx.open_table(LOGS)?;
        tx.commit()?;
    }
    let rtx = db.begin_read()?;
    let meta_t = rtx.open_table(META)?;
    state.revision = meta_t.get(REVISION_KEY)?.map(|g| g.value()).unwrap_or(0);
    let objects = rtx.open_table(OBJECTS)?;
    for entry in objects.iter()? {
        let (k, v) = entry?;
        let key = k.value().to_string();
        let Some((gr, okey)) = parse_storage_key(&key) else {
            tracing::warn!(key, "skipping unparseable storage key");
            continue;
        };
        let value: Value = serde_json::from_slice(v.value()).map_err(|source| {
            Load::Corrupt(StoreError::Corrupt {
                key: key.clone(),
                source,
            })
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
    Ok(state)
}

/// Writes `changes` in one redb transaction and commits it durably.
pub(crate) fn persist(db: &Database, changes: &[Change]) -> Result<(), redb::Error> {
    let Some(last) = changes.last() else {
        return Ok(());
    };
    let wtx = db.begin_write()?;
    {
        let mut objects = wtx.open_table(OBJECTS)?;
        for c in changes {
            let key = storage_key(&c.gr, &c.key);
            if c.kind == EventType::Deleted {
                objects.remove(key.as_str())?;
            } else {
                objects.insert(key.as_str(), c.object.json.as_ref())?;
            }
        }
        let mut meta_t = wtx.open_table(META)?;
        meta_t.insert(REVISION_KEY, last.rv)?;
    }
    wtx.commit()?;
    Ok(())
}
