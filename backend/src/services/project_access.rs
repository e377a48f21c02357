//! Berth's own access to a project's namespace: a RoleBinding there of the
//! ClusterRole `berth-project` (deploy/rbac.yaml) to Berth's service
//! account.
//!
//! Kubernetes RBAC cannot grant by namespace label, so instead of reading
//! secrets in every namespace, Berth is granted cluster-wide only what it
//! needs to make projects (namespaces, creating RoleBindings, and `bind` on
//! `berth-project` alone), and binds `berth-project` in each namespace it
//! creates. A start-up pass adds the binding to projects made before Berth
//! did this. Creating is idempotent (an existing binding is left as is), so
//! neither needs to read RoleBindings.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{RoleBinding, RoleRef, Subject};
use kube::api::{ListParams, ObjectMeta, PostParams};
use kube::{Api, Client};

use crate::error::ApiError;
use crate::storage::labels;

/// The ClusterRole bound in every project, and the binding's name.
pub const PROJECT_ROLE: &str = "berth-project";
/// Berth's service account (deploy/serviceaccount.yaml), in its own
/// namespace (`--system-namespace`, the namespace deploy/ installs into).
pub const SERVICE_ACCOUNT: &str = "berth";

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Binds `berth-project` to Berth in project namespaces.
#[derive(Clone)]
pub struct ProjectAccess {
    client: Client,
    system_namespace: String,
}

impl ProjectAccess {
    pub fn new(client: Client, system_namespace: impl Into<String>) -> Self {
        Self {
            client,
            system_namespace: system_namespace.into(),
        }
    }

    /// The RoleBinding that gives Berth its access to `namespace`.
    pub fn binding(&self, namespace: &str) -> RoleBinding {
        RoleBinding {
            metadata: ObjectMeta {
                name: Some(PROJECT_ROLE.to_owned()),
                namespace: Some(namespace.to_owned()),
                labels: Some(BTreeMap::from([(
                    labels::MANAGED_BY.to_owned(),
                    labels::MANAGED_BY_VALUE.to_owned(),
                )])),
                ..ObjectMeta::default()
            },
            role_ref: RoleRef {
                api_group: RBAC_GROUP.to_owned(),
                kind: "ClusterRole".to_owned(),
                name: PROJECT_ROLE.to_owned(),
            },
            subjects: Some(vec![Subject {
                kind: "ServiceAccount".to_owned(),
                name: SERVICE_ACCOUNT.to_owned(),
                namespace: Some(self.system_namespace.clone()),
                api_group: None,
            }]),
        }
    }

    /// Makes sure Berth may work in `namespace` (a project's); an existing
    /// binding counts as done.
    pub async fn grant(&self, namespace: &str) -> Result<(), ApiError> {
        let api: Api<RoleBinding> = Api::namespaced(self.client.clone(), namespace);
        match api
            .create(&PostParams::default(), &self.binding(namespace))
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// The start-up pass: every project namespace that is not being
    /// deleted gets its binding. Failures are logged; the pass of the next
    /// start retries them.
    pub async fn grant_missing(self) {
        let namespaces: Api<Namespace> = Api::all(self.client.clone());
        let listed = namespaces
            .list(&ListParams::default().labels(&labels::project_selector()))
            .await;
        let list = match listed {
            Ok(list) => list,
            Err(err) => {
                tracing::warn!(error = %err, "listing projects to bind their access role failed");
                return;
            }
        };
        for ns in list.items {
            let Some(name) = ns.metadata.name else {
                continue;
            };
            if ns.metadata.deletion_timestamp.is_some() {
                continue;
            }
            if let Err(err) = self.grant(&name).await {
                tracing::warn!(namespace = %name, error = %err, "binding the project access role failed");
            }
        }
    }
}
