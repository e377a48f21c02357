//! What the array indices typed so far mean, in a sentence, as they are
//! typed (the template form and the Run dialog both say it).

use berth_shared::job_templates::Indices;

use crate::i18n::{t, tn};

pub fn how_often(text: &str) -> String {
    match Indices::parse(text) {
        Ok(i) if i.is_array() => tn!(
            "Runs {n} instance.",
            "Runs {n} instances.",
            i.instances() as usize
        ),
        Ok(_) => t!("Runs once (no indices).").to_owned(),
        Err(_) => t!("Not a valid list of indices yet.").to_owned(),
    }
}
