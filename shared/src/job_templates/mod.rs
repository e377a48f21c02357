//! Batch job templates: what a person fills in once and later runs as a
//! batch job. The model of the form and the API, and every rule for it.

mod env;
mod indices;
mod sizes;

use serde::{Deserialize, Serialize};

pub use env::{ENV_NAME_MAX, ENV_VALUE_MAX, EnvVar, validate_env_name};
pub use indices::{INDEX_MAX, INDICES_MAX_CHARS, INSTANCES_MAX, Indices, IndicesError};
pub use sizes::ResourceSize;

use crate::image_ref::ImageReference;
use crate::message;
use crate::message::Message;
use crate::names::validate_object_name;
use crate::problem::FieldError;
use crate::project::validate_description;
use crate::stamps::Stamps;

/// Longest template name: a Job's name ends up in its pods' labels (at most
/// 63 characters), with room for a suffix.
pub const TEMPLATE_NAME_MAX: usize = 52;
/// Most entries in the command, the arguments or the environment.
pub const LIST_MAX: usize = 100;
/// Longest command or argument entry.
pub const ARG_MAX: usize = 4096;
/// Retries allowed after a failed run.
pub const RETRY_LIMIT_MAX: u32 = 10;
pub const RETRY_LIMIT_DEFAULT: u32 = 3;
/// Bounds of the maximum execution time, in seconds (1 minute to 1 day).
pub const MAX_EXECUTION_MIN: u32 = 60;
pub const MAX_EXECUTION_MAX: u32 = 86_400;
pub const MAX_EXECUTION_DEFAULT: u32 = 3_600;

/// A job template as the API returns it. Sensitive environment values are
/// never included: their `value` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct JobTemplate {
    #[serde(flatten)]
    pub fields: SaveJobTemplate,
    /// The normalised reference the job runs (of the image pointer, if one
    /// is chosen and still exists).
    #[serde(default)]
    pub image_reference: String,
    /// How many instances the indices yield.
    pub instances: u32,
    #[serde(flatten)]
    pub stamps: Stamps,
}

/// The body of `GET .../job-templates`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobTemplateList {
    pub items: Vec<JobTemplate>,
}

/// The body of `POST .../job-templates` and `PUT .../job-templates/{name}`.
///
/// A sensitive variable sent with an empty value keeps the value stored for
/// that name (on replace), or copies it from `copySensitiveFrom` (on create,
/// when duplicating a template).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SaveJobTemplate {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// One of the project's image pointers, by name…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pointer: Option<String>,
    /// …or a reference typed directly (normalised when stored).
    #[serde(default)]
    pub image: String,
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: Vec<EnvVar>,
    #[serde(default)]
    pub size: ResourceSize,
    /// Array indices such as `0-9,20`; empty for a single run.
    #[serde(default)]
    pub indices: String,
    #[serde(default = "default_retry_limit")]
    pub retry_limit: u32,
    #[serde(default = "default_max_execution")]
    pub max_execution_seconds: u32,
    /// On create only: the template whose stored sensitive values fill the
    /// sensitive variables sent without a value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_sensitive_from: Option<String>,
}

fn default_retry_limit() -> u32 {
    RETRY_LIMIT_DEFAULT
}

fn default_max_execution() -> u32 {
    MAX_EXECUTION_DEFAULT
}

impl Default for SaveJobTemplate {
    fn default() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            image_pointer: None,
            image: String::new(),
            command: Vec::new(),
            args: Vec::new(),
            env: Vec::new(),
            size: ResourceSize::default(),
            indices: String::new(),
            retry_limit: RETRY_LIMIT_DEFAULT,
            max_execution_seconds: MAX_EXECUTION_DEFAULT,
            copy_sensitive_from: None,
        }
    }
}

/// The template name rule: an object name short enough for a Job.
pub fn validate_template_name(name: &str) -> Result<(), Message> {
    validate_object_name(name).map_err(|e| e.message())?;
    let len = name.chars().count();
    if len > TEMPLATE_NAME_MAX {
        return Err(message!("text.too_long_counted")
            .with("max", TEMPLATE_NAME_MAX)
            .with("length", len));
    }
    Ok(())
}

impl SaveJobTemplate {
    /// The image pointer name, with an empty choice meaning none.
    pub fn pointer_name(&self) -> Option<&str> {
        self.image_pointer.as_deref().filter(|p| !p.is_empty())
    }

    /// Every rule the form shows and the server enforces. `stored` names the
    /// sensitive variables whose value is already stored (and may be left
    /// empty to keep it).
    pub fn validate(&self, stored: &[String]) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Err(e) = validate_template_name(&self.name) {
            errors.push(FieldError::new("name", e));
        }
        if let Err(e) = validate_description(&self.description) {
            errors.push(FieldError::new("description", e));
        }
        match self.pointer_name() {
            Some(pointer) if validate_object_name(pointer).is_err() => {
                errors.push(FieldError::new(
                    "imagePointer",
                    message!("job_template.image_pointer.choose"),
                ))
            }
            Some(_) if !self.image.trim().is_empty() => errors.push(FieldError::new(
                "image",
                message!("job_template.image.both"),
            )),
            Some(_) => {}
            None => {
                if let Err(e) = ImageReference::parse(&self.image) {
                    errors.push(FieldError::new("image", e.message()));
                }
            }
        }
        list_errors(
            "command",
            message!("job_template.command.empty"),
            &self.command,
            &mut errors,
        );
        list_errors(
            "args",
            message!("job_template.args.empty"),
            &self.args,
            &mut errors,
        );
        env::env_errors(&self.env, stored, &mut errors);
        if let Err(e) = Indices::parse(&self.indices) {
            errors.push(FieldError::new("indices", e.message()));
        }
        if self.retry_limit > RETRY_LIMIT_MAX {
            errors.push(FieldError::new(
                "retryLimit",
                message!("job_template.retry_limit.range").with("max", RETRY_LIMIT_MAX),
            ));
        }
        if !(MAX_EXECUTION_MIN..=MAX_EXECUTION_MAX).contains(&self.max_execution_seconds) {
            errors.push(FieldError::new(
                "maxExecutionSeconds",
                message!("job_template.max_execution.range")
                    .with("min", MAX_EXECUTION_MIN)
                    .with("max", MAX_EXECUTION_MAX),
            ));
        }
        errors
    }
}

/// The rules of a list of command parts or arguments, by field name
/// (`args[2]`); a run's overridden arguments follow them too. `empty` is
/// what an empty row is told.
pub fn list_errors(field: &str, empty: Message, items: &[String], errors: &mut Vec<FieldError>) {
    if items.len() > LIST_MAX {
        errors.push(FieldError::new(
            field,
            message!("list.too_many").with("max", LIST_MAX),
        ));
    }
    for (i, item) in items.iter().enumerate() {
        let message = if item.is_empty() {
            empty.clone()
        } else if item.chars().count() > ARG_MAX {
            message!("text.too_long").with("max", ARG_MAX)
        } else if item.contains('\0') {
            message!("text.nul")
        } else {
            continue;
        };
        errors.push(FieldError::new(format!("{field}[{i}]"), message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> SaveJobTemplate {
        SaveJobTemplate {
            name: "nightly".into(),
            description: "Nightly export".into(),
            image: "nginx".into(),
            command: vec!["sh".into(), "-c".into()],
            args: vec!["echo $GREETING".into()],
            env: vec![
                EnvVar::plain("GREETING", "hello"),
                EnvVar::sensitive("TOKEN", "s3cret"),
            ],
            size: ResourceSize::Medium,
            indices: "0-9,20".into(),
            ..SaveJobTemplate::default()
        }
    }

    #[test]
    fn a_full_template_is_valid() {
        assert_eq!(full().validate(&[]), vec![]);
    }

    #[test]
    fn rules_name_each_field() {
        let bad = SaveJobTemplate {
            name: "x".repeat(TEMPLATE_NAME_MAX + 1),
            description: "\t".into(),
            image: "nginx:".into(),
            command: vec![String::new()],
            args: vec!["ok".into(), "a\0".into()],
            env: vec![EnvVar::plain("1A", "")],
            indices: "3-1".into(),
            retry_limit: RETRY_LIMIT_MAX + 1,
            max_execution_seconds: 1,
            ..SaveJobTemplate::default()
        };
        let fields: Vec<_> = bad.validate(&[]).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "description",
                "image",
                "command[0]",
                "args[1]",
                "env[0].name",
                "indices",
                "retryLimit",
                "maxExecutionSeconds"
            ]
        );
        let errors = bad.validate(&[]);
        let codes: Vec<_> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "text.too_long_counted",
                "text.control_chars",
                "image.reference.missing.tag_or_port",
                "job_template.command.empty",
                "text.nul",
                "env.name.start",
                "indices.descending",
                "job_template.retry_limit.range",
                "job_template.max_execution.range"
            ]
        );
        assert_eq!(errors[0].params["max"], TEMPLATE_NAME_MAX.to_string());
        assert_eq!(
            errors[0].message,
            "Use at most 52 characters (this one has 53)."
        );
        assert_eq!(
            errors[3].message,
            "Enter the command part, or remove this row."
        );
        assert_eq!(
            errors[8].message,
            "Use from 60 seconds (1 minute) to 86400 seconds (1 day)."
        );
    }

    #[test]
    fn an_image_pointer_or_a_reference_not_both() {
        let pointer = SaveJobTemplate {
            image_pointer: Some("web".into()),
            image: String::new(),
            ..full()
        };
        assert!(pointer.validate(&[]).is_empty());
        let both = SaveJobTemplate {
            image: "nginx".into(),
            ..pointer.clone()
        };
        assert_eq!(both.validate(&[])[0].field, "image");
        let bad = SaveJobTemplate {
            image_pointer: Some("Web".into()),
            ..pointer
        };
        assert_eq!(bad.validate(&[])[0].field, "imagePointer");
        let neither = SaveJobTemplate {
            image: " ".into(),
            ..full()
        };
        assert_eq!(neither.validate(&[])[0].field, "image");
    }

    #[test]
    fn defaults_apply_to_missing_fields() {
        let t: SaveJobTemplate =
            serde_json::from_str(r#"{"name":"a","image":"nginx"}"#).expect("parses");
        assert_eq!(t.retry_limit, RETRY_LIMIT_DEFAULT);
        assert_eq!(t.max_execution_seconds, MAX_EXECUTION_DEFAULT);
        assert_eq!(t.size, ResourceSize::Small);
        assert!(t.validate(&[]).is_empty());
    }

    #[test]
    fn debug_never_shows_a_sensitive_value() {
        let text = format!("{:?}", full());
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("hello"), "{text}");
    }
}
