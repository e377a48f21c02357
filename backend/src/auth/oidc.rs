//! OIDC bearer tokens: verified against the issuer's signing keys (JWKS),
//! fetched through the issuer's discovery document, cached, and fetched
//! again when a token names a key the cache does not have (key rotation).

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use tokio::sync::RwLock;

use super::{Identity, Via};

/// How the OIDC issuer is configured.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// `iss`, and where `/.well-known/openid-configuration` lives.
    pub issuer: String,
    /// Expected `aud`.
    pub audience: String,
    /// The claim that lists the person's groups.
    pub groups_claim: String,
    /// Members of this group are Berth administrators.
    pub admin_group: Option<String>,
}

/// Why a token was refused (logged; the caller only learns "401").
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token: {0}")]
    Malformed(jsonwebtoken::errors::Error),
    #[error("the token names no key id")]
    NoKeyId,
    #[error("no signing key {0} at the issuer")]
    UnknownKey(String),
    #[error("the issuer's keys could not be fetched: {0}")]
    Jwks(String),
    #[error("invalid token: {0}")]
    Invalid(jsonwebtoken::errors::Error),
}

struct CachedKeys {
    keys: JwkSet,
    fetched: Instant,
}

/// Verifies bearer tokens of one issuer.
pub struct OidcVerifier {
    settings: OidcSettings,
    http: reqwest::Client,
    keys: RwLock<Option<CachedKeys>>,
}

/// A refetch for an unknown key id happens at most this often, so tokens
/// with made-up key ids cannot make Berth hammer the issuer.
const REFETCH_AFTER: Duration = Duration::from_secs(1);

#[derive(Deserialize)]
struct Discovery {
    jwks_uri: String,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

impl OidcVerifier {
    pub fn new(settings: OidcSettings) -> Self {
        Self {
            settings,
            http: reqwest::Client::new(),
            keys: RwLock::new(None),
        }
    }

    /// The identity a valid token proves.
    pub async fn verify(&self, token: &str) -> Result<Identity, TokenError> {
        let header = decode_header(token).map_err(TokenError::Malformed)?;
        let kid = header.kid.ok_or(TokenError::NoKeyId)?;
        let jwk = match self.cached_key(&kid).await {
            Some(jwk) => jwk,
            None => {
                self.refresh(false).await?;
                self.cached_key(&kid)
                    .await
                    .ok_or(TokenError::UnknownKey(kid))?
            }
        };
        let key = DecodingKey::from_jwk(&jwk).map_err(TokenError::Invalid)?;
        // Only the issuer's public keys can verify: jsonwebtoken refuses an
        // algorithm whose family differs from the key's, so a token cannot
        // pick HS256 and pass the public key off as a shared secret.
        let algorithm = header.alg;
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        let claims = decode::<Claims>(token, &key, &validation)
            .map_err(TokenError::Invalid)?
            .claims;
        let groups: Vec<String> = match claims.other.get(&self.settings.groups_claim) {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|g| g.as_str().map(str::to_owned))
                .collect(),
            Some(serde_json::Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        let admin = self
            .settings
            .admin_group
            .as_ref()
            .is_some_and(|group| groups.contains(group));
        Ok(Identity {
            display_name: claims
                .name
                .or(claims.email)
                .unwrap_or_else(|| claims.sub.clone()),
            user: claims.sub,
            admin,
            via: Via::Bearer,
        })
    }

    async fn cached_key(&self, kid: &str) -> Option<jsonwebtoken::jwk::Jwk> {
        let keys = self.keys.read().await;
        keys.as_ref()?.keys.find(kid).cloned()
    }

    /// Fetches the keys (again), unless that happened moments ago.
    pub async fn refresh(&self, force: bool) -> Result<(), TokenError> {
        let mut keys = self.keys.write().await;
        if !force
            && keys
                .as_ref()
                .is_some_and(|k| k.fetched.elapsed() < REFETCH_AFTER)
        {
            return Ok(());
        }
        let fetched = self.fetch_keys().await?;
        tracing::info!(issuer = %self.settings.issuer, keys = fetched.keys.len(), "fetched the OIDC issuer's signing keys");
        *keys = Some(CachedKeys {
            keys: fetched,
            fetched: Instant::now(),
        });
        Ok(())
    }

    async fn fetch_keys(&self) -> Result<JwkSet, TokenError> {
        let discovery_url = format!(
            "{}/.well-known/openid-configuration",
            self.settings.issuer.trim_end_matches('/')
        );
        let discovery: Discovery = self.get_json(&discovery_url).await?;
        self.get_json(&discovery.jwks_uri).await
    }

    /// A JSON document from the issuer, bounded in time.
    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, TokenError> {
        let failed = |e: reqwest::Error| TokenError::Jwks(e.to_string());
        self.http
            .get(url)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(failed)?
            .json()
            .await
            .map_err(failed)
    }
}
