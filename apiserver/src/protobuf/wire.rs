//! The protobuf wire format as Kubernetes uses it: fields, strings, map
//! entries and `ObjectMeta`, shared by every kind that is decoded.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use crate::status::ApiError;

pub(crate) enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

pub(crate) fn bad(what: &str) -> ApiError {
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
