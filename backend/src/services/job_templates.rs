//! Job templates, each stored as one `JobTemplate` custom resource in the
//! project's namespace, with its sensitive environment values in a companion
//! Opaque Secret (`<template>-env`) that is never read back to a caller.
//!
//! Consistency without transactions: on create the custom resource comes
//! first and the Secret names it as its owner (so a real cluster's garbage
//! collector removes it with the template); if the Secret cannot be written
//! the template is removed again. On delete the Secret goes first: a
//! template left behind by a failed second step is still listed and can be
//! deleted again, while a Secret left behind would be an invisible orphan.

use std::collections::BTreeMap;

use berth_shared::job_templates::Indices;
use berth_shared::message;
use berth_shared::{
    FieldError, ImageReference, JobTemplate as JobTemplateView, SaveJobTemplate, inventory,
};
use k8s_openapi::ByteString;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{DeleteParams, ObjectMeta, PostParams};
use kube::{Api, Client, Resource};
use zeroize::{Zeroize, Zeroizing};

use super::collection::{Collection, check_reference, keep_name, refuse};
use super::images::ImageService;
use super::job_render::{self, JobImage};
use crate::error::ApiError;
use crate::kinds::{self, Kind};
use crate::storage::labels;
use crate::storage::objects::MANAGED;
use crate::storage::resources::job_template::{
    JobTemplate, JobTemplateSpec, TemplateEnvVar, secret_name,
};
use crate::storage::stamps;
use crate::storage::{Objects, StorageError};

const WHAT: &str = kinds::JOB_TEMPLATES.noun;

/// Sensitive values by variable name, wiped when dropped.
pub type SecretValues = BTreeMap<String, Zeroizing<Vec<u8>>>;

/// Reads and writes job templates.
#[derive(Clone)]
pub struct JobTemplateService {
    client: Client,
    /// Where a template's image pointer is checked and read.
    images: ImageService,
}

impl JobTemplateService {
    pub fn new(client: Client, images: ImageService) -> Self {
        Self { client, images }
    }

    fn templates(&self, namespace: &str) -> Objects<JobTemplate> {
        Objects::new(self.client.clone(), namespace, WHAT, MANAGED)
    }

    fn secrets(&self, namespace: &str) -> Api<Secret> {
        Api::namespaced(self.client.clone(), namespace)
    }

    /// The stored custom resource of a live template.
    pub async fn get_raw(&self, namespace: &str, name: &str) -> Result<JobTemplate, ApiError> {
        let templates = self.templates(namespace);
        let template = templates.get(name).await?;
        if template.metadata.deletion_timestamp.is_some() {
            return Err(templates.not_found(name).into());
        }
        Ok(template)
    }

    /// The sensitive values stored for `template` (none without a Secret).
    pub async fn stored_values(
        &self,
        namespace: &str,
        template: &str,
    ) -> Result<SecretValues, ApiError> {
        let Some(mut secret) = self
            .secrets(namespace)
            .get_opt(&secret_name(template))
            .await?
        else {
            return Ok(SecretValues::new());
        };
        if !is_companion(&secret.metadata, template) {
            return Ok(SecretValues::new());
        }
        Ok(secret
            .data
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Zeroizing::new(v.0)))
            .collect())
    }

    /// Validate a request against the shared rules and the project's image
    /// pointers; the spec and the sensitive values to store.
    async fn check(
        &self,
        namespace: &str,
        request: &mut SaveJobTemplate,
        stored: &SecretValues,
    ) -> Result<(JobTemplateSpec, SecretValues), ApiError> {
        let stored_names: Vec<String> = stored.keys().cloned().collect();
        let mut errors = request.validate(&stored_names);
        let exists = |name: String| async move { self.images.exists(namespace, &name).await };
        let field = ("imagePointer", &kinds::IMAGES);
        check_reference(&mut errors, field, request.pointer_name(), exists).await?;
        refuse(errors)?;
        let mut values = SecretValues::new();
        let mut env = Vec::with_capacity(request.env.len());
        for var in &mut request.env {
            if var.sensitive {
                let value = if var.value.is_empty() {
                    stored.get(&var.name).cloned().unwrap_or_default()
                } else {
                    Zeroizing::new(std::mem::take(&mut var.value).into_bytes())
                };
                values.insert(var.name.clone(), value);
            }
            env.push(TemplateEnvVar {
                name: var.name.clone(),
                value: (!var.sensitive).then(|| var.value.clone()),
                sensitive: var.sensitive,
            });
        }
        let image = match request.pointer_name() {
            Some(_) => None,
            None => Some(
                ImageReference::parse(&request.image)
                    .map_err(|e| ApiError::Validation(vec![FieldError::new("image", e.message())]))?
                    .normalized(),
            ),
        };
        let indices = Indices::parse(&request.indices)
            .map_err(|e| ApiError::Validation(vec![FieldError::new("indices", e.message())]))?;
        let spec = JobTemplateSpec {
            description: request.description.clone(),
            image_pointer: request.pointer_name().map(str::to_owned),
            image,
            command: request.command.clone(),
            args: request.args.clone(),
            env,
            size: request.size,
            indices: indices.is_array().then(|| indices.normalized()),
            retry_limit: request.retry_limit,
            max_execution_seconds: request.max_execution_seconds,
        };
        Ok((spec, values))
    }

    async fn create_secret(
        &self,
        namespace: &str,
        owner: &JobTemplate,
        values: SecretValues,
    ) -> Result<(), ApiError> {
        let name = owner.metadata.name.clone().unwrap_or_default();
        let mut secret = companion(owner, values, None);
        let result = self
            .secrets(namespace)
            .create(&PostParams::default(), &secret)
            .await;
        wipe(&mut secret);
        match result.map_err(StorageError::from) {
            Ok(_) => Ok(()),
            Err(StorageError::Conflict(_)) => Err(ApiError::Validation(vec![FieldError::new(
                "name",
                message!("job_template.secret.taken").with("secret", secret_name(&name)),
            )])),
            Err(err) => Err(err.into()),
        }
    }

    /// Make the companion Secret hold exactly `values` (none: no Secret).
    async fn sync_secret(
        &self,
        namespace: &str,
        owner: &JobTemplate,
        values: SecretValues,
    ) -> Result<(), ApiError> {
        let template = owner.metadata.name.clone().unwrap_or_default();
        let name = secret_name(&template);
        let existing = self
            .secrets(namespace)
            .get_metadata_opt(&name)
            .await?
            .filter(|s| is_companion(&s.metadata, &template));
        match (existing, values.is_empty()) {
            (None, true) => Ok(()),
            (None, false) => self.create_secret(namespace, owner, values).await,
            (Some(_), true) => self.delete_secret(namespace, &template).await,
            (Some(meta), false) => {
                let mut secret = companion(owner, values, meta.metadata.resource_version);
                let result = self
                    .secrets(namespace)
                    .replace(&name, &PostParams::default(), &secret)
                    .await;
                wipe(&mut secret);
                result.map(|_| ()).map_err(ApiError::from)
            }
        }
    }

    async fn delete_secret(&self, namespace: &str, template: &str) -> Result<(), ApiError> {
        match self
            .secrets(namespace)
            .delete(&secret_name(template), &DeleteParams::default())
            .await
            .map_err(StorageError::from)
        {
            Ok(_) | Err(StorageError::Gone(_)) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// The `batch/v1` Job the template would become.
    pub async fn job(&self, namespace: &str, name: &str) -> Result<Job, ApiError> {
        let template = self.get_raw(namespace, name).await?;
        let image = self.image(namespace, &template).await?;
        Ok(job_render::render(namespace, &template, image))
    }

    /// The image a template runs and the pull Secret that reaches it.
    pub async fn image(
        &self,
        namespace: &str,
        template: &JobTemplate,
    ) -> Result<JobImage, ApiError> {
        Ok(match &template.spec.image_pointer {
            Some(pointer) => {
                let target = self
                    .images
                    .target(namespace, pointer)
                    .await?
                    .ok_or_else(|| {
                        ApiError::Validation(vec![FieldError::new(
                            "imagePointer",
                            message!("job_template.image_pointer.gone").with("name", pointer),
                        )])
                    })?;
                JobImage {
                    reference: target.reference,
                    pull_secret: target.credential,
                }
            }
            None => JobImage {
                reference: template.spec.image.clone().unwrap_or_default(),
                pull_secret: None,
            },
        })
    }
}

impl Collection for JobTemplateService {
    const KIND: &'static Kind = &kinds::JOB_TEMPLATES;
    type View = JobTemplateView;
    type Body = SaveJobTemplate;

    /// Every template of the namespace, by name (those being deleted left out).
    async fn list(&self, namespace: &str) -> Result<Vec<JobTemplateView>, ApiError> {
        let pointers = self.images.references(namespace).await?;
        let mut items: Vec<JobTemplateView> = self
            .templates(namespace)
            .list()
            .await?
            .iter()
            .filter(|t| t.metadata.deletion_timestamp.is_none())
            .map(|t| to_view(t, &pointers))
            .collect();
        items.sort_by(|a, b| a.fields.name.cmp(&b.fields.name));
        Ok(items)
    }

    async fn get(&self, namespace: &str, name: &str) -> Result<JobTemplateView, ApiError> {
        let template = self.get_raw(namespace, name).await?;
        Ok(to_view(
            &template,
            &self.images.references(namespace).await?,
        ))
    }

    async fn create(
        &self,
        namespace: &str,
        mut request: SaveJobTemplate,
        actor: &str,
    ) -> Result<JobTemplateView, ApiError> {
        let source = match request
            .copy_sensitive_from
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            Some(source) => {
                self.get_raw(namespace, source).await?;
                self.stored_values(namespace, source).await?
            }
            None => SecretValues::new(),
        };
        let (spec, values) = self.check(namespace, &mut request, &source).await?;
        drop(source);
        let templates = self.templates(namespace);
        let mut template = JobTemplate::new(&request.name, spec);
        template.metadata.labels = Some(templates.labels());
        template.metadata.annotations = Some(stamps::created_by(actor));
        let created = templates.create(&template).await?;
        if !values.is_empty()
            && let Err(err) = self.create_secret(namespace, &created, values).await
        {
            // Leave nothing half-made behind: the template goes again.
            if let Err(undo) = templates.delete(&request.name).await {
                tracing::error!(namespace, template = %request.name, error = %undo, "could not remove a job template whose secret values were not stored");
            }
            return Err(err);
        }
        tracing::info!(namespace, template = %request.name, "job template created");
        Ok(to_view(&created, &self.images.references(namespace).await?))
    }

    async fn replace(
        &self,
        namespace: &str,
        name: &str,
        mut request: SaveJobTemplate,
        if_match: Option<String>,
        actor: &str,
    ) -> Result<JobTemplateView, ApiError> {
        keep_name(&mut request.name, name, message!("job_template.rename"))?;
        request.copy_sensitive_from = None;
        let templates = self.templates(namespace);
        let existing = self.get_raw(namespace, name).await?;
        let version = templates.version_to_replace(&existing.metadata, if_match)?;
        let stored = self.stored_values(namespace, name).await?;
        let (spec, values) = self.check(namespace, &mut request, &stored).await?;
        let template = JobTemplate {
            metadata: stamps::replacing(&existing.metadata, version, actor),
            spec,
        };
        let replaced = templates.replace(name, &template).await?;
        self.sync_secret(namespace, &replaced, values).await?;
        tracing::info!(namespace, template = name, "job template changed");
        Ok(to_view(
            &replaced,
            &self.images.references(namespace).await?,
        ))
    }

    /// Delete the Secret, then the template (see the module's notes).
    async fn delete(&self, namespace: &str, name: &str, _force: bool) -> Result<(), ApiError> {
        self.get_raw(namespace, name).await?;
        let has_companion = self
            .secrets(namespace)
            .get_metadata_opt(&secret_name(name))
            .await?
            .is_some_and(|s| is_companion(&s.metadata, name));
        if has_companion {
            self.delete_secret(namespace, name).await?;
        }
        match self.templates(namespace).delete(name).await {
            Ok(()) | Err(StorageError::NotFound { .. }) => {}
            Err(err) => return Err(err.into()),
        }
        tracing::info!(namespace, template = name, "job template deleted");
        Ok(())
    }
}

fn managed_labels() -> BTreeMap<String, String> {
    crate::storage::objects::label_map(MANAGED)
}

/// The companion Secret of `owner`, owned by it.
fn companion(owner: &JobTemplate, values: SecretValues, version: Option<String>) -> Secret {
    let template = owner.metadata.name.clone().unwrap_or_default();
    let mut labels_ = managed_labels();
    labels_.insert(
        labels::KIND.to_owned(),
        labels::KIND_JOB_TEMPLATE_ENV.to_owned(),
    );
    labels_.insert(labels::JOB_TEMPLATE.to_owned(), template.clone());
    Secret {
        metadata: ObjectMeta {
            name: Some(secret_name(&template)),
            resource_version: version,
            labels: Some(labels_),
            owner_references: Some(vec![OwnerReference {
                api_version: JobTemplate::api_version(&()).into_owned(),
                kind: JobTemplate::kind(&()).into_owned(),
                name: template,
                uid: owner.metadata.uid.clone().unwrap_or_default(),
                block_owner_deletion: Some(true),
                controller: Some(true),
            }]),
            ..ObjectMeta::default()
        },
        type_: Some("Opaque".to_owned()),
        data: Some(
            values
                .into_iter()
                .map(|(k, v)| (k, ByteString(v.to_vec())))
                .collect(),
        ),
        ..Secret::default()
    }
}

/// Zeroise the values of a Secret we built.
fn wipe(secret: &mut Secret) {
    if let Some(data) = secret.data.as_mut() {
        for value in data.values_mut() {
            value.0.zeroize();
        }
    }
    secret.data = None;
}

fn is_companion(meta: &ObjectMeta, template: &str) -> bool {
    meta.labels.as_ref().is_some_and(|l| {
        l.get(labels::KIND).map(String::as_str) == Some(inventory::KIND_JOB_TEMPLATE_ENV)
            && l.get(labels::JOB_TEMPLATE).map(String::as_str) == Some(template)
    })
}

/// The API's view of a stored template; `pointers` maps image pointer names
/// to their references.
fn to_view(template: &JobTemplate, pointers: &BTreeMap<String, String>) -> JobTemplateView {
    let meta = &template.metadata;
    let spec = &template.spec;
    let indices = spec.indices.clone().unwrap_or_default();
    let instances = Indices::parse(&indices).map_or(1, |i| i.instances());
    let image_reference = match &spec.image_pointer {
        Some(p) => pointers.get(p).cloned().unwrap_or_default(),
        None => spec.image.clone().unwrap_or_default(),
    };
    JobTemplateView {
        fields: SaveJobTemplate {
            name: meta.name.clone().unwrap_or_default(),
            description: spec.description.clone(),
            image_pointer: spec.image_pointer.clone(),
            image: spec.image.clone().unwrap_or_default(),
            command: spec.command.clone(),
            args: spec.args.clone(),
            env: spec
                .env
                .iter()
                .map(|v| berth_shared::EnvVar {
                    name: v.name.clone(),
                    value: if v.sensitive {
                        String::new()
                    } else {
                        v.value.clone().unwrap_or_default()
                    },
                    sensitive: v.sensitive,
                })
                .collect(),
            size: spec.size,
            indices,
            retry_limit: spec.retry_limit,
            max_execution_seconds: spec.max_execution_seconds,
            copy_sensitive_from: None,
        },
        image_reference,
        instances,
        stamps: stamps::of(meta),
    }
}
