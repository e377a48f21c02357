//! The list of projects, one card per project.

use berth_shared::Project;
use berth_shared::project::STATUS_TERMINATING;
use leptos::prelude::*;

use crate::components::Time;
use crate::i18n::{t, tn};

/// The projects, each with a link to its page, its description and when it
/// was created.
#[component]
pub fn ProjectList(projects: Vec<Project>) -> impl IntoView {
    let count = tn!("{n} project", "{n} projects", projects.len());
    view! {
        <p class="list-count">{count}</p>
        <ul class="project-list">
            {projects.into_iter().map(|p| view! { <ProjectCard project=p/> }).collect_view()}
        </ul>
    }
}

#[component]
fn ProjectCard(project: Project) -> impl IntoView {
    let href = format!("/projects/{}", project.name);
    // One sentence in every language; the date goes where `{time}` is.
    let created = t!("Created {time}");
    let (before, after) = created.split_once("{time}").unwrap_or((created, ""));
    let terminating = project.status == STATUS_TERMINATING;
    view! {
        <li class="project-card">
            <h3 class="project-card__name">
                <a href=href>{project.name}</a>
            </h3>
            {(!project.description.is_empty())
                .then(|| view! { <p class="project-card__description">{project.description}</p> })}
            <p class="project-card__meta">
                {before} <Time at=project.stamps.created_at date_only=true/> {after}
                {terminating.then(|| view! { " " <span class="badge badge--warning">{t!("Being deleted")}</span> })}
            </p>
        </li>
    }
}
