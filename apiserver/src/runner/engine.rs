//! The container engine's command line (podman, or docker): each operation
//! the runner needs, as one process. Secrets never appear here: registry
//! credentials are in an auth file and environment values in an env file,
//! both named by path only.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::{Child, Command};

/// Which engine the runner drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Podman,
    Docker,
}

/// A container engine found on this machine.
#[derive(Debug, Clone)]
pub struct Engine {
    pub path: PathBuf,
    pub kind: Kind,
}

/// What starts a container, besides its image.
#[derive(Debug, Clone, Default)]
pub struct CreateSpec {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub image: String,
    pub entrypoint: Option<Vec<String>>,
    pub args: Vec<String>,
    pub workdir: Option<String>,
    pub hostname: Option<String>,
    pub env_file: Option<PathBuf>,
    pub memory_bytes: Option<u64>,
    pub cpus: Option<f64>,
}

impl Engine {
    /// `podman` or `docker` on `PATH`, in that order.
    pub fn find_on_path() -> Option<Self> {
        let path = std::env::var_os("PATH")?;
        for name in ["podman", "docker"] {
            for dir in std::env::split_paths(&path) {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Some(Self::at(candidate));
                }
            }
        }
        None
    }

    /// The engine at `path`; docker if its file name says so, else podman.
    pub fn at(path: PathBuf) -> Self {
        let docker = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains("docker"));
        Self {
            path,
            kind: if docker { Kind::Docker } else { Kind::Podman },
        }
    }

    /// The prefix of `containerID`s in Pod statuses.
    pub fn id_scheme(&self) -> &'static str {
        match self.kind {
            Kind::Podman => "podman",
            Kind::Docker => "docker",
        }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(&self.path);
        c.stdin(Stdio::null()).kill_on_drop(true);
        c
    }

    /// Runs to the end; stdout on success, the first line of stderr otherwise.
    async fn run(&self, mut c: Command) -> Result<String, String> {
        let out = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .await
            .map_err(|e| format!("cannot run {}: {e}", self.path.display()))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            let line = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .trim_start_matches("Error: ")
                .to_string();
            Err(line)
        }
    }

    pub async fn image_exists(&self, image: &str) -> bool {
        let mut c = self.cmd();
        match self.kind {
            Kind::Podman => c.args(["image", "exists", image]),
            Kind::Docker => c.args(["image", "inspect", "--format", "x", image]),
        };
        self.run(c).await.is_ok()
    }

    /// Pulls `image`, with the credentials in `auth` (a private folder holding
    /// `config.json` for docker, or the auth file itself for podman).
    pub async fn pull(
        &self,
        image: &str,
        auth: Option<&Path>,
        insecure: bool,
    ) -> Result<(), String> {
        let mut c = self.cmd();
        c.arg("pull");
        match self.kind {
            Kind::Podman => {
                c.arg("--quiet");
                if let Some(a) = auth {
                    c.arg("--authfile").arg(a);
                }
                if insecure {
                    c.arg("--tls-verify=false");
                }
            }
            Kind::Docker => {
                c.arg("--quiet");
                if let Some(dir) = auth.and_then(Path::parent) {
                    c.env("DOCKER_CONFIG", dir);
                }
            }
        }
        c.arg(image);
        self.run(c).await.map(drop)
    }

    /// Creates (does not start) a container; its id.
    pub async fn create(&self, s: &CreateSpec) -> Result<String, String> {
        let mut c = self.cmd();
        c.arg("create")
            .arg("--name")
            .arg(&s.name)
            .args(["--cap-drop=ALL", "--security-opt=no-new-privileges"])
            .arg("--pull=never");
        if self.kind == Kind::Podman {
            c.arg("--log-driver=k8s-file");
        }
        for (k, v) in &s.labels {
            c.arg("--label").arg(format!("{k}={v}"));
        }
        if let Some(f) = &s.env_file {
            c.arg("--env-file").arg(f);
        }
        if let Some(m) = s.memory_bytes {
            // No swap beyond the limit, as on a Kubernetes node.
            c.arg(format!("--memory={m}b"))
                .arg(format!("--memory-swap={m}b"));
        }
        if let Some(cpus) = s.cpus {
            c.arg(format!("--cpus={cpus}"));
        }
        if let Some(w) = &s.workdir {
            c.arg("--workdir").arg(w);
        }
        if let Some(h) = &s.hostname {
            c.arg("--hostname").arg(h);
        }
        if let Some(ep) = &s.entrypoint {
            let json = serde_json::to_string(ep).unwrap_or_default();
            c.arg(format!("--entrypoint={json}"));
        }
        c.arg(&s.image).args(&s.args);
        self.run(c).await
    }

    pub async fn start(&self, name: &str) -> Result<(), String> {
        let mut c = self.cmd();
        c.args(["start", name]);
        self.run(c).await.map(drop)
    }

    /// `logs --follow`: the caller reads both pipes until the container ends.
    pub fn follow_logs(&self, name: &str) -> std::io::Result<Child> {
        let mut c = self.cmd();
        c.args(["logs", "--follow", name])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c.spawn()
    }

    /// Waits until the container ends; its exit code.
    pub async fn wait(&self, name: &str) -> Result<i32, String> {
        let mut c = self.cmd();
        c.args(["wait", name]);
        let out = self.run(c).await?;
        out.lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .ok_or_else(|| format!("unexpected answer of wait: {out:?}"))
    }

    /// Whether the kernel's OOM killer ended it.
    pub async fn oom_killed(&self, name: &str) -> bool {
        let mut c = self.cmd();
        c.args(["inspect", "--format", "{{.State.OOMKilled}}", name]);
        self.run(c).await.is_ok_and(|s| s == "true")
    }

    /// The container's state (`running`, `exited`, `created`…), or None when it does not exist.
    pub async fn state(&self, name: &str) -> Option<String> {
        let mut c = self.cmd();
        c.args(["inspect", "--format", "{{.State.Status}}", name]);
        self.run(c).await.ok()
    }

    /// Stops (SIGTERM, then SIGKILL after `grace` seconds) and removes.
    pub async fn remove(&self, name: &str, grace: u64) {
        let mut c = self.cmd();
        c.args(["stop", "--time", &grace.to_string(), name]);
        let _ = self.run(c).await;
        let mut c = self.cmd();
        c.args(["rm", "--force", name]);
        if let Err(e) = self.run(c).await
            && !e.contains("no such container")
            && !e.contains("No such container")
        {
            tracing::warn!(container = name, error = %e, "cannot remove a container");
        }
    }

    /// Names of the containers carrying `label=value`.
    pub async fn list_labelled(&self, label: &str, value: &str) -> Result<Vec<String>, String> {
        let mut c = self.cmd();
        c.args(["ps", "--all", "--filter"])
            .arg(format!("label={label}={value}"))
            .args(["--format", "{{.Names}}"]);
        Ok(self
            .run(c)
            .await?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect())
    }
}
