//! The inventory as people read it: totals per kind, the download, and the
//! table of stored items, each saying what it is; where Kubernetes keeps
//! it is for administrators, under "Technical details".

use berth_shared::inventory::{Inventory, InventoryItem, KINDS};
use leptos::prelude::*;

use super::kinds;
use crate::api;
use crate::components::{Breakable, RowActions, Time};
use crate::i18n::{fill, intl, t};

/// Totals, the download, and the table of items.
#[component]
pub fn InventoryView(
    inventory: Inventory,
    on_delete: Callback<(InventoryItem, String)>,
) -> impl IntoView {
    let totals = KINDS
        .iter()
        .map(|kind| {
            let n = inventory.totals.get(*kind).copied().unwrap_or(0);
            let text = kinds::total(kind, n);
            // The count stands out; the words around it keep the order
            // of the reader's language.
            let number = intl::number(n);
            let shown = match text.split_once(number.as_str()) {
                Some((before, after)) => view! {
                    {before.to_owned()}
                    <span class="totals__count">{number.clone()}</span>
                    {after.to_owned()}
                }
                .into_any(),
                None => text.clone().into_any(),
            };
            view! { <li>{shown}</li> }
        })
        .collect_view();
    let download = api::inventory_download_url(&inventory.project);
    let (before, after) = around(
        t!("All of it lives in the Kubernetes namespace {namespace}."),
        "{namespace}",
    );
    let items = if inventory.items.is_empty() {
        view! { <p class="empty-state">{t!("This project stores nothing yet.")}</p> }.into_any()
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
                    <caption class="visually-hidden">{t!("Stored items")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t!("Item")}</th>
                            <th scope="col">{t!("Details")}</th>
                            <th scope="col">{t!("Created")}</th>
                            <th scope="col">{t!("Last changed")}</th>
                            <th scope="col"><span class="visually-hidden">{t!("Actions")}</span></th>
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
            <h2 id="totals-heading">{t!("Totals")}</h2>
            <ul class="totals">{totals}</ul>
            <details class="tech-details">
                <summary>{t!("Technical details")}</summary>
                {before}<code>{inventory.namespace.clone()}</code>{after}
            </details>
            <a class="button button--secondary" href=download download="">{t!("Download inventory (JSON)")}</a>
        </section>
        <section class="panel" aria-labelledby="items-heading">
            <h2 id="items-heading" tabindex="-1">{t!("Stored items")}</h2>
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
    let title = kinds::title(&item.kind, &item.name);
    let phrase = kinds::phrase(&item.kind, &item.name);
    let location = &item.location;
    let api_version = location.api_version.clone();
    let where_ = t!(
        "{kind} {name} in namespace {namespace}",
        kind = location.kind,
        name = location.name,
        namespace = location.namespace
    );
    let secret = location
        .is_secret
        .then(|| view! { " "<span class="muted">{t!("(kept secret)")}</span> });
    let button_id = format!("delete-item-{index}");
    let label = t!("Delete {item}", item = phrase);
    let created = stamp(
        item.stamps.created_at.clone(),
        item.stamps.created_by.clone(),
    );
    let changed = stamp(
        item.stamps.changed_at().to_owned(),
        item.stamps.updated_by.clone(),
    );
    let clicked = {
        let item = item.clone();
        let button_id = button_id.clone();
        move |_| on_delete.run((item.clone(), button_id.clone()))
    };
    view! {
        <tr>
            <th scope="row"><Breakable text=title/>{secret}</th>
            <td data-label=t!("Details")>
                <details class="tech-details">
                    <summary>{t!("Technical details")}</summary>
                    <Breakable text=where_/>" "<span class="muted">"("<Breakable text=api_version/>")"</span>
                </details>
            </td>
            <td data-label=t!("Created")>{created}</td>
            <td data-label=t!("Last changed")>{changed}</td>
            <td data-label=t!("Actions")>
                <RowActions label=phrase>
                    <button type="button" id=button_id class="button button--secondary button--small" aria-label=label on:click=clicked>
                        {t!("Delete")}
                    </button>
                </RowActions>
            </td>
        </tr>
    }
}

/// When, and by whom when known: "5 Jan 2026, 11:30 by ann".
fn stamp(at: String, by: Option<String>) -> AnyView {
    let Some(who) = by else {
        return view! { <Time at=at/> }.into_any();
    };
    let (before, after) = around(t!("{when} by {user}"), "{when}");
    let user = [("user", &who as &dyn std::fmt::Display)];
    view! { {fill(before, &user)}<Time at=at/>{fill(after, &user)} }.into_any()
}

/// The parts of a translated `template` before and after `place`, where
/// the page puts an element (a date, a code); all of it before when the
/// place is missing.
fn around(template: &'static str, place: &str) -> (&'static str, &'static str) {
    template.split_once(place).unwrap_or((template, ""))
}
