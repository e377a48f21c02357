//! Local accounts, each a Secret in Berth's system namespace holding the
//! argon2id hash of its password (never the password).

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{
    DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams, Preconditions,
};
use kube::{Api, Client};
use serde::Serialize;
use serde_json::json;

use super::records::{HASH_KEY, KIND_USER, RecordCache};
use crate::error::ApiError;
use crate::storage::labels;
use crate::storage::watch_cache::Written;

/// Label: the account's user name.
const USER_LABEL: &str = "berth.dev/user";
/// Annotation: `"true"` for administrators.
const ADMIN: &str = "berth.dev/admin";
/// Annotation: `"true"` while the password is a one-time password.
const MUST_CHANGE: &str = "berth.dev/password-change-required";
/// Annotation: bumped on an administrator while another one is removed, so
/// that two concurrent removals cannot both succeed.
const CONFIRMED: &str = "berth.dev/admin-confirmed";

/// One account, without its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub name: String,
    pub admin: bool,
    pub password_change_required: bool,
    pub created_at: String,
}

/// The accounts.
#[derive(Clone)]
pub struct UserStore {
    secrets: Api<Secret>,
    cache: RecordCache,
}

fn secret_name(user: &str) -> String {
    format!("berth-user-{user}")
}

impl UserStore {
    pub fn new(client: Client, system_namespace: &str, cache: RecordCache) -> Self {
        Self {
            secrets: Api::namespaced(client, system_namespace),
            cache,
        }
    }

    /// Every account, by name.
    pub async fn list(&self) -> Result<Vec<User>, ApiError> {
        let selector = format!("{}={KIND_USER}", labels::KIND);
        let list = self
            .secrets
            .list(&ListParams::default().labels(&selector))
            .await?;
        let mut users: Vec<User> = list.items.iter().filter_map(to_user).collect();
        users.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(users)
    }

    /// The account, from the cache (from the API when the cache does not
    /// hold it: made a moment ago on another replica, or no such account).
    pub async fn get(&self, name: &str) -> Result<Option<User>, ApiError> {
        if berth_shared::session::validate_username(name).is_err() {
            return Ok(None);
        }
        if let Some(seen) = self.cache.get(&secret_name(name)) {
            return Ok(to_user(&seen));
        }
        let secret = self.secrets.get_opt(&secret_name(name)).await?;
        Ok(secret.as_ref().and_then(to_user))
    }

    /// The account and its password hash, from the API (the cache holds
    /// no hashes).
    pub async fn get_with_hash(&self, name: &str) -> Result<Option<(User, String)>, ApiError> {
        if berth_shared::session::validate_username(name).is_err() {
            return Ok(None);
        }
        let Some(secret) = self.secrets.get_opt(&secret_name(name)).await? else {
            return Ok(None);
        };
        let hash = secret
            .data
            .as_ref()
            .and_then(|d| d.get(HASH_KEY))
            .and_then(|b| String::from_utf8(b.0.clone()).ok());
        Ok(to_user(&secret).zip(hash))
    }

    /// Creates an account; `None` when the name is taken.
    pub async fn create(
        &self,
        name: &str,
        password_hash: String,
        admin: bool,
        password_change_required: bool,
    ) -> Result<Option<User>, ApiError> {
        let secret = Secret {
            metadata: ObjectMeta {
                name: Some(secret_name(name)),
                labels: Some(BTreeMap::from([
                    (
                        labels::MANAGED_BY.to_owned(),
                        labels::MANAGED_BY_VALUE.to_owned(),
                    ),
                    (labels::KIND.to_owned(), KIND_USER.to_owned()),
                    (USER_LABEL.to_owned(), name.to_owned()),
                ])),
                annotations: Some(BTreeMap::from([
                    (ADMIN.to_owned(), admin.to_string()),
                    (MUST_CHANGE.to_owned(), password_change_required.to_string()),
                ])),
                ..ObjectMeta::default()
            },
            type_: Some("Opaque".to_owned()),
            data: Some(BTreeMap::from([(
                HASH_KEY.to_owned(),
                ByteString(password_hash.into_bytes()),
            )])),
            ..Secret::default()
        };
        match self.secrets.create(&PostParams::default(), &secret).await {
            Ok(created) => Ok(to_user(&created)),
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Sets a new password hash; `false` when there is no such account.
    pub async fn set_password(
        &self,
        name: &str,
        password_hash: String,
        password_change_required: bool,
    ) -> Result<bool, ApiError> {
        use base64::Engine;
        let patch = json!({
            "metadata": { "annotations": { MUST_CHANGE: password_change_required.to_string() } },
            "data": { HASH_KEY: base64::engine::general_purpose::STANDARD.encode(password_hash) },
        });
        match self
            .secrets
            .patch(
                &secret_name(name),
                &PatchParams::default(),
                &Patch::Merge(&patch),
            )
            .await
        {
            Ok(patched) => {
                // The next request must see the new flags.
                self.cache.caught_up(&Written::of(&patched)).await;
                Ok(true)
            }
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Removes an account, unless it is the last administrator.
    ///
    /// Atomic without a lock: removing an administrator first rewrites
    /// another administrator's record, then deletes the account, each
    /// guarded by the `resourceVersion` both had when they were listed. Of
    /// two requests removing each other's administrator, at most one gets
    /// through (the other's guard fails and it looks again), so one is
    /// always left.
    pub async fn remove(&self, name: &str) -> Result<Removal, ApiError> {
        for attempt in 0..REMOVE_ATTEMPTS {
            if attempt > 0 {
                // Two removals that failed each other's guard would fail
                // again in step: a random pause lets one go first.
                tokio::time::sleep(retry_pause(attempt)).await;
            }
            let selector = format!("{}={KIND_USER}", labels::KIND);
            let list = self
                .secrets
                .list(&ListParams::default().labels(&selector))
                .await?;
            let Some(target) = list
                .items
                .iter()
                .find(|s| to_user(s).is_some_and(|u| u.name == name))
            else {
                return Ok(Removal::NoAccount);
            };
            if to_user(target).is_some_and(|u| u.admin) {
                let Some(other) = list
                    .items
                    .iter()
                    .filter(|s| s.metadata.name != target.metadata.name)
                    .find(|s| to_user(s).is_some_and(|u| u.admin))
                else {
                    return Ok(Removal::LastAdmin);
                };
                if !self.confirm_unchanged(other).await? {
                    continue;
                }
            }
            let guard = DeleteParams {
                preconditions: Some(Preconditions {
                    resource_version: target.metadata.resource_version.clone(),
                    uid: target.metadata.uid.clone(),
                }),
                ..DeleteParams::default()
            };
            match self.secrets.delete(&secret_name(name), &guard).await {
                Ok(_) => {
                    self.cache
                        .caught_up(&Written::Gone(secret_name(name)))
                        .await;
                    return Ok(Removal::Removed);
                }
                Err(kube::Error::Api(status)) if status.code == 404 => {
                    return Ok(Removal::NoAccount);
                }
                Err(kube::Error::Api(status)) if status.code == 409 => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(Removal::Busy)
    }

    /// Rewrites `record` (a counter annotation) if it is still the version
    /// that was listed; `false` when it changed or went meanwhile.
    async fn confirm_unchanged(&self, record: &Secret) -> Result<bool, ApiError> {
        let count = record
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(CONFIRMED))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let patch = json!({
            "metadata": {
                "resourceVersion": record.metadata.resource_version,
                "annotations": { CONFIRMED: (count + 1).to_string() },
            },
        });
        let name = record.metadata.name.as_deref().unwrap_or_default();
        match self
            .secrets
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(status)) if status.code == 409 || status.code == 404 => Ok(false),
            Err(err) => Err(err.into()),
        }
    }
}

/// How often [`UserStore::remove`] looks again after a concurrent change.
const REMOVE_ATTEMPTS: u32 = 8;

/// A random pause of up to 20 ms times the attempt.
fn retry_pause(attempt: u32) -> std::time::Duration {
    let mut byte = [0u8; 2];
    // Without randomness the pause is fixed; the retries still end.
    let _ = getrandom::fill(&mut byte);
    let jitter = u64::from(u16::from_le_bytes(byte)) % 20 + 1;
    std::time::Duration::from_millis(jitter * u64::from(attempt))
}

/// The outcome of [`UserStore::remove`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Removed,
    NoAccount,
    /// Refused: no administrator would be left.
    LastAdmin,
    /// The accounts kept changing while it tried.
    Busy,
}

fn to_user(secret: &Secret) -> Option<User> {
    let meta = &secret.metadata;
    let name = meta.labels.as_ref()?.get(USER_LABEL)?.clone();
    let flag = |key: &str| {
        meta.annotations
            .as_ref()
            .and_then(|a| a.get(key))
            .is_some_and(|v| v == "true")
    };
    Some(User {
        name,
        admin: flag(ADMIN),
        password_change_required: flag(MUST_CHANGE),
        created_at: meta
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.to_string())
            .unwrap_or_default(),
    })
}
