//! The data inventory: every item Berth stores for a project, where it lives
//! in Kubernetes, and how to delete it. Never a secret value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::stamps::Stamps;

/// Kinds of stored item, by the key the API uses (`kind` of an item).
pub const KIND_REGISTRY_CREDENTIAL: &str = "registry-credential";
pub const KIND_IMAGE: &str = "image";
pub const KIND_JOB_TEMPLATE: &str = "job-template";
pub const KIND_JOB_TEMPLATE_ENV: &str = "job-template-env";
/// A job run: its Job, its Pods and their logs, and its snapshot Secret.
pub const KIND_JOB_RUN: &str = "job-run";
/// The snapshot of a job run's sensitive settings (deleted with the run).
pub const KIND_JOB_RUN_ENV: &str = "job-run-env";
/// The project's activity log (one per project).
pub const KIND_ACTIVITY_LOG: &str = "activity-log";

/// Every kind the inventory knows, in the order the console lists them.
pub const KINDS: [&str; 7] = [
    KIND_IMAGE,
    KIND_REGISTRY_CREDENTIAL,
    KIND_JOB_TEMPLATE,
    KIND_JOB_TEMPLATE_ENV,
    KIND_JOB_RUN,
    KIND_JOB_RUN_ENV,
    KIND_ACTIVITY_LOG,
];

/// What the console calls a kind, singular and plural.
pub fn kind_label(kind: &str) -> (&'static str, &'static str) {
    match kind {
        KIND_REGISTRY_CREDENTIAL => ("Registry credential", "Registry credentials"),
        KIND_IMAGE => ("Image", "Images"),
        KIND_JOB_TEMPLATE => ("Job template", "Job templates"),
        KIND_JOB_TEMPLATE_ENV => (
            "Job template secret settings",
            "Job template secret settings",
        ),
        KIND_JOB_RUN => ("Job run", "Job runs"),
        KIND_JOB_RUN_ENV => (
            "Job run secret settings snapshot",
            "Job run secret settings snapshots",
        ),
        KIND_ACTIVITY_LOG => ("Activity log", "Activity logs"),
        _ => ("Other item", "Other items"),
    }
}

/// What a person should know about keeping items of a kind, if anything.
pub fn kind_note(kind: &str) -> Option<&'static str> {
    match kind {
        KIND_JOB_RUN => Some(
            "A job run's logs are kept until the run is deleted (finished runs are deleted after the retention time).",
        ),
        KIND_JOB_RUN_ENV => Some("Deleted with its job run."),
        _ => None,
    }
}

/// "1 image", "3 registry credentials".
pub fn count_phrase(kind: &str, count: usize) -> String {
    let (one, many) = kind_label(kind);
    if count == 1 {
        format!("1 {}", one.to_ascii_lowercase())
    } else {
        format!("{count} {}", many.to_ascii_lowercase())
    }
}

/// Where an item lives in Kubernetes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// `v1` or `berth.dev/v1alpha1`.
    pub api_version: String,
    /// `Secret`, `ImagePointer`, `JobTemplate`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The value is held in a Kubernetes Secret (and never shown).
    pub is_secret: bool,
}

/// One stored item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InventoryItem {
    /// One of [`KINDS`].
    pub kind: String,
    pub name: String,
    pub location: Location,
    /// Created and last changed at and by (`updatedAt` is the creation
    /// time when it never changed), and its version.
    #[serde(flatten)]
    pub stamps: Stamps,
    /// `DELETE` this API path to delete the item.
    pub delete_path: String,
}

/// The body of `GET /api/v1/projects/{project}/inventory`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    pub project: String,
    /// The namespace that holds everything listed.
    pub namespace: String,
    /// RFC 3339 time the inventory was taken.
    pub generated_at: String,
    pub items: Vec<InventoryItem>,
    /// Number of items per kind; every kind of [`KINDS`] is present.
    pub totals: BTreeMap<String, usize>,
}

impl Inventory {
    /// Total number of items.
    pub fn total(&self) -> usize {
        self.items.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_words() {
        assert_eq!(count_phrase(KIND_IMAGE, 1), "1 image");
        assert_eq!(
            count_phrase(KIND_REGISTRY_CREDENTIAL, 3),
            "3 registry credentials"
        );
        assert_eq!(count_phrase(KIND_JOB_TEMPLATE, 0), "0 job templates");
    }

    #[test]
    fn items_use_camel_case() {
        let item = InventoryItem {
            kind: KIND_IMAGE.into(),
            name: "web".into(),
            location: Location {
                api_version: "berth.dev/v1alpha1".into(),
                kind: "ImagePointer".into(),
                namespace: "berth-a".into(),
                name: "web".into(),
                is_secret: false,
            },
            stamps: Stamps {
                created_at: "2026-01-01T00:00:00Z".into(),
                updated_at: Some("2026-01-01T00:00:00Z".into()),
                version: "1".into(),
                ..Stamps::default()
            },
            delete_path: "/api/v1/projects/a/inventory/image/web".into(),
        };
        let json = serde_json::to_value(&item).expect("serialises");
        assert_eq!(json["location"]["isSecret"], false);
        assert_eq!(json["deletePath"], "/api/v1/projects/a/inventory/image/web");
    }
}
