//! Watches: newline-delimited JSON events streamed over a chunked response.
//!
//! A watch without `resourceVersion` (or with "0") starts with a synthetic
//! ADDED per current object; one with a `resourceVersion` replays the events
//! after it from the store's in-memory history, or answers with an ERROR event
//! carrying a 410 Expired Status when that history no longer reaches back so
//! far (the client then re-lists, as against Kubernetes). With
//! `sendInitialEvents=true` the initial ADDED events are followed by a BOOKMARK
//! annotated `k8s.io/initial-events-end` (the streaming-list protocol).
//! Label/field selectors apply to events the way Kubernetes applies them: an
//! object that stops matching is reported DELETED, one that starts matching ADDED.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::json;
use tokio::time::Instant;

use super::handlers::{Params, Target, render};
use super::meta;
use super::selector::Selectors;
use super::status::ApiError;
use super::store::{Event, EventType, Store, Stored};

/// Used when the client gives no `timeoutSeconds` (Kubernetes' minimum request timeout).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);
/// How often a watch that allows bookmarks gets one.
const BOOKMARK_EVERY: Duration = Duration::from_secs(60);

fn line(kind: &str, object: &[u8]) -> Bytes {
    let mut v = Vec::with_capacity(object.len() + 32);
    v.extend_from_slice(b"{\"type\":\"");
    v.extend_from_slice(kind.as_bytes());
    v.extend_from_slice(b"\",\"object\":");
    v.extend_from_slice(object);
    v.extend_from_slice(b"}\n");
    Bytes::from(v)
}

fn bookmark(t: &Target, kind: &str, rv: u64, initial_end: bool) -> Bytes {
    let mut md = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        md["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    let obj = json!({"kind": kind, "apiVersion": t.rt.api_version(), "metadata": md});
    line("BOOKMARK", obj.to_string().as_bytes())
}

/// How an event looks through this watch's namespace and selectors.
fn translate(e: &Event, t: &Target, selectors: &Selectors) -> Option<(EventType, Arc<Stored>)> {
    if e.gr != t.rt.gr() {
        return None;
    }
    if let Some(ns) = &t.namespace
        && meta::namespace(&e.object.value) != ns
    {
        return None;
    }
    let now = selectors.matches(&e.object.value);
    let before = e.old.as_ref().is_some_and(|o| selectors.matches(&o.value));
    let kind = match (e.kind, before, now) {
        (EventType::Added, _, true) => EventType::Added,
        (EventType::Modified, true, true) => EventType::Modified,
        (EventType::Modified, false, true) => EventType::Added,
        (EventType::Modified, true, false) => EventType::Deleted,
        (EventType::Deleted, _, true) => EventType::Deleted,
        _ => return None,
    };
    Some((kind, e.object.clone()))
}

enum Wake {
    Changed,
    Closed,
    Timeout,
    Bookmark,
}

pub fn watch(store: &Store, t: Target, params: &Params) -> Result<Response, ApiError> {
    let selectors = params.selectors(&t.rt)?;
    let from: Option<u64> = match params.resource_version.as_deref() {
        None | Some("0") => None,
        Some(rv) => Some(
            rv.parse()
                .map_err(|_| ApiError::BadRequest(format!("invalid resource version: {rv:?}")))?,
        ),
    };
    let mut rx = store.subscribe();
    rx.borrow_and_update();
    let gr = t.rt.gr();
    let (initial, mut cursor, kind) = {
        let state = store.read();
        let kind = if t.rt.kind.is_empty() {
            state.learned_kind(&gr).to_string()
        } else {
            t.rt.kind.clone()
        };
        match from {
            Some(rv) if !params.send_initial_events => (Vec::new(), rv, kind),
            _ => {
                let items: Vec<Arc<Stored>> = state
                    .range(&gr, t.namespace.as_deref(), None)
                    .filter(|(_, o)| selectors.matches(&o.value))
                    .map(|(_, o)| o.clone())
                    .collect();
                (items, state.revision(), kind)
            }
        }
    };
    let timeout = params
        .timeout_seconds
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let deadline = Instant::now() + timeout;
    let bookmarks = params.allow_watch_bookmarks;
    let initial_end = params.send_initial_events && bookmarks;
    let store = store.clone();
    let stream = async_stream::stream! {
        for o in &initial {
            yield Ok::<Bytes, Infallible>(line("ADDED", &render(o, &t.rt)));
        }
        drop(initial);
        if initial_end {
            yield Ok(bookmark(&t, &kind, cursor, true));
        }
        let mut ticker = tokio::time::interval_at(Instant::now() + BOOKMARK_EVERY, BOOKMARK_EVERY);
        loop {
            rx.borrow_and_update();
            let events = store.read().events_after(cursor);
            let Some(events) = events else {
                let status = ApiError::Expired(format!("too old resource version: {cursor}"))
                    .to_status();
                yield Ok(line("ERROR", status.to_string().as_bytes()));
                break;
            };
            for e in &events {
                cursor = e.rv;
                if let Some((k, o)) = translate(e, &t, &selectors) {
                    yield Ok(line(k.as_str(), &render(&o, &t.rt)));
                }
            }
            let wake = tokio::select! {
                r = rx.changed() => if r.is_ok() { Wake::Changed } else { Wake::Closed },
                () = tokio::time::sleep_until(deadline) => Wake::Timeout,
                _ = ticker.tick(), if bookmarks => Wake::Bookmark,
            };
            match wake {
                Wake::Changed => {}
                Wake::Closed | Wake::Timeout => break,
                Wake::Bookmark => yield Ok(bookmark(&t, &kind, cursor, false)),
            }
        }
    };
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}
