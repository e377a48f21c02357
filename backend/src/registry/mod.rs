//! Asking an image's registry whether the image exists (OCI distribution
//! API: manifest `HEAD`, then `GET`, with the bearer-token challenge flow or
//! basic auth).
//!
//! Every hop (the registry, its token realm, each redirect) is checked
//! before it is contacted: HTTPS unless its `host:port` is an insecure
//! registry, an address allowed by [`addresses`] looked up once and
//! connected to as checked (no second lookup). The credential goes only to
//! the registry's own host (basic auth) or its realm (for a token), never
//! to another host a redirect names.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use oci_client::Reference;
use secrecy::SecretString;

use self::addresses::{AddressPolicy, Allowed};

pub mod addresses;
mod conversation;

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
    /// A token realm or redirect on plain HTTP: refused, nothing sent.
    #[error(
        "The registry {registry} sent Berth to {host} over plain HTTP; Berth only sends requests and credentials there over HTTPS (unless it is an insecure registry)."
    )]
    PlainHttp { registry: String, host: String },
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

    /// Looks `host` up once and returns its addresses on `port`, refused
    /// when any is internal and not allowed for `authority` (`host[:port]`).
    async fn checked_addresses(
        &self,
        authority: &str,
        host: &str,
        port: u16,
    ) -> Result<Vec<SocketAddr>, RegistryError> {
        let addresses: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::time::timeout(CHECK_TIMEOUT, tokio::net::lookup_host((host, port)))
                .await
                .map_err(|_| RegistryError::Unreachable {
                    registry: authority.to_owned(),
                    why: " (its name could not be looked up in time)".to_owned(),
                })?
                .map_err(|_| RegistryError::Unreachable {
                    registry: authority.to_owned(),
                    why: " (its name could not be looked up)".to_owned(),
                })?
                .collect(),
        };
        if addresses
            .iter()
            .all(|a| self.policy.permits(authority, port, a.ip()))
        {
            Ok(addresses)
        } else {
            Err(RegistryError::InternalAddress {
                registry: authority.to_owned(),
            })
        }
    }

    /// Whether `authority` (`host[:port]`) is reached over plain HTTP.
    fn is_insecure(&self, authority: &str) -> bool {
        self.insecure
            .iter()
            .any(|i| i.eq_ignore_ascii_case(authority))
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
        let talk = conversation::Conversation::new(self, &image, login);
        match tokio::time::timeout(CHECK_TIMEOUT, talk.manifest_digest()).await {
            Err(_) => Err(RegistryError::Unreachable {
                registry,
                why: format!(" within {} seconds", CHECK_TIMEOUT.as_secs()),
            }),
            Ok(answer) => answer,
        }
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
