//! Sign-in sessions, each a Secret in Berth's system namespace, so that
//! every replica sees a sign-in made on another. The cookie holds a random
//! token; the Secret is named after its SHA-256, so what is stored cannot
//! be replayed as a cookie.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{DeleteParams, ListParams, ObjectMeta, PostParams};
use kube::{Api, Client};
use sha2::{Digest, Sha256};

use super::records::{KIND_SESSION, RecordCache};
use crate::error::ApiError;
use crate::storage::labels;
use crate::storage::watch_cache::Written;

const USER_LABEL: &str = "berth.dev/user";

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Storage id: hex SHA-256 of the cookie's token (prefix).
    pub id: String,
    pub user: String,
    pub csrf_token: String,
    pub expires_at: jiff::Timestamp,
}

/// The sessions.
#[derive(Clone)]
pub struct SessionStore {
    secrets: Api<Secret>,
    cache: RecordCache,
    lifetime: Duration,
}

/// 32 random bytes, URL-safe base64: a cookie token or a CSRF token.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator; without it nothing secure can be made.
    getrandom::fill(&mut bytes).expect("the operating system's random generator is unavailable");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The storage id of a cookie token.
pub fn session_id(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().take(20).map(|b| format!("{b:02x}")).collect()
}

fn secret_name(id: &str) -> String {
    format!("berth-session-{id}")
}

fn field(secret: &Secret, key: &str) -> Option<String> {
    let bytes = secret.data.as_ref()?.get(key)?;
    String::from_utf8(bytes.0.clone()).ok()
}

impl SessionStore {
    pub fn new(
        client: Client,
        system_namespace: &str,
        cache: RecordCache,
        lifetime: Duration,
    ) -> Self {
        Self {
            secrets: Api::namespaced(client, system_namespace),
            cache,
            lifetime,
        }
    }

    /// Starts a session for `user`; returns the cookie token and the record.
    pub async fn create(&self, user: &str) -> Result<(String, SessionRecord), ApiError> {
        let token = random_token();
        let id = session_id(&token);
        let expires_at = jiff::Timestamp::now()
            .checked_add(
                jiff::SignedDuration::try_from(self.lifetime)
                    .map_err(|e| ApiError::Internal(e.into()))?,
            )
            .map_err(|e| ApiError::Internal(e.into()))?;
        let record = SessionRecord {
            id: id.clone(),
            user: user.to_owned(),
            csrf_token: random_token(),
            expires_at,
        };
        let bytes = |s: &str| ByteString(s.as_bytes().to_vec());
        let secret = Secret {
            metadata: ObjectMeta {
                name: Some(secret_name(&id)),
                labels: Some(BTreeMap::from([
                    (
                        labels::MANAGED_BY.to_owned(),
                        labels::MANAGED_BY_VALUE.to_owned(),
                    ),
                    (labels::KIND.to_owned(), KIND_SESSION.to_owned()),
                    (USER_LABEL.to_owned(), user.to_owned()),
                ])),
                ..ObjectMeta::default()
            },
            type_: Some("Opaque".to_owned()),
            data: Some(BTreeMap::from([
                ("user".to_owned(), bytes(user)),
                ("csrf-token".to_owned(), bytes(&record.csrf_token)),
                ("expires-at".to_owned(), bytes(&expires_at.to_string())),
            ])),
            ..Secret::default()
        };
        self.secrets.create(&PostParams::default(), &secret).await?;
        Ok((token, record))
    }

    /// The live session of a cookie token; an expired one is deleted.
    pub async fn lookup(&self, token: &str) -> Result<Option<SessionRecord>, ApiError> {
        let id = session_id(token);
        let name = secret_name(&id);
        // Not in the cache: made a moment ago on another replica, or no
        // session at all; the API knows.
        let secret = match self.cache.get(&name) {
            Some(seen) => seen,
            None => match self.secrets.get_opt(&name).await? {
                Some(secret) => Arc::new(secret),
                None => return Ok(None),
            },
        };
        let record = (|| {
            Some(SessionRecord {
                id: id.clone(),
                user: field(&secret, "user")?,
                csrf_token: field(&secret, "csrf-token")?,
                expires_at: field(&secret, "expires-at")?.parse().ok()?,
            })
        })();
        match record {
            Some(record) if record.expires_at > jiff::Timestamp::now() => Ok(Some(record)),
            _ => {
                self.delete(&id).await?;
                Ok(None)
            }
        }
    }

    /// Ends a session by storage id (signing out).
    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        let name = secret_name(id);
        match self.secrets.delete(&name, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(err) => return Err(err.into()),
        }
        self.cache.caught_up(&Written::Gone(name)).await;
        Ok(())
    }

    /// Ends every session of `user` (password changed, account removed).
    pub async fn delete_all_of(&self, user: &str) -> Result<(), ApiError> {
        let selector = format!("{}={KIND_SESSION},{USER_LABEL}={user}", labels::KIND);
        self.secrets
            .delete_collection(
                &DeleteParams::default(),
                &ListParams::default().labels(&selector),
            )
            .await?;
        // Sessions the cache never held are read from the API, which no
        // longer has them; those it holds must be seen to go.
        let (_, cached) = self.cache.snapshot();
        let of_user = cached.iter().filter(|s| {
            s.metadata.labels.as_ref().is_some_and(|l| {
                l.get(labels::KIND).map(String::as_str) == Some(KIND_SESSION)
                    && l.get(USER_LABEL).map(String::as_str) == Some(user)
            })
        });
        for secret in of_user {
            if let Some(name) = &secret.metadata.name {
                self.cache.caught_up(&Written::Gone(name.clone())).await;
            }
        }
        Ok(())
    }

    /// Deletes sessions that have expired; returns how many.
    pub async fn sweep_expired(&self) -> Result<usize, ApiError> {
        let selector = format!("{}={KIND_SESSION}", labels::KIND);
        let list = self
            .secrets
            .list(&ListParams::default().labels(&selector))
            .await?;
        let now = jiff::Timestamp::now();
        let mut swept = 0;
        for secret in &list.items {
            let expired = field(secret, "expires-at")
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .is_none_or(|t| t <= now);
            let id = secret
                .metadata
                .name
                .as_deref()
                .and_then(|n| n.strip_prefix("berth-session-"));
            if let (true, Some(id)) = (expired, id) {
                self.delete(id).await?;
                swept += 1;
            }
        }
        Ok(swept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_ids_do_not_reveal_them() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert_eq!(a.len(), 43);
        let id = session_id(&a);
        assert_eq!(id.len(), 40);
        assert!(!id.contains(&a));
        assert_eq!(id, session_id(&a));
    }
}
