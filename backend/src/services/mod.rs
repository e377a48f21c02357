//! Domain operations, each on top of the Kubernetes API.

pub mod activity;
pub mod collection;
pub mod credentials;
pub mod deletion;
pub mod images;
pub mod inventory;
pub mod job_render;
pub mod job_runs;
pub mod job_templates;
pub mod members;
pub mod project_access;
pub mod projects;
pub mod purge;
pub mod rendered;
