//! What a page holds while it asks the server for something (`loader.rs`
//! asks).

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

    /// The same state with what was loaded turned into something else.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Remote<U> {
        match self {
            Remote::Loading => Remote::Loading,
            Remote::Loaded(value) => Remote::Loaded(f(value)),
            Remote::Failed(error) => Remote::Failed(error),
        }
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
