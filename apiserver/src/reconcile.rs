//! The loop every controller of the embedded server runs: a pass now and
//! after every committed write (or sooner, when the pass asks to be woken
//! after a delay), until the store is dropped. Each pass learns which
//! changes it has not seen, so that it looks at what changed rather than at
//! every object: a scan of every namespace after every write made writes
//! cost O(objects) once there were thousands of projects.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::store::{Event, Store, WeakStore};

/// What changed since a controller's previous pass.
pub(crate) enum Changed {
    /// Anything may have: the first pass, or the changes since the previous
    /// one have left the watch history. Look at every object.
    Everything,
    /// These changes, in order (possibly none: a wake-up after a delay).
    Events(Vec<Arc<Event>>),
}

/// A controller's wake-ups. The task holds a weak handle between passes, so
/// it does not keep the store alive.
pub(crate) struct Wakes {
    weak: WeakStore,
    rx: watch::Receiver<u64>,
    /// The revision the previous pass started at (None: no pass yet).
    seen: Option<u64>,
}

impl Wakes {
    pub(crate) fn new(store: &Store) -> Self {
        Self {
            weak: store.downgrade(),
            rx: store.subscribe(),
            seen: None,
        }
    }

    /// Returns at once the first time, then after the next committed write
    /// or after `due`, whichever comes first: the store for the pass and what
    /// changed since the previous one. `None` once the store is gone.
    pub(crate) async fn next(&mut self, due: Option<Duration>) -> Option<(Store, Changed)> {
        if self.seen.is_some() {
            let changed = match due {
                Some(due) => tokio::select! {
                    r = self.rx.changed() => r,
                    () = tokio::time::sleep(due) => Ok(()),
                },
                None => self.rx.changed().await,
            };
            changed.ok()?;
        }
        // Marked seen before the state is read: a write committed after this
        // point wakes the next pass, and none is missed.
        self.rx.borrow_and_update();
        let store = self.weak.upgrade()?;
        let changed = {
            let state = store.read();
            let changed = match self.seen {
                Some(seen) => state
                    .events_after(seen)
                    .map_or(Changed::Everything, Changed::Events),
                None => Changed::Everything,
            };
            self.seen = Some(state.revision());
            changed
        };
        Some((store, changed))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::GroupResource;
    use crate::schema::Schemas;

    async fn put(store: &Store, name: &'static str) -> Result<(), Box<dyn std::error::Error>> {
        store
            .write(move |tx| {
                let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": name, "namespace": "a"}});
                tx.put(&GroupResource::core("configmaps"), cm);
                Ok(())
            })
            .await?;
        Ok(())
    }

    fn names(changed: &Changed) -> Option<Vec<String>> {
        match changed {
            Changed::Everything => None,
            Changed::Events(events) => Some(
                events
                    .iter()
                    .map(|e| crate::meta::name(&e.object.value).to_string())
                    .collect(),
            ),
        }
    }

    #[tokio::test]
    async fn a_pass_is_given_the_changes_it_has_not_seen() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("c.redb"), Schemas::default())?;
        let mut wakes = Wakes::new(&store);
        let (_, first) = wakes.next(None).await.ok_or("store gone")?;
        assert!(
            names(&first).is_none(),
            "the first pass looks at everything"
        );
        put(&store, "one").await?;
        put(&store, "two").await?;
        let (_, changed) = wakes.next(None).await.ok_or("store gone")?;
        assert_eq!(names(&changed), Some(vec!["one".into(), "two".into()]));
        // A wake-up after a delay, with no write: nothing new.
        let due = Some(Duration::from_millis(1));
        let (_, changed) = wakes.next(due).await.ok_or("store gone")?;
        assert_eq!(names(&changed), Some(vec![]));
        // Changes that left the history: look at everything again.
        put(&store, "three").await?;
        put(&store, "four").await?;
        store.set_history_budget(0);
        let (_, changed) = wakes.next(None).await.ok_or("store gone")?;
        assert!(names(&changed).is_none());
        drop(store);
        assert!(wakes.next(None).await.is_none(), "the store is gone");
        Ok(())
    }
}
