//! When and by whom a stored object was made and last changed, and its
//! version: the same on every kind of data, so one type carries them.

use serde::{Deserialize, Serialize};

/// Flattened (`#[serde(flatten)]`) into each view type, so its fields sit
/// beside the kind's own on the wire: `createdAt`, `createdBy`,
/// `updatedAt`, `updatedBy`, `version`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Stamps {
    /// When it was created (RFC 3339).
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// When it was changed last (RFC 3339); on a new object, when it was
    /// created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// The version to send back in `If-Match` when changing it.
    pub version: String,
}

impl Stamps {
    /// When it was changed last, or else created.
    pub fn changed_at(&self) -> &str {
        self.updated_at.as_deref().unwrap_or(&self.created_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    #[serde(rename_all = "camelCase")]
    struct View {
        name: String,
        #[serde(flatten)]
        stamps: Stamps,
    }

    #[test]
    fn stamps_sit_beside_the_fields_of_the_view() {
        let view = View {
            name: "web".into(),
            stamps: Stamps {
                created_at: "2026-01-01T00:00:00Z".into(),
                created_by: Some("ada".into()),
                updated_at: None,
                updated_by: None,
                version: "7".into(),
            },
        };
        let json = serde_json::to_value(&view).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({
                "name": "web", "createdAt": "2026-01-01T00:00:00Z", "createdBy": "ada", "version": "7"
            })
        );
        assert_eq!(serde_json::from_value::<View>(json).expect("reads"), view);
        assert_eq!(view.stamps.changed_at(), "2026-01-01T00:00:00Z");
    }
}
