//! Image pointers, each stored as one `ImagePointer` custom resource in the
//! project's namespace, and the check that asks the image's registry for it.

use std::collections::BTreeMap;

use berth_shared::message;
use berth_shared::{
    FieldError, ImagePointer as ImagePointerView, ImageReference, SaveImagePointer,
};
use kube::Client;
use kube::api::{Patch, PatchParams};
use serde_json::json;

use super::collection::{Collection, check_reference, keep_name, refuse};
use super::credentials::CredentialService;
use crate::error::ApiError;
use crate::kinds::{self, Kind};
use crate::registry::RegistryAccess;
use crate::storage::objects::MANAGED;
use crate::storage::resources::image_pointer::{
    ImagePointer, ImagePointerSpec, ImagePointerStatus,
};
use crate::storage::stamps;
use crate::storage::{Objects, StorageError};

const WHAT: &str = kinds::IMAGES.noun;

/// Reads and writes image pointers.
#[derive(Clone)]
pub struct ImageService {
    client: Client,
    registry: RegistryAccess,
    /// Where a pointer's credential is checked and read.
    credentials: CredentialService,
}

impl ImageService {
    pub fn new(client: Client, registry: RegistryAccess, credentials: CredentialService) -> Self {
        Self {
            client,
            registry,
            credentials,
        }
    }

    fn pointers(&self, namespace: &str) -> Objects<ImagePointer> {
        Objects::new(self.client.clone(), namespace, WHAT, MANAGED)
    }

    /// Image pointer name → its reference, for the job templates that name one.
    pub async fn references(&self, namespace: &str) -> Result<BTreeMap<String, String>, ApiError> {
        Ok(self
            .pointers(namespace)
            .list()
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
        match self.pointers(namespace).get(name).await {
            Ok(p) => Ok(Some(p.spec)),
            Err(StorageError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether a pointer of this name exists.
    pub async fn exists(&self, namespace: &str, name: &str) -> Result<bool, ApiError> {
        Ok(self.target(namespace, name).await?.is_some())
    }

    /// Validate a request, including that its credential exists.
    async fn check(
        &self,
        namespace: &str,
        request: &SaveImagePointer,
    ) -> Result<ImageReference, ApiError> {
        let mut errors = request.validate();
        let exists = |name: String| async move { self.credentials.exists(namespace, &name).await };
        let field = ("credential", &kinds::REGISTRY_CREDENTIALS);
        check_reference(&mut errors, field, request.credential_name(), exists).await?;
        refuse(errors)?;
        ImageReference::parse(&request.reference)
            .map_err(|e| ApiError::Validation(vec![FieldError::new("reference", e.message())]))
    }

    /// Ask the registry whether the image exists; record the digest and the
    /// time of the check (or why it failed) on the pointer.
    pub async fn verify(&self, namespace: &str, name: &str) -> Result<ImagePointerView, ApiError> {
        let pointers = self.pointers(namespace);
        let pointer = pointers.get(name).await?;
        let login = match pointer.spec.credential.as_deref() {
            Some(cred) => Some(self.credentials.login(namespace, cred).await.map_err(
                |e| match e {
                    ApiError::NotFound { .. } => ApiError::Validation(vec![FieldError::new(
                        "credential",
                        message!("image.credential.gone").with("name", cred),
                    )]),
                    other => other,
                },
            )?),
            None => None,
        };
        let answer = self
            .registry
            .manifest_digest(&pointer.spec.reference, login)
            .await;
        let now = stamps::now();
        let status = match &answer {
            Ok(digest) => ImagePointerStatus {
                digest: Some(digest.clone()),
                verified_at: Some(now),
                ..ImagePointerStatus::default()
            },
            Err(e) => {
                let message = e.message();
                ImagePointerStatus {
                    digest: None,
                    verified_at: Some(now),
                    last_error: Some(message.english()),
                    last_error_code: Some(message.code),
                    last_error_params: message.params,
                }
            }
        };
        tracing::info!(
            namespace,
            image = name,
            ok = answer.is_ok(),
            "image pointer verified"
        );
        let patched = pointers
            .api()
            .patch_status(
                name,
                &PatchParams::default(),
                &Patch::Merge(json!({ "status": merge_patch(&status) })),
            )
            .await?;
        match answer {
            Ok(_) => Ok(to_view(&patched)),
            Err(e) => Err(e.into()),
        }
    }
}

impl Collection for ImageService {
    const KIND: &'static Kind = &kinds::IMAGES;
    type View = ImagePointerView;
    type Body = SaveImagePointer;

    /// Every image pointer of the namespace, by name.
    async fn list(&self, namespace: &str) -> Result<Vec<ImagePointerView>, ApiError> {
        let mut items: Vec<ImagePointerView> = self
            .pointers(namespace)
            .list()
            .await?
            .iter()
            .map(to_view)
            .collect();
        items.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(items)
    }

    async fn get(&self, namespace: &str, name: &str) -> Result<ImagePointerView, ApiError> {
        Ok(to_view(&self.pointers(namespace).get(name).await?))
    }

    async fn create(
        &self,
        namespace: &str,
        request: SaveImagePointer,
        actor: &str,
    ) -> Result<ImagePointerView, ApiError> {
        let reference = self.check(namespace, &request).await?;
        let pointers = self.pointers(namespace);
        let mut pointer = ImagePointer::new(&request.name, spec(&request, &reference));
        pointer.metadata.labels = Some(pointers.labels());
        pointer.metadata.annotations = Some(stamps::created_by(actor));
        let created = pointers.create(&pointer).await?;
        tracing::info!(namespace, image = %request.name, "image pointer created");
        Ok(to_view(&created))
    }

    async fn replace(
        &self,
        namespace: &str,
        name: &str,
        mut request: SaveImagePointer,
        if_match: Option<String>,
        actor: &str,
    ) -> Result<ImagePointerView, ApiError> {
        keep_name(&mut request.name, name, message!("image.rename"))?;
        let pointers = self.pointers(namespace);
        let existing = pointers.get(name).await?;
        let reference = self.check(namespace, &request).await?;
        let version = pointers.version_to_replace(&existing.metadata, if_match)?;
        let new_spec = spec(&request, &reference);
        let target_changed = new_spec.reference != existing.spec.reference
            || new_spec.credential != existing.spec.credential;
        let pointer = ImagePointer {
            metadata: stamps::replacing(&existing.metadata, version, actor),
            spec: new_spec,
            status: existing.status.clone(),
        };
        let replaced = pointers.replace(name, &pointer).await?;
        tracing::info!(namespace, image = name, "image pointer changed");
        if target_changed && replaced.status.is_some() {
            // What the registry said was about another image (or access).
            let cleared = pointers
                .api()
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

    async fn delete(&self, namespace: &str, name: &str, _force: bool) -> Result<(), ApiError> {
        let pointers = self.pointers(namespace);
        pointers.get(name).await?;
        pointers.delete(name).await?;
        tracing::info!(namespace, image = name, "image pointer deleted");
        Ok(())
    }
}

fn spec(request: &SaveImagePointer, reference: &ImageReference) -> ImagePointerSpec {
    ImagePointerSpec {
        reference: reference.normalized(),
        credential: request.credential_name().map(str::to_owned),
        description: request.description.clone(),
    }
}

/// The status as a JSON merge patch: every field it does not have is
/// `null`, so what the last check left (a digest, an error) goes.
fn merge_patch(status: &ImagePointerStatus) -> serde_json::Value {
    let mut patch = json!({
        "digest": null,
        "verifiedAt": null,
        "lastError": null,
        "lastErrorCode": null,
        "lastErrorParams": null,
    });
    if let (Some(patch), Ok(serde_json::Value::Object(set))) =
        (patch.as_object_mut(), serde_json::to_value(status))
    {
        patch.extend(set);
    }
    patch
}

fn to_view(pointer: &ImagePointer) -> ImagePointerView {
    let meta = &pointer.metadata;
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
        last_error_code: status.last_error_code,
        last_error_params: status.last_error_params,
        stamps: stamps::of(meta),
    }
}
