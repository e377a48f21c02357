//! Namespace termination, as Kubernetes' namespace controller does it.
//!
//! A background task, woken after every committed write, looks at the
//! namespaces that change touched (the namespace or an object in it) which
//! have a `deletionTimestamp` and still carry the `kubernetes` finalizer:
//! it deletes their content (objects with `metadata.finalizers` only get a
//! `deletionTimestamp` and stay until clients remove the finalizers), reports
//! progress in the namespace's `status.conditions` with Kubernetes' condition
//! types, reasons and messages, and when nothing is left removes the
//! `kubernetes` finalizer; a namespace without any finalizer left is deleted.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::handlers::KUBERNETES_FINALIZER;
use super::meta;
use super::reconcile::{Changed, Wakes};
use super::resource::GroupResource;
use super::status::ApiError;
use super::store::{Store, WriteTx};

/// Starts the controller on the current tokio runtime. It stops when the
/// store is dropped.
pub fn spawn(store: &Store) {
    let mut wakes = Wakes::new(store);
    tokio::spawn(async move {
        // Namespaces whose pass failed: tried again after the next change.
        let mut failed = BTreeSet::new();
        while let Some((store, changed)) = wakes.next(None).await {
            let mut names = touched(&store, &changed);
            names.append(&mut failed);
            for name in terminating(&store, names) {
                let n = name.clone();
                if let Err(e) = store.write(move |tx| reconcile(tx, &n)).await {
                    tracing::warn!(error = %e, namespace = %name, "namespace controller pass failed; retrying on the next change");
                    failed.insert(name);
                }
            }
        }
    });
}

/// The namespaces a change may concern: changed ones and those whose content changed.
fn touched(store: &Store, changed: &Changed) -> BTreeSet<String> {
    let namespaces = GroupResource::namespaces();
    match changed {
        Changed::Everything => store
            .read()
            .range(&namespaces, None, None)
            .map(|(k, _)| k.1.clone())
            .collect(),
        Changed::Events(events) => events
            .iter()
            .map(|e| {
                let o = &e.object.value;
                if e.gr == namespaces {
                    meta::name(o)
                } else {
                    meta::namespace(o)
                }
            })
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

/// Those of `names` being deleted that still wait for their content to go.
fn terminating(store: &Store, names: BTreeSet<String>) -> Vec<String> {
    let namespaces = GroupResource::namespaces();
    let state = store.read();
    names
        .into_iter()
        .filter(|name| {
            state.get(&namespaces, "", name).is_some_and(|ns| {
                meta::is_deleting(&ns.value)
                    && meta::spec_finalizers(&ns.value)
                        .iter()
                        .any(|f| f == KUBERNETES_FINALIZER)
            })
        })
        .collect()
}

fn condition(
    old: &[Value],
    ty: &str,
    status: bool,
    reason: &str,
    message: &str,
    now: &str,
) -> Value {
    let status = if status { "True" } else { "False" };
    let previous = old
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(ty));
    let since = previous
        .filter(|c| c.get("status").and_then(Value::as_str) == Some(status))
        .and_then(|c| c.get("lastTransitionTime"))
        .and_then(Value::as_str)
        .unwrap_or(now);
    json!({
        "type": ty,
        "status": status,
        "lastTransitionTime": since,
        "reason": reason,
        "message": message,
    })
}

/// One pass over one terminating namespace.
fn reconcile(tx: &mut WriteTx<'_>, name: &str) -> Result<(), ApiError> {
    let namespaces = GroupResource::namespaces();
    let Some(ns) = tx.get(&namespaces, "", name) else {
        return Ok(());
    };
    if !meta::is_deleting(&ns.value) {
        return Ok(());
    }
    let now = meta::now_rfc3339();
    let resources: Vec<GroupResource> = tx
        .resources()
        .into_iter()
        .filter(|gr| *gr != namespaces)
        .collect();
    let mut remaining: BTreeMap<String, usize> = BTreeMap::new();
    let mut finalizers: BTreeMap<String, usize> = BTreeMap::new();
    for gr in resources {
        for o in tx.list(&gr, Some(name)) {
            let fins = meta::finalizers(&o.value);
            let obj_name = meta::name(&o.value).to_string();
            if fins.is_empty() {
                tx.delete(&gr, name, &obj_name);
                continue;
            }
            if !meta::is_deleting(&o.value) {
                let mut v = o.value.clone();
                let md = meta::metadata_mut(&mut v);
                md.insert("deletionTimestamp".into(), now.clone().into());
                md.insert("deletionGracePeriodSeconds".into(), 0.into());
                tx.put(&gr, v);
            }
            *remaining
                .entry(format!("{}.{}", gr.resource, gr.group))
                .or_default() += 1;
            for f in fins {
                *finalizers.entry(f).or_default() += 1;
            }
        }
    }
    let old_conditions: Vec<Value> = ns
        .value
        .get("status")
        .and_then(|s| s.get("conditions"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let content_msg = format!(
        "Some resources are remaining: {}",
        remaining
            .iter()
            .map(|(r, n)| format!("{r} has {n} resource instances"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let finalizers_msg = format!(
        "Some content in the namespace has finalizers remaining: {}",
        finalizers
            .iter()
            .map(|(f, n)| format!("{f} in {n} resource instances"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let c = |ty: &str, status: bool, reason: &str, message: &str| {
        condition(&old_conditions, ty, status, reason, message, &now)
    };
    let conditions = vec![
        c(
            "NamespaceDeletionDiscoveryFailure",
            false,
            "ResourcesDiscovered",
            "All resources successfully discovered",
        ),
        c(
            "NamespaceDeletionGroupVersionParsingFailure",
            false,
            "ParsedGroupVersions",
            "All legacy kube types successfully parsed",
        ),
        c(
            "NamespaceDeletionContentFailure",
            false,
            "ContentDeleted",
            "All content successfully deleted, may be waiting on finalization",
        ),
        if remaining.is_empty() {
            c(
                "NamespaceContentRemaining",
                false,
                "ContentRemoved",
                "All content successfully removed",
            )
        } else {
            c(
                "NamespaceContentRemaining",
                true,
                "SomeResourcesRemain",
                &content_msg,
            )
        },
        if finalizers.is_empty() {
            c(
                "NamespaceFinalizersRemaining",
                false,
                "ContentHasNoFinalizers",
                "All content-preserving finalizers finished",
            )
        } else {
            c(
                "NamespaceFinalizersRemaining",
                true,
                "SomeFinalizersRemain",
                &finalizers_msg,
            )
        },
    ];
    let mut updated = ns.value.clone();
    {
        let m = meta::ensure_object(&mut updated);
        let status = meta::ensure_object(m.entry("status").or_insert_with(|| json!({})));
        status.insert("phase".into(), "Terminating".into());
        status.insert("conditions".into(), Value::Array(conditions));
    }
    if remaining.is_empty() {
        let fins: Vec<String> = meta::spec_finalizers(&updated)
            .into_iter()
            .filter(|f| f != KUBERNETES_FINALIZER)
            .collect();
        let m = meta::ensure_object(&mut updated);
        let spec = meta::ensure_object(m.entry("spec").or_insert_with(|| json!({})));
        if fins.is_empty() {
            spec.remove("finalizers");
        } else {
            spec.insert("finalizers".into(), json!(fins));
        }
    }
    if updated != ns.value {
        tx.put(&namespaces, updated.clone());
    }
    if meta::spec_finalizers(&updated).is_empty() && meta::finalizers(&updated).is_empty() {
        tx.delete(&namespaces, "", name);
    }
    Ok(())
}
