//! The verbs: get, list, create, update (PUT), patch, delete, deletecollection.
//!
//! Each handler validates what it can before taking the writer, then does the
//! checks that depend on current state (existence, `resourceVersion`,
//! namespace lifecycle) inside one [`Store::write`] so they are atomic.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::meta;
use super::patch;
use super::resource::{Flavor, GroupResource, ResourceType};
use super::schema::Schemas;
use super::selector::Selectors;
use super::status::{ApiError, FieldError, success_status};
use super::store::{ObjKey, Store, Stored, WriteTx};
use super::table;
use super::validation;

/// The Kubernetes namespace finalizer, owned by the namespace controller.
pub const KUBERNETES_FINALIZER: &str = "kubernetes";

/// Query parameters the server understands (others are ignored, as unknown
/// parameters are by Kubernetes).
#[derive(Debug, Default, Clone)]
pub struct Params {
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
    pub resource_version: Option<String>,
    pub watch: bool,
    pub timeout_seconds: Option<u64>,
    pub allow_watch_bookmarks: bool,
    pub send_initial_events: bool,
    pub dry_run: bool,
}

fn truthy(v: &str) -> bool {
    matches!(v, "true" | "1" | "True" | "TRUE")
}

impl Params {
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ApiError> {
        let mut p = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "labelSelector" => p.label_selector = Some(v.clone()),
                "fieldSelector" => p.field_selector = Some(v.clone()),
                "limit" => {
                    let n: i64 = v.parse().map_err(|_| {
                        ApiError::BadRequest(format!("invalid value for limit: {v:?}"))
                    })?;
                    p.limit = usize::try_from(n).ok().filter(|n| *n > 0);
                }
                "continue" => p.continue_token = Some(v.clone()).filter(|v| !v.is_empty()),
                "resourceVersion" => p.resource_version = Some(v.clone()).filter(|v| !v.is_empty()),
                "watch" => p.watch = truthy(v),
                "timeoutSeconds" => {
                    p.timeout_seconds = Some(v.parse().map_err(|_| {
                        ApiError::BadRequest(format!("invalid value for timeoutSeconds: {v:?}"))
                    })?)
                }
                "allowWatchBookmarks" => p.allow_watch_bookmarks = truthy(v),
                "sendInitialEvents" => p.send_initial_events = truthy(v),
                "dryRun" => p.dry_run = v == "All",
                _ => {}
            }
        }
        Ok(p)
    }

    pub fn selectors(&self, rt: &ResourceType) -> Result<Selectors, ApiError> {
        Selectors::parse(
            self.label_selector.as_deref(),
            self.field_selector.as_deref(),
            rt,
        )
        .map_err(|e| ApiError::BadRequest(e.to_string()))
    }
}

/// Where a request points.
#[derive(Debug, Clone)]
pub struct Target {
    pub rt: ResourceType,
    /// The namespace in the path (`None` for cluster-scoped resources and
    /// all-namespaces lists).
    pub namespace: Option<String>,
}

impl Target {
    fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }
}

pub fn json_response(code: StatusCode, body: impl Into<Bytes>) -> Response {
    let mut resp = (code, body.into()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// The object's JSON as served at the request's group/version. Stored bytes
/// are reused unless the object was written at another version.
pub fn render(stored: &Stored, rt: &ResourceType) -> Bytes {
    let want = rt.api_version();
    if stored.value.get("apiVersion").and_then(Value::as_str) == Some(want.as_str()) {
        return stored.json.clone();
    }
    let mut v = stored.value.clone();
    meta::ensure_object(&mut v).insert("apiVersion".into(), want.into());
    Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
}

fn object_response(code: StatusCode, stored: &Stored, rt: &ResourceType) -> Response {
    json_response(code, render(stored, rt))
}

fn not_found(rt: &ResourceType, name: &str) -> ApiError {
    ApiError::NotFound {
        gr: rt.gr(),
        name: name.to_string(),
    }
}

// ---------------------------------------------------------------- reads

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

/// The kind of a list: `SecretList`, `ImagePointerList`, or `List` when the
/// kind of an unregistered custom resource is unknown.
fn list_kind(kind: &str) -> String {
    if kind.is_empty() {
        "List".into()
    } else {
        format!("{kind}List")
    }
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

// ---------------------------------------------------------------- body handling

/// Parses a request body into an object of this resource: a JSON object whose
/// `apiVersion`/`kind` (if given) match the path, with both filled in.
fn parse_body(body: &[u8], rt: &ResourceType) -> Result<Value, ApiError> {
    let mut obj: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body of the request could not be decoded as JSON: {e}"
        ))
    })?;
    let Some(map) = obj.as_object_mut() else {
        return Err(ApiError::BadRequest(
            "the body of the request must be a JSON object".into(),
        ));
    };
    let want_version = rt.api_version();
    match map.get("apiVersion").and_then(Value::as_str) {
        Some(v) if !v.is_empty() && v != want_version => {
            return Err(ApiError::BadRequest(format!(
                "the API version in the data ({v}) does not match the expected API version ({want_version})"
            )));
        }
        _ => {}
    }
    let body_kind = map
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = match (rt.kind.as_str(), body_kind.as_str()) {
        ("", "") => {
            return Err(ApiError::BadRequest("Object 'Kind' is missing".into()));
        }
        ("", k) => k.to_string(),
        (k, "") => k.to_string(),
        (k, b) if k == b => k.to_string(),
        (k, b) => {
            return Err(ApiError::BadRequest(format!(
                "the kind in the data ({b}) does not match the expected kind ({k})"
            )));
        }
    };
    map.insert("apiVersion".into(), want_version.into());
    map.insert("kind".into(), kind.into());
    if !map
        .get("metadata")
        .is_none_or(|m| m.is_object() || m.is_null())
    {
        return Err(ApiError::BadRequest(
            "metadata must be a JSON object".into(),
        ));
    }
    meta::metadata_mut(&mut obj);
    Ok(obj)
}

/// Sets or checks `metadata.namespace` against the path.
fn check_namespace(obj: &mut Value, t: &Target) -> Result<(), ApiError> {
    let md = meta::metadata_mut(obj);
    if t.rt.namespaced {
        let ns = t.ns().to_string();
        match md.get("namespace").and_then(Value::as_str) {
            Some(given) if !given.is_empty() && given != ns => {
                return Err(ApiError::BadRequest(
                    "the namespace of the provided object does not match the namespace sent on the request".into(),
                ));
            }
            _ => {
                md.insert("namespace".into(), ns.into());
            }
        }
    } else {
        md.remove("namespace");
    }
    Ok(())
}

/// Fields only the server sets; dropped from what clients send.
const SERVER_FIELDS: &[&str] = &[
    "uid",
    "creationTimestamp",
    "resourceVersion",
    "generation",
    "managedFields",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
];

fn normalize(rt: &ResourceType, obj: &mut Value) -> Result<(), ApiError> {
    match rt.flavor {
        Flavor::Secret => validation::normalize_secret(obj),
        Flavor::ConfigMap => validation::normalize_configmap(obj),
        Flavor::Namespace | Flavor::Custom => Ok(()),
    }
}

fn invalid(rt: &ResourceType, name: &str, causes: Vec<FieldError>) -> Result<(), ApiError> {
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Invalid {
            kind: rt.kind.clone(),
            group: rt.group.clone(),
            name: name.to_string(),
            causes,
        })
    }
}

/// Every validation rule for the object about to be stored.
fn validate(
    schemas: &Schemas,
    rt: &ResourceType,
    obj: &Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    let name = meta::name(obj);
    let mut causes = validation::name_errors(rt, name);
    causes.extend(validation::metadata_errors(obj));
    match rt.flavor {
        Flavor::Secret => causes.extend(validation::secret_errors(obj, old)),
        Flavor::ConfigMap => causes.extend(validation::configmap_errors(obj, old)),
        Flavor::Custom => {
            causes.extend(schemas.errors(&rt.gr(), obj));
        }
        Flavor::Namespace => {}
    }
    if let Some(old) = old
        && meta::is_deleting(old)
    {
        let before = meta::finalizers(old);
        let added: Vec<String> = meta::finalizers(obj)
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect();
        if !added.is_empty() {
            causes.push(FieldError::forbidden(
                "metadata.finalizers",
                format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers {added:?}"
                ),
            ));
        }
    }
    invalid(rt, name, causes)?;
    validation::check_size(obj)
}

/// Creating content in a namespace requires it to exist and not be terminating
/// (Kubernetes' NamespaceLifecycle admission).
fn check_namespace_lifecycle(
    namespace: Option<Arc<Stored>>,
    t: &Target,
    name: &str,
) -> Result<(), ApiError> {
    let ns = t.ns();
    match namespace {
        None => Err(ApiError::NotFound {
            gr: GroupResource::namespaces(),
            name: ns.to_string(),
        }),
        Some(n) if meta::is_deleting(&n.value) => Err(ApiError::Forbidden {
            gr: t.rt.gr(),
            name: name.to_string(),
            message: format!(
                "unable to create new content in namespace {ns} because it is being terminated"
            ),
            causes: vec![(
                "NamespaceTerminating".into(),
                format!("namespace {ns} is being terminated"),
                "metadata.namespace".into(),
            )],
        }),
        Some(_) => Ok(()),
    }
}

// ---------------------------------------------------------------- create

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
        Flavor::Secret | Flavor::ConfigMap => {}
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
            md.insert("uid".into(), uuid::Uuid::new_v4().to_string().into());
            md.insert("creationTimestamp".into(), meta::now_rfc3339().into());
            Ok(if dry_run {
                Stored::new(obj)
            } else {
                tx.put(&gr, obj)
            })
        })
        .await?;
    Ok(object_response(StatusCode::CREATED, &stored, &rt))
}

// ---------------------------------------------------------------- update / patch

/// What part of the object a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Main,
    Status,
    /// Namespaces' `finalize` subresource: only `spec.finalizers`.
    Finalize,
}

impl Part {
    pub fn from_subresource(sub: Option<&str>, rt: &ResourceType) -> Option<Self> {
        match sub {
            None => Some(Self::Main),
            Some("status") if rt.flavor != Flavor::Secret && rt.flavor != Flavor::ConfigMap => {
                Some(Self::Status)
            }
            Some("finalize") if rt.flavor == Flavor::Namespace => Some(Self::Finalize),
            Some(_) => None,
        }
    }
}

fn strip_for_generation(v: &Value) -> Value {
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
    };
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
    if rt.is_custom() && strip_for_generation(&new) != strip_for_generation(&old.value) {
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

// ---------------------------------------------------------------- delete

/// `DeleteOptions.preconditions`.
fn check_preconditions(
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

fn parse_delete_options(body: &[u8]) -> Result<Option<Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice::<Value>(body)
        .map(Some)
        .map_err(|e| ApiError::BadRequest(format!("invalid DeleteOptions: {e}")))
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
    let name = name.to_string();
    let rt = t.rt.clone();
    let result = store
        .write(move |tx| {
            let old = tx
                .get(&t.rt.gr(), t.ns(), &name)
                .ok_or_else(|| not_found(&t.rt, &name))?;
            delete_in_tx(tx, &t.rt, &old, options.as_ref(), dry_run)
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
                match delete_in_tx(tx, &t.rt, &old, options.as_ref(), dry_run)? {
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
