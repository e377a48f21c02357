//! One Pod's life on the container engine, as the kubelet lives it: pull the
//! image (with the Pod's pull secrets), create the container from resolved
//! inputs, start it, stream its output into the Pod's log, wait for it under
//! the Pod's deadline, report each step in the Pod's status, restart it
//! (`OnFailure`, `Always`) with the kubelet's backoff, and remove it when it
//! ends or when the Pod is deleted. A Pod left running by an earlier process
//! is adopted if its container still exists, else reported lost.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader};
use tokio::sync::watch;

use super::Ctx;
use super::inputs::{self, PrivateFile};
use super::status::{self, ContainerState, Report};

use crate::meta;
use crate::pods::logs::{self, LiveLog};

const BACKOFF_BASE: Duration = Duration::from_secs(10);
const BACKOFF_MAX: Duration = Duration::from_secs(300);
/// How often a growing log is saved to the store.
const SAVE_EVERY: Duration = Duration::from_secs(1);

fn backoff(n: u32) -> Duration {
    (BACKOFF_BASE * (1u32 << n.min(5))).min(BACKOFF_MAX)
}

/// The engine's name of a Pod's container.
pub fn container_name(uid: &str) -> String {
    format!("berth-{uid}")
}

/// What a Pod is, for the runner.
struct PodRef {
    ns: String,
    name: String,
    uid: String,
    container: String,
    image: String,
    engine_name: String,
}

enum Step<T> {
    Done(T),
    Cancelled,
}

/// Waits `d` unless the Pod is deleted meanwhile.
async fn pause(cancel: &mut watch::Receiver<bool>, d: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(d) => true,
        _ = cancel.wait_for(|c| *c) => false,
    }
}

/// Runs the Pod to its end; returns when it ended or was deleted.
pub async fn run(ctx: Arc<Ctx>, pod: Value, mut cancel: watch::Receiver<bool>) {
    let Some(container) = crate::pods::container(&pod).cloned() else {
        return;
    };
    let p = PodRef {
        ns: meta::namespace(&pod).to_string(),
        name: meta::name(&pod).to_string(),
        uid: meta::uid(&pod).to_string(),
        container: container
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        image: container
            .get("image")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        engine_name: container_name(meta::uid(&pod)),
    };
    let grace = pod
        .pointer("/spec/terminationGracePeriodSeconds")
        .and_then(Value::as_u64)
        .unwrap_or(30);
    let finished = lifecycle(&ctx, &pod, &container, &p, &mut cancel).await;
    if matches!(finished, Step::Cancelled) {
        // Deleted: stop and remove the container, forget its logs.
        ctx.engine.remove(&p.engine_name, grace).await;
        let prefix = logs::pod_prefix(&p.ns, &p.name, &p.uid);
        let store = ctx.store.clone();
        let _ = tokio::task::spawn_blocking(move || store.delete_logs(&prefix)).await;
        for previous in [false, true] {
            ctx.hub
                .close(&logs::key(&p.ns, &p.name, &p.uid, &p.container, previous));
        }
    }
}

async fn report(ctx: &Ctx, p: &PodRef, r: Report) -> bool {
    let (image, container) = (p.image.clone(), p.container.clone());
    match status::write(&ctx.store, &p.ns, &p.name, &p.uid, move |pod| {
        status::render(pod, &r, &image, &container)
    })
    .await
    {
        Ok(exists) => exists,
        Err(e) => {
            tracing::warn!(pod = %p.name, error = %e, "cannot write a pod status");
            true
        }
    }
}

fn waiting(reason: &str, message: Option<String>) -> ContainerState {
    ContainerState::Waiting {
        reason: reason.into(),
        message,
    }
}

async fn lifecycle(
    ctx: &Arc<Ctx>,
    pod: &Value,
    container: &Value,
    p: &PodRef,
    cancel: &mut watch::Receiver<bool>,
) -> Step<()> {
    let policy = pod
        .pointer("/spec/restartPolicy")
        .and_then(Value::as_str)
        .unwrap_or("Always")
        .to_string();
    let old_cs = pod
        .pointer("/status/containerStatuses/0")
        .cloned()
        .unwrap_or(Value::Null);
    let mut restarts = old_cs
        .get("restartCount")
        .and_then(Value::as_u64)
        .map_or(0, |n| u32::try_from(n).unwrap_or(0));
    let mut last_state: Option<ContainerState> = None;
    let was_running = pod.pointer("/status/phase").and_then(Value::as_str) == Some("Running")
        && old_cs.pointer("/state/running").is_some();
    let mut adopt = false;
    if was_running {
        // Started by an earlier process: adopt the container, or say it is lost.
        match ctx.engine.state(&p.engine_name).await.as_deref() {
            Some("running" | "exited" | "stopped") => adopt = true,
            _ => {
                let now = meta::now_rfc3339();
                let started = old_cs
                    .pointer("/state/running/startedAt")
                    .and_then(Value::as_str)
                    .unwrap_or(&now)
                    .to_string();
                report(
                    ctx,
                    p,
                    Report {
                        phase: "Failed",
                        state: ContainerState::Terminated {
                            exit_code: 137,
                            reason: "ContainerStatusUnknown".into(),
                            message: Some(
                                "The container could not be located when the pod was terminated"
                                    .into(),
                            ),
                            started_at: started,
                            finished_at: now,
                            id: old_cs
                                .get("containerID")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string(),
                        },
                        last_state: None,
                        restarts,
                        reason: None,
                    },
                )
                .await;
                return Step::Done(());
            }
        }
    }
    let permit = tokio::select! {
        p = ctx.permits.clone().acquire_owned() => p.ok(),
        _ = cancel.wait_for(|c| *c) => return Step::Cancelled,
    };
    loop {
        let id = if adopt {
            old_cs
                .get("containerID")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        } else {
            match prepare(ctx, pod, container, p, cancel, restarts, &last_state).await {
                Step::Done(Ok(id)) => id,
                Step::Done(Err(e)) => {
                    let failed = ContainerState::Terminated {
                        exit_code: 128,
                        reason: "StartError".into(),
                        message: Some(e),
                        started_at: "1970-01-01T00:00:00Z".into(),
                        finished_at: meta::now_rfc3339(),
                        id: String::new(),
                    };
                    let next = end_or_restart(
                        ctx,
                        p,
                        cancel,
                        &policy,
                        failed,
                        128,
                        false,
                        &mut restarts,
                        &mut last_state,
                        Vec::new(),
                    )
                    .await;
                    match next {
                        Some(step) => return step,
                        None => continue,
                    }
                }
                Step::Cancelled => return Step::Cancelled,
            }
        };
        let started_at = if adopt {
            old_cs
                .pointer("/state/running/startedAt")
                .and_then(Value::as_str)
                .map_or_else(meta::now_rfc3339, str::to_string)
        } else {
            meta::now_rfc3339()
        };
        let running = ContainerState::Running {
            started_at: started_at.clone(),
            id: id.clone(),
        };
        if !report(
            ctx,
            p,
            Report {
                phase: "Running",
                state: running,
                last_state: last_state.clone(),
                restarts,
                reason: None,
            },
        )
        .await
        {
            return Step::Cancelled;
        }
        let log_key = logs::key(&p.ns, &p.name, &p.uid, &p.container, false);
        let live = ctx.hub.open(&log_key, Vec::new());
        let pump = spawn_log_pump(ctx, &p.engine_name, live.clone(), log_key.clone());
        let deadline = pod_deadline(pod);
        let outcome = tokio::select! {
            r = ctx.engine.wait(&p.engine_name) => Some(r),
            _ = cancel.wait_for(|c| *c) => None,
            () = sleep_until(deadline) => Some(Err("deadline".to_string())),
        };
        if matches!(&outcome, Some(Err(e)) if e == "deadline") {
            let grace = pod
                .pointer("/spec/terminationGracePeriodSeconds")
                .and_then(Value::as_u64)
                .unwrap_or(30);
            ctx.engine.remove(&p.engine_name, grace).await;
        }
        let Some(outcome) = outcome else {
            pump.abort();
            return Step::Cancelled;
        };
        let deadline_hit = matches!(&outcome, Err(e) if e == "deadline");
        let oom = ctx.engine.oom_killed(&p.engine_name).await;
        let _ = pump.await;
        ctx.engine.remove(&p.engine_name, 0).await;
        let exit_code = outcome.unwrap_or(137);
        let reason = if oom {
            "OOMKilled"
        } else if exit_code == 0 {
            "Completed"
        } else {
            "Error"
        };
        let terminated = ContainerState::Terminated {
            exit_code,
            reason: reason.into(),
            message: None,
            started_at,
            finished_at: meta::now_rfc3339(),
            id,
        };
        adopt = false;
        let previous = live.snapshot();
        if let Some(step) = end_or_restart(
            ctx,
            p,
            cancel,
            &policy,
            terminated,
            exit_code,
            deadline_hit,
            &mut restarts,
            &mut last_state,
            previous,
        )
        .await
        {
            drop(permit);
            return step;
        }
    }
}

/// After an attempt: the Pod's end (Some), or its next attempt after the
/// backoff (None), the attempt's log becoming `previous`.
#[allow(clippy::too_many_arguments)]
async fn end_or_restart(
    ctx: &Arc<Ctx>,
    p: &PodRef,
    cancel: &mut watch::Receiver<bool>,
    policy: &str,
    terminated: ContainerState,
    exit_code: i32,
    deadline_hit: bool,
    restarts: &mut u32,
    last_state: &mut Option<ContainerState>,
    previous: Vec<u8>,
) -> Option<Step<()>> {
    let restart =
        !deadline_hit && (policy == "Always" || (policy == "OnFailure" && exit_code != 0));
    if !restart {
        let phase = if exit_code == 0 && !deadline_hit {
            "Succeeded"
        } else {
            "Failed"
        };
        let reason = deadline_hit.then_some((
            "DeadlineExceeded",
            "Pod was active on the node longer than the specified deadline",
        ));
        report(
            ctx,
            p,
            Report {
                phase,
                state: terminated,
                last_state: last_state.clone(),
                restarts: *restarts,
                reason,
            },
        )
        .await;
        return Some(Step::Done(()));
    }
    let store = ctx.store.clone();
    let prev_key = logs::key(&p.ns, &p.name, &p.uid, &p.container, true);
    let _ = tokio::task::spawn_blocking(move || store.put_log(&prev_key, &previous)).await;
    let delay = backoff(*restarts);
    *last_state = Some(terminated);
    *restarts += 1;
    let message = format!(
        "back-off {}s restarting failed container={} pod={}_{}({})",
        delay.as_secs(),
        p.container,
        p.name,
        p.ns,
        p.uid
    );
    let waiting = Report {
        phase: "Running",
        state: waiting("CrashLoopBackOff", Some(message)),
        last_state: last_state.clone(),
        restarts: *restarts,
        reason: None,
    };
    if !report(ctx, p, waiting).await || !pause(cancel, delay).await {
        return Some(Step::Cancelled);
    }
    None
}

fn pod_deadline(pod: &Value) -> Option<tokio::time::Instant> {
    let secs = pod
        .pointer("/spec/activeDeadlineSeconds")
        .and_then(Value::as_i64)?;
    let start = pod
        .pointer("/status/startTime")
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map_or_else(|| jiff::Timestamp::now().as_second(), |t| t.as_second());
    let left = (start + secs - jiff::Timestamp::now().as_second()).max(0);
    Some(tokio::time::Instant::now() + Duration::from_secs(u64::try_from(left).unwrap_or(0)))
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Pull, resolve, create and start; the new container's id (`podman://…`).
async fn prepare(
    ctx: &Arc<Ctx>,
    pod: &Value,
    container: &Value,
    p: &PodRef,
    cancel: &mut watch::Receiver<bool>,
    restarts: u32,
    last_state: &Option<ContainerState>,
) -> Step<Result<String, String>> {
    let pending = |state: ContainerState| Report {
        phase: if restarts > 0 { "Running" } else { "Pending" },
        state,
        last_state: last_state.clone(),
        restarts,
        reason: None,
    };
    if !report(ctx, p, pending(waiting("ContainerCreating", None))).await {
        return Step::Cancelled;
    }
    // Pull, retried with backoff (ErrImagePull, then ImagePullBackOff while waiting).
    let policy = container
        .get("imagePullPolicy")
        .and_then(Value::as_str)
        .unwrap_or("IfNotPresent");
    let mut failures = 0;
    loop {
        let need = match policy {
            "Always" => true,
            "Never" => false,
            _ => !ctx.engine.image_exists(&p.image).await,
        };
        if !need {
            break;
        }
        let auth = inputs::pull_auth(&ctx.store.read(), pod);
        let insecure = ctx
            .config
            .insecure_registries
            .iter()
            .any(|r| r == inputs::registry_of(&p.image));
        let result = match auth {
            Some(data) => match PrivateFile::create(&ctx.config.work_dir, "config.json", &data) {
                // Dropped (deleted) right after the pull.
                Ok(file) => ctx.engine.pull(&p.image, Some(&file.path), insecure).await,
                Err(e) => Err(format!("cannot write the registry credentials: {e}")),
            },
            None => ctx.engine.pull(&p.image, None, insecure).await,
        };
        match result {
            Ok(()) => break,
            Err(e) => {
                let message = format!("failed to pull image {:?}: {e}", p.image);
                if !report(ctx, p, pending(waiting("ErrImagePull", Some(message)))).await
                    || !pause(cancel, Duration::from_secs(2)).await
                {
                    return Step::Cancelled;
                }
                let delay = backoff(failures);
                failures += 1;
                let message = format!("Back-off pulling image {:?}", p.image);
                if !report(ctx, p, pending(waiting("ImagePullBackOff", Some(message)))).await
                    || !pause(cancel, delay).await
                {
                    return Step::Cancelled;
                }
            }
        }
    }
    // The environment and the container, retried while its inputs are missing.
    loop {
        let env = inputs::env_file(&ctx.store.read(), pod, container);
        let created = match env {
            Ok(env) => {
                let file = match PrivateFile::create(&ctx.config.work_dir, "env", &env) {
                    Ok(f) => f,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot write an env file");
                        if !pause(cancel, BACKOFF_BASE).await {
                            return Step::Cancelled;
                        }
                        continue;
                    }
                };
                let spec = create_spec(ctx, pod, container, p, &file);
                // Remove a leftover of an earlier attempt with the same name.
                ctx.engine.remove(&p.engine_name, 0).await;
                let r = ctx.engine.create(&spec).await;
                drop(file);
                r
            }
            Err(e) => Err(e),
        };
        match created {
            Ok(id) => {
                // As containerd reports it: the container ends with StartError.
                if let Err(e) = ctx.engine.start(&p.engine_name).await {
                    ctx.engine.remove(&p.engine_name, 0).await;
                    return Step::Done(Err(e));
                }
                return Step::Done(Ok(format!("{}://{id}", ctx.engine.id_scheme())));
            }
            Err(e) => {
                if !report(
                    ctx,
                    p,
                    pending(waiting("CreateContainerConfigError", Some(e))),
                )
                .await
                    || !pause(cancel, BACKOFF_BASE).await
                {
                    return Step::Cancelled;
                }
            }
        }
    }
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

fn create_spec(
    ctx: &Ctx,
    pod: &Value,
    container: &Value,
    p: &PodRef,
    env: &PrivateFile,
) -> super::engine::CreateSpec {
    let (memory_bytes, cpus) = inputs::limits(container);
    let command = strings(container.get("command"));
    let args = strings(container.get("args")).unwrap_or_default();
    super::engine::CreateSpec {
        name: p.engine_name.clone(),
        labels: vec![
            (super::INSTANCE_LABEL.into(), ctx.config.instance.clone()),
            ("io.kubernetes.pod.namespace".into(), p.ns.clone()),
            ("io.kubernetes.pod.name".into(), p.name.clone()),
            ("io.kubernetes.pod.uid".into(), p.uid.clone()),
        ],
        image: p.image.clone(),
        entrypoint: command,
        args,
        workdir: container
            .get("workingDir")
            .and_then(Value::as_str)
            .map(str::to_string),
        hostname: pod
            .pointer("/spec/hostname")
            .and_then(Value::as_str)
            .map(str::to_string),
        env_file: Some(env.path.clone()),
        memory_bytes,
        cpus,
    }
}

/// Copies the container's stdout and stderr into `live` and saves it to the
/// store while it grows; ends (after a last save) when the container does.
fn spawn_log_pump(
    ctx: &Arc<Ctx>,
    engine_name: &str,
    live: Arc<LiveLog>,
    key: String,
) -> tokio::task::JoinHandle<()> {
    let ctx = ctx.clone();
    let engine_name = engine_name.to_string();
    tokio::spawn(async move {
        let save = |ctx: &Arc<Ctx>, live: &Arc<LiveLog>, key: &str| {
            let (store, data, key) = (ctx.store.clone(), live.snapshot(), key.to_string());
            tokio::task::spawn_blocking(move || store.put_log(&key, &data))
        };
        match ctx.engine.follow_logs(&engine_name) {
            Ok(mut child) => {
                let out = child.stdout.take().map(|o| pipe(o, live.clone()));
                let err = child.stderr.take().map(|e| pipe(e, live.clone()));
                let mut tick = tokio::time::interval(SAVE_EVERY);
                let both = async {
                    if let Some(o) = out {
                        let _ = o.await;
                    }
                    if let Some(e) = err {
                        let _ = e.await;
                    }
                };
                tokio::pin!(both);
                loop {
                    tokio::select! {
                        () = &mut both => break,
                        _ = tick.tick() => { let _ = save(&ctx, &live, &key).await; }
                    }
                }
                let _ = child.wait().await;
            }
            Err(e) => tracing::warn!(error = %e, "cannot follow a container's output"),
        }
        let _ = save(&ctx, &live, &key).await;
        live.finish();
        ctx.hub.close(&key);
    })
}

fn pipe(
    r: impl AsyncRead + Unpin + Send + 'static,
    live: Arc<LiveLog>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut reader = BufReader::new(r);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => break,
                Ok(_) => live.push_line(&line),
            }
        }
    })
}
