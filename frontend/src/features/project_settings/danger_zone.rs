//! The danger zone of a project's settings: deleting the project,
//! permanently or with a restore window, after typing its name, with live
//! progress until "Deleted project <name>."

use std::collections::BTreeMap;

use berth_shared::project::{STATUS_DELETED, STATUS_TERMINATING};
use berth_shared::{Project, UiConfig};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::words;
use crate::api::{self, DeletionUpdate};
use crate::components::{Modal, Notice, TextField, Time, focus_by_id, leave_notice};
use crate::i18n::{self, t};

/// Where the deletion dialog is.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    /// Choosing how, typing the name.
    Confirm,
    Sending,
    /// Permanent deletion under way: what is left (`None` before the first
    /// report), and the server's word on why it may be stuck.
    Progress {
        left: Option<BTreeMap<String, usize>>,
        stalled: Option<(String, String)>,
    },
    /// Gone for good.
    Deleted,
    /// Restorable until this RFC 3339 time.
    SoftDeleted(String),
    Failed(String),
}

const OPEN_ID: &str = "delete-project-open";
const CONFIRM_ID: &str = "delete-confirm-name";
const STATUS_ID: &str = "delete-project-status";

#[component]
pub fn DangerZone(project: Project) -> impl IntoView {
    let config = use_context::<ReadSignal<Option<UiConfig>>>();
    let window = Signal::derive(move || {
        config
            .and_then(|c| c.get())
            .map(|c| c.restore_window_seconds)
            .unwrap_or(0)
    });
    let name = project.name.clone();
    let open = RwSignal::new(false);
    let stage = RwSignal::new(Stage::Confirm);
    let typed = RwSignal::new(String::new());
    // `true`: delete with the restore window; `false`: permanently now.
    let soft = RwSignal::new(true);
    // What the project holds, once counted (`Some(None)`: nothing).
    let holdings = RwSignal::new(None::<Option<String>>);
    let matches = {
        let name = name.clone();
        Memo::new(move |_| typed.with(|t| t.trim() == name))
    };

    // The open event stream, closed when the page goes away.
    let source_slot = StoredValue::new_local(None::<web_sys::EventSource>);
    on_cleanup(move || {
        source_slot.try_with_value(|s| {
            if let Some(s) = s {
                s.close();
            }
        });
    });
    // Watch a deletion that is already running (opened from another tab, or a reload).
    let follow = {
        let name = name.clone();
        move || {
            stage.set(Stage::Progress {
                left: None,
                stalled: None,
            });
            let source = api::follow_deletion(&name, move |update| match update {
                DeletionUpdate::Progress(p) => stage.set(Stage::Progress {
                    left: Some(p.remaining),
                    stalled: None,
                }),
                DeletionUpdate::Stalled(s) => stage.update(|st| {
                    if let Stage::Progress { stalled, .. } = st {
                        let message = s.message_code.as_deref().map_or_else(
                            || s.message.clone(),
                            |code| i18n::message(code, &s.message_params, &s.message),
                        );
                        let advice = s.advice_code.as_deref().map_or_else(
                            || s.advice.clone(),
                            |code| i18n::message(code, &s.advice_params, &s.advice),
                        );
                        *stalled = Some((message, advice));
                    }
                }),
                DeletionUpdate::Deleted => stage.set(Stage::Deleted),
                DeletionUpdate::SoftDeleted => stage.set(Stage::Failed(
                    t!("The project was deleted with a restore window instead.").to_owned(),
                )),
            });
            source_slot.set_value(source);
        }
    };
    let follow = StoredValue::new_local(follow);
    if project.status == STATUS_TERMINATING {
        open.set(true);
        follow.with_value(|f| f());
    }

    let open_dialog = {
        let name = name.clone();
        move |_| {
            typed.set(String::new());
            soft.set(window.get_untracked() > 0);
            stage.set(Stage::Confirm);
            holdings.set(None);
            open.set(true);
            let name = name.clone();
            spawn_local(async move {
                if let Ok(inventory) = api::get_inventory(&name).await {
                    holdings.set(Some(words::holdings(&inventory.totals)));
                }
            });
        }
    };
    let submit = {
        let name = name.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if !matches.get_untracked() || stage.get_untracked() != Stage::Confirm {
                return;
            }
            let hard = !soft.get_untracked() || window.get_untracked() == 0;
            stage.set(Stage::Sending);
            let name = name.clone();
            spawn_local(async move {
                match api::delete_project(&name, hard).await {
                    Ok(p) if p.status == STATUS_DELETED => stage.set(Stage::SoftDeleted(
                        p.deletion.map(|d| d.purge_after).unwrap_or_default(),
                    )),
                    Ok(_) => follow.with_value(|f| f()),
                    Err(e) => stage.set(Stage::Failed(e.message())),
                }
            });
        }
    };

    let soft_choice = move || {
        (window.get() > 0).then(|| {
            view! {
                <fieldset class="choices">
                    <legend>{t!("How to delete")}</legend>
                    <div class="choice">
                        <input type="radio" id="delete-soft" name="delete-mode" prop:checked=move || soft.get() on:change=move |_| soft.set(true)/>
                        <label for="delete-soft">
                            {move || t!("Delete with a restore window of {window}", window = words::window(window.get()))}
                            <span class="choice__hint">
                                {t!("The project is hidden and its data locked at once. You can restore it from Deleted projects until the window ends; then it is deleted for good.")}
                            </span>
                        </label>
                    </div>
                    <div class="choice">
                        <input type="radio" id="delete-hard" name="delete-mode" prop:checked=move || !soft.get() on:change=move |_| soft.set(false)/>
                        <label for="delete-hard">
                            {t!("Delete permanently now")}
                            <span class="choice__hint">{t!("Everything is removed now and cannot be brought back.")}</span>
                        </label>
                    </div>
                </fieldset>
            }
        })
    };
    let what = move || match holdings.get() {
        Some(Some(items)) => t!(
            "This deletes the project and everything stored in it: {items}.",
            items = items
        ),
        _ => t!("This deletes the project and everything stored in it.").to_owned(),
    };
    let title = t!("Delete project {name}?", name = name);
    let hint = t!("Type {name} exactly.", name = name);
    let status = {
        let name = name.clone();
        move || match stage.get() {
            Stage::Sending => t!("Deleting…").to_owned().into_any(),
            Stage::Progress { left, .. } => match left.as_ref().and_then(words::remaining) {
                Some(left) => t!(
                    "Deleting project {name}. Removing {left}.",
                    name = name,
                    left = left
                ),
                None => t!("Deleting project {name}…", name = name),
            }
            .into_any(),
            Stage::Deleted => t!("Deleted project {name}.", name = name).into_any(),
            Stage::SoftDeleted(until) => {
                // One sentence in every language; the date goes where `{time}` is.
                let text = t!(
                    "Deleted project {name}. You can restore it from Deleted projects until {time}.",
                    name = name
                );
                let (before, after) = text.split_once("{time}").unwrap_or((&text, ""));
                let (before, after) = (before.to_owned(), after.to_owned());
                view! { {before} <Time at=until/> {after} }.into_any()
            }
            Stage::Confirm | Stage::Failed(_) => ().into_any(),
        }
    };
    let stalled = move || match stage.get() {
        Stage::Progress {
            stalled: Some((message, advice)),
            ..
        } => Some(view! {
            <div class="banner banner--warning" role="alert">
                <p><strong>{t!("The deletion is stuck.")}</strong> " " {message}</p>
                <p>{advice}</p>
            </div>
        }),
        _ => None,
    };
    let error = move || match stage.get() {
        Stage::Failed(message) => Some(message),
        _ => None,
    };
    let confirming = move || {
        matches!(
            stage.get(),
            Stage::Confirm | Stage::Sending | Stage::Failed(_)
        )
    };
    let finished = move || matches!(stage.get(), Stage::Deleted | Stage::SoftDeleted(_));
    // At the end: the outcome gets focus (the buttons it had are gone), and
    // the projects page, where the person goes next, says what happened.
    let deleted_name = name.clone();
    Effect::new(move |_| {
        let restorable = match stage.get() {
            Stage::Deleted => false,
            Stage::SoftDeleted(_) => true,
            _ => return,
        };
        focus_by_id(STATUS_ID);
        leave_notice(Notice {
            text: t!("Deleted project {name}.", name = deleted_name),
            restorable,
        });
    });

    view! {
        <section class="panel danger-zone" aria-labelledby="danger-heading">
            <h2 id="danger-heading">{t!("Danger zone")}</h2>
            <p>
                {t!("Deleting the project deletes everything Berth keeps for it: its images, registry credentials, job templates, job runs and activity log. The images themselves stay in their registries.")}
            </p>
            <button type="button" id=OPEN_ID class="button button--danger" on:click=open_dialog>
                {t!("Delete project…")}
            </button>
        </section>
        <Modal open=open labelled_by="delete-project-title" return_focus=OPEN_ID.to_owned()>
            <form class="form" novalidate on:submit=submit>
                <h2 id="delete-project-title">{title}</h2>
                <div hidden=move || !confirming()>
                    <p>{what}</p>
                    {soft_choice}
                    <TextField
                        id=CONFIRM_ID
                        label=t!("Type the project's name to confirm")
                        hint=hint
                        value=typed
                        error=Signal::derive(|| None::<String>)
                        required=true
                    />
                </div>
                <div class="form-error" role="alert">{error}</div>
                <div
                    id=STATUS_ID
                    class=move || if finished() { "deletion-status banner banner--success" } else { "deletion-status" }
                    role="status"
                    aria-live="polite"
                    tabindex="-1"
                >
                    {status}
                </div>
                {stalled}
                <div class="dialog__actions">
                    <button type="button" class="button button--secondary" hidden=finished on:click=move |_| open.set(false)>
                        {move || if confirming() { t!("Cancel") } else { t!("Close") }}
                    </button>
                    <button
                        type="submit"
                        class="button button--danger"
                        hidden=move || !confirming()
                        disabled=move || !matches.get() || stage.get() == Stage::Sending
                    >
                        {move || if stage.get() == Stage::Sending { t!("Deleting…") } else { t!("Delete project") }}
                    </button>
                    <a href="/projects" class="button" hidden=move || !finished()>{t!("Back to projects")}</a>
                </div>
            </form>
        </Modal>
    }
}
