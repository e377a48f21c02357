//! The project's activity page (`/projects/:name/activity`): every change
//! made to the project, newest first, with who made it, from where and how
//! it ended. The server writes what was done; this page lays it out and
//! says what was done and how it ended in the reader's language.

use berth_shared::activity::{ActivityEntry, ActivityList};
use leptos::prelude::*;

use crate::api;
use crate::components::{
    Breakable, EmptyState, ListWords, Loader, ProjectHeader, Remote, Time, remote_list,
    set_page_title,
};
use crate::i18n::{self, t};
use crate::router::use_project_name;

/// Lists the project's changes.
#[component]
pub fn ProjectActivityPage() -> impl IntoView {
    let name = use_project_name();
    let list = Loader::new(name, |p| async move { api::get_activity(&p).await });
    Effect::new(move |_| set_page_title(&t!("Activity of {project}", project = name.get())));

    let words = ListWords {
        loading: t!("Loading the project's activity…"),
        failed: t!("The project's activity could not be loaded."),
    };
    let body = move || {
        remote_list(
            list.state.get().map(|ActivityList { items }| items),
            words,
            Callback::new(move |()| list.reload()),
            || {
                view! { <EmptyState title=t!("Nothing has changed in this project yet.")/> }
                    .into_any()
            },
            |items| {
                let rows = items.into_iter().map(row).collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="table activity">
                            <caption class="visually-hidden">{t!("Changes, newest first")}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{t!("When")}</th>
                                    <th scope="col">{t!("Who")}</th>
                                    <th scope="col">{t!("What")}</th>
                                    <th scope="col">{t!("From")}</th>
                                    <th scope="col">{t!("Result")}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            },
        )
    };
    // Asked again while the list shows: the button says so (the first
    // load has its own message in the panel). It stays enabled, so focus
    // stays on it.
    let refreshing = move || list.busy.get() && !list.state.with(Remote::is_loading);

    view! {
        <ProjectHeader
            project=name
            title=t!("Activity")
            intro=t!("Every change made to this project, refused ones too: who asked for it, when, and from which network address.")
        />
        <p>{t!("Secret values are never recorded.")}</p>
        <button type="button" class="button button--secondary" on:click=move |_| list.reload()>
            {move || if refreshing() { t!("Refreshing…") } else { t!("Refresh") }}
        </button>
        <section class="panel" aria-labelledby="activity-heading" aria-busy=list.aria_busy()>
            <h2 id="activity-heading">{t!("Changes")}</h2>
            {body}
        </section>
    }
}

fn row(entry: ActivityEntry) -> impl IntoView {
    let result = result(&entry);
    let action = match &entry.what {
        Some(what) => i18n::message(&what.code, &what.params, &entry.action),
        None => entry.action.clone(),
    };
    view! {
        <tr>
            <td data-label=t!("When")><Time at=entry.at/></td>
            <td data-label=t!("Who")><Breakable text=entry.user/></td>
            // The server's words, in the reader's language when the
            // server knows the sentence (`ActivityEntry::what`).
            <td data-label=t!("What")>{action}</td>
            <td data-label=t!("From")><Breakable text=entry.from/></td>
            <td data-label=t!("Result")>{result}</td>
        </tr>
    }
}

/// How the change ended, in the reader's language. The shared rules say it
/// in English (`ActivityEntry::result`); each of their sentences has its
/// translation here, and one this console does not know yet shows as it came.
fn result(entry: &ActivityEntry) -> &'static str {
    let english = entry.result();
    translated(english).unwrap_or(english)
}

fn translated(result: &str) -> Option<&'static str> {
    Some(match result {
        "Created" => t!("Created"),
        "Started" => t!("Started"),
        "Deleted" => t!("Deleted"),
        "Saved" => t!("Saved"),
        "Done" => t!("Done"),
        "Refused: the request was not valid" => t!("Refused: the request was not valid"),
        "Refused: not signed in" => t!("Refused: not signed in"),
        "Refused: their role does not allow it" => t!("Refused: their role does not allow it"),
        "Refused: it does not exist" => t!("Refused: it does not exist"),
        "Refused: it exists already or was changed meanwhile" => {
            t!("Refused: it exists already or was changed meanwhile")
        }
        "Refused: the project is deleted" => t!("Refused: the project is deleted"),
        "Refused: too large" => t!("Refused: too large"),
        "Refused: some values were not valid" => t!("Refused: some values were not valid"),
        "Refused: too many attempts" => t!("Refused: too many attempts"),
        "Refused" => t!("Refused"),
        "Failed: a registry did not answer" => t!("Failed: a registry did not answer"),
        "Failed: the storage service did not answer" => {
            t!("Failed: the storage service did not answer")
        }
        "Failed: an error on Berth's side" => t!("Failed: an error on Berth's side"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use berth_shared::activity::Outcome;

    use super::*;

    /// A new wording in the shared rules would show in English only: every
    /// result they can give has its sentence here.
    #[test]
    fn every_result_is_translatable() {
        for method in ["POST", "PUT", "PATCH", "DELETE", "GET"] {
            for status in 200..600 {
                let entry = ActivityEntry {
                    at: "2026-01-05T10:30:00Z".into(),
                    user: "ann".into(),
                    action: "Created image web".into(),
                    method: method.into(),
                    path: "/api/v1/projects/shop/images".into(),
                    from: "127.0.0.1".into(),
                    status,
                    outcome: Outcome::of_status(status),
                    what: None,
                };
                assert!(
                    translated(entry.result()).is_some(),
                    "{method} {status}: {:?} has no translation",
                    entry.result()
                );
            }
        }
    }
}
