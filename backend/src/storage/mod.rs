//! How Berth keeps its data in Kubernetes: the labels and annotations of
//! its storage contract, its custom resource types, the watch-fed caches of
//! hot objects, and one typed accessor for a project's objects that turns
//! the API's answers into [`StorageError`]s once.

pub mod error;
pub mod labels;
pub mod objects;
pub mod project_cache;
pub mod resources;
pub mod run_cache;
pub mod stamps;
pub mod watch_cache;

pub use error::StorageError;
pub use objects::Objects;
