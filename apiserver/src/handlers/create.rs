//! create (POST).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::*;
use crate::meta;
use crate::resource::{Flavor, GroupResource};
use crate::service_accounts;
use crate::status::ApiError;
use crate::store::{Store, Stored};
use crate::validation;

pub async fn create(
    store: &Store,
    t: Target,
    params: &Params,
    body: &[u8],
) -> Result<Response, ApiError> {
    let mut obj = parse_body(body, &t.rt)?;
    check_namespace(&mut obj, &t)?;
    let md = meta::metadata_mut(&mut obj);
    for f in SERVER_FIELDS {
        md.remove(*f);
    }
    let given = md.get("name").and_then(Value::as_str).unwrap_or("");
    if given.is_empty()
        && let Some(prefix) = md
            .get("generateName")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
    {
        let generated = meta::generate_name(prefix, validation::max_name_len(&t.rt));
        md.insert("name".into(), generated.into());
    }
    let name = meta::name(&obj).to_string();
    if t.rt.namespaced {
        // Checked again inside the write; checked first so that, as in
        // Kubernetes, admission errors take precedence over validation.
        let ns = store
            .read()
            .get(&GroupResource::namespaces(), "", t.ns())
            .cloned();
        check_namespace_lifecycle(ns, &t, &name)?;
    }
    normalize(&t.rt, &mut obj)?;
    match t.rt.flavor {
        Flavor::Namespace => {
            let mut fins = meta::spec_finalizers(&obj);
            if !fins.iter().any(|f| f == KUBERNETES_FINALIZER) {
                fins.push(KUBERNETES_FINALIZER.into());
            }
            let map = meta::ensure_object(&mut obj);
            let spec = meta::ensure_object(map.entry("spec").or_insert_with(|| json!({})));
            spec.insert("finalizers".into(), json!(fins));
            map.insert("status".into(), json!({"phase": "Active"}));
            let md = meta::metadata_mut(&mut obj);
            let labels = meta::ensure_object(md.entry("labels").or_insert_with(|| json!({})));
            labels.insert(
                "kubernetes.io/metadata.name".into(),
                Value::String(name.clone()),
            );
        }
        Flavor::Custom => {
            meta::metadata_mut(&mut obj).insert("generation".into(), 1.into());
        }
        Flavor::Pod => crate::pods::default_new_pod(&mut obj),
        Flavor::Job => {
            // The selector and template labels name the uid, so it is chosen now.
            meta::metadata_mut(&mut obj)
                .insert("uid".into(), uuid::Uuid::new_v4().to_string().into());
            crate::jobs::default_new_job(&mut obj);
        }
        Flavor::Secret | Flavor::ConfigMap | Flavor::Plain => {}
    }
    validate(store.schemas(), &t.rt, &obj, None)?;
    let dry_run = params.dry_run;
    let rt = t.rt.clone();
    let stored = store
        .write(move |tx| {
            let gr = t.rt.gr();
            if t.rt.namespaced {
                let ns = tx.get(&GroupResource::namespaces(), "", t.ns());
                check_namespace_lifecycle(ns, &t, &name)?;
            }
            if tx.get(&gr, t.ns(), &name).is_some() {
                return Err(ApiError::AlreadyExists { gr, name });
            }
            let md = meta::metadata_mut(&mut obj);
            if !md.contains_key("uid") {
                md.insert("uid".into(), uuid::Uuid::new_v4().to_string().into());
            }
            md.insert("creationTimestamp".into(), meta::now_rfc3339().into());
            if t.rt.flavor == Flavor::Pod {
                service_accounts::admit_pod(tx, &mut obj);
            }
            if dry_run {
                return Ok(Stored::new(obj));
            }
            if t.rt.flavor == Flavor::Namespace {
                tx.put(
                    &service_accounts::service_accounts(),
                    service_accounts::default_for(&name),
                );
            }
            Ok(tx.put(&gr, obj))
        })
        .await?;
    Ok(object_response(StatusCode::CREATED, &stored, &rt))
}
