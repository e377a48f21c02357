//! Running inside a portal's iframe: a small, versioned `postMessage`
//! protocol with the portal (documented in the README).
//!
//! Portal → console: `auth` (a bearer token: cross-site iframes cannot rely
//! on cookies), `theme` (light/dark and design tokens), `navigate` (a path),
//! `locale` (the portal's language).
//! Console → portal: `ready`, `resize` (content height), `navigated` (path),
//! `session-expired`. Only messages from the allowed portal origins count,
//! and the console only ever posts to those origins.

use std::cell::RefCell;

use js_sys::{Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The protocol's version; messages of another version are ignored.
pub const VERSION: u32 = 1;

/// A message from the portal. Read field by field from the JS object with
/// `Reflect` rather than through serde: the derive for a tagged enum (and
/// the envelope around it) cost the first load some 10 KB of wasm.
enum FromPortal {
    Auth {
        token: String,
    },
    Theme {
        mode: Option<String>,
        tokens: Vec<(String, String)>,
    },
    Navigate {
        path: String,
    },
    /// The portal's language, as a BCP 47 tag (`de-DE`).
    Locale {
        locale: String,
    },
}

fn field(object: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(object, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn text(object: &JsValue, name: &str) -> Option<String> {
    field(object, name)?.as_string()
}

impl FromPortal {
    /// The message in `data`, if it is one of this protocol's version.
    fn read(data: &JsValue) -> Option<Self> {
        if field(data, "berth")?.as_f64()? != f64::from(VERSION) {
            return None;
        }
        Some(match text(data, "type")?.as_str() {
            "auth" => FromPortal::Auth {
                token: text(data, "token")?,
            },
            "theme" => FromPortal::Theme {
                mode: text(data, "mode"),
                tokens: field(data, "tokens")
                    .and_then(|t| t.dyn_into::<Object>().ok())
                    .map(|t| {
                        Object::entries(&t)
                            .iter()
                            .filter_map(|pair| {
                                let pair: js_sys::Array = pair.dyn_into().ok()?;
                                Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            "navigate" => FromPortal::Navigate {
                path: text(data, "path")?,
            },
            "locale" => FromPortal::Locale {
                locale: text(data, "locale")?,
            },
            _ => return None,
        })
    }
}

/// A message to the portal.
pub enum ToPortal {
    Ready,
    Resize { height: i32 },
    Navigated { path: String },
    SessionExpired,
}

impl ToPortal {
    /// `{ berth: 1, type, …fields }` as a JS object.
    fn to_js(&self) -> JsValue {
        let object = Object::new();
        let set = |name: &str, value: JsValue| {
            // Setting a property of a plain new object cannot fail.
            let _ = Reflect::set(&object, &JsValue::from_str(name), &value);
        };
        set("berth", VERSION.into());
        let kind = match self {
            ToPortal::Ready => "ready",
            ToPortal::Resize { height } => {
                set("height", (*height).into());
                "resize"
            }
            ToPortal::Navigated { path } => {
                set("path", path.as_str().into());
                "navigated"
            }
            ToPortal::SessionExpired => "session-expired",
        };
        set("type", kind.into());
        object.into()
    }
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
    let data = message.to_js();
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
            let Some(message) = FromPortal::read(&event.data()) else {
                return;
            };
            PORTAL.set(Some(origin));
            match message {
                FromPortal::Auth { token } => on_token(token),
                FromPortal::Theme { mode, tokens } => apply_theme(mode.as_deref(), &tokens),
                FromPortal::Locale { locale } => crate::i18n::from_portal(&locale),
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
fn apply_theme(mode: Option<&str>, tokens: &[(String, String)]) {
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
