//! A real OCI registry for tests: Debian's `docker-registry` (the CNCF
//! distribution registry) on 127.0.0.1 with htpasswd authentication and a
//! throw-away storage directory, and a tiny image pushed to it through the
//! registry HTTP API.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// The registry binary: `$BERTH_TEST_REGISTRY_BIN` or Debian's.
pub fn registry_bin() -> String {
    std::env::var("BERTH_TEST_REGISTRY_BIN").unwrap_or_else(|_| "/usr/bin/docker-registry".into())
}

/// A running registry; stopped when dropped.
pub struct TestRegistry {
    /// `127.0.0.1:PORT`, the registry part of image references.
    pub host: String,
    pub username: String,
    pub password: String,
    child: Option<Child>,
    _dir: TempDir,
}

/// What [`TestRegistry::push_image`] pushed.
#[derive(Debug, Clone)]
pub struct PushedImage {
    /// `127.0.0.1:PORT/repo:tag`
    pub reference: String,
    /// The manifest digest the registry reported (`Docker-Content-Digest`).
    pub digest: String,
}

impl TestRegistry {
    /// Start a registry that accepts `username`/`password` only.
    pub async fn start(username: &str, password: &str) -> anyhow::Result<Self> {
        let (username, password) = (username.to_owned(), password.to_owned());
        tokio::task::spawn_blocking(move || Self::start_blocking(username, password)).await?
    }

    fn start_blocking(username: String, password: String) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("berth-registry-")
            .tempdir()?;
        let htpasswd = Command::new("htpasswd")
            .args(["-Bbn", &username, &password])
            .output()
            .context("running htpasswd (install apache2-utils)")?;
        if !htpasswd.status.success() {
            bail!(
                "htpasswd failed: {}",
                String::from_utf8_lossy(&htpasswd.stderr)
            );
        }
        std::fs::write(dir.path().join("htpasswd"), &htpasswd.stdout)?;
        // A free port: bind :0, note it, release it for the registry.
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let host = format!("127.0.0.1:{port}");
        let config = format!(
            "version: 0.1\n\
             log:\n  level: warn\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {root}\n  delete:\n    enabled: true\n\
             http:\n  addr: {host}\n  secret: berth-test-only\n\
             auth:\n  htpasswd:\n    realm: berth-test\n    path: {htpasswd}\n",
            root = dir.path().join("data").display(),
            htpasswd = dir.path().join("htpasswd").display(),
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config)?;
        let mut child = Command::new(registry_bin())
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {} (install docker-registry)", registry_bin()))?;
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if std::env::var_os("BERTH_TEST_REGISTRY_LOG").is_some() {
                        eprintln!("registry: {line}");
                    }
                }
            });
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if std::net::TcpStream::connect(&host).is_ok() {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                bail!("docker-registry exited early: {status}");
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                bail!("docker-registry did not listen on {host}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self {
            host,
            username,
            password,
            child: Some(child),
            _dir: dir,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.host)
    }

    /// Push a one-layer OCI image as `repository:tag`; `seed` makes its
    /// content (and so its digest) differ between pushes.
    pub async fn push_image(
        &self,
        repository: &str,
        tag: &str,
        seed: &str,
    ) -> anyhow::Result<PushedImage> {
        let layer = format!("berth test layer {seed}").into_bytes();
        let layer_digest = sha256(&layer);
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64",
            "os": "linux",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
        }))?;
        let config_digest = sha256(&config);
        self.push_blob(repository, &config, &config_digest).await?;
        self.push_blob(repository, &layer, &layer_digest).await?;
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": config_digest,
                "size": config.len(),
            },
            "layers": [{
                "mediaType": "application/vnd.oci.image.layer.v1.tar",
                "digest": layer_digest,
                "size": layer.len(),
            }],
        }))?;
        let response = crate::http()
            .put(self.url(&format!("/v2/{repository}/manifests/{tag}")))
            .basic_auth(&self.username, Some(&self.password))
            .header("content-type", "application/vnd.oci.image.manifest.v1+json")
            .body(manifest.clone())
            .send()
            .await?;
        if response.status() != reqwest::StatusCode::CREATED {
            bail!(
                "manifest push answered {}: {}",
                response.status(),
                response.text().await.unwrap_or_default()
            );
        }
        let digest = response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .context("no Docker-Content-Digest")?
            .to_owned();
        assert_eq!(
            digest,
            sha256(&manifest),
            "the registry digests what we sent"
        );
        Ok(PushedImage {
            reference: format!("{}/{repository}:{tag}", self.host),
            digest,
        })
    }

    async fn push_blob(&self, repository: &str, data: &[u8], digest: &str) -> anyhow::Result<()> {
        let started = crate::http()
            .post(self.url(&format!("/v2/{repository}/blobs/uploads/")))
            .basic_auth(&self.username, Some(&self.password))
            .send()
            .await?;
        if started.status() != reqwest::StatusCode::ACCEPTED {
            bail!("blob upload start answered {}", started.status());
        }
        let location = started
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .context("no upload location")?
            .to_owned();
        let mut url = if location.starts_with("http") {
            location
        } else {
            self.url(&location)
        };
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("digest=");
        url.push_str(digest);
        let done = crate::http()
            .put(url)
            .basic_auth(&self.username, Some(&self.password))
            .header("content-type", "application/octet-stream")
            .body(data.to_vec())
            .send()
            .await?;
        if done.status() != reqwest::StatusCode::CREATED {
            bail!("blob upload answered {}", done.status());
        }
        Ok(())
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `sha256:<hex>` of `data`.
pub fn sha256(data: &[u8]) -> String {
    let hash = Sha256::digest(data);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
