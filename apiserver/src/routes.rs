//! The HTTP surface: one fallback handler that parses Kubernetes REST paths
//! itself, so that unknown paths and unsupported methods get `metav1.Status`
//! answers (404, 405) instead of the router's plain-text ones.
//!
//! Paths served (`{api}` is `/api/v1` or `/apis/{group}/{version}`):
//! `{api}/{plural}` (cluster-scoped collection or all-namespaces list),
//! `{api}/{plural}/{name}[/{sub}]` (cluster-scoped objects),
//! `{api}/namespaces/{ns}/{plural}[/{name}[/{sub}]]` (namespaced),
//! and the discovery documents.

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::access::authorize::{self, Attributes};
use super::access::{Identity, tokens};
use super::audit;
use super::discovery;
use super::handlers::{self, Params, Part, Target, json_response};
use super::openapi;
use super::pods::logs::LogHub;
use super::protobuf;
use super::resource::{self, RBAC_GROUP, ResourceType};
use super::status::ApiError;
use super::store::Store;
use super::table;
use super::watch;

/// Largest request body accepted (Kubernetes' limit is 3 MiB too).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

pub fn router(store: Store, logs: LogHub) -> Router {
    Router::new()
        .fallback(dispatch)
        .with_state(store)
        .layer(axum::Extension(logs))
}

async fn dispatch(State(store): State<Store>, req: Request) -> Response {
    match handle(&store, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn ok_json(v: &serde_json::Value) -> Response {
    json_response(StatusCode::OK, v.to_string())
}

async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|e| {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
                || e.to_string().contains("length limit");
            if too_large {
                ApiError::TooLarge(format!(
                    "Request entity too large: limit is {MAX_BODY_BYTES}"
                ))
            } else {
                ApiError::BadRequest(format!("cannot read the request body: {e}"))
            }
        })
}

/// Object bodies as JSON: JSON is taken as is (also without a content type,
/// as curl sends), kubectl's protobuf is decoded, anything else is 415.
fn as_json(body: Bytes, content_type: &str, addressed: &Addressed) -> Result<Bytes, ApiError> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    if media.is_empty() || media.eq_ignore_ascii_case("application/json") || media == "*/*" {
        return Ok(body);
    }
    let (t, sub) = match addressed {
        Addressed::Collection(t) => (t, None),
        Addressed::Object(t, _, sub) => (t, sub.as_deref()),
    };
    if media.eq_ignore_ascii_case(protobuf::MEDIA_TYPE) {
        return protobuf::to_json(&body, &t.rt, sub).map(Bytes::from);
    }
    Err(ApiError::UnsupportedMediaType(
        "the body of the request was in an unknown format - accepted media types include: application/json"
            .into(),
    ))
}

/// A request for objects, before the method is looked at.
enum Addressed {
    Collection(Target),
    Object(Target, String, Option<String>),
}

async fn handle(store: &Store, req: Request) -> Result<Response, ApiError> {
    let path = req.uri().path().to_string();
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    if segs.iter().any(|s| s.is_empty()) && path != "/" {
        return Err(ApiError::NoSuchPath);
    }
    let resource_path = matches!(
        segs.as_slice(),
        ["api", "v1", _, ..] | ["apis", _, _, _, ..]
    );
    if !resource_path && tracing::enabled!(target: audit::TARGET, tracing::Level::DEBUG) {
        let caller = req.extensions().get::<audit::Caller>().copied();
        audit::record_path(caller, req.method(), &path);
    }
    // Only service accounts are authorized; the operator and the
    // in-process client are not restricted.
    let user = req.extensions().get::<Identity>().and_then(Identity::user);
    if let Some(user) = &user
        && !resource_path
    {
        let verb = req.method().as_str().to_ascii_lowercase();
        authorize::path(&store.read(), user, &verb, &path)?;
    }
    let get_only = |v: serde_json::Value| -> Result<Response, ApiError> {
        if req.method() == Method::GET {
            Ok(ok_json(&v))
        } else {
            Err(ApiError::MethodNotAllowed)
        }
    };
    let addressed = match segs.as_slice() {
        ["version"] => return get_only(discovery::version()),
        ["healthz"] | ["livez"] | ["readyz"] => {
            return Ok((StatusCode::OK, "ok").into_response());
        }
        ["api"] => return get_only(discovery::api_versions()),
        ["api", "v1"] => return get_only(discovery::core_resources()),
        ["apis"] => {
            let doc = discovery::api_groups(&store.read());
            return get_only(doc);
        }
        ["apis", group] => {
            let doc = discovery::api_group(&store.read(), group).ok_or(ApiError::NoSuchPath)?;
            return get_only(doc);
        }
        ["apis", group, version] => {
            let doc = discovery::group_resources(&store.read(), group, version)
                .ok_or(ApiError::NoSuchPath)?;
            return get_only(doc);
        }
        ["openapi", "v3"] => return get_only(openapi::root(&store.read())),
        ["openapi", "v3", gv @ ..] => {
            let doc =
                openapi::group_version(&store.read(), &gv.join("/")).ok_or(ApiError::NoSuchPath)?;
            return get_only(doc);
        }
        ["api", "v1", rest @ ..] => address_core(rest)?,
        ["apis", group, version, rest @ ..] => address_custom(store, group, version, rest)?,
        _ => return Err(ApiError::NoSuchPath),
    };
    let pairs = Query::<Vec<(String, String)>>::try_from_uri(req.uri())
        .map(|q| q.0)
        .map_err(|e| ApiError::BadRequest(format!("invalid query: {e}")))?;
    let params = Params::from_pairs(&pairs)?;
    let method = req.method().clone();
    let logs = req
        .extensions()
        .get::<LogHub>()
        .cloned()
        .unwrap_or_default();
    if tracing::enabled!(target: audit::TARGET, tracing::Level::DEBUG) {
        let (t, collection, sub) = match &addressed {
            Addressed::Collection(t) => (t, true, None),
            Addressed::Object(t, _, sub) => (t, false, sub.as_deref()),
        };
        if let Some(verb) = audit::verb(&method, collection, params.watch) {
            let caller = req.extensions().get::<audit::Caller>().copied();
            audit::record(
                caller,
                verb,
                &t.rt.group,
                &t.rt.plural,
                sub,
                t.namespace.as_deref(),
            );
        }
    }
    if let Some(user) = &user {
        authorize_resource(store, user, &addressed, &method, params.watch)?;
    }
    let headers = req.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut body = read_body(req.into_body()).await?;
    if matches!(method, Method::POST | Method::PUT) && !body.is_empty() {
        body = as_json(body, &content_type, &addressed)?;
    }
    if let Some(user) = &user {
        authorize_grant(store, user, &addressed, &method, &body)?;
    }
    match addressed {
        Addressed::Collection(t) => {
            let scoped = !t.rt.namespaced || t.namespace.is_some();
            match method {
                Method::GET if params.watch => watch::watch(store, t, &params),
                Method::GET => handlers::list(store, &t, &params, &headers),
                Method::POST if scoped => handlers::create(store, t, &params, &body).await,
                Method::DELETE if scoped => {
                    handlers::delete_collection(store, t, &params, &body).await
                }
                _ => Err(ApiError::MethodNotAllowed),
            }
        }
        Addressed::Object(t, name, sub) => {
            let part = Part::from_subresource(sub.as_deref(), &t.rt).ok_or(ApiError::NoSuchPath)?;
            match (method, part) {
                (Method::GET, Part::Main | Part::Status) => {
                    if table::wants_table(&headers) {
                        let obj = store
                            .read()
                            .get(&t.rt.gr(), t.namespace.as_deref().unwrap_or(""), &name)
                            .cloned();
                        match obj {
                            Some(o) => Ok(table::object_table(&t.rt, &o)),
                            None => Err(ApiError::NotFound {
                                gr: t.rt.gr(),
                                name,
                            }),
                        }
                    } else {
                        handlers::get(store, &t, &name)
                    }
                }
                (Method::GET, Part::Log) => handlers::pod_log(store, &logs, &t, &name, &pairs),
                (Method::POST, Part::Token) => tokens::issue(store, t.ns(), &name, &body).await,
                (Method::PUT, Part::Main | Part::Status | Part::Finalize) => {
                    handlers::update(store, t, &name, part, &params, &body).await
                }
                (Method::PATCH, Part::Main | Part::Status) => {
                    handlers::patch(store, t, &name, part, &params, &content_type, body).await
                }
                (Method::DELETE, Part::Main) => {
                    if t.rt.flavor == resource::Flavor::Namespace
                        && matches!(name.as_str(), "default" | "kube-system" | "kube-public")
                    {
                        return Err(ApiError::Forbidden {
                            gr: t.rt.gr(),
                            name,
                            message: "this namespace may not be deleted".into(),
                            causes: vec![],
                        });
                    }
                    handlers::delete(store, t, &name, &params, &body).await
                }
                _ => Err(ApiError::MethodNotAllowed),
            }
        }
    }
}

/// RBAC's verb for a request; a POST to an object is a subresource's create.
fn rbac_verb(method: &Method, collection: bool, watch: bool) -> Option<&'static str> {
    if *method == Method::POST && !collection {
        return Some("create");
    }
    audit::verb(method, collection, watch)
}

/// A service account's request, authorized by RBAC before anything is read.
fn authorize_resource(
    store: &Store,
    user: &crate::rbac::User,
    addressed: &Addressed,
    method: &Method,
    watch: bool,
) -> Result<(), ApiError> {
    let (t, collection, name, sub) = match addressed {
        Addressed::Collection(t) => (t, true, "", None),
        Addressed::Object(t, name, sub) => (t, false, name.as_str(), sub.clone()),
    };
    // Methods no verb covers are refused by the handlers (405).
    let Some(verb) = rbac_verb(method, collection, watch) else {
        return Ok(());
    };
    // As in Kubernetes, a namespace's own request is inside that namespace.
    let namespace = if t.rt.flavor == resource::Flavor::Namespace && !collection {
        name
    } else {
        t.ns()
    };
    let attributes = Attributes {
        verb: verb.to_owned(),
        group: t.rt.group.clone(),
        resource: t.rt.plural.clone(),
        subresource: sub,
        namespace: namespace.to_owned(),
        name: name.to_owned(),
    };
    authorize::resource(&store.read(), user, &attributes)
}

/// The escalation check on writing a role or a binding: the object as
/// sent (create, replace); for a patch, the stored binding (its `roleRef`
/// cannot change) or, for a role, nothing (only `escalate` allows it).
fn authorize_grant(
    store: &Store,
    user: &crate::rbac::User,
    addressed: &Addressed,
    method: &Method,
    body: &[u8],
) -> Result<(), ApiError> {
    let (t, name) = match addressed {
        Addressed::Collection(t) => (t, None),
        Addressed::Object(t, name, None) => (t, Some(name.as_str())),
        Addressed::Object(..) => return Ok(()),
    };
    if t.rt.group != RBAC_GROUP {
        return Ok(());
    }
    let state = store.read();
    let obj = match *method {
        Method::POST | Method::PUT => serde_json::from_slice::<serde_json::Value>(body).ok(),
        Method::PATCH if t.rt.plural.ends_with("bindings") => {
            let stored = state.get(&t.rt.gr(), t.ns(), name.unwrap_or(""));
            match stored {
                Some(o) => Some(o.value.clone()),
                None => return Ok(()),
            }
        }
        Method::PATCH => None,
        _ => return Ok(()),
    };
    let name = match (name, &obj) {
        (Some(n), _) => n.to_owned(),
        (None, Some(o)) => super::meta::name(o).to_owned(),
        (None, None) => String::new(),
    };
    authorize::grant(&state, user, &t.rt.plural, t.ns(), &name, obj.as_ref())
}

fn target(rt: ResourceType, namespace: Option<&str>) -> Target {
    Target {
        rt,
        namespace: namespace.map(str::to_string),
    }
}

fn address_core(rest: &[&str]) -> Result<Addressed, ApiError> {
    let rt = |plural: &str| resource::core(plural).ok_or(ApiError::NoSuchPath);
    Ok(match rest {
        ["namespaces", ns, sub @ ("status" | "finalize")] => Addressed::Object(
            target(rt("namespaces")?, None),
            (*ns).to_string(),
            Some((*sub).to_string()),
        ),
        ["namespaces", ns, plural, tail @ ..] => {
            let r = rt(plural)?;
            if !r.namespaced {
                return Err(ApiError::NoSuchPath);
            }
            namespaced(r, ns, tail)?
        }
        [plural, tail @ ..] => cluster_or_all(rt(plural)?, tail)?,
        [] => return Err(ApiError::NoSuchPath),
    })
}

fn address_custom(
    store: &Store,
    group: &str,
    version: &str,
    rest: &[&str],
) -> Result<Addressed, ApiError> {
    if resource::is_builtin_group(group) {
        let rt =
            |plural: &str| resource::builtin(group, version, plural).ok_or(ApiError::NoSuchPath);
        return match rest {
            ["namespaces", ns, plural, tail @ ..] => namespaced(rt(plural)?, ns, tail),
            [plural, tail @ ..] => cluster_or_all(rt(plural)?, tail),
            [] => Err(ApiError::NoSuchPath),
        };
    }
    if !resource::is_group_like(group) || !resource::is_plural_like(version) {
        return Err(ApiError::NoSuchPath);
    }
    let rt = |plural: &str| -> Result<ResourceType, ApiError> {
        if !resource::is_plural_like(plural) {
            return Err(ApiError::NoSuchPath);
        }
        let gr = resource::GroupResource::new(group, plural);
        let learned = store.read().learned_kind(&gr).to_string();
        Ok(resource::custom(group, version, plural, &learned))
    };
    Ok(match rest {
        ["namespaces", ns, plural, tail @ ..] => namespaced(rt(plural)?, ns, tail)?,
        [plural] => Addressed::Collection(target(rt(plural)?, None)),
        _ => return Err(ApiError::NoSuchPath),
    })
}

fn namespaced(rt: ResourceType, ns: &str, tail: &[&str]) -> Result<Addressed, ApiError> {
    Ok(match tail {
        [] => Addressed::Collection(target(rt, Some(ns))),
        [name] => Addressed::Object(target(rt, Some(ns)), (*name).to_string(), None),
        [name, sub] => Addressed::Object(
            target(rt, Some(ns)),
            (*name).to_string(),
            Some((*sub).to_string()),
        ),
        _ => return Err(ApiError::NoSuchPath),
    })
}

fn cluster_or_all(rt: ResourceType, tail: &[&str]) -> Result<Addressed, ApiError> {
    Ok(match tail {
        [] => Addressed::Collection(target(rt, None)),
        [name] if !rt.namespaced => Addressed::Object(target(rt, None), (*name).to_string(), None),
        [name, sub] if !rt.namespaced => Addressed::Object(
            target(rt, None),
            (*name).to_string(),
            Some((*sub).to_string()),
        ),
        _ => return Err(ApiError::NoSuchPath),
    })
}
