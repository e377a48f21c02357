//! Container image references (`nginx`, `us.icr.io/team/app:1.2`,
//! `ghcr.io/o/r@sha256:…`), parsed with the grammar of distribution/reference
//! and normalised the way Docker does, in the browser and on the server.
//!
//! Parsing is done by `container_image_dist_ref` (no regex, `no_std`, tested
//! against distribution/reference); the Docker normalisation rules (default
//! registry, `library/`, `:latest`) are applied here.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::message;
use crate::message::Message;

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
#[error("{}", self.message())]
pub enum ReferenceError {
    Empty,
    TooLong {
        max: usize,
    },
    HasScheme {
        suggestion: Option<String>,
    },
    /// A registry's web page about the image (Docker Hub, Quay, GitHub).
    WebPage {
        suggestion: String,
    },
    BareDigest,
    Uppercase,
    Missing {
        position: usize,
        what: Missing,
    },
    InvalidChar {
        found: char,
        position: usize,
        place: Place,
    },
    Other(Other),
}

/// What is missing where a reference ends or breaks off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// An image name is expected here.
    Name,
    /// A registry host is expected here.
    Host,
    /// A tag or a port is expected after “:”.
    TagOrPort,
    /// A port number is expected after “:”.
    Port,
    /// A digest is expected after “@”.
    Digest,
    /// The address ends too early.
    End,
}

/// The part of a reference a refused character is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Tag,
    PortOrTag,
    Name,
    /// The start or end of a part of the name.
    PartEnd,
    Host,
    Digest,
}

/// The other ways a reference can be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Other {
    NameTooLong,
    TagTooLong,
    Ipv6,
    DigestLength,
    DigestTooShort,
    DigestTooLong,
}

/// Longest image name (registry and repository) distribution accepts.
pub const NAME_MAX: usize = 255;
/// Longest tag.
pub const TAG_MAX: usize = 128;

impl ReferenceError {
    /// The refusal as a code and its values.
    pub fn message(&self) -> Message {
        match self {
            Self::Empty => message!("image.reference.required"),
            Self::TooLong { max } => message!("text.too_long").with("max", max),
            Self::HasScheme {
                suggestion: Some(suggestion),
            } => message!("image.reference.scheme.suggestion").with("suggestion", suggestion),
            Self::HasScheme { suggestion: None } => message!("image.reference.scheme"),
            Self::WebPage { suggestion } => {
                message!("image.reference.web_page").with("suggestion", suggestion)
            }
            Self::BareDigest => message!("image.reference.bare_digest"),
            Self::Uppercase => message!("image.reference.uppercase"),
            Self::Missing { position, what } => match what {
                Missing::Name => message!("image.reference.missing.name"),
                Missing::Host => message!("image.reference.missing.host"),
                Missing::TagOrPort => message!("image.reference.missing.tag_or_port"),
                Missing::Port => message!("image.reference.missing.port"),
                Missing::Digest => message!("image.reference.missing.digest"),
                Missing::End => message!("image.reference.missing.end"),
            }
            .with("position", position),
            Self::InvalidChar {
                found,
                position,
                place,
            } => match place {
                Place::Tag => message!("image.reference.tag_invalid"),
                Place::PortOrTag => message!("image.reference.port_or_tag_invalid"),
                Place::Name => message!("image.reference.name_invalid"),
                Place::PartEnd => message!("image.reference.part_end_invalid"),
                Place::Host => message!("image.reference.host_invalid"),
                Place::Digest => message!("image.reference.digest_invalid"),
            }
            .with("char", found)
            .with("position", position),
            Self::Other(other) => match other {
                Other::NameTooLong => {
                    message!("image.reference.name_too_long").with("max", NAME_MAX)
                }
                Other::TagTooLong => message!("image.reference.tag_too_long").with("max", TAG_MAX),
                Other::Ipv6 => message!("image.reference.ipv6_invalid"),
                Other::DigestLength => message!("image.reference.digest_length"),
                Other::DigestTooShort => message!("image.reference.digest_too_short"),
                Other::DigestTooLong => message!("image.reference.digest_too_long"),
            },
        }
    }

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
        let missing = |what| Self::Missing { position, what };
        let invalid = |place| match found {
            Some(found) => Self::InvalidChar {
                found,
                position,
                place,
            },
            None => missing(Missing::End),
        };
        match kind {
            K::HostOrPathMissing | K::PathMissing | K::RefMissing => missing(Missing::Name),
            K::HostMissing => missing(Missing::Host),
            K::PortOrTagMissing | K::TagMissing => missing(Missing::TagOrPort),
            K::PortMissing => missing(Missing::Port),
            K::AlgorithmMissing | K::EncodedMissing => missing(Missing::Digest),
            K::HostOrPathTooLong | K::NameTooLong | K::HostTooLong | K::PathTooLong => {
                Self::Other(Other::NameTooLong)
            }
            K::TagTooLong => Self::Other(Other::TagTooLong),
            K::TagInvalidChar => invalid(Place::Tag),
            K::PortOrTagInvalidChar | K::PortInvalidChar | K::Port | K::PortTooLong => {
                invalid(Place::PortOrTag)
            }
            K::HostOrPathInvalidChar | K::PathInvalidChar => invalid(Place::Name),
            K::HostOrPathInvalidComponentEnd | K::PathComponentInvalidEnd => {
                invalid(Place::PartEnd)
            }
            K::HostComponentInvalidEnd | K::HostInvalidChar => invalid(Place::Host),
            K::Ipv6InvalidChar
            | K::Ipv6TooLong
            | K::Ipv6BadColon
            | K::Ipv6TooManyHexDigits
            | K::Ipv6TooManyGroups
            | K::Ipv6TooFewGroups
            | K::Ipv6MissingClosingBracket => Self::Other(Other::Ipv6),
            K::OciRegisteredAlgorithmWrongDigestLength => Self::Other(Other::DigestLength),
            K::EncodingTooShort => Self::Other(Other::DigestTooShort),
            K::EncodingTooLong | K::AlgorithmTooLong => Self::Other(Other::DigestTooLong),
            K::InvalidOciAlgorithm
            | K::AlgorithmInvalidNumericPrefix
            | K::AlgorithmInvalidChar
            | K::EncodedInvalidChar
            | K::EncodedNonLowerHex
            | K::OciRegisteredDigestInvalidChar => invalid(Place::Digest),
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
                place: Place::Name
            })
        );
        assert_eq!(
            ImageReference::parse("Nginx")
                .expect_err("capital")
                .to_string(),
            "“N” at position 1 is not allowed in an image name (use lowercase letters, digits, “/”, “.”, “_” and “-”)."
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

    #[test]
    fn errors_carry_codes_and_values() {
        let e = ImageReference::parse("nginx:la test").expect_err("a space after the colon");
        let m = e.message();
        assert_eq!(m.code, "image.reference.port_or_tag_invalid");
        assert_eq!(m.params["char"], " ");
        assert_eq!(m.params["position"], "9");
        assert_eq!(
            e.to_string(),
            "“ ” at position 9 is not allowed after “:” (a tag uses letters, digits, “_”, “.”, “-”; a port only digits)."
        );
        let page = ImageReference::parse("https://hub.docker.com/_/nginx").expect_err("a page");
        assert_eq!(page.message().code, "image.reference.web_page");
        assert_eq!(page.message().params["suggestion"], "nginx");
        let e = ImageReference::parse("nginx:").expect_err("no tag");
        assert_eq!(e.message().code, "image.reference.missing.tag_or_port");
        assert_eq!(
            e.to_string(),
            "Something is missing around position 7: a tag (like 1.0) or a port number is expected after “:”."
        );
        let e = ImageReference::parse(&format!("nginx:{}", "a".repeat(129))).expect_err("long tag");
        assert_eq!(
            e.to_string(),
            "The tag is too long (at most 128 characters)."
        );
        let e = ImageReference::parse(&"x".repeat(REFERENCE_MAX + 1)).expect_err("long");
        assert_eq!(e.to_string(), "Use at most 1024 characters.");
    }
}
