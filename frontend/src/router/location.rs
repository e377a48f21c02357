//! The current address and in-app navigation: clicks on same-origin links
//! and the browser's back and forward buttons change the page without a
//! reload, through the History API.
//!
//! Why not `leptos_router`: the console has a handful of fixed routes and
//! one path parameter, and the general router's matching and nested-route
//! machinery was about a quarter of the console's WebAssembly.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, MouseEvent};

/// The path of the current address (`/projects/shop`), shared as context.
#[derive(Clone, Copy)]
struct CurrentPath(RwSignal<String>);

/// Starts tracking the address; call once, at the root, before any page.
pub fn provide_location() {
    let path = RwSignal::new(browser_path());
    provide_context(CurrentPath(path));

    // Back and forward: the browser has already changed the address.
    window_event_listener(ev::popstate, move |_| path.set(browser_path()));
    // Clicks bubble to the window, after any handler on the link itself,
    // so a link that handles its own click (the skip link) keeps it.
    window_event_listener(ev::click, move |event| {
        if let Some(target) = in_app_target(&event) {
            event.prevent_default();
            navigate_to(path, &target);
        }
    });
}

/// The current path, reactive.
pub fn use_path() -> Signal<String> {
    let CurrentPath(path) = expect_context::<CurrentPath>();
    path.into()
}

fn navigate_to(path: RwSignal<String>, target: &str) {
    let window = window();
    if let Ok(history) = window.history() {
        // Only fails for a cross-origin URL, which in-app targets never are.
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(target));
    }
    let new_path = browser_path();
    if new_path != path.get_untracked() {
        // A new page starts at the top, as after a full load.
        window.scroll_to_with_x_and_y(0.0, 0.0);
        path.set(new_path);
    }
}

fn browser_path() -> String {
    window()
        .location()
        .pathname()
        .unwrap_or_else(|_| "/".to_owned())
}

/// The path, query and fragment to go to when this click is on a link the
/// console handles itself: a plain left click on a same-origin link that
/// opens in this tab and is not a download. Everything else is left to the
/// browser (new tab, other site, download, a link to a fragment of this page).
fn in_app_target(event: &MouseEvent) -> Option<String> {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.ctrl_key()
        || event.shift_key()
        || event.alt_key()
    {
        return None;
    }
    let anchor: HtmlAnchorElement = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a[href]")
        .ok()??
        .dyn_into()
        .ok()?;
    let opens_elsewhere = !matches!(anchor.target().as_str(), "" | "_self");
    if opens_elsewhere || anchor.has_attribute("download") || anchor.rel().contains("external") {
        return None;
    }
    let here = window().location();
    if anchor.origin() != here.origin().ok()? {
        return None;
    }
    let same_page =
        anchor.pathname() == here.pathname().ok()? && anchor.search() == here.search().ok()?;
    if same_page && !anchor.hash().is_empty() {
        return None;
    }
    Some(format!(
        "{}{}{}",
        anchor.pathname(),
        anchor.search(),
        anchor.hash()
    ))
}
