//! Just enough of Kubernetes' protobuf encoding to accept what kubectl sends.
//!
//! kubectl (1.3x) writes built-in objects as `application/vnd.kubernetes.protobuf`
//! (`kubectl create namespace|secret|configmap`) and does not fall back to
//! JSON on 415, so request bodies are decoded here into the JSON the rest
//! of the server works with: the wire format in [`wire`], Namespaces,
//! Secrets and ConfigMaps in [`core_v1`], Jobs in [`batch`], RBAC objects
//! and token requests in [`rbac`]. Responses stay JSON (kubectl also accepts JSON). Fields the server sets itself
//! (uid, timestamps, status) are skipped. Errors name only positions, never
//! content (a Secret's values pass through here).

mod batch;
mod core_v1;
mod rbac;
mod wire;

use serde_json::{Map, Value};

use self::wire::{Field, bad, fields, string};
use crate::resource::{Flavor, ResourceType};
use crate::status::ApiError;

/// The media type of Kubernetes' protobuf encoding.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

const MAGIC: &[u8] = b"k8s\x00";

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
            rbac::token_request(raw, &mut obj)?;
        }
        Flavor::Plain => rbac::object(&rt.plural, raw, &mut obj)?,
        Flavor::Namespace => core_v1::namespace(raw, &mut obj)?,
        Flavor::Secret => core_v1::secret(raw, &mut obj)?,
        Flavor::ConfigMap => core_v1::configmap(raw, &mut obj)?,
        Flavor::Job => batch::job(raw, &mut obj)?,
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
