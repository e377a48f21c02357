//! Deleted projects (`/deleted-projects`): projects deleted with a restore
//! window, the days each has left, and a way to restore it or delete it now.

use berth_shared::Project;
use berth_shared::deletion::deleted_message;
use berth_shared::project::days_left;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, DeletionUpdate};
use crate::components::{ErrorPanel, Loading, Modal, Remote, aria_bool, set_page_title};
use crate::format;

/// Seconds since 1970 of an RFC 3339 time, by the browser's own parser.
fn unix(rfc3339: &str) -> i64 {
    (js_sys::Date::parse(rfc3339) / 1000.0) as i64
}

fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

fn days_phrase(purge_after: &str) -> String {
    match days_left(now(), unix(purge_after)) {
        0 => "Deleted for good at the next clean-up".to_owned(),
        1 => "1 day left".to_owned(),
        n => format!("{n} days left"),
    }
}

#[component]
pub fn DeletedProjectsPage() -> impl IntoView {
    set_page_title("Deleted projects");
    let state = RwSignal::new(Remote::<Vec<Project>>::Loading);
    let announcement = RwSignal::new(String::new());
    let busy_name = RwSignal::new(None::<String>);
    // The project waiting for "Delete now" to be confirmed.
    let confirming = RwSignal::new(None::<(String, String)>);
    let dialog_open = RwSignal::new(false);
    let return_focus = RwSignal::new(String::from("main"));

    let load = move || {
        spawn_local(async move {
            state.set(api::list_deleted_projects().await.into());
        });
    };
    load();
    let remove = move |name: &str| {
        state.update(|s| {
            if let Remote::Loaded(items) = s {
                items.retain(|p| p.name != name);
            }
        });
        return_focus.set("deleted-heading".to_owned());
    };

    let restore = Callback::new(move |name: String| {
        busy_name.set(Some(name.clone()));
        spawn_local(async move {
            let result = api::restore_project(&name).await;
            busy_name.set(None);
            match result {
                Ok(_) => {
                    remove(&name);
                    announcement.set(format!("Project {name} restored."));
                    crate::components::focus_by_id("deleted-heading");
                }
                Err(e) => announcement.set(e.message()),
            }
        });
    });
    let ask_delete = Callback::new(move |(name, button): (String, String)| {
        return_focus.set(button.clone());
        confirming.set(Some((name, button)));
        dialog_open.set(true);
    });
    let delete_now = move |_| {
        let Some((name, _)) = confirming.get_untracked() else {
            return;
        };
        dialog_open.set(false);
        busy_name.set(Some(name.clone()));
        announcement.set(format!("Deleting project {name}…"));
        spawn_local(async move {
            match api::delete_project(&name, true).await {
                Ok(_) => {
                    let done = name.clone();
                    api::follow_deletion(&name, move |update| match update {
                        DeletionUpdate::Deleted => {
                            busy_name.set(None);
                            remove(&done);
                            announcement.set(deleted_message(&done));
                            crate::components::focus_by_id("deleted-heading");
                        }
                        DeletionUpdate::Stalled(s) => {
                            announcement.set(format!("{} {}", s.message, s.advice))
                        }
                        _ => {}
                    });
                }
                Err(e) => {
                    busy_name.set(None);
                    announcement.set(e.message());
                }
            }
        });
    };

    let busy = move || aria_bool(state.with(Remote::is_loading));
    let list = move || {
        match state.get() {
        Remote::Loading => view! { <Loading message="Loading deleted projects…"/> }.into_any(),
        Remote::Failed(error) => view! {
            <ErrorPanel heading="Deleted projects could not be loaded." error=error on_retry=Callback::new(move |()| load())/>
        }
        .into_any(),
        Remote::Loaded(items) if items.is_empty() => view! {
            <p class="empty-state">"No deleted projects are waiting to be restored."</p>
        }
        .into_any(),
        Remote::Loaded(items) => view! {
            <ul class="project-list">
                {items.into_iter().map(|p| view! { <DeletedCard project=p busy=busy_name on_restore=restore on_delete=ask_delete/> }).collect_view()}
            </ul>
        }
        .into_any(),
    }
    };
    let dialog_title = move || {
        confirming.with(|c| {
            c.as_ref()
                .map(|(n, _)| format!("Delete project {n} now?"))
                .unwrap_or_default()
        })
    };

    view! {
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <ol>
                <li><a href="/projects">"Projects"</a></li>
                <li><span aria-current="page">"Deleted projects"</span></li>
            </ol>
        </nav>
        <h1>"Deleted projects"</h1>
        <p>
            "A project deleted with a restore window waits here, hidden and locked, until its window ends. "
            "Restore it to use it again with all its data, or delete it now for good."
        </p>
        <p class="status-message" role="status" aria-live="polite">{move || announcement.get()}</p>
        <section class="panel" aria-labelledby="deleted-heading" aria-busy=busy>
            <h2 id="deleted-heading" class="visually-hidden" tabindex="-1">"Waiting to be restored"</h2>
            {list}
        </section>
        <Modal open=dialog_open labelled_by="delete-now-title" return_focus=return_focus>
            <h2 id="delete-now-title">{dialog_title}</h2>
            <p>"It and everything stored in it are deleted for good; it can no longer be restored."</p>
            <div class="dialog__actions">
                <button type="button" class="button button--secondary" on:click=move |_| dialog_open.set(false)>"Cancel"</button>
                <button type="button" class="button button--danger" on:click=delete_now>"Delete now"</button>
            </div>
        </Modal>
    }
}

#[component]
fn DeletedCard(
    project: Project,
    busy: RwSignal<Option<String>>,
    on_restore: Callback<String>,
    on_delete: Callback<(String, String)>,
) -> impl IntoView {
    let deletion = project.deletion.clone();
    let deleted_at = deletion
        .as_ref()
        .map(|d| d.deleted_at.clone())
        .unwrap_or_default();
    let purge_after = deletion
        .as_ref()
        .map(|d| d.purge_after.clone())
        .unwrap_or_default();
    let by = deletion
        .and_then(|d| d.deleted_by)
        .map(|w| format!(" by {w}"));
    let name = project.name.clone();
    let is_busy = {
        let name = name.clone();
        move || busy.with(|b| b.as_deref() == Some(name.as_str()))
    };
    let delete_id = format!("delete-now-{name}");
    let restore_label = format!("Restore {name}");
    let delete_label = format!("Delete {name} now");
    let (n1, n2, id) = (name.clone(), name.clone(), delete_id.clone());
    view! {
        <li class="project-card">
            <h3 class="project-card__name">{name.clone()}</h3>
            <p class="project-card__meta">
                "Deleted " <time datetime=deleted_at.clone()>{format::date_time(&deleted_at)}</time> {by}
            </p>
            <p>
                <strong>{days_phrase(&purge_after)}</strong>
                " (restorable until " <time datetime=purge_after.clone()>{format::date_time(&purge_after)}</time> ")"
            </p>
            <div class="card-actions">
                <button type="button" class="button" aria-label=restore_label disabled=is_busy.clone() on:click=move |_| on_restore.run(n1.clone())>
                    "Restore"
                </button>
                <button type="button" id=delete_id class="button button--danger" aria-label=delete_label disabled=is_busy on:click=move |_| on_delete.run((n2.clone(), id.clone()))>
                    "Delete now"
                </button>
            </div>
        </li>
    }
}
