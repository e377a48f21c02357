//! A labelled text input that carries its own hint and error message.
//!
//! Screen readers only read an error if the input points at it, so the
//! wiring (`aria-invalid`, `aria-describedby` listing the hint and the error)
//! lives here once instead of in every form.

use leptos::prelude::*;

use super::aria_bool;
use crate::i18n::t;

/// A text input or text area with label, hint and error.
///
/// `error` is whatever the form decides to show now (its own validation or
/// the server's answer); `None` hides the message and clears `aria-invalid`.
#[component]
pub fn TextField(
    /// The input's id; the hint and error ids are derived from it.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    /// Explains the rules before anyone gets them wrong.
    #[prop(optional, into)]
    hint: Option<String>,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
    /// A multi-line text area instead of a one-line input.
    #[prop(optional)]
    multiline: bool,
    /// Marks the field as having been typed into, so the form can start
    /// validating as the person types rather than before they begin.
    #[prop(optional)]
    on_edit: Option<Callback<()>>,
    /// The browser's autofill hint (`username` on the sign-in form); off
    /// by default, since most fields here are names of new things.
    #[prop(default = "off")]
    autocomplete: &'static str,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_hint = hint.is_some();
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.as_str());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.as_str());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || aria_bool(error.with(Option::is_some));
    let edited = move || {
        if let Some(cb) = on_edit {
            cb.run(());
        }
    };

    let control = if multiline {
        view! {
            <textarea
                id=id.clone()
                name=id.clone()
                rows="3"
                aria-invalid=invalid
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    edited();
                }
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                name=id.clone()
                type="text"
                autocomplete=autocomplete
                autocapitalize="none"
                spellcheck="false"
                required=required
                aria-invalid=invalid
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    edited();
                }
            />
        }
        .into_any()
    };

    view! {
        <div class="field" class:field--invalid=move || error.with(Option::is_some)>
            <label for=id.clone() class="field__label">
                {label}
                {(!required).then(|| view! { <span class="field__optional">{t!(" (optional)")}</span> })}
            </label>
            {hint.map(|h| view! { <p id=hint_id.clone() class="field__hint">{h}</p> })}
            <p id=error_id.clone() class="field__error" hidden=move || error.with(Option::is_none)>
                <span class="visually-hidden">{t!("Error: ")}</span>
                {move || error.get()}
            </p>
            {control}
        </div>
    }
}
