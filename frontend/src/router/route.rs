//! The console's addresses, parsed into the page to show.

use leptos::prelude::*;

use super::use_path;

/// Which page an address shows. Project pages carry no name: they read it
/// with [`use_project_name`], so moving between two projects' pages of the
/// same kind updates the page instead of drawing it anew.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Projects,
    DeletedProjects,
    DataStorage,
    /// The signed-in person's own password.
    Password,
    Project(ProjectSection),
    NotFound,
}

/// The pages of one project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectSection {
    Overview,
    Images,
    JobTemplates,
    JobRuns,
    /// One job run: `/projects/{name}/job-runs/{run}` (see [`use_run_name`]).
    JobRun,
    Credentials,
    Data,
    Activity,
    Settings,
}

impl Route {
    /// The route of `path`; a trailing slash does not matter.
    pub fn parse(path: &str) -> Self {
        let mut segments = path.trim_matches('/').split('/');
        match (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) {
            (Some("projects"), Some(name), Some("job-runs"), Some(run), None)
                if !name.is_empty() && !run.is_empty() =>
            {
                Self::Project(ProjectSection::JobRun)
            }
            (Some("" | "projects"), None, _, _, _) => Self::Projects,
            (Some("deleted-projects"), None, _, _, _) => Self::DeletedProjects,
            (Some("data-storage"), None, _, _, _) => Self::DataStorage,
            (Some("account"), Some("password"), None, _, _) => Self::Password,
            (Some("projects"), Some(name), section, None, _) if !name.is_empty() => match section {
                None => Self::Project(ProjectSection::Overview),
                Some("images") => Self::Project(ProjectSection::Images),
                Some("job-templates") => Self::Project(ProjectSection::JobTemplates),
                Some("job-runs") => Self::Project(ProjectSection::JobRuns),
                Some("credentials") => Self::Project(ProjectSection::Credentials),
                Some("data") => Self::Project(ProjectSection::Data),
                Some("activity") => Self::Project(ProjectSection::Activity),
                Some("settings") => Self::Project(ProjectSection::Settings),
                Some(_) => Self::NotFound,
            },
            _ => Self::NotFound,
        }
    }
}

/// The project named in the address (`/projects/{name}/...`), or an empty
/// string on other pages.
pub fn use_project_name() -> Memo<String> {
    let path = use_path();
    Memo::new(move |_| project_name(&path.read()).to_owned())
}

fn project_name(path: &str) -> &str {
    path.strip_prefix("/projects/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
}

/// The job run named in the address (`/projects/{name}/job-runs/{run}`),
/// or an empty string on other pages.
pub fn use_run_name() -> Memo<String> {
    let path = use_path();
    Memo::new(move |_| run_name(&path.read()).to_owned())
}

fn run_name(path: &str) -> &str {
    let mut segments = path.trim_matches('/').split('/').skip(2);
    match (segments.next(), segments.next()) {
        (Some("job-runs"), Some(run)) => run,
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::{ProjectSection, Route, project_name, run_name};

    #[test]
    fn addresses_map_to_their_pages() {
        assert_eq!(Route::parse("/"), Route::Projects);
        assert_eq!(Route::parse("/projects"), Route::Projects);
        assert_eq!(Route::parse("/projects/"), Route::Projects);
        assert_eq!(Route::parse("/deleted-projects"), Route::DeletedProjects);
        assert_eq!(Route::parse("/data-storage"), Route::DataStorage);
        assert_eq!(Route::parse("/account/password"), Route::Password);
        assert_eq!(
            Route::parse("/projects/shop"),
            Route::Project(ProjectSection::Overview)
        );
        assert_eq!(
            Route::parse("/projects/shop/"),
            Route::Project(ProjectSection::Overview)
        );
        assert_eq!(
            Route::parse("/projects/shop/images"),
            Route::Project(ProjectSection::Images)
        );
        assert_eq!(
            Route::parse("/projects/shop/credentials"),
            Route::Project(ProjectSection::Credentials)
        );
        assert_eq!(
            Route::parse("/projects/shop/data"),
            Route::Project(ProjectSection::Data)
        );
        assert_eq!(
            Route::parse("/projects/shop/activity"),
            Route::Project(ProjectSection::Activity)
        );
        assert_eq!(
            Route::parse("/projects/shop/settings"),
            Route::Project(ProjectSection::Settings)
        );
        assert_eq!(
            Route::parse("/projects/shop/job-runs"),
            Route::Project(ProjectSection::JobRuns)
        );
        assert_eq!(
            Route::parse("/projects/shop/job-runs/nightly-run-x7k2p"),
            Route::Project(ProjectSection::JobRun)
        );
    }

    #[test]
    fn unknown_addresses_are_not_found() {
        for path in [
            "/nope",
            "/projects/shop/nope",
            "/projects/shop/images/x",
            "/data-storage/x",
            "/projects//images",
            "/projects/shop/job-runs/a/b",
            "/projects/shop/images/a",
            "/projects//job-runs/a",
        ] {
            assert_eq!(Route::parse(path), Route::NotFound, "{path}");
        }
    }

    #[test]
    fn the_project_name_comes_from_the_address() {
        assert_eq!(project_name("/projects/shop"), "shop");
        assert_eq!(project_name("/projects/shop/images"), "shop");
        assert_eq!(project_name("/projects"), "");
        assert_eq!(project_name("/data-storage"), "");
    }

    #[test]
    fn the_run_name_comes_from_the_address() {
        assert_eq!(
            run_name("/projects/shop/job-runs/nightly-run-x7k2p"),
            "nightly-run-x7k2p"
        );
        assert_eq!(run_name("/projects/shop/job-runs"), "");
        assert_eq!(run_name("/projects/shop/images"), "");
    }
}
