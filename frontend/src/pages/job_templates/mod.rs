//! The job templates page (`/projects/:name/job-templates`): the project's
//! templates with run, edit, duplicate, delete and a read-only view of the
//! `batch/v1` Job each would become, and the form.

mod form;

use crate::router::{navigator, use_project_name};
use berth_shared::{ImagePointer, JobRun, JobTemplate};
use leptos::prelude::*;
use leptos::task::spawn_local;

use self::form::{JobTemplateForm, NAME_ID, Start};
use super::job_runs::{CannotRunNotice, RunButton, RunDialog};
use crate::api::{self, ApiError};
use crate::components::{
    Breakable, ErrorPanel, Loading, ProjectHeader, RowActions, focus_by_id, set_page_title,
};

#[component]
pub fn JobTemplatesPage() -> impl IntoView {
    let project = use_project_name();
    let state = RwSignal::new(None::<Result<Vec<JobTemplate>, ApiError>>);
    let pointers = RwSignal::new(Vec::<ImagePointer>::new());
    let start = RwSignal::new(Start::New);
    let announcement = RwSignal::new(String::new());
    let confirming = RwSignal::new(None::<String>);
    let job = RwSignal::new(None::<(String, String)>);
    // The template whose Run dialog is open.
    let to_run = RwSignal::new(None::<JobTemplate>);
    let navigate = navigator();
    let on_started = Callback::new(move |run: JobRun| {
        navigate(&format!(
            "/projects/{}/job-runs/{}",
            project.get_untracked(),
            run.summary.name
        ));
    });
    let open_run = Callback::new(move |t: JobTemplate| to_run.set(Some(t)));

    // Each load has a number; only the latest one's answers are shown, so
    // an older list that arrives late never replaces a newer one.
    let latest = StoredValue::new(0_u32);
    let load = move || {
        let wanted = project.get_untracked();
        let this = latest.get_value().wrapping_add(1);
        latest.set_value(this);
        state.set(None);
        spawn_local(async move {
            let result = api::list_job_templates(&wanted).await;
            let images = api::list_images(&wanted).await;
            if latest.try_get_value() != Some(this) {
                return;
            }
            if let Ok(items) = images {
                pointers.set(items);
            }
            state.set(Some(result));
        });
    };
    Effect::new(move |_| {
        set_page_title(&format!("Job templates · {}", project.get()));
        load();
    });

    let show_job = move |name: String| {
        let project = project.get_untracked();
        spawn_local(async move {
            let text = match api::job_of_template(&project, &name).await {
                Ok(text) => text,
                Err(e) => e.message(),
            };
            job.set(Some((name, text)));
            focus_by_id("job-view-heading");
        });
    };
    let delete = move |name: String| {
        let project = project.get_untracked();
        spawn_local(async move {
            let message = match api::delete_job_template(&project, &name).await {
                Ok(()) => format!("Job template {name} deleted."),
                Err(e) => format!("{name} could not be deleted: {}", e.message()),
            };
            confirming.set(None);
            announcement.set(message);
            load();
            focus_by_id("templates-heading");
        });
    };

    let action = move |label: &'static str, t: &JobTemplate, run: Callback<JobTemplate>| {
        let target = t.clone();
        view! {
            <button type="button" class="button button--secondary"
                aria-label=format!("{label} {}", t.fields.name)
                on:click=move |_| run.run(target.clone())>{label}</button>
        }
    };
    // A new edit starts: the last save's message no longer applies.
    let edit = Callback::new(move |t: JobTemplate| {
        announcement.set(String::new());
        start.set(Start::Edit(t));
        focus_by_id("job-description");
    });
    let duplicate = Callback::new(move |t: JobTemplate| {
        announcement.set(String::new());
        start.set(Start::Duplicate(t));
        focus_by_id(NAME_ID);
    });
    let view_job = Callback::new(move |t: JobTemplate| show_job(t.fields.name));
    let ask_delete = Callback::new(move |t: JobTemplate| {
        confirming.set(Some(t.fields.name));
        focus_by_id("confirm-delete-template");
    });

    let row = move |t: JobTemplate| {
        let image = t.fields.image_pointer.clone().map_or_else(
            || t.image_reference.clone(),
            |p| format!("{p} ({})", t.image_reference),
        );
        view! {
            <tr>
                <th scope="row">{t.fields.name.clone()}<br/><span class="muted">{t.fields.description.clone()}</span></th>
                <td data-label="Image"><code><Breakable text=image/></code></td>
                <td data-label="CPU and memory">{t.fields.size.label()}</td>
                <td data-label="Instances">{t.instances}</td>
                <td><RowActions label=t.fields.name.clone()>
                    <RunButton template=t.clone() on_open=open_run/>
                    {action("Edit", &t, edit)}
                    {action("Duplicate", &t, duplicate)}
                    {action("As Kubernetes Job", &t, view_job)}
                    {action("Delete", &t, ask_delete)}
                </RowActions></td>
            </tr>
        }
    };
    let list_view = move || match state.get() {
        None => view! { <Loading message="Loading the job templates…"/> }.into_any(),
        Some(Err(error)) => view! {
            <ErrorPanel heading="The job templates could not be loaded." error=error
                on_retry=Callback::new(move |()| load())/>
        }
        .into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <p>"No job templates yet. Create one below."</p> }.into_any()
        }
        Some(Ok(items)) => view! {
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Job templates"</caption>
                    <thead><tr>
                        <th scope="col">"Name"</th><th scope="col">"Image"</th>
                        <th scope="col">"CPU and memory"</th><th scope="col">"Instances"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>{items.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any(),
    };
    let confirm_view = move || {
        confirming.get().map(|name| {
            let target = name.clone();
            view! {
                <div class="confirm" role="group" aria-labelledby="confirm-template-heading">
                    <h3 id="confirm-template-heading">{format!("Delete the job template {name}?")}</h3>
                    <p>"Its secret values are deleted with it."</p>
                    <div class="actions">
                        <button id="confirm-delete-template" type="button" class="button button--danger"
                            on:click=move |_| delete(target.clone())>"Delete job template"</button>
                        <button type="button" class="button button--secondary"
                            on:click=move |_| confirming.set(None)>"Cancel"</button>
                    </div>
                </div>
            }
        })
    };
    let job_view = move || {
        job.get().map(|(name, text)| {
            view! {
                <section class="panel" aria-labelledby="job-view-heading">
                    <h2 id="job-view-heading" tabindex="-1">{format!("{name} as a Kubernetes Job")}</h2>
                    <p>"Read only. Secret values appear as references to the template's Secret, never as text."</p>
                    <pre class="code-block" tabindex="0" aria-label=format!("Job of {name}")><code>{text}</code></pre>
                    <button type="button" class="button button--secondary" on:click=move |_| job.set(None)>"Close"</button>
                </section>
            }
        })
    };
    let on_saved = Callback::new(move |saved: JobTemplate| {
        announcement.set(format!("Job template {} saved.", saved.fields.name));
        start.set(Start::New);
        load();
        focus_by_id("templates-heading");
    });

    view! {
        <ProjectHeader project=project title="Job templates"/>
        <p class="banner">
            "A job template is a batch job kept ready to run: which image to start, the command it "
            "runs, and how much CPU and memory it gets. The command is the program the container "
            "starts with its arguments, like "<code>"python report.py --day today"</code>". "
            "With array indices, one template runs many instances at once, each told its own number "
            "(its index), for example to work on one part of the data each."
        </p>
        <p class="status-message" role="status" aria-live="polite">{move || announcement.get()}</p>
        <section class="panel" aria-labelledby="templates-heading">
            <h2 id="templates-heading" tabindex="-1">"Templates"</h2>
            <CannotRunNotice/>
            {list_view}
            {confirm_view}
        </section>
        {job_view}
        <RunDialog project=project template=to_run on_started=on_started/>
        <section class="panel" aria-labelledby="template-form-heading">
            <h2 id="template-form-heading">{move || match start.get() {
                Start::Edit(_) => "Change a job template",
                Start::Duplicate(_) => "Duplicate a job template",
                Start::New => "New job template",
            }}</h2>
            <JobTemplateForm project=project start=start pointers=pointers on_saved=on_saved
                on_conflict=Callback::new(move |()| load())/>
        </section>
    }
}
