//! delete and deletecollection.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::*;
use crate::jobs::{self, Propagation};
use crate::meta;
use crate::resource::{Flavor, ResourceType};
use crate::status::{ApiError, FieldError, success_status};
use crate::store::{Store, Stored, WriteTx};

/// `DeleteOptions.preconditions`.
pub(super) fn check_preconditions(
    rt: &ResourceType,
    old: &Value,
    options: Option<&Value>,
) -> Result<(), ApiError> {
    let pre = options.and_then(|o| o.get("preconditions"));
    let conflict = |detail: String| ApiError::Conflict {
        gr: rt.gr(),
        name: meta::name(old).to_string(),
        detail,
    };
    if let Some(uid) = pre.and_then(|p| p.get("uid")).and_then(Value::as_str)
        && uid != meta::uid(old)
    {
        return Err(conflict(format!(
            "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
            meta::uid(old)
        )));
    }
    if let Some(rv) = pre
        .and_then(|p| p.get("resourceVersion"))
        .and_then(Value::as_str)
        && rv != meta::resource_version(old)
    {
        return Err(conflict(format!(
            "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
            meta::resource_version(old)
        )));
    }
    Ok(())
}

/// The result of deleting one object.
pub enum Deleted {
    /// Gone; its last state.
    Gone(Arc<Stored>),
    /// Marked for deletion and kept (finalizers, or a terminating namespace).
    Marked(Arc<Stored>),
}

/// Deletes one object following Kubernetes' rules: objects with finalizers
/// (and namespaces, which always have the `kubernetes` finalizer) only get
/// a `deletionTimestamp`; the rest are removed at once.
pub fn delete_in_tx(
    tx: &mut WriteTx<'_>,
    rt: &ResourceType,
    old: &Arc<Stored>,
    options: Option<&Value>,
    dry_run: bool,
) -> Result<Deleted, ApiError> {
    check_preconditions(rt, &old.value, options)?;
    let name = meta::name(&old.value).to_string();
    let ns = meta::namespace(&old.value).to_string();
    let gr = rt.gr();
    let has_finalizers = !meta::finalizers(&old.value).is_empty()
        || (rt.flavor == Flavor::Namespace && !meta::spec_finalizers(&old.value).is_empty());
    if meta::is_deleting(&old.value) {
        if rt.flavor == Flavor::Namespace && !meta::spec_finalizers(&old.value).is_empty() {
            return Err(ApiError::Conflict {
                gr,
                name,
                detail: "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.".into(),
            });
        }
        return Ok(Deleted::Marked(old.clone()));
    }
    if has_finalizers {
        let mut v = old.value.clone();
        let md = meta::metadata_mut(&mut v);
        md.insert("deletionTimestamp".into(), meta::now_rfc3339().into());
        md.insert("deletionGracePeriodSeconds".into(), 0.into());
        if rt.flavor == Flavor::Namespace {
            let m = meta::ensure_object(&mut v);
            let status = meta::ensure_object(m.entry("status").or_insert_with(|| json!({})));
            status.insert("phase".into(), "Terminating".into());
        }
        if dry_run {
            return Ok(Deleted::Marked(Stored::new(v)));
        }
        return Ok(Deleted::Marked(tx.put(&gr, v)));
    }
    if dry_run {
        return Ok(Deleted::Gone(old.clone()));
    }
    tx.delete(&gr, &ns, &name)
        .map(Deleted::Gone)
        .ok_or_else(|| ApiError::Internal("object vanished during delete".into()))
}

/// `propagationPolicy` (query, else `DeleteOptions`, else the deprecated
/// `orphanDependents`).
fn propagation(params: &Params, options: Option<&Value>) -> Result<Propagation, ApiError> {
    let policy = params.propagation_policy.as_deref().or_else(|| {
        options
            .and_then(|o| o.get("propagationPolicy"))
            .and_then(Value::as_str)
    });
    let orphan = options
        .and_then(|o| o.get("orphanDependents"))
        .and_then(Value::as_bool);
    Propagation::parse(policy, orphan).map_err(|detail| ApiError::Invalid {
        kind: "DeleteOptions".into(),
        group: String::new(),
        name: String::new(),
        causes: vec![FieldError::invalid_raw("propagationPolicy", "", detail)],
    })
}

/// The garbage collector's part of a delete: a Job's Pods go with it (or
/// are orphaned), in the same write.
fn collect(
    tx: &mut WriteTx<'_>,
    rt: &ResourceType,
    deleted: &Deleted,
    how: Propagation,
    dry_run: bool,
) {
    if let Deleted::Gone(o) = deleted
        && rt.flavor == Flavor::Job
        && !dry_run
    {
        jobs::collect_dependents(tx, meta::namespace(&o.value), meta::uid(&o.value), how);
    }
}

pub async fn delete(
    store: &Store,
    t: Target,
    name: &str,
    params: &Params,
    body: &[u8],
) -> Result<Response, ApiError> {
    let options = parse_delete_options(body)?;
    let dry_run = params.dry_run
        || options
            .as_ref()
            .and_then(|o| o.get("dryRun"))
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == "All"));
    let how = propagation(params, options.as_ref())?;
    let name = name.to_string();
    let rt = t.rt.clone();
    let result = store
        .write(move |tx| {
            let old = tx
                .get(&t.rt.gr(), t.ns(), &name)
                .ok_or_else(|| not_found(&t.rt, &name))?;
            let deleted = delete_in_tx(tx, &t.rt, &old, options.as_ref(), dry_run)?;
            collect(tx, &t.rt, &deleted, how, dry_run);
            Ok(deleted)
        })
        .await?;
    Ok(match result {
        Deleted::Marked(o) => object_response(StatusCode::OK, &o, &rt),
        // Kubernetes' registries for these built-ins answer a finished delete with a Status.
        Deleted::Gone(o) if matches!(rt.flavor, Flavor::Secret | Flavor::ConfigMap) => {
            json_response(
                StatusCode::OK,
                success_status(&rt.gr(), meta::name(&o.value), meta::uid(&o.value)).to_string(),
            )
        }
        Deleted::Gone(o) => object_response(StatusCode::OK, &o, &rt),
    })
}

pub async fn delete_collection(
    store: &Store,
    t: Target,
    params: &Params,
    body: &[u8],
) -> Result<Response, ApiError> {
    if t.rt.flavor == Flavor::Namespace {
        return Err(ApiError::MethodNotAllowed);
    }
    let options = parse_delete_options(body)?;
    let how = propagation(params, options.as_ref())?;
    let selectors = params.selectors(&t.rt)?;
    let dry_run = params.dry_run;
    let rt = t.rt.clone();
    let items = store
        .write(move |tx| {
            let gr = t.rt.gr();
            let targets: Vec<Arc<Stored>> = tx
                .list(&gr, t.namespace.as_deref())
                .into_iter()
                .filter(|o| selectors.matches(&o.value))
                .collect();
            let mut out = Vec::with_capacity(targets.len());
            for old in targets {
                let deleted = delete_in_tx(tx, &t.rt, &old, options.as_ref(), dry_run)?;
                collect(tx, &t.rt, &deleted, how, dry_run);
                match deleted {
                    Deleted::Gone(o) | Deleted::Marked(o) => out.push(o),
                }
            }
            Ok(out)
        })
        .await?;
    let revision = store.read().revision();
    let items: Vec<Value> = items.iter().map(|o| o.value.clone()).collect();
    let kind = items
        .first()
        .and_then(|i| i.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or(&rt.kind)
        .to_string();
    Ok(json_response(
        StatusCode::OK,
        json!({
            "kind": list_kind(&kind),
            "apiVersion": rt.api_version(),
            "metadata": {"resourceVersion": revision.to_string()},
            "items": items,
        })
        .to_string(),
    ))
}
