//! Moving keyboard focus on purpose: to the field that needs fixing, or back
//! to where the person was after a button was disabled under them.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Focuses the element with `id` on the next frame, once pending DOM
/// updates (error text, `aria-describedby`) are in place, so a screen reader
/// reads the field together with its new error.
pub fn focus_by_id(id: impl Into<String>) {
    let id: String = id.into();
    request_animation_frame(move || {
        let element = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = element {
            // Focus can fail only for elements that are not focusable;
            // then the person's focus simply stays where it was.
            let _ = element.focus();
        }
    });
}
