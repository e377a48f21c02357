//! Small helpers over `serde_json::Value` objects: metadata access, server-set
//! timestamps, generated names.
//!
//! Objects are kept as JSON values rather than typed structs so that the same
//! code serves built-in and custom resources, and unknown fields round-trip.

use serde_json::{Map, Value};

/// `metadata` of an object (empty if absent or not an object).
pub fn metadata(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata").and_then(Value::as_object)
}

/// `metadata`, created when missing (and replaced if it was not an object).
pub fn metadata_mut(obj: &mut Value) -> &mut Map<String, Value> {
    let map = ensure_object(obj);
    let md = map
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    ensure_object(md)
}

/// Makes `v` an object (replacing anything else) and returns it.
pub fn ensure_object(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    match v {
        Value::Object(m) => m,
        _ => unreachable!("just made an object"),
    }
}

/// A string field of `metadata` ("" when absent).
pub fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    metadata(obj)
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub fn name(obj: &Value) -> &str {
    meta_str(obj, "name")
}

pub fn namespace(obj: &Value) -> &str {
    meta_str(obj, "namespace")
}

pub fn resource_version(obj: &Value) -> &str {
    meta_str(obj, "resourceVersion")
}

pub fn uid(obj: &Value) -> &str {
    meta_str(obj, "uid")
}

pub fn is_deleting(obj: &Value) -> bool {
    !meta_str(obj, "deletionTimestamp").is_empty()
}

/// `metadata.finalizers` as strings.
pub fn finalizers(obj: &Value) -> Vec<String> {
    string_list(metadata(obj).and_then(|m| m.get("finalizers")))
}

/// `spec.finalizers` of a namespace.
pub fn spec_finalizers(obj: &Value) -> Vec<String> {
    string_list(obj.get("spec").and_then(|s| s.get("finalizers")))
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub fn label<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    metadata(obj)
        .and_then(|m| m.get("labels"))
        .and_then(|l| l.get(key))
        .and_then(Value::as_str)
}

/// Now, as Kubernetes renders `metav1.Time`: RFC 3339 in UTC with whole seconds.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The alphabet of Kubernetes' `utilrand.String` (no vowels, so no words).
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `generateName` + 5 random characters, the prefix cut to keep the name at most
/// `max` characters (Kubernetes keeps at most 58 characters of the prefix for
/// subdomains; here the cut is relative to the name's own limit).
pub fn generate_name(prefix: &str, max: usize) -> String {
    let keep = max.saturating_sub(5).min(prefix.len());
    let mut name = prefix[..floor_char_boundary(prefix, keep)].to_string();
    let random = uuid::Uuid::new_v4();
    for b in random.as_bytes().iter().take(5) {
        name.push(char::from(ALPHANUMS[usize::from(*b) % ALPHANUMS.len()]));
    }
    name
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generated_names_have_five_random_chars() {
        let n = generate_name("web-", 253);
        assert_eq!(n.len(), 9);
        assert!(n.starts_with("web-"));
        assert!(n[4..].bytes().all(|b| ALPHANUMS.contains(&b)));
        let long = generate_name(&"a".repeat(80), 63);
        assert_eq!(long.len(), 63);
    }

    #[test]
    fn metadata_accessors() {
        let mut o = json!({"metadata": {"name": "a", "labels": {"x": "y"}, "finalizers": ["f"]}});
        assert_eq!(name(&o), "a");
        assert_eq!(label(&o, "x"), Some("y"));
        assert_eq!(finalizers(&o), vec!["f".to_string()]);
        metadata_mut(&mut o).insert("namespace".into(), "ns".into());
        assert_eq!(namespace(&o), "ns");
        let ts = now_rfc3339();
        assert_eq!(ts.len(), 20, "{ts}");
    }
}
