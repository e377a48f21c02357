//! Turning wire values into words people read. Instants are the `Time`
//! component's (`components/time.rs`: the browser's `Intl`, or
//! `i18n/english.rs` in English).

use crate::i18n::t;

/// A span of time in words: `45 s`, `2 min 5 s`, `1 h 3 min`.
pub fn duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (h, m) {
        (0, 0) => t!("{s} s", s = s),
        (0, _) => t!("{m} min {s} s", m = m, s = s),
        _ => t!("{h} h {m} min", h = h, m = m),
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
}
