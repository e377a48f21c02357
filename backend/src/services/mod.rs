//! Domain operations, each on top of the Kubernetes API.

pub mod activity;
pub mod credentials;
pub mod deletion;
pub mod images;
pub mod inventory;
pub mod job_render;
pub mod job_templates;
pub mod labels;
pub mod members;
pub mod project_access;
pub mod project_cache;
pub mod projects;
pub mod purge;
pub mod registry;
pub mod rendered;
pub mod watch_cache;
