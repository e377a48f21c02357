//! The job controller task: after every committed write (and when a deadline
//! or a backoff is due) it syncs each Job that the write touched (the Job or
//! one of its Pods) with [`super::sync::sync`] inside
//! one store write: creates and deletes its Pods, writes its status, and
//! deletes finished Jobs whose `ttlSecondsAfterFinished` has passed. All of
//! its state is in the store, so a restart picks up where it stopped.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::sync::{self, JobSpec, PodInfo};
use super::{Propagation, collect_dependents, controller_job, controller_uid, jobs, pod_for, pods};
use crate::meta;
use crate::reconcile::{Changed, Wakes};
use crate::service_accounts;
use crate::status::ApiError;
use crate::store::{Store, WriteTx};

/// How long a Job whose sync failed waits before it is tried again.
const RETRY: Duration = Duration::from_secs(1);

type JobKey = (String, String);

/// Starts the controller on the current tokio runtime; it stops with the store.
pub fn spawn(store: &Store) {
    let mut wakes = Wakes::new(store);
    tokio::spawn(async move {
        // When each Job wants to be synced again without a change (a
        // deadline, a backoff, its time to live).
        let mut due: BTreeMap<JobKey, Instant> = BTreeMap::new();
        let mut wait = None;
        while let Some((store, changed)) = wakes.next(wait).await {
            let now = Instant::now();
            let mut keys = touched(&store, &changed);
            keys.extend(
                due.iter()
                    .filter(|(_, at)| **at <= now)
                    .map(|(k, _)| k.clone()),
            );
            for key in keys {
                let (ns, name) = key.clone();
                match store.write(move |tx| sync_one(tx, &ns, &name)).await {
                    Ok(Some(d)) => due.insert(key, Instant::now() + d),
                    Ok(None) => due.remove(&key),
                    Err(e) => {
                        tracing::warn!(error = %e, "job controller pass failed; retrying");
                        due.insert(key, Instant::now() + RETRY)
                    }
                };
            }
            let now = Instant::now();
            wait = due
                .values()
                .min()
                .map(|at| at.saturating_duration_since(now));
        }
    });
}

/// The Jobs a change may concern: changed Jobs and the owners of changed Pods.
fn touched(store: &Store, changed: &Changed) -> BTreeSet<JobKey> {
    match changed {
        Changed::Everything => store
            .read()
            .range(&jobs(), None, None)
            .map(|(k, _)| k.clone())
            .collect(),
        Changed::Events(events) => {
            let (jobs, pods) = (jobs(), pods());
            events
                .iter()
                .filter_map(|e| {
                    let o = &e.object.value;
                    let name = if e.gr == jobs {
                        meta::name(o)
                    } else if e.gr == pods {
                        controller_job(o)?
                    } else {
                        return None;
                    };
                    Some((meta::namespace(o).to_string(), name.to_string()))
                })
                .collect()
        }
    }
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

/// Syncs one Job (not one being deleted); returns when it wants to be synced again.
fn sync_one(tx: &mut WriteTx<'_>, ns: &str, name: &str) -> Result<Option<Duration>, ApiError> {
    let Some(job) = tx
        .get(&jobs(), ns, name)
        .filter(|j| !meta::is_deleting(&j.value))
    else {
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
