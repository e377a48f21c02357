//! Job runs: the list of a project's runs (`/projects/:name/job-runs`),
//! one run with its indexes and logs (`/projects/:name/job-runs/:run`),
//! and the Run button and dialog the job templates page uses.

mod log;
mod run;
mod status_bar;
mod submit;

pub use run::JobRunPage;
pub use submit::{CannotRunNotice, RunButton, RunDialog};

use berth_shared::JobRunSummary;
use leptos::prelude::*;

use self::status_bar::{StateBadge, StatusBar};
use crate::api;
use crate::components::{
    EmptyState, ListWords, Loader, ProjectHeader, Remote, Time, remote_list, set_page_title,
    take_notice,
};
use crate::i18n::t;
use crate::router::use_project_name;

/// The project's runs, newest first, filtered by template.
#[component]
pub fn JobRunsPage() -> impl IntoView {
    let project = use_project_name();
    // The template whose runs are shown (empty for all), and the project
    // it was chosen in: another project starts with all of its runs.
    let filter = RwSignal::new((String::new(), String::new()));
    let chosen = move |project: &str| {
        filter
            .try_with_untracked(|(p, t)| (p == project && !t.is_empty()).then(|| t.clone()))
            .flatten()
    };
    // The same, tracked, for what the page shows.
    let shown = move || {
        let now = project.get();
        filter.with(|(p, t)| if *p == now { t.clone() } else { String::new() })
    };
    let list = Loader::new(project, move |p| async move {
        // Asked again while the filter changed under way, so an answer for
        // an earlier choice never replaces the latest one's.
        loop {
            let only = chosen(&p);
            let result = api::list_job_runs(&p, only.as_deref()).await;
            if chosen(&p) == only {
                break result;
            }
        }
    });
    let templates = Loader::new(
        project,
        |p| async move { api::list_job_templates(&p).await },
    );
    // What the page the person came from did (a deleted run).
    let notice = take_notice().map(|n| n.text);

    Effect::new(move |_| {
        set_page_title(&t!("Job runs · {project}", project = project.get()));
    });

    let row = move |run: JobRunSummary| {
        let href = format!(
            "/projects/{}/job-runs/{}",
            project.get_untracked(),
            run.name
        );
        let rerun = run.rerun_of.clone().map(|of| {
            view! { <br/><span class="muted">{t!("Reruns the failed indexes of {run}", run = of)}</span> }
        });
        view! {
            <tr>
                <th scope="row"><a href=href>{run.name.clone()}</a>{rerun}</th>
                <td data-label=t!("Template")>{run.template.clone()}</td>
                <td data-label=t!("State")><StateBadge state=run.state/></td>
                <td data-label=t!("Indexes")><StatusBar counts=run.counts/></td>
                <td data-label=t!("Started")><Time at=run.stamps.created_at.clone()/></td>
            </tr>
        }
    };
    let templates_href = move || format!("/projects/{}/job-templates", project.get());
    let words = ListWords {
        loading: t!("Loading the job runs…"),
        failed: t!("The job runs could not be loaded."),
    };
    let list_view = move || {
        remote_list(
            list.state.get(),
            words,
            Callback::new(move |()| list.reload()),
            move || {
                let title = if shown().is_empty() {
                    t!("No job runs yet.")
                } else {
                    t!("This template has no runs yet.")
                };
                view! {
                    <EmptyState title=title>
                        <p><a href=templates_href>{t!("Start a run from the job templates page.")}</a></p>
                    </EmptyState>
                }
                .into_any()
            },
            move |items| {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <caption class="visually-hidden">{t!("Job runs, newest first")}</caption>
                            <thead><tr>
                                <th scope="col">{t!("Run")}</th><th scope="col">{t!("Template")}</th>
                                <th scope="col">{t!("State")}</th><th scope="col">{t!("Indexes")}</th>
                                <th scope="col">{t!("Started")}</th>
                            </tr></thead>
                            <tbody>{items.into_iter().map(row).collect_view()}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            },
        )
    };
    let template_options = move || {
        templates.state.with(|s| match s {
            Remote::Loaded(items) => items
                .iter()
                .map(|t| {
                    let name = t.fields.name.clone();
                    view! { <option value=name.clone()>{name.clone()}</option> }
                })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        })
    };

    view! {
        <ProjectHeader project=project title=t!("Job runs")
            intro=t!("Each time a job template runs, the run and what it printed (its log) are kept here until you delete it.")/>
        {notice.map(|text| view! {
            <p class="banner banner--success" role="status">{text}</p>
        })}
        <section class="panel" aria-labelledby="runs-heading">
            <h2 id="runs-heading" tabindex="-1">{t!("Runs")}</h2>
            <p>{t!("Open a run to follow its indexes as they start and finish.")}</p>
            <div class="run-filter">
                <div class="field">
                    <label for="runs-template" class="field__label">{t!("Template")}</label>
                    <select id="runs-template"
                        prop:value=shown
                        on:change=move |ev| {
                            filter.set((project.get_untracked(), event_target_value(&ev)));
                            list.reload();
                        }>
                        <option value="">{t!("All templates")}</option>
                        {template_options}
                    </select>
                </div>
                <button type="button" class="button button--secondary" on:click=move |_| list.reload()>
                    {t!("Refresh")}
                </button>
            </div>
            <div aria-busy=list.aria_busy()>{list_view}</div>
        </section>
    }
}
