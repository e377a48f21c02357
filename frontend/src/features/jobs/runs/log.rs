//! The log of one index: what its program printed, read as it is written
//! while the index runs (the view follows the end unless following is
//! paused), any earlier attempt's log, and a download of it.

use std::cell::Cell;

use berth_shared::RunState;
use berth_shared::job_run::LOG_LIMIT_BYTES;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::aria_bool;
use crate::i18n::t;

#[derive(Clone, PartialEq)]
enum Reading {
    /// The index has not started: no log yet.
    NotStarted,
    Loading,
    /// Text arrives as the program prints it.
    Following,
    /// The whole log of an attempt that has ended.
    Complete,
    Failed(String),
}

#[component]
pub fn LogViewer(
    project: String,
    run: String,
    index: u32,
    /// The index's attempts so far and its state, as the run's events say.
    progress: Signal<(u32, RunState)>,
    on_close: Callback<()>,
) -> impl IntoView {
    // The attempt chosen in the picker; `None` keeps to the latest.
    let chosen = RwSignal::new(None::<u32>);
    let text = RwSignal::new(String::new());
    let reading = RwSignal::new(Reading::Loading);
    let following = RwSignal::new(true);
    let pre = NodeRef::<html::Pre>::new();
    let controller = StoredValue::new_local(None::<web_sys::AbortController>);
    let generation = StoredValue::new(0_u32);
    // The attempt whose whole log arrived while it ran: no need to read it again.
    let complete = StoredValue::new(None::<u32>);

    let stop = move || {
        controller.try_update_value(|c| {
            if let Some(c) = c.take() {
                c.abort();
            }
        });
    };
    on_cleanup(stop);

    let to_end = move || {
        if following.get_untracked() {
            request_animation_frame(move || {
                if let Some(pre) = pre.get_untracked() {
                    pre.set_scroll_top(pre.scroll_height());
                }
            });
        }
    };

    // Which attempt is shown, and whether it is still running.
    let shown = Memo::new(move |_| {
        let (attempts, state) = progress.get();
        let attempt = chosen.get().filter(|c| *c <= attempts).unwrap_or(attempts);
        (attempt, state == RunState::Running && attempt == attempts)
    });
    let (project_a, run_a) = (project.clone(), run.clone());
    Effect::new(move |_| {
        let (attempt, live) = shown.get();
        if attempt == 0 {
            stop();
            reading.set(Reading::NotStarted);
            text.set(String::new());
            return;
        }
        if !live && complete.get_value() == Some(attempt) {
            reading.set(Reading::Complete);
            return;
        }
        stop();
        let this = generation.get_value().wrapping_add(1);
        generation.set_value(this);
        let current = move || generation.try_get_value() == Some(this);
        let abort = web_sys::AbortController::new().ok();
        let signal = abort.as_ref().map(web_sys::AbortController::signal);
        controller.set_value(abort);
        text.set(String::new());
        reading.set(if live {
            Reading::Following
        } else {
            Reading::Loading
        });
        let (project, run) = (project_a.clone(), run_a.clone());
        spawn_local(async move {
            // A follow the network dropped (api/retry.rs) starts again; the
            // text already shown is skipped as it comes again.
            let mut pauses = api::RETRY_PAUSES_MS.into_iter();
            let result = loop {
                let had = text.with_untracked(String::len);
                let skip = Cell::new(had);
                let result = api::read_log(
                    &project,
                    &run,
                    index,
                    Some(attempt),
                    live,
                    signal.as_ref(),
                    |piece| {
                        let seen = skip.get().min(piece.len());
                        skip.set(skip.get() - seen);
                        let new = piece.get(seen..).unwrap_or_default();
                        if current() && !new.is_empty() {
                            text.update(|t| t.push_str(new));
                            to_end();
                        }
                    },
                )
                .await;
                if !current() {
                    return;
                }
                if text.with_untracked(String::len) > had {
                    pauses = api::RETRY_PAUSES_MS.into_iter();
                }
                let pause = match result {
                    Err(api::ApiError::Network) if live => pauses.next(),
                    _ => None,
                };
                let Some(ms) = pause else { break result };
                api::pause(ms).await;
                if !current() {
                    return;
                }
            };
            match result {
                Ok(()) => {
                    if live {
                        complete.set_value(Some(attempt));
                    }
                    reading.set(Reading::Complete);
                }
                Err(e) => reading.set(Reading::Failed(e.message())),
            }
        });
    });

    let attempts = move || progress.with(|p| p.0);
    let picker = move || {
        (attempts() > 1).then(|| {
            let options = (1..=attempts())
                .rev()
                .map(|a| {
                    let label = if a == attempts() {
                        t!("Attempt {attempt} (latest)", attempt = a)
                    } else {
                        t!("Attempt {attempt}", attempt = a)
                    };
                    view! { <option value=a.to_string() selected=move || shown.get().0 == a>{label}</option> }
                })
                .collect_view();
            view! {
                <div class="field">
                    <label for="log-attempt" class="field__label">{t!("Attempt")}</label>
                    <select id="log-attempt" on:change=move |ev| {
                        let picked = event_target_value(&ev).parse::<u32>().ok();
                        chosen.set(picked.filter(|p| *p != attempts()));
                    }>{options}</select>
                </div>
            }
        })
    };
    let status = move || match reading.get() {
        Reading::NotStarted => {
            t!("This index has not started yet. Its log appears here when it does.").to_owned()
        }
        Reading::Loading => t!("Loading the log…").to_owned(),
        Reading::Following => {
            t!("Running: new lines appear here as the program prints them.").to_owned()
        }
        Reading::Complete => {
            let size = text.with(String::len) as u64;
            if size >= LOG_LIMIT_BYTES {
                t!(
                    "This attempt has ended. Berth shows at most the first {size} MiB of a log.",
                    size = LOG_LIMIT_BYTES / 1024 / 1024
                )
            } else if size == 0 {
                t!("This attempt has ended. It printed nothing.").to_owned()
            } else {
                t!("This attempt has ended: this is its whole log.").to_owned()
            }
        }
        Reading::Failed(message) => t!("The log could not be read: {reason}", reason = message),
    };
    let download = {
        let (project, run) = (project.clone(), run.clone());
        move || {
            let attempt = shown.get().0;
            (attempt > 0).then(|| {
                let href = api::log_download_url(&project, &run, index, Some(attempt));
                view! {
                    <a class="button button--secondary" href=href download="">
                        {t!("Download the log of index {index}, attempt {attempt}", index = index, attempt = attempt)}
                    </a>
                }
            })
        }
    };
    let label = move || {
        t!(
            "Log of index {index}, attempt {attempt}",
            index = index,
            attempt = shown.get().0
        )
    };

    view! {
        <section class="panel" aria-labelledby="log-heading">
            <h2 id="log-heading" tabindex="-1">{t!("Log of index {index}", index = index)}</h2>
            {picker}
            <p class="muted">{status}</p>
            <div class="actions">
                <button type="button" class="button button--secondary"
                    aria-pressed=move || aria_bool(!following.get())
                    on:click=move |_| {
                        following.update(|f| *f = !*f);
                        to_end();
                    }>{t!("Pause following")}</button>
                {download}
                <button type="button" class="button button--secondary"
                    on:click=move |_| on_close.run(())>{t!("Close the log")}</button>
            </div>
            <pre node_ref=pre class="code-block log-view" tabindex="0" aria-label=label>
                <code>{move || text.get()}</code>
            </pre>
        </section>
    }
}
