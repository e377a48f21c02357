//! The data inventory: every object Berth manages in a project's namespace,
//! found by the `app.kubernetes.io/managed-by=berth` label, described by its
//! metadata only. Secret values are dropped as soon as an object is read.
//!
//! Custom resources are read as `DynamicObject`s, so the inventory lists
//! image pointers and job templates whatever Rust types those features use.

use std::collections::BTreeMap;

use berth_shared::Message;
use berth_shared::inventory::{
    self as inv, Inventory, InventoryItem, KIND_ACTIVITY_LOG, KIND_IMAGE, KIND_JOB_TEMPLATE, KINDS,
    Location,
};
use berth_shared::message;
use kube::api::{ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams};
use kube::{Api, Client};

use super::projects::rfc3339;
use crate::error::ApiError;
use crate::kinds;
use crate::storage::{labels, stamps};

/// Berth's custom resources as the inventory reads them.
pub fn image_pointers() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("berth.dev", "v1alpha1", "ImagePointer"),
        "imagepointers",
    )
}

pub fn job_templates() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("berth.dev", "v1alpha1", "JobTemplate"),
        "jobtemplates",
    )
}

/// Job runs are batch Jobs.
pub fn jobs() -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("batch", "v1", "Job"), "jobs")
}

pub fn pods() -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("", "v1", "Pod"), "pods")
}

pub fn secrets() -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("", "v1", "Secret"), "secrets")
}

pub fn config_maps() -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("", "v1", "ConfigMap"), "configmaps")
}

/// Where a console kind is stored, and whether the object carries the
/// kind as its `berth.dev/kind` label.
fn resource_of(kind: &str) -> (ApiResource, bool) {
    match kind {
        KIND_IMAGE => (image_pointers(), false),
        KIND_JOB_TEMPLATE => (job_templates(), false),
        inv::KIND_JOB_RUN => (jobs(), true),
        KIND_ACTIVITY_LOG => (config_maps(), true),
        // Every other kind is a Secret labelled with that kind.
        _ => (secrets(), true),
    }
}

/// "There is no image named “web” in this project.", by the inventory's
/// name of each kind.
fn not_found(kind: &str, name: &str) -> Message {
    match kind {
        inv::KIND_REGISTRY_CREDENTIAL => kinds::REGISTRY_CREDENTIALS.not_found(name),
        inv::KIND_JOB_TEMPLATE => kinds::JOB_TEMPLATES.not_found(name),
        inv::KIND_JOB_RUN => kinds::JOB_RUNS.not_found(name),
        inv::KIND_IMAGE => message!("inventory.image.not_found").with("name", name),
        inv::KIND_JOB_TEMPLATE_ENV => {
            message!("inventory.job_template_env.not_found").with("name", name)
        }
        inv::KIND_JOB_RUN_ENV => message!("inventory.job_run_env.not_found").with("name", name),
        inv::KIND_ACTIVITY_LOG => message!("inventory.activity_log.not_found").with("name", name),
        _ => message!("inventory.other.not_found").with("name", name),
    }
}

/// Lists and deletes stored items.
#[derive(Clone)]
pub struct InventoryService {
    client: Client,
}

impl InventoryService {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    fn api(&self, namespace: &str, resource: &ApiResource) -> Api<DynamicObject> {
        Api::namespaced_with(self.client.clone(), namespace, resource)
    }

    /// Berth-managed objects of one resource; none when the resource does
    /// not exist in the cluster (its custom resource definition is missing).
    async fn managed(
        &self,
        namespace: &str,
        resource: &ApiResource,
    ) -> Result<Vec<DynamicObject>, ApiError> {
        let params = ListParams::default().labels(&labels::managed_selector());
        match self.api(namespace, resource).list(&params).await {
            Ok(list) => Ok(list
                .items
                .into_iter()
                .map(|mut o| {
                    // Metadata is all the inventory shows: drop everything
                    // else, secret values first of all, right here.
                    o.data = serde_json::Value::Null;
                    o
                })
                .collect()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(Vec::new()),
            Err(err) => Err(err.into()),
        }
    }

    /// Everything Berth stores in `namespace` for `project`.
    pub async fn inventory(&self, project: &str, namespace: &str) -> Result<Inventory, ApiError> {
        let mut items = Vec::new();
        for (kind, resource) in [
            (KIND_IMAGE, image_pointers()),
            (KIND_JOB_TEMPLATE, job_templates()),
        ] {
            for o in self.managed(namespace, &resource).await? {
                items.push(item(project, namespace, kind, &resource, &o, false));
            }
        }
        let secrets = secrets();
        for o in self.managed(namespace, &secrets).await? {
            let kind = o
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(labels::KIND))
                .cloned()
                .unwrap_or_else(|| "secret".to_owned());
            items.push(item(project, namespace, &kind, &secrets, &o, true));
        }
        // Job runs: their Jobs (their Pods, logs and snapshot go with them).
        let runs = ListParams::default().labels(&labels::job_run_selector());
        let jobs = jobs();
        for mut o in self.api(namespace, &jobs).list_metadata(&runs).await?.items {
            o.metadata.managed_fields = None;
            let o = DynamicObject {
                types: None,
                metadata: o.metadata,
                data: serde_json::Value::Null,
            };
            items.push(item(
                project,
                namespace,
                inv::KIND_JOB_RUN,
                &jobs,
                &o,
                false,
            ));
        }
        // The activity log: one item, whatever the number of ConfigMaps
        // its older entries take (they go with it).
        let maps = config_maps();
        for o in self.managed(namespace, &maps).await? {
            let kind = o.metadata.labels.as_ref().and_then(|l| l.get(labels::KIND));
            if kind.map(String::as_str) == Some(labels::KIND_ACTIVITY_PART) {
                continue;
            }
            items.push(item(
                project,
                namespace,
                KIND_ACTIVITY_LOG,
                &maps,
                &o,
                false,
            ));
        }
        let order = |kind: &str| KINDS.iter().position(|k| *k == kind).unwrap_or(KINDS.len());
        items.sort_by(|a, b| {
            order(&a.kind)
                .cmp(&order(&b.kind))
                .then_with(|| a.kind.cmp(&b.kind))
                .then_with(|| a.name.cmp(&b.name))
        });
        let mut totals: BTreeMap<String, usize> =
            KINDS.iter().map(|k| ((*k).to_owned(), 0)).collect();
        for i in &items {
            *totals.entry(i.kind.clone()).or_default() += 1;
        }
        Ok(Inventory {
            project: project.to_owned(),
            namespace: namespace.to_owned(),
            generated_at: rfc3339(jiff::Timestamp::now()),
            items,
            totals,
        })
    }

    /// Deletes one stored item, refusing anything Berth does not manage or
    /// that is not of this kind.
    pub async fn delete(&self, namespace: &str, kind: &str, name: &str) -> Result<(), ApiError> {
        let not_found = || ApiError::ItemNotFound(not_found(kind, name));
        if berth_shared::validate_object_name(name).is_err() {
            return Err(not_found());
        }
        let (resource, labelled) = resource_of(kind);
        let api = self.api(namespace, &resource);
        let Some(object) = api.get_opt(name).await? else {
            return Err(not_found());
        };
        let object_labels = object.metadata.labels.clone().unwrap_or_default();
        let managed = object_labels.get(labels::MANAGED_BY).map(String::as_str)
            == Some(labels::MANAGED_BY_VALUE);
        let right_kind =
            !labelled || object_labels.get(labels::KIND).map(String::as_str) == Some(kind);
        if !managed || !right_kind {
            return Err(not_found());
        }
        match api.delete(name, &DeleteParams::default()).await {
            Ok(_) => {
                tracing::info!(%namespace, %kind, %name, "stored item deleted");
                Ok(())
            }
            Err(kube::Error::Api(status)) if status.code == 404 => Err(not_found()),
            Err(err) => Err(err.into()),
        }
    }
}

fn item(
    project: &str,
    namespace: &str,
    kind: &str,
    resource: &ApiResource,
    o: &DynamicObject,
    is_secret: bool,
) -> InventoryItem {
    let meta = &o.metadata;
    let name = meta.name.clone().unwrap_or_default();
    let mut stamps = stamps::of(meta);
    // Never changed: changed last when it was created.
    if stamps.updated_at.is_none() {
        stamps.updated_at = Some(stamps.created_at.clone());
    }
    InventoryItem {
        kind: kind.to_owned(),
        name: name.clone(),
        location: Location {
            api_version: resource.api_version.clone(),
            kind: resource.kind.clone(),
            namespace: namespace.to_owned(),
            name: name.clone(),
            is_secret,
        },
        stamps,
        delete_path: delete_path(project, kind, &name),
    }
}

/// Where to `DELETE` an item: the endpoint of its own feature when there is
/// one (it applies that feature's rules, e.g. a credential still used by an
/// image is refused), otherwise the inventory's generic delete.
pub fn delete_path(project: &str, kind: &str, name: &str) -> String {
    match kind {
        inv::KIND_REGISTRY_CREDENTIAL => {
            format!("/api/v1/projects/{project}/registry-credentials/{name}")
        }
        KIND_IMAGE => format!("/api/v1/projects/{project}/images/{name}"),
        inv::KIND_JOB_RUN => format!("/api/v1/projects/{project}/job-runs/{name}"),
        _ => format!("/api/v1/projects/{project}/inventory/{kind}/{name}"),
    }
}
