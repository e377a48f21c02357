//! What each kind of stored item is called, in the reader's language. The
//! shared rules name the kinds in English only (`inventory::kind_label`);
//! the console says them itself, one sentence per kind, so each language
//! gets its own word order and plural forms.

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
        KIND_ACTIVITY_LOG => t!("Activity log {name}", name = name),
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
        KIND_ACTIVITY_LOG => t!("activity log {name}", name = name),
        _ => t!("other item {name}", name = name),
    }
}

/// How many items of the kind: "1 Image", "3 Registry credentials".
pub fn total(kind: &str, n: usize) -> String {
    match kind {
        KIND_IMAGE => tn!("{n} Image", "{n} Images", n),
        KIND_REGISTRY_CREDENTIAL => {
            tn!("{n} Registry credential", "{n} Registry credentials", n)
        }
        KIND_JOB_TEMPLATE => tn!("{n} Job template", "{n} Job templates", n),
        KIND_JOB_TEMPLATE_ENV => tn!(
            "{n} Job template secret settings",
            "{n} Job templates' secret settings",
            n
        ),
        KIND_JOB_RUN => tn!("{n} Job run", "{n} Job runs", n),
        KIND_JOB_RUN_ENV => tn!(
            "{n} Job run secret settings",
            "{n} Job runs' secret settings",
            n
        ),
        KIND_ACTIVITY_LOG => tn!("{n} Activity log", "{n} Activity logs", n),
        _ => tn!("{n} Other item", "{n} Other items", n),
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
