//! Which Kubernetes API Berth stores data in: a real cluster when one is
//! configured, otherwise the embedded API server. Either way the rest of the
//! backend holds one `kube::Client` and cannot tell the difference.
//!
//! A cluster is configured by, in this order: `--kubeconfig PATH`
//! (`BERTH_KUBECONFIG`), the `KUBECONFIG` environment variable, or the
//! in-cluster service account (`KUBERNETES_SERVICE_HOST`, set in every pod).
//! Unlike `kube::Config::infer`, `~/.kube/config` alone does NOT select a
//! cluster: a developer's everyday kubeconfig must not silently turn a local
//! run into writes to a real cluster.

use std::path::{Path, PathBuf};

use anyhow::Context;
use kube::config::{KubeConfigOptions, Kubeconfig};

use berth_apiserver::{ContainerEngine, EmbeddedApiServer, RunOptions};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

/// Where to find Kubernetes.
#[derive(Debug, Clone)]
pub struct ClusterSettings {
    /// `--kubeconfig`: a cluster, whatever the environment says.
    pub kubeconfig: Option<PathBuf>,
    /// Berth's own files, the embedded API server's store among them.
    pub data_dir: PathBuf,
    /// `--container-engine`: the engine the embedded API runs Pods with
    /// (`none`: none); by default podman or docker found on `PATH`.
    pub container_engine: Option<PathBuf>,
    /// `--max-running-pods`: containers at once (0: the number of CPUs).
    pub max_running_pods: usize,
    /// `--insecure-registry`: registries the Pods' images may come from over plain HTTP.
    pub insecure_registries: Vec<String>,
}

/// The connection to Kubernetes.
#[derive(Clone)]
pub struct Cluster {
    pub client: kube::Client,
    /// Present when Berth runs its own embedded API server.
    pub embedded: Option<EmbeddedApiServer>,
}

/// Where the cluster configuration comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--kubeconfig PATH` / `BERTH_KUBECONFIG`.
    KubeconfigFlag(PathBuf),
    /// The `KUBECONFIG` environment variable (one path or a list to merge).
    KubeconfigEnv,
    /// The pod's service account (`KUBERNETES_SERVICE_HOST`).
    InCluster,
    /// None of the above: the embedded API server.
    Embedded,
}

impl Source {
    /// Decide from the flags and this process's environment.
    pub fn select(settings: &ClusterSettings) -> Self {
        Self::select_from(settings.kubeconfig.as_deref(), |name| {
            std::env::var_os(name).filter(|v| !v.is_empty())
        })
    }

    fn select_from(flag: Option<&Path>, env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Self {
        if let Some(path) = flag {
            Self::KubeconfigFlag(path.to_path_buf())
        } else if env("KUBECONFIG").is_some() {
            Self::KubeconfigEnv
        } else if env("KUBERNETES_SERVICE_HOST").is_some() {
            Self::InCluster
        } else {
            Self::Embedded
        }
    }
}

impl Cluster {
    /// Connect as configured (see the module documentation); the embedded
    /// server serves and validates `crds`.
    pub async fn connect(
        settings: &ClusterSettings,
        crds: &[CustomResourceDefinition],
    ) -> anyhow::Result<Self> {
        let source = Source::select(settings);
        let config = match &source {
            Source::Embedded => return Self::embedded(settings, crds),
            Source::KubeconfigFlag(path) => {
                let kubeconfig = Kubeconfig::read_from(path)
                    .with_context(|| format!("reading kubeconfig {}", path.display()))?;
                from_kubeconfig(kubeconfig, &path.display().to_string()).await?
            }
            Source::KubeconfigEnv => {
                let kubeconfig = Kubeconfig::from_env()
                    .context("reading the kubeconfig named by KUBECONFIG")?
                    .context("KUBECONFIG names no file")?;
                from_kubeconfig(kubeconfig, "$KUBECONFIG").await?
            }
            Source::InCluster => kube::Config::incluster()
                .context("loading the in-cluster service account configuration")?,
        };
        tracing::info!(
            cluster = %config.cluster_url,
            source = ?source,
            "using a Kubernetes cluster"
        );
        let client = kube::Client::try_from(config).context("creating the Kubernetes client")?;
        Ok(Self {
            client,
            embedded: None,
        })
    }

    fn embedded(
        settings: &ClusterSettings,
        crds: &[CustomResourceDefinition],
    ) -> anyhow::Result<Self> {
        let data_dir = settings.data_dir.as_path();
        private_data_dir(data_dir)?;
        let engine = match settings.container_engine.as_deref() {
            Some(p) if p.as_os_str() == "none" => None,
            Some(p) => Some(ContainerEngine::at(p.to_path_buf())),
            None => ContainerEngine::find_on_path(),
        };
        match &engine {
            Some(e) => {
                tracing::info!(engine = %e.path.display(), "the embedded API runs Pods with this container engine")
            }
            None => tracing::warn!(
                "no container engine: the embedded API stores Jobs but does not run them"
            ),
        }
        let run = RunOptions {
            engine,
            max_running_pods: settings.max_running_pods,
            insecure_registries: settings.insecure_registries.clone(),
        };
        let server = EmbeddedApiServer::open_with(data_dir, crds, run).with_context(|| {
            format!(
                "opening the embedded Kubernetes API in {}",
                data_dir.display()
            )
        })?;
        tracing::info!(data_dir = %data_dir.display(), "using the embedded Kubernetes API server");
        Ok(Self {
            client: server.client(),
            embedded: Some(server),
        })
    }

    /// Whether Jobs run: always on a cluster, on the embedded API only with
    /// a container engine.
    pub fn jobs_can_run(&self) -> bool {
        self.embedded
            .as_ref()
            .is_none_or(EmbeddedApiServer::can_run_pods)
    }

    /// `embedded` or `cluster`, for the UI and the logs.
    pub fn mode(&self) -> &'static str {
        if self.embedded.is_some() {
            "embedded"
        } else {
            "cluster"
        }
    }
}

async fn from_kubeconfig(kubeconfig: Kubeconfig, from: &str) -> anyhow::Result<kube::Config> {
    kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .with_context(|| format!("loading kubeconfig {from}"))
}

/// Creates the data directory for its owner only (0700: the store holds
/// every password hash and Secret); warns when an existing one, or the
/// store in it, is open to other accounts of the machine.
fn private_data_dir(data_dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    if !data_dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(data_dir)
            .with_context(|| format!("creating data directory {}", data_dir.display()))?;
        return Ok(());
    }
    let store = data_dir.join(berth_apiserver::DB_FILE);
    for path in [data_dir, store.as_path()] {
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{:o}", meta.permissions().mode() & 0o777),
                "other accounts on this machine can read Berth's data: `chmod go-rwx` it"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(flag: Option<&str>, vars: &[&str]) -> Source {
        Source::select_from(flag.map(Path::new), |name| {
            vars.contains(&name).then(|| "x".into())
        })
    }

    #[test]
    fn embedded_unless_a_cluster_is_named() {
        assert_eq!(pick(None, &[]), Source::Embedded);
        // HOME's ~/.kube/config is not looked at: only these select a cluster.
        assert_eq!(pick(None, &["HOME"]), Source::Embedded);
        assert_eq!(pick(None, &["KUBERNETES_SERVICE_HOST"]), Source::InCluster);
        assert_eq!(
            pick(None, &["KUBECONFIG", "KUBERNETES_SERVICE_HOST"]),
            Source::KubeconfigEnv
        );
        assert_eq!(
            pick(Some("/k"), &["KUBECONFIG"]),
            Source::KubeconfigFlag(PathBuf::from("/k"))
        );
    }
}
