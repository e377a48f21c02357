//! One module per route. Pages own their data loading and state; the
//! building blocks they share live in `components`.

mod credentials;
mod data_storage;
mod deleted_projects;
mod images;
mod job_runs;
mod job_templates;
mod not_found;
mod on_demand;
mod project;
mod project_activity;
mod project_data;
mod project_members;
mod project_settings;
mod projects;
mod sign_in;

pub use credentials::CredentialsPage;
pub use data_storage::DataStoragePage;
pub use deleted_projects::DeletedProjectsPage;
pub use images::ImagesPage;
pub use job_runs::{JobRunPage, JobRunsPage};
pub use job_templates::JobTemplatesPage;
pub use not_found::NotFoundPage;
pub use on_demand::OnDemandPage;
pub use project::ProjectPage;
pub use project_activity::ProjectActivityPage;
pub use project_data::ProjectDataPage;
pub use project_settings::ProjectSettingsPage;
pub use projects::ProjectsPage;
pub use sign_in::{ChangePasswordPage, OwnPasswordPage, SignInPage};
