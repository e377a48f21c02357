//! RFC 9457 problem details, the one error shape of Berth's HTTP API.

use serde::{Deserialize, Serialize};

/// One input that was refused, named by the JSON field it came from so a
/// form can show the message next to the right input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl ToString) -> Self {
        Self {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

/// An `application/problem+json` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI reference naming the problem type; `about:blank` when the
    /// status code says it all.
    #[serde(rename = "type", default = "about_blank")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field errors for a refused form; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Correlates this answer with the server's log, for support.
    #[serde(default, rename = "requestId", skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

impl Problem {
    /// The message a person should read: the detail when there is one.
    pub fn message(&self) -> &str {
        self.detail.as_deref().unwrap_or(&self.title)
    }

    /// The error for one field, if the server named it.
    pub fn field(&self, field: &str) -> Option<&str> {
        field_message(&self.errors, field)
    }
}

/// The message of the first error about `field` (the server's, or the
/// browser's own from the same rules).
pub fn field_message<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_rfc9457_names() {
        let p = Problem {
            kind: "about:blank".into(),
            title: "Invalid input".into(),
            status: 422,
            detail: Some("Check the highlighted fields.".into()),
            errors: vec![FieldError::new("name", "Enter a name.")],
            request_id: None,
        };
        let json = serde_json::to_value(&p).expect("serialises");
        assert_eq!(json["type"], "about:blank");
        assert_eq!(json["errors"][0]["field"], "name");
        assert!(json.get("requestId").is_none());
        let back: Problem = serde_json::from_value(json).expect("parses");
        assert_eq!(back, p);
        assert_eq!(back.field("name"), Some("Enter a name."));
        assert_eq!(back.message(), "Check the highlighted fields.");
    }
}
