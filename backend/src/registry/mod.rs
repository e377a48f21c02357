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

use berth_shared::Message;
use berth_shared::message;
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
#[error("{}", self.message())]
pub enum RegistryError {
    /// The registry refused the credentials sent.
    Unauthorized { registry: String },
    /// The registry wants credentials and none were sent.
    CredentialsNeeded { registry: String },
    NotFound {
        registry: String,
        repository: String,
        version: String,
    },
    /// Connecting failed: no route, refused, or no answer in time. The
    /// address was read fine, so the advice is about the network.
    Unreachable { registry: String, why: Unreachable },
    /// The TLS handshake failed (an untrusted or mismatched certificate).
    Tls { registry: String },
    /// The registry answered something Berth cannot use.
    Unexpected { registry: String, what: Unexpected },
    /// Refused before any connection (see [`addresses`]).
    InternalAddress { registry: String },
    /// A token realm or redirect on plain HTTP: refused, nothing sent.
    PlainHttp { registry: String, host: String },
}

/// Why a registry could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreachable {
    /// Refused, or no route.
    Connect,
    /// No answer within this many seconds.
    Timeout(u64),
    /// Its name could not be looked up.
    Lookup,
    /// Its name could not be looked up in time.
    LookupTimeout,
}

/// What a registry answered that Berth cannot use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unexpected {
    AddressUnreadable,
    /// An HTTP status that is neither success nor refusal.
    Status(u16),
    /// Such a status from the token service.
    TokenStatus(u16),
    BrokenOff,
    SignInMethod,
    TokenAddress,
    TokenUnreadable,
    NoToken,
    RedirectInvalid,
    TooManyRedirects,
    NoHost,
    NoPort,
    Client,
    UserName,
}

impl RegistryError {
    /// What the person is told, as a code and its values.
    pub fn message(&self) -> Message {
        match self {
            Self::Unauthorized { registry } => {
                message!("registry.unauthorized").with("registry", registry)
            }
            Self::CredentialsNeeded { registry } => {
                message!("registry.credentials_needed").with("registry", registry)
            }
            Self::NotFound {
                registry,
                repository,
                version,
            } => message!("registry.image_not_found")
                .with("registry", registry)
                .with("repository", repository)
                .with("version", version),
            Self::Unreachable { registry, why } => match why {
                Unreachable::Connect => message!("registry.unreachable").with("registry", registry),
                Unreachable::Timeout(seconds) => message!("registry.unreachable.timeout")
                    .with("registry", registry)
                    .with("seconds", seconds),
                Unreachable::Lookup => {
                    message!("registry.unreachable.lookup").with("registry", registry)
                }
                Unreachable::LookupTimeout => {
                    message!("registry.unreachable.lookup_timeout").with("registry", registry)
                }
            },
            Self::Tls { registry } => message!("registry.tls").with("registry", registry),
            Self::Unexpected { registry, what } => match what {
                Unexpected::AddressUnreadable => {
                    message!("registry.unexpected.address_unreadable").with("registry", registry)
                }
                Unexpected::Status(status) => message!("registry.unexpected.status")
                    .with("registry", registry)
                    .with("status", status),
                Unexpected::TokenStatus(status) => message!("registry.unexpected.token_status")
                    .with("registry", registry)
                    .with("status", status),
                Unexpected::BrokenOff => {
                    message!("registry.unexpected.broken_off").with("registry", registry)
                }
                Unexpected::SignInMethod => {
                    message!("registry.unexpected.sign_in_method").with("registry", registry)
                }
                Unexpected::TokenAddress => {
                    message!("registry.unexpected.token_address").with("registry", registry)
                }
                Unexpected::TokenUnreadable => {
                    message!("registry.unexpected.token_unreadable").with("registry", registry)
                }
                Unexpected::NoToken => {
                    message!("registry.unexpected.no_token").with("registry", registry)
                }
                Unexpected::RedirectInvalid => {
                    message!("registry.unexpected.redirect_invalid").with("registry", registry)
                }
                Unexpected::TooManyRedirects => {
                    message!("registry.unexpected.too_many_redirects").with("registry", registry)
                }
                Unexpected::NoHost => {
                    message!("registry.unexpected.no_host").with("registry", registry)
                }
                Unexpected::NoPort => {
                    message!("registry.unexpected.no_port").with("registry", registry)
                }
                Unexpected::Client => {
                    message!("registry.unexpected.client").with("registry", registry)
                }
                Unexpected::UserName => {
                    message!("registry.unexpected.user_name").with("registry", registry)
                }
            },
            Self::InternalAddress { registry } => {
                message!("registry.internal_address").with("registry", registry)
            }
            Self::PlainHttp { registry, host } => message!("registry.plain_http")
                .with("registry", registry)
                .with("host", host),
        }
    }
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
                    why: Unreachable::LookupTimeout,
                })?
                .map_err(|_| RegistryError::Unreachable {
                    registry: authority.to_owned(),
                    why: Unreachable::Lookup,
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
            what: Unexpected::AddressUnreadable,
        })?;
        let registry = image.registry().to_owned();
        let talk = conversation::Conversation::new(self, &image, login);
        match tokio::time::timeout(CHECK_TIMEOUT, talk.manifest_digest()).await {
            Err(_) => Err(RegistryError::Unreachable {
                registry,
                why: Unreachable::Timeout(CHECK_TIMEOUT.as_secs()),
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

    #[test]
    fn messages_keep_their_words() {
        let timeout = RegistryError::Unreachable {
            registry: "r.example".into(),
            why: Unreachable::Timeout(10),
        };
        assert_eq!(
            timeout.to_string(),
            "The registry could not be reached: Berth's server could not connect to the registry r.example within 10 seconds. The registry may be down, or this server may not be allowed to reach it (a firewall or proxy in between): if it keeps failing, ask your administrator."
        );
        assert_eq!(timeout.message().params["seconds"], "10");
        let lookup = RegistryError::Unreachable {
            registry: "r.example".into(),
            why: Unreachable::Lookup,
        };
        assert!(
            lookup
                .to_string()
                .contains("the registry r.example (its name could not be looked up). The registry")
        );
        let status = RegistryError::Unexpected {
            registry: "r.example".into(),
            what: Unexpected::TokenStatus(500),
        };
        assert_eq!(
            status.to_string(),
            "The registry r.example gave an answer Berth could not use: HTTP status 500 from its token service."
        );
        let missing = RegistryError::NotFound {
            registry: "r.example".into(),
            repository: "team/app".into(),
            version: "1.0".into(),
        };
        assert_eq!(
            missing.to_string(),
            "The registry r.example has no image team/app with the tag or digest 1.0. Check the spelling, and whether it was pushed."
        );
        assert_eq!(missing.message().code, "registry.image_not_found");
        for what in [
            Unexpected::AddressUnreadable,
            Unexpected::Status(418),
            Unexpected::TokenStatus(418),
            Unexpected::BrokenOff,
            Unexpected::SignInMethod,
            Unexpected::TokenAddress,
            Unexpected::TokenUnreadable,
            Unexpected::NoToken,
            Unexpected::RedirectInvalid,
            Unexpected::TooManyRedirects,
            Unexpected::NoHost,
            Unexpected::NoPort,
            Unexpected::Client,
            Unexpected::UserName,
        ] {
            let e = RegistryError::Unexpected {
                registry: "r".into(),
                what,
            };
            let code = e.message().code;
            assert!(berth_shared::message::template(&code).is_some(), "{code}");
        }
    }

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
        assert_eq!(err.message().code, "registry.unreachable");
        assert_eq!(
            err.to_string(),
            format!(
                "The registry could not be reached: Berth's server could not connect to the registry {addr}. The registry may be down, or this server may not be allowed to reach it (a firewall or proxy in between): if it keeps failing, ask your administrator."
            )
        );
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
