//! The setting of every job test: a registry with a pushed busybox image,
//! `berth serve` with podman confined to temporary folders, and helpers to
//! wait for what the tests expect.

use std::future::Future;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine as _;
use berth_tests::podman::PodmanStore;
use berth_tests::registry::TestRegistry;
use berth_tests::{BerthProcess, StartOptions, write_kubeconfig};
use k8s_openapi::api::batch::v1::{Job, JobCondition};
use k8s_openapi::api::core::v1::{Namespace, Pod, Secret};
use kube::api::{Api, ListParams, PostParams};
use serde_json::{Value, json};
use tempfile::TempDir;

/// The label the runner puts on its containers (with the data directory's id).
const INSTANCE_LABEL: &str = "dev.berth.instance";

/// Polls `f` every 200 ms until it succeeds or `limit` passes (then its last error).
pub async fn eventually<T, F, Fut>(limit: Duration, mut f: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if tokio::time::Instant::now() >= deadline => {
                return Err(e.context(format!("still not so after {limit:?}")));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// The Job's condition `ty` when it is true.
pub fn condition(job: &Job, ty: &str) -> Option<JobCondition> {
    job.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == ty && c.status == "True")
        .cloned()
}

/// A Job running `command` in `image`, pulling with the Secret `pull`.
pub fn job(name: &str, image: &str, command: &[&str]) -> Value {
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "backoffLimit": 0,
            "template": {"spec": {
                "restartPolicy": "Never",
                "terminationGracePeriodSeconds": 1,
                "imagePullSecrets": [{"name": "pull"}],
                "containers": [{"name": "main", "image": image, "command": command}],
            }},
        },
    })
}

/// The Pods of Job `job`, by its `job-name` label.
pub async fn pods_of(client: &kube::Client, ns: &str, job: &str) -> anyhow::Result<Vec<Pod>> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    Ok(pods
        .list(&ListParams::default().labels(&format!("job-name={job}")))
        .await?
        .items)
}

/// One test's world. Fields drop in order: Berth first, then its containers.
pub struct JobsEnv {
    pub berth: BerthProcess,
    /// `127.0.0.1:PORT/berth-test/busybox:1` in the registry.
    pub image: String,
    pub registry: Option<TestRegistry>,
    /// The podman storage Berth runs containers in.
    pub engine: Option<PodmanStore>,
    options: StartOptions,
    data: TempDir,
    kubectl_home: TempDir,
}

fn random_password() -> String {
    let mut bytes = [0u8; 12];
    let _ = getrandom(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn getrandom(buf: &mut [u8]) -> std::io::Result<()> {
    use std::io::Read as _;
    std::fs::File::open("/dev/urandom")?.read_exact(buf)
}

impl JobsEnv {
    /// Registry, image, podman and Berth.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(&[]).await
    }

    /// As [`Self::start`], with more arguments for `berth serve`.
    pub async fn start_with(extra: &[&str]) -> anyhow::Result<Self> {
        let build = PodmanStore::new()?;
        let local = "localhost/berth-test-busybox:1";
        build.build_busybox(local)?;
        let registry = TestRegistry::start("puller", &random_password()).await?;
        let image = format!("{}/berth-test/busybox:1", registry.host);
        build.push(&registry, local, &image)?;
        drop(build);
        let engine = PodmanStore::new()?;
        let args = vec![
            "--container-engine".to_owned(),
            engine.bin.display().to_string(),
            "--insecure-registry".to_owned(),
            registry.host.clone(),
            "--max-running-pods".to_owned(),
            "4".to_owned(),
        ]
        .into_iter()
        .chain(extra.iter().map(|a| (*a).to_owned()))
        .collect();
        Self::with(args, engine.env(), image, Some(registry), Some(engine)).await
    }

    /// Berth with `--container-engine none`.
    pub async fn start_without_engine() -> anyhow::Result<Self> {
        let args = vec!["--container-engine".to_owned(), "none".to_owned()];
        Self::with(args, Vec::new(), String::new(), None, None).await
    }

    async fn with(
        args: Vec<String>,
        env: Vec<(String, String)>,
        image: String,
        registry: Option<TestRegistry>,
        engine: Option<PodmanStore>,
    ) -> anyhow::Result<Self> {
        let data = tempfile::Builder::new().prefix("berth-jobs-").tempdir()?;
        let options = StartOptions {
            data_dir: Some(data.path().to_path_buf()),
            args,
            env,
            ..StartOptions::default()
        };
        let berth = BerthProcess::start_with(options.clone()).await?;
        Ok(Self {
            berth,
            image,
            registry,
            engine,
            options,
            data,
            kubectl_home: tempfile::Builder::new()
                .prefix("berth-kubectl-")
                .tempdir()?,
        })
    }

    pub fn kube(&self) -> kube::Client {
        self.berth.kube()
    }

    pub fn berth_logs(&self) -> String {
        self.berth.logs()
    }

    pub async fn berth_get(&self, path: &str) -> anyhow::Result<Value> {
        Ok(self
            .berth
            .http()
            .get(self.berth.at(path))
            .send()
            .await?
            .json()
            .await?)
    }

    /// A fresh namespace holding the Secret `pull` with the registry's credentials.
    pub async fn namespace(&self, prefix: &str) -> anyhow::Result<String> {
        let name = format!(
            "jobs-{prefix}-{}",
            random_password().to_lowercase().replace(['-', '_'], "x")[..6].to_owned()
        );
        let namespaces: Api<Namespace> = Api::all(self.kube());
        namespaces
            .create(
                &PostParams::default(),
                &serde_json::from_value(json!({"metadata": {"name": name}}))?,
            )
            .await?;
        if let Some(r) = &self.registry {
            self.pull_secret(&name, "pull", &r.password).await?;
        }
        Ok(name)
    }

    /// A `kubernetes.io/dockerconfigjson` Secret for the registry's user with `password`.
    pub async fn pull_secret(&self, ns: &str, name: &str, password: &str) -> anyhow::Result<()> {
        let r = self.registry.as_ref().context("no registry")?;
        let b64 = base64::engine::general_purpose::STANDARD;
        let auth = b64.encode(format!("{}:{password}", r.username));
        let config = json!({"auths": {r.host.clone(): {"auth": auth}}}).to_string();
        let secret = json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": b64.encode(config)},
        });
        Api::<Secret>::namespaced(self.kube(), ns)
            .create(&PostParams::default(), &serde_json::from_value(secret)?)
            .await?;
        Ok(())
    }

    fn engine(&self) -> anyhow::Result<&PodmanStore> {
        self.engine
            .as_ref()
            .context("no container engine in this test")
    }

    fn instance(&self) -> anyhow::Result<String> {
        Ok(
            std::fs::read_to_string(self.data.path().join("runner-instance"))?
                .trim()
                .to_owned(),
        )
    }

    /// Waits until exactly `n` of Berth's containers are running.
    pub async fn running_container_count(&self, n: usize) -> anyhow::Result<()> {
        let (engine, instance) = (self.engine()?, self.instance()?);
        eventually(Duration::from_secs(90), || async {
            let running = engine
                .run(&[
                    "ps",
                    "--filter",
                    &format!("label={INSTANCE_LABEL}={instance}"),
                    "--format",
                    "{{.Names}}",
                ])?
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count();
            if running != n {
                bail!("{running} containers running, not {n}");
            }
            Ok(())
        })
        .await
    }

    /// No container of Berth's is left, nor any file of its private folder
    /// (the pull credentials and environments).
    pub async fn assert_clean(&self) -> anyhow::Result<()> {
        let (engine, instance) = (self.engine()?, self.instance()?);
        eventually(Duration::from_secs(30), || async {
            let left = engine.containers_labelled(INSTANCE_LABEL, &instance)?;
            if !left.is_empty() {
                bail!("containers left: {left:?}");
            }
            Ok(())
        })
        .await?;
        let runner_dir = self.data.path().join("runner");
        let mut files = Vec::new();
        if runner_dir.exists() {
            for entry in walk(&runner_dir)? {
                if entry.is_file() {
                    files.push(entry);
                }
            }
        }
        if !files.is_empty() {
            bail!("files left in the runner's folder: {files:?}");
        }
        Ok(())
    }

    /// Stops Berth with SIGKILL and starts it again on the same data.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.berth.kill_9();
        self.berth = BerthProcess::start_with(self.options.clone()).await?;
        Ok(())
    }

    /// Runs kubectl against the embedded API, in namespace `ns`, with its
    /// home and cache in a temporary folder; its stdout.
    pub fn kubectl(&self, ns: &str, args: &[&str]) -> anyhow::Result<String> {
        let server = self
            .berth
            .kube_url
            .clone()
            .context("no embedded API address")?;
        let home = self.kubectl_home.path();
        write_kubeconfig(home, &server);
        run_kubectl(berth_tests::kubectl(home), ns, args)
    }
}

/// Runs `kubectl` (a command from [`berth_tests::kubectl`]) in namespace
/// `ns`; its stdout, or an error with its stderr.
pub fn run_kubectl(mut kubectl: Command, ns: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = kubectl
        .args(["--namespace", ns])
        .args(args)
        .output()
        .context("running kubectl (install kubectl)")?;
    if !out.status.success() {
        bail!(
            "kubectl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn walk(dir: &std::path::Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    Ok(out)
}
