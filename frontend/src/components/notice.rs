//! A message that outlives the page it was made on: a project deleted from
//! its Settings page is reported on the projects page the person goes to
//! next ("Deleted project shop. Restore it from Deleted projects").

use leptos::prelude::*;

use crate::i18n::t;

/// What happened, and whether Deleted projects can undo it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub restorable: bool,
}

#[derive(Clone, Copy)]
struct Slot(RwSignal<Option<Notice>>);

/// Called once by the application root.
pub fn provide_notice() {
    provide_context(Slot(RwSignal::new(None)));
}

/// Leaves `notice` for the next page that shows notices.
pub fn leave_notice(notice: Notice) {
    if let Some(Slot(slot)) = use_context::<Slot>() {
        slot.set(Some(notice));
    }
}

/// The notice left for this page, if any; it is shown once.
pub fn take_notice() -> Option<Notice> {
    use_context::<Slot>().and_then(|Slot(slot)| slot.try_update(Option::take).flatten())
}

/// A notice as a status message, with the way back when there is one.
#[component]
pub fn NoticeView(notice: Notice) -> impl IntoView {
    view! {
        {notice.text}
        {notice.restorable.then(|| view! {
            " " <a href="/deleted-projects">{t!("Restore it from Deleted projects.")}</a>
        })}
    }
}
