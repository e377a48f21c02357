//! Validation as Kubernetes does it, with its field paths and wording.
//!
//! Secret values are never put into an error: only keys, field paths and the
//! fixed placeholder `"<secret contents redacted>"`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use berth_shared::names::{self, NameError};
use serde_json::{Map, Value};

use super::meta;
use super::resource::{Flavor, ResourceType};
use super::status::{ApiError, FieldError};

/// Largest stored object, in bytes of JSON (larger ones get 413).
pub const MAX_OBJECT_BYTES: usize = 1024 * 1024;
/// Largest total size of a Secret's or ConfigMap's data (Kubernetes' `MaxSecretSize`).
pub const MAX_DATA_BYTES: usize = 1024 * 1024;
/// Largest total size of annotations (Kubernetes' `TotalAnnotationSizeLimitB`).
pub const MAX_ANNOTATIONS_BYTES: usize = 256 * 1024;

const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED_NAME_MSG: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const CONFIG_KEY_MSG: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const REDACTED: &str = "\"<secret contents redacted>\"";

/// The secret type whose `.dockerconfigjson` key must hold a JSON document.
pub const DOCKER_CONFIG_JSON: &str = "kubernetes.io/dockerconfigjson";

/// The longest name an object of this resource may have.
pub fn max_name_len(rt: &ResourceType) -> usize {
    if rt.flavor == Flavor::Namespace {
        names::LABEL_MAX
    } else {
        names::SUBDOMAIN_MAX
    }
}

/// `metadata.name` errors (DNS-1123 label for namespaces, subdomain otherwise),
/// decided by `berth_shared::names` and worded like Kubernetes.
pub fn name_errors(rt: &ResourceType, name: &str) -> Vec<FieldError> {
    if name.is_empty() {
        return vec![FieldError::required(
            "metadata.name",
            "name or generateName is required",
        )];
    }
    let (result, shape_msg) = if rt.flavor == Flavor::Namespace {
        (
            names::validate_dns_label(name, names::LABEL_MAX),
            DNS1123_LABEL_MSG,
        )
    } else {
        (names::validate_object_name(name), DNS1123_SUBDOMAIN_MSG)
    };
    match result {
        Ok(()) => vec![],
        Err(NameError::TooLong { max, .. }) => vec![FieldError::invalid(
            "metadata.name",
            name,
            format!("must be no more than {max} characters"),
        )],
        Err(_) => vec![FieldError::invalid("metadata.name", name, shape_msg)],
    }
}

fn is_qualified_name_part(s: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    !s.is_empty()
        && s.chars().all(ok_char)
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Errors of a label or annotation key (`IsQualifiedName`).
pub fn label_key_errors(key: &str) -> Vec<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let mut errs = Vec::new();
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else {
        if name.len() > 63 {
            errs.push("name part must be no more than 63 characters".to_string());
        }
        if !is_qualified_name_part(name) {
            errs.push(QUALIFIED_NAME_MSG.to_string());
        }
    }
    if let Some(p) = prefix {
        if p.is_empty() {
            errs.push("prefix part must be non-empty".to_string());
        } else if names::validate_object_name(p).is_err() {
            errs.push(format!("prefix part {DNS1123_SUBDOMAIN_MSG}"));
        }
    }
    errs
}

/// Errors of a label value.
pub fn label_value_errors(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !v.is_empty() && !is_qualified_name_part(v) {
        errs.push(LABEL_VALUE_MSG.to_string());
    }
    errs
}

/// Errors of a ConfigMap/Secret key (`IsConfigMapKey`).
fn config_key_errors(key: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if key.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        errs.push(CONFIG_KEY_MSG.to_string());
    }
    if key == "." {
        errs.push("must not be '.'".to_string());
    } else if key == ".." {
        errs.push("must not be '..'".to_string());
    } else if key.starts_with("..") {
        errs.push("must not start with '..'".to_string());
    }
    errs
}

/// Metadata rules common to every object: labels, annotations, finalizers.
pub fn metadata_errors(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(md) = meta::metadata(obj) else {
        return errs;
    };
    if let Some(labels) = md.get("labels") {
        match labels.as_object() {
            Some(map) => {
                for (k, v) in map {
                    for e in label_key_errors(k) {
                        errs.push(FieldError::invalid("metadata.labels", k, e));
                    }
                    match v.as_str() {
                        Some(v) => {
                            for e in label_value_errors(v) {
                                errs.push(FieldError::invalid("metadata.labels", v, e));
                            }
                        }
                        None => errs.push(FieldError::invalid_raw(
                            format!("metadata.labels[{k}]"),
                            v.to_string(),
                            "must be a string",
                        )),
                    }
                }
            }
            None if labels.is_null() => {}
            None => errs.push(FieldError::invalid_raw(
                "metadata.labels",
                labels.to_string(),
                "must be a map of strings",
            )),
        }
    }
    if let Some(ann) = md.get("annotations") {
        match ann.as_object() {
            Some(map) => {
                let mut total = 0;
                for (k, v) in map {
                    for e in label_key_errors(k) {
                        errs.push(FieldError::invalid("metadata.annotations", k, e));
                    }
                    match v.as_str() {
                        Some(v) => total += k.len() + v.len(),
                        None => errs.push(FieldError::invalid_raw(
                            format!("metadata.annotations[{k}]"),
                            "<value>",
                            "must be a string",
                        )),
                    }
                }
                if total > MAX_ANNOTATIONS_BYTES {
                    errs.push(FieldError::too_long(
                        "metadata.annotations",
                        MAX_ANNOTATIONS_BYTES,
                    ));
                }
            }
            None if ann.is_null() => {}
            None => errs.push(FieldError::invalid_raw(
                "metadata.annotations",
                "<value>",
                "must be a map of strings",
            )),
        }
    }
    if let Some(fins) = md.get("finalizers") {
        match fins.as_array() {
            Some(list) => {
                for (i, f) in list.iter().enumerate() {
                    let field = format!("metadata.finalizers[{i}]");
                    match f.as_str() {
                        Some(f) => {
                            for e in label_key_errors(f) {
                                errs.push(FieldError::invalid(field.clone(), f, e));
                            }
                        }
                        None => errs.push(FieldError::invalid_raw(
                            field,
                            f.to_string(),
                            "must be a string",
                        )),
                    }
                }
            }
            None if fins.is_null() => {}
            None => errs.push(FieldError::invalid_raw(
                "metadata.finalizers",
                fins.to_string(),
                "must be a list of strings",
            )),
        }
    }
    errs
}

/// Decodes base64 the way Go's `encoding/json` decodes `[]byte` (standard
/// alphabet, padding required); the error says where, never what.
fn decode_b64(s: &str) -> Result<Vec<u8>, String> {
    STANDARD.decode(s).map_err(|e| {
        let at = match e {
            base64::DecodeError::InvalidByte(i, _) => i,
            base64::DecodeError::InvalidLastSymbol(i, _) => i,
            base64::DecodeError::InvalidLength(i) => i,
            base64::DecodeError::InvalidPadding => s.len(),
        };
        format!("illegal base64 data at input byte {at}")
    })
}

fn cannot_handle(kind: &str, why: &str) -> ApiError {
    ApiError::BadRequest(format!(
        "{kind} in version \"v1\" cannot be handled as a {kind}: {why}"
    ))
}

/// Decoding-level checks and normalisation of a Secret before validation:
/// `data` must be base64 (else 400, as Kubernetes' decoder answers),
/// `stringData` is merged into `data` (winning on conflicts) and dropped,
/// `type` defaults to `Opaque`.
pub fn normalize_secret(obj: &mut Value) -> Result<(), ApiError> {
    let map = meta::ensure_object(obj);
    let mut data = match map.remove("data") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m,
        Some(_) => {
            return Err(cannot_handle(
                "Secret",
                "json: cannot unmarshal data into Go struct field Secret.data of type map[string][]uint8",
            ));
        }
    };
    for v in data.values() {
        let Some(s) = v.as_str() else {
            return Err(cannot_handle(
                "Secret",
                "json: cannot unmarshal non-string into Go struct field Secret.data of type []uint8",
            ));
        };
        decode_b64(s).map_err(|why| cannot_handle("Secret", &why))?;
    }
    match map.remove("stringData") {
        None | Some(Value::Null) => {}
        Some(Value::Object(sd)) => {
            for (k, v) in sd {
                let Some(s) = v.as_str() else {
                    return Err(cannot_handle(
                        "Secret",
                        "json: cannot unmarshal non-string into Go struct field Secret.stringData of type string",
                    ));
                };
                data.insert(k, Value::String(STANDARD.encode(s.as_bytes())));
            }
        }
        Some(_) => {
            return Err(cannot_handle(
                "Secret",
                "json: cannot unmarshal stringData into Go struct field Secret.stringData of type map[string]string",
            ));
        }
    }
    if !data.is_empty() {
        map.insert("data".into(), Value::Object(data));
    }
    let ty_empty = map
        .get("type")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty);
    if ty_empty {
        map.insert("type".into(), "Opaque".into());
    }
    Ok(())
}

/// Same for ConfigMaps: `binaryData` must be base64, `data` values strings.
pub fn normalize_configmap(obj: &Value) -> Result<(), ApiError> {
    if let Some(bd) = obj.get("binaryData").and_then(Value::as_object) {
        for v in bd.values() {
            let s = v.as_str().ok_or_else(|| {
                cannot_handle(
                    "ConfigMap",
                    "json: cannot unmarshal non-string into Go struct field ConfigMap.binaryData of type []uint8",
                )
            })?;
            decode_b64(s).map_err(|why| cannot_handle("ConfigMap", &why))?;
        }
    }
    if let Some(d) = obj.get("data").and_then(Value::as_object)
        && d.values().any(|v| !v.is_string())
    {
        return Err(cannot_handle(
            "ConfigMap",
            "json: cannot unmarshal non-string into Go struct field ConfigMap.data of type string",
        ));
    }
    Ok(())
}

/// Secret rules: valid keys, total size, and the per-type required keys.
pub fn secret_errors(obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let data = obj.get("data").and_then(Value::as_object);
    let mut total = 0usize;
    let decoded = |k: &str| -> Option<Vec<u8>> {
        data.and_then(|d| d.get(k))
            .and_then(Value::as_str)
            .and_then(|s| STANDARD.decode(s).ok())
    };
    if let Some(d) = data {
        for (k, v) in d {
            for e in config_key_errors(k) {
                errs.push(FieldError::invalid(format!("data[{k}]"), k, e));
            }
            total += v.as_str().map_or(0, |s| s.len() / 4 * 3);
        }
    }
    if total > MAX_DATA_BYTES {
        errs.push(FieldError::too_long("data", MAX_DATA_BYTES));
    }
    let ty = obj.get("type").and_then(Value::as_str).unwrap_or("Opaque");
    match ty {
        DOCKER_CONFIG_JSON => {
            let field = "data[.dockerconfigjson]";
            match decoded(".dockerconfigjson") {
                None => errs.push(FieldError::required(field, "")),
                Some(bytes) => {
                    if let Err(why) = json_object_error(&bytes) {
                        errs.push(FieldError::invalid_raw(field, REDACTED, why));
                    }
                }
            }
        }
        "kubernetes.io/dockercfg" => {
            let field = "data[.dockercfg]";
            match decoded(".dockercfg") {
                None => errs.push(FieldError::required(field, "")),
                Some(bytes) => {
                    if let Err(why) = json_object_error(&bytes) {
                        errs.push(FieldError::invalid_raw(field, REDACTED, why));
                    }
                }
            }
        }
        "kubernetes.io/tls" => {
            for key in ["tls.key", "tls.crt"] {
                if decoded(key).is_none() {
                    errs.push(FieldError::required(format!("data[{key}]"), ""));
                }
            }
        }
        _ => {}
    }
    if let Some(old) = old {
        let old_ty = old.get("type").and_then(Value::as_str).unwrap_or("Opaque");
        if old_ty != ty {
            errs.push(FieldError::invalid("type", ty, "field is immutable"));
        }
        errs.extend(immutable_errors(obj, old, &["data"]));
    }
    errs
}

/// ConfigMap rules: valid keys, no key in both `data` and `binaryData`, size.
pub fn configmap_errors(obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut total = 0usize;
    let data = obj.get("data").and_then(Value::as_object);
    let binary = obj.get("binaryData").and_then(Value::as_object);
    for (field, map) in [("data", data), ("binaryData", binary)] {
        for (k, v) in map.into_iter().flatten() {
            for e in config_key_errors(k) {
                errs.push(FieldError::invalid(format!("{field}[{k}]"), k, e));
            }
            total += k.len() + v.as_str().map_or(0, str::len);
        }
    }
    if let (Some(d), Some(b)) = (data, binary) {
        for k in d.keys().filter(|k| b.contains_key(*k)) {
            errs.push(FieldError::duplicate(format!("data[{k}]"), k));
        }
    }
    if total > MAX_DATA_BYTES {
        errs.push(FieldError::too_long("", MAX_DATA_BYTES));
    }
    if let Some(old) = old {
        errs.extend(immutable_errors(obj, old, &["data", "binaryData"]));
    }
    errs
}

/// Secrets and ConfigMaps marked `immutable: true` keep their data and stay immutable.
fn immutable_errors(obj: &Value, old: &Value, fields: &[&str]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if old.get("immutable").and_then(Value::as_bool) == Some(true) {
        if obj.get("immutable").and_then(Value::as_bool) != Some(true) {
            errs.push(FieldError::forbidden(
                "immutable",
                "field is immutable when `immutable` is set",
            ));
        }
        for f in fields {
            if obj.get(*f) != old.get(*f) {
                errs.push(FieldError::forbidden(
                    *f,
                    "field is immutable when `immutable` is set",
                ));
            }
        }
    }
    errs
}

/// Whether `bytes` is a JSON object, with a message like Go's `json.Unmarshal`
/// into a map. serde_json's syntax errors name only a position, never content.
fn json_object_error(bytes: &[u8]) -> Result<(), String> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(_)) => Ok(()),
        Ok(other) => {
            let ty = match other {
                Value::Null => return Ok(()),
                Value::Bool(_) => "bool",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            };
            Err(format!(
                "json: cannot unmarshal {ty} into Go value of type map[string]interface {{}}"
            ))
        }
        Err(e) => Err(format!(
            "invalid JSON at line {} column {}",
            e.line(),
            e.column()
        )),
    }
}

/// Fails with 413 when the stored object would exceed [`MAX_OBJECT_BYTES`].
pub fn check_size(obj: &Value) -> Result<(), ApiError> {
    let len = serde_json::to_vec(obj).map(|v| v.len()).unwrap_or(0);
    if len > MAX_OBJECT_BYTES {
        return Err(ApiError::TooLarge(format!(
            "Request entity too large: limit is {MAX_OBJECT_BYTES}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_string_data_is_merged_and_bad_base64_refused() -> Result<(), ApiError> {
        let mut s = json!({"data": {"a": "eA=="}, "stringData": {"a": "y", "b": "z"}});
        normalize_secret(&mut s)?;
        assert_eq!(s["data"]["a"], "eQ==");
        assert_eq!(s["data"]["b"], "eg==");
        assert_eq!(s["type"], "Opaque");
        assert!(s.get("stringData").is_none());
        let mut bad = json!({"data": {"a": "not base64!"}});
        match normalize_secret(&mut bad) {
            Err(ApiError::BadRequest(m)) => {
                assert!(m.contains("illegal base64 data at input byte 3"), "{m}");
                assert!(!m.contains("not base64"));
            }
            other => panic!("{other:?}"),
        }
        Ok(())
    }

    #[test]
    fn docker_config_json_is_checked_without_echoing_it() {
        let missing = json!({"type": DOCKER_CONFIG_JSON, "data": {}});
        let errs = secret_errors(&missing, None);
        assert_eq!(
            errs[0].to_string(),
            "data[.dockerconfigjson]: Required value"
        );
        let not_json = json!({"type": DOCKER_CONFIG_JSON, "data": {".dockerconfigjson": STANDARD.encode("hunter2")}});
        let errs = secret_errors(&not_json, None);
        let msg = errs[0].to_string();
        assert!(
            msg.starts_with(
                "data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": "
            ),
            "{msg}"
        );
        assert!(!msg.contains("hunter2"));
        let ok = json!({"type": DOCKER_CONFIG_JSON, "data": {".dockerconfigjson": STANDARD.encode("{\"auths\":{}}")}});
        assert!(secret_errors(&ok, None).is_empty());
    }

    #[test]
    fn keys_and_labels() {
        let s = json!({"data": {"bad key": "eA=="}});
        assert_eq!(secret_errors(&s, None)[0].field, "data[bad key]");
        assert!(label_key_errors("example.com/x").is_empty());
        assert!(!label_key_errors("-x").is_empty());
        assert!(!label_value_errors("a b").is_empty());
        assert!(label_value_errors("").is_empty());
        let o = json!({"metadata": {"labels": {"ok": "fine", "bad": "no way"}}});
        assert_eq!(metadata_errors(&o).len(), 1);
    }

    #[test]
    fn names_use_kubernetes_wording() {
        let ns = super::super::resource::core("namespaces");
        let Some(ns) = ns else { panic!("namespaces") };
        let errs = name_errors(&ns, "Foo");
        assert!(errs[0].to_string().contains("a lowercase RFC 1123 label"));
        let errs = name_errors(&ns, &"a".repeat(64));
        assert!(
            errs[0]
                .to_string()
                .contains("must be no more than 63 characters")
        );
        assert_eq!(
            name_errors(&ns, "")[0].to_string(),
            "metadata.name: Required value: name or generateName is required"
        );
    }
}
