//! Berth's custom resources (`berth.dev/v1alpha1`), defined once as Rust
//! types; their CRD manifests are generated from these definitions.

pub mod crds;
pub mod image_pointer;
pub mod job_template;
