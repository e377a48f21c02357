//! The job template form: every field of a template, repeatable rows for the
//! command, the arguments and the environment, sensitive values in masked
//! inputs (left empty to keep the saved value), the instance count of the
//! indices as they are typed, and the server's answer next to each field.
//! Nothing typed is lost when saving fails.

use berth_shared::job_templates::{RETRY_LIMIT_MAX, TEMPLATE_NAME_MAX};
use berth_shared::{EnvVar, ImagePointer, JobTemplate, ResourceSize, SaveJobTemplate};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::super::indices::how_often;
use super::super::row_errors::{RowErrors, indexed};
use super::super::size::size_label;
use crate::api;
use crate::components::{FormState, Row, TextRows, index_of, row, row_controls};
use crate::components::{SecretInput, TextField, focus_by_id};
use crate::i18n::t;

pub const NAME_ID: &str = "job-name";
const FORM_ERROR_ID: &str = "job-form-error";

/// The fields the form shows, in page order: JSON field → input id. The
/// rows' fields (`env[2].name`) are `RowErrors`'.
const FIELDS: &[(&str, &str)] = &[
    ("name", NAME_ID),
    ("description", "job-description"),
    ("imagePointer", "job-pointer"),
    ("image", "job-image"),
    ("indices", "job-indices"),
    ("retryLimit", "job-retries"),
    ("maxExecutionSeconds", "job-max-seconds"),
];

/// What the form starts from.
#[derive(Clone, PartialEq)]
pub enum Start {
    New,
    Edit(JobTemplate),
    Duplicate(JobTemplate),
}

#[derive(Clone, Copy)]
struct EnvRow {
    name: RwSignal<String>,
    value: RwSignal<String>,
    sensitive: RwSignal<bool>,
}

type TextList = RwSignal<Vec<Row<RwSignal<String>>>>;

fn text_rows(items: &[String]) -> Vec<Row<RwSignal<String>>> {
    items
        .iter()
        .map(|s| row(RwSignal::new(s.clone())))
        .collect()
}

#[component]
pub fn JobTemplateForm(
    #[prop(into)] project: Signal<String>,
    start: RwSignal<Start>,
    #[prop(into)] pointers: Signal<Vec<ImagePointer>>,
    on_saved: Callback<JobTemplate>,
    /// Someone else changed the template: the list fetches the new version.
    on_conflict: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let pointer = RwSignal::new(String::new());
    let image = RwSignal::new(String::new());
    let command: TextList = RwSignal::new(Vec::new());
    let args: TextList = RwSignal::new(Vec::new());
    let env = RwSignal::new(Vec::<Row<EnvRow>>::new());
    let size = RwSignal::new(ResourceSize::default().as_str().to_owned());
    let indices = RwSignal::new(String::new());
    let retry = RwSignal::new(String::new());
    let max_seconds = RwSignal::new(String::new());
    // Sensitive variables whose value the server has (and keeps if left empty).
    let stored = RwSignal::new(Vec::<String>::new());

    let texts = |list: TextList| list.with(|r| r.iter().map(|x| x.item.get()).collect());
    let request = move || SaveJobTemplate {
        name: name.get(),
        description: description.get(),
        image_pointer: Some(pointer.get()).filter(|p| !p.is_empty()),
        image: if pointer.with(String::is_empty) {
            image.get()
        } else {
            String::new()
        },
        command: texts(command),
        args: texts(args),
        env: env.with(|r| {
            r.iter()
                .map(|x| EnvVar {
                    name: x.item.name.get(),
                    value: x.item.value.get(),
                    sensitive: x.item.sensitive.get(),
                })
                .collect()
        }),
        size: ResourceSize::from_str_opt(&size.get()).unwrap_or_default(),
        indices: indices.get(),
        // Not a number: out of range, so the rule explains it.
        retry_limit: retry.get().trim().parse().unwrap_or(u32::MAX),
        max_execution_seconds: max_seconds.get().trim().parse().unwrap_or(0),
        copy_sensitive_from: start.with(|s| match s {
            Start::Duplicate(t) => Some(t.fields.name.clone()),
            _ => None,
        }),
    };
    let own = Memo::new(move |_| request().validate(&stored.get()));
    let form = FormState::new(FIELDS, FORM_ERROR_ID, own);
    let rows = RowErrors::new(own);

    // The rows' signals belong to the form, not to the effect below: an
    // effect disposes what it made when it runs again, and the old rows'
    // views still read their signals until they are removed. (Disposed,
    // that read panicked and left the page dead after a second "Edit".)
    let fill = move |start: Start| {
        let (t, keep) = match start {
            Start::New => (SaveJobTemplate::default(), false),
            Start::Edit(t) => (t.fields, true),
            Start::Duplicate(t) => {
                let copy = format!("{}-copy", t.fields.name);
                (
                    SaveJobTemplate {
                        name: copy,
                        ..t.fields
                    },
                    true,
                )
            }
        };
        name.set(t.name);
        description.set(t.description);
        pointer.set(t.image_pointer.unwrap_or_default());
        image.set(t.image);
        command.set(text_rows(&t.command));
        args.set(text_rows(&t.args));
        stored.set(if keep {
            t.env
                .iter()
                .filter(|v| v.sensitive)
                .map(|v| v.name.clone())
                .collect()
        } else {
            Vec::new()
        });
        env.set(
            t.env
                .into_iter()
                .map(|v| {
                    row(EnvRow {
                        name: RwSignal::new(v.name),
                        value: RwSignal::new(v.value),
                        sensitive: RwSignal::new(v.sensitive),
                    })
                })
                .collect(),
        );
        size.set(t.size.as_str().to_owned());
        indices.set(t.indices);
        retry.set(t.retry_limit.to_string());
        max_seconds.set(t.max_execution_seconds.to_string());
        form.reset();
        rows.reset();
    };
    let owner = Owner::current();
    Effect::new(move |_| {
        let start = start.get();
        match &owner {
            Some(owner) => owner.with(|| untrack(|| fill(start))),
            None => untrack(|| fill(start)),
        }
    });

    let editing = move || start.with(|s| matches!(s, Start::Edit(_)));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !rows.begin(form, |field| row_id(field, command, args, env)) {
            return;
        }
        let body = request();
        let project = project.get_untracked();
        let version = start.with_untracked(|s| match s {
            Start::Edit(t) => Some(t.stamps.version.clone()),
            _ => None,
        });
        spawn_local(async move {
            match api::save_job_template(&project, version.as_deref(), &body).await {
                Ok(saved) => {
                    form.reset();
                    rows.reset();
                    on_saved.run(saved);
                }
                Err(error) => {
                    form.fail(&error);
                    if error.status() == Some(409) {
                        on_conflict.run(());
                    }
                }
            }
        });
    };

    let add_env = move |_| {
        let new = row(EnvRow {
            name: RwSignal::new(String::new()),
            value: RwSignal::new(String::new()),
            sensitive: RwSignal::new(false),
        });
        env.update(|r| r.push(new));
        focus_by_id(format!("env-{}-name", new.key));
    };
    let env_row = move |r: Row<EnvRow>| {
        let EnvRow {
            name: var,
            value,
            sensitive,
        } = r.item;
        let key = r.key;
        let at = move |part: &'static str| {
            rows.at(key, move || format!("env[{}].{part}", index_of(env, key)))
        };
        let touched = rows.touch(key);
        let kept = move || sensitive.get() && stored.with(|s| s.contains(&var.get()));
        let value_view = move || {
            if sensitive.get() {
                let hint = if kept() {
                    t!("Saved. Leave empty to keep it, or type a new value.")
                } else {
                    t!("Berth never shows this value again once it is saved.")
                };
                view! {
                    <SecretInput id=format!("env-{key}-value") label=t!("Secret value") hint=hint
                        value=value error=at("value") on_edit=touched/>
                }
                .into_any()
            } else {
                view! {
                    <TextField id=format!("env-{key}-value") label=t!("Value") value=value
                        error=at("value") on_edit=touched/>
                }
                .into_any()
            }
        };
        let switch_id = format!("env-{key}-sensitive");
        let switch_hint = format!("env-{key}-sensitive-hint");
        view! {
            <div class="rows__row" role="group"
                aria-label=move || t!("Variable {number}", number = index_of(env, key) + 1)>
                <TextField id=format!("env-{key}-name") label=t!("Name") value=var error=at("name")
                    required=true on_edit=touched
                    hint=t!("Letters, digits and _, not starting with a digit.")/>
                // A line of its own, with what it does: it changes the field below.
                <div class="field" style:flex-basis="100%">
                    <div class="field--inline">
                        <input type="checkbox" role="switch" id=switch_id.clone()
                            aria-describedby=switch_hint.clone()
                            prop:checked=move || sensitive.get()
                            on:change=move |ev| {
                                sensitive.set(event_target_checked(&ev));
                                value.set(String::new());
                            }/>
                        <label for=switch_id>{t!("Sensitive (kept secret)")}</label>
                    </div>
                    <p id=switch_hint class="field__hint">
                        {t!("For passwords, tokens and keys: the value is kept secret, and nobody can read it in Berth after saving, not even you.")}
                    </p>
                </div>
                {value_view}
                {row_controls(env, key, t!("variable"), "env")}
            </div>
        }
    };

    let pointer_options = move || {
        pointers
            .get()
            .into_iter()
            .map(|p| {
                let label = format!("{} ({})", p.name, p.reference);
                view! { <option value=p.name.clone() selected=pointer.get_untracked() == p.name>{label}</option> }
            })
            .collect_view()
    };
    let size_options = ResourceSize::ALL
        .into_iter()
        .map(|z| view! { <option value=z.as_str() selected=move || size.get() == z.as_str()>{size_label(z)}</option> })
        .collect_view();
    let pointer_error = form.error_for("imagePointer");
    let edited_pointer = form.mark("imagePointer");

    view! {
        <form class="form" novalidate on:submit=on_submit>
            {move || if editing() {
                view! { <p class="fixed-value">{t!("Changing {name}", name = name.get())}</p> }.into_any()
            } else {
                view! {
                    <TextField id=NAME_ID label=t!("Name") value=name error=form.error_for("name")
                        required=true on_edit=form.mark("name")
                        hint=t!("Up to {max} characters: lowercase letters, digits, “-” and “.”.", max = TEMPLATE_NAME_MAX)/>
                }.into_any()
            }}
            <TextField id="job-description" label=t!("Description") value=description
                error=form.error_for("description") on_edit=form.mark("description") multiline=true/>
            <div class="field" class:field--invalid=move || pointer_error.with(Option::is_some)>
                <label for="job-pointer" class="field__label">{t!("Image")}</label>
                <p id="job-pointer-hint" class="field__hint">
                    {t!("The image holds the program: choose one of the project's images, or type an address below.")}
                </p>
                <p id="job-pointer-error" class="field__error" hidden=move || pointer_error.with(Option::is_none)>
                    {move || pointer_error.get()}
                </p>
                <select id="job-pointer"
                    aria-describedby=move || if pointer_error.with(Option::is_some) {
                        "job-pointer-hint job-pointer-error"
                    } else {
                        "job-pointer-hint"
                    }
                    prop:value=move || pointer.get()
                    on:change=move |ev| {
                        pointer.set(event_target_value(&ev));
                        edited_pointer.run(());
                    }>
                    <option value="">{t!("Type an image address")}</option>
                    {pointer_options}
                </select>
            </div>
            <div hidden=move || !pointer.with(String::is_empty)>
                <TextField id="job-image" label=t!("Image address") value=image
                    error=form.error_for("image") on_edit=form.mark("image")
                    hint=t!("For example busybox or us.icr.io/team/app:1.0.")/>
            </div>
            <TextRows rows=command field="command" legend=t!("Command") label=t!("Command part")
                noun=t!("command part") errors=rows.listed()
                hint=t!("The program to start, one word per row, for example python in the first row and report.py in the second. Leave it empty to start the program the image was made for.")/>
            <TextRows rows=args field="args" legend=t!("Arguments") label=t!("Argument") noun=t!("argument")
                errors=rows.listed()
                hint=t!("More words for the command, one per row, in order, for example --day in one row and today in the next.")/>
            <fieldset class="field rows">
                <legend class="field__label">
                    {t!("Environment variables")}<span class="field__optional">{t!(" (optional)")}</span>
                </legend>
                <p class="field__hint">
                    {t!("Named values the program can read while it runs, for example GREETING with the value hello.")}
                </p>
                <For each=move || env.get() key=|r| r.key children=env_row/>
                <button type="button" class="button button--secondary" id="env-add" on:click=add_env>
                    {t!("Add variable")}
                </button>
            </fieldset>
            <div class="field">
                <label for="job-size" class="field__label">{t!("CPU and memory")}</label>
                <p id="job-size-hint" class="field__hint">{t!("How much computing power each run gets.")}</p>
                <select id="job-size" aria-describedby="job-size-hint" prop:value=move || size.get()
                    on:change=move |ev| size.set(event_target_value(&ev))>
                    {size_options}
                </select>
            </div>
            <TextField id="job-indices" label=t!("Array indices") value=indices
                error=form.error_for("indices") on_edit=form.mark("indices")
                hint=t!("To run the command several times at once: one run per number listed, for example 0-9,20,30-32 (at most 1000). Leave it empty to run it once.")/>
            <p class="muted" aria-live="polite">{move || how_often(&indices.get())}</p>
            <TextField id="job-retries" label=t!("Retry limit") value=retry
                error=form.error_for("retryLimit") on_edit=form.mark("retryLimit")
                hint=t!("How many times a run that fails starts again: 0 to {max}.", max = RETRY_LIMIT_MAX)/>
            <TextField id="job-max-seconds" label=t!("Maximum execution time (seconds)") value=max_seconds
                error=form.error_for("maxExecutionSeconds") on_edit=form.mark("maxExecutionSeconds")
                hint=t!("From 60 (1 minute) to 86400 (1 day). A run that takes longer is stopped.")/>
            <div id=form.form_error_id() class="form-error" role="alert" tabindex="-1">
                {move || form.form_error().get()}
            </div>
            <div class="actions">
                <button type="submit" class="button" disabled=move || form.pending().get()>
                    {move || match (form.pending().get(), editing()) {
                        (true, _) => t!("Saving…"),
                        (false, true) => t!("Save changes"),
                        (false, false) => t!("Create template"),
                    }}
                </button>
                <button type="button" class="button button--secondary"
                    on:click=move |_| start.set(Start::New)>{t!("Clear")}</button>
            </div>
        </form>
    }
}

/// The id of the input of a row's field (`env[2].name`); the form's
/// message when the row is gone.
fn row_id(
    field: &str,
    command: TextList,
    args: TextList,
    env: RwSignal<Vec<Row<EnvRow>>>,
) -> String {
    let key = |rows: TextList, i: usize| rows.with_untracked(|r| r.get(i).map(|x| x.key));
    if let Some((i, _)) = indexed(field, "command")
        && let Some(k) = key(command, i)
    {
        return format!("command-{k}");
    }
    if let Some((i, _)) = indexed(field, "args")
        && let Some(k) = key(args, i)
    {
        return format!("args-{k}");
    }
    if let Some((i, part)) = indexed(field, "env")
        && let Some(k) = env.with_untracked(|r| r.get(i).map(|x| x.key))
    {
        return format!("env-{k}-{part}");
    }
    FORM_ERROR_ID.to_owned()
}
