//! The labels and annotations of Berth's storage contract in Kubernetes.

/// On every object Berth stores; how Berth finds its objects again.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const MANAGED_BY_VALUE: &str = "berth";
/// On a project's namespace: the project's name.
pub const PROJECT: &str = "berth.dev/project";
/// Annotation: the project's free-text description.
pub const DESCRIPTION: &str = "berth.dev/description";
/// Annotation: who created the object.
pub const CREATED_BY: &str = "berth.dev/created-by";

/// Selects the namespaces that are Berth projects.
pub fn project_selector() -> String {
    format!("{MANAGED_BY}={MANAGED_BY_VALUE},{PROJECT}")
}
