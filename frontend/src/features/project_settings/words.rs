//! The counting words of a deletion: what a project holds, what is left of
//! it while it is removed, and how long it can be restored. Each count is a
//! `tn!` template of its own, so every language picks its own plural form
//! (the shared crate's phrases are English only).

use std::collections::BTreeMap;

use berth_shared::inventory::{
    KIND_ACTIVITY_LOG, KIND_IMAGE, KIND_JOB_RUN, KIND_JOB_RUN_ENV, KIND_JOB_TEMPLATE,
    KIND_JOB_TEMPLATE_ENV, KIND_REGISTRY_CREDENTIAL, KINDS,
};

use crate::i18n::{t, tn};

/// "1 image", "3 registry credentials": the items of one kind of the
/// project's inventory.
fn kind_count(kind: &str, n: usize) -> String {
    match kind {
        KIND_IMAGE => tn!("{n} image", "{n} images", n),
        KIND_REGISTRY_CREDENTIAL => {
            tn!("{n} registry credential", "{n} registry credentials", n)
        }
        KIND_JOB_TEMPLATE => tn!("{n} job template", "{n} job templates", n),
        KIND_JOB_TEMPLATE_ENV => tn!(
            "{n} set of job template secret settings",
            "{n} sets of job template secret settings",
            n
        ),
        KIND_JOB_RUN => tn!("{n} job run", "{n} job runs", n),
        KIND_JOB_RUN_ENV => tn!(
            "{n} job run secret settings snapshot",
            "{n} job run secret settings snapshots",
            n
        ),
        KIND_ACTIVITY_LOG => tn!("{n} activity log", "{n} activity logs", n),
        _ => tn!("{n} other item", "{n} other items", n),
    }
}

/// Everything a project holds, kind by kind in the inventory's order
/// ("1 image, 2 registry credentials and 1 activity log"); kinds it has
/// none of are left out. `None` when it holds nothing.
pub fn holdings(totals: &BTreeMap<String, usize>) -> Option<String> {
    let parts = KINDS
        .iter()
        .filter_map(|kind| {
            let n = totals.get(*kind).copied().unwrap_or(0);
            (n > 0).then(|| kind_count(kind, n))
        })
        .collect();
    list(parts)
}

/// A count of objects still stored, named for what they are to the person
/// rather than by their Kubernetes resource (`secrets`, `configmaps`, …).
fn resource_count(resource: &str, n: usize) -> String {
    match resource {
        "secrets" => tn!(
            "{n} registry credential or secret setting",
            "{n} registry credentials or secret settings",
            n
        ),
        // A project's one record is its activity log.
        "configmaps" if n == 1 => t!("the activity log").to_owned(),
        "configmaps" => tn!(
            "{n} record, among them the activity log",
            "{n} records, among them the activity log",
            n
        ),
        "imagepointers.berth.dev" => tn!("{n} image", "{n} images", n),
        "jobtemplates.berth.dev" => tn!("{n} job template", "{n} job templates", n),
        "jobs.batch" => tn!("{n} job run", "{n} job runs", n),
        "pods" => tn!("{n} running job instance", "{n} running job instances", n),
        _ => tn!("{n} other item", "{n} other items", n),
    }
}

/// What is left of a project being deleted ("the activity log and 2
/// images"); `None` when nothing is left.
pub fn remaining(remaining: &BTreeMap<String, usize>) -> Option<String> {
    list(
        remaining
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(resource, n)| resource_count(resource, *n))
            .collect(),
    )
}

/// `items` as one list: "a", "a and b", "a, b and c" (each language's
/// own separators come from the two templates).
fn list(items: Vec<String>) -> Option<String> {
    let mut items = items.into_iter();
    let mut text = items.next()?;
    let mut rest: Vec<String> = items.collect();
    let last = rest.pop();
    for item in rest {
        text = t!("{list}, {item}", list = text, item = item);
    }
    if let Some(last) = last {
        text = t!("{list} and {last}", list = text, last = last);
    }
    Some(text)
}

/// A restore window in words: "7 days", "1 day", "12 hours", "90 seconds".
pub fn window(seconds: u64) -> String {
    let whole = |unit: u64| seconds >= unit && seconds.is_multiple_of(unit);
    // Counts of seconds fit a usize on every target the console runs on.
    let n = |unit: u64| usize::try_from(seconds / unit).unwrap_or(usize::MAX);
    if whole(86_400) {
        tn!("{n} day", "{n} days", n(86_400))
    } else if whole(3_600) {
        tn!("{n} hour", "{n} hours", n(3_600))
    } else if whole(60) {
        tn!("{n} minute", "{n} minutes", n(60))
    } else {
        tn!("{n} second", "{n} seconds", n(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_kind_and_leaves_out_what_is_not_there() {
        let totals = BTreeMap::from([
            (KIND_IMAGE.to_owned(), 1),
            (KIND_REGISTRY_CREDENTIAL.to_owned(), 2),
            (KIND_JOB_TEMPLATE.to_owned(), 0),
            (KIND_ACTIVITY_LOG.to_owned(), 1),
        ]);
        assert_eq!(
            holdings(&totals).as_deref(),
            Some("1 image, 2 registry credentials and 1 activity log")
        );
        assert_eq!(holdings(&BTreeMap::new()), None);
    }

    #[test]
    fn names_what_is_left_in_plain_words() {
        let left = BTreeMap::from([
            ("configmaps".to_owned(), 1),
            ("imagepointers.berth.dev".to_owned(), 1),
            ("secrets".to_owned(), 2),
        ]);
        assert_eq!(
            remaining(&left).as_deref(),
            Some("the activity log, 1 image and 2 registry credentials or secret settings")
        );
        let one = BTreeMap::from([("configmaps".to_owned(), 1)]);
        assert_eq!(remaining(&one).as_deref(), Some("the activity log"));
        assert_eq!(remaining(&BTreeMap::new()), None);
    }

    #[test]
    fn windows_use_the_largest_whole_unit() {
        assert_eq!(window(7 * 86_400), "7 days");
        assert_eq!(window(86_400), "1 day");
        assert_eq!(window(7_200), "2 hours");
        assert_eq!(window(120), "2 minutes");
        assert_eq!(window(90), "90 seconds");
    }
}
