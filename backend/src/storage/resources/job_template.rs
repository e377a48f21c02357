//! `JobTemplate`: how to run a batch job, kept until someone runs it.
//! Sensitive environment values are not here: they live in a companion
//! Opaque Secret, and the template only names them.

use berth_shared::ResourceSize;
use berth_shared::job_templates::{
    ARG_MAX, ENV_NAME_MAX, ENV_VALUE_MAX, LIST_MAX, MAX_EXECUTION_MAX, MAX_EXECUTION_MIN,
    RETRY_LIMIT_MAX,
};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The companion Secret of a template: where its sensitive values live.
pub fn secret_name(template: &str) -> String {
    format!("{template}-env")
}

/// A batch job template.
#[derive(CustomResource, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "berth.dev",
    version = "v1alpha1",
    kind = "JobTemplate",
    plural = "jobtemplates",
    singular = "jobtemplate",
    namespaced,
    printcolumn = r#"{"name":"Image","type":"string","jsonPath":".spec.image"}"#,
    printcolumn = r#"{"name":"Pointer","type":"string","jsonPath":".spec.imagePointer"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct JobTemplateSpec {
    /// Free text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Name of an `ImagePointer` in the same namespace; when absent, `image`
    /// holds the reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub image_pointer: Option<String>,
    /// The normalised image reference, when no image pointer is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 1024))]
    pub image: Option<String>,
    /// The entrypoint; the image's own when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = LIST_MAX), inner(length(min = 1, max = ARG_MAX)))]
    pub command: Vec<String>,
    /// Arguments to the entrypoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = LIST_MAX), inner(length(min = 1, max = ARG_MAX)))]
    pub args: Vec<String>,
    /// Environment variables, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = LIST_MAX))]
    pub env: Vec<TemplateEnvVar>,
    /// One of the CPU/memory combinations the platform offers.
    pub size: ResourceSize,
    /// Array indices such as `0-9,20`; absent for a single run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(max = 1024),
        regex(pattern = r"^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$")
    )]
    pub indices: Option<String>,
    /// Retries after a failed run (`backoffLimit`).
    #[schemars(range(max = RETRY_LIMIT_MAX))]
    pub retry_limit: u32,
    /// Longest run, in seconds (`activeDeadlineSeconds`).
    #[schemars(range(min = MAX_EXECUTION_MIN, max = MAX_EXECUTION_MAX))]
    pub max_execution_seconds: u32,
}

/// One environment variable. A sensitive one has no value here: its value
/// is the key of the same name in the template's companion Secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateEnvVar {
    #[schemars(length(min = 1, max = ENV_NAME_MAX), regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = ENV_VALUE_MAX))]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}
