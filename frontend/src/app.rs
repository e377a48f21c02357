//! The application root: reads the public config once, draws the shell and
//! routes each address to its page.

use berth_shared::UiConfig;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api;
use crate::components::Shell;
use crate::pages::JobTemplatesPage;
use crate::pages::{CredentialsPage, ImagesPage, NotFoundPage, ProjectPage, ProjectsPage};
use crate::pages::{DataStoragePage, DeletedProjectsPage, ProjectDataPage, ProjectSettingsPage};

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

    view! {
        <Router>
            <Shell config=config>
                <Routes fallback=|| view! { <NotFoundPage/> }>
                    <Route path=path!("/") view=ProjectsPage/>
                    <Route path=path!("/projects") view=ProjectsPage/>
                    <Route path=path!("/projects/:name") view=ProjectPage/>
                    <Route path=path!("/projects/:name/data") view=ProjectDataPage/>
                    <Route path=path!("/projects/:name/settings") view=ProjectSettingsPage/>
                    <Route path=path!("/deleted-projects") view=DeletedProjectsPage/>
                    <Route path=path!("/data-storage") view=DataStoragePage/>
                    <Route path=path!("/projects/:name/images") view=ImagesPage/>
                    <Route path=path!("/projects/:name/credentials") view=CredentialsPage/>
                    <Route path=path!("/projects/:name/job-templates") view=JobTemplatesPage/>
                </Routes>
            </Shell>
        </Router>
    }
}
