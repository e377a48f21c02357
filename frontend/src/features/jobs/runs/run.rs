//! One job run (`/projects/:name/job-runs/:run`): its state, every index
//! with its attempts and duration, kept current by the run's event stream
//! (no polling), each index's log, Rerun failed indexes, and delete.

use std::time::Duration;

use berth_shared::{JobRun, Project, Role, RunIndex, RunState};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::super::size::size_label;
use super::log::LogViewer;
use super::status_bar::{StateBadge, StatusBar, summary};
use crate::api::{self, ApiError, RunUpdate};
use crate::components::{
    Breakable, ErrorPanel, Loading, Modal, Notice, ProjectNav, Time, aria_bool, focus_by_id,
    leave_notice, set_page_title,
};
use crate::format;
use crate::i18n::{t, tn};
use crate::router::{navigator, use_project_name, use_run_name};

/// How the page hears of changes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    Connecting,
    Live,
    Reconnecting,
    /// The run is finished: nothing more will come.
    Done,
}

/// The signals one connection fills; `Copy`, so reconnecting can hand
/// them on.
#[derive(Clone, Copy)]
struct Live {
    project: Memo<String>,
    name: Memo<String>,
    run: RwSignal<Option<Result<JobRun, ApiError>>>,
    link: RwSignal<Link>,
    deleted: RwSignal<bool>,
    announcement: RwSignal<String>,
    source: StoredValue<Option<web_sys::EventSource>, LocalStorage>,
    /// Counts connections, so a late answer for an old one is dropped.
    generation: StoredValue<u32>,
}

impl Live {
    fn close(self) {
        self.source.update_value(|s| {
            if let Some(s) = s.take() {
                s.close();
            }
        });
    }

    /// Reads the run, then follows its events; after a refused stream,
    /// the same again a little later.
    fn connect(self) {
        self.close();
        let generation = self.generation.get_value().wrapping_add(1);
        self.generation.set_value(generation);
        let current = move || self.generation.try_get_value() == Some(generation);
        let (project, name) = (self.project.get_untracked(), self.name.get_untracked());
        spawn_local(async move {
            let result = api::get_job_run(&project, &name).await;
            if !current() {
                return;
            }
            let gone = result.as_ref().err().and_then(ApiError::status) == Some(404);
            let finished = matches!(&result, Ok(r) if r.summary.state.is_finished());
            self.receive(result);
            if gone {
                return;
            }
            self.link.set(if finished {
                Link::Done
            } else {
                Link::Connecting
            });
            let source = api::follow_job_run(&project, &name, move |update| {
                if !current() {
                    return;
                }
                match update {
                    RunUpdate::Run(run) => {
                        let done = run.summary.state.is_finished();
                        self.receive(Ok(*run));
                        self.link.set(if done { Link::Done } else { Link::Live });
                    }
                    RunUpdate::Deleted => {
                        self.deleted.set(true);
                        self.link.set(Link::Done);
                        self.announcement
                            .set(t!("This run was deleted.").to_owned());
                    }
                    RunUpdate::Reconnecting => self.link.set(Link::Reconnecting),
                    RunUpdate::Closed => {
                        self.link.set(Link::Reconnecting);
                        set_timeout(
                            move || {
                                if current() && !self.deleted.get_untracked() {
                                    self.connect();
                                }
                            },
                            Duration::from_secs(3),
                        );
                    }
                }
            });
            self.source.set_value(source);
        });
    }

    /// Shows `result`, and says what changed since the last one.
    fn receive(self, result: Result<JobRun, ApiError>) {
        let before = self.run.with_untracked(|r| match r {
            Some(Ok(run)) if run.summary.name == self.name.get_untracked() => Some(run.clone()),
            _ => None,
        });
        if let (Some(before), Ok(after)) = (before, &result) {
            let said = changes(&before, after);
            if !said.is_empty() {
                self.announcement.set(said);
            }
        }
        self.run.set(Some(result));
    }
}

/// What a screen reader hears when a run changes: each index that changed
/// (a few), or the counts (many), and the end of the run.
fn changes(before: &JobRun, after: &JobRun) -> String {
    let changed: Vec<&RunIndex> = after
        .indexes
        .iter()
        .filter(|i| {
            before
                .indexes
                .iter()
                .find(|b| b.index == i.index)
                .is_none_or(|b| b.state != i.state)
        })
        .collect();
    let mut parts: Vec<String> = if changed.len() <= 3 {
        changed
            .iter()
            .map(|i| index_now(i.index, i.state))
            .collect()
    } else {
        vec![t!(
            "So far: {summary}.",
            summary = summary(&after.summary.counts)
        )]
    };
    if before.summary.state != after.summary.state {
        match after.summary.state {
            RunState::Succeeded => parts.push(t!("The run succeeded.").to_owned()),
            RunState::Failed => parts.push(t!("The run failed.").to_owned()),
            RunState::Waiting | RunState::Running => {}
        }
    }
    parts.join(" ")
}

/// One index's new state, as a sentence of its own.
fn index_now(index: u32, state: RunState) -> String {
    match state {
        RunState::Waiting => t!("Index {index} is waiting.", index = index),
        RunState::Running => t!("Index {index} is running.", index = index),
        RunState::Succeeded => t!("Index {index} succeeded.", index = index),
        RunState::Failed => t!("Index {index} failed.", index = index),
    }
}

/// Seconds from `start` to `end` (or `now`, in ms since 1970), as words.
fn took(start: Option<&str>, end: Option<&str>, now: f64) -> String {
    let Some(start) = start else {
        return "–".to_owned();
    };
    let from = js_sys::Date::parse(start);
    let to = end.map_or(now, js_sys::Date::parse);
    if from.is_nan() || to.is_nan() {
        return "–".to_owned();
    }
    format::duration(((to - from) / 1000.0).max(0.0) as u64)
}

const DELETE_OPEN_ID: &str = "delete-run-open";

#[component]
pub fn JobRunPage() -> impl IntoView {
    let project = use_project_name();
    let name = use_run_name();
    let navigate = navigator();
    let live = Live {
        project,
        name,
        run: RwSignal::new(None),
        link: RwSignal::new(Link::Connecting),
        deleted: RwSignal::new(false),
        announcement: RwSignal::new(String::new()),
        source: StoredValue::new_local(None),
        generation: StoredValue::new(0),
    };
    let role = RwSignal::new(None::<Option<Role>>);
    let log_index = RwSignal::new(None::<u32>);
    // Why the rerun failed (shown on the page) or the deletion (in its dialog).
    let rerun_error = RwSignal::new(None::<String>);
    let delete_error = RwSignal::new(None::<String>);
    let rerunning = RwSignal::new(false);
    let confirm_open = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let now = RwSignal::new(js_sys::Date::now());

    on_cleanup(move || {
        live.generation.try_update_value(|g| *g = g.wrapping_add(1));
        live.source.try_update_value(|s| {
            if let Some(s) = s.take() {
                s.close();
            }
        });
    });
    // Durations of running indexes grow by the second; the browser's clock,
    // not the server, moves them.
    if let Ok(timer) =
        set_interval_with_handle(move || now.set(js_sys::Date::now()), Duration::from_secs(1))
    {
        on_cleanup(move || timer.clear());
    }

    Effect::new(move |_| {
        set_page_title(&t!(
            "{run} · Job runs · {project}",
            run = name.get(),
            project = project.get()
        ));
    });
    Effect::new(move |_| {
        let (p, _) = (project.get(), name.get());
        live.run.set(None);
        live.deleted.set(false);
        log_index.set(None);
        rerun_error.set(None);
        delete_error.set(None);
        live.connect();
        spawn_local(async move {
            let found: Result<Project, ApiError> = api::get_project(&p).await;
            if project.get_untracked() == p {
                role.set(found.ok().map(|p| p.role));
            }
        });
    });
    // Administrators who are not members have no role, and may do everything.
    let can_change = Signal::derive(move || {
        role.get()
            .is_some_and(|r| r.is_none_or(|r| r != Role::Viewer))
    });
    let is_viewer = Signal::derive(move || role.get() == Some(Some(Role::Viewer)));

    let rerun = {
        let navigate = navigate.clone();
        move |_| {
            if rerunning.get_untracked() {
                return;
            }
            rerunning.set(true);
            rerun_error.set(None);
            let (p, n) = (project.get_untracked(), name.get_untracked());
            let navigate = navigate.clone();
            spawn_local(async move {
                let result = api::rerun_failed(&p, &n).await;
                rerunning.set(false);
                match result {
                    Ok(new) => {
                        let failed = new.summary.indices.clone();
                        navigate(&format!("/projects/{p}/job-runs/{}", new.summary.name));
                        live.announcement.set(t!(
                            "Started {new} to run the failed indexes of {run} again ({indices}).",
                            new = new.summary.name,
                            run = n,
                            indices = failed
                        ));
                        focus_by_id("run-heading");
                    }
                    Err(e) => {
                        rerun_error.set(Some(e.message()));
                        focus_by_id("run-action-error");
                    }
                }
            });
        }
    };
    let owner = Owner::current();
    let delete = {
        let navigate = navigate.clone();
        move |_| {
            if deleting.get_untracked() {
                return;
            }
            deleting.set(true);
            delete_error.set(None);
            let (p, n) = (project.get_untracked(), name.get_untracked());
            let (navigate, owner) = (navigate.clone(), owner.clone());
            spawn_local(async move {
                let result = api::delete_job_run(&p, &n).await;
                deleting.set(false);
                match result {
                    Ok(()) => {
                        live.close();
                        confirm_open.set(false);
                        // The notice lives in the console's context, out of reach
                        // of this task unless it runs under the page's owner.
                        let notice = Notice {
                            text: t!(
                                "Deleted job run {run}, its containers and its logs.",
                                run = n
                            ),
                            restorable: false,
                        };
                        match &owner {
                            Some(owner) => owner.with(|| leave_notice(notice)),
                            None => leave_notice(notice),
                        }
                        navigate(&format!("/projects/{p}/job-runs"));
                    }
                    Err(e) => {
                        delete_error.set(Some(e.message()));
                        focus_by_id("delete-run-error");
                    }
                }
            });
        }
    };

    let link_text = move || match live.link.get() {
        Link::Connecting => t!("Connecting for live updates…"),
        Link::Live => t!("Live: this page updates as indexes start and finish."),
        Link::Reconnecting => t!("The connection dropped. Reconnecting…"),
        Link::Done => "",
    };

    // The run as it is now, and the parts of it that views follow, so an
    // update redraws only what changed (and focus stays where it was).
    let current = move || {
        live.run
            .with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).cloned())
    };
    let numbers = Memo::new(move |_| {
        live.run.with(|r| match r {
            Some(Ok(run)) => run.indexes.iter().map(|i| i.index).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let index_of = move |index: u32| {
        Memo::new(move |_| {
            live.run.with(|r| {
                r.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|r| r.indexes.iter().find(|i| i.index == index))
                    .cloned()
            })
        })
    };
    let failed = Memo::new(move |_| {
        live.run.with(|r| match r {
            Some(Ok(run)) => run.summary.counts.failed,
            _ => 0,
        })
    });

    let index_row = move |index: u32| {
        let data = index_of(index);
        let field = move |f: fn(&RunIndex) -> String| {
            move || data.with(|d| d.as_ref().map(f).unwrap_or_default())
        };
        let state = move || data.with(|d| d.as_ref().map_or(RunState::Waiting, |d| d.state));
        let attempts = field(|i| match i.attempts {
            0 => t!("none yet").to_owned(),
            n => n.to_string(),
        });
        let exit = field(|i| {
            i.exit_code
                .map_or_else(|| "–".to_owned(), |c| c.to_string())
        });
        let duration = move || {
            data.with(|d| {
                d.as_ref()
                    .map(|d| took(d.started_at.as_deref(), d.finished_at.as_deref(), now.get()))
            })
        };
        let reason = move || {
            data.with(|d| {
                d.as_ref().and_then(|d| {
                    said(
                        d.reason.as_deref(),
                        d.reason_code.as_deref(),
                        &d.reason_params,
                    )
                })
            })
            .map(|r| view! { <br/><span class="run-reason">{r}</span> })
        };
        let log_button = move || {
            can_change.get().then(|| {
                view! {
                    <button type="button" class="button button--secondary button--small"
                        id=format!("log-open-{index}")
                        aria-label=t!("Show the log of index {index}", index = index)
                        aria-expanded=move || aria_bool(log_index.get() == Some(index))
                        on:click=move |_| {
                            log_index.set(Some(index));
                            focus_by_id("log-heading");
                        }>{t!("Log")}</button>
                }
            })
        };
        view! {
            <tr>
                <th scope="row">{t!("Index {index}", index = index)}</th>
                <td data-label=t!("State")>{move || view! { <StateBadge state=state()/> }}{reason}</td>
                <td data-label=t!("Attempts")>{attempts}</td>
                <td data-label=t!("Duration")>{duration}</td>
                <td data-label=t!("Exit code")>{exit}</td>
                <td>{log_button}</td>
            </tr>
        }
    };

    let details = move |run: JobRun| {
        let s = &run.summary;
        let template_href = format!("/projects/{}/job-templates", project.get_untracked());
        let rerun_of = s.rerun_of.clone().map(|of| {
            let href = format!("/projects/{}/job-runs/{of}", project.get_untracked());
            view! { <div><dt>{t!("Reruns the failed indexes of")}</dt><dd><a href=href>{of}</a></dd></div> }
        });
        let reason = said(
            s.reason.as_deref(),
            s.reason_code.as_deref(),
            &s.reason_params,
        )
        .map(|r| view! { <p class="banner banner--warning">{r}</p> });
        let command = if run.command.is_empty() && run.args.is_empty() {
            view! { {t!("The program the image was made for")} }.into_any()
        } else {
            let words = run
                .command
                .iter()
                .chain(run.args.iter())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            view! { <code>{words}</code> }.into_any()
        };
        let (start, end) = (s.started_at.clone(), s.finished_at.clone());
        let duration = move || took(start.as_deref(), end.as_deref(), now.get());
        let indices_text = if s.indices.is_empty() {
            t!("One run, without an index").to_owned()
        } else {
            tn!(
                "{indices} ({n} instance)",
                "{indices} ({n} instances)",
                s.instances as usize,
                indices = s.indices
            )
        };
        let started_by = s.stamps.created_by.clone().map(|by| {
            view! { <div><dt>{t!("Started by")}</dt><dd>{by}</dd></div> }
        });
        let retries = match run.retry_limit {
            0 => t!("None: a failed index stays failed").to_owned(),
            n => tn!("Up to {n} per index", "Up to {n} per index", n as usize),
        };
        view! {
            {reason}
            <StatusBar counts=s.counts/>
            <dl class="details">
                <div><dt>{t!("State")}</dt><dd><StateBadge state=s.state/></dd></div>
                <div><dt>{t!("Template")}</dt><dd><a href=template_href>{s.template.clone()}</a></dd></div>
                {rerun_of}
                <div><dt>{t!("Indexes")}</dt><dd>{indices_text}</dd></div>
                <div><dt>{t!("Started")}</dt><dd><Time at=s.stamps.created_at.clone()/></dd></div>
                {started_by}
                <div><dt>{t!("Duration")}</dt><dd>{duration}</dd></div>
                <div><dt>{t!("Image")}</dt><dd><code><Breakable text=run.image.clone()/></code></dd></div>
                <div><dt>{t!("Command")}</dt><dd>{command}</dd></div>
                <div><dt>{t!("CPU and memory")}</dt><dd>{size_label(run.size)}</dd></div>
                <div><dt>{t!("Retries")}</dt><dd>{retries}</dd></div>
            </dl>
        }
    };

    let actions = move || {
        (can_change.get() && !live.deleted.get()).then(|| {
            view! {
                <div class="actions">
                    <button type="button" class="button" disabled=move || failed.get() == 0 || rerunning.get()
                        on:click=rerun.clone()>
                        {move || if rerunning.get() { t!("Starting…") } else { t!("Rerun failed indexes") }}
                    </button>
                    <button type="button" class="button button--danger" id=DELETE_OPEN_ID
                        on:click=move |_| { delete_error.set(None); confirm_open.set(true); }>{t!("Delete run")}</button>
                </div>
                <p class="muted" hidden=move || failed.get() != 0>{t!("No index failed, so there is nothing to rerun.")}</p>
            }
        })
    };

    let log_view = move || {
        let index = log_index.get()?;
        let data = index_of(index);
        let progress = Signal::derive(move || {
            data.with(|i| {
                i.as_ref()
                    .map_or((0, RunState::Waiting), |i| (i.attempts, i.state))
            })
        });
        Some(view! {
            <LogViewer project=project.get_untracked() run=name.get_untracked() index=index
                progress=progress on_close=Callback::new(move |()| {
                    log_index.set(None);
                    focus_by_id(format!("log-open-{index}"));
                })/>
        })
    };

    // 0 loading, 1 not found, 2 failed, 3 here.
    let phase = Memo::new(move |_| {
        live.run.with(|r| match r {
            None => 0,
            Some(Err(e)) if e.status() == Some(404) => 1,
            Some(Err(_)) => 2,
            Some(Ok(_)) => 3,
        })
    });
    let body = move || {
        match phase.get() {
        0 => view! { <Loading message=t!("Loading the job run…")/> }.into_any(),
        1 => view! {
            <p>{t!("There is no job run with this name in this project. It may have been deleted.")}</p>
            <p><a href=move || format!("/projects/{}/job-runs", project.get())>{t!("See the project's job runs")}</a></p>
        }
        .into_any(),
        2 => {
            let error = live.run.with_untracked(|r| match r {
                Some(Err(e)) => e.clone(),
                _ => ApiError::Network,
            });
            view! {
                <ErrorPanel heading=t!("This job run could not be loaded.") error=error
                    on_retry=Callback::new(move |()| live.connect())/>
            }
            .into_any()
        }
        _ => view! {
            {move || current().map(details)}
            {actions.clone()}
            <section class="panel" aria-labelledby="indexes-heading">
                <h2 id="indexes-heading">{t!("Indexes")}</h2>
                {move || is_viewer.get().then(|| view! {
                    <p class="banner banner--info">
                        {t!("Logs are shown to the project's editors and owners only, because they can hold anything a program printed. You can see how each index is doing.")}
                    </p>
                })}
                <div class="table-wrap">
                    <table class="table">
                        <caption class="visually-hidden">{t!("Indexes of this run")}</caption>
                        <thead><tr>
                            <th scope="col">{t!("Index")}</th><th scope="col">{t!("State")}</th>
                            <th scope="col">{t!("Attempts")}</th><th scope="col">{t!("Duration")}</th>
                            <th scope="col">{t!("Exit code")}</th>
                            <th scope="col"><span class="visually-hidden">{t!("Log")}</span></th>
                        </tr></thead>
                        <tbody>
                            <For each=move || numbers.get() key=|i| *i children=index_row/>
                        </tbody>
                    </table>
                </div>
            </section>
            {log_view}
        }
        .into_any(),
    }
    };
    let busy = move || aria_bool(live.run.with(Option::is_none));

    view! {
        // A run has a name of its own, not a title: the same header as
        // every project page's, laid out here around it.
        <header class="page-header">
            <nav aria-label=t!("Breadcrumb") class="breadcrumb">
                <ol>
                    <li><a href="/projects">{t!("Projects")}</a></li>
                    <li><a href=move || format!("/projects/{}", project.get())>{move || project.get()}</a></li>
                    <li><a href=move || format!("/projects/{}/job-runs", project.get())>{t!("Job runs")}</a></li>
                    <li><span aria-current="page">{move || name.get()}</span></li>
                </ol>
            </nav>
            <h1 id="run-heading" tabindex="-1">{move || view! { <Breakable text=name.get()/> }}</h1>
            <p class="page-intro">
                {t!("One run of a job template: how each of its indexes is doing, and what each printed.")}
            </p>
            <ProjectNav project=project/>
        </header>
        <p class="status-message" role="status" aria-live="polite">{move || live.announcement.get()}</p>
        <p class="muted">{link_text}</p>
        {move || live.deleted.get().then(|| view! {
            <p class="banner banner--warning">{t!("This run was deleted: its containers and logs are gone.")}</p>
        })}
        {move || rerun_error.get().map(|message| view! {
            <p id="run-action-error" class="banner banner--error" role="alert" tabindex="-1">{message}</p>
        })}
        <div aria-busy=busy>{body}</div>
        <Modal open=confirm_open labelled_by="delete-run-title" return_focus=DELETE_OPEN_ID.to_owned()>
            <h2 id="delete-run-title">{move || t!("Delete job run {run}?", run = name.get())}</h2>
            <p>{t!("Its logs are deleted with it, and any index still running is stopped. The template stays.")}</p>
            {move || delete_error.get().map(|message| view! {
                <p id="delete-run-error" class="banner banner--error" role="alert" tabindex="-1">{message}</p>
            })}
            <div class="dialog__actions">
                <button type="button" class="button button--secondary" on:click=move |_| confirm_open.set(false)>
                    {t!("Cancel")}
                </button>
                <button type="button" class="button button--danger" disabled=move || deleting.get() on:click=delete>
                    {move || if deleting.get() { t!("Deleting…") } else { t!("Delete run") }}
                </button>
            </div>
        </Modal>
    }
}

/// A reason the server gave, in the reader's language when it came with
/// its code; its English otherwise.
fn said(
    english: Option<&str>,
    code: Option<&str>,
    params: &std::collections::BTreeMap<String, String>,
) -> Option<String> {
    let english = english?;
    Some(match code {
        Some(code) => crate::i18n::message(code, params, english),
        None => english.to_owned(),
    })
}
