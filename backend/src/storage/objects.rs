//! One typed accessor for the objects Berth keeps in a project's namespace:
//! get, list, create, replace guarded by version, delete. The API's answers
//! become [`StorageError`]s here, once, for every kind.

use std::collections::BTreeMap;
use std::fmt::Debug;

use kube::api::{DeleteParams, ListParams, ObjectMeta, PartialObjectMeta, PostParams};
use kube::{Api, Client, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::StorageError;
use super::labels;

/// The objects of one kind in one namespace that carry `labels` (Berth's
/// `managed-by` label, and a `berth.dev/kind` for Secrets). An object
/// without them is not Berth's: it reads as missing.
pub struct Objects<K> {
    api: Api<K>,
    /// What people call one object, for errors.
    what: &'static str,
    labels: &'static [(&'static str, &'static str)],
}

/// The labels of every object Berth manages.
pub const MANAGED: &[(&str, &str)] = &[(labels::MANAGED_BY, labels::MANAGED_BY_VALUE)];

/// `labels` as an object's labels.
pub fn label_map(labels: &[(&str, &str)]) -> BTreeMap<String, String> {
    labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl<K> Objects<K>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + Debug
        + Serialize
        + DeserializeOwned,
{
    pub fn new(
        client: Client,
        namespace: &str,
        what: &'static str,
        labels: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self {
            api: Api::namespaced(client, namespace),
            what,
            labels,
        }
    }

    /// The raw API, for what only one kind does (status patches).
    pub fn api(&self) -> &Api<K> {
        &self.api
    }

    /// The labels a new object of this kind carries.
    pub fn labels(&self) -> BTreeMap<String, String> {
        label_map(self.labels)
    }

    /// Whether `meta` carries this kind's labels.
    pub fn owns(&self, meta: &ObjectMeta) -> bool {
        let have = meta.labels.as_ref();
        self.labels
            .iter()
            .all(|(k, v)| have.and_then(|l| l.get(*k)).map(String::as_str) == Some(*v))
    }

    fn params(&self) -> ListParams {
        let selector: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        ListParams::default().labels(&selector.join(","))
    }

    pub fn not_found(&self, name: &str) -> StorageError {
        StorageError::NotFound {
            what: self.what,
            name: name.to_owned(),
        }
    }

    /// Every object of the kind.
    pub async fn list(&self) -> Result<Vec<K>, StorageError> {
        Ok(self.api.list(&self.params()).await?.items)
    }

    /// The metadata of every object of the kind (no data is read).
    pub async fn list_metadata(&self) -> Result<Vec<PartialObjectMeta<K>>, StorageError> {
        Ok(self.api.list_metadata(&self.params()).await?.items)
    }

    /// One object; a name that cannot be an object's is simply not found.
    pub async fn get(&self, name: &str) -> Result<K, StorageError> {
        if berth_shared::validate_object_name(name).is_err() {
            return Err(self.not_found(name));
        }
        self.api
            .get_opt(name)
            .await?
            .filter(|o| self.owns(o.meta()))
            .ok_or_else(|| self.not_found(name))
    }

    /// One object's metadata (no data is read).
    pub async fn get_metadata(&self, name: &str) -> Result<ObjectMeta, StorageError> {
        if berth_shared::validate_object_name(name).is_err() {
            return Err(self.not_found(name));
        }
        self.api
            .get_metadata_opt(name)
            .await?
            .map(|o| o.metadata)
            .filter(|m| self.owns(m))
            .ok_or_else(|| self.not_found(name))
    }

    /// Create; the name must be free.
    pub async fn create(&self, object: &K) -> Result<K, StorageError> {
        self.api
            .create(&PostParams::default(), object)
            .await
            .map_err(|e| match StorageError::from(e) {
                StorageError::Conflict(_) => StorageError::NameTaken {
                    what: self.what,
                    name: object.meta().name.clone().unwrap_or_default(),
                },
                other => other,
            })
    }

    /// Replace; `object` carries the version it replaces, and a newer one
    /// stored meanwhile makes this [`StorageError::Stale`].
    pub async fn replace(&self, name: &str, object: &K) -> Result<K, StorageError> {
        self.api
            .replace(name, &PostParams::default(), object)
            .await
            .map_err(|e| self.named(e, name))
    }

    /// Delete.
    pub async fn delete(&self, name: &str) -> Result<(), StorageError> {
        self.api
            .delete(name, &DeleteParams::default())
            .await
            .map(|_| ())
            .map_err(|e| self.named(e, name))
    }

    /// The version a replacement of `existing` must carry: the caller's
    /// `If-Match` when it is still current, else refused as stale; the
    /// current one when the caller sent none.
    pub fn version_to_replace(
        &self,
        existing: &ObjectMeta,
        if_match: Option<String>,
    ) -> Result<String, StorageError> {
        let current = existing.resource_version.clone().unwrap_or_default();
        match if_match {
            Some(v) if v != current => Err(StorageError::Stale { what: self.what }),
            _ => Ok(current),
        }
    }

    fn named(&self, err: kube::Error, name: &str) -> StorageError {
        match StorageError::from(err) {
            StorageError::Gone(_) => self.not_found(name),
            StorageError::Conflict(_) => StorageError::Stale { what: self.what },
            other => other,
        }
    }
}
