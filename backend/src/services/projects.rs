//! Projects, each stored as one labelled Kubernetes namespace.
//!
//! Deleting a project either deletes its namespace (Kubernetes then removes
//! everything in it), or, with a restore window, marks the namespace
//! deleted: a label hides it from lists, annotations say when and by whom,
//! and [`refuse_unless_active`] refuses its data. The namespace
//! still exists, so the name stays taken; [`super::purge`] deletes it for
//! good once the window has passed.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use berth_shared::message;
use berth_shared::project::{STATUS_DELETED, STATUS_TERMINATING, SoftDeletion};
use berth_shared::{CreateProject, Project, ProjectList, Role, validate_project_name};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{
    DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams, Preconditions,
};
use kube::{Api, Client};
use serde_json::json;

use super::members;
use super::rendered::Rendered;
use crate::error::ApiError;
use crate::storage::labels;
use crate::storage::project_cache::{CachedProject, ProjectCache, Written};
use crate::storage::stamps;

/// Reads and writes projects in the cluster.
#[derive(Clone)]
pub struct ProjectService {
    namespaces: Api<Namespace>,
    prefix: String,
    /// How long a deleted project can be restored; zero: deletion is permanent.
    restore_window: Duration,
    cache: ProjectCache,
    /// The live list as JSON, with the cache generation it was built from:
    /// most list requests find nothing changed and send these bytes again.
    rendered: Arc<Mutex<Memo>>,
}

/// Rendered lists, per (user, administrator), of one cache generation.
type Memo = (Option<u64>, HashMap<(String, bool), Arc<Rendered>>);

/// At most this many users' lists are kept per generation.
const MEMO_USERS: usize = 1024;

/// A project with its members and their roles.
pub type WithMembers = (Project, BTreeMap<String, Role>);

/// The projects `user` may see with at least `needed` (every one for an
/// administrator), each carrying the user's role.
pub fn visible_to(
    projects: Vec<WithMembers>,
    user: &str,
    admin: bool,
    needed: Role,
) -> Vec<Project> {
    projects
        .into_iter()
        .filter_map(|(mut project, members)| {
            let role = members.get(user).copied();
            project.role = role;
            (admin || role.is_some_and(|r| r >= needed)).then_some(project)
        })
        .collect()
}

fn strip(projects: Vec<WithMembers>) -> Vec<Project> {
    projects.into_iter().map(|(p, _)| p).collect()
}

/// How to delete a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteMode {
    /// Keep it restorable for the restore window.
    Soft,
    /// Delete the namespace now.
    Hard,
}

impl DeleteMode {
    /// `soft` or `hard`.
    pub fn parse(value: &str) -> Result<Self, ApiError> {
        match value {
            "soft" => Ok(Self::Soft),
            "hard" => Ok(Self::Hard),
            other => Err(ApiError::BadRequest(
                message!("project.deletion_mode.invalid").with("mode", other),
            )),
        }
    }
}

/// What a delete did.
#[derive(Debug, Clone)]
pub enum Deleted {
    /// Hidden and restorable until `project.deletion.purge_after`.
    Soft(Project),
    /// The namespace is being removed (or is already gone).
    Hard(Project),
}

impl ProjectService {
    pub fn new(client: Client, prefix: impl Into<String>, cache: ProjectCache) -> Self {
        Self {
            namespaces: Api::all(client),
            prefix: prefix.into(),
            restore_window: Duration::ZERO,
            cache,
            rendered: Arc::default(),
        }
    }

    /// The cache lists are answered from.
    pub fn cache(&self) -> &ProjectCache {
        &self.cache
    }

    /// Deletions keep projects restorable for `window` (zero: never).
    pub fn with_restore_window(mut self, window: Duration) -> Self {
        self.restore_window = window;
        self
    }

    pub fn restore_window(&self) -> Duration {
        self.restore_window
    }

    /// The namespace that holds a project's data.
    pub fn namespace_of(&self, project: &str) -> String {
        format!("{}{project}", self.prefix)
    }

    /// Every project, newest first; projects waiting in their restore
    /// window are not listed (see [`Self::list_deleted`]).
    pub async fn list(&self) -> Result<Vec<Project>, ApiError> {
        Ok(strip(self.list_with_members(false).await?))
    }

    /// The live projects `user` may see (all for an administrator), each
    /// with the user's role, as the JSON of a `ProjectList`; built (and
    /// compressed) once per change of the cache and per user.
    pub async fn list_json_for(&self, user: &str, admin: bool) -> Result<Arc<Rendered>, ApiError> {
        let key = (user.to_owned(), admin);
        if self.cache.is_ready()
            && let Ok(memo) = self.rendered.lock()
            && memo.0 == Some(self.cache.generation())
            && let Some(body) = memo.1.get(&key)
        {
            return Ok(body.clone());
        }
        let (generation, projects) = self.list_selected(false).await?;
        let items = visible_to(projects, user, admin, Role::Viewer);
        let body = Arc::new(Rendered::new(bytes::Bytes::from(
            serde_json::to_vec(&ProjectList { items })
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("serialising projects: {e}")))?,
        )));
        if let Some(generation) = generation
            && let Ok(mut memo) = self.rendered.lock()
        {
            if memo.0 != Some(generation) || memo.1.len() >= MEMO_USERS {
                *memo = (Some(generation), HashMap::new());
            }
            memo.1.insert(key, body.clone());
        }
        Ok(body)
    }

    /// Projects deleted with a restore window and not yet purged, the one
    /// purged soonest first.
    pub async fn list_deleted(&self) -> Result<Vec<Project>, ApiError> {
        Ok(strip(self.list_with_members(true).await?))
    }

    /// Every live (or deleted) project with its members.
    pub async fn list_with_members(&self, deleted: bool) -> Result<Vec<WithMembers>, ApiError> {
        let (_, mut projects) = self.list_selected(deleted).await?;
        if deleted {
            projects.retain(|(p, _)| p.status == STATUS_DELETED);
            projects.sort_by(|(a, _), (b, _)| {
                purge_key(a).cmp(&purge_key(b)).then(a.name.cmp(&b.name))
            });
        }
        Ok(projects)
    }

    /// From the cache once it has synced (with the cache generation it
    /// reflects); before that (the first moments after start) from the
    /// API. Newest first; the namespaces carry the members.
    async fn list_selected(
        &self,
        deleted: bool,
    ) -> Result<(Option<u64>, Vec<WithMembers>), ApiError> {
        let mut generation = None;
        let mut projects: Vec<WithMembers> = if self.cache.is_ready() {
            let (seen, cached) = self.cache.snapshot();
            generation = Some(seen);
            cached
                .iter()
                .filter(|c| c.project.deletion.is_some() == deleted)
                .map(|c| (c.project.clone(), c.members.clone()))
                .collect()
        } else {
            let selector = if deleted {
                labels::deleted_project_selector()
            } else {
                labels::live_project_selector()
            };
            let list = self
                .namespaces
                .list(&ListParams::default().labels(&selector))
                .await?;
            list.items
                .iter()
                .filter_map(cached)
                .map(|c| (c.project, c.members))
                .collect()
        };
        projects.sort_by(|(a, _), (b, _)| {
            b.stamps
                .created_at
                .cmp(&a.stamps.created_at)
                .then(a.name.cmp(&b.name))
        });
        Ok((generation, projects))
    }

    /// One project, also when deleted with a restore window (its `status`
    /// is then `Deleted`); a namespace Berth does not manage is not a project.
    pub async fn get(&self, name: &str) -> Result<Project, ApiError> {
        self.get_with_members(name)
            .await
            .map(|(project, _)| project)
    }

    /// One project (as [`Self::get`]) with its members: as the cache last
    /// saw it (every request on a project checks it, so this saves a
    /// Kubernetes request each time), from the API when the cache does not
    /// hold it.
    pub async fn get_with_members(&self, name: &str) -> Result<WithMembers, ApiError> {
        if validate_project_name(name).is_ok()
            && let Some(seen) = self.cache.get(&self.namespace_of(name))
            && seen.project.name == name
        {
            return Ok((seen.project.clone(), seen.members.clone()));
        }
        let (ns, project) = self.get_namespace_fresh(name).await?;
        Ok((project, members::of(&ns)))
    }

    /// Replaces the members, guarded by the namespace's version so a
    /// deletion or another change in between is not overwritten.
    pub async fn set_members(
        &self,
        name: &str,
        members: &BTreeMap<String, berth_shared::Role>,
    ) -> Result<(), ApiError> {
        let (ns, _) = self.get_namespace_fresh(name).await?;
        let patch = json!({
            "metadata": {
                "resourceVersion": ns.metadata.resource_version,
                "annotations": { members::MEMBERS: members::annotation(members) },
            }
        });
        self.patch(name, &patch).await.map(|_| ())
    }

    /// The project's namespace from the API: for changes guarded by its
    /// `resourceVersion`, which must not be a cached one.
    async fn get_namespace_fresh(&self, name: &str) -> Result<(Namespace, Project), ApiError> {
        if validate_project_name(name).is_err() {
            return Err(ApiError::ProjectNotFound(name.to_owned()));
        }
        let namespace = self.namespaces.get_opt(&self.namespace_of(name)).await?;
        namespace
            .and_then(|ns| {
                let project = to_project(&ns).filter(|p| p.name == name)?;
                Some((ns, project))
            })
            .ok_or_else(|| ApiError::ProjectNotFound(name.to_owned()))
    }

    /// Whether the project's namespace exists but is not a Berth project
    /// (Berth never reports on it).
    pub async fn is_foreign(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name).await {
            Ok(_) => Ok(false),
            Err(ApiError::ProjectNotFound(_)) => Ok(self
                .namespaces
                .get_opt(&self.namespace_of(name))
                .await?
                .is_some()),
            Err(err) => Err(err),
        }
    }

    /// Create a project; its name must be free (a deleted project waiting
    /// in its restore window keeps its name).
    /// [`Self::create`], recording who created it.
    pub async fn create_by(
        &self,
        request: CreateProject,
        actor: Option<&str>,
    ) -> Result<Project, ApiError> {
        let errors = request.validate();
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let mut annotations =
            BTreeMap::from([(labels::DESCRIPTION.to_owned(), request.description.clone())]);
        if let Some(actor) = actor {
            annotations.insert(labels::CREATED_BY.to_owned(), actor.to_owned());
            // The creator is the project's first owner.
            let owner = BTreeMap::from([(actor.to_owned(), berth_shared::Role::Owner)]);
            annotations.insert(members::MEMBERS.to_owned(), members::annotation(&owner));
        }
        let namespace = Namespace {
            metadata: ObjectMeta {
                name: Some(self.namespace_of(&request.name)),
                labels: Some(BTreeMap::from([
                    (
                        labels::MANAGED_BY.to_owned(),
                        labels::MANAGED_BY_VALUE.to_owned(),
                    ),
                    (labels::PROJECT.to_owned(), request.name.clone()),
                ])),
                annotations: Some(annotations),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        match self
            .namespaces
            .create(&PostParams::default(), &namespace)
            .await
        {
            Ok(created) => {
                tracing::info!(project = %request.name, "project created");
                self.cache.caught_up(&Written::of(&created)).await;
                to_project(&created).ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!("the created namespace lost its labels"))
                })
            }
            Err(kube::Error::Api(status)) if status.code == 409 => {
                Err(ApiError::ProjectExists(request.name))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Delete a project. Without a mode, a server with a restore window
    /// deletes softly, one without deletes for good. Deleting softly what
    /// is already soft-deleted, or permanently what is already being
    /// deleted, succeeds again (so retries and double clicks are harmless).
    pub async fn delete(
        &self,
        name: &str,
        mode: Option<DeleteMode>,
        actor: &str,
    ) -> Result<Deleted, ApiError> {
        let soft_enabled = !self.restore_window.is_zero();
        let mode = mode.unwrap_or(if soft_enabled {
            DeleteMode::Soft
        } else {
            DeleteMode::Hard
        });
        let (ns, project) = self.get_namespace_fresh(name).await?;
        match mode {
            DeleteMode::Soft if !soft_enabled => Err(ApiError::SoftDeleteDisabled),
            DeleteMode::Soft => match project.status.as_str() {
                STATUS_DELETED => Ok(Deleted::Soft(project)),
                STATUS_TERMINATING => Err(ApiError::ProjectDeleting(project.name)),
                _ => self
                    .soft_delete(&ns, &project, actor)
                    .await
                    .map(Deleted::Soft),
            },
            DeleteMode::Hard => {
                if project.status != STATUS_TERMINATING {
                    let written = self.delete_namespace(&ns).await?;
                    let written = written.unwrap_or_else(|| Written::Gone(ns_name(&ns)));
                    self.cache.caught_up(&written).await;
                    tracing::info!(project = %name, %actor, "project deletion started");
                }
                let mut project = project;
                project.status = STATUS_TERMINATING.to_owned();
                Ok(Deleted::Hard(project))
            }
        }
    }

    async fn soft_delete(
        &self,
        ns: &Namespace,
        project: &Project,
        actor: &str,
    ) -> Result<Project, ApiError> {
        let now = jiff::Timestamp::now();
        let window = jiff::SignedDuration::try_from(self.restore_window)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("restore window: {e}")))?;
        let purge_after = now
            .checked_add(window)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("restore window: {e}")))?;
        let patch = json!({
            "metadata": {
                "resourceVersion": ns.metadata.resource_version,
                "labels": { labels::STATE: labels::STATE_DELETED },
                "annotations": {
                    labels::DELETED_AT: rfc3339(now),
                    labels::PURGE_AFTER: rfc3339(purge_after),
                    labels::DELETED_BY: actor,
                },
            }
        });
        let updated = self.patch(&project.name, &patch).await?;
        tracing::info!(project = %project.name, %actor, purge_after = %rfc3339(purge_after), "project deleted with a restore window");
        to_project(&updated)
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the namespace lost its labels")))
    }

    /// Bring back a project deleted with a restore window, data intact.
    pub async fn restore(&self, name: &str) -> Result<Project, ApiError> {
        let (ns, project) = self.get_namespace_fresh(name).await?;
        match project.status.as_str() {
            STATUS_DELETED => {}
            STATUS_TERMINATING => return Err(ApiError::ProjectDeleting(project.name)),
            _ => return Err(ApiError::ProjectNotDeleted(project.name)),
        }
        let patch = json!({
            "metadata": {
                "resourceVersion": ns.metadata.resource_version,
                "labels": { labels::STATE: null },
                "annotations": {
                    labels::DELETED_AT: null,
                    labels::PURGE_AFTER: null,
                    labels::DELETED_BY: null,
                },
            }
        });
        let updated = self.patch(name, &patch).await?;
        tracing::info!(project = %name, "project restored");
        to_project(&updated)
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the namespace lost its labels")))
    }

    /// A merge patch guarded by the `resourceVersion` it carries: if the
    /// namespace changed meanwhile (another replica purged or restored
    /// it), the answer is the project's current state as an error.
    async fn patch(&self, name: &str, patch: &serde_json::Value) -> Result<Namespace, ApiError> {
        match self
            .namespaces
            .patch(
                &self.namespace_of(name),
                &PatchParams::default(),
                &Patch::Merge(patch),
            )
            .await
        {
            Ok(ns) => {
                self.cache.caught_up(&Written::of(&ns)).await;
                Ok(ns)
            }
            Err(kube::Error::Api(status)) if status.code == 404 => {
                Err(ApiError::ProjectNotFound(name.to_owned()))
            }
            Err(kube::Error::Api(status)) if status.code == 409 => {
                Err(match self.get(name).await?.status.as_str() {
                    STATUS_TERMINATING => ApiError::ProjectDeleting(name.to_owned()),
                    _ => ApiError::Conflict(message!("project.changed").with("name", name)),
                })
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Delete the namespace of exactly this version of it: if it changed
    /// since it was read (restored, or already being deleted by another
    /// replica) nothing happens. A namespace already gone is success, but
    /// `None`: this call did not delete it.
    async fn delete_namespace(&self, ns: &Namespace) -> Result<Option<Written>, ApiError> {
        let name = ns_name(ns);
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                resource_version: ns.metadata.resource_version.clone(),
                uid: ns.metadata.uid.clone(),
            }),
            ..DeleteParams::default()
        };
        match self.namespaces.delete(&name, &params).await {
            Ok(either::Either::Left(terminating)) => Ok(Some(Written::of(&terminating))),
            Ok(either::Either::Right(_)) => Ok(Some(Written::Gone(name))),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(None),
            Err(kube::Error::Api(status)) if status.code == 409 => Err(ApiError::Conflict(
                message!("project.changed_while_deleting"),
            )),
            Err(err) => Err(err.into()),
        }
    }

    /// Delete for good every project whose restore window ended before
    /// `now`. Safe to run on several replicas at once: each deletion is
    /// guarded by the namespace's `resourceVersion`, and a namespace that
    /// is already being deleted, gone, or was restored meanwhile is
    /// skipped. Returns the projects whose deletion this call started.
    pub async fn purge_expired(&self, now: jiff::Timestamp) -> Result<Vec<String>, ApiError> {
        let params = ListParams::default().labels(&labels::deleted_project_selector());
        let list = self.namespaces.list(&params).await?;
        let mut purged = Vec::new();
        for ns in &list.items {
            let Some(project) = to_project(ns) else {
                continue;
            };
            if project.status != STATUS_DELETED {
                continue;
            }
            let expired = project
                .deletion
                .as_ref()
                .and_then(|d| d.purge_after.parse::<jiff::Timestamp>().ok())
                .is_none_or(|t| t <= now);
            if !expired {
                continue;
            }
            match self.delete_namespace(ns).await {
                Ok(None) => {
                    tracing::debug!(project = %project.name, "already deleted by another replica");
                }
                Ok(Some(_)) => {
                    tracing::info!(project = %project.name, "restore window ended: project deleted for good");
                    purged.push(project.name);
                }
                Err(ApiError::Conflict(_)) => {
                    tracing::debug!(project = %project.name, "changed meanwhile; left for the next pass");
                }
                Err(err) => return Err(err),
            }
        }
        Ok(purged)
    }
}

/// Whether a project's data may be read and written now: not for a project
/// deleted with a restore window (410) or being deleted (409). Every data
/// route checks this once, when it takes the project's scope.
pub fn refuse_unless_active(project: &Project) -> Result<(), ApiError> {
    match project.status.as_str() {
        STATUS_DELETED => Err(ApiError::ProjectDeleted(project.name.clone())),
        STATUS_TERMINATING => Err(ApiError::ProjectDeleting(project.name.clone())),
        _ => Ok(()),
    }
}

fn purge_key(project: &Project) -> String {
    project
        .deletion
        .as_ref()
        .map(|d| d.purge_after.clone())
        .unwrap_or_default()
}

/// RFC 3339 in UTC with whole seconds, as Kubernetes writes times.
pub fn rfc3339(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn ns_name(ns: &Namespace) -> String {
    ns.metadata.name.clone().unwrap_or_default()
}

/// What the project cache keeps of a namespace: the project it is, if it
/// is one, with its members.
pub fn cached(ns: &Namespace) -> Option<CachedProject> {
    Some(CachedProject {
        project: to_project(ns)?,
        members: members::of(ns),
    })
}

/// A namespace as a project, if it is one.
fn to_project(ns: &Namespace) -> Option<Project> {
    let meta = &ns.metadata;
    let labels = meta.labels.as_ref()?;
    if labels.get(labels::MANAGED_BY).map(String::as_str) != Some(labels::MANAGED_BY_VALUE) {
        return None;
    }
    let name = labels.get(labels::PROJECT)?.clone();
    let annotation = |key: &str| meta.annotations.as_ref().and_then(|a| a.get(key)).cloned();
    let terminating = meta.deletion_timestamp.is_some()
        || ns.status.as_ref().and_then(|s| s.phase.as_deref()) == Some(STATUS_TERMINATING);
    let soft_deleted = labels.get(labels::STATE).map(String::as_str) == Some(labels::STATE_DELETED);
    let deletion = soft_deleted.then(|| SoftDeletion {
        deleted_at: annotation(labels::DELETED_AT).unwrap_or_default(),
        purge_after: annotation(labels::PURGE_AFTER).unwrap_or_default(),
        deleted_by: annotation(labels::DELETED_BY),
    });
    let status = if terminating {
        STATUS_TERMINATING.to_owned()
    } else if soft_deleted {
        STATUS_DELETED.to_owned()
    } else {
        ns.status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Active".to_owned())
    };
    Some(Project {
        name,
        description: annotation(labels::DESCRIPTION).unwrap_or_default(),
        namespace: meta.name.clone().unwrap_or_default(),
        stamps: stamps::of(meta),
        status,
        deletion,
        role: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_modes() {
        assert_eq!(DeleteMode::parse("soft").ok(), Some(DeleteMode::Soft));
        assert_eq!(DeleteMode::parse("hard").ok(), Some(DeleteMode::Hard));
        assert!(DeleteMode::parse("later").is_err());
    }

    #[test]
    fn soft_deleted_namespaces_are_deleted_projects() {
        let ns: Namespace = serde_json::from_value(json!({
            "metadata": {
                "name": "berth-shop",
                "creationTimestamp": "2026-01-01T00:00:00Z",
                "labels": {
                    labels::MANAGED_BY: "berth",
                    labels::PROJECT: "shop",
                    labels::STATE: labels::STATE_DELETED,
                },
                "annotations": {
                    labels::DELETED_AT: "2026-01-02T00:00:00Z",
                    labels::PURGE_AFTER: "2026-01-09T00:00:00Z",
                    labels::DELETED_BY: "ann",
                },
            },
            "status": {"phase": "Active"},
        }))
        .expect("namespace");
        let project = to_project(&ns).expect("a project");
        assert_eq!(project.status, STATUS_DELETED);
        let deletion = project.deletion.clone().expect("deletion");
        assert_eq!(deletion.purge_after, "2026-01-09T00:00:00Z");
        assert_eq!(deletion.deleted_by.as_deref(), Some("ann"));
        assert!(matches!(
            refuse_unless_active(&project),
            Err(ApiError::ProjectDeleted(_))
        ));
    }
}
