//! The one way a page loads its project's data: when the page opens, again
//! when the address names another project, and on `reload` after a change.
//! An answer for a project the person has left is dropped, so a slow one
//! never shows on another project; the data already shown stays while a
//! reload is on its way (no flash of "Loading").

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::Remote;
use crate::api::ApiError;

type Fetch<T> = Rc<dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<T, ApiError>>>>>;

/// A project's data of one kind, and how to ask for it again.
pub struct Loader<T: 'static> {
    pub state: RwSignal<Remote<T>>,
    /// Whether a request is on its way (for `aria-busy`).
    pub busy: RwSignal<bool>,
    project: Memo<String>,
    fetch: StoredValue<Fetch<T>, LocalStorage>,
}

impl<T> Clone for Loader<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Loader<T> {}

impl<T: Send + Sync + 'static> Loader<T> {
    /// Starts loading `fetch(project)` now and whenever `project` changes.
    pub fn new<Fut>(project: Memo<String>, fetch: impl Fn(String) -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        let fetch: Fetch<T> = Rc::new(move |p| Box::pin(fetch(p)));
        let loader = Self {
            state: RwSignal::new(Remote::Loading),
            busy: RwSignal::new(false),
            project,
            fetch: StoredValue::new_local(fetch),
        };
        let mut shown = None::<String>;
        Effect::new(move |_| {
            let now = project.get();
            // Another project: what is shown belongs to the old one.
            if shown.as_ref().is_some_and(|p| *p != now) {
                loader.state.set(Remote::Loading);
            }
            shown = Some(now);
            loader.reload();
        });
        loader
    }

    /// Asks again; the answer replaces what is shown.
    pub fn reload(self) {
        self.reload_then(|| ());
    }

    /// Asks again and runs `then` once the answer is shown (to move focus
    /// into what was drawn anew, say).
    pub fn reload_then(self, then: impl FnOnce() + 'static) {
        let wanted = self.project.get_untracked();
        let Some(fetch) = self.fetch.try_get_value() else {
            return;
        };
        self.busy.set(true);
        spawn_local(async move {
            let result = fetch(wanted.clone()).await;
            if self.project.try_get_untracked().as_ref() == Some(&wanted) {
                self.busy.set(false);
                self.state.set(result.into());
                then();
            }
        });
    }

    /// `aria-busy` for the region that shows the data.
    pub fn aria_busy(self) -> impl Fn() -> &'static str + Copy {
        move || super::aria_bool(self.busy.get() || self.state.with(Remote::is_loading))
    }
}
