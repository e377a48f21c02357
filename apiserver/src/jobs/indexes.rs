//! Sets of completion indexes in the form Kubernetes writes them in a Job's
//! `status.completedIndexes` and `status.failedIndexes`: ascending, ranges of
//! three or more as `first-last`, two neighbours as `a,b` (`0,1,3`, `0-2,5`).

use std::collections::BTreeSet;

/// A set of completion indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexSet(BTreeSet<u32>);

impl IndexSet {
    /// Parses the compressed form, keeping only indexes below `completions`
    /// (as the job controller does when it reads its own status back).
    /// Malformed parts are skipped.
    pub fn parse(s: &str, completions: u32) -> Self {
        let mut set = BTreeSet::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (first, last) = match part.split_once('-') {
                Some((a, b)) => (a.parse::<u32>(), b.parse::<u32>()),
                None => (part.parse::<u32>(), part.parse::<u32>()),
            };
            if let (Ok(first), Ok(last)) = (first, last) {
                set.extend((first..=last.min(completions.saturating_sub(1))).take(1 << 20));
            }
        }
        Self(set)
    }

    pub fn insert(&mut self, i: u32) {
        self.0.insert(i);
    }

    pub fn contains(&self, i: u32) -> bool {
        self.0.contains(&i)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The compressed form; empty for an empty set.
    pub fn render(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut it = self.0.iter().copied().peekable();
        while let Some(first) = it.next() {
            let mut last = first;
            while it.peek() == Some(&(last + 1)) {
                last += 1;
                it.next();
            }
            match last - first {
                0 => parts.push(first.to_string()),
                1 => {
                    parts.push(first.to_string());
                    parts.push(last.to_string());
                }
                _ => parts.push(format!("{first}-{last}")),
            }
        }
        parts.join(",")
    }
}

impl FromIterator<u32> for IndexSet {
    fn from_iter<I: IntoIterator<Item = u32>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_kubernetes() {
        let r = |v: &[u32]| v.iter().copied().collect::<IndexSet>().render();
        assert_eq!(r(&[]), "");
        assert_eq!(r(&[2]), "2");
        assert_eq!(r(&[0, 1, 3]), "0,1,3");
        assert_eq!(r(&[0, 1, 2]), "0-2");
        assert_eq!(r(&[0, 1, 2, 3, 5]), "0-3,5");
        assert_eq!(r(&[1, 2, 4, 5, 6, 9]), "1,2,4-6,9");
    }

    #[test]
    fn parses_its_own_output_and_bounds_it() {
        let s = IndexSet::parse("0-3,5,7,8", 8);
        assert_eq!(s.render(), "0-3,5,7");
        assert!(s.contains(5) && !s.contains(4));
        assert_eq!(IndexSet::parse("x,1-,2", 10).render(), "2");
        assert_eq!(IndexSet::parse("", 10).len(), 0);
    }
}
