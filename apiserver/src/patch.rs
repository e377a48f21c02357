//! PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and
//! strategic merge patch approximated as merge patch for built-in types.
//!
//! Server-side apply (`application/apply-patch+yaml`) is not implemented and
//! answered with 415, like strategic merge patch for custom resources.

use serde_json::Value;

use super::resource::ResourceType;
use super::status::ApiError;

/// The patch formats the server understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    Merge,
    Json,
    /// Treated as a merge patch (no list merge keys, no `$patch` directives).
    Strategic,
}

const ACCEPTED_CUSTOM: &str = "application/json-patch+json, application/merge-patch+json";
const ACCEPTED_BUILTIN: &str = "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json";

/// Picks the patch format from the request's `Content-Type`.
pub fn kind_for(content_type: &str, rt: &ResourceType) -> Result<PatchKind, ApiError> {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let accepted = if rt.is_custom() {
        ACCEPTED_CUSTOM
    } else {
        ACCEPTED_BUILTIN
    };
    match media.as_str() {
        "application/merge-patch+json" => Ok(PatchKind::Merge),
        "application/json-patch+json" => Ok(PatchKind::Json),
        "application/strategic-merge-patch+json" if !rt.is_custom() => Ok(PatchKind::Strategic),
        _ => Err(ApiError::UnsupportedMediaType(format!(
            "the body of the request was in an unknown format - accepted media types include: {accepted}"
        ))),
    }
}

/// A decoding error that says where, never what: serde's type errors quote
/// values, and a patch of a Secret carries secret data.
fn decode_error(e: serde_json::Error) -> ApiError {
    let what = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "invalid JSON",
        serde_json::error::Category::Data => "not a valid patch document",
        serde_json::error::Category::Io => "unreadable body",
    };
    ApiError::BadRequest(format!(
        "error decoding patch: {what} at line {} column {}",
        e.line(),
        e.column()
    ))
}

/// Applies `body` to `doc`.
pub fn apply(kind: PatchKind, doc: &mut Value, body: &[u8]) -> Result<(), ApiError> {
    match kind {
        PatchKind::Merge | PatchKind::Strategic => {
            let patch: Value = serde_json::from_slice(body).map_err(decode_error)?;
            if !patch.is_object() {
                return Err(ApiError::BadRequest(
                    "error decoding patch: a merge patch must be a JSON object".into(),
                ));
            }
            json_patch::merge(doc, &patch);
            Ok(())
        }
        PatchKind::Json => {
            let patch: json_patch::Patch = serde_json::from_slice(body).map_err(decode_error)?;
            json_patch::patch(doc, &patch).map_err(|e| ApiError::Unprocessable(e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_and_json_patch() -> Result<(), ApiError> {
        let mut doc = json!({"a": 1, "b": {"c": 2}});
        apply(PatchKind::Merge, &mut doc, br#"{"a": null, "b": {"d": 3}}"#)?;
        assert_eq!(doc, json!({"b": {"c": 2, "d": 3}}));
        apply(
            PatchKind::Json,
            &mut doc,
            br#"[{"op": "replace", "path": "/b/c", "value": 5}]"#,
        )?;
        assert_eq!(doc["b"]["c"], 5);
        let failed = apply(
            PatchKind::Json,
            &mut doc,
            br#"[{"op": "test", "path": "/b/c", "value": 6}]"#,
        );
        assert!(matches!(failed, Err(ApiError::Unprocessable(_))));
        assert!(matches!(
            apply(PatchKind::Merge, &mut doc, b"{"),
            Err(ApiError::BadRequest(_))
        ));
        Ok(())
    }

    #[test]
    fn strategic_is_refused_for_custom_resources() {
        let cr = super::super::resource::custom("berth.dev", "v1alpha1", "imagepointers", "");
        assert!(matches!(
            kind_for("application/strategic-merge-patch+json", &cr),
            Err(ApiError::UnsupportedMediaType(_))
        ));
        let Some(cm) = super::super::resource::core("configmaps") else {
            panic!("configmaps")
        };
        assert_eq!(
            kind_for("application/strategic-merge-patch+json", &cm).ok(),
            Some(PatchKind::Strategic)
        );
        assert!(kind_for("application/apply-patch+yaml", &cm).is_err());
    }
}
