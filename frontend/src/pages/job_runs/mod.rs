//! Job runs: the list of a project's runs (`/projects/:name/job-runs`),
//! one run with its indexes and logs (`/projects/:name/job-runs/:run`),
//! and the Run button and dialog the job templates page uses.

mod log;
mod run;
mod status_bar;
mod submit;

pub use run::JobRunPage;
pub use submit::{CannotRunNotice, RunButton, RunDialog};

use berth_shared::{JobRunSummary, JobTemplate};
use leptos::prelude::*;
use leptos::task::spawn_local;

use self::status_bar::{StateBadge, StatusBar};
use crate::api::{self, ApiError};
use crate::components::{
    ErrorPanel, Loading, ProjectHeader, aria_bool, set_page_title, take_notice,
};
use crate::format;
use crate::router::use_project_name;

/// The project's runs, newest first, filtered by template.
#[component]
pub fn JobRunsPage() -> impl IntoView {
    let project = use_project_name();
    let state = RwSignal::new(None::<Result<Vec<JobRunSummary>, ApiError>>);
    let templates = RwSignal::new(Vec::<JobTemplate>::new());
    // What the page the person came from did (a deleted run).
    let announcement = RwSignal::new(take_notice().map(|n| n.text).unwrap_or_default());
    // The template whose runs are shown; empty for all.
    let filter = RwSignal::new(String::new());

    let latest = StoredValue::new(0_u32);
    let load = move || {
        let wanted = project.get_untracked();
        let template = filter.get_untracked();
        let this = latest.get_value().wrapping_add(1);
        latest.set_value(this);
        state.set(None);
        spawn_local(async move {
            let only = Some(template.as_str()).filter(|t| !t.is_empty());
            let result = api::list_job_runs(&wanted, only).await;
            if latest.try_get_value() == Some(this) {
                state.set(Some(result));
            }
        });
    };
    Effect::new(move |_| {
        let wanted = project.get();
        set_page_title(&format!("Job runs · {wanted}"));
        filter.set(String::new());
        load();
        spawn_local(async move {
            if let Ok(items) = api::list_job_templates(&wanted).await {
                templates.set(items);
            }
        });
    });

    let row = move |run: JobRunSummary| {
        let href = format!(
            "/projects/{}/job-runs/{}",
            project.get_untracked(),
            run.name
        );
        let rerun = run.rerun_of.clone().map(|of| {
            view! { <br/><span class="muted">{format!("Reruns the failed indexes of {of}")}</span> }
        });
        view! {
            <tr>
                <th scope="row"><a href=href>{run.name.clone()}</a>{rerun}</th>
                <td data-label="Template">{run.template.clone()}</td>
                <td data-label="State"><StateBadge state=run.state/></td>
                <td data-label="Indexes"><StatusBar counts=run.counts/></td>
                <td data-label="Started">{format::date_time(&run.stamps.created_at)}</td>
            </tr>
        }
    };
    let list_view = move || {
        match state.get() {
        None => view! { <Loading message="Loading the job runs…"/> }.into_any(),
        Some(Err(error)) => view! {
            <ErrorPanel heading="The job runs could not be loaded." error=error
                on_retry=Callback::new(move |()| load())/>
        }
        .into_any(),
        Some(Ok(items)) if items.is_empty() => view! {
            <p>
                {move || if filter.with(String::is_empty) { "No job runs yet. " } else { "This template has no runs yet. " }}
                "Start one with its Run button on the "
                <a href=move || format!("/projects/{}/job-templates", project.get())>"Job templates"</a>
                " page."
            </p>
        }
        .into_any(),
        Some(Ok(items)) => view! {
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Job runs, newest first"</caption>
                    <thead><tr>
                        <th scope="col">"Run"</th><th scope="col">"Template"</th>
                        <th scope="col">"State"</th><th scope="col">"Indexes"</th>
                        <th scope="col">"Started"</th>
                    </tr></thead>
                    <tbody>{items.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any(),
    }
    };
    let template_options = move || {
        templates
            .get()
            .into_iter()
            .map(|t| {
                let name = t.fields.name;
                view! { <option value=name.clone()>{name.clone()}</option> }
            })
            .collect_view()
    };
    let busy = move || aria_bool(state.with(Option::is_none));

    view! {
        <ProjectHeader project=project title="Job runs"/>
        <p class="banner">
            "Each time a job template runs, Berth starts one instance of its program per index and "
            "keeps what each printed (its log) until you delete the run. Open a run to follow its "
            "indexes as they start and finish."
        </p>
        <p class="status-message" role="status" aria-live="polite">{move || announcement.get()}</p>
        <section class="panel" aria-labelledby="runs-heading">
            <h2 id="runs-heading" tabindex="-1">"Runs"</h2>
            <div class="run-filter">
                <div class="field">
                    <label for="runs-template" class="field__label">"Template"</label>
                    <select id="runs-template" prop:value=move || filter.get()
                        on:change=move |ev| {
                            filter.set(event_target_value(&ev));
                            load();
                        }>
                        <option value="">"All templates"</option>
                        {template_options}
                    </select>
                </div>
                <button type="button" class="button button--secondary" on:click=move |_| load()>"Refresh"</button>
            </div>
            <div aria-busy=busy>{list_view}</div>
        </section>
    }
}
