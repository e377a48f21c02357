//! Watching a project's deletion: a kube watcher on its one namespace, plus
//! counts of the objects still in it, turned into `progress` events until
//! the namespace is gone (`deleted`), and a `stalled` event when nothing has
//! moved for a while, saying what holds the deletion.

use std::collections::BTreeMap;
use std::time::Duration;

use berth_shared::deletion::{
    Blocker, Condition, DeletionDone, DeletionProgress, DeletionStalled, stalled_words,
};
use berth_shared::project::STATUS_TERMINATING;
use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{ApiResource, DynamicObject, ListParams};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use tokio::time::Instant;

use super::inventory::{config_maps, image_pointers, job_templates, jobs, pods, secrets};
use crate::storage::labels;

/// One thing to tell the person watching.
#[derive(Debug, Clone, PartialEq)]
pub enum DeletionEvent {
    Progress(DeletionProgress),
    Stalled(DeletionStalled),
    Deleted(DeletionDone),
    SoftDeleted(DeletionDone),
}

/// Timing of deletion watches.
#[derive(Debug, Clone, Copy)]
pub struct DeletionTiming {
    /// No progress for this long is reported as stalled.
    pub stall_after: Duration,
    /// How often remaining objects are counted between namespace events.
    pub poll_every: Duration,
}

impl Default for DeletionTiming {
    fn default() -> Self {
        Self {
            stall_after: Duration::from_secs(60),
            poll_every: Duration::from_secs(2),
        }
    }
}

/// Starts deletion watches.
#[derive(Clone)]
pub struct DeletionService {
    client: Client,
    timing: DeletionTiming,
    /// Permanent deletions that finished a moment ago.
    pub recent: super::recent_deletions::RecentDeletions,
}

/// What a namespace may hold, by Kubernetes resource name.
fn resources() -> [(String, ApiResource); 6] {
    [
        ("jobs.batch".to_owned(), jobs()),
        ("pods".to_owned(), pods()),
        ("secrets".to_owned(), secrets()),
        ("configmaps".to_owned(), config_maps()),
        ("imagepointers.berth.dev".to_owned(), image_pointers()),
        ("jobtemplates.berth.dev".to_owned(), job_templates()),
    ]
}

impl DeletionService {
    pub fn new(client: Client, timing: DeletionTiming) -> Self {
        Self {
            client,
            timing,
            recent: Default::default(),
        }
    }

    /// The events of one project's deletion. Ends after `deleted` (the
    /// namespace is gone, or never existed) or `soft-deleted` (it waits in
    /// its restore window); otherwise runs until the client goes away.
    pub fn watch(
        &self,
        project: String,
        namespace: String,
    ) -> impl Stream<Item = DeletionEvent> + use<> {
        let client = self.client.clone();
        let timing = self.timing;
        async_stream::stream! {
            let api: Api<Namespace> = Api::all(client.clone());
            let config = watcher::Config::default().fields(&format!("metadata.name={namespace}"));
            let mut events = watcher(api, config).default_backoff().boxed();
            let mut tick = tokio::time::interval(timing.poll_every);
            let mut current: Option<Namespace> = None;
            let mut listing = false;
            let mut ready = false;
            let mut last: Option<DeletionProgress> = None;
            let mut last_change = Instant::now();
            let mut stalled_sent = false;
            loop {
                tokio::select! {
                    event = events.next() => match event {
                        Some(Ok(watcher::Event::Init)) => { listing = true; current = None; continue; }
                        Some(Ok(watcher::Event::InitApply(ns))) => { current = Some(ns); continue; }
                        Some(Ok(watcher::Event::InitDone)) => { listing = false; ready = true; }
                        Some(Ok(watcher::Event::Apply(ns))) => { current = Some(ns); }
                        Some(Ok(watcher::Event::Delete(_))) => { current = None; }
                        Some(Err(err)) => {
                            tracing::debug!(error = %err, "deletion watch interrupted; resuming");
                            continue;
                        }
                        None => break,
                    },
                    _ = tick.tick() => {}
                }
                if listing || !ready {
                    continue;
                }
                let Some(ns) = current.clone() else {
                    yield DeletionEvent::Deleted(DeletionDone { project: project.clone(), purge_after: None });
                    break;
                };
                let terminating = ns.metadata.deletion_timestamp.is_some()
                    || ns.status.as_ref().and_then(|s| s.phase.as_deref()) == Some(STATUS_TERMINATING);
                let soft = ns.metadata.labels.as_ref().and_then(|l| l.get(labels::STATE)).map(String::as_str)
                    == Some(labels::STATE_DELETED);
                if soft && !terminating {
                    let purge_after = ns.metadata.annotations.as_ref().and_then(|a| a.get(labels::PURGE_AFTER)).cloned();
                    yield DeletionEvent::SoftDeleted(DeletionDone { project: project.clone(), purge_after });
                    break;
                }
                let objects = match remaining_objects(&client, &namespace).await {
                    Ok(objects) => objects,
                    Err(err) => {
                        tracing::debug!(error = %err, "counting a deleting namespace failed; retrying");
                        continue;
                    }
                };
                let mut remaining = BTreeMap::new();
                for (resource, _, _) in &objects {
                    *remaining.entry(resource.clone()).or_insert(0) += 1;
                }
                let progress = DeletionProgress {
                    project: project.clone(),
                    namespace: namespace.clone(),
                    phase: if terminating { STATUS_TERMINATING.to_owned() } else {
                        ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Active".to_owned())
                    },
                    remaining,
                    conditions: true_conditions(&ns),
                };
                if last.as_ref() != Some(&progress) {
                    last = Some(progress.clone());
                    last_change = Instant::now();
                    stalled_sent = false;
                    yield DeletionEvent::Progress(progress);
                } else if terminating && !stalled_sent && last_change.elapsed() >= timing.stall_after {
                    stalled_sent = true;
                    yield DeletionEvent::Stalled(stalled(&project, &namespace, &ns, &objects, last_change.elapsed()));
                }
            }
        }
    }
}

/// (resource, name, finalizers) of every object left in the namespace.
async fn remaining_objects(
    client: &Client,
    namespace: &str,
) -> Result<Vec<(String, String, Vec<String>)>, kube::Error> {
    let mut out = Vec::new();
    for (resource, ar) in resources() {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &ar);
        match api.list(&ListParams::default()).await {
            Ok(list) => {
                for o in list.items {
                    out.push((
                        resource.clone(),
                        o.metadata.name.unwrap_or_default(),
                        o.metadata.finalizers.unwrap_or_default(),
                    ));
                }
            }
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(err) => return Err(err),
        }
    }
    Ok(out)
}

fn true_conditions(ns: &Namespace) -> Vec<Condition> {
    ns.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .map(|conditions| {
            conditions
                .iter()
                .filter(|c| c.status == "True")
                .map(|c| Condition {
                    kind: c.type_.clone(),
                    status: c.status.clone(),
                    reason: c.reason.clone().unwrap_or_default(),
                    message: c.message.clone().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn stalled(
    project: &str,
    namespace: &str,
    ns: &Namespace,
    objects: &[(String, String, Vec<String>)],
    for_how_long: Duration,
) -> DeletionStalled {
    let blockers: Vec<Blocker> = objects
        .iter()
        .filter(|(_, _, finalizers)| !finalizers.is_empty())
        .map(|(resource, name, finalizers)| Blocker {
            resource: resource.clone(),
            name: name.clone(),
            finalizers: finalizers.clone(),
        })
        .collect();
    let ns_finalizers: Vec<String> = ns
        .spec
        .as_ref()
        .and_then(|s| s.finalizers.clone())
        .unwrap_or_default()
        .into_iter()
        .chain(ns.metadata.finalizers.clone().unwrap_or_default())
        .collect();
    let (blocked_by, message, advice) = stalled_words(
        project,
        namespace,
        &blockers,
        !objects.is_empty(),
        &ns_finalizers,
    );
    DeletionStalled {
        project: project.to_owned(),
        namespace: namespace.to_owned(),
        stalled_for_seconds: for_how_long.as_secs(),
        blocked_by: blocked_by.to_owned(),
        blockers,
        message: message.english(),
        advice: advice.english(),
        message_code: Some(message.code),
        message_params: message.params,
        advice_code: Some(advice.code),
        advice_params: advice.params,
        conditions: true_conditions(ns),
    }
}
