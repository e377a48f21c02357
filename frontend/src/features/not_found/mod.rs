//! What an unknown address shows: a plain sentence and a way back.

use leptos::prelude::*;

use crate::components::set_page_title;
use crate::i18n::t;

/// The page for any route the console does not know.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_page_title(t!("Page not found"));
    view! {
        <h1>{t!("Page not found")}</h1>
        <p>{t!("There is no page at this address. It may have moved, or the link may be mistyped.")}</p>
        <p>
            <a href="/projects">{t!("Go to your projects")}</a>
        </p>
    }
}
