//! The background task that deletes for good the projects whose restore
//! window has ended.
//!
//! Its state is the namespaces' own annotations, so it survives restarts
//! (the first pass runs at start-up), and every replica may run it: each
//! deletion is guarded by the namespace's `resourceVersion`
//! ([`ProjectService::purge_expired`]), so two replicas never both act on
//! the same version, and an already-deleting or gone namespace is skipped.

use std::time::Duration;

use super::projects::ProjectService;

/// Runs until `stop` changes: one pass now, then one every `every`.
pub async fn run(
    projects: ProjectService,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<()>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        match projects.purge_expired(jiff::Timestamp::now()).await {
            Ok(purged) if !purged.is_empty() => {
                tracing::info!(count = purged.len(), projects = ?purged, "expired projects deleted");
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(error = %err, "purging expired projects failed; retrying on the next pass")
            }
        }
    }
}
