//! The project's settings page (`/projects/:name/settings`) and its danger
//! zone: deleting the project, permanently or with a restore window, after
//! typing its name, with live progress until "Deleted project <name>".

use crate::router::use_project_name;
use berth_shared::inventory::{KINDS, count_phrase};
use berth_shared::project::{STATUS_DELETED, STATUS_TERMINATING};
use berth_shared::{Project, Role, UiConfig};

use super::project_members::Members;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, DeletionUpdate};
use crate::components::{
    ErrorPanel, Loading, Modal, Notice, ProjectHeader, Remote, TextField, aria_bool, leave_notice,
    load_for_project, set_page_title,
};
use crate::format;

/// Settings of one project.
#[component]
pub fn ProjectSettingsPage() -> impl IntoView {
    let name = use_project_name();
    let state = RwSignal::new(Remote::<Project>::Loading);
    let load = move || load_for_project(name, state, |p| async move { api::get_project(&p).await });
    Effect::new(move |_| {
        set_page_title(&format!("Settings of {}", name.get()));
        state.set(Remote::Loading);
        load();
    });
    let busy = move || aria_bool(state.with(Remote::is_loading));
    let body = move || {
        match state.get() {
        Remote::Loading => view! { <Loading message="Loading the project…"/> }.into_any(),
        Remote::Failed(error) if error.status() == Some(404) => view! {
            <p>"There is no project with this name. It may have been deleted."</p>
            <p><a href="/projects">"See your projects"</a></p>
        }
        .into_any(),
        Remote::Failed(error) => view! {
            <ErrorPanel heading="This project could not be loaded." error=error on_retry=Callback::new(move |()| load())/>
        }
        .into_any(),
        Remote::Loaded(project) if project.status == STATUS_DELETED => view! {
            <p class="banner">
                "This project was deleted. "
                <a href="/deleted-projects">"Restore it from Deleted projects"</a>
                " before its restore window ends."
            </p>
        }
        .into_any(),
        Remote::Loaded(project) => {
            // Administrators who are not members have no role, and may do everything.
            let owner = project.role.is_none_or(|r| r == Role::Owner);
            view! {
                <Members project=project.name.clone() can_manage=owner/>
                {owner.then(|| view! { <DangerZone project=project/> })}
            }
            .into_any()
        }
    }
    };
    view! {
        <ProjectHeader project=name title="Settings"/>
        <div aria-busy=busy>{body}</div>
    }
}

/// Where the deletion dialog is.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    /// Choosing how, typing the name.
    Confirm,
    Sending,
    /// Permanent deletion under way: what is left, and why it may be stuck.
    Progress {
        left: String,
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

#[component]
fn DangerZone(project: Project) -> impl IntoView {
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
    let counts = RwSignal::new(None::<String>);
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
                left: "Starting…".to_owned(),
                stalled: None,
            });
            let source = api::follow_deletion(&name, move |update| match update {
                DeletionUpdate::Progress(p) => stage.set(Stage::Progress {
                    left: berth_shared::deletion::remaining_phrase(&p.remaining),
                    stalled: None,
                }),
                DeletionUpdate::Stalled(s) => stage.update(|st| {
                    if let Stage::Progress { stalled, .. } = st {
                        *stalled = Some((s.message, s.advice));
                    }
                }),
                DeletionUpdate::Deleted => stage.set(Stage::Deleted),
                DeletionUpdate::SoftDeleted => stage.set(Stage::Failed(
                    "The project was deleted with a restore window instead.".to_owned(),
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
            counts.set(None);
            open.set(true);
            let name = name.clone();
            spawn_local(async move {
                if let Ok(inventory) = api::get_inventory(&name).await {
                    let parts: Vec<String> = KINDS
                        .iter()
                        .map(|k| count_phrase(k, inventory.totals.get(*k).copied().unwrap_or(0)))
                        .collect();
                    counts.set(Some(parts.join(", ")));
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

    let window_words = move || berth_shared::deletion::window_phrase(window.get());
    let soft_choice = move || {
        (window.get() > 0).then(|| {
            view! {
                <fieldset class="choices">
                    <legend>"How to delete"</legend>
                    <div class="choice">
                        <input type="radio" id="delete-soft" name="delete-mode" prop:checked=move || soft.get() on:change=move |_| soft.set(true)/>
                        <label for="delete-soft">
                            {move || format!("Delete with a restore window of {}", window_words())}
                            <span class="choice__hint">
                                "The project is hidden and its data locked at once. You can restore it from Deleted projects until the window ends; then it is deleted for good."
                            </span>
                        </label>
                    </div>
                    <div class="choice">
                        <input type="radio" id="delete-hard" name="delete-mode" prop:checked=move || !soft.get() on:change=move |_| soft.set(false)/>
                        <label for="delete-hard">
                            "Delete permanently now"
                            <span class="choice__hint">"Everything is removed now and cannot be brought back."</span>
                        </label>
                    </div>
                </fieldset>
            }
        })
    };
    let title = format!("Delete project {name}?");
    let hint = format!("Type {name} exactly.");
    let name_for_status = name.clone();
    let status_text = move || match stage.get() {
        Stage::Sending => "Deleting…".to_owned(),
        Stage::Progress { left, .. } => {
            format!("Deleting project {name_for_status}. Removing {left}.")
        }
        Stage::Deleted => berth_shared::deletion::deleted_message(&name_for_status),
        Stage::SoftDeleted(until) => format!(
            "{}. You can restore it from Deleted projects until {}.",
            berth_shared::deletion::deleted_message(&name_for_status),
            format::date_time(&until)
        ),
        _ => String::new(),
    };
    let stalled = move || match stage.get() {
        Stage::Progress {
            stalled: Some((message, advice)),
            ..
        } => Some(view! {
            <div class="banner banner--warning" role="alert">
                <p><strong>"The deletion is stuck. "</strong>{message}</p>
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
    // The projects page, where the person goes next, says what happened.
    let deleted_name = name.clone();
    Effect::new(move |_| match stage.get() {
        Stage::Deleted => leave_notice(Notice {
            text: format!(
                "{}.",
                berth_shared::deletion::deleted_message(&deleted_name)
            ),
            restorable: false,
        }),
        Stage::SoftDeleted(_) => leave_notice(Notice {
            text: format!(
                "{}.",
                berth_shared::deletion::deleted_message(&deleted_name)
            ),
            restorable: true,
        }),
        _ => {}
    });

    view! {
        <section class="panel danger-zone" aria-labelledby="danger-heading">
            <h2 id="danger-heading">"Danger zone"</h2>
            <p>
                "Deleting the project deletes everything Berth stores in it: image pointers, "
                "registry credentials and job templates. Your images stay in their registries."
            </p>
            <button type="button" id=OPEN_ID class="button button--danger" on:click=open_dialog>
                "Delete project…"
            </button>
        </section>
        <Modal open=open labelled_by="delete-project-title" return_focus=OPEN_ID.to_owned()>
            <form class="form" novalidate on:submit=submit>
                <h2 id="delete-project-title">{title}</h2>
                <div hidden=move || !confirming()>
                    <p>
                        "This deletes the project and everything stored in it: "
                        {move || counts.get().unwrap_or_else(|| "counting…".to_owned())}
                        "."
                    </p>
                    {soft_choice}
                    <TextField
                        id=CONFIRM_ID
                        label="Type the project's name to confirm"
                        hint=hint
                        value=typed
                        error=Signal::derive(|| None::<String>)
                        required=true
                    />
                </div>
                <div class="form-error" role="alert">{error}</div>
                <div class="deletion-status" role="status" aria-live="polite">{status_text}</div>
                {stalled}
                <div class="dialog__actions">
                    <button type="button" class="button button--secondary" hidden=finished on:click=move |_| open.set(false)>
                        {move || if confirming() { "Cancel" } else { "Close" }}
                    </button>
                    <button
                        type="submit"
                        class="button button--danger"
                        hidden=move || !confirming()
                        disabled=move || !matches.get() || stage.get() == Stage::Sending
                    >
                        "Delete project"
                    </button>
                    <a href="/projects" class="button" hidden=move || !finished()>"Back to projects"</a>
                </div>
            </form>
        </Modal>
    }
}
