//! One pass of the job controller over one Job, as a pure function: from the
//! Job's spec, its last status and its Pods to the new status and the Pods to
//! create or delete. Kubernetes' rules (pkg/controller/job), for what Berth
//! covers:
//!
//! * NonIndexed: `completions` successes end the Job (without `completions`,
//!   the first success once nothing runs); at most `parallelism` Pods run.
//! * Indexed: one Pod per index `0..completions`; an index is done when one of
//!   its Pods succeeds (`completedIndexes`). With `backoffLimitPerIndex`, an
//!   index whose Pods failed more than that many times is failed
//!   (`failedIndexes`) and the others go on; the Job then fails with
//!   `FailedIndexes` (or `MaxFailedIndexesExceeded`).
//! * `backoffLimit` failures (restarts for `restartPolicy: OnFailure`) fail the
//!   Job with `BackoffLimitExceeded`; `activeDeadlineSeconds` after
//!   `startTime` with `DeadlineExceeded`. Failed Pods are replaced after
//!   Kubernetes' backoff: 10 s, doubling, at most 6 minutes.
//! * Ending: the interim condition (`SuccessCriteriaMet` or `FailureTarget`)
//!   is written with the final one (`Complete` or `Failed`), as 1.31+ does
//!   once no Pod is terminating (here deleted Pods are gone at once).

use std::time::Duration;

use serde_json::{Value, json};

use super::indexes::IndexSet;

/// Kubernetes' `DefaultJobPodFailureBackOff` and `MaxJobPodFailureBackOff`.
const BACKOFF_BASE: Duration = Duration::from_secs(10);
const BACKOFF_MAX: Duration = Duration::from_secs(360);

/// The parts of a Job's spec the controller acts on (after defaulting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSpec {
    pub completions: Option<u32>,
    pub parallelism: u32,
    pub indexed: bool,
    pub backoff_limit: u32,
    pub backoff_limit_per_index: Option<u32>,
    pub max_failed_indexes: Option<u32>,
    pub active_deadline_seconds: Option<u64>,
    pub suspend: bool,
    pub restart_on_failure: bool,
}

impl JobSpec {
    pub fn from_job(job: &Value) -> Self {
        let spec = job.get("spec").unwrap_or(&Value::Null);
        let u = |k: &str| {
            spec.get(k)
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
        };
        Self {
            completions: u("completions"),
            parallelism: u("parallelism").unwrap_or(1),
            indexed: spec.get("completionMode").and_then(Value::as_str) == Some("Indexed"),
            backoff_limit: u("backoffLimit").unwrap_or(6),
            backoff_limit_per_index: u("backoffLimitPerIndex"),
            max_failed_indexes: u("maxFailedIndexes"),
            active_deadline_seconds: spec.get("activeDeadlineSeconds").and_then(Value::as_u64),
            suspend: spec.get("suspend").and_then(Value::as_bool) == Some(true),
            restart_on_failure: spec
                .pointer("/template/spec/restartPolicy")
                .and_then(Value::as_str)
                == Some("OnFailure"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Pending,
    Running,
    Succeeded,
    Failed,
}

/// A Pod of the Job, as far as the controller cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodInfo {
    pub name: String,
    pub index: Option<u32>,
    pub phase: Phase,
    pub ready: bool,
    pub restarts: u32,
    /// When it ended (seconds since the epoch), for failed Pods' backoff.
    pub finished_at: Option<i64>,
}

impl PodInfo {
    pub fn from_pod(pod: &Value) -> Self {
        let status = pod.get("status").unwrap_or(&Value::Null);
        let phase = match status.get("phase").and_then(Value::as_str) {
            Some("Running") => Phase::Running,
            Some("Succeeded") => Phase::Succeeded,
            Some("Failed") => Phase::Failed,
            _ => Phase::Pending,
        };
        let containers = status
            .get("containerStatuses")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let restarts = containers
            .iter()
            .filter_map(|c| c.get("restartCount").and_then(Value::as_u64))
            .sum::<u64>();
        let finished_at = containers
            .iter()
            .filter_map(|c| {
                c.pointer("/state/terminated/finishedAt")
                    .and_then(Value::as_str)
            })
            .filter_map(|t| t.parse::<jiff::Timestamp>().ok())
            .map(|t| t.as_second())
            .max();
        let ready = status
            .get("conditions")
            .and_then(Value::as_array)
            .is_some_and(|cs| {
                cs.iter().any(|c| {
                    c.get("type").and_then(Value::as_str) == Some("Ready")
                        && c.get("status").and_then(Value::as_str) == Some("True")
                })
            });
        let index = super::pod_index(pod);
        Self {
            name: crate::meta::name(pod).to_string(),
            index,
            phase,
            ready,
            restarts: u32::try_from(restarts).unwrap_or(u32::MAX),
            finished_at,
        }
    }

    fn active(&self) -> bool {
        matches!(self.phase, Phase::Pending | Phase::Running)
    }
}

/// A Pod to create: its completion index (Indexed Jobs) and how many Pods of
/// that index failed before (the `job-index-failure-count` annotation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPod {
    pub index: Option<u32>,
    pub index_failures: u32,
}

/// What one pass decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The whole new `status`.
    pub status: Value,
    pub create: Vec<NewPod>,
    pub delete: Vec<String>,
    /// Come back after this long even if nothing changes (deadline, backoff).
    pub requeue_after: Option<Duration>,
}

fn backoff(failures: u32) -> Duration {
    let shift = failures.saturating_sub(1).min(16);
    (BACKOFF_BASE * (1u32 << shift)).min(BACKOFF_MAX)
}

fn condition_true(status: &Value, ty: &str) -> bool {
    status
        .get("conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some(ty)
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
}

/// Whether the Job has ended (`Complete` or `Failed` is true).
pub fn finished(status: &Value) -> bool {
    condition_true(status, "Complete") || condition_true(status, "Failed")
}

fn condition(ty: &str, reason: &str, message: &str, now: &str) -> Value {
    json!({
        "type": ty,
        "status": "True",
        "lastProbeTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    })
}

fn epoch(t: &str) -> Option<i64> {
    t.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

fn fmt_time(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// One pass. `now` is seconds since the epoch.
pub fn sync(spec: &JobSpec, old: &Value, pods: &[PodInfo], now: i64) -> Decision {
    let now_s = fmt_time(now);
    let mut status = old.clone();
    if !status.is_object() {
        status = json!({});
    }
    let active_pods: Vec<&PodInfo> = pods.iter().filter(|p| p.active()).collect();
    if finished(old) {
        // Nothing runs after the end.
        return Decision {
            delete: active_pods.iter().map(|p| p.name.clone()).collect(),
            status,
            create: Vec::new(),
            requeue_after: None,
        };
    }
    let old_u = |k: &str| old.get(k).and_then(Value::as_u64).unwrap_or(0);
    let completions = spec.completions.unwrap_or(0);
    let mut requeue: Option<Duration> = None;
    let mut wake = |d: Duration| requeue = Some(requeue.map_or(d, |r| r.min(d)));

    let failed_pods: Vec<&PodInfo> = pods.iter().filter(|p| p.phase == Phase::Failed).collect();
    let failed = (failed_pods.len() as u64).max(old_u("failed"));
    let (succeeded, mut completed, mut failed_indexes) = if spec.indexed {
        let mut done = IndexSet::parse(
            old.get("completedIndexes")
                .and_then(Value::as_str)
                .unwrap_or(""),
            completions,
        );
        for p in pods.iter().filter(|p| p.phase == Phase::Succeeded) {
            if let Some(i) = p.index.filter(|i| *i < completions) {
                done.insert(i);
            }
        }
        let failed_idx = IndexSet::parse(
            old.get("failedIndexes")
                .and_then(Value::as_str)
                .unwrap_or(""),
            completions,
        );
        (done.len() as u64, done, failed_idx)
    } else {
        let n = pods.iter().filter(|p| p.phase == Phase::Succeeded).count() as u64;
        (
            n.max(old_u("succeeded")),
            IndexSet::default(),
            IndexSet::default(),
        )
    };

    // Failures per index, and when each index last failed.
    let index_failures = |i: u32| failed_pods.iter().filter(|p| p.index == Some(i)).count() as u32;
    let index_last_failure = |i: u32| {
        failed_pods
            .iter()
            .filter(|p| p.index == Some(i))
            .filter_map(|p| p.finished_at)
            .max()
    };
    if let Some(limit) = spec.backoff_limit_per_index.filter(|_| spec.indexed) {
        for i in 0..completions {
            if !completed.contains(i) && index_failures(i) > limit {
                failed_indexes.insert(i);
            }
        }
    }

    let start = old
        .get("startTime")
        .and_then(Value::as_str)
        .and_then(epoch)
        .unwrap_or(now);
    let mut failure: Option<(&str, &str)> = None;
    if let Some(deadline) = spec.active_deadline_seconds {
        let ends = start.saturating_add(i64::try_from(deadline).unwrap_or(i64::MAX));
        if now >= ends {
            failure = Some((
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
            ));
        } else {
            wake(Duration::from_secs(u64::try_from(ends - now).unwrap_or(1)));
        }
    }
    let restarts: u64 = active_pods.iter().map(|p| u64::from(p.restarts)).sum();
    let past_backoff = if spec.restart_on_failure {
        if spec.backoff_limit == 0 {
            restarts > 0
        } else {
            restarts >= u64::from(spec.backoff_limit)
        }
    } else {
        false
    } || (spec.backoff_limit_per_index.is_none()
        && failed > u64::from(spec.backoff_limit));
    if failure.is_none() && past_backoff {
        failure = Some((
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        ));
    }
    if failure.is_none()
        && let Some(max) = spec.max_failed_indexes
        && failed_indexes.len() > max as usize
    {
        failure = Some((
            "MaxFailedIndexesExceeded",
            "Job has exceeded the specified maximal number of failed indexes",
        ));
    }
    let all_indexes_settled =
        spec.indexed && completed.len() + failed_indexes.len() >= completions as usize;
    if failure.is_none() && !failed_indexes.is_empty() && all_indexes_settled {
        failure = Some(("FailedIndexes", "Job has failed indexes"));
    }
    let success = failure.is_none()
        && if spec.indexed {
            completed.len() >= completions as usize
        } else if let Some(c) = spec.completions {
            succeeded >= u64::from(c)
        } else {
            succeeded > 0 && active_pods.is_empty()
        };

    let mut create = Vec::new();
    let mut delete = Vec::new();
    let mut conditions: Vec<Value> = old
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut active = active_pods.len();
    if let Some((reason, message)) = failure {
        delete.extend(active_pods.iter().map(|p| p.name.clone()));
        active = 0;
        conditions.push(condition("FailureTarget", reason, message, &now_s));
        conditions.push(condition("Failed", reason, message, &now_s));
    } else if success {
        delete.extend(active_pods.iter().map(|p| p.name.clone()));
        active = 0;
        let message = "Reached expected number of succeeded pods";
        conditions.push(condition(
            "SuccessCriteriaMet",
            "CompletionsReached",
            message,
            &now_s,
        ));
        conditions.push(condition("Complete", "CompletionsReached", message, &now_s));
        status["completionTime"] = now_s.clone().into();
    } else if spec.suspend {
        delete.extend(active_pods.iter().map(|p| p.name.clone()));
        active = 0;
    } else if spec.indexed {
        let running: Vec<u32> = active_pods.iter().filter_map(|p| p.index).collect();
        let mut room = (spec.parallelism as usize).saturating_sub(active_pods.len());
        for i in 0..completions {
            if room == 0 {
                break;
            }
            if completed.contains(i) || failed_indexes.contains(i) || running.contains(&i) {
                continue;
            }
            let failures = index_failures(i);
            if failures > 0
                && let Some(last) = index_last_failure(i)
            {
                let ready_at = last + i64::try_from(backoff(failures).as_secs()).unwrap_or(0);
                if now < ready_at {
                    wake(Duration::from_secs(
                        u64::try_from(ready_at - now).unwrap_or(1),
                    ));
                    continue;
                }
            }
            create.push(NewPod {
                index: Some(i),
                index_failures: failures,
            });
            room -= 1;
        }
    } else {
        let want = match spec.completions {
            Some(c) => u64::from(spec.parallelism).min(u64::from(c).saturating_sub(succeeded)),
            None if succeeded > 0 => 0,
            None => u64::from(spec.parallelism),
        } as usize;
        if active_pods.len() > want {
            delete.extend(active_pods[want..].iter().map(|p| p.name.clone()));
            active = want;
        } else {
            let mut missing = want - active_pods.len();
            let failures = failed_pods.len() as u32;
            if missing > 0 && failures > 0 {
                let last = failed_pods.iter().filter_map(|p| p.finished_at).max();
                if let Some(last) = last {
                    let ready_at = last + i64::try_from(backoff(failures).as_secs()).unwrap_or(0);
                    if now < ready_at {
                        wake(Duration::from_secs(
                            u64::try_from(ready_at - now).unwrap_or(1),
                        ));
                        missing = 0;
                    }
                }
            }
            create.extend((0..missing).map(|_| NewPod {
                index: None,
                index_failures: 0,
            }));
        }
    }
    active += create.len();
    if !spec.indexed {
        completed = IndexSet::default();
    }

    let ready = active_pods.iter().filter(|p| p.ready).count();
    let obj = status.as_object_mut();
    if let Some(m) = obj {
        if !spec.suspend || m.contains_key("startTime") {
            m.insert("startTime".into(), fmt_time(start).into());
        }
        m.insert("active".into(), active.into());
        m.insert(
            "ready".into(),
            if failure.is_some() || success {
                0
            } else {
                ready
            }
            .into(),
        );
        m.insert("succeeded".into(), succeeded.into());
        m.insert("failed".into(), failed.into());
        m.insert("terminating".into(), 0.into());
        m.insert("uncountedTerminatedPods".into(), json!({}));
        if spec.indexed {
            let c = completed.render();
            if c.is_empty() {
                m.remove("completedIndexes");
            } else {
                m.insert("completedIndexes".into(), c.into());
            }
            if spec.backoff_limit_per_index.is_some() {
                m.insert("failedIndexes".into(), failed_indexes.render().into());
            }
        }
        if conditions.is_empty() {
            m.remove("conditions");
        } else {
            m.insert("conditions".into(), conditions.into());
        }
        // Zero counts are omitted, as Kubernetes' `omitempty` does.
        for k in ["active", "succeeded", "failed"] {
            if m.get(k).and_then(Value::as_u64) == Some(0) {
                m.remove(k);
            }
        }
    }
    Decision {
        status,
        create,
        delete,
        requeue_after: requeue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexed(completions: u32, parallelism: u32, per_index: Option<u32>) -> JobSpec {
        JobSpec {
            completions: Some(completions),
            parallelism,
            indexed: true,
            backoff_limit: if per_index.is_some() {
                i32::MAX as u32
            } else {
                6
            },
            backoff_limit_per_index: per_index,
            max_failed_indexes: None,
            active_deadline_seconds: None,
            suspend: false,
            restart_on_failure: false,
        }
    }

    fn pod(name: &str, index: Option<u32>, phase: Phase, finished_at: Option<i64>) -> PodInfo {
        PodInfo {
            name: name.into(),
            index,
            phase,
            ready: false,
            restarts: 0,
            finished_at,
        }
    }

    fn cond_types(status: &Value) -> Vec<String> {
        status["conditions"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .map(|c| {
                        format!(
                            "{}/{}",
                            c["type"].as_str().unwrap_or(""),
                            c["reason"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn indexed_job_starts_one_pod_per_index_up_to_parallelism() {
        let d = sync(&indexed(4, 2, None), &json!({}), &[], 1000);
        let idx: Vec<_> = d.create.iter().map(|p| p.index).collect();
        assert_eq!(idx, vec![Some(0), Some(1)]);
        assert_eq!(d.status["active"], 2);
        assert_eq!(d.status["startTime"], fmt_time(1000));
    }

    #[test]
    fn failing_index_is_retried_after_backoff_then_failed() {
        let spec = indexed(4, 4, Some(1));
        let mut pods = vec![
            pod("a", Some(0), Phase::Succeeded, Some(1001)),
            pod("b", Some(1), Phase::Succeeded, Some(1001)),
            pod("c", Some(2), Phase::Failed, Some(1001)),
            pod("d", Some(3), Phase::Succeeded, Some(1001)),
        ];
        let d = sync(&spec, &json!({"startTime": fmt_time(1000)}), &pods, 1002);
        assert!(d.create.is_empty(), "waits for the backoff");
        assert_eq!(d.requeue_after, Some(Duration::from_secs(9)));
        assert_eq!(d.status["completedIndexes"], "0,1,3");
        let d = sync(&spec, &d.status, &pods, 1011);
        assert_eq!(
            d.create,
            vec![NewPod {
                index: Some(2),
                index_failures: 1
            }]
        );
        pods.push(pod("e", Some(2), Phase::Failed, Some(1012)));
        let d = sync(&spec, &d.status, &pods, 1013);
        assert!(d.create.is_empty());
        assert_eq!(d.status["failedIndexes"], "2");
        assert_eq!(d.status["completedIndexes"], "0,1,3");
        assert_eq!(d.status["failed"], 2);
        assert_eq!(d.status["succeeded"], 3);
        assert_eq!(
            cond_types(&d.status),
            vec!["FailureTarget/FailedIndexes", "Failed/FailedIndexes"]
        );
        assert!(finished(&d.status));
    }

    #[test]
    fn completions_reached_completes() {
        let spec = JobSpec {
            indexed: false,
            backoff_limit: 6,
            backoff_limit_per_index: None,
            ..indexed(2, 1, None)
        };
        let pods = [pod("a", None, Phase::Succeeded, Some(5))];
        let d = sync(&spec, &json!({}), &pods, 10);
        assert_eq!(d.create.len(), 1);
        let pods = [pods[0].clone(), pod("b", None, Phase::Succeeded, Some(6))];
        let d = sync(&spec, &d.status, &pods, 11);
        assert!(d.create.is_empty());
        assert_eq!(
            cond_types(&d.status),
            vec![
                "SuccessCriteriaMet/CompletionsReached",
                "Complete/CompletionsReached"
            ]
        );
        assert_eq!(d.status["completionTime"], fmt_time(11));
        assert!(d.status.get("completedIndexes").is_none());
    }

    #[test]
    fn deadline_fails_and_deletes_running_pods() {
        let mut spec = indexed(1, 1, None);
        spec.active_deadline_seconds = Some(5);
        let pods = [pod("a", Some(0), Phase::Running, None)];
        let d = sync(&spec, &json!({"startTime": fmt_time(100)}), &pods, 103);
        assert_eq!(d.requeue_after, Some(Duration::from_secs(2)));
        assert!(d.delete.is_empty());
        let d = sync(&spec, &json!({"startTime": fmt_time(100)}), &pods, 105);
        assert_eq!(d.delete, vec!["a".to_string()]);
        assert_eq!(
            cond_types(&d.status),
            vec!["FailureTarget/DeadlineExceeded", "Failed/DeadlineExceeded"]
        );
        assert!(d.status.get("active").is_none());
    }

    #[test]
    fn backoff_limit_counts_failed_pods() {
        let spec = JobSpec {
            indexed: false,
            backoff_limit: 1,
            backoff_limit_per_index: None,
            ..indexed(1, 1, None)
        };
        let pods = [
            pod("a", None, Phase::Failed, Some(1)),
            pod("b", None, Phase::Failed, Some(20)),
        ];
        let d = sync(&spec, &json!({}), &pods, 30);
        assert_eq!(
            cond_types(&d.status),
            vec![
                "FailureTarget/BackoffLimitExceeded",
                "Failed/BackoffLimitExceeded"
            ]
        );
        let d2 = sync(&spec, &d.status, &pods, 31);
        assert_eq!(d2.status, d.status, "an ended Job stays as it is");
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(10));
        assert_eq!(backoff(2), Duration::from_secs(20));
        assert_eq!(backoff(10), Duration::from_secs(360));
    }
}
