//! Group commit: one thread owns the redb file and commits writes in
//! batches. Writes that arrive while a commit is in flight wait in a queue;
//! the next commit takes all of them, applies each in arrival order against
//! the index plus the changes of the writes before it, and makes them
//! durable with one fsync. Each write keeps its own revisions, its own watch
//! events in order and its own checks: one that fails (a stale
//! `resourceVersion`, a validation error, a panic) is dropped alone and
//! answered at once; the others are answered after the commit, so no write
//! is acknowledged before its data is on disk.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, PoisonError, mpsc};
use std::thread::{self, JoinHandle};

use redb::Database;

use super::state::{self, Change, Overlay, Shared, WriteTx};
use crate::status::ApiError;

/// The most writes one commit takes; the rest wait for the next.
const MAX_BATCH: usize = 1024;

/// Answers a write once its commit is known: `Ok` once durable.
pub(crate) type Ack = Box<dyn FnOnce(Result<(), ApiError>) + Send>;

/// A write: runs against the transaction view and, when it succeeded,
/// returns how to answer it after the commit. A failed write has answered
/// already and returns `None`; its changes are discarded.
pub(crate) type Job = Box<dyn FnOnce(&mut WriteTx<'_>) -> Option<Ack> + Send>;

/// Wraps a write closure and where its answer goes into a [`Job`].
pub(crate) fn job<T, F>(f: F, reply: impl FnOnce(Result<T, ApiError>) + Send + 'static) -> Job
where
    F: FnOnce(&mut WriteTx<'_>) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    Box::new(move |tx| match f(tx) {
        Ok(value) => Some(Box::new(move |committed: Result<(), ApiError>| {
            reply(committed.map(|()| value));
        })),
        Err(e) => {
            reply(Err(e));
            None
        }
    })
}

/// The answer when a write was lost (its closure panicked, or the store
/// is closing).
pub(crate) fn lost() -> ApiError {
    ApiError::Internal("the write was not committed".into())
}

/// The committer thread and the queue into it. Dropping it closes the queue
/// and waits for the thread, which closes the file.
pub(crate) struct Committer {
    queue: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Committer {
    pub(crate) fn start(db: Arc<Database>, shared: Arc<Shared>) -> std::io::Result<Self> {
        let (queue, jobs) = mpsc::channel::<Job>();
        let thread = thread::Builder::new()
            .name("store-commit".into())
            .spawn(move || run(&db, &shared, &jobs))?;
        Ok(Self {
            queue: Some(queue),
            thread: Some(thread),
        })
    }

    pub(crate) fn submit(&self, job: Job) -> Result<(), ApiError> {
        self.queue
            .as_ref()
            .and_then(|q| q.send(job).ok())
            .ok_or_else(lost)
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        self.queue.take();
        if let Some(thread) = self.thread.take()
            // The last handle can be dropped by a write's closure on the
            // committer thread itself, which cannot wait for itself; it ends
            // right after, as its queue is closed.
            && thread.thread().id() != thread::current().id()
        {
            let _ = thread.join();
        }
    }
}

fn run(db: &Database, shared: &Shared, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        batch.extend(jobs.try_iter().take(MAX_BATCH - 1));
        commit(db, shared, batch);
    }
}

/// Applies `batch` in order and commits what succeeded, once.
fn commit(db: &Database, shared: &Shared, batch: Vec<Job>) {
    let mut overlay = Overlay::new();
    let mut changes: Vec<Change> = Vec::new();
    let mut acks: Vec<Ack> = Vec::with_capacity(batch.len());
    {
        let state = shared.read();
        let mut next_rev = state.revision() + 1;
        for job in batch {
            let mut tx = WriteTx::new(&state, &shared.schemas, &overlay, next_rev);
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| job(&mut tx)));
            let (own, own_changes, next) = tx.into_parts();
            match outcome {
                Ok(Some(ack)) => {
                    next_rev = next;
                    overlay.extend(own);
                    changes.extend(own_changes);
                    acks.push(ack);
                }
                // Refused: answered already; its changes go.
                Ok(None) => {}
                Err(_) => tracing::error!("a write panicked; its changes are discarded"),
            }
        }
    }
    let Some(new_rev) = changes.last().map(|c| c.rv) else {
        acks.into_iter().for_each(|ack| ack(Ok(())));
        return;
    };
    if let Err(e) = state::persist(db, &changes) {
        tracing::error!(error = %e, writes = acks.len(), "commit failed");
        let message = format!("storage: {e}");
        for ack in acks {
            ack(Err(ApiError::Internal(message.clone())));
        }
        return;
    }
    {
        let mut state = shared.state.write().unwrap_or_else(PoisonError::into_inner);
        for c in changes {
            state.apply(c);
        }
    }
    shared.revision.send_replace(new_rev);
    acks.into_iter().for_each(|ack| ack(Ok(())));
}

#[cfg(test)]
mod tests {
    use std::sync::RwLock;
    use std::sync::mpsc::{Receiver, sync_channel};

    use serde_json::{Value, json};
    use tokio::sync::watch;

    use super::*;
    use crate::meta;
    use crate::resource::GroupResource;
    use crate::schema::Schemas;
    use crate::store::State;

    fn cm(name: &str, data: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": name, "namespace": "default"}, "data": {"v": data}})
    }

    fn shared() -> Shared {
        Shared {
            state: RwLock::new(State::default()),
            revision: watch::channel(0).0,
            schemas: Schemas::default(),
        }
    }

    /// A job and where its answer arrives.
    fn queued<T: Send + 'static>(
        f: impl FnOnce(&mut WriteTx<'_>) -> Result<T, ApiError> + Send + 'static,
    ) -> (Job, Receiver<Result<T, ApiError>>) {
        let (reply, answer) = sync_channel(1);
        (
            job(f, move |r| {
                let _ = reply.send(r);
            }),
            answer,
        )
    }

    #[test]
    fn one_commit_applies_writes_in_order_and_a_failed_one_alone()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let db = Database::create(dir.path().join("c.redb"))?;
        let shared = shared();
        let gr = GroupResource::core("configmaps");

        let g = gr.clone();
        let (first, first_answer) = queued(move |tx| {
            let o = tx.put(&g, cm("a", "1"));
            Ok(meta::resource_version(&o.value).to_string())
        });
        // Sees the first write's pending object, changes it, then fails:
        // none of its changes may stay, and it is answered with its error.
        let g = gr.clone();
        let (stale, stale_answer) = queued(move |tx| {
            assert!(tx.get(&g, "default", "a").is_some());
            tx.put(&g, cm("a", "stale"));
            Err::<(), _>(ApiError::Conflict {
                gr: g.clone(),
                name: "a".into(),
                detail: "the object has been modified".into(),
            })
        });
        let g = gr.clone();
        let (third, third_answer) = queued(move |tx| {
            let a = tx
                .get(&g, "default", "a")
                .ok_or(ApiError::Internal("no a".into()))?;
            tx.put(&g, cm("b", a.value["data"]["v"].as_str().unwrap_or("")));
            Ok(tx.list(&g, Some("default")).len())
        });
        commit(&db, &shared, vec![first, stale, third]);

        assert_eq!(first_answer.recv()?.map_err(|e| e.to_string())?, "1");
        assert!(matches!(
            stale_answer.recv()?,
            Err(ApiError::Conflict { .. })
        ));
        assert_eq!(third_answer.recv()?.map_err(|e| e.to_string())?, 2);
        let state = shared.read();
        // Revisions stay contiguous: the failed write took none.
        assert_eq!(state.revision(), 2);
        let a = state.get(&gr, "default", "a").ok_or("a is stored")?;
        assert_eq!(a.value["data"]["v"], "1");
        let b = state.get(&gr, "default", "b").ok_or("b is stored")?;
        assert_eq!(b.value["data"]["v"], "1");
        assert_eq!(meta::resource_version(&b.value), "2");
        let events = state.events_after(0).ok_or("history")?;
        let order: Vec<u64> = events.iter().map(|e| e.rv).collect();
        assert_eq!(order, [1, 2]);
        assert_eq!(*shared.revision.borrow(), 2);
        Ok(())
    }

    #[test]
    fn a_panicking_write_is_dropped_and_the_rest_commit() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let db = Database::create(dir.path().join("c.redb"))?;
        let shared = shared();
        let gr = GroupResource::core("configmaps");
        let g = gr.clone();
        let (boom, boom_answer) = queued(move |tx| -> Result<(), ApiError> {
            tx.put(&g, cm("boom", "x"));
            panic!("a bug in a write");
        });
        let g = gr.clone();
        let (fine, fine_answer) = queued(move |tx| {
            tx.put(&g, cm("fine", "y"));
            Ok(())
        });
        commit(&db, &shared, vec![boom, fine]);
        // The panicking write's answer channel is gone with it.
        assert!(boom_answer.recv().is_err());
        assert!(fine_answer.recv()?.is_ok());
        let state = shared.read();
        assert!(state.get(&gr, "default", "boom").is_none());
        assert_eq!(state.revision(), 1);
        Ok(())
    }
}
