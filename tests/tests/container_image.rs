//! The container image people deploy (scripts/build-image), run with podman
//! the way a cluster runs it: read-only root filesystem with one writable
//! volume, no capabilities, its port published on 127.0.0.1 only. A person
//! signs in with the one-time password from its log and creates a project;
//! SIGTERM then stops it cleanly.
//!
//! The image is the OCI archive scripts/build-image writes
//! (`$BERTH_IMAGE_ARCHIVE`, or `<cargo target dir>/image/berth.tar`);
//! scripts/test builds it before `cargo test`. Without it this test fails:
//! an image CI never ran is what this test exists to prevent.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use berth_shared::Session;
use berth_tests::workspace_root;
use serde_json::json;
use tempfile::TempDir;

/// The user the image runs as (distroless' "nonroot").
const IMAGE_USER: u32 = 65532;
/// What precedes the first administrator's password in the log.
const ONE_TIME_PASSWORD_MARK: &str = "with the one-time password: ";

fn image_archive() -> PathBuf {
    if let Some(path) = std::env::var_os("BERTH_IMAGE_ARCHIVE") {
        return PathBuf::from(path);
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
        .join("image")
        .join("berth.tar")
}

/// Podman with the project's settings (scripts/podman/env.sh), its storage
/// in a temporary folder; the container and images go with it.
struct Podman {
    dir: TempDir,
    container: Option<String>,
}

impl Podman {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary folder"),
            container: None,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let env = workspace_root().join("scripts/podman/env.sh");
        Command::new("bash")
            .arg("-c")
            .arg(r#". "$0" "$1" && shift && exec podman "$@""#)
            .arg(env)
            .arg(self.dir.path().join("podman"))
            .args(args)
            .output()
            .expect("podman runs (scripts/bootstrap installs it)")
    }

    /// Runs podman and returns its stdout, failing on an error.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "podman {}: {}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn inspect(&self, format: &str) -> String {
        let container = self.container.as_deref().expect("a container");
        self.ok(&["inspect", "--format", format, container])
    }

    /// The container's log, with the one-time password blanked out.
    fn logs(&self) -> String {
        let Some(container) = self.container.as_deref() else {
            return String::new();
        };
        let out = self.run(&["logs", container]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        text.lines()
            .map(|line| match line.split_once(ONE_TIME_PASSWORD_MARK) {
                Some((before, _)) => format!("{before}{ONE_TIME_PASSWORD_MARK}[redacted]\n"),
                None => format!("{line}\n"),
            })
            .collect()
    }

    fn one_time_password(&self) -> Option<String> {
        let container = self.container.as_deref()?;
        let out = self.run(&["logs", container]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .chain(String::from_utf8_lossy(&out.stderr).lines())
            .find_map(|line| line.split_once(ONE_TIME_PASSWORD_MARK))
            .map(|(_, password)| password.trim().to_owned())
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        if let Some(container) = &self.container {
            let _ = self.run(&["rm", "--force", "--time", "0", container]);
        }
        // vfs layers are plain folders; podman forgets them before the
        // temporary folder goes.
        let _ = self.run(&["rmi", "--all", "--force"]);
    }
}

/// A signed-in session: cookie and CSRF token, sent as the console sends them.
fn client(base: &str, session: Option<(&str, &str)>) -> reqwest::Client {
    use reqwest::header::{HeaderMap, HeaderValue};
    let mut headers = HeaderMap::new();
    if let Some((cookie, csrf)) = session {
        headers.insert("cookie", HeaderValue::from_str(cookie).expect("cookie"));
        headers.insert("x-csrf-token", HeaderValue::from_str(csrf).expect("csrf"));
        headers.insert("origin", HeaderValue::from_str(base).expect("origin"));
    }
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .default_headers(headers)
        .build()
        .expect("HTTP client")
}

/// The cookie and CSRF token a sign-in (or password change) answered with.
async fn session_of(response: reqwest::Response) -> (String, String) {
    assert!(response.status().is_success(), "{}", response.status());
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let session: Session = response.json().await.expect("a session");
    (cookie, session.csrf_token.expect("a CSRF token"))
}

/// A line of /proc/PID/status, e.g. `Uid:` → its numbers.
fn proc_ids(pid: &str, field: &str) -> Vec<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .expect("the field")
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// Mount options of `mount_point` inside the process' mount namespace.
fn mount_options(pid: &str, mount_point: &str) -> Vec<String> {
    let info =
        std::fs::read_to_string(format!("/proc/{pid}/mountinfo")).expect("process mountinfo");
    // Fields: id parent major:minor root mount-point options ...; the last
    // line for a mount point is the one in effect.
    info.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.get(4) == Some(&mount_point)).then(|| f.get(5).copied().unwrap_or_default())
        })
        .next_back()
        .expect("the mount point")
        .split(',')
        .map(str::to_owned)
        .collect()
}

fn files_in(tar: &Path) -> Vec<String> {
    let out = Command::new("tar")
        .arg("-tf")
        .arg(tar)
        .output()
        .expect("tar");
    assert!(out.status.success(), "tar -tf");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_start_matches("./").to_owned())
        .collect()
}

#[tokio::test]
async fn the_image_runs_read_only_as_non_root_and_stops_on_sigterm() {
    let archive = image_archive();
    assert!(
        archive.is_file(),
        "the image archive {} is missing: build it with scripts/build-image \
         (scripts/test does, before cargo test)",
        archive.display()
    );
    let mut podman = Podman::new();
    let loaded = podman.ok(&["load", "--quiet", "--input", &archive.to_string_lossy()]);
    let image = loaded
        .lines()
        .find_map(|l| l.strip_prefix("Loaded image: "))
        .expect("podman load names the image")
        .trim()
        .to_owned();

    // The image itself: from scratch, its user, its size.
    let user = podman.ok(&["image", "inspect", "--format", "{{.Config.User}}", &image]);
    assert_eq!(user, format!("{IMAGE_USER}:{IMAGE_USER}"));
    let size: u64 = podman
        .ok(&["image", "inspect", "--format", "{{.Size}}", &image])
        .parse()
        .expect("a size");
    assert!(size <= 25_000_000, "the image is {size} bytes, over 25 MB");

    // Only Berth's data volume is writable: no tmpfs that --read-only
    // would add, the volume owned by the image's user (`:U`), no
    // capabilities, no privilege gained through set-uid files.
    let data = podman.dir.path().join("data");
    std::fs::create_dir(&data).expect("data folder");
    let name = format!("berth-image-test-{}", std::process::id());
    let volume = format!("{}:/tmp:U", data.display());
    podman.container = Some(name.clone());
    podman.ok(&[
        "run",
        "--detach",
        "--name",
        &name,
        "--pull=never",
        "--read-only",
        "--read-only-tmpfs=false",
        "--cap-drop=all",
        "--security-opt=no-new-privileges",
        "--volume",
        &volume,
        "--publish",
        "127.0.0.1::8080",
        &image,
    ]);
    let published = podman.ok(&["port", &name, "8080/tcp"]);
    let port = published
        .strip_prefix("127.0.0.1:")
        .unwrap_or_else(|| panic!("published on loopback only, not {published}"));
    let base = format!("http://127.0.0.1:{port}");

    let anonymous = client(&base, None);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = anonymous.get(format!("{base}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        let state = podman.inspect("{{.State.Status}}");
        assert!(
            state == "running" && Instant::now() < deadline,
            "not ready ({state}); its log:\n{}",
            podman.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // It runs as 65532 (every id), with / read-only and the volume not.
    let pid = podman.inspect("{{.State.Pid}}");
    assert_eq!(proc_ids(&pid, "Uid:"), [IMAGE_USER; 4]);
    assert_eq!(proc_ids(&pid, "Gid:"), [IMAGE_USER; 4]);
    assert!(mount_options(&pid, "/").contains(&"ro".to_owned()));
    assert!(mount_options(&pid, "/tmp").contains(&"rw".to_owned()));
    assert_eq!(podman.inspect("{{.HostConfig.ReadonlyRootfs}}"), "true");

    // The console is served.
    let page = anonymous
        .get(format!("{base}/"))
        .send()
        .await
        .expect("the console");
    assert!(page.status().is_success());
    assert!(page.text().await.expect("HTML").contains("boot.js"));

    // Sign in with the one-time password from the log, choose a password,
    // create a project.
    let once = podman
        .one_time_password()
        .unwrap_or_else(|| panic!("no one-time password in the log:\n{}", podman.logs()));
    let signed_in = anonymous
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "admin", "password": once}))
        .send()
        .await
        .expect("sign in");
    let (cookie, csrf) = session_of(signed_in).await;
    let changed = client(&base, Some((&cookie, &csrf)))
        .put(format!("{base}/api/v1/session/password"))
        .json(&json!({"currentPassword": once, "newPassword": "image test administrator"}))
        .send()
        .await
        .expect("change password");
    let (cookie, csrf) = session_of(changed).await;
    let admin = client(&base, Some((&cookie, &csrf)));
    let created = admin
        .post(format!("{base}/api/v1/projects"))
        .json(&json!({"name": "shipped", "description": "from the image"}))
        .send()
        .await
        .expect("create a project");
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    let listed: serde_json::Value = admin
        .get(format!("{base}/api/v1/projects"))
        .send()
        .await
        .expect("list projects")
        .json()
        .await
        .expect("JSON");
    assert!(
        listed.to_string().contains("\"shipped\""),
        "the new project is listed: {listed}"
    );
    // Its store went to the volume, written as the image's user.
    let store = data.join("berth").join("cluster.redb");
    assert!(store.is_file(), "{} is written", store.display());

    // No shell, nor anything else to run but berth.
    assert!(
        !podman
            .run(&["exec", &name, "/bin/sh", "-c", "true"])
            .status
            .success()
    );
    let exported = podman.dir.path().join("rootfs.tar");
    podman.ok(&["export", "--output", &exported.to_string_lossy(), &name]);
    let files = files_in(&exported);
    assert!(files.iter().any(|f| f == "app/berth"), "{files:?}");
    assert!(files.iter().any(|f| f == "app/dist/index.html"));
    assert!(
        files
            .iter()
            .any(|f| f == "etc/ssl/certs/ca-certificates.crt")
    );
    let unexpected: Vec<&String> = files
        .iter()
        .filter(|f| {
            !(f.starts_with("app/")
                || f.starts_with("etc/ssl/")
                // What podman itself places in every container (passwd and
                // group to name the user, mtab, networking, its marker).
                || [
                    "etc/passwd",
                    "etc/group",
                    "etc/mtab",
                    "etc/hosts",
                    "etc/hostname",
                    "etc/resolv.conf",
                    "run/.containerenv",
                ]
                .contains(&f.as_str())
                || f.ends_with('/'))
        })
        .collect();
    assert_eq!(unexpected, Vec::<&String>::new(), "files beyond Berth's");

    // SIGTERM: it finishes and exits 0, well before a kill would come.
    podman.ok(&["kill", "--signal", "TERM", &name]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while podman.inspect("{{.State.Status}}") == "running" {
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let code = podman.inspect("{{.State.ExitCode}}");
    let logs = podman.logs();
    assert_eq!(code, "0", "exit code after SIGTERM; its log:\n{logs}");
    assert!(logs.contains("stopped"), "{logs}");
}
