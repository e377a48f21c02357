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
use crate::reconcile;
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

/// Pods that neither ended nor are being deleted.
fn live_pods(store: &Store) -> Vec<Value> {
    store
        .read()
        .range(&pods(), None, None)
        .map(|(_, p)| &p.value)
        .filter(|p| !meta::is_deleting(p))
        .filter(|p| {
            !matches!(
                p.pointer("/status/phase").and_then(Value::as_str),
                Some("Succeeded" | "Failed")
            )
        })
        .cloned()
        .collect()
}

fn spawn_dispatcher(ctx: Arc<Ctx>) {
    let mut rx = ctx.store.subscribe();
    let weak = ctx.store.downgrade();
    // The dispatcher must not keep the store alive.
    let tasks: Arc<Mutex<HashMap<String, watch::Sender<bool>>>> = Arc::default();
    tokio::spawn(async move {
        remove_orphans(&ctx).await;
        loop {
            rx.borrow_and_update();
            if weak.upgrade().is_none() {
                break;
            }
            let live = live_pods(&ctx.store);
            let uids: HashSet<String> = ctx
                .store
                .read()
                .range(&pods(), None, None)
                .filter(|(_, p)| !meta::is_deleting(&p.value))
                .map(|(_, p)| meta::uid(&p.value).to_string())
                .collect();
            {
                let mut t = tasks.lock().unwrap_or_else(PoisonError::into_inner);
                t.retain(|uid, cancel| {
                    if uids.contains(uid) {
                        true
                    } else {
                        cancel.send_replace(true);
                        false
                    }
                });
                for p in live {
                    let uid = meta::uid(&p).to_string();
                    if t.contains_key(&uid) {
                        continue;
                    }
                    let (tx, rx) = watch::channel(false);
                    t.insert(uid.clone(), tx);
                    let (ctx2, tasks2) = (ctx.clone(), tasks.clone());
                    tokio::spawn(async move {
                        pod::run(ctx2, p, rx).await;
                        // Ended: forget it unless the Pod is still live (it is then
                        // in a final phase and not picked up again).
                        tasks2
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .remove(&uid);
                    });
                }
            }
            if rx.changed().await.is_err() {
                break;
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
    reconcile::spawn(store, |store| async move {
        for p in live_pods(&store) {
            let scheduled = p
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c.get("type").and_then(Value::as_str) == Some("PodScheduled"))
                });
            if scheduled {
                continue;
            }
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
        None
    });
}
