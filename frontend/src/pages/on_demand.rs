//! Pages fetched the first time they are shown.
//!
//! The first page a person sees (their projects, or the sign-in form) is in
//! the main wasm. Every other page is a split point: `scripts/build-frontend`
//! runs `wasm-split` over the linked wasm, which moves each page's code (and
//! the code only it uses) into a module of its own that the browser fetches
//! when the page is first opened. The first load then carries about half of
//! the console.

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::{SplitLoaderError, wasm_split};

use super::{CredentialsPage, DataStoragePage, DeletedProjectsPage, ImagesPage, JobTemplatesPage};
use super::{ProjectActivityPage, ProjectDataPage, ProjectPage, ProjectSettingsPage};
use crate::api::ApiError;
use crate::components::{ErrorPanel, Loading};
use crate::router::{ProjectSection, Route};

/// Where the code of an on-demand page is.
#[derive(Clone, Copy, PartialEq)]
enum Code {
    Fetching,
    Failed,
    Here,
}

/// The page of a route that is not in the main wasm, with a loading state
/// while its code arrives and a retry when it cannot be fetched.
#[component]
pub fn OnDemandPage(route: Route) -> impl IntoView {
    let code = RwSignal::new(Code::Fetching);
    let fetch = move || {
        code.set(Code::Fetching);
        spawn_local(async move {
            // A failed fetch is not remembered: the next attempt starts anew.
            code.set(match fetch(route).await {
                Ok(()) => Code::Here,
                Err(_) => Code::Failed,
            });
        });
    };
    fetch();
    // The page is drawn here, synchronously and under this component's
    // owner (so it has the console's context), once its code has arrived.
    move || match code.get() {
        Code::Fetching => view! { <Loading message="Loading the page"/> }.into_any(),
        Code::Failed => view! {
            <ErrorPanel
                heading="This page could not be loaded."
                error=ApiError::Network
                on_retry=Callback::new(move |()| fetch())
            />
        }
        .into_any(),
        Code::Here => draw(route),
    }
}

/// Fetches the module that holds the code of `route`'s page.
async fn fetch(route: Route) -> Result<(), SplitLoaderError> {
    match route {
        Route::DeletedProjects => fetch_deleted_projects().await,
        Route::DataStorage => fetch_data_storage().await,
        Route::Project(ProjectSection::Overview) => fetch_project().await,
        Route::Project(ProjectSection::Images) => fetch_images().await,
        Route::Project(ProjectSection::JobTemplates) => fetch_job_templates().await,
        Route::Project(ProjectSection::Credentials) => fetch_credentials().await,
        Route::Project(ProjectSection::Data) => fetch_project_data().await,
        Route::Project(ProjectSection::Activity) => fetch_project_activity().await,
        Route::Project(ProjectSection::Settings) => fetch_project_settings().await,
        // The main wasm draws these itself (app.rs).
        Route::Projects | Route::NotFound => Ok(()),
    }
}

/// Draws `route`'s page, whose module has been fetched.
fn draw(route: Route) -> AnyView {
    match route {
        Route::DeletedProjects => now(deleted_projects()),
        Route::DataStorage => now(data_storage()),
        Route::Project(ProjectSection::Overview) => now(project()),
        Route::Project(ProjectSection::Images) => now(images()),
        Route::Project(ProjectSection::JobTemplates) => now(job_templates()),
        Route::Project(ProjectSection::Credentials) => now(credentials()),
        Route::Project(ProjectSection::Data) => now(project_data()),
        Route::Project(ProjectSection::Activity) => now(project_activity()),
        Route::Project(ProjectSection::Settings) => now(project_settings()),
        Route::Projects | Route::NotFound => ().into_any(),
    }
}

/// A split function is async because it may have to fetch its module
/// first; once the module is here it completes at its first poll.
fn now(page: impl Future<Output = Result<AnyView, SplitLoaderError>>) -> AnyView {
    let mut page = pin!(page);
    match page.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Ok(view)) => view,
        // Not reached: `draw` runs only after `fetch` succeeded.
        Poll::Ready(Err(_)) | Poll::Pending => ().into_any(),
    }
}

// One split point per page. `wasm_split` turns each function into an async
// one that fetches its module first, and adds `fetch_<page>`, which only
// fetches it; `fallible` makes a failed fetch an `Err` instead of a panic,
// which would stop the whole console.

#[wasm_split(deleted_projects, wasm_split_path = ::leptos::wasm_split, fallible, preload(fetch_deleted_projects))]
fn deleted_projects() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <DeletedProjectsPage/> }.into_any())
}

#[wasm_split(data_storage, wasm_split_path = ::leptos::wasm_split, fallible, preload(fetch_data_storage))]
fn data_storage() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <DataStoragePage/> }.into_any())
}

#[wasm_split(project, wasm_split_path = ::leptos::wasm_split, fallible, preload(fetch_project))]
fn project() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ProjectPage/> }.into_any())
}

#[wasm_split(images, wasm_split_path = ::leptos::wasm_split, fallible, preload(fetch_images))]
fn images() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ImagesPage/> }.into_any())
}

#[wasm_split(job_templates, wasm_split_path = ::leptos::wasm_split, fallible, preload(fetch_job_templates))]
fn job_templates() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <JobTemplatesPage/> }.into_any())
}

#[wasm_split(credentials, wasm_split_path = ::leptos::wasm_split, fallible, preload(fetch_credentials))]
fn credentials() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <CredentialsPage/> }.into_any())
}

#[wasm_split(project_data, wasm_split_path = ::leptos::wasm_split, fallible, preload(fetch_project_data))]
fn project_data() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ProjectDataPage/> }.into_any())
}

#[wasm_split(project_activity, wasm_split_path = ::leptos::wasm_split, fallible, preload(fetch_project_activity))]
fn project_activity() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ProjectActivityPage/> }.into_any())
}

#[wasm_split(project_settings, wasm_split_path = ::leptos::wasm_split, fallible, preload(fetch_project_settings))]
fn project_settings() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ProjectSettingsPage/> }.into_any())
}
