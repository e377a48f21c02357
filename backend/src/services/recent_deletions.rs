//! Projects deleted for good a moment ago, and who could see them: a
//! member who follows the deletion after the namespace is already gone
//! still learns that it finished, while anyone else gets the same 404 as
//! for a project that never existed.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a finished deletion can still be followed.
const KEEP_FOR: Duration = Duration::from_secs(10 * 60);
/// Most deletions remembered at once (the oldest go first).
const CAP: usize = 1024;

/// When a project was deleted, and who could see it then.
type Deleted = (Instant, BTreeSet<String>);

/// Shared by every clone.
#[derive(Clone, Default)]
pub struct RecentDeletions {
    inner: Arc<Mutex<HashMap<String, Deleted>>>,
}

impl RecentDeletions {
    /// `project` was deleted permanently; `members` could see it.
    pub fn remember(&self, project: &str, members: BTreeSet<String>) {
        let Ok(mut map) = self.inner.lock() else {
            return;
        };
        let now = Instant::now();
        map.retain(|_, (at, _)| now.duration_since(*at) < KEEP_FOR);
        if map.len() >= CAP
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(name, _)| name.clone())
        {
            map.remove(&oldest);
        }
        map.insert(project.to_owned(), (now, members));
    }

    /// Whether `user` may learn that `project` was deleted a moment ago.
    pub fn may_follow(&self, project: &str, user: &str, admin: bool) -> bool {
        let Ok(map) = self.inner.lock() else {
            return false;
        };
        map.get(project).is_some_and(|(at, members)| {
            at.elapsed() < KEEP_FOR && (admin || members.contains(user))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_members_and_administrators_follow_a_finished_deletion() {
        let recent = RecentDeletions::default();
        recent.remember("shop", BTreeSet::from(["ann".to_owned()]));
        assert!(recent.may_follow("shop", "ann", false));
        assert!(recent.may_follow("shop", "root", true));
        assert!(!recent.may_follow("shop", "bob", false));
        assert!(!recent.may_follow("other", "ann", false));
    }

    #[test]
    fn memory_is_bounded() {
        let recent = RecentDeletions::default();
        for i in 0..CAP + 10 {
            recent.remember(&format!("p{i}"), BTreeSet::new());
        }
        let held = recent.inner.lock().map(|m| m.len()).unwrap_or_default();
        assert_eq!(held, CAP);
        assert!(recent.may_follow(&format!("p{}", CAP + 9), "x", true));
    }
}
