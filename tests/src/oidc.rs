//! A local OIDC issuer for tests: ES256 keys made in the test, a discovery
//! document and a JWKS served on 127.0.0.1, and tokens signed on demand.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::ecdsa::SigningKey;
use p256::pkcs8::EncodePrivateKey;
use serde_json::{Value, json};

/// One signing key and its id.
struct Key {
    kid: String,
    signing: SigningKey,
}

impl Key {
    fn new(kid: &str) -> Self {
        Self {
            kid: kid.to_owned(),
            signing: SigningKey::random(&mut rand_core::OsRng),
        }
    }

    fn jwk(&self) -> Value {
        let point = self.signing.verifying_key().to_encoded_point(false);
        let x = point
            .x()
            .map(|x| URL_SAFE_NO_PAD.encode(x))
            .unwrap_or_default();
        let y = point
            .y()
            .map(|y| URL_SAFE_NO_PAD.encode(y))
            .unwrap_or_default();
        json!({ "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": self.kid, "x": x, "y": y })
    }

    fn encoding(&self) -> EncodingKey {
        let der = self.signing.to_pkcs8_der().expect("pkcs8");
        EncodingKey::from_ec_der(der.as_bytes())
    }
}

/// A running issuer.
pub struct TestIssuer {
    /// `iss`, e.g. `http://127.0.0.1:40123`.
    pub issuer: String,
    published: Arc<Mutex<Vec<Value>>>,
    keys: Mutex<Vec<Key>>,
    /// How many times the JWKS was fetched.
    pub jwks_fetches: Arc<Mutex<usize>>,
    _server: tokio::task::JoinHandle<()>,
}

impl TestIssuer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let first = Key::new("key-1");
        let published = Arc::new(Mutex::new(vec![first.jwk()]));
        let fetches = Arc::new(Mutex::new(0));
        let discovery = json!({ "issuer": issuer, "jwks_uri": format!("{issuer}/jwks") });
        let (served, counted) = (published.clone(), fetches.clone());
        let app = axum::Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(move || {
                    let discovery = discovery.clone();
                    async move { Json(discovery) }
                }),
            )
            .route(
                "/jwks",
                get(move || {
                    let keys = served.lock().map(|k| k.clone()).unwrap_or_default();
                    if let Ok(mut n) = counted.lock() {
                        *n += 1;
                    }
                    async move { Json(json!({ "keys": keys })) }
                }),
            );
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            issuer,
            published,
            keys: Mutex::new(vec![first]),
            jwks_fetches: fetches,
            _server: server,
        }
    }

    /// Starts signing with a new key, published alongside the old ones
    /// (key rotation).
    pub fn rotate(&self, kid: &str) {
        let key = Key::new(kid);
        if let Ok(mut published) = self.published.lock() {
            published.push(key.jwk());
        }
        if let Ok(mut keys) = self.keys.lock() {
            keys.push(key);
        }
    }

    /// A token with `claims` (merged over sensible defaults: this issuer,
    /// valid for five minutes), signed with the newest key.
    pub fn token(&self, claims: Value) -> String {
        let now = jiff::Timestamp::now().as_second();
        let mut all = json!({ "iss": self.issuer, "iat": now, "nbf": now, "exp": now + 300 });
        if let (Some(all), Some(extra)) = (all.as_object_mut(), claims.as_object()) {
            for (k, v) in extra {
                all.insert(k.clone(), v.clone());
            }
        }
        let keys = self.keys.lock().expect("keys");
        let key = keys.last().expect("a key");
        self.sign(&all, key, &key.kid)
    }

    /// A token signed by a key the issuer never published, claiming the
    /// id of a published one.
    pub fn forged(&self, claims: Value) -> String {
        let keys = self.keys.lock().expect("keys");
        let kid = keys.last().map(|k| k.kid.clone()).unwrap_or_default();
        let stranger = Key::new(&kid);
        let now = jiff::Timestamp::now().as_second();
        let mut all = json!({ "iss": self.issuer, "iat": now, "exp": now + 300 });
        if let (Some(all), Some(extra)) = (all.as_object_mut(), claims.as_object()) {
            for (k, v) in extra {
                all.insert(k.clone(), v.clone());
            }
        }
        self.sign(&all, &stranger, &kid)
    }

    fn sign(&self, claims: &Value, key: &Key, kid: &str) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &key.encoding()).expect("sign")
    }
}
