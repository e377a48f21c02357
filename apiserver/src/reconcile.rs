//! The loop every controller of the embedded server runs: a pass now and
//! after every committed write (or sooner, when the pass asks to be woken
//! after a delay), until the store is dropped.

use std::future::Future;
use std::time::Duration;

use super::store::Store;

/// Spawns `pass` on the current tokio runtime. The pass gets the store for
/// its duration only (the task holds a weak handle in between) and returns
/// when it wants to run again without a write: `None` waits for a write.
pub(crate) fn spawn<F, Fut>(store: &Store, mut pass: F)
where
    F: FnMut(Store) -> Fut + Send + 'static,
    Fut: Future<Output = Option<Duration>> + Send,
{
    let weak = store.downgrade();
    let mut rx = store.subscribe();
    tokio::spawn(async move {
        loop {
            rx.borrow_and_update();
            let due = {
                let Some(store) = weak.upgrade() else { break };
                pass(store).await
            };
            let changed = match due {
                Some(due) => tokio::select! {
                    r = rx.changed() => r,
                    () = tokio::time::sleep(due) => Ok(()),
                },
                None => rx.changed().await,
            };
            if changed.is_err() {
                break;
            }
        }
    });
}
