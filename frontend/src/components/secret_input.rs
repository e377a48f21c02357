//! A masked input for passwords, tokens and API keys.
//!
//! `type=password` and, for registry secrets, `autocomplete="new-password"`,
//! so the browser neither shows the value nor offers to save it. Beside it,
//! a button that shows or hides the value and says which it will do
//! ("Show password", then "Hide password"). Its name changes, so it carries
//! no `aria-pressed` (a pressed "Hide password" would say the state twice);
//! the change is also announced through a polite live region, since not
//! every screen reader reads a focused button's new name.

use leptos::prelude::*;

use super::aria_bool;
use crate::i18n::t;

#[component]
pub fn SecretInput(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] on_edit: Option<Callback<()>>,
    /// `current-password` on the sign-in form. By default `new-password`
    /// with password managers told to stay away: registry secrets are not
    /// the person's own passwords.
    #[prop(optional)]
    own_password: Option<&'static str>,
    /// The button while the value is hidden, a whole sentence naming the
    /// field in the reader's language ("Show password", through `t!`).
    /// Whole, not "Show" + label: word order and grammar differ between
    /// languages.
    #[prop(optional)]
    show: Option<&'static str>,
    /// The button while the value is visible ("Hide password").
    #[prop(optional)]
    hide: Option<&'static str>,
    /// Announced when the value becomes visible ("The password is visible.").
    #[prop(optional)]
    visible_note: Option<&'static str>,
    /// Announced when it is hidden again ("The password is hidden.").
    #[prop(optional)]
    hidden_note: Option<&'static str>,
) -> impl IntoView {
    let autocomplete = own_password.unwrap_or("new-password");
    let ignore = own_password.is_none().then_some("true");
    // A field that does not name itself gets words that fit any field.
    let show = show.unwrap_or_else(|| t!("Show"));
    let hide = hide.unwrap_or_else(|| t!("Hide"));
    let visible_note = visible_note.unwrap_or_else(|| t!("The text in the field is visible."));
    let hidden_note = hidden_note.unwrap_or_else(|| t!("The text in the field is hidden."));
    let revealed = RwSignal::new(false);
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
    // Empty until the first toggle, so nothing is announced on page load.
    let announcement = RwSignal::new("");
    // A value cleared by its form (after a save) hides the field again, so
    // the next secret typed is not shown in clear.
    Effect::new(move |_| {
        if value.with(String::is_empty) && revealed.get_untracked() {
            revealed.set(false);
            announcement.set("");
        }
    });
    let toggle = move |_| {
        let now = !revealed.get_untracked();
        revealed.set(now);
        announcement.set(if now { visible_note } else { hidden_note });
    };
    view! {
        <div class="field" class:field--invalid=move || error.with(Option::is_some)>
            <label for=id.clone() class="field__label">{label}</label>
            {hint.map(|h| view! { <p id=hint_id.clone() class="field__hint">{h}</p> })}
            <p id=error_id.clone() class="field__error" hidden=move || error.with(Option::is_none)>
                <span class="visually-hidden">{t!("Error: ")}</span>
                {move || error.get()}
            </p>
            <div class="secret-input">
                <input
                    id=id.clone()
                    name=id.clone()
                    type=move || if revealed.get() { "text" } else { "password" }
                    autocomplete=autocomplete
                    autocapitalize="none"
                    spellcheck="false"
                    data-lpignore=ignore
                    data-1p-ignore=ignore
                    required=true
                    aria-invalid=move || aria_bool(error.with(Option::is_some))
                    aria-describedby=described_by
                    prop:value=move || value.get()
                    on:input=move |ev| {
                        value.set(event_target_value(&ev));
                        if let Some(cb) = on_edit {
                            cb.run(());
                        }
                    }
                />
                <button
                    type="button"
                    class="button button--secondary secret-input__toggle"
                    aria-controls=id.clone()
                    on:click=toggle
                >
                    {move || if revealed.get() { hide } else { show }}
                </button>
            </div>
            <p class="visually-hidden" role="status" aria-live="polite">
                {move || announcement.get()}
            </p>
        </div>
    }
}
