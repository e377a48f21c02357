//! Where the job tests run: the embedded server with podman and a local
//! registry ([`JobsEnv`]), or the real cluster of `BERTH_TEST_KUBECONFIG`,
//! so the same tests show the embedded server answers as Kubernetes does.
//!
//! On a cluster the tests need an image with busybox in it that the
//! cluster can pull, `BERTH_TEST_JOB_IMAGE`, and, when it is private,
//! `BERTH_TEST_JOB_PULL_CONFIG`: a file holding the `.dockerconfigjson`
//! that pulls it (each test namespace gets it as the Secret `pull`). What
//! only the embedded server can show (its containers, its log, its
//! restart, its command lines) is skipped there, with a `SKIP` line that
//! says so.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use base64::Engine as _;
use berth_tests::cluster::TestCluster;
use k8s_openapi::api::core::v1::{Pod, Secret, ServiceAccount};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use tempfile::TempDir;

use super::support::{JobsEnv, eventually, run_kubectl};

/// The Kubernetes API the job tests run against.
pub struct JobsCluster {
    /// An image with busybox in it that this cluster can pull.
    pub image: String,
    target: Target,
}

enum Target {
    Embedded(Box<JobsEnv>),
    Real(Box<RealCluster>),
}

struct RealCluster {
    cluster: TestCluster,
    kubeconfig: PathBuf,
    /// The `.dockerconfigjson` that pulls the image, when it is private.
    pull: Option<Value>,
    kubectl_home: TempDir,
}

impl JobsCluster {
    /// The cluster of `BERTH_TEST_KUBECONFIG`, else the embedded server
    /// with podman, a registry and the image pushed to it.
    pub async fn start() -> anyhow::Result<Self> {
        match RealCluster::from_env().await? {
            Some(real) => Self::real(Box::new(real)),
            None => Ok(Self::embedded(JobsEnv::start().await?)),
        }
    }

    /// As [`Self::start`], but the embedded server has no container engine.
    pub async fn start_without_engine() -> anyhow::Result<Self> {
        match RealCluster::from_env().await? {
            Some(real) => Self::real(Box::new(real)),
            None => Ok(Self::embedded(JobsEnv::start_without_engine().await?)),
        }
    }

    fn embedded(env: JobsEnv) -> Self {
        Self {
            image: env.image.clone(),
            target: Target::Embedded(Box::new(env)),
        }
    }

    fn real(real: Box<RealCluster>) -> anyhow::Result<Self> {
        let image = std::env::var("BERTH_TEST_JOB_IMAGE").context(
            "BERTH_TEST_JOB_IMAGE: name an image with busybox in it that the cluster can pull",
        )?;
        Ok(Self {
            image,
            target: Target::Real(real),
        })
    }

    pub fn kube(&self) -> kube::Client {
        match &self.target {
            Target::Embedded(env) => env.kube(),
            Target::Real(real) => real.cluster.client.clone(),
        }
    }

    /// The embedded server, or `None` after printing that `what` of `test`
    /// is skipped on a real cluster.
    pub fn embedded_only(&self, test: &str, what: &str) -> Option<&JobsEnv> {
        match &self.target {
            Target::Embedded(env) => Some(env),
            Target::Real(_) => {
                eprintln!("SKIP {what} of {test} on a real cluster: embedded server only");
                None
            }
        }
    }

    /// As [`Self::embedded_only`], for the test that restarts Berth.
    pub fn embedded_only_mut(&mut self, test: &str, what: &str) -> Option<&mut JobsEnv> {
        match &mut self.target {
            Target::Embedded(env) => Some(env),
            Target::Real(_) => {
                eprintln!("SKIP {what} of {test} on a real cluster: embedded server only");
                None
            }
        }
    }

    /// A fresh namespace holding the Secret `pull` that pulls the image.
    pub async fn namespace(&self, prefix: &str) -> anyhow::Result<String> {
        match &self.target {
            Target::Embedded(env) => env.namespace(prefix).await,
            Target::Real(real) => real.namespace(prefix).await,
        }
    }

    /// Adds the Secret `name` with the right user and a wrong password;
    /// false (after saying so) when the image is public and any
    /// credential would pull it.
    pub async fn wrong_pull_secret(&self, ns: &str, name: &str) -> anyhow::Result<bool> {
        match &self.target {
            Target::Embedded(env) => {
                env.pull_secret(ns, name, "not the password").await?;
                Ok(true)
            }
            Target::Real(real) => {
                let Some(pull) = &real.pull else {
                    eprintln!(
                        "SKIP a wrong credential on a real cluster: BERTH_TEST_JOB_PULL_CONFIG is not set, the image is public"
                    );
                    return Ok(false);
                };
                real.secret(ns, name, &with_wrong_passwords(pull)?).await?;
                Ok(true)
            }
        }
    }

    /// An Opaque Secret with one key.
    pub async fn create_secret(
        &self,
        ns: &str,
        name: &str,
        key: &str,
        value: &str,
    ) -> anyhow::Result<()> {
        let secret = json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name},
            "stringData": {key: value},
        });
        Api::<Secret>::namespaced(self.kube(), ns)
            .create(&PostParams::default(), &serde_json::from_value(secret)?)
            .await?;
        Ok(())
    }

    /// Waits until exactly `n` containers of namespace `ns` run (on the
    /// embedded server, as its container engine counts them; on a cluster,
    /// Pods running and not being deleted, and none stopping when `n` is 0).
    pub async fn running(&self, ns: &str, n: usize) -> anyhow::Result<()> {
        let client = match &self.target {
            Target::Embedded(env) => return env.running_container_count(n).await,
            Target::Real(real) => real.cluster.client.clone(),
        };
        let pods: Api<Pod> = Api::namespaced(client, ns);
        eventually(Duration::from_secs(120), || async {
            let list = pods.list(&ListParams::default()).await?.items;
            let stopping = list
                .iter()
                .filter(|p| p.metadata.deletion_timestamp.is_some())
                .count();
            let running = list
                .iter()
                .filter(|p| p.metadata.deletion_timestamp.is_none())
                .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
                .count();
            ensure!(running == n, "{running} pods running, not {n}");
            ensure!(n > 0 || stopping == 0, "{stopping} pods still stopping");
            Ok(())
        })
        .await
    }

    /// Lets `kubectl create job` (which cannot name a pull secret) pull the
    /// image, as one does on a cluster: the namespace's `default` service
    /// account names the Secret `pull`, and new Pods get it from there.
    pub async fn prepare_for_kubectl(&self, ns: &str) -> anyhow::Result<()> {
        if let Target::Real(real) = &self.target
            && real.pull.is_none()
        {
            return Ok(());
        }
        let accounts: Api<ServiceAccount> = Api::namespaced(self.kube(), ns);
        // A cluster's controller creates it shortly after the namespace.
        eventually(Duration::from_secs(30), || async {
            accounts
                .get("default")
                .await
                .context("no default account yet")
        })
        .await?;
        let patch = json!({"imagePullSecrets": [{"name": "pull"}]});
        accounts
            .patch("default", &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
        Ok(())
    }

    /// `kubectl` in namespace `ns`, its home and cache in a temporary folder.
    pub fn kubectl(&self, ns: &str, args: &[&str]) -> anyhow::Result<String> {
        match &self.target {
            Target::Embedded(env) => env.kubectl(ns, args),
            Target::Real(real) => {
                let mut kubectl = berth_tests::kubectl(real.kubectl_home.path());
                kubectl.env("KUBECONFIG", &real.kubeconfig);
                run_kubectl(kubectl, ns, args)
            }
        }
    }

    /// A JSON document of the API, through the client (a cluster's TLS
    /// and credentials apply).
    pub async fn get_json(&self, path: &str) -> anyhow::Result<Value> {
        let request = http::Request::get(path).body(Vec::new())?;
        Ok(self.kube().request::<Value>(request).await?)
    }

    /// The end of a test: on the embedded server with an engine, no
    /// container and no private file is left; on a cluster, the test's
    /// namespaces are deleted.
    pub async fn finish(&self) -> anyhow::Result<()> {
        match &self.target {
            Target::Embedded(env) if env.engine.is_none() => Ok(()),
            Target::Embedded(env) => env.assert_clean().await,
            Target::Real(real) => {
                real.cluster.cleanup().await;
                Ok(())
            }
        }
    }
}

impl RealCluster {
    async fn from_env() -> anyhow::Result<Option<Self>> {
        let Some(kubeconfig) = std::env::var_os("BERTH_TEST_KUBECONFIG") else {
            return Ok(None);
        };
        let pull = match std::env::var_os("BERTH_TEST_JOB_PULL_CONFIG") {
            Some(file) => Some(
                serde_json::from_slice(
                    &std::fs::read(&file).context("BERTH_TEST_JOB_PULL_CONFIG")?,
                )
                .context("BERTH_TEST_JOB_PULL_CONFIG holds a .dockerconfigjson")?,
            ),
            None => None,
        };
        Ok(Some(Self {
            cluster: TestCluster::start().await?,
            kubeconfig: PathBuf::from(kubeconfig),
            pull,
            kubectl_home: tempfile::Builder::new()
                .prefix("berth-kubectl-")
                .tempdir()?,
        }))
    }

    async fn namespace(&self, prefix: &str) -> anyhow::Result<String> {
        let name = self.cluster.namespace(&format!("jobs-{prefix}")).await?;
        if let Some(pull) = &self.pull {
            self.secret(&name, "pull", pull).await?;
        }
        Ok(name)
    }

    async fn secret(&self, ns: &str, name: &str, config: &Value) -> anyhow::Result<()> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let secret = json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": b64.encode(config.to_string())},
        });
        Api::<Secret>::namespaced(self.cluster.client.clone(), ns)
            .create(&PostParams::default(), &serde_json::from_value(secret)?)
            .await?;
        Ok(())
    }
}

/// `config` with every registry's password replaced by a wrong one.
fn with_wrong_passwords(config: &Value) -> anyhow::Result<Value> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let auths = config["auths"]
        .as_object()
        .context("the pull config has no auths")?;
    let mut wrong = serde_json::Map::new();
    for (registry, entry) in auths {
        let user = match entry["username"].as_str() {
            Some(user) => user.to_owned(),
            None => {
                let decoded = b64.decode(entry["auth"].as_str().unwrap_or_default())?;
                let text = String::from_utf8(decoded)?;
                match text.split_once(':') {
                    Some((user, _)) => user.to_owned(),
                    None => bail!("the pull config's auth for {registry} is not user:password"),
                }
            }
        };
        let auth = b64.encode(format!("{user}:not the password"));
        wrong.insert(registry.clone(), json!({"auth": auth}));
    }
    Ok(json!({"auths": wrong}))
}
