//! The application root: reads the public config once, draws the shell and
//! shows the page of the current address.

use berth_shared::UiConfig;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::Shell;
use crate::pages::{CredentialsPage, ImagesPage, NotFoundPage, ProjectPage, ProjectsPage};
use crate::pages::{DataStoragePage, DeletedProjectsPage, ProjectDataPage, ProjectSettingsPage};
use crate::router::{ProjectSection, Route, provide_location, use_path};

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    // Config is read once and shared; pages that need it later (auth mode,
    // portal origins) take it from context instead of fetching it again.
    let (config, set_config) = signal(None::<UiConfig>);
    provide_context(config);
    spawn_local(async move {
        // Without config the console still works; the footer omits the version.
        if let Ok(c) = api::get_config().await {
            set_config.set(Some(c));
        }
    });

    provide_location();
    let path = use_path();
    // A memo, so a page is drawn anew only when the route changes, not on
    // every change of the address (another project's page of the same kind).
    let route = Memo::new(move |_| Route::parse(&path.read()));

    view! {
        <Shell config=config>
            {move || page(route.get())}
        </Shell>
    }
}

fn page(route: Route) -> AnyView {
    match route {
        Route::Projects => view! { <ProjectsPage/> }.into_any(),
        Route::DeletedProjects => view! { <DeletedProjectsPage/> }.into_any(),
        Route::DataStorage => view! { <DataStoragePage/> }.into_any(),
        Route::Project(ProjectSection::Overview) => view! { <ProjectPage/> }.into_any(),
        Route::Project(ProjectSection::Images) => view! { <ImagesPage/> }.into_any(),
        Route::Project(ProjectSection::Credentials) => view! { <CredentialsPage/> }.into_any(),
        Route::Project(ProjectSection::Data) => view! { <ProjectDataPage/> }.into_any(),
        Route::Project(ProjectSection::Settings) => view! { <ProjectSettingsPage/> }.into_any(),
        Route::NotFound => view! { <NotFoundPage/> }.into_any(),
    }
}
