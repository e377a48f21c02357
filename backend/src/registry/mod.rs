//! Asking an image's registry whether the image exists (OCI distribution
//! API: manifest `HEAD`, then `GET`, with the bearer-token challenge flow or
//! basic auth), through the `oci-client` crate.

use std::net::IpAddr;
use std::time::Duration;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use secrecy::{ExposeSecret, SecretString};

use self::addresses::{AddressPolicy, Allowed, split_host_port};

pub mod addresses;

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
    /// Refused before any connection (see [`addresses`]).
    #[error(
        "Berth does not check images on internal addresses: the registry {registry} is on a loopback, private or link-local address. An administrator can allow it (--registry-allow)."
    )]
    InternalAddress { registry: String },
}

/// Registry access as configured for this server.
#[derive(Debug, Clone, Default)]
pub struct RegistryAccess {
    /// `host:port`s reached over plain HTTP (`--insecure-registry`).
    insecure: Vec<String>,
    /// Which addresses may be contacted.
    policy: AddressPolicy,
}

impl RegistryAccess {
    /// `insecure` registries are reached over plain HTTP; they and the
    /// `allowed` hosts and ranges may be on internal addresses.
    pub fn new(insecure: Vec<String>, allowed: Vec<Allowed>) -> Self {
        Self {
            policy: AddressPolicy::new(allowed, insecure.clone()),
            insecure,
        }
    }

    /// Looks the registry's host up once and refuses it when any of its
    /// addresses is internal and not allowed.
    async fn check_address(&self, registry: &str) -> Result<(), RegistryError> {
        let (host, port) = split_host_port(registry);
        let insecure = self.insecure.iter().any(|i| i == registry);
        let port = match port {
            Some(p) => p.parse::<u16>().map_err(|_| RegistryError::Unexpected {
                registry: registry.to_owned(),
                what: "the port in the image address is not a number".into(),
            })?,
            None if insecure => 80,
            None => 443,
        };
        let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => tokio::time::timeout(CHECK_TIMEOUT, tokio::net::lookup_host((host, port)))
                .await
                .map_err(|_| RegistryError::Unreachable {
                    registry: registry.to_owned(),
                    why: " (its name could not be looked up in time)".to_owned(),
                })?
                .map_err(|_| RegistryError::Unreachable {
                    registry: registry.to_owned(),
                    why: " (its name could not be looked up)".to_owned(),
                })?
                .map(|a| a.ip())
                .collect(),
        };
        if addresses
            .iter()
            .all(|ip| self.policy.permits(registry, port, *ip))
        {
            Ok(())
        } else {
            Err(RegistryError::InternalAddress {
                registry: registry.to_owned(),
            })
        }
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
        self.check_address(image.resolve_registry()).await?;
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
        let access = RegistryAccess::new(vec![addr.to_string()], Vec::new());
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
        let allowed = vec!["127.0.0.1".parse().expect("allow")];
        let err = RegistryAccess::new(Vec::new(), allowed)
            .manifest_digest(&format!("{addr}/demo/app:1"), None)
            .await
            .expect_err("not TLS");
        assert!(matches!(err, RegistryError::Tls { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn internal_addresses_are_refused_before_any_connection() {
        crate::tls::install_crypto_provider();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let open = listener.local_addr().expect("addr");
        let access = RegistryAccess::default();
        for reference in [
            format!("{open}/demo/app:1"),
            format!("localhost:{}/demo/app:1", open.port()),
            "127.1:5000/demo/app:1".to_owned(),
            "0.0.0.0:5000/demo/app:1".to_owned(),
            "169.254.169.254/demo/app:1".to_owned(),
        ] {
            let err = access
                .manifest_digest(&reference, None)
                .await
                .expect_err("refused");
            assert!(
                matches!(err, RegistryError::InternalAddress { .. }),
                "{reference}: {err:?}"
            );
        }
        // Nothing reached the open port.
        let accepted = tokio::time::timeout(Duration::from_millis(100), listener.accept()).await;
        assert!(accepted.is_err(), "a connection was made");
    }
}
