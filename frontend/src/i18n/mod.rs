//! The person's language: every sentence the console shows goes through
//! `t!` (or `tn!` for one that counts), written in English, which is also
//! its key in the other languages' catalogs (gettext's way: English costs
//! no catalog and no lookup table in the first load).
//!
//! A catalog is one JSON file per language, built from `frontend/locales/`
//! by `scripts/build-frontend` and fetched only when that language is used
//! (`boot.js` starts the fetch alongside the wasm). Dates, numbers and plural
//! rules come from the browser's own `Intl` (`intl.rs`), so no locale data
//! ships in the wasm. Which language: the person's choice in the user menu,
//! else the portal's `locale` message, else `navigator.languages`, else
//! English (`locale.rs`).
//!
//! Switching language redraws the pages (`LANGUAGE` is tracked above them),
//! so the strings themselves need not be reactive.

mod catalog;
#[cfg(test)]
mod coverage;
mod english;
pub mod intl;
mod locale;

use std::fmt::Display;

pub use catalog::{choose, chosen, from_portal, start};
pub use locale::Locale;

/// A signal of the current language, for the part of the console that
/// redraws when it changes.
pub fn language() -> leptos::prelude::ReadSignal<Locale> {
    catalog::language()
}

/// `english` in the current language (itself when untranslated).
pub fn tr(english: &'static str) -> &'static str {
    catalog::lookup(english).unwrap_or(english)
}

/// Puts each `{name}` of `template` in place.
pub fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(&value.to_string()),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The sentence for `n` things: `{n}` is the number written the reader's
/// way, and the form is the one the language's plural rules pick.
pub fn plural(
    n: usize,
    one: &'static str,
    other: &'static str,
    args: &[(&str, &dyn Display)],
) -> String {
    let template = catalog::plural(other, n).unwrap_or(if n == 1 { one } else { other });
    let number = intl::number(n);
    let mut all: Vec<(&str, &dyn Display)> = Vec::with_capacity(args.len() + 1);
    all.push(("n", &number));
    all.extend_from_slice(args);
    fill(template, &all)
}

/// A message from the server or the shared rules in the reader's
/// language: its code's sentence in the catalog (keyed by code, so the
/// console carries no English of its own for the server's sentences),
/// else the English it came with (English, or a code newer than the
/// catalog).
pub fn message(
    code: &str,
    params: &std::collections::BTreeMap<String, String>,
    english: &str,
) -> String {
    match catalog::lookup(code) {
        Some(text) => berth_shared::message::fill(text, params),
        None => english.to_owned(),
    }
}

/// A sentence of the shared rules without parameters (a hint), by its
/// code, in the reader's language.
pub fn coded(code: &str, english: &'static str) -> &'static str {
    catalog::lookup(code).unwrap_or(english)
}

/// A field error in the reader's language.
pub fn field_error(error: &berth_shared::FieldError) -> String {
    message(&error.code, &error.params, &error.message)
}

/// `t!("Saved {name}.", name = x)`: the sentence in the reader's language.
/// The English text must be a literal: `coverage.rs` finds every one in
/// the source and checks each language has it.
macro_rules! t {
    ($english:literal) => {
        $crate::i18n::tr($english)
    };
    ($english:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::fill(
            $crate::i18n::tr($english),
            &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),+],
        )
    };
}

/// `tn!("{n} image", "{n} images", count)`: a sentence that counts.
macro_rules! tn {
    ($one:literal, $other:literal, $n:expr $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::plural(
            $n,
            $one,
            $other,
            &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),*],
        )
    };
}

pub(crate) use {t, tn};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_named_places_and_leaves_unknown_ones() {
        assert_eq!(
            fill("Deleted {name}. {x}", &[("name", &"shop")]),
            "Deleted shop. {x}"
        );
        assert_eq!(fill("no places", &[]), "no places");
        assert_eq!(fill("open { brace", &[]), "open { brace");
    }

    #[test]
    fn english_is_its_own_translation() {
        assert_eq!(t!("Save"), "Save");
        assert_eq!(t!("Saved {name}.", name = "web"), "Saved web.");
    }
}
