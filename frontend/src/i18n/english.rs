//! Dates and numbers in English without the browser's `Intl`: the first
//! `Intl` formatter a page makes loads the browser's locale data, 25-50 ms
//! of the main thread on this machine, right when the first list is drawn.
//! English is the language with no catalog and the one most first loads
//! are in, so it is written here, the way `Intl` writes `en`; the other
//! languages use `Intl` (`intl.rs`).

// Dates come from the browser's `Date`: natively only the tests use them.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

/// An instant in the reader's time zone, as the browser's `Date` gives it
/// (its local getters need no locale data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts {
    pub year: i32,
    /// 1-12.
    pub month: u32,
    pub day: u32,
    /// 0 = Sunday.
    pub weekday: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Minutes east of UTC.
    pub offset: i32,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// `Dec 3, 2026`: as `Intl.DateTimeFormat("en")` with `dateStyle: medium`.
pub fn date(p: Parts) -> String {
    format!("{} {}, {}", &MONTHS[month(p)][..3], p.day, p.year)
}

/// `Dec 3, 2026, 10:04 PM`: `dateStyle: medium`, `timeStyle: short`.
pub fn date_time(p: Parts) -> String {
    let (hour, half) = twelve(p.hour);
    format!("{}, {hour}:{:02} {half}", date(p), p.minute)
}

/// `Thursday, December 3, 2026 at 10:04:57 PM GMT+1`: `dateStyle: full`,
/// `timeStyle: long`, the zone as its offset (as `Intl` writes a zone
/// without an English short name).
pub fn full(p: Parts) -> String {
    let (hour, half) = twelve(p.hour);
    format!(
        "{}, {} {}, {} at {hour}:{:02}:{:02} {half} {}",
        WEEKDAYS[(p.weekday % 7) as usize],
        MONTHS[month(p)],
        p.day,
        p.year,
        p.minute,
        p.second,
        zone(p.offset)
    )
}

fn month(p: Parts) -> usize {
    (p.month.clamp(1, 12) - 1) as usize
}

/// The hour on a 12-hour clock and its half of the day.
fn twelve(hour: u32) -> (u32, &'static str) {
    match hour {
        0 => (12, "AM"),
        h @ 1..=11 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    }
}

/// `UTC`, `GMT+1`, `GMT-5`, `GMT+5:30`.
fn zone(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let (hours, minutes) = (offset.abs() / 60, offset.abs() % 60);
    match (hours, minutes) {
        (0, 0) => "UTC".to_owned(),
        (h, 0) => format!("GMT{sign}{h}"),
        (h, m) => format!("GMT{sign}{h}:{m:02}"),
    }
}

/// `1,234,567`.
pub fn number(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// English's two plural categories.
pub fn plural_category(n: usize) -> &'static str {
    if n == 1 { "one" } else { "other" }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENING: Parts = Parts {
        year: 2026,
        month: 12,
        day: 3,
        weekday: 4,
        hour: 22,
        minute: 4,
        second: 57,
        offset: 60,
    };

    #[test]
    fn writes_dates_as_intl_writes_english() {
        assert_eq!(date(EVENING), "Dec 3, 2026");
        assert_eq!(date_time(EVENING), "Dec 3, 2026, 10:04 PM");
        assert_eq!(
            full(EVENING),
            "Thursday, December 3, 2026 at 10:04:57 PM GMT+1"
        );
        let midnight = Parts {
            hour: 0,
            offset: 0,
            ..EVENING
        };
        assert_eq!(date_time(midnight), "Dec 3, 2026, 12:04 AM");
        let noon = Parts {
            hour: 12,
            offset: -330,
            ..EVENING
        };
        assert!(full(noon).ends_with("12:04:57 PM GMT-5:30"));
        assert!(full(midnight).ends_with(" UTC"));
    }

    #[test]
    fn groups_digits_by_three() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1_000), "1,000");
        assert_eq!(number(1_234_567), "1,234,567");
    }

    #[test]
    fn one_is_singular() {
        assert_eq!(plural_category(1), "one");
        assert_eq!(plural_category(0), "other");
        assert_eq!(plural_category(2), "other");
    }
}
