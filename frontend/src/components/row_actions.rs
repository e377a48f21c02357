//! The buttons of one row of a data view. Wide screens show them side by
//! side, wrapping inside their cell; under about 640 px, where rows become
//! cards, they fold into one "Actions" button that opens them (a disclosure,
//! so keyboard and screen reader users get the same controls).

use leptos::prelude::*;

use crate::i18n::t;

use crate::components::aria_bool;

#[component]
pub fn RowActions(
    /// What the row shows, e.g. the image's name: "Actions for web".
    #[prop(into)]
    label: String,
    children: Children,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let toggle = NodeRef::<leptos::html::Button>::new();
    let close_on_escape = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
            if let Some(button) = toggle.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    view! {
        <div class="row-actions" class:row-actions--open=move || open.get() on:keydown=close_on_escape>
            <button type="button" node_ref=toggle class="button button--secondary button--small row-actions__toggle"
                aria-expanded=move || aria_bool(open.get())
                aria-label=t!("Actions for {what}", what = label)
                on:click=move |_| open.update(|o| *o = !*o)>
                {t!("Actions")}<span aria-hidden="true">" ▾"</span>
            </button>
            <div class="row-actions__list">{children()}</div>
        </div>
    }
}
