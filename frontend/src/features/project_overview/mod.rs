//! The project page (`/projects/:name`): what the project is, who made it
//! and when; where Kubernetes keeps it only under "Technical details".

use crate::router::use_project_name;
use berth_shared::Project;
use berth_shared::project::{STATUS_DELETED, STATUS_TERMINATING};
use leptos::prelude::*;

use crate::api;
use crate::components::{ErrorPanel, Loader, Loading, ProjectNav, Remote, Time, set_page_title};
use crate::i18n::t;

/// Shows one project, or says plainly that there is no such project.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let name = use_project_name();
    let project = Loader::new(name, |p| async move { api::get_project(&p).await });
    Effect::new(move |_| set_page_title(&name.get()));

    let body = move || match project.state.get() {
        Remote::Loading => view! { <Loading message=t!("Loading the project…")/> }.into_any(),
        Remote::Loaded(project) => view! { <ProjectDetails project=project/> }.into_any(),
        Remote::Failed(error) if error.status() == Some(404) => view! {
            <p>{t!("It may have been deleted, or the address may be mistyped.")}</p>
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
    };
    let missing = move || {
        project
            .state
            .with(|s| matches!(s, Remote::Failed(e) if e.status() == Some(404)))
    };
    // The heading is the project's name, so this page lays out the header
    // that `ProjectHeader` draws on the others (whose titles are fixed words).
    let heading = move || {
        if missing() {
            t!("No project named {name}", name = name.get())
        } else {
            name.get()
        }
    };

    view! {
        <header class="page-header">
            <nav aria-label=t!("Breadcrumb") class="breadcrumb">
                <ol>
                    <li><a href="/projects">{t!("Projects")}</a></li>
                    <li><span aria-current="page">{move || name.get()}</span></li>
                </ol>
            </nav>
            <h1>{heading}</h1>
            <p class="page-intro" hidden=missing>
                {t!("What this project is and who created it. The tabs lead to its images, jobs, credentials and settings.")}
            </p>
            {move || (!missing()).then(|| view! { <ProjectNav project=name/> })}
        </header>
        <div aria-busy=project.aria_busy()>{body}</div>
    }
}

/// The project's facts as a description list.
#[component]
fn ProjectDetails(project: Project) -> impl IntoView {
    let description = if project.description.is_empty() {
        view! { <span class="muted">{t!("No description")}</span> }.into_any()
    } else {
        view! { <span class="pre-line">{project.description}</span> }.into_any()
    };
    let status = match project.status.as_str() {
        STATUS_TERMINATING => {
            view! { <span class="badge badge--warning">{t!("Being deleted")}</span> }.into_any()
        }
        STATUS_DELETED => view! {
            <span class="badge badge--warning">{t!("Deleted")}</span>
            " "
            <a href="/deleted-projects">{t!("Restore it from Deleted projects")}</a>
        }
        .into_any(),
        "Active" => view! { <span class="badge badge--ok">{t!("Active")}</span> }.into_any(),
        // A state this console does not know yet: as the server says it.
        _ => view! { <span class="badge badge--ok">{project.status}</span> }.into_any(),
    };
    let created_by = project.stamps.created_by.map(|who| {
        view! { <div><dt>{t!("Created by")}</dt><dd>{who}</dd></div> }
    });
    view! {
        <section class="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">{t!("Details")}</h2>
            <dl class="details">
                <div><dt>{t!("Name")}</dt><dd>{project.name}</dd></div>
                <div><dt>{t!("Description")}</dt><dd>{description}</dd></div>
                <div><dt>{t!("Created")}</dt><dd><Time at=project.stamps.created_at/></dd></div>
                {created_by}
                <div><dt>{t!("Status")}</dt><dd>{status}</dd></div>
            </dl>
            <details class="tech-details">
                <summary>{t!("Technical details")}</summary>
                <dl class="details">
                    <div>
                        <dt>{t!("Kubernetes namespace")}</dt>
                        <dd><code>{project.namespace}</code></dd>
                    </div>
                </dl>
            </details>
        </section>
    }
}
