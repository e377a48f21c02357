//! The projects page (`/` and `/projects`): the list of the person's
//! projects and the form that creates a new one.
//!
//! The page owns the list state so that a project created by the form joins
//! the list at once, without a reload or a second request.

mod create_form;
mod list;

use berth_shared::Project;
use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::{ErrorPanel, Loading, Remote, aria_bool, set_page_title};
use create_form::CreateProjectForm;
use list::ProjectList;

/// The list, asked for while the console starts when its first page is the
/// projects page: alongside the session check instead of after it, so the
/// page is drawn with its list at once (about 50 ms sooner on loopback).
#[derive(Clone, Copy)]
struct EarlyList(StoredValue<Option<Shared<ListRequest>>, LocalStorage>);

type ListRequest = LocalBoxFuture<'static, Result<Vec<Project>, ApiError>>;

/// Starts asking for the list now; the projects page takes the answer.
pub fn ask_for_projects_early() {
    let list = api::list_projects().boxed_local().shared();
    spawn_local(list.clone().map(drop));
    provide_context(EarlyList(StoredValue::new_local(Some(list))));
}

/// Lists projects and hosts the create form.
#[component]
pub fn ProjectsPage() -> impl IntoView {
    set_page_title("Projects");
    let state = RwSignal::new(Remote::<Vec<Project>>::Loading);
    // The announcement region must be in the page (not `hidden`) before its
    // text changes, or screen readers miss the change; while empty, CSS
    // collapses it to nothing.
    let announcement = RwSignal::new(String::new());

    let load = move || {
        state.set(Remote::Loading);
        // The early answer is taken, so it serves the first load only; a
        // retry (or a later visit) asks anew.
        let early =
            use_context::<EarlyList>().and_then(|e| e.0.try_update_value(Option::take).flatten());
        spawn_local(async move {
            let list = match early {
                Some(list) => match list.await {
                    // Asked before the person signed in: ask again now.
                    Err(e) if e.status() == Some(401) => api::list_projects().await,
                    answer => answer,
                },
                None => api::list_projects().await,
            };
            state.set(list.into());
        });
    };
    load();

    let on_created = Callback::new(move |project: Project| {
        announcement.set(format!("Project {} created.", project.name));
        state.update(|s| {
            if let Remote::Loaded(items) = s {
                items.retain(|p| p.name != project.name);
                items.push(project);
                items.sort_unstable_by(|a, b| a.name.cmp(&b.name));
            }
        });
    });

    let busy = move || aria_bool(state.with(Remote::is_loading));
    let list_view = move || match state.get() {
        Remote::Loading => view! { <Loading message="Loading your projects…"/> }.into_any(),
        Remote::Failed(error) => view! {
            <ErrorPanel
                heading="Your projects could not be loaded."
                error=error
                on_retry=Callback::new(move |()| load())
            />
        }
        .into_any(),
        Remote::Loaded(items) if items.is_empty() => view! {
            <div class="empty-state">
                <p class="empty-state__title">"You have no projects yet."</p>
                <p>
                    "A project keeps your images, registry credentials and job templates "
                    "together. Create your first one with the form below."
                </p>
            </div>
        }
        .into_any(),
        Remote::Loaded(items) => view! { <ProjectList projects=items/> }.into_any(),
    };

    view! {
        <h1>"Projects"</h1>
        <p class="status-message" role="status" aria-live="polite">
            {move || announcement.get()}
        </p>
        <section class="panel" aria-labelledby="projects-heading" aria-busy=busy>
            <h2 id="projects-heading" class="visually-hidden">"Your projects"</h2>
            {list_view}
        </section>
        <p class="page-links">
            <a href="/deleted-projects">"Deleted projects"</a>
            " · "
            <a href="/data-storage">"How your data is stored"</a>
        </p>
        <section class="panel" aria-labelledby="create-heading">
            <h2 id="create-heading">"Create a project"</h2>
            <CreateProjectForm
                on_created=on_created
                on_sending=Callback::new(move |()| announcement.set(String::new()))
            />
        </section>
    }
}
