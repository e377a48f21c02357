//! batch/v1 Jobs: Kubernetes' defaults and validation for them, the Pods the
//! job controller makes for them, what happens to those Pods when a Job is
//! deleted, and the controller itself ([`controller`], built on the pure
//! [`sync`] and [`indexes`]).

pub mod controller;
pub mod indexes;
pub mod sync;

use serde_json::{Map, Value, json};

use crate::meta;
use crate::pods;
use crate::resource::GroupResource;
use crate::status::{FieldError, FieldErrorKind};
use crate::store::WriteTx;

pub const INDEX_KEY: &str = "batch.kubernetes.io/job-completion-index";
pub const INDEX_FAILURES_KEY: &str = "batch.kubernetes.io/job-index-failure-count";
const CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";
const JOB_NAME: &str = "batch.kubernetes.io/job-name";
/// Kubernetes' default `backoffLimit` when `backoffLimitPerIndex` is set (MaxInt32).
const MAX_INT32: i64 = 2_147_483_647;

pub fn jobs() -> GroupResource {
    GroupResource::new("batch", "jobs")
}

pub fn pods() -> GroupResource {
    GroupResource::core("pods")
}

/// The completion index of a Job's Pod (label, else annotation).
pub fn pod_index(pod: &Value) -> Option<u32> {
    meta::label(pod, INDEX_KEY)
        .or_else(|| {
            meta::metadata(pod)
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get(INDEX_KEY))
                .and_then(Value::as_str)
        })
        .and_then(|s| s.parse().ok())
}

/// The owner reference of the controller of `obj`, if any.
fn controller_ref(obj: &Value) -> Option<&Value> {
    meta::metadata(obj)
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

/// The uid of the controller owning `obj`, if any.
pub fn controller_uid(obj: &Value) -> Option<&str> {
    controller_ref(obj)?.get("uid").and_then(Value::as_str)
}

/// The name of the Job controlling `obj`, if a Job does.
pub fn controller_job(obj: &Value) -> Option<&str> {
    let r = controller_ref(obj)?;
    let is_job = r.get("kind").and_then(Value::as_str) == Some("Job")
        && r.get("apiVersion").and_then(Value::as_str) == Some("batch/v1");
    is_job
        .then(|| r.get("name").and_then(Value::as_str))
        .flatten()
}

fn insert_str(m: &mut Map<String, Value>, key: &str, value: &str) {
    m.insert(key.into(), value.into());
}

/// Defaults of a new Job (its uid is already set), as Kubernetes applies
/// them: counts, completion mode, the generated selector and template labels.
pub fn default_new_job(job: &mut Value) {
    let name = meta::name(job).to_string();
    let uid = meta::uid(job).to_string();
    meta::metadata_mut(job).insert("generation".into(), 1.into());
    let root = meta::ensure_object(job);
    root.insert("status".into(), json!({}));
    let spec = meta::ensure_object(root.entry("spec").or_insert_with(|| json!({})));
    if spec.get("completions").is_none() && spec.get("parallelism").is_none() {
        spec.insert("completions".into(), 1.into());
        spec.insert("parallelism".into(), 1.into());
    }
    spec.entry("parallelism").or_insert_with(|| 1.into());
    let per_index = spec
        .get("backoffLimitPerIndex")
        .is_some_and(|v| !v.is_null());
    spec.entry("backoffLimit")
        .or_insert_with(|| if per_index { MAX_INT32 } else { 6 }.into());
    spec.entry("completionMode")
        .or_insert_with(|| "NonIndexed".into());
    spec.entry("suspend").or_insert_with(|| false.into());
    spec.entry("podReplacementPolicy")
        .or_insert_with(|| "TerminatingOrFailed".into());
    let manual = spec.get("manualSelector").and_then(Value::as_bool) == Some(true);
    if !manual {
        spec.insert(
            "selector".into(),
            json!({"matchLabels": {CONTROLLER_UID: uid}}),
        );
    }
    let template = meta::ensure_object(spec.entry("template").or_insert_with(|| json!({})));
    let tmeta = meta::ensure_object(template.entry("metadata").or_insert_with(|| json!({})));
    if !manual {
        let labels = meta::ensure_object(tmeta.entry("labels").or_insert_with(|| json!({})));
        insert_str(labels, CONTROLLER_UID, &uid);
        insert_str(labels, JOB_NAME, &name);
        insert_str(labels, "controller-uid", &uid);
        insert_str(labels, "job-name", &name);
    }
    let pspec = template.entry("spec").or_insert_with(|| json!({}));
    pods::default_spec(pspec, "Always");
}

fn nonnegative(errs: &mut Vec<FieldError>, spec: &Value, key: &str) {
    if let Some(v) = spec.get(key).filter(|v| !v.is_null())
        && v.as_i64().is_none_or(|n| n < 0)
    {
        errs.push(FieldError::invalid_raw(
            format!("spec.{key}"),
            v.to_string(),
            "must be greater than or equal to 0",
        ));
    }
}

/// Validation of a Job (create, and update with `old`).
pub fn job_errors(job: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let spec = job.get("spec").unwrap_or(&Value::Null);
    let mut errs = Vec::new();
    for k in [
        "parallelism",
        "completions",
        "backoffLimit",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
        "ttlSecondsAfterFinished",
    ] {
        nonnegative(&mut errs, spec, k);
    }
    if let Some(v) = spec.get("activeDeadlineSeconds").filter(|v| !v.is_null())
        && v.as_i64().is_none_or(|n| n <= 0)
    {
        errs.push(FieldError::invalid_raw(
            "spec.activeDeadlineSeconds",
            v.to_string(),
            "must be greater than 0",
        ));
    }
    let mode = spec
        .get("completionMode")
        .and_then(Value::as_str)
        .unwrap_or("NonIndexed");
    if !matches!(mode, "NonIndexed" | "Indexed") {
        errs.push(FieldError {
            kind: FieldErrorKind::NotSupported,
            field: "spec.completionMode".into(),
            value: Some(format!("{mode:?}")),
            detail: "supported values: \"NonIndexed\", \"Indexed\"".into(),
        });
    }
    let indexed = mode == "Indexed";
    if indexed && spec.get("completions").is_none_or(Value::is_null) {
        errs.push(FieldError::required(
            "spec.completions",
            "when completion mode is Indexed",
        ));
    }
    if !indexed {
        for k in ["backoffLimitPerIndex", "maxFailedIndexes"] {
            if spec.get(k).is_some_and(|v| !v.is_null()) {
                errs.push(FieldError::forbidden(
                    format!("spec.{k}"),
                    "requires indexed completion mode",
                ));
            }
        }
    }
    if spec.get("maxFailedIndexes").is_some_and(|v| !v.is_null())
        && spec.get("backoffLimitPerIndex").is_none_or(Value::is_null)
    {
        errs.push(FieldError::required(
            "spec.backoffLimitPerIndex",
            "when maxFailedIndexes is specified",
        ));
    }
    errs.extend(pods::spec_errors(
        spec.pointer("/template/spec"),
        "spec.template.spec",
        &["OnFailure", "Never"],
    ));
    if let Some(old) = old {
        let ospec = old.get("spec").unwrap_or(&Value::Null);
        for k in [
            "template",
            "completionMode",
            "selector",
            "backoffLimitPerIndex",
        ] {
            if spec.get(k) != ospec.get(k) {
                errs.push(FieldError::invalid_raw(
                    format!("spec.{k}"),
                    spec.get(k).map_or_else(|| "null".into(), Value::to_string),
                    "field is immutable",
                ));
            }
        }
    }
    errs
}

/// The Pod the job controller creates for `job` (without name, uid and
/// timestamps: the caller generates those), as Kubernetes builds it.
pub fn pod_for(job: &Value, new: &sync::NewPod) -> Value {
    let name = meta::name(job);
    let template = job
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": template.get("metadata").cloned().unwrap_or_else(|| json!({})),
        "spec": template.get("spec").cloned().unwrap_or_else(|| json!({})),
    });
    let prefix = match new.index {
        Some(i) => format!("{name}-{i}-"),
        None => format!("{name}-"),
    };
    let per_index = job
        .pointer("/spec/backoffLimitPerIndex")
        .is_some_and(|v| !v.is_null());
    {
        let md = meta::metadata_mut(&mut pod);
        md.remove("name");
        md.remove("creationTimestamp");
        insert_str(md, "generateName", &prefix);
        insert_str(md, "namespace", meta::namespace(job));
        md.insert(
            "ownerReferences".into(),
            json!([{
                "apiVersion": "batch/v1",
                "kind": "Job",
                "name": name,
                "uid": meta::uid(job),
                "controller": true,
                "blockOwnerDeletion": true,
            }]),
        );
        if let Some(i) = new.index {
            let labels = meta::ensure_object(md.entry("labels").or_insert_with(|| json!({})));
            insert_str(labels, INDEX_KEY, &i.to_string());
            let ann = meta::ensure_object(md.entry("annotations").or_insert_with(|| json!({})));
            insert_str(ann, INDEX_KEY, &i.to_string());
            if per_index {
                insert_str(ann, INDEX_FAILURES_KEY, &new.index_failures.to_string());
            }
        }
    }
    if let Some(i) = new.index
        && let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut)
    {
        insert_str(spec, "hostname", &format!("{name}-{i}"));
        if let Some(cs) = spec.get_mut("containers").and_then(Value::as_array_mut) {
            for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                let env = c.entry("env").or_insert_with(|| json!([]));
                if let Some(env) = env.as_array_mut() {
                    env.push(json!({
                        "name": "JOB_COMPLETION_INDEX",
                        "valueFrom": {"fieldRef": {
                            "apiVersion": "v1",
                            "fieldPath": format!("metadata.labels['{INDEX_KEY}']"),
                        }},
                    }));
                }
            }
        }
    }
    pods::default_new_pod(&mut pod);
    pod
}

/// How the dependents of a deleted object are treated (`propagationPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    Orphan,
    Background,
    Foreground,
}

impl Propagation {
    /// From the query or `DeleteOptions`; Jobs default to `Orphan` as
    /// Kubernetes' batch/v1 does for compatibility (kubectl asks for
    /// `Background`).
    pub fn parse(s: Option<&str>, orphan_dependents: Option<bool>) -> Result<Self, String> {
        match (s, orphan_dependents) {
            (Some("Orphan"), _) => Ok(Self::Orphan),
            (Some("Background"), _) => Ok(Self::Background),
            (Some("Foreground"), _) => Ok(Self::Foreground),
            (Some(other), _) => Err(format!(
                "Unsupported value: {other:?}: supported values: \"Orphan\", \"Background\", \"Foreground\""
            )),
            (None, Some(false)) => Ok(Self::Background),
            (None, _) => Ok(Self::Orphan),
        }
    }
}

/// The garbage collector's work for a deleted owner, done in the same write:
/// its Pods are deleted, or (Orphan) lose their reference to it.
pub fn collect_dependents(tx: &mut WriteTx<'_>, ns: &str, owner_uid: &str, how: Propagation) {
    let gr = pods();
    let owned: Vec<Value> = tx
        .list(&gr, Some(ns))
        .into_iter()
        .filter(|p| {
            meta::metadata(&p.value)
                .and_then(|m| m.get("ownerReferences"))
                .and_then(Value::as_array)
                .is_some_and(|refs| {
                    refs.iter()
                        .any(|r| r.get("uid").and_then(Value::as_str) == Some(owner_uid))
                })
        })
        .map(|p| p.value.clone())
        .collect();
    for mut pod in owned {
        let name = meta::name(&pod).to_string();
        match how {
            Propagation::Orphan => {
                let md = meta::metadata_mut(&mut pod);
                if let Some(refs) = md.get_mut("ownerReferences").and_then(Value::as_array_mut) {
                    refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(owner_uid));
                    if refs.is_empty() {
                        md.remove("ownerReferences");
                    }
                }
                tx.put(&gr, pod);
            }
            Propagation::Background | Propagation::Foreground => {
                tx.delete(&gr, ns, &name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_pod_template_follow_kubernetes() {
        let mut job = json!({
            "metadata": {"name": "work", "namespace": "ns", "uid": "u1"},
            "spec": {"completionMode": "Indexed", "completions": 3, "backoffLimitPerIndex": 1,
                     "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "bb:1"}]}}},
        });
        default_new_job(&mut job);
        assert_eq!(job["spec"]["backoffLimit"], MAX_INT32);
        assert_eq!(job["spec"]["parallelism"], 1);
        assert_eq!(job["spec"]["selector"]["matchLabels"][CONTROLLER_UID], "u1");
        assert!(
            job_errors(&job, None).is_empty(),
            "{:?}",
            job_errors(&job, None)
        );
        let pod = pod_for(
            &job,
            &sync::NewPod {
                index: Some(2),
                index_failures: 1,
            },
        );
        assert_eq!(pod["metadata"]["generateName"], "work-2-");
        assert_eq!(pod["metadata"]["labels"]["job-name"], "work");
        assert_eq!(pod["metadata"]["labels"][INDEX_KEY], "2");
        assert_eq!(pod["metadata"]["annotations"][INDEX_FAILURES_KEY], "1");
        assert_eq!(pod["metadata"]["ownerReferences"][0]["controller"], true);
        assert_eq!(pod["spec"]["hostname"], "work-2");
        assert_eq!(
            pod["spec"]["containers"][0]["env"][0]["name"],
            "JOB_COMPLETION_INDEX"
        );
        assert_eq!(pod["status"]["phase"], "Pending");
        assert_eq!(pod_index(&pod), Some(2));
    }

    #[test]
    fn validation_speaks_like_kubernetes() {
        let job = json!({"spec": {"completionMode": "Indexed", "parallelism": -1,
            "template": {"spec": {"restartPolicy": "Always", "containers": [{"name": "c", "image": "x"}]}}}});
        let errs: Vec<String> = job_errors(&job, None)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            errs.contains(
                &"spec.parallelism: Invalid value: -1: must be greater than or equal to 0"
                    .to_string()
            ),
            "{errs:?}"
        );
        assert!(
            errs.contains(
                &"spec.completions: Required value: when completion mode is Indexed".to_string()
            ),
            "{errs:?}"
        );
        assert!(errs.contains(&"spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"".to_string()), "{errs:?}");
    }
}
