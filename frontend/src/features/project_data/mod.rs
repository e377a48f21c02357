//! The project's data page (`/projects/:name/data`): every item Berth
//! stores for the project, what it is, totals per kind, a download of the
//! same inventory as JSON, and deleting one item (after confirming).

mod items;
mod kinds;

use berth_shared::inventory::InventoryItem;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{
    ErrorPanel, Loader, Loading, Modal, ProjectHeader, Remote, focus_by_id, set_page_title,
};
use crate::i18n::t;
use crate::router::use_project_name;
use items::InventoryView;

/// Lists what the project stores.
#[component]
pub fn ProjectDataPage() -> impl IntoView {
    let name = use_project_name();
    let list = Loader::new(name, |p| async move { api::get_inventory(&p).await });
    Effect::new(move |_| set_page_title(&t!("Data of {project}", project = name.get())));
    let announcement = RwSignal::new(String::new());
    // The item waiting for confirmation, and the id of its delete button.
    let pending = RwSignal::new(None::<(InventoryItem, String)>);
    let dialog_open = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let dialog_error = RwSignal::new(None::<String>);
    let return_focus = RwSignal::new(String::from("main"));

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
        if deleting.get_untracked() {
            return;
        }
        deleting.set(true);
        spawn_local(async move {
            let result = api::delete_item(&item.delete_path).await;
            deleting.set(false);
            match result {
                Ok(()) => {
                    let what = kinds::title(&item.kind, &item.name);
                    announcement.set(t!("{item} deleted.", item = what));
                    // Focus goes to the list's heading (the button is gone),
                    // again once the list is drawn anew.
                    return_focus.set("items-heading".to_owned());
                    dialog_open.set(false);
                    list.reload_then(|| focus_by_id("items-heading"));
                }
                Err(e) => dialog_error.set(Some(e.message())),
            }
        });
    };

    let body = move || match list.state.get() {
        Remote::Loading => {
            view! { <Loading message=t!("Loading the project's data…")/> }.into_any()
        }
        Remote::Failed(error) => view! {
            <ErrorPanel
                heading=t!("The project's data could not be listed.")
                error=error
                on_retry=Callback::new(move |()| list.reload())
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
                    t!(
                        "Delete {item}?",
                        item = kinds::phrase(&item.kind, &item.name)
                    )
                })
                .unwrap_or_default()
        })
    };

    view! {
        <ProjectHeader
            project=name
            title=t!("Data")
            intro=t!("Everything Berth keeps for this project, so you know what you would lose or take with you.")
        />
        <p>
            {t!("Secret values, such as passwords, tokens and API keys, are never shown.")}" "
            <a href="/data-storage">{t!("How your data is stored")}</a>
        </p>
        <p class="status-message banner banner--success" role="status" aria-live="polite">
            {move || announcement.get()}
        </p>
        <div aria-busy=list.aria_busy()>{body}</div>
        <Modal open=dialog_open labelled_by="delete-item-title" return_focus=return_focus>
            <h2 id="delete-item-title">{dialog_title}</h2>
            <p>{t!("It is deleted for good. Anything that uses it stops working.")}</p>
            <div class="form-error" role="alert">{move || dialog_error.get()}</div>
            <div class="dialog__actions">
                <button type="button" class="button button--secondary" on:click=move |_| dialog_open.set(false)>
                    {t!("Cancel")}
                </button>
                <button type="button" class="button button--danger" disabled=move || deleting.get() on:click=confirm>
                    {move || if deleting.get() { t!("Deleting…") } else { t!("Delete") }}
                </button>
            </div>
        </Modal>
    }
}
