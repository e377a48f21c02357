//! Deleted projects (`/deleted-projects`): projects deleted with a restore
//! window, the days each has left, and a way to restore it or delete it now.

use berth_shared::Project;
use berth_shared::project::days_left;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, DeletionUpdate};
use crate::components::{
    EmptyState, ListWords, Modal, Remote, Time, aria_bool, focus_by_id, remote_list, set_page_title,
};
use crate::i18n::{t, tn};

const HEADING_ID: &str = "deleted-heading";
const DONE_ID: &str = "deleted-done";
const PROBLEM_ID: &str = "deleted-problem";

/// Seconds since 1970 of an RFC 3339 time, by the browser's own parser.
fn unix(rfc3339: &str) -> i64 {
    (js_sys::Date::parse(rfc3339) / 1000.0) as i64
}

fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

fn days_phrase(purge_after: &str) -> String {
    match usize::try_from(days_left(now(), unix(purge_after))) {
        Ok(0) | Err(_) => t!("Deleted for good at the next clean-up").to_owned(),
        Ok(n) => tn!("{n} day left", "{n} days left", n),
    }
}

/// `text` split where `{time}` is, so a `<Time>` can go there: one sentence
/// in every language, whatever the place of the date in it.
fn around_time(text: &str) -> (String, String) {
    let (before, after) = text.split_once("{time}").unwrap_or((text, ""));
    (before.to_owned(), after.to_owned())
}

#[component]
pub fn DeletedProjectsPage() -> impl IntoView {
    set_page_title(t!("Deleted projects"));
    let state = RwSignal::new(Remote::<Vec<Project>>::Loading);
    // What went well (restored, deleted), and what did not: each shown once.
    let done = RwSignal::new(String::new());
    let problem = RwSignal::new(String::new());
    let busy_name = RwSignal::new(None::<String>);
    // The project waiting for "Delete now" to be confirmed.
    let confirming = RwSignal::new(None::<(String, String)>);
    let dialog_open = RwSignal::new(false);
    let return_focus = RwSignal::new(String::from("main"));

    let load = move || {
        state.set(Remote::Loading);
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
        // The card and its buttons are gone: the dialog must not send focus there.
        return_focus.set(DONE_ID.to_owned());
    };
    let succeeded = move |message: String| {
        problem.set(String::new());
        done.set(message);
        focus_by_id(DONE_ID);
    };
    let failed = move |message: String| {
        done.set(String::new());
        problem.set(message);
        focus_by_id(PROBLEM_ID);
    };

    let restore = Callback::new(move |name: String| {
        busy_name.set(Some(name.clone()));
        spawn_local(async move {
            let result = api::restore_project(&name).await;
            busy_name.set(None);
            match result {
                Ok(_) => {
                    remove(&name);
                    succeeded(t!("Project {name} restored.", name = name));
                }
                Err(e) => failed(e.message()),
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
        problem.set(String::new());
        done.set(t!("Deleting project {name}…", name = name));
        spawn_local(async move {
            match api::delete_project(&name, true).await {
                Ok(_) => {
                    let gone = name.clone();
                    api::follow_deletion(&name, move |update| match update {
                        DeletionUpdate::Deleted => {
                            busy_name.set(None);
                            remove(&gone);
                            succeeded(t!("Deleted project {name}.", name = gone));
                        }
                        // The server's own account of what holds it.
                        DeletionUpdate::Stalled(s) => {
                            problem.set(format!("{} {}", s.message, s.advice));
                        }
                        _ => {}
                    });
                }
                Err(e) => {
                    busy_name.set(None);
                    failed(e.message());
                }
            }
        });
    };

    let busy = move || aria_bool(state.with(Remote::is_loading));
    let words = ListWords {
        loading: t!("Loading deleted projects…"),
        failed: t!("Deleted projects could not be loaded."),
    };
    let list = move || {
        remote_list(
            state.get(),
            words,
            Callback::new(move |()| load()),
            || {
                view! { <EmptyState title=t!("No deleted projects are waiting to be restored.")/> }
                    .into_any()
            },
            move |items| {
                view! {
                    <ul class="project-list">
                        {items
                            .into_iter()
                            .map(|p| view! { <DeletedCard project=p busy=busy_name on_restore=restore on_delete=ask_delete/> })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            },
        )
    };
    let dialog_title = move || {
        confirming.with(|c| {
            c.as_ref()
                .map(|(n, _)| t!("Delete project {name} now?", name = n))
                .unwrap_or_default()
        })
    };

    view! {
        <header class="page-header">
            <nav aria-label=t!("Breadcrumb") class="breadcrumb">
                <ol>
                    <li><a href="/projects">{t!("Projects")}</a></li>
                    <li><span aria-current="page">{t!("Deleted projects")}</span></li>
                </ol>
            </nav>
            <h1>{t!("Deleted projects")}</h1>
            <p class="page-intro">
                {t!("A project deleted with a restore window waits here, hidden and locked, until its window ends. Restore it to use it again with all its data, or delete it now for good.")}
            </p>
        </header>
        // Progress ("Deleting project shop…") is news, not yet a success.
        <p
            id=DONE_ID
            class=move || if busy_name.with(Option::is_some) { "banner status-message" } else { "banner banner--success status-message" }
            role="status"
            aria-live="polite"
            tabindex="-1"
        >
            {move || done.get()}
        </p>
        <p id=PROBLEM_ID class="banner banner--error status-message" role="alert" tabindex="-1">
            {move || problem.get()}
        </p>
        <section class="panel" aria-labelledby=HEADING_ID aria-busy=busy>
            <h2 id=HEADING_ID class="visually-hidden">{t!("Waiting to be restored")}</h2>
            {list}
        </section>
        <Modal open=dialog_open labelled_by="delete-now-title" return_focus=return_focus>
            <h2 id="delete-now-title">{dialog_title}</h2>
            <p>{t!("It and everything stored in it are deleted for good; it can no longer be restored.")}</p>
            <div class="dialog__actions">
                <button type="button" class="button button--secondary" on:click=move |_| dialog_open.set(false)>
                    {t!("Cancel")}
                </button>
                <button type="button" class="button button--danger" on:click=delete_now>
                    {t!("Delete now")}
                </button>
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
    let (deleted_at, purge_after, by) = project
        .deletion
        .map(|d| (d.deleted_at, d.purge_after, d.deleted_by))
        .unwrap_or_default();
    let deleted = match &by {
        Some(who) => t!("Deleted {time} by {user}", user = who),
        None => t!("Deleted {time}").to_owned(),
    };
    let (deleted_before, deleted_after) = around_time(&deleted);
    let (until_before, until_after) = around_time(t!("Restorable until {time}."));
    let days = days_phrase(&purge_after);
    let name = project.name;
    let is_busy = {
        let name = name.clone();
        move || busy.with(|b| b.as_deref() == Some(name.as_str()))
    };
    let delete_id = format!("delete-now-{name}");
    let restore_label = t!("Restore {name}", name = name);
    let delete_label = t!("Delete {name} now", name = name);
    let (n1, n2, id) = (name.clone(), name.clone(), delete_id.clone());
    view! {
        <li class="project-card">
            <h3 class="project-card__name">{name}</h3>
            <p class="project-card__meta">
                {deleted_before} <Time at=deleted_at/> {deleted_after}
            </p>
            <p><strong>{days}</strong></p>
            <p>{until_before} <Time at=purge_after/> {until_after}</p>
            <div class="card-actions">
                <button type="button" class="button" aria-label=restore_label disabled=is_busy.clone() on:click=move |_| on_restore.run(n1.clone())>
                    {t!("Restore")}
                </button>
                <button type="button" id=delete_id class="button button--danger" aria-label=delete_label disabled=is_busy on:click=move |_| on_delete.run((n2.clone(), id.clone()))>
                    {t!("Delete now")}
                </button>
            </div>
        </li>
    }
}
