//! RFC 9457 problem details, the one error shape of Berth's HTTP API.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::message::Message;

/// One input that was refused, named by the JSON field it came from so a
/// form can show the message next to the right input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    /// The sentence in English.
    pub message: String,
    /// The sentence as a stable code (see `message::TEMPLATES`), for a
    /// client that says it in another language.
    #[serde(default)]
    pub code: String,
    /// The values the sentence names, by the names its template uses.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: Message) -> Self {
        Self {
            field: field.into(),
            message: message.english(),
            code: message.code,
            params: message.params,
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
    /// The detail as a stable code (see `message::TEMPLATES`), for a client
    /// that says it in another language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The values the detail names, by the names its template uses.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
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

    /// The first error about `field`, with its code, if the server named it.
    pub fn field_error(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
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
    use crate::message;

    #[test]
    fn round_trips_with_rfc9457_names() {
        let p = Problem {
            kind: "about:blank".into(),
            title: "Invalid input".into(),
            status: 422,
            detail: Some("Some fields need your attention.".into()),
            code: Some("validation.failed".into()),
            params: BTreeMap::new(),
            errors: vec![FieldError::new("name", message!("name.required"))],
            request_id: None,
        };
        let json = serde_json::to_value(&p).expect("serialises");
        assert_eq!(json["type"], "about:blank");
        assert_eq!(json["code"], "validation.failed");
        assert!(json.get("params").is_none());
        assert_eq!(json["errors"][0]["field"], "name");
        assert_eq!(json["errors"][0]["code"], "name.required");
        assert!(json["errors"][0].get("params").is_none());
        assert!(json.get("requestId").is_none());
        let back: Problem = serde_json::from_value(json).expect("parses");
        assert_eq!(back, p);
        assert_eq!(back.field("name"), Some("Enter a name."));
        assert_eq!(
            back.field_error("name").map(|e| e.code.as_str()),
            Some("name.required")
        );
        assert_eq!(back.message(), "Some fields need your attention.");
    }

    #[test]
    fn field_errors_carry_code_and_params() {
        let e = FieldError::new(
            "name",
            message!("text.too_long_counted")
                .with("max", 40)
                .with("length", 41),
        );
        assert_eq!(e.message, "Use at most 40 characters (this one has 41).");
        assert_eq!(e.code, "text.too_long_counted");
        let json = serde_json::to_value(&e).expect("serialises");
        assert_eq!(json["params"]["max"], "40");
        assert_eq!(json["params"]["length"], "41");
    }

    #[test]
    fn older_bodies_without_codes_still_parse() {
        let p: Problem = serde_json::from_str(
            r#"{"title":"Conflict","status":409,"detail":"x","errors":[{"field":"name","message":"Taken."}]}"#,
        )
        .expect("parses");
        assert_eq!(p.code, None);
        assert_eq!(p.errors[0].code, "");
        assert_eq!(p.field("name"), Some("Taken."));
    }
}
