//! The checks every write runs: normalisation, validation, namespace lifecycle.

use std::sync::Arc;

use serde_json::Value;

use super::*;
use crate::meta;
use crate::resource::{Flavor, GroupResource, ResourceType};
use crate::schema::Schemas;
use crate::status::{ApiError, FieldError};
use crate::store::Stored;
use crate::validation;

/// Fields only the server sets; dropped from what clients send.
pub(super) const SERVER_FIELDS: &[&str] = &[
    "uid",
    "creationTimestamp",
    "resourceVersion",
    "generation",
    "managedFields",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
];

pub(super) fn normalize(rt: &ResourceType, obj: &mut Value) -> Result<(), ApiError> {
    match rt.flavor {
        Flavor::Secret => validation::normalize_secret(obj),
        Flavor::ConfigMap => validation::normalize_configmap(obj),
        Flavor::Namespace | Flavor::Custom | Flavor::Pod | Flavor::Job | Flavor::Plain => Ok(()),
    }
}

pub(super) fn invalid(
    rt: &ResourceType,
    name: &str,
    causes: Vec<FieldError>,
) -> Result<(), ApiError> {
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Invalid {
            kind: rt.kind.clone(),
            group: rt.group.clone(),
            name: name.to_string(),
            causes,
        })
    }
}

/// Every validation rule for the object about to be stored.
pub(super) fn validate(
    schemas: &Schemas,
    rt: &ResourceType,
    obj: &Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    let name = meta::name(obj);
    let mut causes = validation::name_errors(rt, name);
    causes.extend(validation::metadata_errors(obj));
    match rt.flavor {
        Flavor::Secret => causes.extend(validation::secret_errors(obj, old)),
        Flavor::ConfigMap => causes.extend(validation::configmap_errors(obj, old)),
        Flavor::Custom => {
            causes.extend(schemas.errors(&rt.gr(), obj));
        }
        Flavor::Pod => causes.extend(crate::pods::pod_errors(obj, old)),
        Flavor::Job => causes.extend(crate::jobs::job_errors(obj, old)),
        Flavor::Plain => causes.extend(crate::rbac::validation::errors(rt, obj, old)),
        Flavor::Namespace => {}
    }
    if let Some(old) = old
        && meta::is_deleting(old)
    {
        let before = meta::finalizers(old);
        let added: Vec<String> = meta::finalizers(obj)
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect();
        if !added.is_empty() {
            causes.push(FieldError::forbidden(
                "metadata.finalizers",
                format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers {added:?}"
                ),
            ));
        }
    }
    invalid(rt, name, causes)?;
    validation::check_size(obj)
}

/// Creating content in a namespace requires it to exist and not be terminating
/// (Kubernetes' NamespaceLifecycle admission).
pub(super) fn check_namespace_lifecycle(
    namespace: Option<Arc<Stored>>,
    t: &Target,
    name: &str,
) -> Result<(), ApiError> {
    let ns = t.ns();
    match namespace {
        None => Err(ApiError::NotFound {
            gr: GroupResource::namespaces(),
            name: ns.to_string(),
        }),
        Some(n) if meta::is_deleting(&n.value) => Err(ApiError::Forbidden {
            gr: t.rt.gr(),
            name: name.to_string(),
            message: format!(
                "unable to create new content in namespace {ns} because it is being terminated"
            ),
            causes: vec![(
                "NamespaceTerminating".into(),
                format!("namespace {ns} is being terminated"),
                "metadata.namespace".into(),
            )],
        }),
        Some(_) => Ok(()),
    }
}
