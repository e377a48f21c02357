//! The job templates page (`/projects/:name/job-templates`): the project's
//! templates with run, edit, duplicate, delete and their technical details
//! (the job each would become), and the form.

mod form;
mod job_view;

use berth_shared::{JobRun, JobTemplate};
use leptos::prelude::*;
use leptos::task::spawn_local;

use self::form::{JobTemplateForm, NAME_ID, Start};
use self::job_view::{HEADING_ID as JOB_VIEW_ID, JobView, Shown};
use super::runs::{CannotRunNotice, RunButton, RunDialog};
use super::size::size_label;
use crate::api;
use crate::components::{
    Breakable, EmptyState, ListWords, Loader, ProjectHeader, Remote, RowActions, focus_by_id,
    remote_list, set_page_title,
};
use crate::i18n::{intl, t};
use crate::router::{navigator, use_project_name};

const SAVED_ID: &str = "template-saved";
const OUTCOME_ID: &str = "template-outcome";

#[component]
pub fn JobTemplatesPage() -> impl IntoView {
    let project = use_project_name();
    let list = Loader::new(
        project,
        |p| async move { api::list_job_templates(&p).await },
    );
    let images = Loader::new(project, |p| async move { api::list_images(&p).await });
    // The form offers the project's images; without them, an address.
    let pointers = Signal::derive(move || {
        images.state.with(|s| match s {
            Remote::Loaded(items) => items.clone(),
            _ => Vec::new(),
        })
    });
    let start = RwSignal::new(Start::New);
    // What the last save did, shown at the form.
    let saved = RwSignal::new(None::<String>);
    // What the last deletion did: done, or why not.
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let confirming = RwSignal::new(None::<String>);
    let deleting = RwSignal::new(false);
    let job = RwSignal::new(None::<Shown>);
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

    Effect::new(move |_| {
        set_page_title(&t!("Job templates · {project}", project = project.get()));
    });

    let show_job = move |name: String| {
        let project = project.get_untracked();
        spawn_local(async move {
            let text = api::job_of_template(&project, &name)
                .await
                .map_err(|e| e.message());
            job.set(Some(Shown { name, text }));
            focus_by_id(JOB_VIEW_ID);
        });
    };
    let delete = move |name: String| {
        if deleting.get_untracked() {
            return;
        }
        deleting.set(true);
        let project = project.get_untracked();
        spawn_local(async move {
            let result = api::delete_job_template(&project, &name).await;
            deleting.set(false);
            confirming.set(None);
            outcome.set(Some(match result {
                Ok(()) => Ok(t!("Job template {name} deleted.", name = name)),
                Err(e) => Err(t!(
                    "The job template {name} could not be deleted: {reason}",
                    name = name,
                    reason = e.message()
                )),
            }));
            list.reload();
            focus_by_id(OUTCOME_ID);
        });
    };

    let action =
        move |label: &'static str, aria: String, t: &JobTemplate, run: Callback<JobTemplate>| {
            let target = t.clone();
            view! {
                <button type="button" class="button button--secondary" aria-label=aria
                    on:click=move |_| run.run(target.clone())>{label}</button>
            }
        };
    // A new edit starts: the last messages no longer apply.
    let forget = move || {
        saved.set(None);
        outcome.set(None);
    };
    let edit = Callback::new(move |t: JobTemplate| {
        forget();
        start.set(Start::Edit(t));
        focus_by_id("job-description");
    });
    let duplicate = Callback::new(move |t: JobTemplate| {
        forget();
        start.set(Start::Duplicate(t));
        focus_by_id(NAME_ID);
    });
    let view_job = Callback::new(move |t: JobTemplate| show_job(t.fields.name));
    let ask_delete = Callback::new(move |t: JobTemplate| {
        confirming.set(Some(t.fields.name));
        focus_by_id("confirm-delete-template");
    });

    let row = move |t: JobTemplate| {
        let name = t.fields.name.clone();
        let image = t.fields.image_pointer.clone().map_or_else(
            || t.image_reference.clone(),
            |p| format!("{p} ({})", t.image_reference),
        );
        view! {
            <tr>
                <th scope="row">{name.clone()}<br/><span class="muted">{t.fields.description.clone()}</span></th>
                <td data-label=t!("Image")><code><Breakable text=image/></code></td>
                <td data-label=t!("CPU and memory")>{size_label(t.fields.size)}</td>
                <td data-label=t!("Instances")>{intl::number(t.instances as usize)}</td>
                <td><RowActions label=name.clone()>
                    <RunButton template=t.clone() on_open=open_run/>
                    {action(t!("Edit"), t!("Edit {name}", name = name), &t, edit)}
                    {action(t!("Duplicate"), t!("Duplicate {name}", name = name), &t, duplicate)}
                    {action(t!("Technical details"), t!("Technical details of {name}", name = name), &t, view_job)}
                    {action(t!("Delete"), t!("Delete {name}", name = name), &t, ask_delete)}
                </RowActions></td>
            </tr>
        }
    };
    let words = ListWords {
        loading: t!("Loading the job templates…"),
        failed: t!("The job templates could not be loaded."),
    };
    let list_view = move || {
        remote_list(
            list.state.get(),
            words,
            Callback::new(move |()| list.reload()),
            || {
                view! {
                    <EmptyState title=t!("No job templates yet.")>
                        <p>{t!("Create one with the form below.")}</p>
                    </EmptyState>
                }
                .into_any()
            },
            move |items| {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <caption class="visually-hidden">{t!("Job templates")}</caption>
                            <thead><tr>
                                <th scope="col">{t!("Name")}</th><th scope="col">{t!("Image")}</th>
                                <th scope="col">{t!("CPU and memory")}</th><th scope="col">{t!("Instances")}</th>
                                <th scope="col"><span class="visually-hidden">{t!("Actions")}</span></th>
                            </tr></thead>
                            <tbody>{items.into_iter().map(row).collect_view()}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            },
        )
    };
    let outcome_view = move || {
        outcome.get().map(|o| match o {
            Ok(done) => view! {
                <p id=OUTCOME_ID class="banner banner--success" role="status" tabindex="-1">{done}</p>
            }
            .into_any(),
            Err(why) => view! {
                <p id=OUTCOME_ID class="banner banner--error" role="alert" tabindex="-1">{why}</p>
            }
            .into_any(),
        })
    };
    let confirm_view = move || {
        confirming.get().map(|name| {
            let target = name.clone();
            view! {
                <div class="confirm" role="group" aria-labelledby="confirm-template-heading">
                    <h3 id="confirm-template-heading">{t!("Delete the job template {name}?", name = name)}</h3>
                    <p>{t!("Its sensitive values are deleted with it.")}</p>
                    <div class="actions">
                        <button id="confirm-delete-template" type="button" class="button button--danger"
                            disabled=move || deleting.get()
                            on:click=move |_| delete(target.clone())>
                            {move || if deleting.get() { t!("Deleting…") } else { t!("Delete job template") }}
                        </button>
                        <button type="button" class="button button--secondary"
                            on:click=move |_| confirming.set(None)>{t!("Cancel")}</button>
                    </div>
                </div>
            }
        })
    };
    let on_saved = Callback::new(move |done: JobTemplate| {
        outcome.set(None);
        saved.set(Some(t!(
            "Job template {name} saved.",
            name = done.fields.name
        )));
        start.set(Start::New);
        list.reload();
        focus_by_id(SAVED_ID);
    });

    view! {
        <ProjectHeader project=project title=t!("Job templates")
            intro=t!("A job template is a task kept ready to run: the program to start, what it is told to do, and how much computing power it gets.")/>
        <div class="banner banner--info">
            <p>{t!(
                "The command is what a run does: the program to start and the words it is given, for example {example}. Leave it empty to start the program the image was made for.",
                example = "python report.py --day today"
            )}</p>
            <p>{t!("Array indices run the same command several times at once, for example once for each part of your data. Each run is told which one it is: the environment variable JOB_COMPLETION_INDEX holds its place in the list (0 for the first run, 1 for the second, and so on; with 0-9 that is the number itself), and BERTH_ARRAY_INDICES holds the whole list.")}</p>
        </div>
        <section class="panel" aria-labelledby="templates-heading">
            <h2 id="templates-heading" tabindex="-1">{t!("Templates")}</h2>
            <CannotRunNotice/>
            {outcome_view}
            <div aria-busy=list.aria_busy()>{list_view}</div>
            {confirm_view}
        </section>
        <JobView shown=job/>
        <RunDialog project=project template=to_run on_started=on_started/>
        <section class="panel" aria-labelledby="template-form-heading">
            <h2 id="template-form-heading">{move || match start.get() {
                Start::Edit(_) => t!("Change a job template"),
                Start::Duplicate(_) => t!("Duplicate a job template"),
                Start::New => t!("New job template"),
            }}</h2>
            {move || saved.get().map(|message| view! {
                <p id=SAVED_ID class="banner banner--success" role="status" tabindex="-1">{message}</p>
            })}
            <JobTemplateForm project=project start=start pointers=pointers on_saved=on_saved
                on_conflict=Callback::new(move |()| list.reload())/>
        </section>
    }
}
