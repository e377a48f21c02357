//! Turning wire values into words people read.
//!
//! Dates arrive as RFC 3339 strings. Formatting them by slicing keeps a date
//! library (and its size) out of the bundle, and shows the instant exactly as
//! the server recorded it, in UTC, so two people comparing screens agree.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The parts of an RFC 3339 timestamp this console shows.
struct Stamp<'a> {
    year: &'a str,
    month: &'a str,
    day: &'a str,
    hour_minute: &'a str,
    offset: &'a str,
}

fn parse(rfc3339: &str) -> Option<Stamp<'_>> {
    let (date, time) = rfc3339.split_once(['T', 't', ' '])?;
    let mut parts = date.splitn(3, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return None;
    }
    // `HH:MM`, checked byte by byte so a stray non-ASCII character can never
    // make the slice below split a character.
    let hm = time.as_bytes().get(..5)?;
    let is_digit = |i: usize| hm[i].is_ascii_digit();
    if !(is_digit(0) && is_digit(1) && hm[2] == b':' && is_digit(3) && is_digit(4)) {
        return None;
    }
    let hour_minute = &time[..5];
    let offset = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => &time[i..],
        None => "",
    };
    Some(Stamp {
        year,
        month,
        day,
        hour_minute,
        offset,
    })
}

fn month_name(month: &str) -> Option<&'static str> {
    let n: usize = month.parse().ok()?;
    MONTHS.get(n.checked_sub(1)?).copied()
}

fn day_month_year(s: &Stamp<'_>) -> Option<String> {
    let day = s.day.trim_start_matches('0');
    Some(format!("{day} {} {}", month_name(s.month)?, s.year))
}

/// `2026-01-05T10:30:00Z` → `5 Jan 2026`. Anything unparsable is shown as is
/// rather than hidden.
pub fn date(rfc3339: &str) -> String {
    parse(rfc3339)
        .and_then(|s| day_month_year(&s))
        .unwrap_or_else(|| rfc3339.to_owned())
}

/// `2026-01-05T10:30:00Z` → `5 Jan 2026, 10:30 UTC`.
pub fn date_time(rfc3339: &str) -> String {
    let Some(stamp) = parse(rfc3339) else {
        return rfc3339.to_owned();
    };
    let Some(date) = day_month_year(&stamp) else {
        return rfc3339.to_owned();
    };
    let zone = match stamp.offset {
        "Z" | "z" | "+00:00" | "-00:00" => "UTC".to_owned(),
        "" => String::new(),
        other => format!("UTC{other}"),
    };
    format!("{date}, {} {zone}", stamp.hour_minute)
        .trim_end()
        .to_owned()
}

/// `2026-01-05T10:30:00Z` in the browser's own language and time zone
/// (`5 Jan 2026, 11:30:00`), for records where the reader's clock matters
/// more than agreeing on UTC; the UTC form when the browser cannot read
/// the time. Only callable in the browser.
pub fn local_date_time(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&rfc3339.into());
    if date.get_time().is_nan() {
        return date_time(rfc3339);
    }
    let options = js_sys::Object::new();
    for (key, value) in [("dateStyle", "medium"), ("timeStyle", "medium")] {
        // Setting a property of a plain new object cannot fail.
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    // "default": the browser's own language (an empty tag would throw).
    date.to_locale_string("default", &options).into()
}

/// A span of time in words: `45 s`, `2 min 5 s`, `1 h 3 min`.
pub fn duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_durations() {
        assert_eq!(duration(0), "0 s");
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(125), "2 min 5 s");
        assert_eq!(duration(3780), "1 h 3 min");
    }

    #[test]
    fn formats_dates() {
        assert_eq!(date("2026-01-05T10:30:00Z"), "5 Jan 2026");
        assert_eq!(date("2025-12-31T23:59:59.123456Z"), "31 Dec 2025");
        assert_eq!(date_time("2026-01-05T10:30:00Z"), "5 Jan 2026, 10:30 UTC");
        assert_eq!(
            date_time("2026-07-15T08:05:00+02:00"),
            "15 Jul 2026, 08:05 UTC+02:00"
        );
    }

    #[test]
    fn shows_garbage_as_is() {
        assert_eq!(date("yesterday"), "yesterday");
        assert_eq!(date("2026-13-05T10:30:00Z"), "2026-13-05T10:30:00Z");
        assert_eq!(date_time(""), "");
        assert_eq!(date_time("2026-01-05Té"), "2026-01-05Té");
    }
}
