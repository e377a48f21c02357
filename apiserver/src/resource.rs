//! Which resources the embedded server serves: kind, plural, scope, group/version.
//!
//! Built-in types (namespaces, secrets, configmaps) carry type-specific rules;
//! any other `/apis/{group}/{version}/namespaces/{ns}/{plural}` path is served
//! generically, as a custom resource without a schema. Berth's own custom
//! resources are registered so discovery can list them and so their kind is
//! known before the first object is created.

use std::fmt;

/// A `schema.GroupResource`, e.g. `secrets` or `imagepointers.berth.dev`.
/// Objects are stored per group and resource (not per version), as Kubernetes does.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupResource {
    pub group: String,
    pub resource: String,
}

impl GroupResource {
    pub fn new(group: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            resource: resource.into(),
        }
    }

    pub fn core(resource: &str) -> Self {
        Self::new("", resource)
    }

    pub fn namespaces() -> Self {
        Self::core("namespaces")
    }
}

impl fmt::Display for GroupResource {
    /// Kubernetes' `GroupResource.String()`: `secrets`, `imagepointers.berth.dev`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            f.write_str(&self.resource)
        } else {
            write!(f, "{}.{}", self.resource, self.group)
        }
    }
}

/// The type-specific behaviour a resource gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Namespace,
    Secret,
    ConfigMap,
    /// `v1` Pods: run by the pod runner, with a `log` subresource.
    Pod,
    /// `batch/v1` Jobs: run by the job controller.
    Job,
    /// A custom resource: no schema, `generation` tracked, `resourceVersion`
    /// required on update, strategic merge patch refused.
    Custom,
    /// A built-in kind without a status or rules of its own beyond its
    /// fields: ServiceAccounts, and the RBAC kinds (checked in `validation`).
    Plain,
}

/// A resource as addressed by one request.
#[derive(Clone, Debug)]
pub struct ResourceType {
    pub group: String,
    pub version: String,
    pub plural: String,
    pub singular: String,
    /// Empty for a custom resource whose kind is not known yet.
    pub kind: String,
    pub namespaced: bool,
    pub flavor: Flavor,
    pub short_names: &'static [&'static str],
}

/// The group and version of Berth's custom resources.
pub const BERTH_GROUP: &str = "berth.dev";
pub const BERTH_VERSION: &str = "v1alpha1";

/// Verbs every served resource supports, for discovery.
pub const VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

impl ResourceType {
    pub fn gr(&self) -> GroupResource {
        GroupResource::new(self.group.clone(), self.plural.clone())
    }

    /// `v1` or `group/version`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn is_custom(&self) -> bool {
        self.flavor == Flavor::Custom
    }

    fn core(plural: &str, singular: &str, kind: &str, namespaced: bool, flavor: Flavor) -> Self {
        let short_names: &'static [&'static str] = match plural {
            "namespaces" => &["ns"],
            "configmaps" => &["cm"],
            "pods" => &["po"],
            "serviceaccounts" => &["sa"],
            _ => &[],
        };
        Self {
            group: String::new(),
            version: "v1".into(),
            plural: plural.into(),
            singular: singular.into(),
            kind: kind.into(),
            namespaced,
            flavor,
            short_names,
        }
    }

    fn berth(plural: &str, singular: &str, kind: &str) -> Self {
        Self {
            group: BERTH_GROUP.into(),
            version: BERTH_VERSION.into(),
            plural: plural.into(),
            singular: singular.into(),
            kind: kind.into(),
            namespaced: true,
            flavor: Flavor::Custom,
            short_names: &[],
        }
    }
}

/// The core `v1` resources, in discovery order.
pub fn core_resources() -> Vec<ResourceType> {
    vec![
        ResourceType::core(
            "configmaps",
            "configmap",
            "ConfigMap",
            true,
            Flavor::ConfigMap,
        ),
        ResourceType::core(
            "namespaces",
            "namespace",
            "Namespace",
            false,
            Flavor::Namespace,
        ),
        ResourceType::core("pods", "pod", "Pod", true, Flavor::Pod),
        ResourceType::core("secrets", "secret", "Secret", true, Flavor::Secret),
        ResourceType::core(
            "serviceaccounts",
            "serviceaccount",
            "ServiceAccount",
            true,
            Flavor::Plain,
        ),
    ]
}

/// The built-in API groups served besides the core group: `batch/v1`.
pub const BATCH_GROUP: &str = "batch";
pub const BATCH_VERSION: &str = "v1";

/// Kubernetes RBAC's group: Roles, ClusterRoles and their bindings.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
pub const RBAC_VERSION: &str = "v1";

fn rbac(plural: &str, singular: &str, kind: &str, namespaced: bool) -> ResourceType {
    ResourceType {
        group: RBAC_GROUP.into(),
        version: RBAC_VERSION.into(),
        plural: plural.into(),
        singular: singular.into(),
        kind: kind.into(),
        namespaced,
        flavor: Flavor::Plain,
        short_names: &[],
    }
}

/// The built-in resources of named groups (`batch/v1` Jobs, RBAC).
pub fn builtin_group_resources() -> Vec<ResourceType> {
    vec![
        ResourceType {
            group: BATCH_GROUP.into(),
            version: BATCH_VERSION.into(),
            plural: "jobs".into(),
            singular: "job".into(),
            kind: "Job".into(),
            namespaced: true,
            flavor: Flavor::Job,
            short_names: &[],
        },
        rbac(
            "clusterrolebindings",
            "clusterrolebinding",
            "ClusterRoleBinding",
            false,
        ),
        rbac("clusterroles", "clusterrole", "ClusterRole", false),
        rbac("rolebindings", "rolebinding", "RoleBinding", true),
        rbac("roles", "role", "Role", true),
    ]
}

/// Whether `group` is a built-in named group (not a custom resource's).
pub fn is_builtin_group(group: &str) -> bool {
    group == BATCH_GROUP || group == RBAC_GROUP
}

/// Resolves a built-in resource of a named group; None for other versions.
pub fn builtin(group: &str, version: &str, plural: &str) -> Option<ResourceType> {
    builtin_group_resources()
        .into_iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// Berth's registered custom resources (`berth.dev/v1alpha1`).
pub fn berth_resources() -> Vec<ResourceType> {
    vec![
        ResourceType::berth("imagepointers", "imagepointer", "ImagePointer"),
        ResourceType::berth("jobtemplates", "jobtemplate", "JobTemplate"),
    ]
}

/// Resolves a core `v1` plural.
pub fn core(plural: &str) -> Option<ResourceType> {
    core_resources().into_iter().find(|r| r.plural == plural)
}

/// Resolves any custom resource path. `learned_kind` is the kind seen on
/// earlier writes of an unregistered resource (empty if none).
pub fn custom(group: &str, version: &str, plural: &str, learned_kind: &str) -> ResourceType {
    if let Some(mut r) = berth_resources()
        .into_iter()
        .find(|r| r.group == group && r.plural == plural)
    {
        // Serve the registered kind at whatever version was asked for
        // (no conversion: like a CRD with `conversion: None`).
        r.version = version.to_string();
        return r;
    }
    ResourceType {
        group: group.into(),
        version: version.into(),
        plural: plural.into(),
        singular: plural.trim_end_matches('s').into(),
        kind: learned_kind.into(),
        namespaced: true,
        flavor: Flavor::Custom,
        short_names: &[],
    }
}

/// Whether a path segment can be a resource plural at all (lowercase DNS label).
pub fn is_plural_like(s: &str) -> bool {
    berth_shared::names::validate_dns_label(s, berth_shared::names::LABEL_MAX).is_ok()
}

/// Whether a string can be an API group (a DNS subdomain with at least one dot).
pub fn is_group_like(s: &str) -> bool {
    s.contains('.') && berth_shared::names::validate_object_name(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_resource_display() {
        assert_eq!(GroupResource::core("secrets").to_string(), "secrets");
        assert_eq!(
            GroupResource::new("berth.dev", "imagepointers").to_string(),
            "imagepointers.berth.dev"
        );
    }

    #[test]
    fn registered_custom_resources_have_kinds() {
        let r = custom("berth.dev", "v1alpha1", "imagepointers", "");
        assert_eq!(r.kind, "ImagePointer");
        assert!(r.is_custom());
        let g = custom("example.com", "v1", "widgets", "");
        assert_eq!(g.kind, "");
        assert_eq!(g.api_version(), "example.com/v1");
        assert_eq!(core("namespaces").map(|r| r.namespaced), Some(false));
        assert_eq!(core("pods").map(|r| r.flavor), Some(Flavor::Pod));
        assert_eq!(
            builtin("batch", "v1", "jobs").map(|r| r.kind),
            Some("Job".into())
        );
        assert!(builtin("batch", "v2", "jobs").is_none());
    }
}
