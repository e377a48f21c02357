//! Projects: what a person creates first, stored as a Kubernetes namespace.

use serde::{Deserialize, Serialize};

use crate::message;
use crate::message::Message;
use crate::names::validate_project_name;
use crate::problem::FieldError;
use crate::stamps::Stamps;

/// Longest project description, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 280;

/// A project as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The Kubernetes namespace that holds the project's data.
    pub namespace: String,
    /// Created at and by, and the version of its namespace.
    #[serde(flatten)]
    pub stamps: Stamps,
    /// `Active`; `Terminating` while a deletion runs; `Deleted` when it was
    /// deleted with a restore window (see [`Project::deletion`]).
    pub status: String,
    /// Set when the project was deleted with a restore window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion: Option<SoftDeletion>,
    /// The caller's role in it; `None` for an administrator who is not a
    /// member (administrators may do everything).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<crate::access::Role>,
}

/// A project deleted with a restore window: hidden, its data refused, its
/// name kept, until it is restored or `purge_after` passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SoftDeletion {
    /// RFC 3339.
    pub deleted_at: String,
    /// RFC 3339: when the project is deleted for good.
    pub purge_after: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<String>,
}

/// `status` of a project deleted with a restore window.
pub const STATUS_DELETED: &str = "Deleted";
/// `status` of a project whose namespace is being removed.
pub const STATUS_TERMINATING: &str = "Terminating";

/// Whole days left until `purge_after`, rounded up, from two Unix times in
/// seconds; 0 once it has passed.
pub fn days_left(now_unix: i64, purge_after_unix: i64) -> i64 {
    let left = purge_after_unix - now_unix;
    if left <= 0 {
        0
    } else {
        (left + 86_399) / 86_400
    }
}

/// The body of `POST /api/v1/projects`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreateProject {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

impl CreateProject {
    /// Every rule the form shows and the server enforces.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Err(e) = validate_project_name(&self.name) {
            errors.push(FieldError::new("name", e.message()));
        }
        if let Err(e) = validate_description(&self.description) {
            errors.push(FieldError::new("description", e));
        }
        errors
    }
}

/// A free-text description: bounded, and without control characters that
/// would garble a list or a log line.
pub fn validate_description(text: &str) -> Result<(), Message> {
    let len = text.chars().count();
    if len > DESCRIPTION_MAX_CHARS {
        return Err(message!("text.too_long_counted")
            .with("max", DESCRIPTION_MAX_CHARS)
            .with("length", len));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(message!("text.control_chars"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_request_has_no_errors() {
        let req = CreateProject {
            name: "shop".into(),
            description: "The web shop\nand its jobs".into(),
        };
        assert!(req.validate().is_empty());
    }

    #[test]
    fn each_bad_field_is_named() {
        let req = CreateProject {
            name: "Bad Name".into(),
            description: "x".repeat(DESCRIPTION_MAX_CHARS + 1),
        };
        let errors = req.validate();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "description"]);
        assert_eq!(errors[0].code, "name.char_invalid.label");
        assert_eq!(errors[0].params["char"], "B");
        assert_eq!(errors[1].code, "text.too_long_counted");
        assert_eq!(
            errors[1].message,
            "Use at most 280 characters (this one has 281)."
        );
    }

    #[test]
    fn description_refuses_control_characters() {
        assert!(validate_description("tab\there").is_err());
        assert!(validate_description("").is_ok());
    }

    #[test]
    fn project_uses_camel_case_on_the_wire() {
        let p = Project {
            name: "a".into(),
            description: String::new(),
            namespace: "berth-a".into(),
            stamps: Stamps {
                created_at: "2026-01-01T00:00:00Z".into(),
                version: "7".into(),
                ..Stamps::default()
            },
            status: "Active".into(),
            deletion: None,
            role: None,
        };
        let json = serde_json::to_value(&p).expect("serialises");
        assert!(json.get("createdAt").is_some());
        assert!(json.get("createdBy").is_none());
    }
}

/// The body of `GET /api/v1/projects`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectList {
    pub items: Vec<Project>,
}
