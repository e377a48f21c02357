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

use crate::api::{ApiError, retried};
use crate::components::{ErrorPanel, Loading};
use crate::features::{
    CredentialsPage, DataStoragePage, DeletedProjectsPage, ImagesPage, JobTemplatesPage,
};
use crate::features::{FirstPasswordPage, OwnPasswordPage, SignInPage};
use crate::features::{JobRunPage, JobRunsPage};
use crate::features::{ProjectActivityPage, ProjectDataPage, ProjectPage, ProjectSettingsPage};
use crate::i18n::t;
use crate::router::{ProjectSection, Route};

/// Where the code of an on-demand page is.
#[derive(Clone, Copy, PartialEq)]
enum Code {
    Fetching,
    Failed,
    Here,
}

/// A page whose code is fetched when first shown: the page of an address,
/// or one of the two the console shows in place of any address (signing
/// in, and choosing a password after a one-time one). Those two are not in
/// the main wasm either: most first loads are of a signed-in person.
#[derive(Clone, Copy, PartialEq)]
pub enum Page {
    At(Route),
    SignIn,
    FirstPassword,
}

/// An on-demand page, with a loading state while its code arrives and a
/// retry when it cannot be fetched.
#[component]
pub fn OnDemandPage(#[prop(into)] page: Page) -> impl IntoView {
    let code = RwSignal::new(Code::Fetching);
    let load_code = move || {
        code.set(Code::Fetching);
        spawn_local(async move {
            // A failed fetch is not remembered: the next attempt starts anew.
            // A brief network change drops the fetch (api/retry.rs), so it
            // is tried again before the person is asked to.
            let fetched = retried(fetch(page).await, || fetch(page), Result::is_err).await;
            code.set(match fetched {
                Ok(()) => Code::Here,
                Err(_) => Code::Failed,
            });
        });
    };
    load_code();
    // The page is drawn here, synchronously and under this component's
    // owner (so it has the console's context), once its code has arrived.
    // Not with <Suspense>: a page drawn inside one read disposed signals when
    // the person moved on to the next page, which stopped the console.
    move || match code.get() {
        Code::Fetching => view! { <Loading message=t!("Loading the page")/> }.into_any(),
        Code::Failed => view! {
            <ErrorPanel
                heading=t!("This page could not be loaded.")
                error=ApiError::Network
                on_retry=Callback::new(move |()| load_code())
            />
        }
        .into_any(),
        Code::Here => draw(page),
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

/// One split point per page, from one list: for each, a function that
/// draws the page, which `wasm_split` makes async (it fetches the page's
/// module first) and pairs with `fetch_<page>`, which only fetches it;
/// `fallible` makes a failed fetch an `Err` instead of a panic, which would
/// stop the whole console. Then `fetch` and `draw` by route.
macro_rules! on_demand_pages {
    ($($route:pat => $page:ident / $fetch:ident => $component:ident;)*) => {
        $(
            #[wasm_split($page, wasm_split_path = ::leptos::wasm_split, fallible, preload($fetch))]
            fn $page() -> Result<AnyView, SplitLoaderError> {
                Ok(view! { <$component/> }.into_any())
            }
        )*

        /// Fetches the module that holds the code of `page`.
        async fn fetch(page: Page) -> Result<(), SplitLoaderError> {
            match page {
                $($route => $fetch().await,)*
                // The main wasm draws these itself (app/mod.rs).
                Page::At(Route::Projects | Route::NotFound) => Ok(()),
            }
        }

        /// Draws `page`, whose module has been fetched.
        fn draw(page: Page) -> AnyView {
            match page {
                $($route => now($page()),)*
                Page::At(Route::Projects | Route::NotFound) => ().into_any(),
            }
        }
    };
}

on_demand_pages! {
    Page::SignIn => sign_in / fetch_sign_in => SignInPage;
    Page::FirstPassword => first_password / fetch_first_password => FirstPasswordPage;
    Page::At(Route::Password) => own_password / fetch_own_password => OwnPasswordPage;
    Page::At(Route::DeletedProjects) => deleted_projects / fetch_deleted_projects => DeletedProjectsPage;
    Page::At(Route::DataStorage) => data_storage / fetch_data_storage => DataStoragePage;
    Page::At(Route::Project(ProjectSection::Overview)) => project / fetch_project => ProjectPage;
    Page::At(Route::Project(ProjectSection::Images)) => images / fetch_images => ImagesPage;
    Page::At(Route::Project(ProjectSection::JobTemplates)) => job_templates / fetch_job_templates => JobTemplatesPage;
    Page::At(Route::Project(ProjectSection::JobRuns)) => job_runs / fetch_job_runs => JobRunsPage;
    Page::At(Route::Project(ProjectSection::JobRun)) => job_run / fetch_job_run => JobRunPage;
    Page::At(Route::Project(ProjectSection::Credentials)) => credentials / fetch_credentials => CredentialsPage;
    Page::At(Route::Project(ProjectSection::Data)) => project_data / fetch_project_data => ProjectDataPage;
    Page::At(Route::Project(ProjectSection::Activity)) => project_activity / fetch_project_activity => ProjectActivityPage;
    Page::At(Route::Project(ProjectSection::Settings)) => project_settings / fetch_project_settings => ProjectSettingsPage;
}
