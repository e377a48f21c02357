//! Image pointers: the address of a container image (never the image), an
//! optional registry credential to reach it, and what the last check found.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::image_ref::ImageReference;
use crate::message;
use crate::names::validate_object_name;
use crate::problem::FieldError;
use crate::project::validate_description;
use crate::stamps::Stamps;

/// An image pointer as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImagePointer {
    pub name: String,
    /// The normalised reference, e.g. `docker.io/library/nginx:latest`.
    pub reference: String,
    /// The reference in its parts.
    pub parts: ImageReference,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    #[serde(default)]
    pub description: String,
    /// The digest the registry reported at the last successful check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// When the registry was last asked (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<String>,
    /// Why the last check failed, in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// `lastError` as a stable code (see `message::TEMPLATES`), for a
    /// client that says it in another language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_code: Option<String>,
    /// The values `lastError` names, by the names its template uses.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub last_error_params: BTreeMap<String, String>,
    #[serde(flatten)]
    pub stamps: Stamps,
}

/// The body of `GET .../images`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImagePointerList {
    pub items: Vec<ImagePointer>,
}

/// The body of `POST .../images` and `PUT .../images/{name}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SaveImagePointer {
    /// Required on create; on replace it may be left out (the address names it).
    #[serde(default)]
    pub name: String,
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    #[serde(default)]
    pub description: String,
}

impl SaveImagePointer {
    /// Every rule the form shows and the server enforces.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Err(e) = validate_object_name(&self.name) {
            errors.push(FieldError::new("name", e.message()));
        }
        if let Err(e) = ImageReference::parse(&self.reference) {
            errors.push(FieldError::new("reference", e.message()));
        }
        if let Some(cred) = self.credential.as_deref().filter(|c| !c.is_empty())
            && validate_object_name(cred).is_err()
        {
            errors.push(FieldError::new(
                "credential",
                message!("image.credential.choose"),
            ));
        }
        if let Err(e) = validate_description(&self.description) {
            errors.push(FieldError::new("description", e));
        }
        errors
    }

    /// The credential name, with an empty choice meaning none.
    pub fn credential_name(&self) -> Option<&str> {
        self.credential.as_deref().filter(|c| !c.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_name_each_field() {
        let bad = SaveImagePointer {
            name: "Web".into(),
            reference: "nginx:".into(),
            credential: Some("Bad Cred".into()),
            description: "\t".into(),
        };
        let fields: Vec<_> = bad.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "reference", "credential", "description"]);
        let codes: Vec<_> = bad.validate().into_iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                "name.char_invalid.subdomain",
                "image.reference.missing.tag_or_port",
                "image.credential.choose",
                "text.control_chars"
            ]
        );
        let good = SaveImagePointer {
            name: "web".into(),
            reference: "nginx".into(),
            credential: Some(String::new()),
            description: String::new(),
        };
        assert!(good.validate().is_empty());
        assert_eq!(good.credential_name(), None);
    }
}
