//! The projects page (`/` and `/projects`): the list of the person's
//! projects and the form that creates a new one.
//!
//! The page owns the list state so that a project created by the form joins
//! the list at once, without a reload or a second request. This page is in
//! the console's first load: it keeps to `&'static str` where it can.

mod create_form;
mod list;

use berth_shared::Project;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{
    EmptyState, ListWords, NoticeView, Remote, aria_bool, remote_list, set_page_title, take_notice,
};
use crate::i18n::t;
use create_form::CreateProjectForm;
use list::ProjectList;

/// Lists projects and hosts the create form.
#[component]
pub fn ProjectsPage() -> impl IntoView {
    set_page_title(t!("Projects"));
    let state = RwSignal::new(Remote::<Vec<Project>>::Loading);
    // What the person did on the page before (deleted a project).
    let notice = RwSignal::new(take_notice());

    let load = move || {
        state.set(Remote::Loading);
        spawn_local(async move { state.set(api::list_projects().await.into()) });
    };
    load();

    let on_created = Callback::new(move |project: Project| {
        // The deletion notice no longer describes the last thing done here.
        notice.set(None);
        state.update(|s| {
            if let Remote::Loaded(items) = s {
                items.retain(|p| p.name != project.name);
                items.push(project);
                items.sort_unstable_by(|a, b| a.name.cmp(&b.name));
            }
        });
    });

    let busy = move || aria_bool(state.with(Remote::is_loading));
    let words = ListWords {
        loading: t!("Loading your projects…"),
        failed: t!("Your projects could not be loaded."),
    };
    let list_view = move || {
        remote_list(
            state.get(),
            words,
            Callback::new(move |()| load()),
            || {
                view! {
                    <EmptyState title=t!("You have no projects yet.")>
                        <p>{t!("Create your first one with the form below.")}</p>
                    </EmptyState>
                }
                .into_any()
            },
            |items| view! { <ProjectList projects=items/> }.into_any(),
        )
    };

    view! {
        <header class="page-header">
            <h1>{t!("Projects")}</h1>
            <p class="page-intro">
                {t!("A project keeps your images, registry credentials and job templates together.")}
            </p>
        </header>
        // In the page (collapsed while empty) before its text changes, or
        // screen readers miss the change.
        <p class="banner banner--success status-message" role="status" aria-live="polite">
            {move || notice.get().map(|n| view! { <NoticeView notice=n/> })}
        </p>
        <section class="panel" aria-labelledby="projects-heading" aria-busy=busy>
            <h2 id="projects-heading" class="visually-hidden">{t!("Your projects")}</h2>
            {list_view}
        </section>
        <p class="page-links">
            <a href="/deleted-projects">{t!("Deleted projects")}</a>
            " · "
            <a href="/data-storage">{t!("How your data is stored")}</a>
        </p>
        <section class="panel" aria-labelledby="create-heading">
            <h2 id="create-heading">{t!("Create a project")}</h2>
            <CreateProjectForm on_created=on_created/>
        </section>
    }
}
