//! Repeatable rows (command parts, arguments, environment variables): add,
//! remove, and move up or down with buttons a keyboard reaches and a screen
//! reader names ("Move argument 2 up").

use std::cell::Cell;

use leptos::prelude::*;

use crate::i18n::{self, t};

use super::{TextField, focus_by_id};

/// One row; `key` stays with it when it moves, so its inputs keep their
/// state and focus.
#[derive(Clone, Copy)]
pub struct Row<T> {
    pub key: u32,
    pub item: T,
}

thread_local! {
    static NEXT_KEY: Cell<u32> = const { Cell::new(0) };
}

pub fn row<T>(item: T) -> Row<T> {
    let key = NEXT_KEY.with(|k| {
        let key = k.get();
        k.set(key + 1);
        key
    });
    Row { key, item }
}

/// The position of row `key`, from 0.
pub fn index_of<T: Send + Sync + 'static>(rows: RwSignal<Vec<Row<T>>>, key: u32) -> usize {
    rows.with(|r| r.iter().position(|x| x.key == key))
        .unwrap_or(0)
}

/// Up, down and remove for row `key`. After a move the focus follows the
/// row (to the other arrow when it reached an end).
pub fn row_controls<T: Copy + Send + Sync + 'static>(
    rows: RwSignal<Vec<Row<T>>>,
    key: u32,
    noun: &'static str,
    prefix: &'static str,
) -> impl IntoView {
    let index = move || index_of(rows, key);
    let last = move || rows.with(Vec::len).saturating_sub(1);
    let shift = move |up: bool| {
        let i = index();
        let j = if up { i.checked_sub(1) } else { Some(i + 1) };
        let Some(j) = j.filter(|j| *j <= last()) else {
            return;
        };
        rows.update(|r| r.swap(i, j));
        let at_end = if up { j == 0 } else { j == last() };
        let button = if up != at_end { "up" } else { "down" };
        focus_by_id(format!("{prefix}-{key}-{button}"));
    };
    let at_end = move || index_of(rows, key) >= last();
    let remove = move |_| {
        let i = index();
        rows.update(|r| r.retain(|x| x.key != key));
        let next = rows.with(|r| r.get(i).or_else(|| r.last()).map(|x| x.key));
        focus_by_id(match next {
            Some(k) => format!("{prefix}-{k}-remove"),
            None => format!("{prefix}-add"),
        });
    };
    view! {
        <div class="row-actions">
            <button type="button" class="button button--secondary" id=format!("{prefix}-{key}-up")
                aria-label=move || t!("Move {what} {n} up", what = noun, n = index() + 1)
                disabled=move || index() == 0 on:click=move |_| shift(true)>{t!("Up")}</button>
            <button type="button" class="button button--secondary" id=format!("{prefix}-{key}-down")
                aria-label=move || t!("Move {what} {n} down", what = noun, n = index() + 1)
                disabled=at_end on:click=move |_| shift(false)>{t!("Down")}</button>
            <button type="button" class="button button--secondary" id=format!("{prefix}-{key}-remove")
                aria-label=move || t!("Remove {what} {n}", what = noun, n = index() + 1)
                on:click=remove>{t!("Remove")}</button>
        </div>
    }
}

/// A list of text rows such as the arguments, with its errors
/// (`args[2]`) next to each input.
#[component]
pub fn TextRows(
    rows: RwSignal<Vec<Row<RwSignal<String>>>>,
    /// The JSON field: `args` or `command`.
    field: &'static str,
    legend: &'static str,
    /// One row's label ("Argument"); `noun` is the same in a sentence.
    label: &'static str,
    noun: &'static str,
    hint: &'static str,
    #[prop(into)] errors: Signal<Vec<berth_shared::FieldError>>,
    /// Starts the ids of the inputs and buttons; `field` when not given
    /// (two lists of the same field on one page need two).
    #[prop(optional)]
    id_prefix: Option<&'static str>,
) -> impl IntoView {
    let prefix = id_prefix.unwrap_or(field);
    let add = move |_| {
        let new = row(RwSignal::new(String::new()));
        rows.update(|r| r.push(new));
        focus_by_id(format!("{prefix}-{}", new.key));
    };
    view! {
        <fieldset class="field rows">
            <legend class="field__label">{legend}<span class="field__optional">{t!(" (optional)")}</span></legend>
            <p class="field__hint">{hint}</p>
            <For each=move || rows.get() key=|r| r.key let:r>
                {
                    let id = format!("{prefix}-{}", r.key);
                    let error = Signal::derive(move || {
                        let path = format!("{field}[{}]", index_of(rows, r.key));
                        errors.with(|e| e.iter().find(|e| e.field == path).map(i18n::field_error))
                    });
                    let group = move || t!("{what} {n}", what = label, n = index_of(rows, r.key) + 1);
                    view! {
                        <div class="rows__row" role="group" aria-label=group>
                            <TextField id=id label=label value=r.item error=error required=true/>
                            {row_controls(rows, r.key, noun, prefix)}
                        </div>
                    }
                }
            </For>
            <button type="button" class="button button--secondary" id=format!("{prefix}-add")
                on:click=add>{t!("Add {what}", what = noun)}</button>
        </fieldset>
    }
}
