//! Asking an image's registry whether the image exists (OCI distribution
//! API: manifest `HEAD`, then `GET`, with the bearer-token challenge flow or
//! basic auth), through the `oci-client` crate.

use std::time::Duration;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use secrecy::{ExposeSecret, SecretString};

/// How long one check may take in all (connect, token, manifest).
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a registry check failed. Messages are for people and never hold a
/// credential (registry answers are not echoed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error(
        "The registry {registry} refused the credentials. Check the user name and the password, token or API key of the registry credential."
    )]
    Unauthorized { registry: String },
    #[error(
        "The registry {registry} asks for credentials to read this image. Choose a registry credential for it."
    )]
    CredentialsNeeded { registry: String },
    #[error(
        "The registry {registry} has no image {repository} with the tag or digest {version}. Check the spelling, and whether it was pushed."
    )]
    NotFound {
        registry: String,
        repository: String,
        version: String,
    },
    /// Connecting failed: no route, refused, or no answer in time. The
    /// address was read fine, so the advice is about the network.
    #[error(
        "The registry could not be reached: Berth's server could not connect to the registry {registry}{why}. The registry may be down, or this server may not be allowed to reach it (a firewall or proxy in between): if it keeps failing, ask your administrator."
    )]
    Unreachable { registry: String, why: String },
    #[error(
        "A secure (TLS) connection to the registry {registry} failed: its certificate is not trusted or does not match the address."
    )]
    Tls { registry: String },
    #[error("The registry {registry} gave an answer Berth could not use: {what}.")]
    Unexpected { registry: String, what: String },
}

/// Registry access as configured for this server.
#[derive(Debug, Clone, Default)]
pub struct RegistryAccess {
    /// `host:port`s reached over plain HTTP (`--insecure-registry`).
    insecure: Vec<String>,
}

impl RegistryAccess {
    pub fn new(insecure: Vec<String>) -> Self {
        Self { insecure }
    }

    /// The digest the registry reports for `reference` (a normalised
    /// reference such as `docker.io/library/nginx:latest`).
    pub async fn manifest_digest(
        &self,
        reference: &str,
        login: Option<(String, SecretString)>,
    ) -> Result<String, RegistryError> {
        let image: Reference = reference.parse().map_err(|_| RegistryError::Unexpected {
            registry: String::new(),
            what: "the image address could not be read".into(),
        })?;
        let registry = image.registry().to_owned();
        let config = ClientConfig {
            protocol: if self.insecure.is_empty() {
                ClientProtocol::Https
            } else {
                ClientProtocol::HttpsExcept(self.insecure.clone())
            },
            connect_timeout: Some(CHECK_TIMEOUT),
            read_timeout: Some(CHECK_TIMEOUT),
            ..ClientConfig::default()
        };
        let client = Client::new(config);
        let has_login = login.is_some();
        let auth = match login {
            // oci-client keeps the password in a plain String for the
            // duration of this call; it is dropped when the call ends.
            Some((user, password)) => {
                RegistryAuth::Basic(user, password.expose_secret().to_owned())
            }
            None => RegistryAuth::Anonymous,
        };
        let answer =
            tokio::time::timeout(CHECK_TIMEOUT, client.fetch_manifest_digest(&image, &auth)).await;
        drop(auth);
        match answer {
            Err(_) => Err(RegistryError::Unreachable {
                registry,
                why: format!(" within {} seconds", CHECK_TIMEOUT.as_secs()),
            }),
            Ok(Ok(digest)) => Ok(digest),
            Ok(Err(err)) => Err(classify(&err, &image, has_login)),
        }
    }
}

fn classify(err: &OciDistributionError, image: &Reference, has_login: bool) -> RegistryError {
    let registry = image.registry().to_owned();
    let refused = || {
        if has_login {
            RegistryError::Unauthorized {
                registry: registry.clone(),
            }
        } else {
            RegistryError::CredentialsNeeded {
                registry: registry.clone(),
            }
        }
    };
    let not_found = || RegistryError::NotFound {
        registry: registry.clone(),
        repository: image.repository().to_owned(),
        version: image
            .digest()
            .or(image.tag())
            .unwrap_or("latest")
            .to_owned(),
    };
    let unexpected = |what: String| RegistryError::Unexpected {
        registry: registry.clone(),
        what,
    };
    match err {
        OciDistributionError::AuthenticationFailure(_)
        | OciDistributionError::UnauthorizedError { .. } => refused(),
        OciDistributionError::ImageManifestNotFoundError(_) => not_found(),
        OciDistributionError::ServerError { code, .. } => match code {
            401 | 403 => refused(),
            404 => not_found(),
            code => unexpected(format!("HTTP status {code}")),
        },
        OciDistributionError::RegistryError { envelope, .. } => {
            let codes: Vec<&OciErrorCode> = envelope.errors.iter().map(|e| &e.code).collect();
            if codes
                .iter()
                .any(|c| matches!(c, OciErrorCode::Unauthorized | OciErrorCode::Denied))
            {
                refused()
            } else if codes.iter().any(|c| {
                matches!(
                    c,
                    OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::BlobUnknown
                        | OciErrorCode::NotFound
                )
            }) {
                not_found()
            } else {
                unexpected("an error code Berth does not know".into())
            }
        }
        OciDistributionError::RequestError(e) => {
            if is_tls(e) {
                RegistryError::Tls { registry }
            } else if e.is_timeout() {
                RegistryError::Unreachable {
                    registry,
                    why: format!(" within {} seconds", CHECK_TIMEOUT.as_secs()),
                }
            } else if e.is_connect() || e.is_request() {
                RegistryError::Unreachable {
                    registry,
                    why: String::new(),
                }
            } else {
                unexpected("the connection broke off".into())
            }
        }
        OciDistributionError::DigestError(_) | OciDistributionError::RegistryNoDigestError => {
            unexpected("the digest it sent does not match the image".into())
        }
        _ => unexpected("an answer that does not follow the OCI distribution API".into()),
    }
}

/// Whether a request failed in the TLS handshake: certificate problems
/// surface as a `rustls::Error` (or an `io::Error` wrapping one) somewhere in
/// the source chain.
fn is_tls(err: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
        {
            return true;
        }
        let text = e.to_string().to_ascii_lowercase();
        if text.contains("certificate")
            || text.contains("tls handshake")
            || text.contains("invalidcontenttype")
        {
            return true;
        }
        source = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_closed_port_is_unreachable() {
        crate::tls::install_crypto_provider();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        let access = RegistryAccess::new(vec![addr.to_string()]);
        let err = access
            .manifest_digest(&format!("{addr}/demo/app:1"), None)
            .await
            .expect_err("nothing listens");
        assert!(matches!(err, RegistryError::Unreachable { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn plain_http_to_a_tls_registry_port_is_a_tls_problem() {
        crate::tls::install_crypto_provider();
        // A server that speaks plain HTTP where HTTPS is expected: the TLS
        // handshake fails.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                use tokio::io::AsyncWriteExt;
                let _ = socket
                    .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                    .await;
            }
        });
        let err = RegistryAccess::default()
            .manifest_digest(&format!("{addr}/demo/app:1"), None)
            .await
            .expect_err("not TLS");
        assert!(matches!(err, RegistryError::Tls { .. }), "{err:?}");
    }
}
