//! Batch jobs: the project's job templates and their runs (a run is
//! started from a template, so both live in this one feature).

mod indices;
mod row_errors;
mod runs;
mod size;
mod templates;

pub use runs::{JobRunPage, JobRunsPage};
pub use templates::JobTemplatesPage;
