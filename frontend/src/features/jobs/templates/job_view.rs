//! A template's technical details: the job the server would hand to
//! Kubernetes for it, as the server writes it, read only, with a button
//! that copies it for an administrator.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::t;

/// Which template's details are open, and the text or why there is none.
#[derive(Clone, PartialEq)]
pub struct Shown {
    pub name: String,
    pub text: Result<String, String>,
}

pub const HEADING_ID: &str = "job-view-heading";

/// Puts `text` on the clipboard. `navigator.clipboard` exists only on
/// secure pages (https or localhost); elsewhere this says it failed.
async fn copy(text: &str) -> bool {
    let navigator = window().navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !has_clipboard {
        return false;
    }
    JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .is_ok()
}

#[component]
pub fn JobView(shown: RwSignal<Option<Shown>>) -> impl IntoView {
    // Said once per press, then cleared, so pressing again says it again.
    let copied = RwSignal::new(String::new());
    Effect::new(move |_| {
        shown.track();
        copied.set(String::new());
    });
    let on_copy = move |_| {
        let Some(text) = shown.with_untracked(|s| s.as_ref().and_then(|s| s.text.clone().ok()))
        else {
            return;
        };
        copied.set(String::new());
        spawn_local(async move {
            let said = if copy(&text).await {
                t!("Copied.")
            } else {
                t!("Copying did not work here. Select the text and copy it yourself.")
            };
            copied.set(said.to_owned());
        });
    };
    move || {
        shown.get().map(|Shown { name, text }| {
            let body = match text {
                Ok(text) => view! {
                    <pre class="code-block" tabindex="0" aria-label=t!("Job of {name}", name = name)>
                        <code>{text}</code>
                    </pre>
                    <div class="actions">
                        <button type="button" class="button button--secondary" on:click=on_copy>
                            {t!("Copy")}
                        </button>
                        <button type="button" class="button button--secondary"
                            on:click=move |_| shown.set(None)>{t!("Close")}</button>
                    </div>
                    <p class="muted" role="status" aria-live="polite">{move || copied.get()}</p>
                }
                .into_any(),
                Err(message) => view! {
                    <p class="banner banner--error" role="alert">{message}</p>
                    <div class="actions">
                        <button type="button" class="button button--secondary"
                            on:click=move |_| shown.set(None)>{t!("Close")}</button>
                    </div>
                }
                .into_any(),
            };
            view! {
                <section class="panel" aria-labelledby=HEADING_ID>
                    <h2 id=HEADING_ID tabindex="-1">{t!("Technical details of {name}", name = name)}</h2>
                    <p>
                        {t!("This is the job Berth hands to Kubernetes each time the template runs, for administrators who want to check it. It cannot be changed here. Sensitive values appear only as references, never as text.")}
                    </p>
                    {body}
                </section>
            }
        })
    }
}
