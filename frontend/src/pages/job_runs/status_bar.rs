//! How far a run is, as a sentence ("8 succeeded, 2 failed, 1 running")
//! and as a bar whose parts are told apart by pattern as well as colour,
//! with the same sentence as its accessible name.

use berth_shared::{RunCounts, RunState};
use leptos::prelude::*;

/// The class of a state's part of the bar, badge or row.
pub fn state_class(state: RunState) -> &'static str {
    match state {
        RunState::Waiting => "run-state--waiting",
        RunState::Running => "run-state--running",
        RunState::Succeeded => "run-state--succeeded",
        RunState::Failed => "run-state--failed",
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
            <span aria-hidden="true">{symbol}" "</span>{state.label()}
        </span>
    }
}

#[component]
pub fn StatusBar(counts: RunCounts) -> impl IntoView {
    let total = counts.total().max(1);
    let summary = counts.summary();
    let parts = [
        (counts.succeeded, RunState::Succeeded),
        (counts.failed, RunState::Failed),
        (counts.running, RunState::Running),
        (counts.waiting, RunState::Waiting),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, state)| {
        let width = format!("width: {:.3}%", f64::from(n) * 100.0 / f64::from(total));
        view! { <span class=format!("status-bar__part {}", state_class(state)) style=width></span> }
    })
    .collect_view();
    let label = format!("Of {}: {summary}", instances(counts.total()));
    view! {
        <div class="status-bar">
            <div class="status-bar__track" role="img" aria-label=label>{parts}</div>
            <span class="status-bar__words" aria-hidden="true">{summary}</span>
        </div>
    }
}

/// "1 instance", "11 instances".
pub fn instances(n: u32) -> String {
    if n == 1 {
        "1 instance".to_owned()
    } else {
        format!("{n} instances")
    }
}
