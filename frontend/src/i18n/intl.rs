//! Dates, numbers and plural forms the reader's way, by the browser's
//! `Intl` (its ICU data, so none ships in the wasm). Natively (unit tests)
//! there is no browser: plain English forms stand in.
//!
//! Each formatter is made once per language and kept (`formatters`):
//! making one loads and resolves the locale's data, which costs far more
//! than formatting, and a list page formats two dates per row. English,
//! the language with no catalog, needs none of it (`english.rs`).

#[cfg(target_arch = "wasm32")]
use formatters::{date_format, number_format, plural_rules};

use super::english;
#[cfg(target_arch = "wasm32")]
use super::locale::{Locale, current};

/// `n` with the reader's digit grouping (`1,000`, `1.000`, `١٬٠٠٠`).
pub fn number(n: usize) -> String {
    #[cfg(target_arch = "wasm32")]
    if current() != Locale::En {
        return number_format()
            .call1(&wasm_bindgen::JsValue::UNDEFINED, &(n as f64).into())
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_else(|| n.to_string());
    }
    english::number(n)
}

/// The plural category (`zero`, `one`, `two`, `few`, `many`, `other`) the
/// reader's language uses for `n`.
pub fn plural_category(n: usize) -> String {
    #[cfg(target_arch = "wasm32")]
    if current() != Locale::En {
        return plural_rules().select(n as f64).into();
    }
    english::plural_category(n).to_owned()
}

/// How much of an instant to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// `Dec 3, 2026`
    Date,
    /// `Dec 3, 2026, 10:04 PM`
    DateTime,
    /// Everything, with the time zone: the tooltip.
    Full,
}

/// An RFC 3339 instant in the reader's language and time zone; the text
/// as it came when it is no date.
pub fn date(rfc3339: &str, detail: Detail) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&rfc3339.into());
        if date.get_time().is_nan() {
            return rfc3339.to_owned();
        }
        if current() == Locale::En {
            let parts = parts(&date);
            return match detail {
                Detail::Date => english::date(parts),
                Detail::DateTime => english::date_time(parts),
                Detail::Full => english::full(parts),
            };
        }
        date_format(detail)
            .call1(&wasm_bindgen::JsValue::UNDEFINED, &date)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_else(|| rfc3339.to_owned())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = detail;
        rfc3339.to_owned()
    }
}

/// `date` in the reader's time zone, by the browser's local getters.
#[cfg(target_arch = "wasm32")]
fn parts(date: &js_sys::Date) -> english::Parts {
    english::Parts {
        year: date.get_full_year() as i32,
        month: date.get_month() + 1,
        day: date.get_date(),
        weekday: date.get_day(),
        hour: date.get_hours(),
        minute: date.get_minutes(),
        second: date.get_seconds(),
        // `getTimezoneOffset` counts minutes west of UTC.
        offset: -(date.get_timezone_offset() as i32),
    }
}

/// The browser's formatters for the language in use, made on first use.
#[cfg(target_arch = "wasm32")]
mod formatters {
    use std::cell::RefCell;

    use js_sys::{Array, Function, Intl, Object, Reflect};

    use super::Detail;
    use super::{Locale, current};

    #[derive(Default)]
    struct Kept {
        locale: Option<Locale>,
        dates: Vec<(Detail, Function)>,
        number: Option<Function>,
        plural: Option<Intl::PluralRules>,
    }

    thread_local! {
        static KEPT: RefCell<Kept> = RefCell::new(Kept::default());
    }

    /// `make`'s answer for the language in use, kept until it changes.
    fn kept<T: Clone>(
        find: impl Fn(&Kept) -> Option<T>,
        make: impl FnOnce(&Array) -> T,
        keep: impl FnOnce(&mut Kept, T),
    ) -> T {
        KEPT.with_borrow_mut(|kept| {
            let locale = current();
            if kept.locale != Some(locale) {
                *kept = Kept {
                    locale: Some(locale),
                    ..Kept::default()
                };
            }
            if let Some(found) = find(kept) {
                return found;
            }
            let made = make(&Array::of1(&locale.tag().into()));
            keep(kept, made.clone());
            made
        })
    }

    fn options(pairs: &[(&str, &str)]) -> Object {
        let options = Object::new();
        for (key, value) in pairs {
            // Setting a property of a plain new object cannot fail.
            let _ = Reflect::set(&options, &(*key).into(), &(*value).into());
        }
        options
    }

    pub fn date_format(detail: Detail) -> Function {
        kept(
            |k| {
                k.dates
                    .iter()
                    .find(|(d, _)| *d == detail)
                    .map(|(_, f)| f.clone())
            },
            |locales| {
                let styles: &[(&str, &str)] = match detail {
                    Detail::Date => &[("dateStyle", "medium")],
                    Detail::DateTime => &[("dateStyle", "medium"), ("timeStyle", "short")],
                    Detail::Full => &[("dateStyle", "full"), ("timeStyle", "long")],
                };
                Intl::DateTimeFormat::new(locales, &options(styles)).format()
            },
            |k, f| k.dates.push((detail, f)),
        )
    }

    pub fn number_format() -> Function {
        kept(
            |k| k.number.clone(),
            |locales| Intl::NumberFormat::new(locales, &Object::new()).format(),
            |k, f| k.number = Some(f),
        )
    }

    pub fn plural_rules() -> Intl::PluralRules {
        kept(
            |k| k.plural.clone(),
            |locales| Intl::PluralRules::new(locales, &Object::new()),
            |k, r| k.plural = Some(r),
        )
    }
}
