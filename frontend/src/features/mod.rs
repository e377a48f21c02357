//! The console by feature: one folder per thing a person does, each with
//! its pages and forms. A feature reaches another only through
//! `components` (shared pieces) or `api` (the server), never directly.

mod activity;
mod credentials;
mod data_storage;
mod deleted_projects;
mod images;
mod jobs;
mod not_found;
mod project_data;
mod project_overview;
mod project_settings;
mod projects;
mod session;

pub use activity::ProjectActivityPage;
pub use credentials::CredentialsPage;
pub use data_storage::DataStoragePage;
pub use deleted_projects::DeletedProjectsPage;
pub use images::ImagesPage;
pub use jobs::{JobRunPage, JobRunsPage, JobTemplatesPage};
pub use not_found::NotFoundPage;
pub use project_data::ProjectDataPage;
pub use project_overview::ProjectPage;
pub use project_settings::ProjectSettingsPage;
pub use projects::ProjectsPage;
pub use session::{FirstPasswordPage, OwnPasswordPage, SignInPage};
