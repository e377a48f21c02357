//! The project's activity page (`/projects/:name/activity`): every change
//! made to the project, newest first, with who made it, from where and how
//! it ended. The server writes the sentences; this page only lays them out.

use berth_shared::activity::{ActivityEntry, ActivityList};
use leptos::prelude::*;

use crate::api;
use crate::components::{
    Breakable, ErrorPanel, Loading, ProjectHeader, Remote, aria_bool, load_for_project,
    set_page_title,
};
use crate::format;
use crate::router::use_project_name;

/// Lists the project's changes.
#[component]
pub fn ProjectActivityPage() -> impl IntoView {
    let name = use_project_name();
    let state = RwSignal::new(Remote::<ActivityList>::Loading);
    let load = move || {
        state.set(Remote::Loading);
        load_for_project(name, state, |p| async move { api::get_activity(&p).await });
    };
    Effect::new(move |_| {
        set_page_title(&format!("Activity of {}", name.get()));
        load();
    });

    let busy = move || aria_bool(state.with(Remote::is_loading));
    let body = move || match state.get() {
        Remote::Loading => {
            view! { <Loading message="Loading the project's activity…"/> }.into_any()
        }
        Remote::Failed(error) => view! {
            <ErrorPanel
                heading="The project's activity could not be loaded."
                error=error
                on_retry=Callback::new(move |()| load())
            />
        }
        .into_any(),
        Remote::Loaded(list) if list.items.is_empty() => {
            view! { <p class="empty-state">"Nothing has changed in this project yet."</p> }
                .into_any()
        }
        Remote::Loaded(list) => {
            let rows = list.items.into_iter().map(row).collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table activity">
                        <caption class="visually-hidden">"Changes, newest first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"What"</th>
                                <th scope="col">"From"</th>
                                <th scope="col">"Result"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    };

    view! {
        <ProjectHeader project=name title="Activity"/>
        <p>
            "Every change made to this project, refused ones too: who asked for it, "
            "when, and from which address. Secret values are never recorded."
        </p>
        <button type="button" class="button button--secondary" on:click=move |_| load()>
            "Refresh"
        </button>
        <section class="panel" aria-labelledby="activity-heading" aria-busy=busy>
            <h2 id="activity-heading">"Changes"</h2>
            {body}
        </section>
    }
}

fn row(entry: ActivityEntry) -> impl IntoView {
    let when = format::local_date_time(&entry.at);
    let result = entry.result();
    view! {
        <tr>
            <td data-label="When"><time datetime=entry.at>{when}</time></td>
            <td data-label="Who"><Breakable text=entry.user/></td>
            <td data-label="What">{entry.action}</td>
            <td data-label="From"><Breakable text=entry.from/></td>
            <td data-label="Result">{result}</td>
        </tr>
    }
}
