//! The list of projects, one card per project.

use berth_shared::Project;
use leptos::prelude::*;

use crate::format;

/// The projects, each with a link to its page, its description and when it
/// was created.
#[component]
pub fn ProjectList(projects: Vec<Project>) -> impl IntoView {
    let count = projects.len();
    view! {
        <p class="list-count">
            {if count == 1 { "1 project".to_owned() } else { format!("{count} projects") }}
        </p>
        <ul class="project-list">
            {projects.into_iter().map(|p| view! { <ProjectCard project=p/> }).collect_view()}
        </ul>
    }
}

#[component]
fn ProjectCard(project: Project) -> impl IntoView {
    let href = format!("/projects/{}", project.name);
    let created = format::date(&project.stamps.created_at);
    let terminating = project.status == "Terminating";
    view! {
        <li class="project-card">
            <h3 class="project-card__name">
                <a href=href>{project.name.clone()}</a>
            </h3>
            {(!project.description.is_empty())
                .then(|| view! { <p class="project-card__description">{project.description.clone()}</p> })}
            <p class="project-card__meta">
                "Created " <time datetime=project.stamps.created_at.clone()>{created}</time>
                {terminating.then(|| view! { <span class="badge badge--warning">"Being deleted"</span> })}
            </p>
        </li>
    }
}
