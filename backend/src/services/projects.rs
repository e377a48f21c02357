//! Projects, each stored as one labelled Kubernetes namespace.

use std::collections::BTreeMap;

use berth_shared::{CreateProject, Project, validate_project_name};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{ListParams, ObjectMeta, PostParams};
use kube::{Api, Client};

use super::labels;
use crate::error::ApiError;

/// Reads and writes projects in the cluster.
#[derive(Clone)]
pub struct ProjectService {
    namespaces: Api<Namespace>,
    prefix: String,
}

impl ProjectService {
    pub fn new(client: Client, prefix: impl Into<String>) -> Self {
        Self {
            namespaces: Api::all(client),
            prefix: prefix.into(),
        }
    }

    /// The namespace that holds a project's data.
    pub fn namespace_of(&self, project: &str) -> String {
        format!("{}{project}", self.prefix)
    }

    /// Every project, newest first.
    pub async fn list(&self) -> Result<Vec<Project>, ApiError> {
        let params = ListParams::default().labels(&labels::project_selector());
        let list = self.namespaces.list(&params).await?;
        let mut projects: Vec<Project> = list.items.iter().filter_map(to_project).collect();
        projects.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.name.cmp(&b.name)));
        Ok(projects)
    }

    /// One project; a namespace Berth does not manage is not a project.
    pub async fn get(&self, name: &str) -> Result<Project, ApiError> {
        if validate_project_name(name).is_err() {
            return Err(ApiError::ProjectNotFound(name.to_owned()));
        }
        self.namespaces
            .get_opt(&self.namespace_of(name))
            .await?
            .as_ref()
            .and_then(to_project)
            .filter(|p| p.name == name)
            .ok_or_else(|| ApiError::ProjectNotFound(name.to_owned()))
    }

    /// The namespace of a project whose data may be read and written now.
    /// Every project-scoped data route goes through here, so a project that
    /// does not exist, or is being deleted, is refused in one place.
    pub async fn data_namespace(&self, name: &str) -> Result<String, ApiError> {
        let project = self.get(name).await?;
        if project.status == "Terminating" {
            return Err(ApiError::ProjectDeleting(project.name));
        }
        Ok(project.namespace)
    }

    /// Create a project; its name must be free.
    pub async fn create(&self, request: CreateProject) -> Result<Project, ApiError> {
        let errors = request.validate();
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
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
                annotations: Some(BTreeMap::from([(
                    labels::DESCRIPTION.to_owned(),
                    request.description.clone(),
                )])),
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
    Some(Project {
        name,
        description: annotation(labels::DESCRIPTION).unwrap_or_default(),
        namespace: meta.name.clone().unwrap_or_default(),
        created_at: meta
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.to_string())
            .unwrap_or_default(),
        created_by: annotation(labels::CREATED_BY),
        status: ns
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Active".to_owned()),
    })
}
