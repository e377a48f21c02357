//! A run's state in people's terms, from its Job and its Pods alone (the
//! same objects on a cluster and on the embedded server): waiting, running,
//! succeeded or failed, per run and per index, with plain reasons.

use std::collections::BTreeMap;

use berth_shared::Message;
use berth_shared::job_run::{JobRun, JobRunSummary, RunCounts, RunIndex, RunState, reason_fields};
use berth_shared::job_templates::Indices;
use berth_shared::message;
use berth_shared::{EnvVar, ResourceSize};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ContainerStateTerminated, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::super::job_render::ARRAY_INDICES_ENV;
use crate::storage::{labels, stamps};

/// Label and annotation Kubernetes puts on an indexed Job's Pods.
const COMPLETION_INDEX: &str = "batch.kubernetes.io/job-completion-index";
/// Label Kubernetes puts on a Job's Pods.
const JOB_NAME: &str = "batch.kubernetes.io/job-name";

pub const REASON_DEADLINE: &str = "Stopped after the maximum execution time.";
/// The code of [`REASON_DEADLINE`].
const CODE_DEADLINE: &str = "job_run.reason.deadline";
pub const REASON_PULL_CREDENTIAL: &str =
    "The image could not be pulled: the registry refused the credential.";

fn time(t: Option<&Time>) -> Option<String> {
    t.map(|t| t.0.to_string())
}

/// The array indices a run runs, in instance order (instance `k` runs the
/// `k`-th); `[0]` for a single run.
pub fn run_indices(job: &Job) -> Vec<u32> {
    let text = job
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(labels::RUN_INDICES))
        .map_or("", String::as_str);
    let list = parse_index_set(text);
    if list.is_empty() { vec![0] } else { list }
}

/// Kubernetes' compressed index sets (`0-2,5`), which may be longer than
/// a person's indices are allowed to be.
pub fn parse_index_set(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        if let (Ok(a), Ok(b)) = (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
            out.extend(a..=b.min(a.saturating_add(100_000)));
        }
    }
    out
}

fn condition<'a>(job: &'a Job, ty: &str) -> Option<&'a k8s_openapi::api::batch::v1::JobCondition> {
    job.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == ty && c.status == "True")
}

/// The run's whole-Job state and why it failed.
fn job_state(job: &Job) -> (Option<RunState>, Option<Message>, Option<String>) {
    if let Some(c) = condition(job, "Complete") {
        return (
            Some(RunState::Succeeded),
            None,
            time(c.last_transition_time.as_ref()),
        );
    }
    if let Some(c) = condition(job, "Failed") {
        let reason = match c.reason.as_deref() {
            Some("DeadlineExceeded") => message!(CODE_DEADLINE),
            Some("FailedIndexes" | "MaxFailedIndexesExceeded") => {
                message!("job_run.reason.indices_failed")
            }
            _ => message!("job_run.reason.failed"),
        };
        return (
            Some(RunState::Failed),
            Some(reason),
            time(c.last_transition_time.as_ref()),
        );
    }
    (None, None, None)
}

/// Completion indices (`0..instances`) succeeded and failed, per the Job.
fn finished_indices(job: &Job, instances: usize) -> (Vec<usize>, Vec<usize>) {
    let status = job.status.as_ref();
    let indexed = job.spec.as_ref().and_then(|s| s.completion_mode.as_deref()) == Some("Indexed");
    if !indexed {
        let ok = status.and_then(|s| s.succeeded).unwrap_or(0) > 0;
        let failed = condition(job, "Failed").is_some();
        return (
            if ok { vec![0] } else { vec![] },
            if failed && !ok { vec![0] } else { vec![] },
        );
    }
    let set = |text: Option<&String>| -> Vec<usize> {
        parse_index_set(text.map_or("", String::as_str))
            .into_iter()
            .map(|i| i as usize)
            .filter(|i| *i < instances)
            .collect()
    };
    (
        set(status.and_then(|s| s.completed_indexes.as_ref())),
        set(status.and_then(|s| s.failed_indexes.as_ref())),
    )
}

/// The list item of a run, from the Job alone (cheap: lists are served
/// from the cache for every run of a project).
pub fn summary(job: &Job) -> JobRunSummary {
    let meta = &job.metadata;
    let label = |k: &str| meta.labels.as_ref().and_then(|l| l.get(k)).cloned();
    let annotation = |k: &str| meta.annotations.as_ref().and_then(|a| a.get(k)).cloned();
    let indices = run_indices(job);
    let instances = indices.len();
    let (succeeded, failed) = finished_indices(job, instances);
    let (state, reason, finished_at) = job_state(job);
    let status = job.status.as_ref();
    let active = status.and_then(|s| s.active).unwrap_or(0).max(0) as u32;
    let ready = status.and_then(|s| s.ready).unwrap_or(0).max(0) as u32;
    let done = (succeeded.len() + failed.len()) as u32;
    let total = instances as u32;
    let running = ready.min(total.saturating_sub(done));
    let mut counts = RunCounts {
        waiting: total.saturating_sub(done + running),
        running,
        succeeded: succeeded.len() as u32,
        failed: failed.len() as u32,
    };
    // A run stopped at its deadline: whatever had not succeeded failed.
    if state == Some(RunState::Failed) {
        counts.failed += counts.waiting + counts.running;
        counts.waiting = 0;
        counts.running = 0;
    }
    let state = state.unwrap_or(if active > 0 && ready > 0 || done > 0 {
        RunState::Running
    } else {
        RunState::Waiting
    });
    let (reason, reason_code, reason_params) = reason_fields(reason);
    JobRunSummary {
        name: meta.name.clone().unwrap_or_default(),
        template: label(labels::JOB_TEMPLATE).unwrap_or_default(),
        state,
        counts,
        indices: annotation(labels::RUN_INDICES).unwrap_or_default(),
        instances: total,
        stamps: stamps::of(meta),
        started_at: time(status.and_then(|s| s.start_time.as_ref())),
        finished_at: finished_at.or_else(|| time(status.and_then(|s| s.completion_time.as_ref()))),
        reason,
        reason_code,
        reason_params,
        rerun_of: annotation(labels::RERUN_OF),
    }
}

/// Whether `pod` belongs to the run `job`.
pub fn belongs(pod: &Pod, job: &Job) -> bool {
    let name = job.metadata.name.as_deref();
    pod.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(JOB_NAME).or_else(|| l.get("job-name")))
        .map(String::as_str)
        == name
        && name.is_some()
}

/// The completion index of a run's Pod (0 for a non-indexed run).
pub fn completion_index(pod: &Pod) -> usize {
    let meta = &pod.metadata;
    meta.labels
        .as_ref()
        .and_then(|l| l.get(COMPLETION_INDEX))
        .or_else(|| {
            meta.annotations
                .as_ref()
                .and_then(|a| a.get(COMPLETION_INDEX))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The Pods of one completion index, oldest (attempt 1) first.
pub fn attempts<'a>(pods: &[&'a Pod], index: usize) -> Vec<&'a Pod> {
    let mut mine: Vec<&Pod> = pods
        .iter()
        .copied()
        .filter(|p| completion_index(p) == index)
        .collect();
    mine.sort_by(|a, b| {
        let key = |p: &Pod| {
            (
                p.metadata.creation_timestamp.as_ref().map(|t| t.0),
                p.metadata.name.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    mine
}

fn terminated(pod: &Pod) -> Option<&ContainerStateTerminated> {
    pod.status
        .as_ref()?
        .container_statuses
        .as_ref()?
        .first()?
        .state
        .as_ref()?
        .terminated
        .as_ref()
}

/// Why a Pod waits, in plain words, when the reason is worth telling.
fn waiting_reason(pod: &Pod) -> Option<Message> {
    let waiting = pod
        .status
        .as_ref()?
        .container_statuses
        .as_ref()?
        .first()?
        .state
        .as_ref()?
        .waiting
        .as_ref()?;
    let message = waiting
        .message
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    match waiting.reason.as_deref()? {
        "ErrImagePull" | "ImagePullBackOff" => Some(pull_reason(&message)),
        "CreateContainerConfigError" => Some(message!("job_run.reason.settings_pending")),
        "InvalidImageName" => Some(message!("job_run.reason.image_invalid")),
        _ => None,
    }
}

/// A pull failure in plain words; the engine's own message is not shown
/// (it is long, technical, and names internal addresses).
pub fn pull_reason(message: &str) -> Message {
    let refused = [
        "unauthorized",
        "authentication required",
        "401",
        "denied",
        "forbidden",
    ];
    let missing = ["manifest unknown", "not found", "404", "name unknown"];
    let unreachable = [
        "connection refused",
        "no such host",
        "timeout",
        "dial tcp",
        "i/o timeout",
    ];
    let code = if refused.iter().any(|w| message.contains(w)) {
        "job_run.reason.pull.refused"
    } else if missing.iter().any(|w| message.contains(w)) {
        "job_run.reason.pull.missing"
    } else if unreachable.iter().any(|w| message.contains(w)) {
        "job_run.reason.pull.unreachable"
    } else {
        "job_run.reason.pull.failed"
    };
    Message::new(code)
}

fn exit_reason(t: &ContainerStateTerminated) -> Message {
    match (t.exit_code, t.reason.as_deref()) {
        (_, Some("OOMKilled")) => message!("job_run.reason.out_of_memory"),
        (0, _) => message!("job_run.reason.finished"),
        (code, _) => message!("job_run.reason.exit_code").with("code", code),
    }
}

/// One index's state from its attempts and what the Job says of it.
fn index_view(
    index: u32,
    pods: &[&Pod],
    job_says: Option<RunState>,
    run_failed: Option<&Message>,
) -> RunIndex {
    let latest = pods.last();
    let last_ended = pods.iter().rev().find_map(|p| terminated(p));
    let phase = latest
        .and_then(|p| p.status.as_ref())
        .and_then(|s| s.phase.as_deref());
    let mut state = match (job_says, phase) {
        (Some(s), _) => s,
        (None, Some("Running")) => RunState::Running,
        (None, Some("Succeeded")) => RunState::Succeeded,
        // A failed attempt with retries left, or nothing started yet.
        _ => RunState::Waiting,
    };
    let mut reason = match state {
        RunState::Failed => last_ended.map(exit_reason),
        RunState::Waiting => latest.and_then(|p| waiting_reason(p)).or_else(|| {
            last_ended.filter(|t| t.exit_code != 0).map(|t| {
                message!("job_run.reason.retrying")
                    .with("attempt", pods.len())
                    .with("code", t.exit_code)
            })
        }),
        _ => None,
    };
    // The whole run stopped (its deadline): an index that had not
    // succeeded failed with it.
    if let Some(why) = run_failed
        && !matches!(state, RunState::Succeeded | RunState::Failed)
    {
        state = RunState::Failed;
        reason = Some(why.clone());
    }
    let started = latest.and_then(|p| {
        terminated(p)
            .and_then(|t| t.started_at.as_ref())
            .or(p.status.as_ref().and_then(|s| s.start_time.as_ref()))
    });
    let (reason, reason_code, reason_params) = reason_fields(reason);
    RunIndex {
        index,
        state,
        attempts: pods.len() as u32,
        started_at: time(started),
        finished_at: latest
            .and_then(|p| terminated(p))
            .and_then(|t| time(t.finished_at.as_ref())),
        exit_code: last_ended.map(|t| t.exit_code),
        reason,
        reason_code,
        reason_params,
    }
}

/// The whole run: its Job, with its Pods for each index.
pub fn detail(job: &Job, pods: &[&Pod]) -> JobRun {
    let mut summary = summary(job);
    let indices = run_indices(job);
    let (succeeded, failed) = finished_indices(job, indices.len());
    let deadline = message!(CODE_DEADLINE);
    let run_failed = (summary.state == RunState::Failed
        && summary.reason_code.as_deref() == Some(CODE_DEADLINE))
    .then_some(&deadline);
    let indexes: Vec<RunIndex> = indices
        .iter()
        .enumerate()
        .map(|(k, &index)| {
            let job_says = if succeeded.contains(&k) {
                Some(RunState::Succeeded)
            } else if failed.contains(&k) {
                Some(RunState::Failed)
            } else {
                None
            };
            index_view(index, &attempts(pods, k), job_says, run_failed)
        })
        .collect();
    // The detail knows each index, so its counts are exact.
    let mut counts = RunCounts::default();
    for i in &indexes {
        match i.state {
            RunState::Waiting => counts.waiting += 1,
            RunState::Running => counts.running += 1,
            RunState::Succeeded => counts.succeeded += 1,
            RunState::Failed => counts.failed += 1,
        }
    }
    summary.counts = counts;
    if !summary.state.is_finished() {
        summary.state = if counts.running > 0 || counts.succeeded + counts.failed > 0 {
            RunState::Running
        } else {
            RunState::Waiting
        };
    }
    let pod = job.spec.as_ref().and_then(|s| s.template.spec.as_ref());
    let container = pod.and_then(|p| p.containers.first());
    let env = container
        .and_then(|c| c.env.as_ref())
        .map(|env| {
            env.iter()
                .filter(|v| v.name != ARRAY_INDICES_ENV)
                .map(|v| EnvVar {
                    name: v.name.clone(),
                    // A sensitive value is a reference; it is never read.
                    value: v.value.clone().unwrap_or_default(),
                    sensitive: v.value_from.is_some(),
                })
                .collect()
        })
        .unwrap_or_default();
    let spec = job.spec.as_ref();
    let limits: BTreeMap<String, String> = container
        .and_then(|c| c.resources.as_ref())
        .and_then(|r| r.limits.as_ref())
        .map(|l| l.iter().map(|(k, v)| (k.clone(), v.0.clone())).collect())
        .unwrap_or_default();
    let size = ResourceSize::ALL
        .into_iter()
        .find(|s| {
            limits.get("cpu").map(String::as_str) == Some(s.cpu())
                && limits.get("memory").map(String::as_str) == Some(s.memory())
        })
        .unwrap_or_default();
    let retry_limit = spec
        .and_then(|s| s.backoff_limit_per_index.or(s.backoff_limit))
        .unwrap_or(0)
        .max(0) as u32;
    JobRun {
        summary,
        image: container.and_then(|c| c.image.clone()).unwrap_or_default(),
        command: container
            .and_then(|c| c.command.clone())
            .unwrap_or_default(),
        args: container.and_then(|c| c.args.clone()).unwrap_or_default(),
        env,
        size,
        retry_limit,
        max_execution_seconds: spec
            .and_then(|s| s.active_deadline_seconds)
            .unwrap_or(0)
            .max(0) as u32,
        indexes,
    }
}

/// Normalised indices text of some array indices.
pub fn indices_text(list: &[u32]) -> String {
    Indices::from_list(list).normalized()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_errors_read_plainly() {
        assert_eq!(
            pull_reason(
                "initializing source: reading manifest: unauthorized: authentication required"
            )
            .english(),
            REASON_PULL_CREDENTIAL
        );
        assert!(
            pull_reason("manifest unknown")
                .english()
                .contains("no such image")
        );
        assert!(
            pull_reason("dial tcp 127.0.0.1:1: connection refused")
                .english()
                .contains("reached")
        );
        assert_eq!(message!(CODE_DEADLINE).english(), REASON_DEADLINE);
    }

    #[test]
    fn index_sets_parse_beyond_the_form_limit() {
        assert_eq!(parse_index_set("0-2,5"), [0, 1, 2, 5]);
        assert_eq!(parse_index_set(""), Vec::<u32>::new());
    }
}
