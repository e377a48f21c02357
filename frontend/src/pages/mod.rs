//! One module per route. Pages own their data loading and state; the
//! building blocks they share live in `components`.

mod not_found;
mod project;
mod projects;

pub use not_found::NotFoundPage;
pub use project::ProjectPage;
pub use projects::ProjectsPage;
