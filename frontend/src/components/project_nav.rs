//! The sub-navigation of a project's pages. Plain anchors: the router
//! intercepts clicks on same-origin links.

use crate::i18n::t;
use crate::router::use_path;
use leptos::prelude::*;

/// Links to the sections of one project; the current one carries
/// `aria-current="page"`.
#[component]
pub fn ProjectNav(#[prop(into)] project: Signal<String>) -> impl IntoView {
    let path = use_path();
    let sections: [(&str, &str); 8] = [
        (t!("Overview"), ""),
        (t!("Images"), "/images"),
        (t!("Job templates"), "/job-templates"),
        (t!("Job runs"), "/job-runs"),
        (t!("Registry credentials"), "/credentials"),
        (t!("Data"), "/data"),
        (t!("Activity"), "/activity"),
        (t!("Settings"), "/settings"),
    ];
    let links = sections
        .into_iter()
        .map(|(label, suffix)| {
            let href = move || format!("/projects/{}{suffix}", project.get());
            // A page inside a section (one job run) marks its section too.
            let current = move || {
                let (path, href) = (path.get(), href());
                let path = path.trim_end_matches('/');
                if path == href {
                    Some("page")
                } else {
                    (!suffix.is_empty() && path.starts_with(&format!("{href}/"))).then_some("true")
                }
            };
            view! {
                <li>
                    <a href=href aria-current=current>{label}</a>
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <nav aria-label=t!("Project") class="project-nav">
            <ul>{links}</ul>
        </nav>
    }
}

/// The top of every project page, laid out once: the breadcrumb, the
/// heading `title` (already in the reader's language), one sentence on
/// what the page is for, and the project's navigation.
#[component]
pub fn ProjectHeader(
    #[prop(into)] project: Signal<String>,
    title: &'static str,
    /// What this page is for, in one sentence.
    #[prop(optional)]
    intro: Option<&'static str>,
) -> impl IntoView {
    view! {
        <header class="page-header">
            <nav aria-label=t!("Breadcrumb") class="breadcrumb">
                <ol>
                    <li><a href="/projects">{t!("Projects")}</a></li>
                    <li><a href=move || format!("/projects/{}", project.get())>{move || project.get()}</a></li>
                    <li><span aria-current="page">{title}</span></li>
                </ol>
            </nav>
            <h1>{title}</h1>
            {intro.map(|intro| view! { <p class="page-intro">{intro}</p> })}
            <ProjectNav project=project/>
        </header>
    }
}
