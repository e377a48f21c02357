//! One job run (`/projects/:name/job-runs/:run`): its state, every index
//! with its attempts and duration, kept current by the run's event stream
//! (no polling), each index's log, Rerun failed indexes, and delete.

use std::time::Duration;

use berth_shared::{JobRun, Project, Role, RunIndex, RunState};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::log::LogViewer;
use super::status_bar::{StateBadge, StatusBar, instances};
use crate::api::{self, ApiError, RunUpdate};
use crate::components::{
    Breakable, ErrorPanel, Loading, Modal, Notice, ProjectNav, aria_bool, focus_by_id,
    leave_notice, set_page_title,
};
use crate::format;
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
                        self.announcement.set("This run was deleted.".to_owned());
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
            .map(|i| format!("Index {} {}.", i.index, i.state.label()))
            .collect()
    } else {
        vec![format!("{}.", capitalised(&after.summary.counts.summary()))]
    };
    if before.summary.state != after.summary.state && after.summary.state.is_finished() {
        parts.push(format!("The run {}.", after.summary.state.label()));
    }
    parts.join(" ")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
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
    let action_error = RwSignal::new(None::<String>);
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
        let (p, n) = (project.get(), name.get());
        set_page_title(&format!("{n} · Job runs · {p}"));
        live.run.set(None);
        live.deleted.set(false);
        log_index.set(None);
        action_error.set(None);
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
            action_error.set(None);
            let (p, n) = (project.get_untracked(), name.get_untracked());
            let navigate = navigate.clone();
            spawn_local(async move {
                let result = api::rerun_failed(&p, &n).await;
                rerunning.set(false);
                match result {
                    Ok(new) => {
                        let failed = new.summary.indices.clone();
                        navigate(&format!("/projects/{p}/job-runs/{}", new.summary.name));
                        live.announcement.set(format!(
                            "Started {} to run the failed indexes of {n} again ({failed}).",
                            new.summary.name
                        ));
                        focus_by_id("run-heading");
                    }
                    Err(e) => {
                        action_error.set(Some(e.message()));
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
            action_error.set(None);
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
                            text: format!("Deleted job run {n}, its containers and its logs."),
                            restorable: false,
                        };
                        match &owner {
                            Some(owner) => owner.with(|| leave_notice(notice)),
                            None => leave_notice(notice),
                        }
                        navigate(&format!("/projects/{p}/job-runs"));
                    }
                    Err(e) => action_error.set(Some(e.message())),
                }
            });
        }
    };

    let link_text = move || match live.link.get() {
        Link::Connecting => "Connecting for live updates…",
        Link::Live => "Live: this page updates as indexes start and finish.",
        Link::Reconnecting => "The connection dropped. Reconnecting…",
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
            0 => "none yet".to_owned(),
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
            data.with(|d| d.as_ref().and_then(|d| d.reason.clone()))
                .map(|r| view! { <br/><span class="run-reason">{r}</span> })
        };
        let log_button = move || {
            can_change.get().then(|| {
                let label = format!("Show the log of index {index}");
                view! {
                    <button type="button" class="button button--secondary button--small"
                        id=format!("log-open-{index}")
                        aria-label=label aria-expanded=move || aria_bool(log_index.get() == Some(index))
                        on:click=move |_| {
                            log_index.set(Some(index));
                            focus_by_id("log-heading");
                        }>"Log"</button>
                }
            })
        };
        view! {
            <tr>
                <th scope="row">{format!("Index {index}")}</th>
                <td data-label="State">{move || view! { <StateBadge state=state()/> }}{reason}</td>
                <td data-label="Attempts">{attempts}</td>
                <td data-label="Duration">{duration}</td>
                <td data-label="Exit code">{exit}</td>
                <td>{log_button}</td>
            </tr>
        }
    };

    let details = move |run: JobRun| {
        let s = &run.summary;
        let template_href = format!("/projects/{}/job-templates", project.get_untracked());
        let rerun_of = s.rerun_of.clone().map(|of| {
            let href = format!("/projects/{}/job-runs/{of}", project.get_untracked());
            view! { <div><dt>"Reruns the failed indexes of"</dt><dd><a href=href>{of}</a></dd></div> }
        });
        let reason = s
            .reason
            .clone()
            .map(|r| view! { <p class="banner banner--warning">{r}</p> });
        let command = if run.command.is_empty() && run.args.is_empty() {
            "The image's own".to_owned()
        } else {
            run.command
                .iter()
                .chain(run.args.iter())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (start, end) = (s.started_at.clone(), s.finished_at.clone());
        let duration = move || took(start.as_deref(), end.as_deref(), now.get());
        let indices_text = if s.indices.is_empty() {
            "one instance, without an index".to_owned()
        } else {
            format!("{} ({})", s.indices, instances(s.instances))
        };
        view! {
            {reason}
            <StatusBar counts=s.counts/>
            <dl class="details">
                <div><dt>"State"</dt><dd><StateBadge state=s.state/></dd></div>
                <div><dt>"Template"</dt><dd><a href=template_href>{s.template.clone()}</a></dd></div>
                {rerun_of}
                <div><dt>"Indexes"</dt><dd>{indices_text}</dd></div>
                <div><dt>"Started"</dt><dd>{format::date_time(&s.stamps.created_at)}
                    {s.stamps.created_by.clone().map(|b| format!(" by {b}"))}</dd></div>
                <div><dt>"Duration"</dt><dd>{duration}</dd></div>
                <div><dt>"Image"</dt><dd><code><Breakable text=run.image.clone()/></code></dd></div>
                <div><dt>"Command"</dt><dd><code>{command}</code></dd></div>
                <div><dt>"CPU and memory"</dt><dd>{run.size.label()}</dd></div>
                <div><dt>"Retries"</dt><dd>{format!("up to {} per index", run.retry_limit)}</dd></div>
            </dl>
        }
    };

    let actions = move || {
        (can_change.get() && !live.deleted.get()).then(|| {
            view! {
                <div class="actions">
                    <button type="button" class="button" disabled=move || failed.get() == 0 || rerunning.get()
                        on:click=rerun.clone()>
                        {move || if rerunning.get() { "Starting…" } else { "Rerun failed indexes" }}
                    </button>
                    <button type="button" class="button button--danger" id=DELETE_OPEN_ID
                        on:click=move |_| { action_error.set(None); confirm_open.set(true); }>"Delete run"</button>
                </div>
                <p class="muted" hidden=move || failed.get() != 0>"No index failed, so there is nothing to rerun."</p>
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
        0 => view! { <Loading message="Loading the job run…"/> }.into_any(),
        1 => view! {
            <p>"There is no job run with this name in this project. It may have been deleted."</p>
            <p><a href=move || format!("/projects/{}/job-runs", project.get())>"See the project's job runs"</a></p>
        }
        .into_any(),
        2 => {
            let error = live.run.with_untracked(|r| match r {
                Some(Err(e)) => e.clone(),
                _ => ApiError::Network,
            });
            view! {
                <ErrorPanel heading="This job run could not be loaded." error=error
                    on_retry=Callback::new(move |()| live.connect())/>
            }
            .into_any()
        }
        _ => view! {
            {move || current().map(details)}
            {actions.clone()}
            <section class="panel" aria-labelledby="indexes-heading">
                <h2 id="indexes-heading">"Indexes"</h2>
                {move || is_viewer.get().then(|| view! {
                    <p class="banner">
                        "Logs are shown to the project's editors and owners only, because they can "
                        "hold anything a program printed. You can see how each index is doing."
                    </p>
                })}
                <div class="table-wrap">
                    <table class="table">
                        <caption class="visually-hidden">"Indexes of this run"</caption>
                        <thead><tr>
                            <th scope="col">"Index"</th><th scope="col">"State"</th>
                            <th scope="col">"Attempts"</th><th scope="col">"Duration"</th>
                            <th scope="col">"Exit code"</th>
                            <th scope="col"><span class="visually-hidden">"Log"</span></th>
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
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <ol>
                <li><a href="/projects">"Projects"</a></li>
                <li><a href=move || format!("/projects/{}", project.get())>{move || project.get()}</a></li>
                <li><a href=move || format!("/projects/{}/job-runs", project.get())>"Job runs"</a></li>
                <li><span aria-current="page">{move || name.get()}</span></li>
            </ol>
        </nav>
        <h1 id="run-heading" tabindex="-1">{move || view! { <Breakable text=name.get()/> }}</h1>
        <ProjectNav project=project/>
        <p class="status-message" role="status" aria-live="polite">{move || live.announcement.get()}</p>
        <p class="muted">{link_text}</p>
        {move || live.deleted.get().then(|| view! {
            <p class="banner banner--warning">"This run was deleted: its containers and logs are gone."</p>
        })}
        <div id="run-action-error" class="form-error" role="alert" tabindex="-1">{move || action_error.get()}</div>
        <div aria-busy=busy>{body}</div>
        <Modal open=confirm_open labelled_by="delete-run-title" return_focus=DELETE_OPEN_ID.to_owned()>
            <h2 id="delete-run-title">{move || format!("Delete job run {}?", name.get())}</h2>
            <p>"Its logs are deleted with it, and any index still running is stopped. The template stays."</p>
            <div class="form-error" role="alert">{move || confirm_open.get().then(|| action_error.get()).flatten()}</div>
            <div class="dialog__actions">
                <button type="button" class="button button--secondary" on:click=move |_| confirm_open.set(false)>
                    "Cancel"
                </button>
                <button type="button" class="button button--danger" disabled=move || deleting.get() on:click=delete>
                    {move || if deleting.get() { "Deleting…" } else { "Delete run" }}
                </button>
            </div>
        </Modal>
    }
}
