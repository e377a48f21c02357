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

/// Label on a project's namespace: `deleted` while it waits, hidden, in its
/// restore window.
pub const STATE: &str = "berth.dev/state";
pub const STATE_DELETED: &str = "deleted";
/// Annotation: when the project was deleted with a restore window (RFC 3339).
pub const DELETED_AT: &str = "berth.dev/deleted-at";
/// Annotation: when a project deleted with a restore window is deleted for
/// good (RFC 3339).
pub const PURGE_AFTER: &str = "berth.dev/purge-after";
/// Annotation: who deleted the project.
pub const DELETED_BY: &str = "berth.dev/deleted-by";

/// Selects the projects that are not waiting in a restore window.
pub fn live_project_selector() -> String {
    format!("{},{STATE}!={STATE_DELETED}", project_selector())
}

/// Selects the projects waiting in a restore window.
pub fn deleted_project_selector() -> String {
    format!("{},{STATE}={STATE_DELETED}", project_selector())
}

/// Value of [`KIND`] on a registry credential's Secret.
pub const KIND_REGISTRY_CREDENTIAL: &str = "registry-credential";
/// Annotation on a registry credential: `docker-hub`, `icr` or `other`.
pub const REGISTRY_KIND: &str = "berth.dev/registry-kind";
/// Annotation on a registry credential: the registry server it is for.
pub const REGISTRY_SERVER: &str = "berth.dev/registry-server";
/// Annotation on a registry credential: the user name (not secret).
pub const REGISTRY_USERNAME: &str = "berth.dev/registry-username";
/// Annotation: when the object was created (RFC 3339), for objects whose
/// creation timestamp is reset when they are replaced.
pub const CREATED_AT: &str = "berth.dev/created-at";

/// Value of [`KIND`] on a ConfigMap that holds older entries of a
/// project's activity log (the log itself is the one labelled
/// `activity-log`).
pub const KIND_ACTIVITY_PART: &str = "activity-log-part";

/// Selects the older parts of a project's activity log.
pub fn activity_part_selector() -> String {
    format!("{MANAGED_BY}={MANAGED_BY_VALUE},{KIND}={KIND_ACTIVITY_PART}")
}

/// Selects the registry credentials in a project's namespace.
pub fn registry_credential_selector() -> String {
    format!("{MANAGED_BY}={MANAGED_BY_VALUE},{KIND}={KIND_REGISTRY_CREDENTIAL}")
}

/// Value of [`KIND`] on a job template's companion Secret.
pub const KIND_JOB_TEMPLATE_ENV: &str = berth_shared::inventory::KIND_JOB_TEMPLATE_ENV;
/// Label on a job template's companion Secret: the template's name.
pub const JOB_TEMPLATE: &str = "berth.dev/job-template";

/// Value of [`KIND`] on a job run's Job and Pods.
pub const KIND_JOB_RUN: &str = berth_shared::inventory::KIND_JOB_RUN;
/// Value of [`KIND`] on a job run's snapshot Secret.
pub const KIND_JOB_RUN_ENV: &str = "job-run-env";
/// Label on a job run's snapshot Secret: the run's name.
pub const JOB_RUN: &str = "berth.dev/job-run";
/// Annotation on a job run's Job: the array indices it runs, normalised
/// (instance `k` runs the `k`-th of them).
pub const RUN_INDICES: &str = "berth.dev/indices";
/// Annotation on a job run's Job: the run whose failed indices it reruns.
pub const RERUN_OF: &str = "berth.dev/rerun-of";

/// Selects job runs' Jobs and Pods (in a project's namespace).
pub fn job_run_selector() -> String {
    format!("{MANAGED_BY}={MANAGED_BY_VALUE},{KIND}={KIND_JOB_RUN}")
}
