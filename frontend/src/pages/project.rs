//! The project page (`/projects/:name`): what the project is and where its
//! data lives.

use crate::router::use_project_name;
use berth_shared::Project;
use leptos::prelude::*;

use crate::api;
use crate::components::{
    ErrorPanel, Loading, ProjectNav, Remote, aria_bool, load_for_project, set_page_title,
};
use crate::format;

/// Shows one project, or says plainly that there is no such project.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let name = use_project_name();
    let state = RwSignal::new(Remote::<Project>::Loading);

    let load = move || {
        state.set(Remote::Loading);
        load_for_project(name, state, |p| async move { api::get_project(&p).await });
    };
    // Load now, and again whenever the name in the address changes.
    Effect::new(move |_| {
        set_page_title(&name.get());
        load();
    });

    let busy = move || aria_bool(state.with(Remote::is_loading));
    let body = move || match state.get() {
        Remote::Loading => view! { <Loading message="Loading the project…"/> }.into_any(),
        Remote::Loaded(project) => view! { <ProjectDetails project=project/> }.into_any(),
        Remote::Failed(error) if error.status() == Some(404) => view! {
            <h1>{format!("No project named {}", name.get_untracked())}</h1>
            <p>"It may have been deleted, or the address may be mistyped."</p>
            <p><a href="/projects">"See your projects"</a></p>
        }
        .into_any(),
        Remote::Failed(error) => view! {
            <h1>{name.get_untracked()}</h1>
            <ErrorPanel
                heading="This project could not be loaded."
                error=error
                on_retry=Callback::new(move |()| load())
            />
        }
        .into_any(),
    };

    view! {
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <ol>
                <li><a href="/projects">"Projects"</a></li>
                <li><span aria-current="page">{move || name.get()}</span></li>
            </ol>
        </nav>
        <ProjectNav project=name/>
        <div aria-busy=busy>{body}</div>
    }
}

/// The project's facts as a description list.
#[component]
fn ProjectDetails(project: Project) -> impl IntoView {
    let description = if project.description.is_empty() {
        view! { <span class="muted">"No description"</span> }.into_any()
    } else {
        view! { <span class="pre-line">{project.description.clone()}</span> }.into_any()
    };
    let status = if project.status == "Terminating" {
        view! { <span class="badge badge--warning">"Being deleted"</span> }.into_any()
    } else if project.status == berth_shared::project::STATUS_DELETED {
        view! {
            <span class="badge badge--warning">"Deleted"</span>
            " " <a href="/deleted-projects">"Restore it from Deleted projects"</a>
        }
        .into_any()
    } else {
        view! { <span class="badge badge--ok">{project.status.clone()}</span> }.into_any()
    };
    let created = format::date_time(&project.stamps.created_at);
    view! {
        <h1>{project.name.clone()}</h1>
        <section class="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">"Details"</h2>
            <dl class="details">
                <div><dt>"Name"</dt><dd>{project.name.clone()}</dd></div>
                <div><dt>"Description"</dt><dd>{description}</dd></div>
                <div>
                    <dt>"Where its data lives"</dt>
                    <dd>
                        "Kubernetes namespace " <code>{project.namespace.clone()}</code>
                    </dd>
                </div>
                <div>
                    <dt>"Created"</dt>
                    <dd>
                        <time datetime=project.stamps.created_at.clone()>{created}</time>
                        {project.stamps.created_by.clone().map(|who| format!(" by {who}"))}
                    </dd>
                </div>
                <div><dt>"Status"</dt><dd>{status}</dd></div>
            </dl>
        </section>
    }
}
