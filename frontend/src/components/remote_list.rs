//! A list the page asked the server for, shown alike on every page: the
//! loading line, the error with Try again, the empty state, or the list.

use leptos::prelude::*;

use super::{ErrorPanel, Loading, Remote};

/// What a list page says while it loads and when it cannot.
#[derive(Clone, Copy)]
pub struct ListWords {
    /// "Loading the images…"
    pub loading: &'static str,
    /// "The images could not be loaded."
    pub failed: &'static str,
}

/// `state` as the page shows it: `empty` for an empty list, `loaded` for
/// the items; `retry` asks again after a failure.
pub fn remote_list<T>(
    state: Remote<Vec<T>>,
    words: ListWords,
    retry: Callback<()>,
    empty: impl FnOnce() -> AnyView,
    loaded: impl FnOnce(Vec<T>) -> AnyView,
) -> AnyView {
    match state {
        Remote::Loading => view! { <Loading message=words.loading/> }.into_any(),
        Remote::Failed(error) => {
            view! { <ErrorPanel heading=words.failed error=error on_retry=retry/> }.into_any()
        }
        Remote::Loaded(items) if items.is_empty() => empty(),
        Remote::Loaded(items) => loaded(items),
    }
}
