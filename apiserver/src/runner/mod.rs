//! The pod runner: runs each Pod's container on a local container engine
//! (podman or docker), at most `max_running` at once, as the kubelet of a
//! one-node cluster. A task woken by every committed write starts a
//! [`pod::run`] for each new Pod and cancels those whose Pod was deleted.
//! At start it removes containers of this store whose Pod is gone. Without
//! an engine, Pods stay Pending with `PodScheduled=False` saying why.

pub mod engine;
mod inputs;
mod pod;
mod status;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use tokio::sync::{Semaphore, watch};

use self::engine::Engine;
use crate::jobs::pods;
use crate::meta;
use crate::pods::NO_ENGINE_MESSAGE;
use crate::pods::logs::LogHub;
use crate::reconcile::{Changed, Wakes};
use crate::store::Store;

/// The label on every container the runner creates: which store it belongs to.
pub const INSTANCE_LABEL: &str = "dev.berth.instance";

/// How the embedded server runs Pods.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// The engine; None: Pods are stored but never run.
    pub engine: Option<Engine>,
    /// Most containers running at once.
    pub max_running: usize,
    /// Registries (`HOST:PORT`) pulled from over plain HTTP (podman only;
    /// docker takes this from its daemon's configuration).
    pub insecure_registries: Vec<String>,
    /// A private folder for the short-lived auth and env files.
    pub work_dir: PathBuf,
    /// This store's identity, labelled on its containers.
    pub instance: String,
}

/// What every Pod task shares.
pub struct Ctx {
    store: Store,
    hub: LogHub,
    engine: Engine,
    config: RunnerConfig,
    permits: Arc<Semaphore>,
}

/// Starts the runner (or, without an engine, the task that explains why
/// Pods wait) on the current runtime; it stops with the store.
pub fn spawn(store: &Store, hub: LogHub, config: RunnerConfig) {
    match config.engine.clone() {
        None => spawn_unschedulable(store),
        Some(engine) => {
            let permits = Arc::new(Semaphore::new(config.max_running.max(1)));
            let ctx = Arc::new(Ctx {
                store: store.clone(),
                hub,
                engine,
                config,
                permits,
            });
            spawn_dispatcher(ctx);
        }
    }
}

/// Whether a Pod (not being deleted) has yet to end.
fn is_live(pod: &Value) -> bool {
    !matches!(
        pod.pointer("/status/phase").and_then(Value::as_str),
        Some("Succeeded" | "Failed")
    )
}

/// The Pods a change concerns, by uid, as they are now: `None` for one that
/// is gone or being deleted.
fn touched_pods(store: &Store, changed: &Changed) -> HashMap<String, Option<Value>> {
    let (state, pods) = (store.read(), pods());
    let now = |p: &Value| (!meta::is_deleting(p)).then(|| p.clone());
    match changed {
        Changed::Everything => state
            .range(&pods, None, None)
            .map(|(_, p)| (meta::uid(&p.value).to_string(), now(&p.value)))
            .collect(),
        Changed::Events(events) => events
            .iter()
            .filter(|e| e.gr == pods)
            .map(|e| {
                let (o, uid) = (&e.object.value, meta::uid(&e.object.value));
                let current = state
                    .get(&pods, meta::namespace(o), meta::name(o))
                    .map(|p| &p.value)
                    .filter(|p| meta::uid(p) == uid)
                    .and_then(now);
                (uid.to_string(), current)
            })
            .collect(),
    }
}

fn spawn_dispatcher(ctx: Arc<Ctx>) {
    let mut wakes = Wakes::new(&ctx.store);
    // The dispatcher must not keep the store alive.
    let tasks: Arc<Mutex<HashMap<String, watch::Sender<bool>>>> = Arc::default();
    tokio::spawn(async move {
        remove_orphans(&ctx).await;
        while let Some((store, changed)) = wakes.next(None).await {
            let touched = touched_pods(&store, &changed);
            drop(store);
            let mut t = tasks.lock().unwrap_or_else(PoisonError::into_inner);
            if matches!(changed, Changed::Everything) {
                // A Pod deleted while the changes were out of sight.
                t.retain(|uid, cancel| {
                    let kept = touched.get(uid).is_some_and(Option::is_some);
                    if !kept {
                        cancel.send_replace(true);
                    }
                    kept
                });
            }
            for (uid, pod) in touched {
                let Some(pod) = pod else {
                    if let Some(cancel) = t.remove(&uid) {
                        cancel.send_replace(true);
                    }
                    continue;
                };
                if !is_live(&pod) || t.contains_key(&uid) {
                    continue;
                }
                let (tx, rx) = watch::channel(false);
                t.insert(uid.clone(), tx);
                let (ctx2, tasks2) = (ctx.clone(), tasks.clone());
                tokio::spawn(async move {
                    pod::run(ctx2, pod, rx).await;
                    // Ended: forget it unless the Pod is still live (it is then
                    // in a final phase and not picked up again).
                    tasks2
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .remove(&uid);
                });
            }
        }
        // The store is gone: stop everything this runner started.
        let all: Vec<watch::Sender<bool>> = tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .map(|(_, v)| v)
            .collect();
        for c in all {
            c.send_replace(true);
        }
    });
}

/// Containers of this store whose Pod is gone (deleted while Berth was down).
async fn remove_orphans(ctx: &Ctx) {
    let Ok(names) = ctx
        .engine
        .list_labelled(INSTANCE_LABEL, &ctx.config.instance)
        .await
    else {
        return;
    };
    let wanted: HashSet<String> = ctx
        .store
        .read()
        .range(&pods(), None, None)
        .map(|(_, p)| pod::container_name(meta::uid(&p.value)))
        .collect();
    for n in names.iter().filter(|n| !wanted.contains(*n)) {
        ctx.engine.remove(n, 0).await;
    }
}

fn spawn_unschedulable(store: &Store) {
    let mut wakes = Wakes::new(store);
    tokio::spawn(async move {
        while let Some((store, changed)) = wakes.next(None).await {
            let waiting = touched_pods(&store, &changed)
                .into_values()
                .flatten()
                .filter(|p| is_live(p) && !is_placed(p));
            for p in waiting {
                let r = status::write(
                    &store,
                    meta::namespace(&p),
                    meta::name(&p),
                    meta::uid(&p),
                    |pod| status::unschedulable(pod, NO_ENGINE_MESSAGE),
                )
                .await;
                if let Err(e) = r {
                    tracing::warn!(error = %e, "cannot mark a pod unschedulable");
                }
            }
        }
    });
}

/// Whether a Pod has its `PodScheduled` condition (true or false).
fn is_placed(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c.get("type").and_then(Value::as_str) == Some("PodScheduled"))
        })
}
