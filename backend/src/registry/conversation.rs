//! One image check as HTTP requests: the manifest `HEAD` (then `GET` when
//! the registry names no digest), answering a basic or bearer challenge,
//! following redirects by hand so each hop is checked first.

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest as _, Sha256};

use super::{CHECK_TIMEOUT, RegistryAccess, RegistryError, Unexpected, Unreachable, is_tls};
use oci_client::Reference;

/// Redirects followed at most, as browsers and registries' clients do.
const MAX_REDIRECTS: usize = 5;

/// The manifest kinds Berth accepts (single images and indexes).
const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

pub(super) struct Conversation<'a> {
    access: &'a RegistryAccess,
    image: &'a Reference,
    login: Option<(String, SecretString)>,
    /// The registry as written in the image address, for messages.
    registry: String,
}

/// What a request may carry: a credential, only for one `host:port`.
struct Credential {
    value: HeaderValue,
    authority: String,
}

impl<'a> Conversation<'a> {
    pub(super) fn new(
        access: &'a RegistryAccess,
        image: &'a Reference,
        login: Option<(String, SecretString)>,
    ) -> Self {
        Self {
            access,
            image,
            login,
            registry: image.registry().to_owned(),
        }
    }

    pub(super) async fn manifest_digest(&self) -> Result<String, RegistryError> {
        let home = self.image.resolve_registry().to_owned();
        let scheme = if self.access.is_insecure(&home) {
            "http"
        } else {
            "https"
        };
        let version = self.image.digest().or(self.image.tag()).unwrap_or("latest");
        let url = Url::parse(&format!(
            "{scheme}://{home}/v2/{}/manifests/{version}",
            self.image.repository()
        ))
        .map_err(|_| self.unexpected(Unexpected::AddressUnreadable))?;

        let mut credential = None;
        let mut answer = self.request(Method::HEAD, &url, None).await?;
        if answer.status() == StatusCode::UNAUTHORIZED {
            credential = Some(self.answer_challenge(answer.headers(), &home).await?);
            answer = self
                .request(Method::HEAD, &url, credential.as_ref())
                .await?;
        }
        match answer.status() {
            status if status.is_success() => {}
            StatusCode::NOT_FOUND => return Err(self.not_found()),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => return Err(self.refused()),
            status => {
                return Err(self.unexpected(Unexpected::Status(status.as_u16())));
            }
        }
        if let Some(digest) = answer
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
        {
            return Ok(digest.to_owned());
        }
        // No digest header: the digest of the manifest's bytes.
        let answer = self.request(Method::GET, &url, credential.as_ref()).await?;
        if !answer.status().is_success() {
            return Err(self.unexpected(Unexpected::Status(answer.status().as_u16())));
        }
        let body = answer
            .bytes()
            .await
            .map_err(|_| self.unexpected(Unexpected::BrokenOff))?;
        Ok(format!("sha256:{:x}", Sha256::digest(&body)))
    }

    /// The credential that answers the registry's challenge: basic auth
    /// for the registry itself, or a token from its realm.
    async fn answer_challenge(
        &self,
        headers: &HeaderMap,
        home: &str,
    ) -> Result<Credential, RegistryError> {
        let challenge = headers
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(Challenge::parse)
            .ok_or_else(|| self.refused())?;
        let Some((user, password)) = &self.login else {
            if let Challenge::Bearer { .. } = challenge {
                // Anonymous pull tokens are common (public images).
                return self.token(&challenge, None).await;
            }
            return Err(self.refused());
        };
        match challenge {
            Challenge::Basic => Ok(Credential {
                value: basic(user, password)?,
                authority: home.to_owned(),
            }),
            Challenge::Bearer { .. } => self.token(&challenge, Some(basic(user, password)?)).await,
            Challenge::Other => Err(self.unexpected(Unexpected::SignInMethod)),
        }
    }

    /// A bearer token from the challenge's realm (HTTPS, checked), sending
    /// the basic credential there only.
    async fn token(
        &self,
        challenge: &Challenge,
        basic: Option<HeaderValue>,
    ) -> Result<Credential, RegistryError> {
        let Challenge::Bearer {
            realm,
            service,
            scope,
        } = challenge
        else {
            return Err(self.refused());
        };
        let mut url = Url::parse(realm).map_err(|_| self.unexpected(Unexpected::TokenAddress))?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(service) = service {
                query.append_pair("service", service);
            }
            let default_scope = format!("repository:{}:pull", self.image.repository());
            query.append_pair("scope", scope.as_deref().unwrap_or(&default_scope));
        }
        let realm_authority = authority(&url)?;
        let sent = basic.map(|value| Credential {
            value,
            authority: realm_authority,
        });
        let answer = self.request(Method::GET, &url, sent.as_ref()).await?;
        match answer.status() {
            status if status.is_success() => {}
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => return Err(self.refused()),
            status => {
                return Err(self.unexpected(Unexpected::TokenStatus(status.as_u16())));
            }
        }
        #[derive(serde::Deserialize)]
        struct Token {
            token: Option<String>,
            access_token: Option<String>,
        }
        let token: Token = answer
            .json()
            .await
            .map_err(|_| self.unexpected(Unexpected::TokenUnreadable))?;
        let token = token
            .token
            .or(token.access_token)
            .ok_or_else(|| self.unexpected(Unexpected::NoToken))?;
        let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| self.unexpected(Unexpected::TokenUnreadable))?;
        value.set_sensitive(true);
        // The token is for the registry: it goes there (and only there).
        Ok(Credential {
            value,
            authority: self.image.resolve_registry().to_owned(),
        })
    }

    /// Sends one request, following redirects; every hop is checked and
    /// connected to at the address checked, and the credential goes only
    /// to its own `host:port`.
    async fn request(
        &self,
        method: Method,
        url: &Url,
        credential: Option<&Credential>,
    ) -> Result<reqwest::Response, RegistryError> {
        let mut url = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let client = self.client_for(&url).await?;
            let mut request = client
                .request(method.clone(), url.clone())
                .header(ACCEPT, MANIFEST_TYPES);
            if let Some(c) = credential
                && authority(&url)? == c.authority
            {
                request = request.header(AUTHORIZATION, c.value.clone());
            }
            let answer = request.send().await.map_err(|e| self.failed(&e))?;
            if !answer.status().is_redirection() {
                return Ok(answer);
            }
            let next = answer
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| url.join(l).ok())
                .ok_or_else(|| self.unexpected(Unexpected::RedirectInvalid))?;
            url = next;
        }
        Err(self.unexpected(Unexpected::TooManyRedirects))
    }

    /// A client that may reach only `url`'s host, over HTTPS (plain HTTP
    /// for an insecure registry), at the addresses checked now.
    async fn client_for(&self, url: &Url) -> Result<reqwest::Client, RegistryError> {
        let authority = authority(url)?;
        let host = url
            .host_str()
            .ok_or_else(|| self.unexpected(Unexpected::NoHost))?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        match url.scheme() {
            "https" => {}
            "http" if self.access.is_insecure(&authority) => {}
            _ => {
                return Err(RegistryError::PlainHttp {
                    registry: self.registry.clone(),
                    host: authority,
                });
            }
        }
        let port = url
            .port_or_known_default()
            .ok_or_else(|| self.unexpected(Unexpected::NoPort))?;
        let addresses = self
            .access
            .checked_addresses(&authority, bare, port)
            .await
            .map_err(|e| self.as_written(e, &authority))?;
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(CHECK_TIMEOUT)
            .timeout(CHECK_TIMEOUT)
            .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")));
        if bare.parse::<std::net::IpAddr>().is_err() {
            builder = builder.resolve_to_addrs(bare, &addresses);
        }
        builder
            .build()
            .map_err(|_| self.unexpected(Unexpected::Client))
    }

    /// Names the registry as the image address writes it when the
    /// refused hop is the registry itself (URLs normalise `127.1`).
    fn as_written(&self, error: RegistryError, authority: &str) -> RegistryError {
        let home = Url::parse(&format!("http://{}/", self.image.resolve_registry()))
            .ok()
            .and_then(|u| self::authority(&u).ok());
        match error {
            RegistryError::InternalAddress { .. } if home.as_deref() == Some(authority) => {
                RegistryError::InternalAddress {
                    registry: self.registry.clone(),
                }
            }
            other => other,
        }
    }

    fn refused(&self) -> RegistryError {
        if self.login.is_some() {
            RegistryError::Unauthorized {
                registry: self.registry.clone(),
            }
        } else {
            RegistryError::CredentialsNeeded {
                registry: self.registry.clone(),
            }
        }
    }

    fn not_found(&self) -> RegistryError {
        RegistryError::NotFound {
            registry: self.registry.clone(),
            repository: self.image.repository().to_owned(),
            version: self
                .image
                .digest()
                .or(self.image.tag())
                .unwrap_or("latest")
                .to_owned(),
        }
    }

    fn unexpected(&self, what: Unexpected) -> RegistryError {
        RegistryError::Unexpected {
            registry: self.registry.clone(),
            what,
        }
    }

    fn failed(&self, e: &reqwest::Error) -> RegistryError {
        let registry = self.registry.clone();
        if is_tls(e) {
            RegistryError::Tls { registry }
        } else if e.is_timeout() {
            RegistryError::Unreachable {
                registry,
                why: Unreachable::Timeout(CHECK_TIMEOUT.as_secs()),
            }
        } else if e.is_connect() || e.is_request() {
            RegistryError::Unreachable {
                registry,
                why: Unreachable::Connect,
            }
        } else {
            self.unexpected(Unexpected::BrokenOff)
        }
    }
}

/// `host[:port]` of `url`, the port only when it is not the scheme's.
fn authority(url: &Url) -> Result<String, RegistryError> {
    let host = url.host_str().ok_or(RegistryError::Unexpected {
        registry: String::new(),
        what: Unexpected::NoHost,
    })?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

fn basic(user: &str, password: &SecretString) -> Result<HeaderValue, RegistryError> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD
        .encode(format!("{user}:{}", password.expose_secret()));
    let mut value = HeaderValue::from_str(&format!("Basic {encoded}")).map_err(|_| {
        RegistryError::Unexpected {
            registry: String::new(),
            what: Unexpected::UserName,
        }
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// A `WWW-Authenticate` challenge.
#[derive(Debug, PartialEq, Eq)]
enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
    Other,
}

impl Challenge {
    fn parse(header: &str) -> Self {
        let header = header.trim();
        let (scheme, params) = header.split_once(' ').unwrap_or((header, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            return Self::Basic;
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Self::Other;
        }
        let mut realm = None;
        let mut service = None;
        let mut scope = None;
        for (key, value) in parameters(params) {
            match key.to_ascii_lowercase().as_str() {
                "realm" => realm = Some(value),
                "service" => service = Some(value),
                "scope" => scope = Some(value),
                _ => {}
            }
        }
        match realm {
            Some(realm) => Self::Bearer {
                realm,
                service,
                scope,
            },
            None => Self::Other,
        }
    }
}

/// `key="value", key=value` pairs (quoted values may hold commas).
fn parameters(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut rest = text.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key.trim().trim_start_matches(',').trim().to_owned();
        let after = after.trim_start();
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        pairs.push((key, value.to_owned()));
        rest = next.trim_start().trim_start_matches(',').trim_start();
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_are_read() {
        assert_eq!(
            Challenge::parse(
                r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#
            ),
            Challenge::Bearer {
                realm: "https://auth.example/token".into(),
                service: Some("registry.example".into()),
                scope: Some("repository:a/b:pull,push".into()),
            }
        );
        assert_eq!(
            Challenge::parse(r#"Basic realm="berth-test""#),
            Challenge::Basic
        );
        assert_eq!(Challenge::parse("Negotiate"), Challenge::Other);
        assert_eq!(Challenge::parse("Bearer service=x"), Challenge::Other);
    }
}
