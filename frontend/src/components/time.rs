//! An instant as people read it: in their language and time zone, the
//! whole of it (weekday, seconds, zone) in a tooltip, and the exact value
//! for machines in `<time datetime>`.

use leptos::prelude::*;

use crate::i18n::intl::{Detail, date};

/// `<time>` for an RFC 3339 instant.
#[component]
pub fn Time(
    #[prop(into)] at: String,
    /// Only the day (lists), not the time of day.
    #[prop(optional)]
    date_only: bool,
) -> impl IntoView {
    let shown = date(
        &at,
        if date_only {
            Detail::Date
        } else {
            Detail::DateTime
        },
    );
    let full = date(&at, Detail::Full);
    view! { <time datetime=at title=full>{shown}</time> }
}
