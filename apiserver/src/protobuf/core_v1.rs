//! core/v1 kinds that kubectl sends as protobuf: Namespaces, Secrets and
//! ConfigMaps.

use serde_json::{Map, Value, json};

use super::wire::{Field, fields, map_entry, object_meta, string};
use crate::status::ApiError;

pub(crate) fn namespace(b: &[u8], obj: &mut Map<String, Value>) -> Result<(), ApiError> {
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

pub(crate) fn secret(b: &[u8], obj: &mut Map<String, Value>) -> Result<(), ApiError> {
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

pub(crate) fn configmap(b: &[u8], obj: &mut Map<String, Value>) -> Result<(), ApiError> {
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
