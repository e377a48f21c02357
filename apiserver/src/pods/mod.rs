//! Pods: the defaults and validation Kubernetes applies to the fields Berth
//! and kubectl use, and their logs ([`logs`]). Running them is the
//! [`crate::runner`]'s job.

pub mod logs;

use serde_json::{Value, json};

use crate::status::{FieldError, FieldErrorKind};

/// The message of a Pod that cannot be scheduled because nothing can run it.
pub const NO_ENGINE_MESSAGE: &str =
    "No container engine on this machine: install podman or docker, or point Berth at a cluster";

/// Fields of a Pod the runner and the job controller read, by path.
pub fn container(pod: &Value) -> Option<&Value> {
    pod.pointer("/spec/containers/0")
}

/// `imagePullPolicy`'s default: `Always` for `:latest` or no tag, else `IfNotPresent`.
fn default_pull_policy(image: &str) -> &'static str {
    let last = image.rsplit('/').next().unwrap_or(image);
    if image.contains('@') {
        return "IfNotPresent";
    }
    match last.rsplit_once(':') {
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

/// Kubernetes' defaults for a PodSpec (also used inside a Job's template).
pub fn default_spec(spec: &mut Value, restart_default: &str) {
    let Some(s) = spec.as_object_mut() else {
        return;
    };
    s.entry("restartPolicy")
        .or_insert_with(|| restart_default.into());
    s.entry("terminationGracePeriodSeconds")
        .or_insert_with(|| 30.into());
    s.entry("dnsPolicy")
        .or_insert_with(|| "ClusterFirst".into());
    s.entry("schedulerName")
        .or_insert_with(|| "default-scheduler".into());
    s.entry("securityContext").or_insert_with(|| json!({}));
    if let Some(cs) = s.get_mut("containers").and_then(Value::as_array_mut) {
        for c in cs.iter_mut().filter_map(Value::as_object_mut) {
            let image = c
                .get("image")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            c.entry("imagePullPolicy")
                .or_insert_with(|| default_pull_policy(&image).into());
            c.entry("terminationMessagePath")
                .or_insert_with(|| "/dev/termination-log".into());
            c.entry("terminationMessagePolicy")
                .or_insert_with(|| "File".into());
            c.entry("resources").or_insert_with(|| json!({}));
        }
    }
}

/// Defaults of a new Pod, and the status Kubernetes gives it at creation.
pub fn default_new_pod(pod: &mut Value) {
    if let Some(spec) = pod.get_mut("spec") {
        default_spec(spec, "Always");
    }
    let qos = qos_class(pod);
    if let Some(m) = pod.as_object_mut() {
        m.insert(
            "status".into(),
            json!({"phase": "Pending", "qosClass": qos}),
        );
    }
}

fn qos_class(pod: &Value) -> &'static str {
    let c = pod.pointer("/spec/containers/0/resources");
    let has = |k: &str| {
        c.and_then(|r| r.get(k))
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
    };
    if has("limits") || has("requests") {
        "Burstable"
    } else {
        "BestEffort"
    }
}

fn not_supported(field: String, value: &str, supported: &[&str]) -> FieldError {
    let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
    FieldError {
        kind: FieldErrorKind::NotSupported,
        field,
        value: Some(format!("{value:?}")),
        detail: format!("supported values: {}", list.join(", ")),
    }
}

/// Validation of a PodSpec at `path` (`spec` or `spec.template.spec`), for
/// the fields the embedded server acts on.
pub fn spec_errors(spec: Option<&Value>, path: &str, restart: &[&str]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(spec) = spec.filter(|s| s.is_object()) else {
        errs.push(FieldError::required(format!("{path}.containers"), ""));
        return errs;
    };
    let containers = spec.get("containers").and_then(Value::as_array);
    match containers {
        None => errs.push(FieldError::required(format!("{path}.containers"), "")),
        Some(cs) if cs.is_empty() => {
            errs.push(FieldError::required(format!("{path}.containers"), ""));
        }
        Some(cs) => {
            let mut names: Vec<&str> = Vec::new();
            for (i, c) in cs.iter().enumerate() {
                let at = format!("{path}.containers[{i}]");
                let name = c.get("name").and_then(Value::as_str).unwrap_or("");
                if name.is_empty() {
                    errs.push(FieldError::required(format!("{at}.name"), ""));
                } else if berth_shared::names::validate_dns_label(name, 63).is_err() {
                    errs.push(FieldError::invalid(
                        format!("{at}.name"),
                        name,
                        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                    ));
                } else if names.contains(&name) {
                    errs.push(FieldError::duplicate(format!("{at}.name"), name));
                }
                names.push(name);
                if c.get("image")
                    .and_then(Value::as_str)
                    .is_none_or(|s| s.trim().is_empty())
                {
                    errs.push(FieldError::required(format!("{at}.image"), ""));
                }
                if let Some(p) = c.get("imagePullPolicy").and_then(Value::as_str)
                    && !matches!(p, "Always" | "IfNotPresent" | "Never")
                {
                    errs.push(not_supported(
                        format!("{at}.imagePullPolicy"),
                        p,
                        &["Always", "IfNotPresent", "Never"],
                    ));
                }
                errs.extend(env_errors(c.get("env"), &format!("{at}.env")));
            }
        }
    }
    let policy = spec
        .get("restartPolicy")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !restart.contains(&policy) {
        if policy.is_empty() {
            errs.push(FieldError::required(format!("{path}.restartPolicy"), ""));
        } else {
            errs.push(not_supported(
                format!("{path}.restartPolicy"),
                policy,
                restart,
            ));
        }
    }
    if let Some(s) = spec.get("activeDeadlineSeconds")
        && s.as_i64().is_none_or(|n| n <= 0)
    {
        errs.push(FieldError::invalid_raw(
            format!("{path}.activeDeadlineSeconds"),
            s.to_string(),
            "must be between 1 and 2147483647, inclusive",
        ));
    }
    errs
}

fn env_errors(env: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, e) in env
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("{path}[{i}]");
        if e.get("name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        }
        if let Some(from) = e.get("valueFrom") {
            let sources = [
                "fieldRef",
                "resourceFieldRef",
                "configMapKeyRef",
                "secretKeyRef",
            ]
            .iter()
            .filter(|k| from.get(**k).is_some())
            .count();
            if e.get("value")
                .and_then(Value::as_str)
                .is_some_and(|v| !v.is_empty())
            {
                errs.push(FieldError::invalid(
                    format!("{at}.valueFrom"),
                    "",
                    "may not be specified when `value` is not empty",
                ));
            }
            if sources != 1 {
                errs.push(FieldError::invalid(
                    format!("{at}.valueFrom"),
                    "",
                    "may not have more than one field specified at a time",
                ));
            }
            for k in ["secretKeyRef", "configMapKeyRef"] {
                if let Some(r) = from.get(k) {
                    if r.get("key")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                    {
                        errs.push(FieldError::required(format!("{at}.valueFrom.{k}.key"), ""));
                    }
                    if r.get("name")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                    {
                        errs.push(FieldError::required(format!("{at}.valueFrom.{k}.name"), ""));
                    }
                }
            }
        }
    }
    errs
}

/// Validation of a whole Pod (create and update).
pub fn pod_errors(pod: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let mut errs = spec_errors(pod.get("spec"), "spec", &["Always", "OnFailure", "Never"]);
    if let Some(old) = old
        && containers_without_image(old) != containers_without_image(pod)
    {
        errs.push(FieldError::forbidden(
            "spec",
            "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
        ));
    }
    errs
}

fn containers_without_image(pod: &Value) -> Value {
    let mut spec = pod.get("spec").cloned().unwrap_or(Value::Null);
    if let Some(m) = spec.as_object_mut() {
        m.remove("activeDeadlineSeconds");
        m.remove("terminationGracePeriodSeconds");
        if let Some(cs) = m.get_mut("containers").and_then(Value::as_array_mut) {
            for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                c.remove("image");
            }
        }
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_defaults_like_kubernetes() {
        assert_eq!(default_pull_policy("busybox"), "Always");
        assert_eq!(default_pull_policy("busybox:latest"), "Always");
        assert_eq!(default_pull_policy("127.0.0.1:5000/bb"), "Always");
        assert_eq!(default_pull_policy("127.0.0.1:5000/bb:1"), "IfNotPresent");
        assert_eq!(default_pull_policy("bb@sha256:00"), "IfNotPresent");
    }

    #[test]
    fn pod_spec_needs_containers_with_images() {
        let errs = spec_errors(
            Some(&json!({"containers": [{"name": "A"}], "restartPolicy": "Sometimes"})),
            "spec",
            &["Never"],
        );
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .any(|e| e.starts_with("spec.containers[0].name: Invalid value: \"A\"")),
            "{text:?}"
        );
        assert!(
            text.contains(&"spec.containers[0].image: Required value".to_string()),
            "{text:?}"
        );
        assert!(text.contains(&"spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Never\"".to_string()), "{text:?}");
    }
}
