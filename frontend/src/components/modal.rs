//! An accessible modal dialog on the native `<dialog>` element.
//!
//! `showModal()` makes the rest of the page inert, so keyboard focus stays
//! inside the dialog and screen readers read only it; Escape closes it (the
//! native `cancel` event); closing puts focus back on the control that
//! opened it.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A modal dialog, shown while `open` is true.
#[component]
pub fn Modal(
    open: RwSignal<bool>,
    /// Id of the dialog's heading (inside `children`), its accessible name.
    #[prop(into)]
    labelled_by: String,
    /// Id of the element that gets focus back when the dialog closes.
    #[prop(into)]
    return_focus: Signal<String>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let Some(element) = dialog.get() else { return };
        if open.get() {
            if !element.open() {
                // Fails only if the dialog is not connected; then nothing opens.
                let _ = element.show_modal();
            }
        } else if element.open() {
            element.close();
        }
    });
    let on_close = move |_| {
        open.set(false);
        let target = document()
            .get_element_by_id(&return_focus.get_untracked())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(target) = target {
            let _ = target.focus();
        }
    };
    view! {
        <dialog node_ref=dialog class="dialog" aria-labelledby=labelled_by on:close=on_close>
            {children()}
        </dialog>
    }
}
