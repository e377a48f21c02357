//! The labels and annotations of Berth's storage contract in Kubernetes.
//! Every object Berth stores carries [`MANAGED_BY`]; each service finds its
//! objects again by label selector, and the inventory reads the annotations.

/// On every object Berth stores; how Berth finds its objects again.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const MANAGED_BY_VALUE: &str = "berth";
/// On a project's namespace: the project's name.
pub const PROJECT: &str = "berth.dev/project";
/// On a Secret: what the console calls it (`registry-credential`,
/// `job-template-env`).
pub const KIND: &str = "berth.dev/kind";

/// Annotation: free-text description.
pub const DESCRIPTION: &str = "berth.dev/description";
/// Annotation: who created the object.
pub const CREATED_BY: &str = "berth.dev/created-by";
/// Annotation: who changed the object last.
pub const UPDATED_BY: &str = "berth.dev/updated-by";
/// Annotation: when the object was changed last (RFC 3339).
pub const UPDATED_AT: &str = "berth.dev/updated-at";

/// Selects the namespaces that are Berth projects.
pub fn project_selector() -> String {
    format!("{MANAGED_BY}={MANAGED_BY_VALUE},{PROJECT}")
}

/// Selects every object Berth manages (inside a project's namespace).
pub fn managed_selector() -> String {
    format!("{MANAGED_BY}={MANAGED_BY_VALUE}")
}
