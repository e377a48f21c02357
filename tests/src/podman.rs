//! Real containers for the job tests: podman kept inside temporary folders
//! (the project's `scripts/podman/containers.conf` and a vfs `storage.conf`
//! per folder, as `scripts/podman/env.sh` sets them up), a busybox image
//! built `FROM scratch` with Debian's static busybox, pushed with
//! credentials to a [`TestRegistry`].
//!
//! When podman is missing the helpers fail with a message saying how to
//! install it; the tests are never skipped silently.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use tempfile::TempDir;

use crate::registry::TestRegistry;
use crate::workspace_root;

/// Debian's busybox-static.
const BUSYBOX: &str = "/bin/busybox";

/// podman: `$BERTH_TEST_PODMAN`, else the first on `PATH`.
pub fn podman_bin() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("BERTH_TEST_PODMAN") {
        return Ok(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("podman"))
        .find(|p| p.is_file())
        .context(
            "podman is not installed: the job tests run real containers. Install it with \
             scripts/bootstrap (Debian: apt-get install podman runc busybox-static)",
        )
}

/// One podman storage in a temporary folder.
pub struct PodmanStore {
    pub dir: TempDir,
    pub bin: PathBuf,
}

impl PodmanStore {
    pub fn new() -> anyhow::Result<Self> {
        let bin = podman_bin()?;
        let dir = tempfile::Builder::new().prefix("berth-podman-").tempdir()?;
        let (root, run) = (dir.path().join("root"), dir.path().join("run"));
        std::fs::create_dir_all(&root)?;
        std::fs::create_dir_all(&run)?;
        std::fs::write(
            dir.path().join("storage.conf"),
            format!(
                "[storage]\ndriver = \"vfs\"\ngraphroot = \"{}\"\nrunroot = \"{}\"\n",
                root.display(),
                run.display()
            ),
        )?;
        Ok(Self { dir, bin })
    }

    /// The environment podman needs to use this storage: give it to
    /// `berth serve` too.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            (
                "CONTAINERS_CONF".into(),
                workspace_root()
                    .join("scripts/podman/containers.conf")
                    .display()
                    .to_string(),
            ),
            (
                "CONTAINERS_STORAGE_CONF".into(),
                self.dir.path().join("storage.conf").display().to_string(),
            ),
        ]
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        c.envs(self.env()).stdin(Stdio::null());
        c
    }

    /// Runs podman with `args`; its stdout.
    pub fn run(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = self.command().args(args).output()?;
        if !out.status.success() {
            bail!(
                "podman {} failed: {}",
                args.first().unwrap_or(&""),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Names of the containers (any state) carrying `label=value`.
    pub fn containers_labelled(&self, label: &str, value: &str) -> anyhow::Result<Vec<String>> {
        Ok(self
            .run(&[
                "ps",
                "--all",
                "--filter",
                &format!("label={label}={value}"),
                "--format",
                "{{.Names}}",
            ])?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// Builds the busybox image as `name` (`FROM scratch` + `/bin/busybox`,
    /// entrypoint-less so that Pods give the command).
    pub fn build_busybox(&self, name: &str) -> anyhow::Result<()> {
        let ctx = self.dir.path().join("build");
        std::fs::create_dir_all(&ctx)?;
        std::fs::copy(BUSYBOX, ctx.join("busybox"))
            .context("copying /bin/busybox (install busybox-static)")?;
        std::fs::write(
            ctx.join("Containerfile"),
            "FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\nCMD [\"/bin/sh\"]\n",
        )?;
        self.run(&[
            "build",
            "--quiet",
            "--tag",
            name,
            &ctx.display().to_string(),
        ])?;
        Ok(())
    }

    /// Signs in to `registry` (the password goes through stdin, into an
    /// auth file in this folder) and pushes local image `local` as `remote`.
    pub fn push(&self, registry: &TestRegistry, local: &str, remote: &str) -> anyhow::Result<()> {
        use std::io::Write as _;
        let auth = self.dir.path().join("auth.json");
        let auth_s = auth.display().to_string();
        let mut login = self
            .command()
            .args(["login", "--tls-verify=false", "--authfile", &auth_s])
            .args([
                "--username",
                &registry.username,
                "--password-stdin",
                &registry.host,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        login
            .stdin
            .take()
            .context("no stdin")?
            .write_all(registry.password.as_bytes())?;
        let out = login.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "podman login failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        self.run(&["tag", local, remote])?;
        self.run(&[
            "push",
            "--quiet",
            "--tls-verify=false",
            "--authfile",
            &auth_s,
            remote,
        ])?;
        std::fs::remove_file(&auth)?;
        Ok(())
    }

    /// The storage folder (for checks that nothing was left in it).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PodmanStore {
    fn drop(&mut self) {
        // Containers unmount their /dev/shm when removed; the vfs layers are
        // plain files the TempDir removes.
        let _ = self.command().args(["rm", "--all", "--force"]).output();
    }
}
