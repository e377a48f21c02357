//! Array indices such as `0-9,20,30-32`: which instances of a job run, each
//! with its own index.

use thiserror::Error;

use crate::message;
use crate::message::Message;

/// Highest index a job may use (Kubernetes' bound on indexed completions).
pub const INDEX_MAX: u32 = 99_999;
/// Most instances one template may start.
pub const INSTANCES_MAX: u32 = 1_000;
/// Longest indices text accepted.
pub const INDICES_MAX_CHARS: usize = 1_024;

/// Why indices were refused, in words a person understands.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.message())]
pub enum IndicesError {
    /// A part that is no number or range.
    Malformed(String),
    /// A range that goes downwards.
    Descending(String),
    TooHigh,
    /// An index listed twice.
    Overlap(u32),
    /// How many instances that makes.
    TooMany(u64),
    TooLong,
}

impl IndicesError {
    /// The refusal as a code and its values.
    pub fn message(&self) -> Message {
        match self {
            Self::Malformed(part) => message!("indices.malformed").with("part", part),
            Self::Descending(part) => message!("indices.descending").with("part", part),
            Self::TooHigh => message!("indices.too_high").with("max", INDEX_MAX),
            Self::Overlap(index) => message!("indices.overlap").with("index", index),
            Self::TooMany(count) => message!("indices.too_many")
                .with("count", count)
                .with("max", INSTANCES_MAX),
            Self::TooLong => message!("text.too_long").with("max", INDICES_MAX_CHARS),
        }
    }
}

/// Parsed indices: ascending, non-overlapping inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Indices {
    ranges: Vec<(u32, u32)>,
}

impl Indices {
    /// Parses `0-9,20,30-32` (spaces around parts allowed). Empty text means
    /// a single run without an index.
    pub fn parse(text: &str) -> Result<Self, IndicesError> {
        if text.chars().count() > INDICES_MAX_CHARS {
            return Err(IndicesError::TooLong);
        }
        let text = text.trim();
        if text.is_empty() {
            return Ok(Self::default());
        }
        let mut ranges = Vec::new();
        let mut count: u64 = 0;
        for part in text.split(',').map(str::trim) {
            let (from, to) = match part.split_once('-') {
                Some((a, b)) => (number(a.trim(), part)?, number(b.trim(), part)?),
                None => {
                    let n = number(part, part)?;
                    (n, n)
                }
            };
            if from > to {
                return Err(IndicesError::Descending(part.to_owned()));
            }
            count += u64::from(to - from) + 1;
            if count > u64::from(INSTANCES_MAX) {
                return Err(IndicesError::TooMany(count));
            }
            ranges.push((from, to));
        }
        ranges.sort_unstable();
        if let Some(w) = ranges.windows(2).find(|w| w[1].0 <= w[0].1) {
            return Err(IndicesError::Overlap(w[1].0));
        }
        Ok(Self { ranges })
    }

    /// How many instances run; 1 when no indices were given.
    pub fn instances(&self) -> u32 {
        if self.ranges.is_empty() {
            1
        } else {
            self.ranges.iter().map(|(a, b)| b - a + 1).sum()
        }
    }

    /// Whether the job runs as an indexed array.
    pub fn is_array(&self) -> bool {
        !self.ranges.is_empty()
    }

    /// Every index, ascending (empty when the job is not an array).
    pub fn expand(&self) -> Vec<u32> {
        self.ranges.iter().flat_map(|&(a, b)| a..=b).collect()
    }

    /// The indices in `list` (any order, duplicates ignored).
    pub fn from_list(list: &[u32]) -> Self {
        let mut sorted = list.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for n in sorted {
            match ranges.last_mut() {
                Some(last) if last.1 + 1 == n => last.1 = n,
                _ => ranges.push((n, n)),
            }
        }
        Self { ranges }
    }

    /// The canonical text: sorted, ranges of one index written as a number.
    pub fn normalized(&self) -> String {
        let parts: Vec<String> = self
            .ranges
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        parts.join(",")
    }
}

fn number(digits: &str, part: &str) -> Result<u32, IndicesError> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IndicesError::Malformed(part.to_owned()));
    }
    match digits.parse::<u32>() {
        Ok(n) if n <= INDEX_MAX => Ok(n),
        _ => Err(IndicesError::TooHigh),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_instances_of_ranges_and_singles() {
        let i = Indices::parse("0-9,20,30-32").expect("valid");
        assert_eq!(i.instances(), 14);
        assert!(i.is_array());
        assert_eq!(i.normalized(), "0-9,20,30-32");
        let i = Indices::parse(" 30 - 32 , 5 ").expect("valid");
        assert_eq!(i.normalized(), "5,30-32");
        assert_eq!(i.instances(), 4);
        let none = Indices::parse("  ").expect("valid");
        assert_eq!((none.instances(), none.is_array()), (1, false));
    }

    #[test]
    fn lists_expand_and_compress() {
        let i = Indices::parse("0-2,5").expect("valid");
        assert_eq!(i.expand(), [0, 1, 2, 5]);
        assert_eq!(Indices::from_list(&[5, 1, 0, 2, 2]).normalized(), "0-2,5");
        assert!(!Indices::from_list(&[]).is_array());
    }

    #[test]
    fn refuses_what_is_not_an_index_list() {
        assert_eq!(
            Indices::parse("1,,2"),
            Err(IndicesError::Malformed(String::new()))
        );
        assert_eq!(
            Indices::parse("a-3"),
            Err(IndicesError::Malformed("a-3".into()))
        );
        assert_eq!(
            Indices::parse("-3"),
            Err(IndicesError::Malformed("-3".into()))
        );
        assert_eq!(
            Indices::parse("1-2-3"),
            Err(IndicesError::Malformed("1-2-3".into()))
        );
        assert_eq!(
            Indices::parse("9-3"),
            Err(IndicesError::Descending("9-3".into()))
        );
        assert_eq!(Indices::parse("100000"), Err(IndicesError::TooHigh));
        assert_eq!(Indices::parse("99999999999"), Err(IndicesError::TooHigh));
        assert_eq!(Indices::parse("0-5,5"), Err(IndicesError::Overlap(5)));
        assert_eq!(Indices::parse("0-1000"), Err(IndicesError::TooMany(1001)));
        assert_eq!(
            IndicesError::TooMany(1001).to_string(),
            "That makes 1001 instances; at most 1000 are allowed."
        );
        let m = IndicesError::Descending("9-3".into()).message();
        assert_eq!(m.code, "indices.descending");
        assert_eq!(m.params["part"], "9-3");
        assert_eq!(m.english(), "A range must go upwards: “9-3” does not.");
        assert_eq!(Indices::parse("0-999").map(|i| i.instances()), Ok(1000));
        assert_eq!(
            Indices::parse(&"1".repeat(INDICES_MAX_CHARS + 1)),
            Err(IndicesError::TooLong)
        );
    }
}
