//! The project's settings page (`/projects/:name/settings`): its members,
//! and (for owners) the danger zone that deletes it.

mod danger_zone;
mod members;
mod words;

use berth_shared::Role;
use berth_shared::project::STATUS_DELETED;
use leptos::prelude::*;

use crate::api;
use crate::components::{ErrorPanel, Loader, Loading, ProjectHeader, Remote, set_page_title};
use crate::i18n::t;
use crate::router::use_project_name;
use danger_zone::DangerZone;
use members::Members;

/// Settings of one project.
#[component]
pub fn ProjectSettingsPage() -> impl IntoView {
    let name = use_project_name();
    let project = Loader::new(name, |p| async move { api::get_project(&p).await });
    Effect::new(move |_| set_page_title(&t!("Settings of {name}", name = name.get())));

    let body = move || match project.state.get() {
        Remote::Loading => view! { <Loading message=t!("Loading the project…")/> }.into_any(),
        Remote::Failed(error) if error.status() == Some(404) => view! {
            <p>{t!("There is no project with this name. It may have been deleted.")}</p>
            <p><a href="/projects">{t!("See your projects")}</a></p>
        }
        .into_any(),
        Remote::Failed(error) => view! {
            <ErrorPanel
                heading=t!("This project could not be loaded.")
                error=error
                on_retry=Callback::new(move |()| project.reload())
            />
        }
        .into_any(),
        Remote::Loaded(project) if project.status == STATUS_DELETED => view! {
            <p class="banner banner--warning">
                {t!("This project was deleted. You can restore it until its restore window ends.")}
                " "
                <a href="/deleted-projects">{t!("Go to Deleted projects")}</a>
            </p>
        }
        .into_any(),
        Remote::Loaded(project) => {
            // Administrators who are not members have no role, and may do everything.
            let owner = project.role.is_none_or(|r| r == Role::Owner);
            view! {
                <Members project=project.name.clone() can_manage=owner/>
                {owner.then(|| view! { <DangerZone project=project/> })}
            }
            .into_any()
        }
    };
    view! {
        <ProjectHeader
            project=name
            title=t!("Settings")
            intro=t!("Who may work on this project and what each person may do, and how to delete the project.")
        />
        <div aria-busy=project.aria_busy()>{body}</div>
    }
}
