//! Dates, numbers and plural forms the reader's way, by the browser's
//! `Intl` (its ICU data, so none ships in the wasm). Natively (unit tests)
//! there is no browser: plain English forms stand in.

#[cfg(target_arch = "wasm32")]
use super::locale::current;

/// `n` with the reader's digit grouping (`1,000`, `1.000`, `١٬٠٠٠`).
pub fn number(n: usize) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Number::from(n as f64)
            .to_locale_string(current().tag())
            .into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        n.to_string()
    }
}

/// The plural category (`zero`, `one`, `two`, `few`, `many`, `other`) the
/// reader's language uses for `n`.
pub fn plural_category(n: usize) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let locales = js_sys::Array::of1(&current().tag().into());
        js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new())
            .select(n as f64)
            .into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        if n == 1 { "one" } else { "other" }.to_owned()
    }
}

/// How much of an instant to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// `5 Jan 2026`
    Date,
    /// `5 Jan 2026, 11:30`
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
        let styles: &[(&str, &str)] = match detail {
            Detail::Date => &[("dateStyle", "medium")],
            Detail::DateTime => &[("dateStyle", "medium"), ("timeStyle", "short")],
            Detail::Full => &[("dateStyle", "full"), ("timeStyle", "long")],
        };
        let options = js_sys::Object::new();
        for (key, value) in styles {
            // Setting a property of a plain new object cannot fail.
            let _ = js_sys::Reflect::set(&options, &(*key).into(), &(*value).into());
        }
        date.to_locale_string(current().tag(), &options).into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = detail;
        rfc3339.to_owned()
    }
}
