//! What each kind of stored item is called, in the reader's language. The
//! shared rules name the kinds in English only (`inventory::kind_label`);
//! the console says them itself, one sentence per kind, so each language
//! gets its own word order and plural forms.
//!
//! The project's activity log is one per project, and its name is Berth's
//! own (a ConfigMap's): it is called by what it is, and its technical name
//! is left to "Technical details".

use berth_shared::inventory::{
    KIND_ACTIVITY_LOG, KIND_IMAGE, KIND_JOB_RUN, KIND_JOB_RUN_ENV, KIND_JOB_TEMPLATE,
    KIND_JOB_TEMPLATE_ENV, KIND_REGISTRY_CREDENTIAL,
};

use crate::i18n::{t, tn};

/// The item as a heading or the start of a sentence: "Image web".
pub fn title(kind: &str, name: &str) -> String {
    match kind {
        KIND_IMAGE => t!("Image {name}", name = name),
        KIND_REGISTRY_CREDENTIAL => t!("Registry credential {name}", name = name),
        KIND_JOB_TEMPLATE => t!("Job template {name}", name = name),
        KIND_JOB_TEMPLATE_ENV => t!("Job template secret settings {name}", name = name),
        KIND_JOB_RUN => t!("Job run {name}", name = name),
        KIND_JOB_RUN_ENV => t!("Job run secret settings {name}", name = name),
        KIND_ACTIVITY_LOG => t!("Activity log").to_owned(),
        _ => t!("Other item {name}", name = name),
    }
}

/// The item inside a sentence: "Delete image web?".
pub fn phrase(kind: &str, name: &str) -> String {
    match kind {
        KIND_IMAGE => t!("image {name}", name = name),
        KIND_REGISTRY_CREDENTIAL => t!("registry credential {name}", name = name),
        KIND_JOB_TEMPLATE => t!("job template {name}", name = name),
        KIND_JOB_TEMPLATE_ENV => t!("job template secret settings {name}", name = name),
        KIND_JOB_RUN => t!("job run {name}", name = name),
        KIND_JOB_RUN_ENV => t!("job run secret settings {name}", name = name),
        KIND_ACTIVITY_LOG => t!("activity log").to_owned(),
        _ => t!("other item {name}", name = name),
    }
}

/// How many items of the kind, as words inside a list: "1 image",
/// "3 registry credentials" (the same words as the deletion's summary).
pub fn total(kind: &str, n: usize) -> String {
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

#[cfg(test)]
mod tests {
    use berth_shared::inventory::KINDS;

    use super::*;

    /// A kind added to the shared inventory would otherwise read as
    /// "Other item".
    #[test]
    fn every_kind_has_its_own_words() {
        for kind in KINDS {
            assert_ne!(title(kind, "x"), title("unknown", "x"), "{kind}");
            assert_ne!(phrase(kind, "x"), phrase("unknown", "x"), "{kind}");
            assert_ne!(total(kind, 2), total("unknown", 2), "{kind}");
        }
    }
}
