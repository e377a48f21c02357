//! The job controller task: after every committed write (and when a deadline
//! or a backoff is due) it syncs each Job with [`super::sync::sync`] inside
//! one store write: creates and deletes its Pods, writes its status, and
//! deletes finished Jobs whose `ttlSecondsAfterFinished` has passed. All of
//! its state is in the store, so a restart picks up where it stopped.

use std::time::Duration;

use serde_json::Value;

use super::sync::{self, JobSpec, PodInfo};
use super::{Propagation, collect_dependents, controller_uid, jobs, pod_for, pods};
use crate::meta;
use crate::reconcile;
use crate::service_accounts;
use crate::status::ApiError;
use crate::store::{Store, WriteTx};

/// How long to sleep when nothing is due (a write wakes the task anyway).
const IDLE: Duration = Duration::from_secs(3600);

/// Starts the controller on the current tokio runtime; it stops with the store.
pub fn spawn(store: &Store) {
    reconcile::spawn(store, |store| async move {
        match pass(&store).await {
            Ok(due) => Some(due.unwrap_or(IDLE)),
            Err(e) => {
                tracing::warn!(error = %e, "job controller pass failed; retrying");
                Some(Duration::from_secs(1))
            }
        }
    });
}

async fn pass(store: &Store) -> Result<Option<Duration>, ApiError> {
    let names: Vec<(String, String)> = store
        .read()
        .range(&jobs(), None, None)
        .filter(|(_, j)| !meta::is_deleting(&j.value))
        .map(|(k, _)| k.clone())
        .collect();
    let mut due: Option<Duration> = None;
    for (ns, name) in names {
        if let Some(d) = store.write(move |tx| sync_one(tx, &ns, &name)).await? {
            due = Some(due.map_or(d, |x| x.min(d)));
        }
    }
    Ok(due)
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// When a finished Job ended: `completionTime`, or the `Failed` condition's time.
fn finished_at(status: &Value) -> Option<i64> {
    let t = status
        .get("completionTime")
        .and_then(Value::as_str)
        .or_else(|| {
            status
                .get("conditions")
                .and_then(Value::as_array)?
                .iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Failed"))
                .and_then(|c| c.get("lastTransitionTime"))
                .and_then(Value::as_str)
        })?;
    t.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

fn sync_one(tx: &mut WriteTx<'_>, ns: &str, name: &str) -> Result<Option<Duration>, ApiError> {
    let Some(job) = tx.get(&jobs(), ns, name) else {
        return Ok(None);
    };
    let now = now();
    let status = job.value.get("status").cloned().unwrap_or(Value::Null);
    let mut due = None;
    if sync::finished(&status)
        && let Some(ttl) = job
            .value
            .pointer("/spec/ttlSecondsAfterFinished")
            .and_then(Value::as_i64)
        && let Some(at) = finished_at(&status)
    {
        if now >= at + ttl {
            collect_dependents(tx, ns, meta::uid(&job.value), Propagation::Background);
            tx.delete(&jobs(), ns, name);
            return Ok(None);
        }
        due = Some(Duration::from_secs(
            u64::try_from(at + ttl - now).unwrap_or(1),
        ));
    }
    let uid = meta::uid(&job.value).to_string();
    let owned: Vec<PodInfo> = tx
        .list(&pods(), Some(ns))
        .into_iter()
        .filter(|p| controller_uid(&p.value) == Some(uid.as_str()))
        .filter(|p| !meta::is_deleting(&p.value))
        .map(|p| PodInfo::from_pod(&p.value))
        .collect();
    let spec = JobSpec::from_job(&job.value);
    let d = sync::sync(&spec, &status, &owned, now);
    for pod in &d.delete {
        tx.delete(&pods(), ns, pod);
    }
    for new in &d.create {
        let mut pod = pod_for(&job.value, new);
        let prefix = meta::meta_str(&pod, "generateName").to_string();
        let mut pod_name = meta::generate_name(&prefix, 63);
        while tx.get(&pods(), ns, &pod_name).is_some() {
            pod_name = meta::generate_name(&prefix, 63);
        }
        let md = meta::metadata_mut(&mut pod);
        md.insert("name".into(), pod_name.into());
        md.insert("uid".into(), uuid::Uuid::new_v4().to_string().into());
        md.insert("creationTimestamp".into(), meta::now_rfc3339().into());
        service_accounts::admit_pod(tx, &mut pod);
        tx.put(&pods(), pod);
    }
    if d.status != status {
        let mut v = job.value.clone();
        meta::ensure_object(&mut v).insert("status".into(), d.status);
        tx.put(&jobs(), v);
    }
    Ok(match (due, d.requeue_after) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}
