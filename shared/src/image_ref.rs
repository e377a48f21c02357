//! Container image references (`nginx`, `us.icr.io/team/app:1.2`,
//! `ghcr.io/o/r@sha256:…`), parsed with the grammar of distribution/reference
//! and normalised the way Docker does, in the browser and on the server.
//!
//! Parsing is done by `container_image_dist_ref` (no regex, `no_std`, tested
//! against distribution/reference); the Docker normalisation rules (default
//! registry, `library/`, `:latest`) are applied here.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The registry an image without a registry lives in.
pub const DEFAULT_REGISTRY: &str = "docker.io";
/// Docker's legacy name for [`DEFAULT_REGISTRY`].
pub const LEGACY_DEFAULT_REGISTRY: &str = "index.docker.io";
/// The namespace of Docker Hub's official images.
pub const OFFICIAL_REPO_PREFIX: &str = "library/";
/// The tag of a reference that names neither a tag nor a digest.
pub const DEFAULT_TAG: &str = "latest";
/// Longest reference the form accepts.
pub const REFERENCE_MAX: usize = 1024;

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImageReference {
    /// `docker.io`, `us.icr.io`, `127.0.0.1:5000`, …
    pub registry: String,
    /// `library/nginx`, `team/app`, …
    pub repository: String,
    /// The tag; `latest` when neither tag nor digest was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// `sha256:…` when the reference pins a digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl ImageReference {
    /// Parses `input` (surrounding spaces ignored) and normalises it.
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(ReferenceError::Empty);
        }
        if input.len() > REFERENCE_MAX {
            return Err(ReferenceError::TooLong { max: REFERENCE_MAX });
        }
        if input.contains("://") {
            let suggestion = crate::image_web_address::reference_from_web_address(input)
                .filter(|s| Self::parse(s).is_ok());
            // Only the scheme in front of a registry address, or a web page?
            let bare = input.split_once("://").map_or(input, |(_, rest)| rest);
            let web_page = suggestion
                .as_deref()
                .is_some_and(|s| s != bare.trim_end_matches('/'));
            return Err(match suggestion {
                Some(suggestion) if web_page => ReferenceError::WebPage { suggestion },
                suggestion => ReferenceError::HasScheme { suggestion },
            });
        }
        if input.len() == 64 && input.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ReferenceError::BareDigest);
        }
        let parsed = container_image_dist_ref::ImgRef::new(input)
            .map_err(|e| ReferenceError::from_kind(e.kind(), input, usize::from(e.index())))?;
        let name = parsed.name().to_str().to_owned();
        let tag = parsed.tag().map(str::to_owned);
        let digest = parsed.digest().map(|d| d.to_str().to_owned());

        let (mut registry, mut repository) = split_registry(&name);
        if registry == LEGACY_DEFAULT_REGISTRY {
            registry = DEFAULT_REGISTRY.to_owned();
        }
        if repository.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(ReferenceError::Uppercase);
        }
        if registry == DEFAULT_REGISTRY && !repository.contains('/') {
            repository = format!("{OFFICIAL_REPO_PREFIX}{repository}");
        }
        let tag = match (&tag, &digest) {
            (None, None) => Some(DEFAULT_TAG.to_owned()),
            _ => tag,
        };
        Ok(Self {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// `registry/repository[:tag][@digest]`, e.g. `docker.io/library/nginx:latest`.
    pub fn normalized(&self) -> String {
        let mut out = format!("{}/{}", self.registry, self.repository);
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(digest);
        }
        out
    }
}

impl std::fmt::Display for ImageReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.normalized())
    }
}

/// Docker's rule: the first path component is a registry only if it looks
/// like a host (has a dot or a port, or is `localhost`); otherwise the image
/// lives on Docker Hub.
fn split_registry(name: &str) -> (String, String) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.')
                || first.contains(':')
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (first.to_owned(), rest.to_owned())
        }
        _ => (DEFAULT_REGISTRY.to_owned(), name.to_owned()),
    }
}

/// Why a reference was refused, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReferenceError {
    #[error("Enter the image address, for example nginx or us.icr.io/team/app:1.0.")]
    Empty,
    #[error("Use at most {max} characters.")]
    TooLong { max: usize },
    #[error("Leave out “https://”: {}", match .suggestion {
        Some(s) => format!("did you mean {s}?"),
        None => "an image address starts with the registry, like us.icr.io/team/app.".to_owned(),
    })]
    HasScheme { suggestion: Option<String> },
    /// A registry's web page about the image (Docker Hub, Quay, GitHub).
    #[error("This is the address of the image's web page. Did you mean {suggestion}?")]
    WebPage { suggestion: String },
    #[error("This looks like a bare digest; write it after the image name, like app@sha256:….")]
    BareDigest,
    #[error("Image names use lowercase letters only (the registry part may have capitals).")]
    Uppercase,
    #[error("Something is missing around position {position}: {what}")]
    Missing { position: usize, what: &'static str },
    #[error("“{found}” at position {position} is not allowed {place}.")]
    InvalidChar {
        found: char,
        position: usize,
        place: &'static str,
    },
    #[error("{0}")]
    Other(&'static str),
}

impl ReferenceError {
    /// The address the person probably meant, when they pasted a URL.
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            Self::WebPage { suggestion } => Some(suggestion),
            Self::HasScheme { suggestion } => suggestion.as_deref(),
            _ => None,
        }
    }

    fn from_kind(kind: container_image_dist_ref::err::Kind, input: &str, index: usize) -> Self {
        use container_image_dist_ref::err::Kind as K;
        let position = index + 1;
        let found = input.get(index..).and_then(|s| s.chars().next());
        let invalid = |place: &'static str| match found {
            Some(found) => Self::InvalidChar {
                found,
                position,
                place,
            },
            None => Self::Missing {
                position,
                what: "the address ends too early.",
            },
        };
        match kind {
            K::HostOrPathMissing | K::PathMissing | K::RefMissing => Self::Missing {
                position,
                what: "an image name is expected here.",
            },
            K::HostMissing => Self::Missing {
                position,
                what: "a registry host is expected here.",
            },
            K::PortOrTagMissing | K::TagMissing => Self::Missing {
                position,
                what: "a tag (like 1.0) or a port number is expected after “:”.",
            },
            K::PortMissing => Self::Missing {
                position,
                what: "a port number is expected after “:”.",
            },
            K::AlgorithmMissing | K::EncodedMissing => Self::Missing {
                position,
                what: "a digest like sha256:… is expected after “@”.",
            },
            K::HostOrPathTooLong | K::NameTooLong | K::HostTooLong | K::PathTooLong => {
                Self::Other("The image name is too long (at most 255 characters).")
            }
            K::TagTooLong => Self::Other("The tag is too long (at most 128 characters)."),
            K::TagInvalidChar => invalid("in a tag (use letters, digits, “_”, “.” and “-”)"),
            K::PortOrTagInvalidChar | K::PortInvalidChar | K::Port | K::PortTooLong => {
                invalid("after “:” (a tag uses letters, digits, “_”, “.”, “-”; a port only digits)")
            }
            K::HostOrPathInvalidChar | K::PathInvalidChar => {
                invalid("in an image name (use lowercase letters, digits, “/”, “.”, “_” and “-”)")
            }
            K::HostOrPathInvalidComponentEnd | K::PathComponentInvalidEnd => {
                invalid("here: each part of the name must start and end with a letter or digit")
            }
            K::HostComponentInvalidEnd | K::HostInvalidChar => invalid("in a registry host name"),
            K::Ipv6InvalidChar
            | K::Ipv6TooLong
            | K::Ipv6BadColon
            | K::Ipv6TooManyHexDigits
            | K::Ipv6TooManyGroups
            | K::Ipv6TooFewGroups
            | K::Ipv6MissingClosingBracket => Self::Other(
                "The registry's IPv6 address is not written correctly, like [::1]:5000.",
            ),
            K::OciRegisteredAlgorithmWrongDigestLength => {
                Self::Other("The digest has the wrong length: sha256 takes 64 hexadecimal digits.")
            }
            K::EncodingTooShort => {
                Self::Other("The digest is too short: sha256 takes 64 hexadecimal digits.")
            }
            K::EncodingTooLong | K::AlgorithmTooLong => Self::Other("The digest is too long."),
            K::InvalidOciAlgorithm
            | K::AlgorithmInvalidNumericPrefix
            | K::AlgorithmInvalidChar
            | K::EncodedInvalidChar
            | K::EncodedNonLowerHex
            | K::OciRegisteredDigestInvalidChar => invalid(
                "in the digest (write it like sha256: followed by lowercase hexadecimal digits)",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        ImageReference::parse(s)
            .map(|r| r.normalized())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn docker_normalisation_rules() {
        assert_eq!(norm("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(norm(" nginx:1.27 "), "docker.io/library/nginx:1.27");
        assert_eq!(norm("bitnami/redis"), "docker.io/bitnami/redis:latest");
        assert_eq!(norm("docker.io/nginx"), "docker.io/library/nginx:latest");
        assert_eq!(
            norm("index.docker.io/library/nginx:1"),
            "docker.io/library/nginx:1"
        );
        assert_eq!(norm("us.icr.io/team/app:2.0"), "us.icr.io/team/app:2.0");
        assert_eq!(norm("localhost/app"), "localhost/app:latest");
        assert_eq!(
            norm("127.0.0.1:5000/demo/hello"),
            "127.0.0.1:5000/demo/hello:latest"
        );
        assert_eq!(
            norm(&format!("ghcr.io/o/r@{DIGEST}")),
            format!("ghcr.io/o/r@{DIGEST}")
        );
        assert_eq!(
            norm(&format!("nginx:1@{DIGEST}")),
            format!("docker.io/library/nginx:1@{DIGEST}")
        );
    }

    #[test]
    fn parts_are_separate() {
        let r = ImageReference::parse("us.icr.io/team/app:2.0").expect("parses");
        assert_eq!(r.registry, "us.icr.io");
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag.as_deref(), Some("2.0"));
        assert_eq!(r.digest, None);
        let r = ImageReference::parse(&format!("app@{DIGEST}")).expect("parses");
        assert_eq!(r.tag, None, "a digest alone gets no :latest");
        assert_eq!(r.digest.as_deref(), Some(DIGEST));
    }

    #[test]
    fn errors_are_plain_words() {
        assert_eq!(ImageReference::parse(""), Err(ReferenceError::Empty));
        assert_eq!(
            ImageReference::parse("https://example.com"),
            Err(ReferenceError::HasScheme { suggestion: None })
        );
        let pasted = ImageReference::parse("https://hub.docker.com/_/nginx").expect_err("a page");
        assert_eq!(
            pasted.to_string(),
            "This is the address of the image's web page. Did you mean nginx?"
        );
        assert_eq!(pasted.suggestion(), Some("nginx"));
        let schemed = ImageReference::parse("https://us.icr.io/team/app:1.0").expect_err("scheme");
        assert_eq!(
            schemed.to_string(),
            "Leave out “https://”: did you mean us.icr.io/team/app:1.0?"
        );
        assert_eq!(
            ImageReference::parse("Nginx"),
            Err(ReferenceError::InvalidChar {
                found: 'N',
                position: 1,
                place: "in an image name (use lowercase letters, digits, “/”, “.”, “_” and “-”)"
            })
        );
        assert!(ImageReference::parse("docker.io/Team/app").is_err());
        for bad in [
            "nginx:",
            "nginx@sha256:12",
            "a b",
            "nginx:la test",
            "foo//bar",
        ] {
            let err = ImageReference::parse(bad).expect_err(bad);
            assert!(!err.to_string().is_empty(), "{bad}");
        }
        assert!(
            ImageReference::parse("nginx:")
                .expect_err("no tag")
                .to_string()
                .contains("tag")
        );
        assert_eq!(
            ImageReference::parse(&"a".repeat(64)),
            Err(ReferenceError::BareDigest)
        );
    }
}
