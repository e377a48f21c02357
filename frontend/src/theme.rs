//! Light or dark: the device's setting by default (CSS), the portal's
//! `theme` message when embedded (embed.rs), and above both the person's own
//! choice from the user menu, kept in `localStorage` as one word ("light" or
//! "dark") and applied by boot.js before the first paint.

use leptos::prelude::*;

use crate::i18n::t;

const KEY: &str = "berth-theme";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The person's choice, if they made one.
pub fn chosen() -> Option<&'static str> {
    match storage()?.get_item(KEY).ok().flatten()?.as_str() {
        "light" => Some("light"),
        "dark" => Some("dark"),
        _ => None,
    }
}

/// Applies and remembers `choice` ("light", "dark"; anything else follows
/// the device again).
pub fn choose(choice: &str) {
    let root = document().document_element();
    let store = storage();
    match choice {
        "light" | "dark" => {
            if let Some(root) = root {
                let _ = root.set_attribute("data-theme", choice);
            }
            if let Some(store) = store {
                let _ = store.set_item(KEY, choice);
            }
        }
        _ => {
            if let Some(root) = root {
                let _ = root.remove_attribute("data-theme");
            }
            if let Some(store) = store {
                let _ = store.remove_item(KEY);
            }
        }
    }
}

/// The user menu's "Appearance" choice.
#[component]
pub fn ThemeChoice() -> impl IntoView {
    let current = chosen().unwrap_or("device");
    view! {
        <label class="theme-choice">
            <span>{t!("Appearance")}</span>
            <select on:change=move |ev| choose(&event_target_value(&ev))>
                <option value="device" selected=current == "device">{t!("Same as this device")}</option>
                <option value="light" selected=current == "light">{t!("Light")}</option>
                <option value="dark" selected=current == "dark">{t!("Dark")}</option>
            </select>
        </label>
    }
}
