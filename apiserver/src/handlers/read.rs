//! get and list.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, json};

use super::*;
use crate::meta;
use crate::status::ApiError;
use crate::store::{ObjKey, Store, Stored};
use crate::table;

pub fn get(store: &Store, t: &Target, name: &str) -> Result<Response, ApiError> {
    let state = store.read();
    let stored = state
        .get(&t.rt.gr(), t.ns(), name)
        .cloned()
        .ok_or_else(|| not_found(&t.rt, name))?;
    drop(state);
    Ok(object_response(StatusCode::OK, &stored, &t.rt))
}

/// The opaque `continue` token: the list's revision and the last key served.
#[derive(serde::Serialize, serde::Deserialize)]
struct Continue {
    rv: u64,
    ns: String,
    name: String,
}

fn decode_continue(token: &str) -> Result<Continue, ApiError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            ApiError::BadRequest("continue key is not valid: not a token from this server".into())
        })
}

pub fn list(
    store: &Store,
    t: &Target,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let selectors = params.selectors(&t.rt)?;
    let after = params
        .continue_token
        .as_deref()
        .map(decode_continue)
        .transpose()?;
    let gr = t.rt.gr();
    let (items, revision, next, remaining, kind) = {
        let state = store.read();
        let kind = if t.rt.kind.is_empty() {
            state.learned_kind(&gr).to_string()
        } else {
            t.rt.kind.clone()
        };
        let after_key: Option<ObjKey> = after.as_ref().map(|c| (c.ns.clone(), c.name.clone()));
        let revision = after.as_ref().map_or(state.revision(), |c| c.rv);
        let mut it = state
            .range(&gr, t.namespace.as_deref(), after_key.as_ref())
            .filter(|(_, o)| selectors.matches(&o.value));
        let mut items: Vec<Arc<Stored>> = Vec::new();
        let limit = params.limit.unwrap_or(usize::MAX);
        for (_, o) in it.by_ref() {
            items.push(o.clone());
            if items.len() == limit {
                break;
            }
        }
        let mut next = None;
        let mut remaining = None;
        if items.len() == limit {
            // Kubernetes only counts the rest when no selector filters it.
            let rest = if selectors.is_empty() {
                it.count()
            } else {
                usize::from(it.next().is_some())
            };
            if rest > 0
                && let Some(last) = items.last()
            {
                next = Some(Continue {
                    rv: revision,
                    ns: meta::namespace(&last.value).to_string(),
                    name: meta::name(&last.value).to_string(),
                });
                if selectors.is_empty() {
                    remaining = Some(rest);
                }
            }
        }
        (items, revision, next, remaining, kind)
    };
    let mut list_meta = Map::new();
    list_meta.insert("resourceVersion".into(), revision.to_string().into());
    if let Some(c) = next {
        let token = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap_or_default());
        list_meta.insert("continue".into(), token.into());
    }
    if let Some(r) = remaining {
        list_meta.insert("remainingItemCount".into(), r.into());
    }
    if table::wants_table(headers) {
        return Ok(table::list_table(&t.rt, &items, list_meta));
    }
    let head = json!({
        "kind": list_kind(&kind),
        "apiVersion": t.rt.api_version(),
        "metadata": list_meta,
    })
    .to_string();
    // Splice the items' stored JSON in, rather than re-serializing them.
    let mut body =
        Vec::with_capacity(head.len() + 16 + items.iter().map(|o| o.json.len() + 1).sum::<usize>());
    body.extend_from_slice(&head.as_bytes()[..head.len() - 1]);
    body.extend_from_slice(b",\"items\":[");
    for (i, o) in items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&render(o, &t.rt));
    }
    body.extend_from_slice(b"]}");
    Ok(json_response(StatusCode::OK, body))
}
