//! Long technical text (image addresses, registry servers, digests) that may
//! wrap only where a person reading it would expect: after `/`, `:`, `.` and
//! `@`, or between groups of a long hash. Words are never split anywhere else.

use leptos::prelude::*;

/// Characters after which a reference may wrap.
const BREAK_AFTER: [char; 4] = ['/', ':', '.', '@'];
/// A run of hex digits (a digest) gets a break point every `HASH_GROUP`
/// of them, so it fits a phone's width; words are never cut this way.
const HASH_GROUP: usize = 16;

/// Splits `text` into the pieces between which a line may break.
pub fn break_points(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut run = 0;
    for c in text.chars() {
        current.push(c);
        run = if c.is_ascii_hexdigit() { run + 1 } else { 0 };
        if BREAK_AFTER.contains(&c) || c.is_whitespace() || run == HASH_GROUP {
            pieces.push(std::mem::take(&mut current));
            run = 0;
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// `text`, with a `<wbr>` at each of its break points.
#[component]
pub fn Breakable(#[prop(into)] text: String) -> impl IntoView {
    break_points(&text)
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            view! { {(i > 0).then(|| view! { <wbr/> })}{piece} }
        })
        .collect_view()
}
