//! Domain operations, each on top of the Kubernetes API.

pub mod labels;
pub mod projects;
