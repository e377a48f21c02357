//! The sub-navigation of a project's pages. Plain anchors: the router
//! intercepts clicks on same-origin links.

use crate::router::use_path;
use leptos::prelude::*;

/// Links to the sections of one project; the current one carries
/// `aria-current="page"`.
#[component]
pub fn ProjectNav(#[prop(into)] project: Signal<String>) -> impl IntoView {
    let path = use_path();
    let sections: [(&str, &str); 8] = [
        ("Overview", ""),
        ("Images", "/images"),
        ("Job templates", "/job-templates"),
        ("Job runs", "/job-runs"),
        ("Registry credentials", "/credentials"),
        ("Data", "/data"),
        ("Activity", "/activity"),
        ("Settings", "/settings"),
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
        <nav aria-label="Project" class="project-nav">
            <ul>{links}</ul>
        </nav>
    }
}

/// The top of a project's section page: the breadcrumb, the heading
/// `title`, and the project's navigation.
#[component]
pub fn ProjectHeader(#[prop(into)] project: Signal<String>, title: &'static str) -> impl IntoView {
    view! {
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <ol>
                <li><a href="/projects">"Projects"</a></li>
                <li><a href=move || format!("/projects/{}", project.get())>{move || project.get()}</a></li>
                <li><span aria-current="page">{title}</span></li>
            </ol>
        </nav>
        <h1>{title}</h1>
        <ProjectNav project=project/>
    }
}
