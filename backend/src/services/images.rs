//! Image pointers, each stored as one `ImagePointer` custom resource in the
//! project's namespace, and the check that asks the image's registry for it.

use std::collections::BTreeMap;

use berth_shared::{
    FieldError, ImagePointer as ImagePointerView, ImageReference, SaveImagePointer,
};
use kube::api::{DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use serde_json::json;

use super::credentials::CredentialService;
use super::labels;
use super::registry::RegistryAccess;
use crate::error::ApiError;
use crate::resources::image_pointer::{ImagePointer, ImagePointerSpec, ImagePointerStatus};
use crate::routes::actor::Actor;

const WHAT: &str = "image pointer";

/// Reads and writes image pointers.
#[derive(Clone)]
pub struct ImageService {
    client: Client,
    registry: RegistryAccess,
}

impl ImageService {
    pub fn new(client: Client, registry: RegistryAccess) -> Self {
        Self { client, registry }
    }

    fn api(&self, namespace: &str) -> Api<ImagePointer> {
        Api::namespaced(self.client.clone(), namespace)
    }

    async fn all(&self, namespace: &str) -> Result<Vec<ImagePointer>, ApiError> {
        let params = ListParams::default().labels(&labels::managed_selector());
        Ok(self.api(namespace).list(&params).await?.items)
    }

    /// Every image pointer of the namespace, by name.
    pub async fn list(&self, namespace: &str) -> Result<Vec<ImagePointerView>, ApiError> {
        let mut items: Vec<ImagePointerView> =
            self.all(namespace).await?.iter().map(to_view).collect();
        items.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(items)
    }

    /// Credential name → the image pointers that use it.
    pub async fn usage(&self, namespace: &str) -> Result<BTreeMap<String, Vec<String>>, ApiError> {
        let mut usage: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for pointer in self.all(namespace).await? {
            if let (Some(cred), Some(name)) = (pointer.spec.credential, pointer.metadata.name) {
                usage.entry(cred).or_default().push(name);
            }
        }
        for names in usage.values_mut() {
            names.sort();
        }
        Ok(usage)
    }

    /// Image pointer name → its reference, for the job templates that name one.
    pub async fn references(&self, namespace: &str) -> Result<BTreeMap<String, String>, ApiError> {
        Ok(self
            .all(namespace)
            .await?
            .into_iter()
            .filter_map(|p| Some((p.metadata.name?, p.spec.reference)))
            .collect())
    }

    /// The reference and credential of a pointer, if it exists.
    pub async fn target(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<ImagePointerSpec>, ApiError> {
        match self.get_raw(namespace, name).await {
            Ok(p) => Ok(Some(p.spec)),
            Err(ApiError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether a pointer of this name exists.
    pub async fn exists(&self, namespace: &str, name: &str) -> Result<bool, ApiError> {
        Ok(self.target(namespace, name).await?.is_some())
    }

    async fn get_raw(&self, namespace: &str, name: &str) -> Result<ImagePointer, ApiError> {
        if berth_shared::validate_object_name(name).is_err() {
            return Err(not_found(name));
        }
        self.api(namespace)
            .get_opt(name)
            .await?
            .filter(|p| is_managed(&p.metadata))
            .ok_or_else(|| not_found(name))
    }

    pub async fn get(&self, namespace: &str, name: &str) -> Result<ImagePointerView, ApiError> {
        Ok(to_view(&self.get_raw(namespace, name).await?))
    }

    /// Validate a request, including that its credential exists.
    async fn check(
        &self,
        namespace: &str,
        request: &SaveImagePointer,
        credentials: &CredentialService,
    ) -> Result<ImageReference, ApiError> {
        let mut errors = request.validate();
        if let Some(cred) = request.credential_name()
            && errors.iter().all(|e| e.field != "credential")
            && !credentials.exists(namespace, cred).await?
        {
            errors.push(FieldError::new(
                "credential",
                format!("There is no registry credential named “{cred}” in this project."),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        ImageReference::parse(&request.reference)
            .map_err(|e| ApiError::Validation(vec![FieldError::new("reference", e)]))
    }

    pub async fn create(
        &self,
        namespace: &str,
        request: SaveImagePointer,
        actor: &Actor,
        credentials: &CredentialService,
    ) -> Result<ImagePointerView, ApiError> {
        let reference = self.check(namespace, &request, credentials).await?;
        let now = jiff::Timestamp::now().to_string();
        let mut pointer = ImagePointer::new(&request.name, spec(&request, &reference));
        pointer.metadata.labels = Some(BTreeMap::from([(
            labels::MANAGED_BY.to_owned(),
            labels::MANAGED_BY_VALUE.to_owned(),
        )]));
        pointer.metadata.annotations = Some(BTreeMap::from([
            (labels::CREATED_BY.to_owned(), actor.name.clone()),
            (labels::UPDATED_BY.to_owned(), actor.name.clone()),
            (labels::UPDATED_AT.to_owned(), now),
        ]));
        match self
            .api(namespace)
            .create(&PostParams::default(), &pointer)
            .await
        {
            Ok(created) => {
                tracing::info!(namespace, image = %request.name, "image pointer created");
                Ok(to_view(&created))
            }
            Err(kube::Error::Api(status)) if status.code == 409 => Err(ApiError::NameTaken {
                what: WHAT,
                name: request.name,
            }),
            Err(err) => Err(err.into()),
        }
    }

    pub async fn replace(
        &self,
        namespace: &str,
        name: &str,
        mut request: SaveImagePointer,
        if_match: Option<String>,
        actor: &Actor,
        credentials: &CredentialService,
    ) -> Result<ImagePointerView, ApiError> {
        if !request.name.is_empty() && request.name != name {
            return Err(ApiError::Validation(vec![FieldError::new(
                "name",
                "An image pointer cannot be renamed; create a new one instead.",
            )]));
        }
        request.name = name.to_owned();
        let existing = self.get_raw(namespace, name).await?;
        let reference = self.check(namespace, &request, credentials).await?;
        let version = match if_match {
            Some(v) if Some(&v) != existing.metadata.resource_version.as_ref() => {
                return Err(ApiError::StaleVersion { what: WHAT });
            }
            Some(v) => v,
            None => existing
                .metadata
                .resource_version
                .clone()
                .unwrap_or_default(),
        };
        let new_spec = spec(&request, &reference);
        let target_changed = new_spec.reference != existing.spec.reference
            || new_spec.credential != existing.spec.credential;
        let mut annotations = existing.metadata.annotations.clone().unwrap_or_default();
        annotations.insert(labels::UPDATED_BY.to_owned(), actor.name.clone());
        annotations.insert(
            labels::UPDATED_AT.to_owned(),
            jiff::Timestamp::now().to_string(),
        );
        let pointer = ImagePointer {
            metadata: ObjectMeta {
                resource_version: Some(version),
                annotations: Some(annotations),
                ..existing.metadata.clone()
            },
            spec: new_spec,
            status: existing.status.clone(),
        };
        let replaced = match self
            .api(namespace)
            .replace(name, &PostParams::default(), &pointer)
            .await
        {
            Ok(p) => p,
            Err(kube::Error::Api(status)) if status.code == 409 => {
                return Err(ApiError::StaleVersion { what: WHAT });
            }
            Err(kube::Error::Api(status)) if status.code == 404 => return Err(not_found(name)),
            Err(err) => return Err(err.into()),
        };
        tracing::info!(namespace, image = name, "image pointer changed");
        if target_changed && replaced.status.is_some() {
            // What the registry said was about another image (or access).
            let cleared = self
                .api(namespace)
                .patch_status(
                    name,
                    &PatchParams::default(),
                    &Patch::Merge(json!({"status": null})),
                )
                .await?;
            return Ok(to_view(&cleared));
        }
        Ok(to_view(&replaced))
    }

    pub async fn delete(&self, namespace: &str, name: &str) -> Result<(), ApiError> {
        self.get_raw(namespace, name).await?;
        match self
            .api(namespace)
            .delete(name, &DeleteParams::default())
            .await
        {
            Ok(_) => {
                tracing::info!(namespace, image = name, "image pointer deleted");
                Ok(())
            }
            Err(kube::Error::Api(status)) if status.code == 404 => Err(not_found(name)),
            Err(err) => Err(err.into()),
        }
    }

    /// Ask the registry whether the image exists; record the digest and the
    /// time of the check (or why it failed) on the pointer.
    pub async fn verify(
        &self,
        namespace: &str,
        name: &str,
        credentials: &CredentialService,
    ) -> Result<ImagePointerView, ApiError> {
        let pointer = self.get_raw(namespace, name).await?;
        let login = match pointer.spec.credential.as_deref() {
            Some(cred) => Some(credentials.login(namespace, cred).await.map_err(|e| match e {
                ApiError::NotFound { .. } => ApiError::Validation(vec![FieldError::new(
                    "credential",
                    format!("The registry credential “{cred}” no longer exists; choose another one."),
                )]),
                other => other,
            })?),
            None => None,
        };
        let answer = self
            .registry
            .manifest_digest(&pointer.spec.reference, login)
            .await;
        let now = jiff::Timestamp::now().to_string();
        let status = match &answer {
            Ok(digest) => ImagePointerStatus {
                digest: Some(digest.clone()),
                verified_at: Some(now),
                last_error: None,
            },
            Err(e) => ImagePointerStatus {
                digest: None,
                verified_at: Some(now),
                last_error: Some(e.to_string()),
            },
        };
        tracing::info!(
            namespace,
            image = name,
            ok = answer.is_ok(),
            "image pointer verified"
        );
        let patched = self
            .api(namespace)
            .patch_status(
                name,
                &PatchParams::default(),
                &Patch::Merge(json!({ "status": status })),
            )
            .await?;
        match answer {
            Ok(_) => Ok(to_view(&patched)),
            Err(e) => Err(e.into()),
        }
    }
}

fn spec(request: &SaveImagePointer, reference: &ImageReference) -> ImagePointerSpec {
    ImagePointerSpec {
        reference: reference.normalized(),
        credential: request.credential_name().map(str::to_owned),
        description: request.description.clone(),
    }
}

fn not_found(name: &str) -> ApiError {
    ApiError::NotFound {
        what: WHAT,
        name: name.to_owned(),
    }
}

fn is_managed(meta: &ObjectMeta) -> bool {
    meta.labels
        .as_ref()
        .and_then(|l| l.get(labels::MANAGED_BY))
        .map(String::as_str)
        == Some(labels::MANAGED_BY_VALUE)
}

fn to_view(pointer: &ImagePointer) -> ImagePointerView {
    let meta = &pointer.metadata;
    let annotation = |key: &str| meta.annotations.as_ref().and_then(|a| a.get(key)).cloned();
    let parts = ImageReference::parse(&pointer.spec.reference).unwrap_or_else(|_| ImageReference {
        registry: String::new(),
        repository: pointer.spec.reference.clone(),
        tag: None,
        digest: None,
    });
    let status = pointer.status.clone().unwrap_or_default();
    ImagePointerView {
        name: meta.name.clone().unwrap_or_default(),
        reference: pointer.spec.reference.clone(),
        parts,
        credential: pointer.spec.credential.clone(),
        description: pointer.spec.description.clone(),
        digest: status.digest,
        verified_at: status.verified_at,
        last_error: status.last_error,
        created_at: meta
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.to_string())
            .unwrap_or_default(),
        created_by: annotation(labels::CREATED_BY),
        updated_by: annotation(labels::UPDATED_BY),
        version: meta.resource_version.clone().unwrap_or_default(),
    }
}
