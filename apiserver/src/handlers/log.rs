//! `GET …/pods/NAME/log`: a container's output as `text/plain`, streamed
//! while the container runs when `follow=true`, with the kubelet's options
//! (`container`, `previous`, `tailLines`, `limitBytes`, `timestamps`).

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{Target, not_found};
use crate::meta;
use crate::pods::logs::{self, LogHub, LogOptions};
use crate::status::ApiError;
use crate::store::Store;

fn number(v: &str, what: &str) -> Result<usize, ApiError> {
    v.parse::<i64>()
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| ApiError::BadRequest(format!("invalid value for {what}: {v:?}")))
}

fn text(body: Body) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    resp
}

pub fn pod_log(
    store: &Store,
    hub: &LogHub,
    t: &Target,
    name: &str,
    pairs: &[(String, String)],
) -> Result<Response, ApiError> {
    let mut options = LogOptions::default();
    let (mut container, mut follow, mut previous) = (None, false, false);
    let truthy = |v: &str| matches!(v, "true" | "1" | "True");
    for (k, v) in pairs {
        match k.as_str() {
            "container" => container = Some(v.clone()).filter(|c| !c.is_empty()),
            "follow" => follow = truthy(v),
            "previous" => previous = truthy(v),
            "timestamps" => options.timestamps = truthy(v),
            "tailLines" => options.tail_lines = Some(number(v, "tailLines")?),
            "limitBytes" => options.limit_bytes = Some(number(v, "limitBytes")?).filter(|n| *n > 0),
            _ => {}
        }
    }
    let pod = store
        .read()
        .get(&t.rt.gr(), t.ns(), name)
        .map(|p| p.value.clone())
        .ok_or_else(|| not_found(&t.rt, name))?;
    let own = crate::pods::container(&pod)
        .and_then(|c| c.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let container = container.unwrap_or_else(|| own.clone());
    if container != own {
        return Err(ApiError::BadRequest(format!(
            "container {container} is not valid for pod {name}"
        )));
    }
    let key = logs::key(t.ns(), name, meta::uid(&pod), &container, previous);
    if previous {
        let stored = store.get_log(&key)?.ok_or_else(|| {
            ApiError::BadRequest(format!(
                "previous terminated container {container:?} in pod {name:?} not found"
            ))
        })?;
        return Ok(text(Body::from(logs::render(&stored, &options))));
    }
    if let Some(live) = hub.get(&key) {
        if follow {
            return Ok(text(Body::from_stream(logs::follow(live, options))));
        }
        return Ok(text(Body::from(logs::render(&live.snapshot(), &options))));
    }
    match store.get_log(&key)? {
        Some(stored) => Ok(text(Body::from(logs::render(&stored, &options)))),
        None => {
            let reason = pod
                .pointer("/status/containerStatuses/0/state/waiting/reason")
                .and_then(Value::as_str)
                .unwrap_or("ContainerCreating");
            Err(ApiError::BadRequest(format!(
                "container {container:?} in pod {name:?} is waiting to start: {reason}"
            )))
        }
    }
}
