//! The three things a page shows while it waits for, or fails to get, data.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::t;

/// A polite, announced "loading" message. The caller marks the region it
/// fills with `aria-busy` so assistive technology waits for the content.
#[component]
pub fn Loading(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <p class="loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            {message}
        </p>
    }
}

/// A failed load: what went wrong, in words, and a way to try again.
/// `role="alert"` makes screen readers announce it as soon as it appears.
#[component]
pub fn ErrorPanel(
    /// What the page was trying to do, e.g. "Your projects could not be loaded."
    #[prop(into)]
    heading: String,
    error: ApiError,
    /// Runs the failed request again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let reference = error.request_id().map(
        |id| view! { <p class="error-panel__ref">{t!("Reference:")} " " <code>{id.to_owned()}</code></p> },
    );
    view! {
        <div class="error-panel" role="alert">
            <h2 class="error-panel__title">{heading}</h2>
            <p>{error.message()}</p>
            {reference}
            <button type="button" class="button button--secondary" on:click=move |_| on_retry.run(())>
                {t!("Try again")}
            </button>
        </div>
    }
}

/// An empty list: what that means, and (as children) what to do next.
#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state">
            <p class="empty-state__title">{title}</p>
            {children.map(|children| children())}
        </div>
    }
}
