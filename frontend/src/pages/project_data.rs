//! The project's data page (`/projects/:name/data`): every item Berth
//! stores for the project, where it lives, totals per kind, a download of
//! the same inventory as JSON, and deleting one item (after confirming).

use crate::router::use_project_name;
use berth_shared::inventory::{Inventory, InventoryItem, KINDS, kind_label};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{
    Breakable, ErrorPanel, Loading, Modal, ProjectHeader, Remote, RowActions, aria_bool,
    load_for_project, set_page_title,
};
use crate::format;

/// Lists what the project stores.
#[component]
pub fn ProjectDataPage() -> impl IntoView {
    let name = use_project_name();
    let state = RwSignal::new(Remote::<Inventory>::Loading);
    let announcement = RwSignal::new(String::new());
    // The item waiting for confirmation, and the id of its delete button.
    let pending = RwSignal::new(None::<(InventoryItem, String)>);
    let dialog_open = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let dialog_error = RwSignal::new(None::<String>);
    let return_focus = RwSignal::new(String::from("main"));

    let load =
        move || load_for_project(name, state, |p| async move { api::get_inventory(&p).await });
    Effect::new(move |_| {
        set_page_title(&format!("Data of {}", name.get()));
        state.set(Remote::Loading);
        load();
    });

    let ask = Callback::new(move |(item, button_id): (InventoryItem, String)| {
        dialog_error.set(None);
        return_focus.set(button_id.clone());
        pending.set(Some((item, button_id)));
        dialog_open.set(true);
    });
    let confirm = move |_| {
        let Some((item, _)) = pending.get_untracked() else {
            return;
        };
        deleting.set(true);
        spawn_local(async move {
            let result = api::delete_item(&item.delete_path).await;
            deleting.set(false);
            match result {
                Ok(()) => {
                    let what = kind_label(&item.kind).0;
                    announcement.set(format!("{what} {} deleted.", item.name));
                    // Focus goes to the list's heading: the button is gone.
                    return_focus.set("items-heading".to_owned());
                    dialog_open.set(false);
                    load();
                }
                Err(e) => dialog_error.set(Some(e.message())),
            }
        });
    };

    let busy = move || aria_bool(state.with(Remote::is_loading));
    let body = move || match state.get() {
        Remote::Loading => view! { <Loading message="Loading the project's data…"/> }.into_any(),
        Remote::Failed(error) => view! {
            <ErrorPanel
                heading="The project's data could not be listed."
                error=error
                on_retry=Callback::new(move |()| load())
            />
        }
        .into_any(),
        Remote::Loaded(inventory) => {
            view! { <InventoryView inventory=inventory on_delete=ask/> }.into_any()
        }
    };
    let dialog_title = move || {
        pending.with(|p| {
            p.as_ref()
                .map(|(item, _)| {
                    format!(
                        "Delete {} {}?",
                        kind_label(&item.kind).0.to_ascii_lowercase(),
                        item.name
                    )
                })
                .unwrap_or_default()
        })
    };

    view! {
        <ProjectHeader project=name title="Data"/>
        <p>
            "Everything Berth keeps for this project, so you know what you would lose or take with you. Secret values "
            "(passwords, tokens, API keys) are never shown. "
            <a href="/data-storage">"How your data is stored"</a>
        </p>
        <p class="status-message" role="status" aria-live="polite">{move || announcement.get()}</p>
        <div aria-busy=busy>{body}</div>
        <Modal open=dialog_open labelled_by="delete-item-title" return_focus=return_focus>
            <h2 id="delete-item-title">{dialog_title}</h2>
            <p>"It is deleted for good. Anything that uses it stops working."</p>
            <div class="form-error" role="alert">{move || dialog_error.get()}</div>
            <div class="dialog__actions">
                <button type="button" class="button button--secondary" on:click=move |_| dialog_open.set(false)>
                    "Cancel"
                </button>
                <button type="button" class="button button--danger" disabled=move || deleting.get() on:click=confirm>
                    {move || if deleting.get() { "Deleting…" } else { "Delete" }}
                </button>
            </div>
        </Modal>
    }
}

/// Totals, the download, and the table of items.
#[component]
fn InventoryView(
    inventory: Inventory,
    on_delete: Callback<(InventoryItem, String)>,
) -> impl IntoView {
    let totals = KINDS
        .iter()
        .map(|kind| {
            let n = inventory.totals.get(*kind).copied().unwrap_or(0);
            let (one, many) = kind_label(kind);
            let words = if n == 1 { one } else { many };
            view! { <li><span class="totals__count">{n}</span>" "{words}</li> }
        })
        .collect_view();
    let download = api::inventory_download_url(&inventory.project);
    let items = if inventory.items.is_empty() {
        view! { <p class="empty-state">"This project stores nothing yet."</p> }.into_any()
    } else {
        let rows = inventory
            .items
            .into_iter()
            .enumerate()
            .map(|(i, item)| view! { <ItemRow item=item index=i on_delete=on_delete/> })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="table inventory">
                    <caption class="visually-hidden">"Stored items"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Item"</th>
                            <th scope="col">"Details"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Last changed"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="totals-heading">
            <h2 id="totals-heading">"Totals"</h2>
            <ul class="totals">{totals}</ul>
            <details class="tech-details">
                <summary>"Technical details"</summary>
                "All of it lives in the Kubernetes namespace " <code>{inventory.namespace.clone()}</code> "."
            </details>
            <a class="button button--secondary" href=download download="">"Download inventory (JSON)"</a>
        </section>
        <section class="panel" aria-labelledby="items-heading">
            <h2 id="items-heading" tabindex="-1">"Stored items"</h2>
            {items}
        </section>
    }
}

#[component]
fn ItemRow(
    item: InventoryItem,
    index: usize,
    on_delete: Callback<(InventoryItem, String)>,
) -> impl IntoView {
    let (kind, _) = kind_label(&item.kind);
    let location = &item.location;
    let api_version = location.api_version.clone();
    // The Kubernetes location is for administrators; the row says what the
    // item is in people's words.
    let where_ = format!(
        "{} {} in namespace {}",
        location.kind, location.name, location.namespace
    );
    let secret = location
        .is_secret
        .then(|| view! { <span class="badge badge--secret">"Secret: value never shown"</span> });
    let what = format!("{kind} {}", item.name);
    let by = |who: &Option<String>| who.clone().map(|w| format!(" by {w}"));
    let button_id = format!("delete-item-{index}");
    let label = format!("Delete {} {}", kind.to_ascii_lowercase(), item.name);
    let created = format::date_time(&item.stamps.created_at);
    let updated = format::date_time(item.stamps.changed_at());
    let clicked = {
        let item = item.clone();
        let button_id = button_id.clone();
        move |_| on_delete.run((item.clone(), button_id.clone()))
    };
    view! {
        <tr>
            <th scope="row"><Breakable text=what/></th>
            <td data-label="Details">{secret}
                <details class="tech-details">
                    <summary>"Technical details"</summary>
                    <Breakable text=where_/>" "<span class="muted">"("<Breakable text=api_version/>")"</span>
                </details>
            </td>
            <td data-label="Created"><time datetime=item.stamps.created_at.clone()>{created}</time>{by(&item.stamps.created_by)}</td>
            <td data-label="Last changed"><time datetime=item.stamps.changed_at().to_owned()>{updated}</time>{by(&item.stamps.updated_by)}</td>
            <td>
                <RowActions label=format!("{} {}", kind.to_ascii_lowercase(), item.name)>
                    <button type="button" id=button_id class="button button--secondary button--small" aria-label=label on:click=clicked>
                        "Delete"
                    </button>
                </RowActions>
            </td>
        </tr>
    }
}
