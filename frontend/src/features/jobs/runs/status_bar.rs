//! How far a run is, in words ("8 succeeded, 2 failed, 1 running") and as
//! a bar whose parts are told apart by pattern as well as colour, with the
//! same words as its accessible name. The shared `RunState::label` and
//! `RunCounts::summary` are English (the API's); these say it in the
//! reader's language.

use berth_shared::{RunCounts, RunState};
use leptos::prelude::*;

use crate::i18n::{t, tn};

/// The class of a state's part of the bar, badge or row.
pub fn state_class(state: RunState) -> &'static str {
    match state {
        RunState::Waiting => "run-state--waiting",
        RunState::Running => "run-state--running",
        RunState::Succeeded => "run-state--succeeded",
        RunState::Failed => "run-state--failed",
    }
}

/// A state in a word, as the badge shows it.
pub fn state_label(state: RunState) -> &'static str {
    match state {
        RunState::Waiting => t!("waiting"),
        RunState::Running => t!("running"),
        RunState::Succeeded => t!("succeeded"),
        RunState::Failed => t!("failed"),
    }
}

/// A state in words, with a symbol that differs by shape, not only colour.
#[component]
pub fn StateBadge(state: RunState) -> impl IntoView {
    let symbol = match state {
        RunState::Waiting => "○",
        RunState::Running => "◐",
        RunState::Succeeded => "✓",
        RunState::Failed => "✗",
    };
    view! {
        <span class=format!("run-state {}", state_class(state))>
            <span aria-hidden="true">{symbol}" "</span>{state_label(state)}
        </span>
    }
}

/// "8 succeeded, 2 failed, 1 running": the counts that are not zero,
/// finished ones first.
/// The states that have instances, in the order the bar and the words
/// show them, with their counts.
fn present(counts: &RunCounts) -> impl Iterator<Item = (u32, RunState)> {
    [
        (counts.succeeded, RunState::Succeeded),
        (counts.failed, RunState::Failed),
        (counts.running, RunState::Running),
        (counts.waiting, RunState::Waiting),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
}

pub fn summary(counts: &RunCounts) -> String {
    present(counts)
        .map(|(n, state)| {
            let n = n as usize;
            match state {
                RunState::Succeeded => tn!("{n} succeeded", "{n} succeeded", n),
                RunState::Failed => tn!("{n} failed", "{n} failed", n),
                RunState::Running => tn!("{n} running", "{n} running", n),
                RunState::Waiting => tn!("{n} waiting", "{n} waiting", n),
            }
        })
        // A list's separator differs by language ("、" in Japanese).
        .reduce(|earlier, next| t!("{earlier}, {next}", earlier = earlier, next = next))
        .unwrap_or_else(|| t!("nothing to run").to_owned())
}

#[component]
pub fn StatusBar(counts: RunCounts) -> impl IntoView {
    let total = counts.total().max(1);
    let words = summary(&counts);
    let parts = present(&counts)
    .map(|(n, state)| {
        // Through the CSSOM (`style:`), which the strict CSP allows, where
        // a `style` attribute would be refused.
        let width = format!("{:.3}%", f64::from(n) * 100.0 / f64::from(total));
        view! { <span class=format!("status-bar__part {}", state_class(state)) style:width=width></span> }
    })
    .collect_view();
    let label = tn!(
        "Of {n} instance: {summary}",
        "Of {n} instances: {summary}",
        counts.total() as usize,
        summary = words
    );
    view! {
        <div class="status-bar">
            <div class="status-bar__track" role="img" aria-label=label>{parts}</div>
            <span class="status-bar__words" aria-hidden="true">{words}</span>
        </div>
    }
}
