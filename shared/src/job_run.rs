//! Job runs: one execution of a job template, as a batch Job with one
//! instance per index. The view types of the API, the body of a submit with
//! overrides and its rules, and the payloads of the live event stream.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::job_templates::{
    ENV_VALUE_MAX, EnvVar, Indices, JobTemplate, LIST_MAX, ResourceSize, list_errors,
    validate_env_name,
};
use crate::message;
use crate::message::Message;
use crate::problem::FieldError;
use crate::stamps::Stamps;

/// Most log bytes one answer of `…/logs` carries (the start of the log).
pub const LOG_LIMIT_BYTES: u64 = 8 * 1024 * 1024;

/// Where a whole run or one index of it stands, in people's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// Created, nothing started yet (pulling the image counts as waiting).
    Waiting,
    Running,
    Succeeded,
    Failed,
}

impl RunState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    /// Whether nothing will change any more.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// How many indices of a run are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunCounts {
    pub waiting: u32,
    pub running: u32,
    pub succeeded: u32,
    pub failed: u32,
}

impl RunCounts {
    pub fn total(&self) -> u32 {
        self.waiting + self.running + self.succeeded + self.failed
    }

    /// "8 succeeded, 2 failed, 1 running": the non-zero counts, finished
    /// ones first.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            (self.succeeded, "succeeded"),
            (self.failed, "failed"),
            (self.running, "running"),
            (self.waiting, "waiting"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
        if parts.is_empty() {
            "nothing to run".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// The fields of a reason: its English, its code and its parameters
/// (`reason`, `reason_code`, `reason_params`).
pub type ReasonFields = (Option<String>, Option<String>, BTreeMap<String, String>);

/// `reason` as the fields a run and an index carry.
pub fn reason_fields(reason: Option<Message>) -> ReasonFields {
    match reason {
        Some(m) => (Some(m.english()), Some(m.code), m.params),
        None => (None, None, BTreeMap::new()),
    }
}

/// One run as `GET …/job-runs` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct JobRunSummary {
    /// `TEMPLATE-run-xxxxx`.
    pub name: String,
    /// The template it was made from (which may since have changed or gone).
    pub template: String,
    pub state: RunState,
    pub counts: RunCounts,
    /// The indices it runs, normalised (`0-3,7`); empty for a single
    /// instance without an index (which then reports as index 0).
    pub indices: String,
    pub instances: u32,
    /// Submitted at and by (its Job's), and the Job's version.
    #[serde(flatten)]
    pub stamps: Stamps,
    /// When the first instance started, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When the run finished, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Why the run as a whole failed, in plain words ("Stopped after the
    /// maximum execution time"); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `reason` as a code and its parameters (`message::TEMPLATES`), so
    /// the console can say it in the reader's language; absent from
    /// servers that predate them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reason_params: BTreeMap<String, String>,
    /// The run whose failed indices this one reruns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerun_of: Option<String>,
}

/// The body of `GET …/job-runs` (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobRunList {
    pub items: Vec<JobRunSummary>,
}

/// One index of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RunIndex {
    pub index: u32,
    pub state: RunState,
    /// Attempts started so far (1 + retries); 0 while waiting for the first.
    /// Logs exist for attempts `1..=attempts`.
    pub attempts: u32,
    /// Of the latest attempt, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Of the latest attempt that ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Why it waits or failed, in plain words ("The image could not be
    /// pulled: the registry refused the credential").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `reason` as a code and its parameters (`message::TEMPLATES`), so
    /// the console can say it in the reader's language; absent from
    /// servers that predate them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reason_params: BTreeMap<String, String>,
}

/// The body of `GET …/job-runs/{run}`, of a submit and of a rerun, and of
/// the `run` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct JobRun {
    #[serde(flatten)]
    pub summary: JobRunSummary,
    /// The image reference it runs.
    pub image: String,
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub args: Vec<String>,
    /// Its variables; a sensitive one's `value` is always empty.
    #[serde(default)]
    pub env: Vec<EnvVar>,
    pub size: ResourceSize,
    pub retry_limit: u32,
    pub max_execution_seconds: u32,
    /// Every index, ascending.
    pub indexes: Vec<RunIndex>,
}

/// One variable value changed for one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnvOverride {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// The body of `POST …/job-templates/{template}/runs`: the template as it
/// is, or with some settings changed for this run only. Every field is
/// optional; `{}` runs the template unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SubmitJobRun {
    /// Replaces the template's indices (`0-9,20`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indices: Option<String>,
    /// Replaces the template's arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Sets the value of a plain variable (adding it when the template has
    /// none of that name). Sensitive variables cannot be overridden.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvOverride>,
}

impl SubmitJobRun {
    /// The rules of the template form, applied to what this run changes.
    /// `template` is the template it runs.
    pub fn validate(&self, template: &JobTemplate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(indices) = &self.indices
            && let Err(e) = Indices::parse(indices)
        {
            errors.push(FieldError::new("indices", e.message()));
        }
        if let Some(args) = &self.args {
            list_errors(
                "args",
                message!("job_template.args.empty"),
                args,
                &mut errors,
            );
        }
        if self.env.len() > LIST_MAX {
            errors.push(FieldError::new(
                "env",
                message!("env.too_many").with("max", LIST_MAX),
            ));
        }
        for (i, var) in self.env.iter().enumerate() {
            let stored = template.fields.env.iter().find(|v| v.name == var.name);
            if let Err(e) = validate_env_name(&var.name) {
                errors.push(FieldError::new(format!("env[{i}].name"), e));
            } else if self.env[..i].iter().any(|v| v.name == var.name) {
                errors.push(FieldError::new(
                    format!("env[{i}].name"),
                    message!("env.name.duplicate").with("name", &var.name),
                ));
            } else if stored.is_some_and(|v| v.sensitive) {
                errors.push(FieldError::new(
                    format!("env[{i}].name"),
                    message!("job_run.env.sensitive").with("name", &var.name),
                ));
            }
            if var.value.chars().count() > ENV_VALUE_MAX {
                errors.push(FieldError::new(
                    format!("env[{i}].value"),
                    message!("text.too_long").with("max", ENV_VALUE_MAX),
                ));
            }
        }
        errors
    }

    /// The template's variables with this run's values applied.
    pub fn apply_env(&self, env: &[EnvVar]) -> Vec<EnvVar> {
        let mut out = env.to_vec();
        for o in &self.env {
            match out.iter_mut().find(|v| v.name == o.name && !v.sensitive) {
                Some(v) => v.value.clone_from(&o.value),
                None => out.push(EnvVar::plain(&o.name, &o.value)),
            }
        }
        out
    }
}

/// Event names of `GET …/job-runs/{run}/events` (server-sent events).
pub mod events {
    /// Data: the whole [`super::JobRun`], sent first and after every change.
    pub const RUN: &str = "run";
    /// Data: [`super::RunDeleted`]; the stream ends after it.
    pub const DELETED: &str = "deleted";
}

/// The data of the `deleted` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunDeleted {
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job_templates::SaveJobTemplate;

    fn template() -> JobTemplate {
        JobTemplate {
            fields: SaveJobTemplate {
                name: "nightly".into(),
                image: "busybox".into(),
                env: vec![
                    EnvVar::plain("GREETING", "hello"),
                    EnvVar::sensitive("TOKEN", ""),
                ],
                indices: "0-3".into(),
                ..SaveJobTemplate::default()
            },
            image_reference: "docker.io/library/busybox:latest".into(),
            instances: 4,
            stamps: Stamps {
                created_at: "2026-01-01T00:00:00Z".into(),
                version: "1".into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn an_empty_submit_is_valid() {
        let body: SubmitJobRun = serde_json::from_str("{}").expect("parses");
        assert!(body.validate(&template()).is_empty());
    }

    #[test]
    fn overrides_follow_the_template_rules() {
        let body = SubmitJobRun {
            indices: Some("3-1".into()),
            args: Some(vec![String::new()]),
            env: vec![
                EnvOverride {
                    name: "1A".into(),
                    value: String::new(),
                },
                EnvOverride {
                    name: "TOKEN".into(),
                    value: "x".into(),
                },
                EnvOverride {
                    name: "GREETING".into(),
                    value: "hi".into(),
                },
                EnvOverride {
                    name: "GREETING".into(),
                    value: "again".into(),
                },
            ],
        };
        let fields: Vec<_> = body
            .validate(&template())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "indices",
                "args[0]",
                "env[0].name",
                "env[1].name",
                "env[3].name"
            ]
        );
        let errors = body.validate(&template());
        let codes: Vec<_> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "indices.descending",
                "job_template.args.empty",
                "env.name.start",
                "job_run.env.sensitive",
                "env.name.duplicate"
            ]
        );
        assert_eq!(
            errors[3].message,
            "“TOKEN” is sensitive; change it in the template, not for one run."
        );
        assert_eq!(errors[3].params["name"], "TOKEN");
    }

    #[test]
    fn overrides_change_plain_values_and_add_new_ones() {
        let body = SubmitJobRun {
            env: vec![
                EnvOverride {
                    name: "GREETING".into(),
                    value: "hi".into(),
                },
                EnvOverride {
                    name: "EXTRA".into(),
                    value: "1".into(),
                },
            ],
            ..SubmitJobRun::default()
        };
        let env = body.apply_env(&template().fields.env);
        assert_eq!(env[0], EnvVar::plain("GREETING", "hi"));
        assert!(env[1].sensitive);
        assert_eq!(env[2], EnvVar::plain("EXTRA", "1"));
    }

    #[test]
    fn counts_read_as_a_sentence() {
        let c = RunCounts {
            waiting: 0,
            running: 1,
            succeeded: 8,
            failed: 2,
        };
        assert_eq!(c.summary(), "8 succeeded, 2 failed, 1 running");
        assert_eq!(c.total(), 11);
        assert_eq!(
            serde_json::to_string(&RunState::Succeeded).expect("serialises"),
            "\"succeeded\""
        );
    }
}
