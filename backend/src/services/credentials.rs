//! Registry credentials, each stored as one `kubernetes.io/dockerconfigjson`
//! Secret in the project's namespace. Write-only: nothing here returns a
//! secret value to a caller outside the backend; only the registry check
//! ([`CredentialService::login`]) reads one back, to send it to the registry.

use std::collections::BTreeMap;

use base64::Engine;
use berth_shared::credentials::{docker_config_json, validate_credential};
use berth_shared::message;
use berth_shared::{FieldError, RegistryCredential, RegistryKind};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::ObjectMeta;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use super::collection::{Collection, keep_name, refuse};
use crate::error::ApiError;
use crate::kinds::{self, Kind};
use crate::storage::Objects;
use crate::storage::labels;
use crate::storage::objects::{MANAGED, label_map};
use crate::storage::resources::image_pointer::ImagePointer;
use crate::storage::stamps::{self, annotation};

/// The Secret type the kubelet reads image pull credentials from.
pub const DOCKER_CONFIG_JSON_TYPE: &str = "kubernetes.io/dockerconfigjson";
/// The key of the Secret's data that holds the config.
pub const DOCKER_CONFIG_JSON_KEY: &str = ".dockerconfigjson";
const WHAT: &str = kinds::REGISTRY_CREDENTIALS.noun;
/// The labels of a credential's Secret.
const LABELS: &[(&str, &str)] = &[
    (labels::MANAGED_BY, labels::MANAGED_BY_VALUE),
    (labels::KIND, labels::KIND_REGISTRY_CREDENTIAL),
];

/// The body of `POST`/`PUT .../registry-credentials`, as the server reads
/// it: the secret goes straight into a [`SecretString`] (zeroised on drop,
/// `[REDACTED]` in `Debug`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialBody {
    #[serde(default)]
    pub name: String,
    pub kind: RegistryKind,
    #[serde(default)]
    pub server: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub secret: Option<SecretString>,
}

impl CredentialBody {
    fn secret_chars(&self) -> usize {
        self.secret
            .as_ref()
            .map_or(0, |s| s.expose_secret().chars().count())
    }
}

/// Reads and writes registry credentials.
#[derive(Clone)]
pub struct CredentialService {
    client: Client,
}

impl CredentialService {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    fn secrets(&self, namespace: &str) -> Objects<Secret> {
        Objects::new(self.client.clone(), namespace, WHAT, LABELS)
    }

    /// Credential name → the image pointers that use it.
    async fn usage(&self, namespace: &str) -> Result<BTreeMap<String, Vec<String>>, ApiError> {
        let pointers: Objects<ImagePointer> =
            Objects::new(self.client.clone(), namespace, kinds::IMAGES.noun, MANAGED);
        let mut usage: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for pointer in pointers.list().await? {
            if let (Some(cred), Some(name)) = (pointer.spec.credential, pointer.metadata.name) {
                usage.entry(cred).or_default().push(name);
            }
        }
        for names in usage.values_mut() {
            names.sort();
        }
        Ok(usage)
    }

    /// Whether a credential of this name exists.
    pub async fn exists(&self, namespace: &str, name: &str) -> Result<bool, ApiError> {
        match self.secrets(namespace).get_metadata(name).await {
            Ok(_) => Ok(true),
            Err(crate::storage::StorageError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The user name and secret of a credential, for the registry check only.
    pub async fn login(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<(String, SecretString), ApiError> {
        let mut secret = self.secrets(namespace).get(name).await?;
        let server = annotation(&secret.metadata, labels::REGISTRY_SERVER).unwrap_or_default();
        let mut data = secret
            .data
            .take()
            .and_then(|mut d| d.remove(DOCKER_CONFIG_JSON_KEY))
            .map(|b| Zeroizing::new(b.0))
            .ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "registry credential {name} has no {DOCKER_CONFIG_JSON_KEY}"
                ))
            })?;
        wipe(&mut secret);
        let parsed = read_login(&data, &server);
        data.zeroize();
        parsed.ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "registry credential {name} does not hold a login for {server}"
            ))
        })
    }
}

impl Collection for CredentialService {
    const KIND: &'static Kind = &kinds::REGISTRY_CREDENTIALS;
    type View = RegistryCredential;
    type Body = CredentialBody;

    /// Every credential of the namespace, by name, with the image pointers
    /// that use each.
    async fn list(&self, namespace: &str) -> Result<Vec<RegistryCredential>, ApiError> {
        let list = self.secrets(namespace).list_metadata().await?;
        let mut usage = self.usage(namespace).await?;
        let mut items: Vec<RegistryCredential> = list
            .iter()
            .map(|m| to_credential(&m.metadata))
            .map(|mut c| {
                c.used_by = usage.remove(&c.name).unwrap_or_default();
                c
            })
            .collect();
        items.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(items)
    }

    /// One credential's metadata.
    async fn get(&self, namespace: &str, name: &str) -> Result<RegistryCredential, ApiError> {
        let mut credential = to_credential(&self.secrets(namespace).get_metadata(name).await?);
        credential.used_by = self
            .usage(namespace)
            .await?
            .remove(name)
            .unwrap_or_default();
        Ok(credential)
    }

    /// Create a credential; its name must be free.
    async fn create(
        &self,
        namespace: &str,
        body: CredentialBody,
        actor: &str,
    ) -> Result<RegistryCredential, ApiError> {
        check(&body)?;
        let mut annotations = annotations(&body, actor);
        annotations.insert(labels::CREATED_BY.to_owned(), actor.to_owned());
        let mut secret = build_secret(&body, annotations, None)?;
        let result = self.secrets(namespace).create(&secret).await;
        wipe(&mut secret);
        drop(body);
        let created = result?;
        tracing::info!(namespace, credential = ?created.metadata.name, "registry credential created");
        Ok(to_credential(&created.metadata))
    }

    /// Replace a credential. The secret must be typed again: Berth never
    /// reuses a stored secret for a changed credential.
    async fn replace(
        &self,
        namespace: &str,
        name: &str,
        mut body: CredentialBody,
        if_match: Option<String>,
        actor: &str,
    ) -> Result<RegistryCredential, ApiError> {
        let secrets = self.secrets(namespace);
        let existing = secrets.get_metadata(name).await?;
        keep_name(&mut body.name, name, message!("credential.rename"))?;
        if body.secret_chars() == 0 {
            let old_user = annotation(&existing, labels::REGISTRY_USERNAME).unwrap_or_default();
            let message = if body.kind.effective_username(&body.username) != old_user {
                message!("credential.secret.retype_for_user")
            } else {
                message!("credential.secret.retype")
            };
            let mut errors = vec![FieldError::new("secret", message)];
            errors.extend(validate_credential(
                &body.name,
                body.kind,
                &body.server,
                &body.username,
                1,
            ));
            return Err(ApiError::Validation(errors));
        }
        check(&body)?;
        let version = secrets.version_to_replace(&existing, if_match)?;
        let mut annotations = annotations(&body, actor);
        if let Some(by) = annotation(&existing, labels::CREATED_BY) {
            annotations.insert(labels::CREATED_BY.to_owned(), by);
        }
        let mut secret = build_secret(&body, annotations, Some(version))?;
        secret.metadata.creation_timestamp = existing.creation_timestamp.clone();
        let result = secrets.replace(name, &secret).await;
        wipe(&mut secret);
        drop(body);
        let replaced = result?;
        tracing::info!(namespace, credential = name, "registry credential replaced");
        Ok(to_credential(&replaced.metadata))
    }

    /// Delete a credential; refused while image pointers use it, unless
    /// `force`.
    async fn delete(&self, namespace: &str, name: &str, force: bool) -> Result<(), ApiError> {
        let secrets = self.secrets(namespace);
        secrets.get_metadata(name).await?;
        if !force {
            let used_by = self
                .usage(namespace)
                .await?
                .remove(name)
                .unwrap_or_default();
            if !used_by.is_empty() {
                return Err(ApiError::CredentialInUse {
                    name: name.to_owned(),
                    used_by,
                });
            }
        }
        secrets.delete(name).await?;
        tracing::info!(
            namespace,
            credential = name,
            force,
            "registry credential deleted"
        );
        Ok(())
    }
}

/// The login of `server` in a `.dockerconfigjson`, without keeping copies
/// of the password outside a `SecretString`.
fn read_login(data: &[u8], server: &str) -> Option<(String, SecretString)> {
    #[derive(Deserialize)]
    struct Config {
        auths: BTreeMap<String, Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        username: String,
        password: SecretString,
    }
    let config: Config = serde_json::from_slice(data).ok()?;
    let mut auths = config.auths;
    let entry = auths
        .remove(server)
        .or_else(|| auths.into_values().next())?;
    Some((entry.username, entry.password))
}

fn check(body: &CredentialBody) -> Result<(), ApiError> {
    let errors = validate_credential(
        &body.name,
        body.kind,
        &body.server,
        &body.username,
        body.secret_chars(),
    );
    refuse(errors)
}

fn annotations(body: &CredentialBody, actor: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            labels::REGISTRY_KIND.to_owned(),
            body.kind.as_str().to_owned(),
        ),
        (
            labels::REGISTRY_SERVER.to_owned(),
            body.kind.effective_server(&body.server),
        ),
        (
            labels::REGISTRY_USERNAME.to_owned(),
            body.kind.effective_username(&body.username),
        ),
    ])
    .into_iter()
    .chain(stamps::changed_by(BTreeMap::new(), actor))
    .collect()
}

/// The Secret for `body`. Every intermediate copy of the secret is zeroised
/// when this returns; the caller wipes the Secret after sending it.
fn build_secret(
    body: &CredentialBody,
    annotations: BTreeMap<String, String>,
    version: Option<String>,
) -> Result<Secret, ApiError> {
    let password = body
        .secret
        .as_ref()
        .map(ExposeSecret::expose_secret)
        .unwrap_or_default();
    let server = body.kind.effective_server(&body.server);
    let username = body.kind.effective_username(&body.username);
    let user_password = Zeroizing::new(format!("{username}:{password}"));
    let auth =
        Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(user_password.as_bytes()));
    let config = Zeroizing::new(docker_config_json(&server, &username, password, &auth));
    Ok(Secret {
        metadata: ObjectMeta {
            name: Some(body.name.clone()),
            resource_version: version,
            labels: Some(label_map(LABELS)),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        },
        type_: Some(DOCKER_CONFIG_JSON_TYPE.to_owned()),
        data: Some(BTreeMap::from([(
            DOCKER_CONFIG_JSON_KEY.to_owned(),
            ByteString(config.as_bytes().to_vec()),
        )])),
        ..Secret::default()
    })
}

/// Zeroise the secret bytes of a Secret we built or read.
fn wipe(secret: &mut Secret) {
    if let Some(data) = secret.data.as_mut() {
        for value in data.values_mut() {
            value.0.zeroize();
        }
    }
    if let Some(data) = secret.string_data.as_mut() {
        for value in data.values_mut() {
            value.zeroize();
        }
    }
    secret.data = None;
    secret.string_data = None;
}

/// A Secret's metadata as a credential (no secret value is read).
fn to_credential(meta: &ObjectMeta) -> RegistryCredential {
    let kind = annotation(meta, labels::REGISTRY_KIND)
        .and_then(|k| RegistryKind::from_str_opt(&k))
        .unwrap_or(RegistryKind::Other);
    RegistryCredential {
        name: meta.name.clone().unwrap_or_default(),
        kind,
        server: annotation(meta, labels::REGISTRY_SERVER).unwrap_or_default(),
        username: annotation(meta, labels::REGISTRY_USERNAME).unwrap_or_default(),
        used_by: Vec::new(),
        stamps: stamps::of(meta),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_never_shows_its_secret() {
        let body: CredentialBody = serde_json::from_str(
            r#"{"name":"a","kind":"other","server":"r:5000","username":"u","secret":"hunter2"}"#,
        )
        .expect("parses");
        assert!(!format!("{body:?}").contains("hunter2"));
        assert_eq!(body.secret_chars(), 7);
    }

    #[test]
    fn the_secret_is_a_kubelet_docker_config() {
        let body: CredentialBody = serde_json::from_str(
            r#"{"name":"hub","kind":"docker-hub","username":"me","secret":"pw"}"#,
        )
        .expect("parses");
        let mut secret = build_secret(&body, BTreeMap::new(), None).expect("builds");
        assert_eq!(secret.type_.as_deref(), Some(DOCKER_CONFIG_JSON_TYPE));
        let data = &secret.data.as_ref().expect("data")[DOCKER_CONFIG_JSON_KEY].0;
        let value: serde_json::Value = serde_json::from_slice(data).expect("json");
        assert_eq!(
            value,
            serde_json::json!({"auths": {"https://index.docker.io/v1/": {
                "username": "me", "password": "pw", "auth": "bWU6cHc="
            }}})
        );
        let (user, password) = read_login(data, "https://index.docker.io/v1/").expect("login");
        assert_eq!((user.as_str(), password.expose_secret()), ("me", "pw"));
        wipe(&mut secret);
        assert!(secret.data.is_none());
    }
}
