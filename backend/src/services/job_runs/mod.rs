//! Job runs: a run is a `batch/v1` Job made from a job template, with its
//! sensitive values in a snapshot Secret that the Job owns. Runs are read
//! only through Jobs, Pods and `pods/log`, from watch-fed caches
//! ([`crate::storage::run_cache`]).
//!
//! Submitting without a pod ever starting before its Secret exists: a Job
//! with sensitive values is created suspended (so no Pod yet), then its
//! snapshot Secret with the Job as owner (so deleting the Job on a cluster
//! deletes it too), then the Job is resumed. If the Secret cannot be
//! written, the Job goes again.

mod status;

use std::collections::{BTreeMap, HashMap};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use berth_shared::job_run::{JobRun, JobRunSummary, LOG_LIMIT_BYTES, RunState, SubmitJobRun};
use berth_shared::job_templates::Indices;
use berth_shared::message;
use futures::{AsyncReadExt, Stream};
use k8s_openapi::ByteString;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{DeleteParams, LogParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, Client, Resource};
use zeroize::Zeroize;

use super::collection::Collection;
use super::job_render::{self, ARRAY_INDICES_ENV, RunOptions};
use super::job_templates::{JobTemplateService, SecretValues};
use crate::error::ApiError;
use crate::kinds;
use crate::storage::resources::job_template::TemplateEnvVar;
use crate::storage::run_cache::{NamespaceRuns, RunCaches};
use crate::storage::watch_cache::Written;
use crate::storage::{StorageError, labels, stamps};

pub use status::{REASON_DEADLINE, REASON_PULL_CREDENTIAL};

/// A log as it arrives.
pub type LogStream = Pin<Box<dyn Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send>>;

/// A namespace's runs, newest first, and the same as the JSON body of
/// the unfiltered list.
struct Listed {
    items: Vec<JobRunSummary>,
    json: bytes::Bytes,
}

/// A list and the generation of the Job cache it was made from.
type Memo = (u64, Arc<Listed>);

/// Submits, reads and deletes job runs.
#[derive(Clone)]
pub struct JobRunService {
    client: Client,
    caches: RunCaches,
    templates: JobTemplateService,
    /// Nothing can run here: no cluster and no container engine
    /// (`job_run.cannot_run`).
    cannot_run: bool,
    /// Seconds a finished run is kept.
    retention: u64,
    /// Each namespace's list (newest first) as of a generation of its Job
    /// cache: a list request converts nothing that has not changed.
    lists: Arc<Mutex<HashMap<String, Memo>>>,
}

/// The snapshot Secret of a run.
pub fn snapshot_name(run: &str) -> String {
    format!("{run}-env")
}

fn not_found(run: &str) -> ApiError {
    ApiError::ItemNotFound(kinds::JOB_RUNS.not_found(run))
}

impl JobRunService {
    pub fn new(
        client: Client,
        caches: RunCaches,
        templates: JobTemplateService,
        jobs_can_run: bool,
        retention: Duration,
    ) -> Self {
        Self {
            client,
            caches,
            templates,
            cannot_run: !jobs_can_run,
            retention: retention.as_secs(),
            lists: Arc::default(),
        }
    }

    fn jobs(&self, namespace: &str) -> Api<Job> {
        Api::namespaced(self.client.clone(), namespace)
    }

    fn secrets(&self, namespace: &str) -> Api<Secret> {
        Api::namespaced(self.client.clone(), namespace)
    }

    /// Every run of the namespace, newest first; of one template only when
    /// `template` is given.
    /// The JSON body of the list ([`berth_shared::JobRunList`]).
    pub async fn list_json(
        &self,
        namespace: &str,
        template: Option<&str>,
    ) -> Result<bytes::Bytes, ApiError> {
        let all = self.all(namespace).await?;
        let Some(template) = template else {
            return Ok(all.json.clone());
        };
        let items: Vec<&JobRunSummary> = all
            .items
            .iter()
            .filter(|r| r.template == template)
            .collect();
        to_json(&serde_json::json!({ "items": items }))
    }

    async fn all(&self, namespace: &str) -> Result<Arc<Listed>, ApiError> {
        let runs = self.caches.of(namespace).await;
        {
            let lists = self.lists.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((generation, list)) = lists.get(namespace)
                && *generation == runs.jobs.generation()
            {
                return Ok(list.clone());
            }
        }
        let (generation, jobs) = runs.jobs.snapshot();
        let mut items: Vec<(Option<jiff::Timestamp>, JobRunSummary)> = jobs
            .iter()
            .filter(|j| j.metadata.deletion_timestamp.is_none())
            .map(|j| {
                (
                    j.metadata.creation_timestamp.as_ref().map(|t| t.0),
                    status::summary(j),
                )
            })
            .collect();
        items.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.name.cmp(&a.1.name)));
        let items: Vec<JobRunSummary> = items.into_iter().map(|(_, s)| s).collect();
        let json = to_json(&serde_json::json!({ "items": &items }))?;
        let list = Arc::new(Listed { items, json });
        self.lists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(namespace.to_owned(), (generation, list.clone()));
        Ok(list)
    }

    fn detail_in(runs: &NamespaceRuns, run: &str) -> Option<JobRun> {
        let job = runs.jobs.get(run)?;
        if job.metadata.deletion_timestamp.is_some() {
            return None;
        }
        let (_, pods) = runs.pods.snapshot();
        let mine: Vec<&Pod> = pods
            .iter()
            .map(AsRef::as_ref)
            .filter(|p| status::belongs(p, &job))
            .collect();
        Some(status::detail(&job, &mine))
    }

    /// One run with every index.
    pub async fn get(&self, namespace: &str, run: &str) -> Result<JobRun, ApiError> {
        let runs = self.caches.of(namespace).await;
        Self::detail_in(&runs, run).ok_or_else(|| not_found(run))
    }

    /// The run as it changes: its state now, then after every change the
    /// watches see; `None` once it is deleted, and the stream ends.
    pub async fn watch(
        &self,
        namespace: &str,
        run: &str,
    ) -> Result<impl Stream<Item = Option<JobRun>> + Send + use<>, ApiError> {
        let runs = self.caches.of(namespace).await;
        let first = Self::detail_in(&runs, run).ok_or_else(|| not_found(run))?;
        let run = run.to_owned();
        Ok(async_stream::stream! {
            let mut jobs = runs.jobs.changes();
            let mut pods = runs.pods.changes();
            let mut last = first.clone();
            yield Some(first);
            loop {
                tokio::select! {
                    r = jobs.changed() => if r.is_err() { break },
                    r = pods.changed() => if r.is_err() { break },
                }
                match Self::detail_in(&runs, &run) {
                    Some(now) if now != last => {
                        last = now.clone();
                        yield Some(now);
                    }
                    Some(_) => {}
                    None => {
                        yield None;
                        break;
                    }
                }
            }
        })
    }

    /// A new run of `template`, with this run's overrides.
    pub async fn submit(
        &self,
        namespace: &str,
        project: &str,
        template: &str,
        request: SubmitJobRun,
        actor: &str,
    ) -> Result<JobRun, ApiError> {
        if self.cannot_run {
            return Err(ApiError::Conflict(message!("job_run.cannot_run")));
        }
        let view = Collection::get(&self.templates, namespace, template).await?;
        let errors = request.validate(&view);
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let mut raw = self.templates.get_raw(namespace, template).await?;
        if let Some(indices) = &request.indices {
            let parsed = Indices::parse(indices).unwrap_or_default();
            raw.spec.indices = parsed.is_array().then(|| parsed.normalized());
        }
        if let Some(args) = &request.args {
            raw.spec.args.clone_from(args);
        }
        raw.spec.env = request
            .apply_env(&view.fields.env)
            .into_iter()
            .map(|v| TemplateEnvVar {
                value: (!v.sensitive).then_some(v.value),
                name: v.name,
                sensitive: v.sensitive,
            })
            .collect();
        let image = self.templates.image(namespace, &raw).await?;
        let mut values = self.templates.stored_values(namespace, template).await?;
        values.retain(|k, _| raw.spec.env.iter().any(|v| v.sensitive && &v.name == k));
        let suspend = !values.is_empty();
        let make = |name: &str| {
            let snapshot = snapshot_name(name);
            let mut job = job_render::render_run(
                namespace,
                &raw,
                image.clone(),
                &RunOptions {
                    project,
                    name,
                    snapshot: &snapshot,
                    retention: self.retention,
                    suspend,
                    rerun_of: None,
                },
            );
            job.metadata
                .annotations
                .get_or_insert_default()
                .extend(stamps::created_by(actor));
            job
        };
        let created = self.create(namespace, template, make, values).await?;
        tracing::info!(namespace, run = ?created.metadata.name, template, "job run submitted");
        self.answer(namespace, &created).await
    }

    /// A new run of the indices of `run` that failed, exactly as `run` ran
    /// them (the template may have changed since).
    pub async fn rerun_failed(
        &self,
        namespace: &str,
        run: &str,
        actor: &str,
    ) -> Result<JobRun, ApiError> {
        if self.cannot_run {
            return Err(ApiError::Conflict(message!("job_run.cannot_run")));
        }
        let old = self.job(namespace, run).await?;
        let detail = status::detail(&old, &[]);
        let failed: Vec<u32> = detail
            .indexes
            .iter()
            .filter(|i| i.state == RunState::Failed)
            .map(|i| i.index)
            .collect();
        if failed.is_empty() {
            return Err(ApiError::Conflict(
                message!("job_run.no_failed_index").with("run", run),
            ));
        }
        let template = old
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(labels::JOB_TEMPLATE))
            .cloned()
            .unwrap_or_default();
        let mut values = SecretValues::new();
        if let Some(mut secret) = self.secrets(namespace).get_opt(&snapshot_name(run)).await? {
            values = secret
                .data
                .take()
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, zeroize::Zeroizing::new(v.0)))
                .collect();
        }
        let array = old
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(labels::RUN_INDICES))
            .is_some_and(|t| !t.is_empty());
        let indices = if array {
            status::indices_text(&failed)
        } else {
            String::new()
        };
        let suspend = !values.is_empty();
        let make = |name: &str| rerun_job(&old, name, &indices, suspend, actor, run);
        let created = self.create(namespace, &template, make, values).await?;
        self.answer(namespace, &created).await
    }

    async fn job(&self, namespace: &str, run: &str) -> Result<Job, ApiError> {
        // A name that cannot be an object's is simply not found (and never
        // reaches the API server, which could not address it).
        if berth_shared::validate_object_name(run).is_err() {
            return Err(not_found(run));
        }
        match self.jobs(namespace).get_opt(run).await? {
            Some(job) if is_run(&job) && job.metadata.deletion_timestamp.is_none() => Ok(job),
            _ => Err(not_found(run)),
        }
    }

    /// Create the Job `make` builds under a new name, then its snapshot
    /// Secret, then resume it.
    async fn create(
        &self,
        namespace: &str,
        template: &str,
        make: impl Fn(&str) -> Job,
        values: SecretValues,
    ) -> Result<Job, ApiError> {
        let jobs = self.jobs(namespace);
        let mut created = None;
        for _ in 0..5 {
            let name = format!("{template}-run-{}", suffix()?);
            match jobs.create(&PostParams::default(), &make(&name)).await {
                Ok(job) => {
                    created = Some(job);
                    break;
                }
                Err(e) => match StorageError::from(e) {
                    StorageError::Conflict(_) => continue,
                    other => return Err(other.into()),
                },
            }
        }
        let job = created.ok_or_else(|| ApiError::Conflict(message!("job_run.no_free_name")))?;
        if values.is_empty() {
            return Ok(job);
        }
        let name = job.metadata.name.clone().unwrap_or_default();
        let mut secret = snapshot(&job, values);
        let result = self
            .secrets(namespace)
            .create(&PostParams::default(), &secret)
            .await;
        wipe(&mut secret);
        let resumed = match result {
            Ok(_) => {
                let patch = serde_json::json!({"spec": {"suspend": false}});
                jobs.patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await
                    .map_err(ApiError::from)
            }
            Err(e) => Err(ApiError::from(e)),
        };
        match resumed {
            Ok(job) => Ok(job),
            Err(err) => {
                // Leave nothing half-made behind.
                let _ = self.delete_objects(namespace, &name).await;
                Err(err)
            }
        }
    }

    /// The detail of a run just written, once the caches show it.
    async fn answer(&self, namespace: &str, job: &Job) -> Result<JobRun, ApiError> {
        let runs = self.caches.of(namespace).await;
        runs.jobs.caught_up(&Written::of(job)).await;
        let name = job.metadata.name.clone().unwrap_or_default();
        Ok(Self::detail_in(&runs, &name).unwrap_or_else(|| status::detail(job, &[])))
    }

    /// Delete a run: its Job, its Pods (with it) and its snapshot Secret.
    pub async fn delete(&self, namespace: &str, run: &str) -> Result<(), ApiError> {
        self.job(namespace, run).await?;
        self.delete_objects(namespace, run).await?;
        let runs = self.caches.of(namespace).await;
        runs.jobs.caught_up(&Written::Gone(run.to_owned())).await;
        tracing::info!(namespace, run, "job run deleted");
        Ok(())
    }

    async fn delete_objects(&self, namespace: &str, run: &str) -> Result<(), ApiError> {
        let gone = |r: Result<(), kube::Error>| match r.map_err(StorageError::from) {
            Ok(()) | Err(StorageError::Gone(_)) => Ok(()),
            Err(e) => Err(ApiError::from(e)),
        };
        // Background: the Job goes now, its Pods right after (the
        // garbage collector's work, or the embedded server's in the same
        // write).
        gone(
            self.jobs(namespace)
                .delete(run, &DeleteParams::background())
                .await
                .map(|_| ()),
        )?;
        // Its owner reference removes it on a cluster; deleting it here
        // too makes that immediate, and works where no collector runs.
        let secrets = self.secrets(namespace);
        if let Some(secret) = secrets.get_metadata_opt(&snapshot_name(run)).await?
            && is_snapshot(&secret.metadata, run)
        {
            gone(
                secrets
                    .delete(&snapshot_name(run), &DeleteParams::default())
                    .await
                    .map(|_| ()),
            )?;
        }
        Ok(())
    }

    /// The log of one attempt of one index (the latest attempt unless
    /// `attempt`, counted from 1), at most [`LOG_LIMIT_BYTES`].
    pub async fn logs(
        &self,
        namespace: &str,
        run: &str,
        index: u32,
        attempt: Option<u32>,
        follow: bool,
    ) -> Result<(String, LogStream), ApiError> {
        let runs = self.caches.of(namespace).await;
        let job = runs
            .jobs
            .get(run)
            .filter(|j| j.metadata.deletion_timestamp.is_none())
            .ok_or_else(|| not_found(run))?;
        let k = status::run_indices(&job)
            .iter()
            .position(|i| *i == index)
            .ok_or_else(|| {
                ApiError::ItemNotFound(
                    message!("job_run.index.not_found")
                        .with("index", index)
                        .with("run", run),
                )
            })?;
        let (_, pods) = runs.pods.snapshot();
        let mine: Vec<&Pod> = pods
            .iter()
            .map(AsRef::as_ref)
            .filter(|p| status::belongs(p, &job))
            .collect();
        let tries = status::attempts(&mine, k);
        let n = attempt.unwrap_or(tries.len() as u32);
        let pod = n
            .checked_sub(1)
            .and_then(|i| tries.get(i as usize))
            .filter(|p| started(p))
            .ok_or_else(|| {
                ApiError::ItemNotFound(
                    message!("job_run.attempt.not_started")
                        .with("attempt", n)
                        .with("index", index),
                )
            })?;
        let params = LogParams {
            container: Some("main".to_owned()),
            follow,
            limit_bytes: Some(LOG_LIMIT_BYTES as i64),
            ..LogParams::default()
        };
        let pods_api: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        // A container the node has not started (or no longer has) answers
        // 400: no log to show, not a failure of Berth's.
        let reader = match pods_api.log_stream(&pod_name, &params).await {
            Err(kube::Error::Api(e)) if e.code == 400 => {
                return Err(ApiError::ItemNotFound(
                    message!("job_run.attempt.no_log")
                        .with("attempt", n)
                        .with("index", index),
                ));
            }
            other => other?,
        };
        let stream = futures::stream::unfold(Box::pin(reader), |mut reader| async move {
            let mut buf = vec![0u8; 16 * 1024];
            match reader.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(bytes::Bytes::from(buf)), reader))
                }
                Err(e) => Some((Err(e), reader)),
            }
        });
        Ok((
            format!("{run}-index-{index}-attempt-{n}.log"),
            Box::pin(stream),
        ))
    }
}

fn to_json(value: &serde_json::Value) -> Result<bytes::Bytes, ApiError> {
    serde_json::to_vec(value)
        .map(bytes::Bytes::from)
        .map_err(|e| ApiError::Internal(e.into()))
}

/// Whether the container of `pod` has started (so it has a log).
fn started(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|c| c.first())
        .and_then(|c| c.state.as_ref())
        .is_some_and(|s| s.running.is_some() || s.terminated.is_some())
}

fn is_run(job: &Job) -> bool {
    job.metadata.labels.as_ref().is_some_and(|l| {
        l.get(labels::MANAGED_BY).map(String::as_str) == Some(labels::MANAGED_BY_VALUE)
            && l.get(labels::KIND).map(String::as_str) == Some(labels::KIND_JOB_RUN)
    })
}

fn is_snapshot(meta: &ObjectMeta, run: &str) -> bool {
    meta.labels.as_ref().is_some_and(|l| {
        l.get(labels::KIND).map(String::as_str) == Some(labels::KIND_JOB_RUN_ENV)
            && l.get(labels::JOB_RUN).map(String::as_str) == Some(run)
    })
}

/// Five random lowercase letters and digits, as Kubernetes' generated
/// names end.
fn suffix() -> Result<String, ApiError> {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// The snapshot Secret of `job`, owned by it.
fn snapshot(job: &Job, values: SecretValues) -> Secret {
    let run = job.metadata.name.clone().unwrap_or_default();
    let mut secret_labels = BTreeMap::from([
        (
            labels::MANAGED_BY.to_owned(),
            labels::MANAGED_BY_VALUE.to_owned(),
        ),
        (labels::KIND.to_owned(), labels::KIND_JOB_RUN_ENV.to_owned()),
        (labels::JOB_RUN.to_owned(), run.clone()),
    ]);
    if let Some(project) = job
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::PROJECT))
    {
        secret_labels.insert(labels::PROJECT.to_owned(), project.clone());
    }
    Secret {
        metadata: ObjectMeta {
            name: Some(snapshot_name(&run)),
            namespace: job.metadata.namespace.clone(),
            labels: Some(secret_labels),
            owner_references: Some(vec![OwnerReference {
                api_version: Job::api_version(&()).into_owned(),
                kind: Job::kind(&()).into_owned(),
                name: run,
                uid: job.metadata.uid.clone().unwrap_or_default(),
                // Not blocking: that would need rights on the Job's
                // finalizers where the admission plugin enforces it, and
                // Berth deletes the Secret itself anyway.
                block_owner_deletion: None,
                controller: None,
            }]),
            ..ObjectMeta::default()
        },
        type_: Some("Opaque".to_owned()),
        data: Some(
            values
                .into_iter()
                .map(|(k, v)| (k, ByteString(v.to_vec())))
                .collect(),
        ),
        ..Secret::default()
    }
}

fn wipe(secret: &mut Secret) {
    if let Some(data) = secret.data.as_mut() {
        for v in data.values_mut() {
            v.0.zeroize();
        }
    }
}

/// `old`'s Job again under `name`, running only `indices`.
fn rerun_job(old: &Job, name: &str, indices: &str, suspend: bool, actor: &str, of: &str) -> Job {
    let mut labels_ = old.metadata.labels.clone().unwrap_or_default();
    // Kubernetes' own labels tie a Pod to its Job; the new Job gets its own.
    let theirs = [
        "controller-uid",
        "job-name",
        "batch.kubernetes.io/controller-uid",
        "batch.kubernetes.io/job-name",
    ];
    for k in theirs {
        labels_.remove(k);
    }
    let mut annotations = stamps::created_by(actor);
    annotations.insert(labels::RUN_INDICES.to_owned(), indices.to_owned());
    annotations.insert(labels::RERUN_OF.to_owned(), of.to_owned());
    let mut spec = old.spec.clone().unwrap_or_default();
    spec.selector = None;
    spec.manual_selector = None;
    spec.suspend = Some(suspend);
    let count = Indices::parse(indices).map(|i| i.instances()).unwrap_or(1);
    if spec.completion_mode.as_deref() == Some("Indexed") {
        let n = i32::try_from(count).unwrap_or(i32::MAX);
        spec.completions = Some(n);
        spec.parallelism = Some(n);
    }
    if let Some(meta) = spec.template.metadata.as_mut()
        && let Some(l) = meta.labels.as_mut()
    {
        for k in theirs {
            l.remove(k);
        }
    }
    if let Some(pod) = spec.template.spec.as_mut() {
        for c in &mut pod.containers {
            for v in c.env.iter_mut().flatten() {
                if v.name == ARRAY_INDICES_ENV {
                    v.value = Some(indices.to_owned());
                }
                if let Some(r) = v
                    .value_from
                    .as_mut()
                    .and_then(|f| f.secret_key_ref.as_mut())
                {
                    r.name = snapshot_name(name);
                }
            }
        }
    }
    Job {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            namespace: old.metadata.namespace.clone(),
            labels: Some(labels_),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        },
        spec: Some(spec),
        status: None,
    }
}
