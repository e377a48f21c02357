//! What a page holds while it asks the server for something, and the one
//! way a page asks for its project's data.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;

/// Something the page asked the server for.
#[derive(Debug, Clone, PartialEq)]
pub enum Remote<T> {
    Loading,
    Loaded(T),
    Failed(ApiError),
}

impl<T> Remote<T> {
    pub fn is_loading(&self) -> bool {
        matches!(self, Remote::Loading)
    }
}

impl<T> From<Result<T, ApiError>> for Remote<T> {
    fn from(result: Result<T, ApiError>) -> Self {
        match result {
            Ok(value) => Remote::Loaded(value),
            Err(error) => Remote::Failed(error),
        }
    }
}

/// Asks `fetch` for the data of the project in the address and puts the
/// answer into `state`. An answer for a project the person has left in
/// the meantime is dropped, so a slow one never shows on another project.
pub fn load_for_project<T, Fut>(
    project: Memo<String>,
    state: RwSignal<Remote<T>>,
    fetch: impl FnOnce(String) -> Fut + 'static,
) where
    T: Send + Sync + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let wanted = project.get_untracked();
    spawn_local(async move {
        let result = fetch(wanted.clone()).await;
        if project.get_untracked() == wanted {
            state.set(result.into());
        }
    });
}
