//! update (PUT) and patch, and the shared rules for storing a new version.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use super::*;
use crate::meta;
use crate::patch;
use crate::resource::{Flavor, ResourceType};
use crate::status::{ApiError, FieldError};
use crate::store::{Store, Stored, WriteTx};

/// What part of the object a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Main,
    Status,
    /// Namespaces' `finalize` subresource: only `spec.finalizers`.
    Finalize,
    /// Pods' `log` subresource (read only).
    Log,
    /// ServiceAccounts' `token` subresource (TokenRequest, create only).
    Token,
}

impl Part {
    pub fn from_subresource(sub: Option<&str>, rt: &ResourceType) -> Option<Self> {
        match sub {
            None => Some(Self::Main),
            Some("status")
                if !matches!(
                    rt.flavor,
                    Flavor::Secret | Flavor::ConfigMap | Flavor::Plain
                ) =>
            {
                Some(Self::Status)
            }
            Some("token") if rt.plural == "serviceaccounts" && rt.group.is_empty() => {
                Some(Self::Token)
            }
            Some("finalize") if rt.flavor == Flavor::Namespace => Some(Self::Finalize),
            Some("log") if rt.flavor == Flavor::Pod => Some(Self::Log),
            Some(_) => None,
        }
    }
}

pub(super) fn strip_for_generation(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        for k in ["metadata", "status", "apiVersion", "kind"] {
            m.remove(k);
        }
    }
    v
}

/// Stores `new` as the next version of `old`: keeps server-owned fields,
/// checks `resourceVersion`, validates, skips no-op writes (no new revision,
/// as in Kubernetes), and deletes an object being deleted whose last
/// finalizer is gone.
pub fn update_in_tx(
    tx: &mut WriteTx<'_>,
    rt: &ResourceType,
    old: &Arc<Stored>,
    mut new: Value,
    part: Part,
    require_rv: bool,
    dry_run: bool,
) -> Result<Arc<Stored>, ApiError> {
    let name = meta::name(&old.value).to_string();
    let given_rv = meta::resource_version(&new).to_string();
    if given_rv.is_empty() {
        if require_rv {
            return invalid(
                rt,
                &name,
                vec![FieldError::invalid_raw(
                    "metadata.resourceVersion",
                    "0x0",
                    "must be specified for an update",
                )],
            )
            .map(|()| old.clone());
        }
    } else if given_rv != meta::resource_version(&old.value) {
        return Err(ApiError::Conflict {
            gr: rt.gr(),
            name,
            detail: "the object has been modified; please apply your changes to the latest version and try again".into(),
        });
    }
    new = match part {
        Part::Main => new,
        Part::Status => {
            let mut merged = old.value.clone();
            let status = new.get("status").cloned().unwrap_or(Value::Null);
            let m = meta::ensure_object(&mut merged);
            if status.is_null() {
                m.remove("status");
            } else {
                m.insert("status".into(), status);
            }
            merged
        }
        Part::Finalize => {
            let mut merged = old.value.clone();
            let fins = new
                .get("spec")
                .and_then(|s| s.get("finalizers"))
                .cloned()
                .unwrap_or_else(|| json!([]));
            let m = meta::ensure_object(&mut merged);
            let spec = meta::ensure_object(m.entry("spec").or_insert_with(|| json!({})));
            spec.insert("finalizers".into(), fins);
            merged
        }
        Part::Log | Part::Token => return Err(ApiError::MethodNotAllowed),
    };
    if matches!(rt.flavor, Flavor::Pod | Flavor::Job) && part == Part::Main {
        // The status of built-ins changes only through `/status`.
        let m = meta::ensure_object(&mut new);
        match old.value.get("status") {
            Some(s) => m.insert("status".into(), s.clone()),
            None => m.remove("status"),
        };
    }
    // Server-owned metadata comes from the stored object.
    let old_md = meta::metadata(&old.value).cloned().unwrap_or_default();
    {
        let md = meta::metadata_mut(&mut new);
        md.remove("managedFields");
        md.remove("selfLink");
        for f in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "resourceVersion",
        ] {
            match old_md.get(f) {
                Some(v) => md.insert(f.into(), v.clone()),
                None => md.remove(f),
            };
        }
    }
    if rt.flavor == Flavor::Namespace && part == Part::Main {
        // As in Kubernetes: spec.finalizers only via /finalize, status only via /status.
        let m = meta::ensure_object(&mut new);
        let old_spec_fins = old
            .value
            .get("spec")
            .and_then(|s| s.get("finalizers"))
            .cloned();
        let spec = meta::ensure_object(m.entry("spec").or_insert_with(|| json!({})));
        match old_spec_fins {
            Some(f) => spec.insert("finalizers".into(), f),
            None => spec.remove("finalizers"),
        };
        match old.value.get("status") {
            Some(s) => m.insert("status".into(), s.clone()),
            None => m.remove("status"),
        };
    }
    normalize(rt, &mut new)?;
    if (rt.is_custom() || rt.flavor == Flavor::Job)
        && strip_for_generation(&new) != strip_for_generation(&old.value)
    {
        let g = old_md
            .get("generation")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            + 1;
        meta::metadata_mut(&mut new).insert("generation".into(), g.into());
    }
    validate(tx.schemas(), rt, &new, Some(&old.value))?;
    if new == old.value {
        return Ok(old.clone());
    }
    if dry_run {
        return Ok(Stored::new(new));
    }
    let gr = rt.gr();
    if meta::is_deleting(&new) && meta::finalizers(&new).is_empty() {
        let all_gone = rt.flavor != Flavor::Namespace || meta::spec_finalizers(&new).is_empty();
        if all_gone {
            let ns = meta::namespace(&new).to_string();
            tx.put(&gr, new);
            return tx
                .delete(&gr, &ns, &name)
                .ok_or_else(|| ApiError::Internal("object vanished during update".into()));
        }
    }
    Ok(tx.put(&gr, new))
}

pub async fn update(
    store: &Store,
    t: Target,
    name: &str,
    part: Part,
    params: &Params,
    body: &[u8],
) -> Result<Response, ApiError> {
    let mut obj = parse_body(body, &t.rt)?;
    check_namespace(&mut obj, &t)?;
    let body_name = meta::name(&obj);
    if body_name != name {
        return Err(ApiError::BadRequest(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    normalize(&t.rt, &mut obj)?;
    let name = name.to_string();
    let rt = t.rt.clone();
    let dry_run = params.dry_run;
    let stored = store
        .write(move |tx| {
            let old = tx
                .get(&t.rt.gr(), t.ns(), &name)
                .ok_or_else(|| not_found(&t.rt, &name))?;
            let require_rv = t.rt.is_custom();
            update_in_tx(tx, &t.rt, &old, obj, part, require_rv, dry_run)
        })
        .await?;
    Ok(object_response(StatusCode::OK, &stored, &rt))
}

pub async fn patch(
    store: &Store,
    t: Target,
    name: &str,
    part: Part,
    params: &Params,
    content_type: &str,
    body: Bytes,
) -> Result<Response, ApiError> {
    let kind = patch::kind_for(content_type, &t.rt)?;
    let name = name.to_string();
    let rt = t.rt.clone();
    let dry_run = params.dry_run;
    let stored = store
        .write(move |tx| {
            let old = tx
                .get(&t.rt.gr(), t.ns(), &name)
                .ok_or_else(|| not_found(&t.rt, &name))?;
            let mut doc = old.value.clone();
            meta::ensure_object(&mut doc).insert("apiVersion".into(), t.rt.api_version().into());
            patch::apply(kind, &mut doc, &body)?;
            if !doc.is_object() {
                return Err(ApiError::BadRequest(
                    "the patch must produce an object".into(),
                ));
            }
            if meta::name(&doc) != name {
                return Err(ApiError::BadRequest(format!(
                    "the name of the object ({}) does not match the name on the URL ({name})",
                    meta::name(&doc)
                )));
            }
            let mut doc = parse_body(&serde_json::to_vec(&doc).unwrap_or_default(), &t.rt)?;
            check_namespace(&mut doc, &t)?;
            // A patch that leaves resourceVersion alone is unconditional.
            update_in_tx(tx, &t.rt, &old, doc, part, false, dry_run)
        })
        .await?;
    Ok(object_response(StatusCode::OK, &stored, &rt))
}
