//! The job template form: every field of a template, repeatable rows for the
//! command, the arguments and the environment, sensitive values in masked
//! inputs (left empty to keep the saved value), the instance count of the
//! indices as they are typed, and the server's answer next to each field.
//! Nothing typed is lost when saving fails.

use berth_shared::job_templates::{Indices, RETRY_LIMIT_MAX};
use berth_shared::{EnvVar, FieldError, ImagePointer, JobTemplate, ResourceSize, SaveJobTemplate};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{Row, TextRows, index_of, message_for, row, row_controls};
use crate::components::{SecretInput, TextField, focus_by_id};

pub const NAME_ID: &str = "job-name";
const FORM_ERROR_ID: &str = "job-form-error";

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
    pointers: RwSignal<Vec<ImagePointer>>,
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
    let submitted = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);

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
        submitted.set(false);
        server_errors.set(Vec::new());
        form_error.set(None);
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
    let errors = Signal::derive(move || {
        let mut all = if submitted.get() {
            request().validate(&stored.get())
        } else {
            Vec::new()
        };
        // The server's word for a field counts until the form has its own.
        let extra: Vec<FieldError> = server_errors.with(|s| {
            s.iter()
                .filter(|e| all.iter().all(|a| a.field != e.field))
                .cloned()
                .collect()
        });
        all.extend(extra);
        all
    });
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| message_for(e, field)));

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        server_errors.set(Vec::new());
        form_error.set(None);
        let body = request();
        if let Some(first) = body.validate(&stored.get_untracked()).first() {
            focus_by_id(field_id(&first.field, command, args, env));
            return;
        }
        pending.set(true);
        let project = project.get_untracked();
        let version = start.with_untracked(|s| match s {
            Start::Edit(t) => Some(t.stamps.version.clone()),
            _ => None,
        });
        spawn_local(async move {
            let result = api::save_job_template(&project, version.as_deref(), &body).await;
            pending.set(false);
            match result {
                Ok(saved) => {
                    on_saved.run(saved);
                }
                Err(error) => {
                    let fields = error
                        .problem()
                        .map(|p| p.errors.clone())
                        .unwrap_or_default();
                    let target = fields.first().map_or_else(
                        || FORM_ERROR_ID.to_owned(),
                        |e| field_id(&e.field, command, args, env),
                    );
                    if fields.is_empty() {
                        form_error.set(Some(error.message()));
                    }
                    if error.status() == Some(409) {
                        on_conflict.run(());
                    }
                    server_errors.set(fields);
                    focus_by_id(target);
                }
            }
        });
    };

    let instances = move || {
        let text = indices.get();
        match Indices::parse(&text) {
            Ok(i) if i.is_array() => format!("Runs {} instances.", i.instances()),
            Ok(_) => "Runs once (no indices).".to_owned(),
            Err(_) => "Not a valid list of indices yet.".to_owned(),
        }
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
            Signal::derive(move || {
                errors.with(|e| message_for(e, &format!("env[{}].{part}", index_of(env, key))))
            })
        };
        let kept = move || sensitive.get() && stored.with(|s| s.contains(&var.get()));
        let value_view = move || {
            if sensitive.get() {
                let hint = if kept() {
                    "Saved. Leave empty to keep it, or type a new value."
                } else {
                    "Write-only: Berth never shows it again."
                };
                view! { <SecretInput id=format!("env-{key}-value") label="Secret value" hint=hint value=value error=at("value")/> }.into_any()
            } else {
                view! { <TextField id=format!("env-{key}-value") label="Value" value=value error=at("value")/> }.into_any()
            }
        };
        view! {
            <div class="rows__row" role="group" aria-label=move || format!("Variable {}", index_of(env, key) + 1)>
                <TextField id=format!("env-{key}-name") label="Name" value=var error=at("name") required=true
                    hint="Letters, digits and _, not starting with a digit."/>
                <div class="field field--inline">
                    <input type="checkbox" role="switch" id=format!("env-{key}-sensitive")
                        prop:checked=move || sensitive.get()
                        on:change=move |ev| {
                            sensitive.set(event_target_checked(&ev));
                            value.set(String::new());
                        }/>
                    <label for=format!("env-{key}-sensitive")>"Sensitive (kept secret)"</label>
                </div>
                {value_view}
                {row_controls(env, key, "variable", "env")}
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
        .map(|z| view! { <option value=z.as_str() selected=move || size.get() == z.as_str()>{z.label()}</option> })
        .collect_view();

    view! {
        <form class="form" novalidate on:submit=on_submit>
            {move || if editing() {
                view! { <p class="fixed-value">"Changing " <strong>{move || name.get()}</strong></p> }.into_any()
            } else {
                view! {
                    <TextField id=NAME_ID label="Name" value=name error=error_for("name") required=true
                        hint="Up to 52 characters: lowercase letters, digits, “-” and “.”."/>
                }.into_any()
            }}
            <TextField id="job-description" label="Description" value=description
                error=error_for("description") multiline=true/>
            <div class="field">
                <label for="job-pointer" class="field__label">"Image"</label>
                <p id="job-pointer-hint" class="field__hint">"One of the project's images, or type an address below."</p>
                <select id="job-pointer" aria-describedby="job-pointer-hint"
                    prop:value=move || pointer.get()
                    on:change=move |ev| pointer.set(event_target_value(&ev))>
                    <option value="">"Type an image address"</option>
                    {pointer_options}
                </select>
            </div>
            <div hidden=move || !pointer.with(String::is_empty)>
                <TextField id="job-image" label="Image address" value=image error=error_for("image")
                    hint="As for docker pull: busybox, us.icr.io/team/app:1.0"/>
            </div>
            <p class="field__error" hidden=move || error_for("imagePointer").with(Option::is_none)>
                {move || error_for("imagePointer").get()}
            </p>
            <TextRows rows=command field="command" legend="Command" label="Command part" noun="command part"
                hint="The program the container starts, one word per row (python, report.py); leave it empty to run the image's own." errors=errors/>
            <TextRows rows=args field="args" legend="Arguments" label="Argument" noun="argument"
                hint="Passed to the command, one per row, in order." errors=errors/>
            <fieldset class="field rows">
                <legend class="field__label">"Environment variables"<span class="field__optional">" (optional)"</span></legend>
                <For each=move || env.get() key=|r| r.key children=env_row/>
                <button type="button" class="button button--secondary" id="env-add" on:click=add_env>"Add variable"</button>
            </fieldset>
            <div class="field">
                <label for="job-size" class="field__label">"CPU and memory"</label>
                <select id="job-size" prop:value=move || size.get()
                    on:change=move |ev| size.set(event_target_value(&ev))>
                    {size_options}
                </select>
            </div>
            <TextField id="job-indices" label="Array indices" value=indices error=error_for("indices")
                hint="Runs one instance per number listed (its index), for example 0-9,20,30-32 (at most 1000). Empty runs it once."/>
            <p class="muted" aria-live="polite">{instances}</p>
            <TextField id="job-retries" label="Retry limit" value=retry error=error_for("retryLimit")
                hint=format!("Runs again after a failure, 0 to {RETRY_LIMIT_MAX} times.")/>
            <TextField id="job-max-seconds" label="Maximum execution time (seconds)" value=max_seconds
                error=error_for("maxExecutionSeconds") hint="From 60 (1 minute) to 86400 (1 day)."/>
            <div id=FORM_ERROR_ID class="form-error" role="alert" tabindex="-1">
                {move || form_error.get()}
            </div>
            <div class="actions">
                <button type="submit" class="button" disabled=move || pending.get()>
                    {move || match (pending.get(), editing()) {
                        (true, _) => "Saving…",
                        (false, true) => "Save changes",
                        (false, false) => "Create template",
                    }}
                </button>
                <button type="button" class="button button--secondary"
                    on:click=move |_| start.set(Start::New)>"Clear"</button>
            </div>
        </form>
    }
}

/// The id of the input that shows `field`'s error.
fn field_id(
    field: &str,
    command: TextList,
    args: TextList,
    env: RwSignal<Vec<Row<EnvRow>>>,
) -> String {
    let indexed = |list: &str| -> Option<(usize, String)> {
        let rest = field.strip_prefix(list)?.strip_prefix('[')?;
        let (i, tail) = rest.split_once(']')?;
        Some((i.parse().ok()?, tail.trim_start_matches('.').to_owned()))
    };
    let key = |rows: TextList, i: usize| rows.with_untracked(|r| r.get(i).map(|x| x.key));
    if let Some((i, _)) = indexed("command")
        && let Some(k) = key(command, i)
    {
        return format!("command-{k}");
    }
    if let Some((i, _)) = indexed("args")
        && let Some(k) = key(args, i)
    {
        return format!("args-{k}");
    }
    if let Some((i, part)) = indexed("env")
        && let Some(k) = env.with_untracked(|r| r.get(i).map(|x| x.key))
    {
        return format!("env-{k}-{part}");
    }
    match field {
        "name" => NAME_ID,
        "description" => "job-description",
        "image" => "job-image",
        "imagePointer" => "job-pointer",
        "indices" => "job-indices",
        "retryLimit" => "job-retries",
        "maxExecutionSeconds" => "job-max-seconds",
        _ => FORM_ERROR_ID,
    }
    .to_owned()
}
