//! `ImagePointer`: the address of a container image in some registry, never
//! the image itself.

use std::collections::BTreeMap;

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a person asked Berth to remember about an image.
#[derive(
    CustomResource, Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema,
)]
#[kube(
    group = "berth.dev",
    version = "v1alpha1",
    kind = "ImagePointer",
    plural = "imagepointers",
    singular = "imagepointer",
    namespaced,
    status = "ImagePointerStatus",
    printcolumn = r#"{"name":"Reference","type":"string","jsonPath":".spec.reference"}"#,
    printcolumn = r#"{"name":"Digest","type":"string","jsonPath":".status.digest"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct ImagePointerSpec {
    /// The normalised image reference, e.g. `docker.io/library/nginx:latest`.
    pub reference: String,
    /// Name of the registry credential (a Secret in the same namespace) used
    /// to reach the image, if it needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// What the last check against the registry found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImagePointerStatus {
    /// The manifest digest the registry reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// When the registry was last asked (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<String>,
    /// Why the last check failed, in plain words; absent after a success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The code of `lastError` (Berth's message catalog), so the console
    /// can say it in the reader's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_code: Option<String>,
    /// The values `lastError` names (the registry's address, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub last_error_params: BTreeMap<String, String>,
}
