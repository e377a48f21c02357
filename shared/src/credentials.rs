//! Registry credentials: what the forms send, what the API returns (never a
//! secret value), and every rule for them.

use serde::{Deserialize, Serialize};

use crate::message;
use crate::message::Message;
use crate::names::validate_object_name;
use crate::problem::FieldError;
use crate::stamps::Stamps;

/// The server key Docker (and the kubelet) use for Docker Hub.
pub const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";
/// The fixed user name of IBM Container Registry API keys.
pub const ICR_USERNAME: &str = "iamapikey";
/// IBM Container Registry endpoints: the global one first, then the
/// regional ones (IBM Cloud docs, "Regions" of Container Registry).
pub const ICR_SERVERS: [(&str, &str); 11] = [
    ("icr.io", "Global"),
    ("us.icr.io", "Dallas (us-south)"),
    ("ca.icr.io", "Toronto (ca-tor)"),
    ("br.icr.io", "São Paulo (br-sao)"),
    ("uk.icr.io", "London (uk-south)"),
    ("de.icr.io", "Frankfurt (eu-central)"),
    ("fr2.icr.io", "Paris (eu-fr2)"),
    ("es.icr.io", "Madrid (eu-es)"),
    ("jp.icr.io", "Tokyo (ap-north)"),
    ("jp2.icr.io", "Osaka (jp-osa)"),
    ("au.icr.io", "Sydney (ap-south)"),
];
/// Longest user name, password, token or API key accepted.
pub const SECRET_MAX: usize = 4096;
pub const USERNAME_MAX: usize = 255;

/// The three kinds of registry the console has a form for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RegistryKind {
    #[default]
    DockerHub,
    Icr,
    Other,
}

impl RegistryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DockerHub => "docker-hub",
            Self::Icr => "icr",
            Self::Other => "other",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Self> {
        match s {
            "docker-hub" => Some(Self::DockerHub),
            "icr" => Some(Self::Icr),
            "other" => Some(Self::Other),
            _ => None,
        }
    }

    /// What a person calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::DockerHub => "Docker Hub",
            Self::Icr => "IBM Container Registry",
            Self::Other => "Other registry",
        }
    }

    /// The server this kind stores, given what was typed.
    pub fn effective_server(self, server: &str) -> String {
        match self {
            Self::DockerHub => DOCKER_HUB_SERVER.to_owned(),
            Self::Icr | Self::Other => server.trim().to_ascii_lowercase(),
        }
    }

    /// The user name this kind stores, given what was typed.
    pub fn effective_username(self, username: &str) -> String {
        match self {
            Self::Icr => ICR_USERNAME.to_owned(),
            Self::DockerHub | Self::Other => username.trim().to_owned(),
        }
    }
}

/// A registry credential as the API returns it: metadata only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RegistryCredential {
    pub name: String,
    pub kind: RegistryKind,
    pub server: String,
    pub username: String,
    /// Names of the image pointers that use this credential.
    #[serde(default)]
    pub used_by: Vec<String>,
    #[serde(flatten)]
    pub stamps: Stamps,
}

/// The body of `GET .../registry-credentials`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistryCredentialList {
    pub items: Vec<RegistryCredential>,
}

/// What the browser sends to create or replace a credential. The server
/// reads the same JSON into its own type that holds `secret` in a
/// `secrecy::SecretString`; here (in the browser) it is a plain string
/// that `Debug` never shows.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SaveRegistryCredential {
    pub name: String,
    pub kind: RegistryKind,
    #[serde(default)]
    pub server: String,
    #[serde(default)]
    pub username: String,
    /// Password, access token or API key.
    #[serde(default)]
    pub secret: String,
}

impl std::fmt::Debug for SaveRegistryCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SaveRegistryCredential")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("server", &self.server)
            .field("username", &self.username)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

impl SaveRegistryCredential {
    /// Every rule the form shows and the server enforces.
    pub fn validate(&self) -> Vec<FieldError> {
        validate_credential(
            &self.name,
            self.kind,
            &self.server,
            &self.username,
            self.secret.chars().count(),
        )
    }
}

/// The rules of a credential, on its non-secret fields and the length of
/// the secret (which is all the rules need to know about it).
pub fn validate_credential(
    name: &str,
    kind: RegistryKind,
    server: &str,
    username: &str,
    secret_chars: usize,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Err(e) = validate_object_name(name) {
        errors.push(FieldError::new("name", e.message()));
    }
    match kind {
        RegistryKind::DockerHub => {}
        RegistryKind::Icr => {
            let server = kind.effective_server(server);
            if !ICR_SERVERS.iter().any(|(s, _)| *s == server) {
                errors.push(FieldError::new(
                    "server",
                    message!("credential.server.icr_location"),
                ));
            }
        }
        RegistryKind::Other => {
            if let Err(e) = validate_registry_server(&kind.effective_server(server)) {
                errors.push(FieldError::new("server", e));
            }
        }
    }
    if kind != RegistryKind::Icr {
        let username = kind.effective_username(username);
        if username.is_empty() {
            errors.push(FieldError::new(
                "username",
                match kind {
                    RegistryKind::DockerHub => message!("credential.username.docker_id"),
                    _ => message!("credential.username.required"),
                },
            ));
        } else if username.chars().count() > USERNAME_MAX {
            errors.push(FieldError::new(
                "username",
                message!("text.too_long").with("max", USERNAME_MAX),
            ));
        } else if username.contains(':') || username.chars().any(char::is_control) {
            errors.push(FieldError::new(
                "username",
                message!("credential.username.invalid"),
            ));
        }
    }
    if secret_chars == 0 {
        errors.push(FieldError::new(
            "secret",
            match kind {
                RegistryKind::DockerHub => message!("credential.secret.required.docker_hub"),
                RegistryKind::Icr => message!("credential.secret.required.icr"),
                RegistryKind::Other => message!("credential.secret.required.other"),
            },
        ));
    } else if secret_chars > SECRET_MAX {
        errors.push(FieldError::new(
            "secret",
            message!("text.too_long").with("max", SECRET_MAX),
        ));
    }
    errors
}

/// A registry server as `host[:port]`: a DNS name (letters, digits, `-`,
/// dots between labels), an IPv4 address or `[IPv6]`, and an optional port
/// from 1 to 65535. No scheme, no path.
pub fn validate_registry_server(server: &str) -> Result<(), Message> {
    if server.is_empty() {
        return Err(message!("credential.server.required"));
    }
    if server.contains("://") {
        return Err(message!("credential.server.scheme"));
    }
    if server.contains('/') {
        return Err(message!("credential.server.path"));
    }
    if server.len() > 253 {
        return Err(message!("credential.server.too_long"));
    }
    let port_ok = |port: &str| {
        !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|p| p > 0)
    };
    if let Some(rest) = server.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return Err(message!("credential.server.ipv6_bracket"));
        };
        if ip.parse::<core::net::Ipv6Addr>().is_err() {
            return Err(message!("credential.server.ipv6_invalid"));
        }
        return match after.strip_prefix(':') {
            _ if after.is_empty() => Ok(()),
            Some(port) if port_ok(port) => Ok(()),
            Some(_) => Err(message!("credential.server.port")),
            None => Err(message!("credential.server.after_ipv6")),
        };
    }
    let host = match server.split_once(':') {
        Some((host, port)) => {
            if !port_ok(port) {
                return Err(message!("credential.server.port"));
            }
            host
        }
        None => server,
    };
    if host.is_empty() {
        return Err(message!("credential.server.host_missing"));
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err(message!("credential.server.empty_part"));
        }
        if label.len() > 63 {
            return Err(message!("credential.server.part_too_long"));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(message!("credential.server.char_invalid").with("char", c));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(message!("credential.server.part_end"));
        }
    }
    Ok(())
}

/// The `.dockerconfigjson` bytes a kubelet expects for one registry:
/// `{"auths":{"<server>":{"username":…,"password":…,"auth":base64(user:password)}}}`.
/// Callers holding secrets zeroise the returned buffer after use.
pub fn docker_config_json(server: &str, username: &str, password: &str, auth: &str) -> String {
    fn esc(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    let mut out = String::with_capacity(64 + server.len() + 2 * (username.len() + password.len()));
    out.push_str("{\"auths\":{");
    esc(&mut out, server);
    out.push_str(":{\"username\":");
    esc(&mut out, username);
    out.push_str(",\"password\":");
    esc(&mut out, password);
    out.push_str(",\"auth\":");
    esc(&mut out, auth);
    out.push_str("}}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn docker_hub_fixes_the_server() {
        let req = SaveRegistryCredential {
            name: "hub".into(),
            kind: RegistryKind::DockerHub,
            server: "ignored".into(),
            username: "me".into(),
            secret: "tok".into(),
        };
        assert!(req.validate().is_empty());
        assert_eq!(
            RegistryKind::DockerHub.effective_server("x"),
            DOCKER_HUB_SERVER
        );
    }

    #[test]
    fn icr_needs_a_known_endpoint_and_fixes_the_user() {
        let ok = validate_credential("icr", RegistryKind::Icr, "de.icr.io", "", 5);
        assert!(ok.is_empty(), "{ok:?}");
        let bad = validate_credential("icr", RegistryKind::Icr, "evil.example.com", "", 5);
        assert_eq!(fields(&bad), ["server"]);
        assert_eq!(RegistryKind::Icr.effective_username("root"), ICR_USERNAME);
    }

    #[test]
    fn other_registries_need_host_port_user_and_password() {
        let errors = validate_credential("Bad_Name", RegistryKind::Other, "http://x", "", 0);
        assert_eq!(fields(&errors), ["name", "server", "username", "secret"]);
        let codes: Vec<_> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "name.char_invalid.subdomain",
                "credential.server.scheme",
                "credential.username.required",
                "credential.secret.required.other"
            ]
        );
        assert!(
            validate_credential("a", RegistryKind::Other, "reg.example.com:5000", "u", 1)
                .is_empty()
        );
    }

    #[test]
    fn registry_servers_are_host_and_port() {
        for ok in [
            "registry.example.com",
            "localhost:5000",
            "127.0.0.1:5000",
            "[::1]:5000",
            "[::1]",
            "Reg.Example.com",
        ] {
            assert_eq!(validate_registry_server(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "https://reg.example.com",
            "reg.example.com/path",
            "reg.example.com:0",
            "reg.example.com:99999",
            "reg.example.com:",
            ":5000",
            "-reg.example.com",
            "reg..example.com",
            "reg_example.com",
            "[::1",
        ] {
            assert!(validate_registry_server(bad).is_err(), "{bad}");
        }
        let e = validate_registry_server("reg_example.com").expect_err("underscore");
        assert_eq!(e.code, "credential.server.char_invalid");
        assert_eq!(e.english(), "“_” is not allowed in a host name.");
        assert_eq!(
            validate_registry_server("a:0").map_err(|e| e.english()),
            Err("The port must be a number from 1 to 65535.".to_owned())
        );
    }

    #[test]
    fn the_secret_is_never_in_debug_output() {
        let req = SaveRegistryCredential {
            secret: "hunter2".into(),
            ..SaveRegistryCredential::default()
        };
        assert!(!format!("{req:?}").contains("hunter2"));
    }

    #[test]
    fn docker_config_is_the_kubelet_shape() {
        let json = docker_config_json("reg:5000", "u\"1", "p\\w", "YXV0aA==");
        let value: serde_json::Value = serde_json::from_str(&json).expect("valid json");
        assert_eq!(
            value,
            serde_json::json!({"auths": {"reg:5000": {"username": "u\"1", "password": "p\\w", "auth": "YXV0aA=="}}})
        );
    }
}
