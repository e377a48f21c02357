//! Pod statuses as the kubelet writes them: phase, conditions and the
//! container's state (`waiting` with a reason, `running`, `terminated` with
//! exit code and reason), `lastState` and `restartCount`.

use serde_json::{Value, json};

use crate::jobs::pods;
use crate::meta;
use crate::status::ApiError;
use crate::store::Store;

/// The container's state, as the runner knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerState {
    Waiting {
        reason: String,
        message: Option<String>,
    },
    Running {
        started_at: String,
        id: String,
    },
    Terminated {
        exit_code: i32,
        reason: String,
        message: Option<String>,
        started_at: String,
        finished_at: String,
        id: String,
    },
}

impl ContainerState {
    pub fn to_json(&self) -> Value {
        match self {
            Self::Waiting { reason, message } => {
                let mut w = json!({"reason": reason});
                if let Some(m) = message {
                    w["message"] = m.clone().into();
                }
                json!({"waiting": w})
            }
            Self::Running { started_at, .. } => json!({"running": {"startedAt": started_at}}),
            Self::Terminated {
                exit_code,
                reason,
                message,
                started_at,
                finished_at,
                id,
            } => {
                let mut t = json!({
                    "exitCode": exit_code,
                    "reason": reason,
                    "startedAt": started_at,
                    "finishedAt": finished_at,
                    "containerID": id,
                });
                if let Some(m) = message {
                    t["message"] = m.clone().into();
                }
                json!({"terminated": t})
            }
        }
    }

    fn id(&self) -> Option<&str> {
        match self {
            Self::Waiting { .. } => None,
            Self::Running { id, .. } | Self::Terminated { id, .. } => Some(id),
        }
    }
}

/// Everything the runner reports about one Pod.
#[derive(Debug, Clone)]
pub struct Report {
    pub phase: &'static str,
    pub state: ContainerState,
    pub last_state: Option<ContainerState>,
    pub restarts: u32,
    /// Pod-level reason and message (`DeadlineExceeded`).
    pub reason: Option<(&'static str, &'static str)>,
}

fn condition(old: &Value, ty: &str, ok: bool, reason: Option<&str>, now: &str) -> Value {
    let status = if ok { "True" } else { "False" };
    let since = old
        .get("conditions")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some(ty))
        })
        .filter(|c| c.get("status").and_then(Value::as_str) == Some(status))
        .and_then(|c| c.get("lastTransitionTime").cloned())
        .unwrap_or_else(|| now.into());
    let mut c =
        json!({"type": ty, "status": status, "lastProbeTime": null, "lastTransitionTime": since});
    if let Some(r) = reason {
        c["reason"] = r.into();
    }
    c
}

/// The new `status` of `pod` for `r`.
pub fn render(pod: &Value, r: &Report, image: &str, container: &str) -> Value {
    let old = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    let now = meta::now_rfc3339();
    let running = matches!(r.state, ContainerState::Running { .. });
    let done = matches!(r.phase, "Succeeded" | "Failed");
    let ready_reason = if done {
        Some("PodCompleted")
    } else if running {
        None
    } else {
        Some("ContainersNotReady")
    };
    let mut cs = json!({
        "name": container,
        "image": image,
        "imageID": "",
        "ready": running,
        "started": running,
        "restartCount": r.restarts,
        "state": r.state.to_json(),
        "lastState": r.last_state.as_ref().map_or_else(|| json!({}), ContainerState::to_json),
    });
    if let Some(id) = r.state.id() {
        cs["containerID"] = id.into();
    }
    let mut status = json!({
        "phase": r.phase,
        "conditions": [
            condition(&old, "PodReadyToStartContainers", !done, None, &now),
            condition(&old, "Initialized", true, None, &now),
            condition(&old, "Ready", running, ready_reason, &now),
            condition(&old, "ContainersReady", running, ready_reason, &now),
            condition(&old, "PodScheduled", true, None, &now),
        ],
        "hostIP": "127.0.0.1",
        "hostIPs": [{"ip": "127.0.0.1"}],
        "startTime": old.get("startTime").cloned().unwrap_or_else(|| now.clone().into()),
        "containerStatuses": [cs],
        "qosClass": old.get("qosClass").cloned().unwrap_or_else(|| "BestEffort".into()),
    });
    if let Some((reason, message)) = r.reason {
        status["reason"] = reason.into();
        status["message"] = message.into();
    }
    status
}

/// Writes `status` if the Pod `uid` still exists; false when it is gone.
pub async fn write(
    store: &Store,
    ns: &str,
    name: &str,
    uid: &str,
    f: impl FnOnce(&Value) -> Value + Send + 'static,
) -> Result<bool, ApiError> {
    let (ns, name, uid) = (ns.to_string(), name.to_string(), uid.to_string());
    store
        .write(move |tx| {
            let Some(pod) = tx.get(&pods(), &ns, &name) else {
                return Ok(false);
            };
            if meta::uid(&pod.value) != uid || meta::is_deleting(&pod.value) {
                return Ok(false);
            }
            let status = f(&pod.value);
            if pod.value.get("status") != Some(&status) {
                let mut v = pod.value.clone();
                meta::ensure_object(&mut v).insert("status".into(), status);
                tx.put(&pods(), v);
            }
            Ok(true)
        })
        .await
}

/// A Pod nothing can run: Pending, `PodScheduled=False`, `Unschedulable`.
pub fn unschedulable(pod: &Value, message: &str) -> Value {
    let mut status = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    let now = meta::now_rfc3339();
    let mut c = condition(
        pod.get("status").unwrap_or(&Value::Null),
        "PodScheduled",
        false,
        Some("Unschedulable"),
        &now,
    );
    c["message"] = message.into();
    if let Some(m) = status.as_object_mut() {
        m.insert("phase".into(), "Pending".into());
        m.insert("conditions".into(), json!([c]));
    }
    status
}
