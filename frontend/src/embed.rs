//! Running inside a portal's iframe: a small, versioned `postMessage`
//! protocol with the portal (documented in the README).
//!
//! Portal → console: `auth` (a bearer token: cross-site iframes cannot rely
//! on cookies), `theme` (light/dark and design tokens), `navigate` (a path).
//! Console → portal: `ready`, `resize` (content height), `navigated` (path),
//! `session-expired`. Only messages from the allowed portal origins count,
//! and the console only ever posts to those origins.

use std::cell::RefCell;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The protocol's version; messages of another version are ignored.
pub const VERSION: u32 = 1;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum FromPortal {
    Auth {
        token: String,
    },
    Theme {
        mode: Option<String>,
        #[serde(default)]
        tokens: std::collections::BTreeMap<String, String>,
    },
    Navigate {
        path: String,
    },
}

#[derive(Deserialize)]
struct Envelope {
    berth: u32,
    #[serde(flatten)]
    message: serde_json::Value,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ToPortal {
    Ready,
    Resize { height: i32 },
    Navigated { path: String },
    SessionExpired,
}

thread_local! {
    /// The portal's origin, once it has spoken (replies go only there).
    static PORTAL: RefCell<Option<String>> = const { RefCell::new(None) };
    static ALLOWED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Whether the console runs in a frame.
pub fn framed() -> bool {
    let window = window();
    window
        .parent()
        .ok()
        .flatten()
        .is_some_and(|parent| parent != window)
}

/// Posts `message` to the portal: to the origin that has spoken, or before
/// that to each allowed origin (the browser delivers it only to the one
/// that really is the parent).
pub fn post(message: &ToPortal) {
    let Ok(Some(parent)) = window().parent() else {
        return;
    };
    let mut value = serde_json::to_value(message).unwrap_or_default();
    value["berth"] = VERSION.into();
    let Ok(data) = js_sys::JSON::parse(&value.to_string()) else {
        return;
    };
    let targets = match PORTAL.with_borrow(Clone::clone) {
        Some(origin) => vec![origin],
        None => ALLOWED.with_borrow(Clone::clone),
    };
    for origin in targets {
        let _ = parent.post_message(&data, &origin);
    }
}

/// Starts listening to the portal. `on_token` gets each bearer token;
/// `navigate` goes to a path inside the console.
pub fn start(
    allowed: Vec<String>,
    on_token: impl Fn(String) + 'static,
    navigate: impl Fn(&str) + 'static,
) {
    if allowed.is_empty() || !framed() {
        return;
    }
    ALLOWED.set(allowed.clone());
    let listener =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let origin = event.origin();
            if !allowed.contains(&origin) {
                return;
            }
            let Some(text) = js_sys::JSON::stringify(&event.data())
                .ok()
                .and_then(|s| s.as_string())
            else {
                return;
            };
            let Ok(envelope) = serde_json::from_str::<Envelope>(&text) else {
                return;
            };
            if envelope.berth != VERSION {
                return;
            }
            let Ok(message) = serde_json::from_value::<FromPortal>(envelope.message) else {
                return;
            };
            PORTAL.set(Some(origin));
            match message {
                FromPortal::Auth { token } => on_token(token),
                FromPortal::Theme { mode, tokens } => apply_theme(mode.as_deref(), &tokens),
                FromPortal::Navigate { path } => {
                    // Only paths of this console, never another site.
                    if path.starts_with('/') && !path.starts_with("//") {
                        navigate(&path);
                    }
                }
            }
        });
    let _ = window().add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    listener.forget();
    watch_height();
    post(&ToPortal::Ready);
}

/// Design tokens are CSS custom properties, set through the CSSOM (allowed
/// under the strict CSP, unlike inline styles); only `--` names are taken.
fn apply_theme(mode: Option<&str>, tokens: &std::collections::BTreeMap<String, String>) {
    let Some(root) = document().document_element() else {
        return;
    };
    // The person's own choice (user menu) wins over the portal's.
    if let Some(mode @ ("light" | "dark")) = mode
        && crate::theme::chosen().is_none()
    {
        let _ = root.set_attribute("data-theme", mode);
    }
    let Ok(root) = root.dyn_into::<web_sys::HtmlElement>() else {
        return;
    };
    for (name, value) in tokens {
        let safe = name.starts_with("--") && !value.contains([';', '{', '}']) && value.len() < 200;
        if safe {
            let _ = root.style().set_property(name, value);
        }
    }
}

/// Tells the portal the content's height whenever it changes, so the
/// iframe can fit it without a scroll bar of its own.
fn watch_height() {
    let last = std::rc::Rc::new(std::cell::Cell::new(-1));
    let callback = Closure::<dyn Fn()>::new(move || {
        let height = document()
            .body()
            .map(|b| b.scroll_height())
            .unwrap_or_default();
        if height != last.get() {
            last.set(height);
            post(&ToPortal::Resize { height });
        }
    });
    if let (Ok(observer), Some(body)) = (
        web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()),
        document().body(),
    ) {
        observer.observe(&body);
    }
    callback.forget();
}
