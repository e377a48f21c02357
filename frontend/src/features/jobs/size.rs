//! The CPU and memory choices in words. The shared `ResourceSize::label`
//! is English (the API and the CLI keep it); the console says it in the
//! reader's language, decimal commas included.

use berth_shared::ResourceSize;

use crate::i18n::t;

pub fn size_label(size: ResourceSize) -> &'static str {
    match size {
        ResourceSize::ExtraSmall => t!("0.25 CPU, 0.5 GiB memory"),
        ResourceSize::Small => t!("0.5 CPU, 1 GiB memory"),
        ResourceSize::Medium => t!("1 CPU, 2 GiB memory"),
        ResourceSize::Large => t!("2 CPU, 4 GiB memory"),
        ResourceSize::ExtraLarge => t!("4 CPU, 8 GiB memory"),
    }
}
