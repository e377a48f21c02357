//! Which Kubernetes API Berth stores data in: a real cluster when one is
//! configured, otherwise the embedded API server. Either way the rest of the
//! backend holds one `kube::Client` and cannot tell the difference.

use std::path::Path;

use anyhow::Context;
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::cli::ServeArgs;
use crate::embedded::EmbeddedApiServer;

/// The connection to Kubernetes.
#[derive(Clone)]
pub struct Cluster {
    pub client: kube::Client,
    /// Present when Berth runs its own embedded API server.
    pub embedded: Option<EmbeddedApiServer>,
}

impl Cluster {
    /// Connect as configured: `--kubeconfig`, else the embedded server.
    pub async fn connect(args: &ServeArgs) -> anyhow::Result<Self> {
        match &args.kubeconfig {
            Some(path) => Self::from_kubeconfig(path).await,
            None => Self::embedded(&args.data_dir),
        }
    }

    async fn from_kubeconfig(path: &Path) -> anyhow::Result<Self> {
        let kubeconfig = Kubeconfig::read_from(path)
            .with_context(|| format!("reading kubeconfig {}", path.display()))?;
        let config =
            kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
                .await
                .with_context(|| format!("loading kubeconfig {}", path.display()))?;
        tracing::info!(cluster = %config.cluster_url, "using the Kubernetes cluster of the kubeconfig");
        let client = kube::Client::try_from(config).context("creating the Kubernetes client")?;
        Ok(Self {
            client,
            embedded: None,
        })
    }

    fn embedded(data_dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating data directory {}", data_dir.display()))?;
        let server = EmbeddedApiServer::open(data_dir).with_context(|| {
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

    /// `embedded` or `cluster`, for the UI and the logs.
    pub fn mode(&self) -> &'static str {
        if self.embedded.is_some() {
            "embedded"
        } else {
            "cluster"
        }
    }
}
