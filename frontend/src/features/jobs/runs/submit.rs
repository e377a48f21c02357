//! The Run button of a job template and its dialog: run the template as it
//! is, or change the indices, the arguments and the values of plain
//! variables for this run only. The dialog checks what is typed with the
//! rules the server uses, shows each problem next to its field, and keeps
//! everything typed when starting fails.

use berth_shared::{EnvOverride, JobRun, JobTemplate, SubmitJobRun, UiConfig};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::super::indices::how_often;
use super::super::row_errors::{RowErrors, indexed};
use crate::api;
use crate::components::{
    FormState, Modal, Row, TextField, TextRows, focus_by_id, index_of, row, row_controls,
};
use crate::i18n::t;

/// The id of the sentence that says why nothing can run.
pub const CANNOT_RUN_ID: &str = "cannot-run-reason";
const FORM_ERROR_ID: &str = "run-form-error";

/// The dialog's fields in page order; the rows' are `RowErrors`'.
const FIELDS: &[(&str, &str)] = &[("indices", "run-indices")];

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
                    {t!("Jobs cannot run on this Berth: it keeps its data on this computer and finds no container engine (podman or docker) to start the programs with. You can still keep templates and look at past runs. To run jobs, ask whoever looks after this Berth to install podman or docker, or to connect Berth to a Kubernetes cluster.")}
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
            aria-label=t!("Run {name}", name = name)
            disabled=move || !can_run.get()
            aria-describedby=move || (!can_run.get()).then_some(CANNOT_RUN_ID)
            on:click=move |_| on_open.run(template.clone())>{t!("Run")}</button>
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
    let own = Memo::new(move |_| {
        template.with(|t| t.as_ref().map(|t| body().validate(t)).unwrap_or_default())
    });
    let form = FormState::new(FIELDS, FORM_ERROR_ID, own);
    let rows = RowErrors::new(own);

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
        form.reset();
        rows.reset();
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

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(name) = template.with_untracked(|t| t.as_ref().map(|t| t.fields.name.clone()))
        else {
            return;
        };
        if !rows.begin(form, |field| row_id(field, args, vars)) {
            return;
        }
        let request = body();
        let project = project.get_untracked();
        spawn_local(async move {
            match api::submit_job_run(&project, &name, &request).await {
                Ok(run) => {
                    form.reset();
                    open.set(false);
                    on_started.run(run);
                }
                Err(error) => form.fail(&error),
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
            rows.at(key, move || format!("env[{}].{part}", index_of(vars, key)))
        };
        let touched = rows.touch(key);
        let name_view = if from_template {
            view! {
                <p class="fixed-value" id=format!("run-env-{key}-name")>
                    {move || t!("Variable {name}", name = name.get())}
                </p>
            }
            .into_any()
        } else {
            view! {
                <TextField id=format!("run-env-{key}-name") label=t!("Name") value=name error=at("name")
                    required=true on_edit=touched
                    hint=t!("Letters, digits and _, not starting with a digit.")/>
            }
            .into_any()
        };
        let group = move || {
            if from_template {
                t!("Variable {name}", name = name.get())
            } else {
                t!("Added variable {number}", number = index_of(vars, key) + 1)
            }
        };
        let value_label = if from_template {
            t!("Value of {name}", name = name.get_untracked())
        } else {
            t!("Value").to_owned()
        };
        view! {
            <div class="rows__row" role="group" aria-label=group>
                {name_view}
                <TextField id=format!("run-env-{key}-value") label=value_label
                    value=value error=at("value") on_edit=touched/>
                {(!from_template).then(|| row_controls(vars, key, t!("added variable"), "run-env"))}
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
                    {t!("Sensitive variables keep their saved values: {names}. Change them in the template.", names = names.join(", "))}
                </p>
            }
        })
    };
    let title = move || {
        template.with(|t| {
            t.as_ref()
                .map(|t| t!("Run {name}", name = t.fields.name))
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
            <p>{t!("Runs the template as it is saved. You can change these settings for this run only; the template stays as it is.")}</p>
            <form class="form" novalidate on:submit=submit>
                <TextField id="run-indices" label=t!("Array indices") value=indices
                    error=form.error_for("indices") on_edit=form.mark("indices")
                    hint=t!("To run the command several times at once: one run per number listed, for example 0-9,20. Leave it empty to run it once.")/>
                <p class="muted" aria-live="polite">{move || how_often(&indices.get())}</p>
                <TextRows rows=args field="args" legend=t!("Arguments") label=t!("Argument") noun=t!("argument")
                    hint=t!("More words for the command, one per row, in order, for example --day in one row and today in the next.")
                    errors=rows.listed() id_prefix="run-args"/>
                <fieldset class="field rows">
                    <legend class="field__label">
                        {t!("Environment variables")}<span class="field__optional">{t!(" (optional)")}</span>
                    </legend>
                    {secrets_view}
                    <For each=move || vars.get() key=|r| r.key children=var_row/>
                    <button type="button" class="button button--secondary" id="run-env-add" on:click=add_var>
                        {t!("Add variable")}
                    </button>
                </fieldset>
                <div id=form.form_error_id() class="form-error" role="alert" tabindex="-1">
                    {move || form.form_error().get()}
                </div>
                <div class="dialog__actions">
                    <button type="submit" class="button" disabled=move || form.pending().get()>
                        {move || if form.pending().get() { t!("Starting…") } else { t!("Start run") }}
                    </button>
                    <button type="button" class="button button--secondary" on:click=move |_| open.set(false)>
                        {t!("Cancel")}
                    </button>
                </div>
            </form>
        </Modal>
    }
}

/// The id of the input of a row's field (`env[2].value`); the form's
/// message when the row is gone.
fn row_id(
    field: &str,
    args: RwSignal<Vec<Row<RwSignal<String>>>>,
    vars: RwSignal<Vec<Row<VarRow>>>,
) -> String {
    if let Some((i, _)) = indexed(field, "args")
        && let Some(k) = args.with_untracked(|r| r.get(i).map(|x| x.key))
    {
        return format!("run-args-{k}");
    }
    if let Some((i, part)) = indexed(field, "env")
        && let Some((k, fixed)) =
            vars.with_untracked(|r| r.get(i).map(|x| (x.key, x.item.from_template)))
    {
        // A template variable's name cannot be typed: its value is the field.
        let part = if fixed { "value" } else { part.as_str() };
        return format!("run-env-{k}-{part}");
    }
    FORM_ERROR_ID.to_owned()
}
