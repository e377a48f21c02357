//! Service-account tokens this server issues: the TokenRequest subresource
//! (`POST …/serviceaccounts/NAME/token`, what `kubectl create token` calls)
//! answers an opaque random token; the store keeps only its SHA-256, with
//! the account (and its uid) and the expiry. A token stops working when it
//! expires or its service account is deleted (or recreated).

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::handlers::json_response;
use crate::meta;
use crate::resource::GroupResource;
use crate::status::{ApiError, FieldError};
use crate::store::{State, Store};

/// What every token starts with, so other bearer tokens are told apart
/// without a lookup.
const PREFIX: &str = "berth-sa.";
/// Kubernetes' default, least and greatest `expirationSeconds`.
const DEFAULT_SECONDS: i64 = 3600;
const MIN_SECONDS: i64 = 600;
const MAX_SECONDS: i64 = 1 << 32;

/// The issued tokens' records: a core resource no path serves.
fn records() -> GroupResource {
    GroupResource::core("serviceaccounttokens")
}

fn accounts() -> GroupResource {
    GroupResource::core("serviceaccounts")
}

/// SHA-256 of `token`, in hex: a record's name.
pub fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn rfc3339(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn expired(record: &Value, now: jiff::Timestamp) -> bool {
    record
        .get("expirationTimestamp")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        .is_none_or(|at| at <= now)
}

fn token_request_kind() -> (String, String) {
    ("TokenRequest".into(), "authentication.k8s.io".into())
}

fn invalid(name: &str, cause: FieldError) -> ApiError {
    let (kind, group) = token_request_kind();
    ApiError::Invalid {
        kind,
        group,
        name: name.into(),
        causes: vec![cause],
    }
}

/// Issues a token for the service account `namespace`/`name`: 201 with
/// the TokenRequest, its `status.token` the only copy there will be.
pub async fn issue(
    store: &Store,
    namespace: &str,
    name: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    let request: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::BadRequest(format!(
                "the body of the request could not be decoded as JSON: {e}"
            ))
        })?
    };
    let seconds = match request.pointer("/spec/expirationSeconds") {
        None | Some(Value::Null) => DEFAULT_SECONDS,
        Some(v) => v.as_i64().ok_or_else(|| {
            invalid(
                name,
                FieldError::invalid_raw(
                    "spec.expirationSeconds",
                    v.to_string(),
                    "must be a number",
                ),
            )
        })?,
    };
    if seconds < MIN_SECONDS {
        return Err(invalid(
            name,
            FieldError::invalid_raw(
                "spec.expirationSeconds",
                seconds.to_string(),
                "may not specify a duration less than 10 minutes",
            ),
        ));
    }
    if seconds > MAX_SECONDS {
        return Err(invalid(
            name,
            FieldError::invalid_raw(
                "spec.expirationSeconds",
                seconds.to_string(),
                "may not specify a duration larger than 2^32 seconds",
            ),
        ));
    }
    let audiences = match request.pointer("/spec/audiences") {
        Some(Value::Array(a)) if !a.is_empty() => Value::Array(a.clone()),
        _ => json!(["https://kubernetes.default.svc"]),
    };
    let mut random = [0u8; 32];
    getrandom::fill(&mut random)
        .map_err(|e| ApiError::Internal(format!("no random numbers: {e}")))?;
    let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(random));
    let now = jiff::Timestamp::now();
    let expires = rfc3339(now + jiff::SignedDuration::from_secs(seconds));
    let record_name = digest(&token);
    let (ns, sa) = (namespace.to_owned(), name.to_owned());
    let record_expiry = expires.clone();
    store
        .write(move |tx| {
            let account = tx.get(&accounts(), &ns, &sa).ok_or_else(|| ApiError::NotFound {
                gr: accounts(),
                name: sa.clone(),
            })?;
            // Forget the tokens that have expired on the way.
            for old in tx.list(&records(), Some("")) {
                if expired(&old.value, now) {
                    tx.delete(&records(), "", meta::name(&old.value));
                }
            }
            tx.put(
                &records(),
                json!({
                    "apiVersion": "v1",
                    "kind": "ServiceAccountToken",
                    "metadata": {"name": record_name, "creationTimestamp": rfc3339(now)},
                    "serviceAccount": {"namespace": ns, "name": sa, "uid": meta::uid(&account.value)},
                    "expirationTimestamp": record_expiry,
                }),
            );
            Ok(())
        })
        .await?;
    let answer = json!({
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": rfc3339(now)},
        "spec": {"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": null},
        "status": {"token": token, "expirationTimestamp": expires},
    });
    Ok(json_response(StatusCode::CREATED, answer.to_string()))
}

/// The service account (namespace, name) `token` was issued to, while it
/// is valid.
pub fn authenticate(state: &State, token: &str) -> Option<(String, String)> {
    if !token.starts_with(PREFIX) {
        return None;
    }
    let record = state.get(&records(), "", &digest(token))?;
    if expired(&record.value, jiff::Timestamp::now()) {
        return None;
    }
    let field = |k: &str| {
        record
            .value
            .pointer(&format!("/serviceAccount/{k}"))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let (ns, name) = (field("namespace"), field("name"));
    let account = state.get(&accounts(), ns, name)?;
    let same = meta::uid(&account.value) == field("uid") && !meta::is_deleting(&account.value);
    same.then(|| (ns.to_owned(), name.to_owned()))
}
