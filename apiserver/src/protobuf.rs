//! Just enough of Kubernetes' protobuf encoding to accept what kubectl sends.
//!
//! kubectl (1.3x) writes built-in objects as `application/vnd.kubernetes.protobuf`
//! (`kubectl create namespace|secret|configmap`) and does not fall back to
//! JSON on 415, so request bodies of Namespaces, Secrets and ConfigMaps are
//! decoded here (Jobs in [`super::protobuf_batch`]) into the JSON the rest of the server works with. Responses
//! stay JSON (kubectl also accepts JSON). Fields the server sets itself
//! (uid, timestamps, status) are skipped. Errors name only positions, never
//! content (a Secret's values pass through here).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::resource::{Flavor, ResourceType};
use super::status::ApiError;

/// The media type of Kubernetes' protobuf encoding.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

const MAGIC: &[u8] = b"k8s\x00";

pub(crate) enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

fn bad(what: &str) -> ApiError {
    ApiError::BadRequest(format!("cannot decode the protobuf body: {what}"))
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, ApiError> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos).ok_or_else(|| bad("truncated varint"))?;
        *pos += 1;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(out);
        }
    }
    Err(bad("varint too long"))
}

/// Splits a message into `(field number, value)` pairs.
pub(crate) fn fields(buf: &[u8]) -> Result<Vec<(u64, Field<'_>)>, ApiError> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < buf.len() {
        let tag = varint(buf, &mut pos)?;
        let field = match tag & 7 {
            0 => Field::Varint(varint(buf, &mut pos)?),
            1 => {
                pos += 8;
                Field::Fixed
            }
            2 => {
                let len = usize::try_from(varint(buf, &mut pos)?).map_err(|_| bad("length"))?;
                let end = pos.checked_add(len).ok_or_else(|| bad("length"))?;
                let b = buf.get(pos..end).ok_or_else(|| bad("truncated field"))?;
                pos = end;
                Field::Bytes(b)
            }
            5 => {
                pos += 4;
                Field::Fixed
            }
            _ => return Err(bad("unsupported wire type")),
        };
        if pos > buf.len() {
            return Err(bad("truncated field"));
        }
        out.push((tag >> 3, field));
    }
    Ok(out)
}

/// Inserts a string field unless empty (proto3-style defaults mean "unset").
pub(crate) fn put_str(map: &mut Map<String, Value>, key: &str, b: &[u8]) -> Result<(), ApiError> {
    let s = string(b)?;
    if !s.is_empty() {
        map.insert(key.into(), s.into());
    }
    Ok(())
}

pub(crate) fn string(b: &[u8]) -> Result<String, ApiError> {
    String::from_utf8(b.to_vec()).map_err(|_| bad("a string field is not UTF-8"))
}

/// A `map<string, string>` (or `map<string, bytes>` when `binary`, as base64) entry.
pub(crate) fn map_entry(b: &[u8], binary: bool) -> Result<(String, Value), ApiError> {
    let mut key = String::new();
    let mut value = Value::String(String::new());
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(k)) => key = string(k)?,
            (2, Field::Bytes(v)) if binary => value = STANDARD.encode(v).into(),
            (2, Field::Bytes(v)) => value = string(v)?.into(),
            _ => {}
        }
    }
    Ok((key, value))
}

fn owner_reference(b: &[u8]) -> Result<Value, ApiError> {
    let mut o = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => {
                o.insert("kind".into(), string(v)?.into());
            }
            (3, Field::Bytes(v)) => {
                o.insert("name".into(), string(v)?.into());
            }
            (4, Field::Bytes(v)) => {
                o.insert("uid".into(), string(v)?.into());
            }
            (5, Field::Bytes(v)) => {
                o.insert("apiVersion".into(), string(v)?.into());
            }
            (6, Field::Varint(v)) => {
                o.insert("controller".into(), (v != 0).into());
            }
            (7, Field::Varint(v)) => {
                o.insert("blockOwnerDeletion".into(), (v != 0).into());
            }
            _ => {}
        }
    }
    Ok(Value::Object(o))
}

pub(crate) fn object_meta(b: &[u8]) -> Result<Value, ApiError> {
    let mut md = Map::new();
    let mut labels = Map::new();
    let mut annotations = Map::new();
    let mut owners = Vec::new();
    let mut finalizers = Vec::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => put_str(&mut md, "name", v)?,
            (2, Field::Bytes(v)) => put_str(&mut md, "generateName", v)?,
            (3, Field::Bytes(v)) => put_str(&mut md, "namespace", v)?,
            (6, Field::Bytes(v)) => put_str(&mut md, "resourceVersion", v)?,
            (11, Field::Bytes(v)) => {
                let (k, v) = map_entry(v, false)?;
                labels.insert(k, v);
            }
            (12, Field::Bytes(v)) => {
                let (k, v) = map_entry(v, false)?;
                annotations.insert(k, v);
            }
            (13, Field::Bytes(v)) => owners.push(owner_reference(v)?),
            (14, Field::Bytes(v)) => finalizers.push(Value::String(string(v)?)),
            _ => {}
        }
    }
    if !labels.is_empty() {
        md.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        md.insert("annotations".into(), Value::Object(annotations));
    }
    if !owners.is_empty() {
        md.insert("ownerReferences".into(), Value::Array(owners));
    }
    if !finalizers.is_empty() {
        md.insert("finalizers".into(), Value::Array(finalizers));
    }
    Ok(Value::Object(md))
}

fn namespace(b: &[u8], obj: &mut Map<String, Value>) -> Result<(), ApiError> {
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => {
                obj.insert("metadata".into(), object_meta(v)?);
            }
            (2, Field::Bytes(spec)) => {
                let mut fins = Vec::new();
                for (n, f) in fields(spec)? {
                    if let (1, Field::Bytes(v)) = (n, f) {
                        fins.push(Value::String(string(v)?));
                    }
                }
                obj.insert("spec".into(), json!({"finalizers": fins}));
            }
            _ => {}
        }
    }
    Ok(())
}

fn secret(b: &[u8], obj: &mut Map<String, Value>) -> Result<(), ApiError> {
    let mut data = Map::new();
    let mut string_data = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => {
                obj.insert("metadata".into(), object_meta(v)?);
            }
            (2, Field::Bytes(v)) => {
                let (k, v) = map_entry(v, true)?;
                data.insert(k, v);
            }
            (3, Field::Bytes(v)) => {
                obj.insert("type".into(), string(v)?.into());
            }
            (4, Field::Bytes(v)) => {
                let (k, v) = map_entry(v, false)?;
                string_data.insert(k, v);
            }
            (5, Field::Varint(v)) => {
                obj.insert("immutable".into(), (v != 0).into());
            }
            _ => {}
        }
    }
    if !data.is_empty() {
        obj.insert("data".into(), Value::Object(data));
    }
    if !string_data.is_empty() {
        obj.insert("stringData".into(), Value::Object(string_data));
    }
    Ok(())
}

fn configmap(b: &[u8], obj: &mut Map<String, Value>) -> Result<(), ApiError> {
    let mut data = Map::new();
    let mut binary = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => {
                obj.insert("metadata".into(), object_meta(v)?);
            }
            (2, Field::Bytes(v)) => {
                let (k, v) = map_entry(v, false)?;
                data.insert(k, v);
            }
            (3, Field::Bytes(v)) => {
                let (k, v) = map_entry(v, true)?;
                binary.insert(k, v);
            }
            (4, Field::Varint(v)) => {
                obj.insert("immutable".into(), (v != 0).into());
            }
            _ => {}
        }
    }
    if !data.is_empty() {
        obj.insert("data".into(), Value::Object(data));
    }
    if !binary.is_empty() {
        obj.insert("binaryData".into(), Value::Object(binary));
    }
    Ok(())
}

/// Decodes a protobuf-encoded Namespace, Secret or ConfigMap into JSON bytes.
pub fn to_json(
    body: &[u8],
    rt: &ResourceType,
    subresource: Option<&str>,
) -> Result<Vec<u8>, ApiError> {
    let unsupported = || {
        ApiError::UnsupportedMediaType(
            "the body of the request was in an unknown format - accepted media types include: application/json".into(),
        )
    };
    if matches!(rt.flavor, Flavor::Custom | Flavor::Pod) {
        return Err(unsupported());
    }
    let unknown = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| bad("missing the k8s envelope"))?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (n, f) in fields(unknown)? {
        match (n, f) {
            (1, Field::Bytes(tm)) => {
                for (n, f) in fields(tm)? {
                    match (n, f) {
                        (1, Field::Bytes(v)) => api_version = string(v)?,
                        (2, Field::Bytes(v)) => kind = string(v)?,
                        _ => {}
                    }
                }
            }
            (2, Field::Bytes(v)) => raw = v,
            _ => {}
        }
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), api_version.into());
    obj.insert("kind".into(), kind.into());
    match rt.flavor {
        _ if subresource == Some("token") => {
            super::protobuf_rbac::token_request(raw, &mut obj)?;
        }
        Flavor::Plain => super::protobuf_rbac::object(&rt.plural, raw, &mut obj)?,
        Flavor::Namespace => namespace(raw, &mut obj)?,
        Flavor::Secret => secret(raw, &mut obj)?,
        Flavor::ConfigMap => configmap(raw, &mut obj)?,
        Flavor::Job => super::protobuf_batch::job(raw, &mut obj)?,
        Flavor::Custom | Flavor::Pod => return Err(unsupported()),
    }
    serde_json::to_vec(&Value::Object(obj)).map_err(|e| ApiError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(n: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![u8::try_from(n << 3 | 2).unwrap_or(0)];
        out.push(u8::try_from(bytes.len()).unwrap_or(0));
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn decodes_a_secret_envelope() -> Result<(), ApiError> {
        let meta = [field(1, b"reg"), field(3, b"ns")].concat();
        let entry = [field(1, b".dockerconfigjson"), field(2, b"{}")].concat();
        let secret = [
            field(1, &meta),
            field(2, &entry),
            field(3, b"kubernetes.io/dockerconfigjson"),
        ]
        .concat();
        let type_meta = [field(1, b"v1"), field(2, b"Secret")].concat();
        let unknown = [field(1, &type_meta), field(2, &secret)].concat();
        let body = [MAGIC, &unknown].concat();
        let rt = super::super::resource::core("secrets").ok_or_else(|| bad("rt"))?;
        let json: Value = serde_json::from_slice(&to_json(&body, &rt, None)?)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        assert_eq!(json["kind"], "Secret");
        assert_eq!(json["metadata"]["name"], "reg");
        assert_eq!(json["data"][".dockerconfigjson"], "e30=");
        assert_eq!(json["type"], "kubernetes.io/dockerconfigjson");
        assert!(to_json(b"nope", &rt, None).is_err());
        Ok(())
    }
}
