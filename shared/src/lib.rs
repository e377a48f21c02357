//! The typed contract between Berth's browser console and its server.
//!
//! Everything here is pure Rust without I/O so that it compiles for
//! `wasm32-unknown-unknown` as well as for the server: the browser validates
//! with exactly the rules the server enforces.

pub mod access;
pub mod activity;
pub mod config;
pub mod credentials;
pub mod deletion;
pub mod image_ref;
pub mod image_web_address;
pub mod images;
pub mod inventory;
pub mod job_run;
pub mod job_templates;
pub mod message;
pub mod names;
pub mod problem;
pub mod project;
pub mod session;
pub mod stamps;

pub use access::{Member, MemberList, Role};
pub use config::UiConfig;
pub use credentials::{
    RegistryCredential, RegistryCredentialList, RegistryKind, SaveRegistryCredential,
};
pub use image_ref::{ImageReference, ReferenceError};
pub use images::{ImagePointer, ImagePointerList, SaveImagePointer};
pub use job_run::{
    EnvOverride, JobRun, JobRunList, JobRunSummary, RunCounts, RunDeleted, RunIndex, RunState,
    SubmitJobRun,
};
pub use job_templates::{EnvVar, JobTemplate, JobTemplateList, ResourceSize, SaveJobTemplate};
pub use message::Message;
pub use names::{NameError, validate_object_name, validate_project_name};
pub use problem::{FieldError, Problem};
pub use project::{CreateProject, DESCRIPTION_MAX_CHARS, Project, ProjectList};
pub use session::{ChangePassword, Login, Session};
pub use stamps::Stamps;
