//! Helpers for Berth's black-box tests: start the real `berth` binary on
//! ephemeral loopback ports with a throw-away data directory, and stop it.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use tempfile::TempDir;

pub mod cluster;
pub mod oidc;
pub mod podman;
pub mod registry;
pub mod routes;
pub mod stored;

/// What precedes the first administrator's password on stdout.
const ONE_TIME_PASSWORD_MARK: &str = "with the one-time password: ";

/// How long a starting server may take to print its addresses.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The `berth` binary under test: `$BERTH_BIN`, or the workspace's debug build.
pub fn berth_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("BERTH_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("debug").join("berth")
}

/// The repository root (the tests crate lives one level below it).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Everything a process printed, shared with the threads that read its pipes.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<String>>);

impl Output {
    fn push_line(&self, line: &str) {
        // The first administrator's one-time password is printed once on
        // stdout; it never reaches a test's output.
        let line = match line.split_once(ONE_TIME_PASSWORD_MARK) {
            Some((before, _)) => format!("{before}{ONE_TIME_PASSWORD_MARK}[redacted]"),
            None => line.to_owned(),
        };
        if let Ok(mut text) = self.0.lock() {
            text.push_str(&line);
            text.push('\n');
        }
    }

    fn text(&self) -> String {
        self.0.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

/// A running `berth serve` process.
pub struct BerthProcess {
    /// Base URL of the console and its API, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    /// Base URL of the embedded Kubernetes API when it listens on loopback.
    pub kube_url: Option<String>,
    /// The data directory the process was started with.
    pub data_dir: PathBuf,
    child: Option<Child>,
    output: Output,
    _owned_dir: Option<Arc<TempDir>>,
    /// The one-time password printed at the first start, until used.
    one_time_password: Option<String>,
    /// The administrator, signed in (see [`Self::http`]).
    admin: Option<SignedIn>,
    /// The certificate a TLS server is trusted with.
    trust: Option<reqwest::Certificate>,
}

/// A signed-in account: its password and a client that sends its session
/// cookie, CSRF token and the console's `Origin` with every request.
#[derive(Clone)]
pub struct SignedIn {
    pub user: String,
    pub password: String,
    pub client: reqwest::Client,
}

/// The administrator's password after the harness replaced the one-time one.
pub const ADMIN_PASSWORD: &str = "test administrator password";

/// Options for [`BerthProcess::start_with`].
#[derive(Default, Clone)]
pub struct StartOptions {
    /// Reuse this data directory instead of a fresh temporary one.
    pub data_dir: Option<PathBuf>,
    /// Extra command-line arguments after `serve`.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// Do not ask for the embedded API to listen on loopback.
    pub no_embedded_listen: bool,
    /// Trust this certificate (PEM) when talking to the server: for
    /// servers started with `--tls-cert`.
    pub trust_pem: Option<Vec<u8>>,
}

impl StartOptions {
    /// JSON logs that include one line per request the backend makes to
    /// the embedded Kubernetes API (target `berth::embedded::audit`), plus
    /// `args`.
    pub fn logging_kubernetes_requests(args: &[&str]) -> Self {
        let mut all = vec!["--log-format".to_owned(), "json".to_owned()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        Self {
            args: all,
            env: vec![(
                "RUST_LOG".into(),
                "info,berth::embedded::audit=debug".into(),
            )],
            ..Self::default()
        }
    }
}

impl BerthProcess {
    /// A fresh server with its own temporary data directory, the embedded
    /// API also listening on loopback.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(StartOptions::default()).await
    }

    /// A server on an existing data directory (for restart tests).
    pub async fn start_in(data_dir: &Path) -> anyhow::Result<Self> {
        Self::start_with(StartOptions {
            data_dir: Some(data_dir.to_path_buf()),
            ..StartOptions::default()
        })
        .await
    }

    /// Starts the server and signs in as its administrator (on a fresh data
    /// directory: with the one-time password, then replacing it with
    /// [`ADMIN_PASSWORD`]; otherwise with [`ADMIN_PASSWORD`]).
    pub async fn start_with(options: StartOptions) -> anyhow::Result<Self> {
        let trust = match &options.trust_pem {
            Some(pem) => Some(reqwest::Certificate::from_pem(pem)?),
            None => None,
        };
        let mut process =
            tokio::task::spawn_blocking(move || Self::start_blocking(options)).await??;
        process.trust = trust;
        process.admin = match process.one_time_password {
            Some(_) => Some(process.sign_in_admin().await?),
            // A restart, or a server whose cluster does not answer (no
            // accounts yet): signed in when that works.
            None => process.sign_in_admin().await.ok(),
        };
        Ok(process)
    }

    async fn sign_in_admin(&mut self) -> anyhow::Result<SignedIn> {
        match self.one_time_password.take() {
            Some(once) => {
                let first = self.sign_in("admin", &once).await?;
                first.change_password(self, &once, ADMIN_PASSWORD).await
            }
            None => self.sign_in("admin", ADMIN_PASSWORD).await,
        }
    }

    /// Signs in with a local account.
    pub async fn sign_in(&self, user: &str, password: &str) -> anyhow::Result<SignedIn> {
        let response = self
            .client(None)?
            .post(self.at("/api/v1/session"))
            .json(&serde_json::json!({ "username": user, "password": password }))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("signing in as {user}: {}", response.status());
        }
        self.signed_in(response, user, password).await
    }

    /// The session an answer started (its cookie and CSRF token).
    async fn signed_in(
        &self,
        response: reqwest::Response,
        user: &str,
        password: &str,
    ) -> anyhow::Result<SignedIn> {
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .context("no session cookie")?
            .to_owned();
        let session: berth_shared::Session = response.json().await?;
        let csrf = session.csrf_token.context("no CSRF token")?;
        Ok(SignedIn {
            user: user.to_owned(),
            password: password.to_owned(),
            client: self.client(Some((&cookie, &csrf)))?,
        })
    }

    /// A new local account (made by the administrator), signed in with its
    /// own password.
    pub async fn add_user(&self, user: &str) -> anyhow::Result<SignedIn> {
        let once = format!("{user} one-time password");
        let created = self
            .http()
            .post(self.at("/api/v1/users"))
            .json(&serde_json::json!({ "name": user, "password": once }))
            .send()
            .await?;
        if created.status() != reqwest::StatusCode::CREATED {
            bail!("creating user {user}: {}", created.status());
        }
        let first = self.sign_in(user, &once).await?;
        first
            .change_password(self, &once, &format!("{user} own password"))
            .await
    }

    /// A client for this server (trusting its certificate when it serves
    /// TLS); with a session, it presents it as the console does: cookie,
    /// CSRF token and the console's origin.
    pub fn client(&self, session: Option<(&str, &str)>) -> anyhow::Result<reqwest::Client> {
        use reqwest::header::{HeaderMap, HeaderValue};
        let mut headers = HeaderMap::new();
        if let Some((cookie, csrf)) = session {
            headers.insert("cookie", HeaderValue::from_str(cookie)?);
            headers.insert("x-csrf-token", HeaderValue::from_str(csrf)?);
            headers.insert("origin", HeaderValue::from_str(&self.url)?);
        }
        let mut builder = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .default_headers(headers);
        if let Some(trust) = &self.trust {
            builder = builder.add_root_certificate(trust.clone());
        }
        Ok(builder.build()?)
    }

    /// A client signed in as the administrator.
    pub fn http(&self) -> reqwest::Client {
        self.admin
            .as_ref()
            .map(|a| a.client.clone())
            .unwrap_or_else(http)
    }

    fn start_blocking(options: StartOptions) -> anyhow::Result<Self> {
        let (data_dir, owned) = match options.data_dir {
            Some(dir) => (dir, None),
            None => {
                let dir = tempfile::Builder::new().prefix("berth-test-").tempdir()?;
                (dir.path().to_path_buf(), Some(Arc::new(dir)))
            }
        };
        let bin = berth_bin();
        let mut cmd = Command::new(&bin);
        cmd.arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(&data_dir);
        if !options.no_embedded_listen {
            cmd.arg("--embedded-api-listen").arg("127.0.0.1:0");
        }
        cmd.args(&options.args)
            .env(
                "RUST_LOG",
                std::env::var("BERTH_TEST_LOG").unwrap_or_else(|_| "info".into()),
            )
            .envs(options.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            // Only the embedded API, whatever cluster the developer's shell names.
            .env_remove("BERTH_KUBECONFIG")
            .env_remove("KUBECONFIG")
            .env_remove("KUBERNETES_SERVICE_HOST")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().with_context(|| {
            format!(
                "starting {} (build it with `cargo build -p berth`)",
                bin.display()
            )
        })?;

        let output = Output::default();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        if let Some(stdout) = child.stdout.take() {
            pump(stdout, output.clone(), Some(tx));
        }
        if let Some(stderr) = child.stderr.take() {
            pump(stderr, output.clone(), None);
        }

        let want_kube = !options.no_embedded_listen;
        let mut url = None;
        let mut kube_url = None;
        let mut one_time_password = None;
        let deadline = std::time::Instant::now() + START_TIMEOUT;
        while url.is_none() || (want_kube && kube_url.is_none()) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some((_, password)) = line.split_once(ONE_TIME_PASSWORD_MARK) {
                        one_time_password = Some(password.trim().to_owned());
                    } else if let Some(u) = line.strip_prefix("Berth console listening on ") {
                        url = Some(u.trim().to_owned());
                    } else if let Some(u) =
                        line.strip_prefix("Embedded Kubernetes API listening on ")
                    {
                        kube_url = Some(u.trim().to_owned());
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    bail!("berth did not start; it printed:\n{}", output.text());
                }
            }
        }
        Ok(Self {
            url: url.unwrap_or_default(),
            kube_url,
            data_dir,
            child: Some(child),
            output,
            _owned_dir: owned,
            one_time_password,
            admin: None,
            trust: None,
        })
    }

    /// `url` + `path`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// Everything the process printed so far (stdout and stderr).
    pub fn logs(&self) -> String {
        self.output.text()
    }

    /// A Kubernetes client for the embedded API this process exposes on
    /// loopback (started with `--embedded-api-listen`, the default here).
    pub fn kube(&self) -> kube::Client {
        let url = self
            .kube_url
            .as_deref()
            .expect("the embedded API listens on loopback");
        kube::Client::try_from(kube::Config::new(url.parse().expect("a URL")))
            .expect("a Kubernetes client")
    }

    /// Wait (bounded, 10 s) until `/readyz` answers 200, as a Kubernetes
    /// readiness probe would before sending traffic.
    pub async fn wait_ready(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let ready = http().get(self.at("/readyz")).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "not ready after 10 s:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Wait (bounded, 10 s) until the process has printed `needle`.
    pub async fn wait_for_log(&self, needle: &str) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while tokio::time::Instant::now() < deadline {
            if self.output.text().contains(needle) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kill the process with SIGKILL, as `kill -9` would, and reap it.
    pub fn kill_9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Send SIGTERM and wait for the exit status.
    pub fn terminate(&mut self) -> anyhow::Result<std::process::ExitStatus> {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        let mut child = self.child.take().context("process already stopped")?;
        let pid = i32::try_from(child.id())?;
        kill(Pid::from_raw(pid), Signal::SIGTERM)?;
        Ok(child.wait()?)
    }

    /// Keep the temporary data directory alive for a restarted process.
    pub fn data_dir_handle(&self) -> Option<Arc<TempDir>> {
        self._owned_dir.clone()
    }

    /// A restarted server on the same data directory.
    pub async fn restart(&mut self) -> anyhow::Result<Self> {
        self.kill_9();
        let mut next = Self::start_in(&self.data_dir).await?;
        next._owned_dir = self._owned_dir.clone();
        Ok(next)
    }
}

impl Drop for BerthProcess {
    fn drop(&mut self) {
        self.kill_9();
    }
}

/// Copy a pipe line by line into `output`, and to `lines` when given.
fn pump(
    pipe: impl Read + Send + 'static,
    output: Output,
    lines: Option<std::sync::mpsc::Sender<String>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            output.push_line(&line);
            if let Some(tx) = &lines {
                let _ = tx.send(line);
            }
        }
    });
}

/// Write `dir/kubeconfig` for an unauthenticated API server at `server`
/// (the embedded API on loopback, or a closed port); returns its path.
pub fn write_kubeconfig(dir: &Path, server: &str) -> PathBuf {
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user: {{}}\ncurrent-context: c\n"
        ),
    )
    .expect("write kubeconfig");
    path
}

/// `kubectl` with its home, config and discovery cache inside `home` (a
/// temporary directory): with no `HOME` kubectl writes its cache under
/// `./.kube`, which is the source tree when a test runs it.
pub fn kubectl(home: &Path) -> Command {
    let kubeconfig = home.join("kubeconfig");
    if !kubeconfig.exists() {
        std::fs::write(&kubeconfig, "").expect("write an empty kubeconfig");
    }
    let mut command = Command::new("kubectl");
    command
        .env("HOME", home)
        .env("KUBECONFIG", kubeconfig)
        .env("KUBECACHEDIR", home.join("cache"))
        .current_dir(home);
    command
}

/// An HTTP client for tests: no proxy, bounded time, and no automatic
/// decompression (reqwest is built without it), so tests see the bytes
/// the server sent.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

impl SignedIn {
    /// Replaces the password (required after a one-time password); the
    /// session is renewed.
    pub async fn change_password(
        &self,
        server: &BerthProcess,
        current: &str,
        new: &str,
    ) -> anyhow::Result<SignedIn> {
        let response = self
            .client
            .put(server.at("/api/v1/session/password"))
            .json(&serde_json::json!({ "currentPassword": current, "newPassword": new }))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!(
                "changing the password of {}: {}",
                self.user,
                response.status()
            );
        }
        // The session is renewed: a new cookie and CSRF token.
        server.signed_in(response, &self.user, new).await
    }
}

/// The body of an error answer, checked to be `application/problem+json`.
pub async fn problem(response: reqwest::Response) -> berth_shared::Problem {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    response.json().await.expect("a problem body")
}
