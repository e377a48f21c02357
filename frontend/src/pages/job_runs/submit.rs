//! The Run button of a job template and its dialog: run the template as it
//! is, or change the indices, the arguments and the values of plain
//! variables for this run only. The dialog checks what is typed with the
//! rules the server uses, shows each problem next to its field, and keeps
//! everything typed when starting fails.

use berth_shared::job_templates::Indices;
use berth_shared::{EnvOverride, FieldError, JobRun, JobTemplate, SubmitJobRun, UiConfig};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::status_bar::instances;
use crate::api;
use crate::components::{
    Modal, Row, TextField, TextRows, focus_by_id, index_of, message_for, row, row_controls,
};

/// The id of the sentence that says why nothing can run.
pub const CANNOT_RUN_ID: &str = "cannot-run-reason";
const FORM_ERROR_ID: &str = "run-form-error";

/// Whether this Berth can run jobs at all (`None` until the config is in).
pub fn jobs_can_run() -> Signal<bool> {
    let config = use_context::<ReadSignal<Option<UiConfig>>>();
    Signal::derive(move || {
        config
            .and_then(|c| c.with(|c| c.as_ref().map(|c| c.jobs_can_run)))
            .unwrap_or(true)
    })
}

/// Why nothing can run, shown before anyone presses Run; empty when runs
/// are possible.
#[component]
pub fn CannotRunNotice() -> impl IntoView {
    let can_run = jobs_can_run();
    move || {
        (!can_run.get()).then(|| {
            view! {
                <p id=CANNOT_RUN_ID class="banner banner--warning">
                    "Jobs cannot run on this Berth: it keeps its data on this computer and finds no "
                    "container engine (podman or docker) to start the programs with. You can still "
                    "keep templates and look at past runs. To run jobs, ask whoever looks after this "
                    "Berth to install podman or docker, or to connect Berth to a Kubernetes cluster."
                </p>
            }
        })
    }
}

/// The id of the Run button of `template` (focus returns there when the dialog closes).
pub fn run_button_id(template: &str) -> String {
    format!("run-{template}")
}

/// The Run button of one template. Disabled, and pointing at the reason,
/// when this Berth cannot run anything.
#[component]
pub fn RunButton(template: JobTemplate, on_open: Callback<JobTemplate>) -> impl IntoView {
    let can_run = jobs_can_run();
    let name = template.fields.name.clone();
    view! {
        <button type="button" class="button" id=run_button_id(&name)
            aria-label=format!("Run {name}")
            disabled=move || !can_run.get()
            aria-describedby=move || (!can_run.get()).then_some(CANNOT_RUN_ID)
            on:click=move |_| on_open.run(template.clone())>"Run"</button>
    }
}

#[derive(Clone, Copy)]
struct VarRow {
    name: RwSignal<String>,
    value: RwSignal<String>,
    /// Named in the template (its name is fixed here).
    from_template: bool,
}

/// The dialog, open while `template` holds one.
#[component]
pub fn RunDialog(
    #[prop(into)] project: Signal<String>,
    template: RwSignal<Option<JobTemplate>>,
    on_started: Callback<JobRun>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let indices = RwSignal::new(String::new());
    let args = RwSignal::new(Vec::<Row<RwSignal<String>>>::new());
    let vars = RwSignal::new(Vec::<Row<VarRow>>::new());
    let pending = RwSignal::new(false);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);

    // Filled from the template each time the dialog opens for one. The
    // rows' signals belong to the dialog, not to this effect (see the
    // template form).
    let fill = move |t: &JobTemplate| {
        indices.set(t.fields.indices.clone());
        args.set(
            t.fields
                .args
                .iter()
                .map(|a| row(RwSignal::new(a.clone())))
                .collect(),
        );
        vars.set(
            t.fields
                .env
                .iter()
                .filter(|v| !v.sensitive)
                .map(|v| {
                    row(VarRow {
                        name: RwSignal::new(v.name.clone()),
                        value: RwSignal::new(v.value.clone()),
                        from_template: true,
                    })
                })
                .collect(),
        );
        server_errors.set(Vec::new());
        form_error.set(None);
    };
    let owner = Owner::current();
    // Each effect writes only on a real change: the two watch each other.
    Effect::new(move |_| {
        let Some(t) = template.get() else {
            if open.get_untracked() {
                open.set(false);
            }
            return;
        };
        match &owner {
            Some(owner) => owner.with(|| untrack(|| fill(&t))),
            None => untrack(|| fill(&t)),
        }
        open.set(true);
        focus_by_id("run-indices");
    });
    // Closed by Escape or Cancel: nothing to run any more.
    Effect::new(move |_| {
        if !open.get() && template.with_untracked(Option::is_some) {
            template.set(None);
        }
    });

    // What this run changes: only what differs from the template, and
    // every plain variable (changed or not) so errors point at their row.
    let body = move || {
        template.with(|t| {
            let Some(t) = t else {
                return SubmitJobRun::default();
            };
            let typed_args: Vec<String> = args.with(|r| r.iter().map(|x| x.item.get()).collect());
            let typed_indices = indices.get();
            SubmitJobRun {
                indices: (typed_indices != t.fields.indices).then_some(typed_indices),
                args: (typed_args != t.fields.args).then_some(typed_args),
                env: vars.with(|r| {
                    r.iter()
                        .map(|x| EnvOverride {
                            name: x.item.name.get(),
                            value: x.item.value.get(),
                        })
                        .collect()
                }),
            }
        })
    };
    let errors = Signal::derive(move || {
        let mut all = template.with(|t| t.as_ref().map(|t| body().validate(t)).unwrap_or_default());
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
    // A change clears the server's word on the fields (it answered another request).
    let edited = Callback::new(move |()| server_errors.set(Vec::new()));

    let count = move || match Indices::parse(&indices.get()) {
        Ok(i) if i.is_array() => format!("Runs {}.", instances(i.instances())),
        Ok(_) => "Runs once (no indices).".to_owned(),
        Err(_) => "Not a valid list of indices yet.".to_owned(),
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(name) = template.with_untracked(|t| t.as_ref().map(|t| t.fields.name.clone()))
        else {
            return;
        };
        form_error.set(None);
        let request = body();
        if let Some(first) = errors.get_untracked().first() {
            focus_by_id(field_id(&first.field, args, vars));
            return;
        }
        pending.set(true);
        let project = project.get_untracked();
        spawn_local(async move {
            let result = api::submit_job_run(&project, &name, &request).await;
            pending.set(false);
            match result {
                Ok(run) => {
                    open.set(false);
                    on_started.run(run);
                }
                Err(error) => {
                    let fields = error
                        .problem()
                        .map(|p| p.errors.clone())
                        .unwrap_or_default();
                    let target = fields.first().map_or_else(
                        || FORM_ERROR_ID.to_owned(),
                        |e| field_id(&e.field, args, vars),
                    );
                    if fields.is_empty() {
                        form_error.set(Some(error.message()));
                    }
                    server_errors.set(fields);
                    focus_by_id(target);
                }
            }
        });
    };

    let add_var = move |_| {
        let new = row(VarRow {
            name: RwSignal::new(String::new()),
            value: RwSignal::new(String::new()),
            from_template: false,
        });
        vars.update(|r| r.push(new));
        focus_by_id(format!("run-env-{}-name", new.key));
    };
    let var_row = move |r: Row<VarRow>| {
        let VarRow {
            name,
            value,
            from_template,
        } = r.item;
        let key = r.key;
        let at = move |part: &'static str| {
            Signal::derive(move || {
                errors.with(|e| message_for(e, &format!("env[{}].{part}", index_of(vars, key))))
            })
        };
        let name_view = if from_template {
            view! {
                <p class="fixed-value" id=format!("run-env-{key}-name")>
                    "Variable " <code>{move || name.get()}</code>
                </p>
            }
            .into_any()
        } else {
            view! {
                <TextField id=format!("run-env-{key}-name") label="Name" value=name error=at("name")
                    required=true on_edit=edited hint="Letters, digits and _, not starting with a digit."/>
            }
            .into_any()
        };
        let group = move || {
            if from_template {
                format!("Variable {}", name.get())
            } else {
                format!("Added variable {}", index_of(vars, key) + 1)
            }
        };
        view! {
            <div class="rows__row" role="group" aria-label=group>
                {name_view}
                <TextField id=format!("run-env-{key}-value")
                    label=if from_template { format!("Value of {}", name.get_untracked()) } else { "Value".to_owned() }
                    value=value error=at("value") on_edit=edited/>
                {(!from_template).then(|| row_controls(vars, key, "added variable", "run-env"))}
            </div>
        }
    };
    let secret_names = move || {
        template.with(|t| {
            t.as_ref()
                .map(|t| {
                    t.fields
                        .env
                        .iter()
                        .filter(|v| v.sensitive)
                        .map(|v| v.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let secrets_view = move || {
        let names = secret_names();
        (!names.is_empty()).then(|| {
            view! {
                <p class="field__hint">
                    "Secret variables keep their saved values: "
                    {names.join(", ")}
                    ". Change them in the template."
                </p>
            }
        })
    };
    let title = move || {
        template.with(|t| {
            t.as_ref()
                .map(|t| format!("Run {}", t.fields.name))
                .unwrap_or_default()
        })
    };
    let return_focus = Signal::derive(move || {
        template.with(|t| {
            t.as_ref()
                .map(|t| run_button_id(&t.fields.name))
                .unwrap_or_default()
        })
    });

    view! {
        <Modal open=open labelled_by="run-dialog-title" return_focus=return_focus>
            <h2 id="run-dialog-title">{title}</h2>
            <p>"Runs the template as it is saved. You can change these settings for this run only; the template stays as it is."</p>
            <form class="form" novalidate on:submit=submit>
                <TextField id="run-indices" label="Array indices" value=indices error=error_for("indices")
                    on_edit=edited
                    hint="One instance runs per number listed (its index), for example 0-9,20. Empty runs it once."/>
                <p class="muted" aria-live="polite">{count}</p>
                <TextRows rows=args field="args" legend="Arguments" label="Argument" noun="argument"
                    hint="Passed to the command, one per row, in order." errors=errors id_prefix="run-args"/>
                <fieldset class="field rows">
                    <legend class="field__label">"Environment variables"<span class="field__optional">" (optional)"</span></legend>
                    {secrets_view}
                    <For each=move || vars.get() key=|r| r.key children=var_row/>
                    <button type="button" class="button button--secondary" id="run-env-add" on:click=add_var>"Add variable"</button>
                </fieldset>
                <div id=FORM_ERROR_ID class="form-error" role="alert" tabindex="-1">
                    {move || form_error.get()}
                </div>
                <div class="dialog__actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        {move || if pending.get() { "Starting…" } else { "Start run" }}
                    </button>
                    <button type="button" class="button button--secondary" on:click=move |_| open.set(false)>
                        "Cancel"
                    </button>
                </div>
            </form>
        </Modal>
    }
}

/// The id of the input that shows `field`'s error.
fn field_id(
    field: &str,
    args: RwSignal<Vec<Row<RwSignal<String>>>>,
    vars: RwSignal<Vec<Row<VarRow>>>,
) -> String {
    let indexed = |list: &str| -> Option<(usize, String)> {
        let rest = field.strip_prefix(list)?.strip_prefix('[')?;
        let (i, tail) = rest.split_once(']')?;
        Some((i.parse().ok()?, tail.trim_start_matches('.').to_owned()))
    };
    if let Some((i, _)) = indexed("args")
        && let Some(k) = args.with_untracked(|r| r.get(i).map(|x| x.key))
    {
        return format!("run-args-{k}");
    }
    if let Some((i, part)) = indexed("env")
        && let Some((k, fixed)) =
            vars.with_untracked(|r| r.get(i).map(|x| (x.key, x.item.from_template)))
    {
        // A template variable's name cannot be typed: its value is the field.
        let part = if fixed { "value" } else { part.as_str() };
        return format!("run-env-{k}-{part}");
    }
    match field {
        "indices" => "run-indices",
        _ => FORM_ERROR_ID,
    }
    .to_owned()
}
