//! The embedded Kubernetes API on a loopback port, for kubectl: its
//! operator token (from `--embedded-api-token-file`, made there when the
//! file does not exist) and the kubeconfig Berth writes for it into the
//! data directory. Both files are mode 0600; the token is never logged.
//!
//! With a token the listener serves HTTPS, with a certificate made at each
//! start for the loopback names (its CA goes into the kubeconfig): kubectl
//! sends a kubeconfig's credentials over TLS only. Without one it serves
//! plain HTTP, as before, for `kubectl --server http://ADDR`.

use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use berth_apiserver::{EmbeddedApiServer, ListenerAccess};
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::settings::Settings;

/// The kubeconfig's file name inside the data directory.
pub const KUBECONFIG_FILE: &str = "kubeconfig";

/// A certificate for the loopback names and the CA that signed it (PEM).
struct Certificate {
    ca: String,
    cert: String,
    key: SecretString,
}

/// Binds `addr`, writes the kubeconfig, announces the address and serves
/// the embedded API there until `stop`.
pub async fn start(
    tasks: &mut JoinSet<std::io::Result<()>>,
    server: &EmbeddedApiServer,
    settings: &Settings,
    addr: SocketAddr,
    stop: watch::Receiver<()>,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the embedded Kubernetes API to {addr}"))?;
    let bound = listener.local_addr()?;
    let token = settings
        .embedded_api_token_file
        .as_deref()
        .map(read_or_make_token)
        .transpose()?;
    let (access, tls) = match &token {
        Some(t) => (
            ListenerAccess::with_token(t.expose_secret()),
            Some(loopback_certificate()?),
        ),
        None => (ListenerAccess::open(), None),
    };
    let kubeconfig = settings.cluster.data_dir.join(KUBECONFIG_FILE);
    let text = kubeconfig_text(bound, token.as_ref(), tls.as_ref().map(|c| c.ca.as_str()));
    write_private(&kubeconfig, text.as_bytes())
        .with_context(|| format!("writing {}", kubeconfig.display()))?;
    tracing::info!(kubeconfig = %kubeconfig.display(), "kubectl reaches the embedded API with this kubeconfig");
    let router = server.listener_router(access);
    let mut stop = stop;
    match tls {
        None => {
            super::announce("Embedded Kubernetes API listening on", &listener, "http")?;
            tasks.spawn(async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stop.changed().await;
                    })
                    .await
            });
        }
        Some(cert) => {
            let config = axum_server::tls_rustls::RustlsConfig::from_pem(
                cert.cert.into_bytes(),
                cert.key.expose_secret().as_bytes().to_vec(),
            )
            .await
            .context("the embedded API's TLS certificate")?;
            super::announce("Embedded Kubernetes API listening on", &listener, "https")?;
            let handle = axum_server::Handle::new();
            let drain = handle.clone();
            tasks.spawn(async move {
                let _ = stop.changed().await;
                drain.graceful_shutdown(Some(Duration::from_secs(30)));
                Ok(())
            });
            let served = axum_server::from_tcp_rustls(listener.into_std()?, config)?.handle(handle);
            tasks.spawn(async move { served.serve(router.into_make_service()).await });
        }
    }
    Ok(())
}

/// A new CA and a certificate it signs for `localhost`, 127.0.0.1 and ::1.
fn loopback_certificate() -> anyhow::Result<Certificate> {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Berth embedded API CA");
    let ca_key = rcgen::KeyPair::generate()?;
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key)?;
    let key = rcgen::KeyPair::generate()?;
    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let cert = rcgen::CertificateParams::new(names)?.signed_by(&key, &ca)?;
    Ok(Certificate {
        ca: ca.pem(),
        cert: cert.pem(),
        key: SecretString::from(key.serialize_pem()),
    })
}

/// The token in `path`, or a new random one written there.
fn read_or_make_token(path: &Path) -> anyhow::Result<SecretString> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let token = text.trim();
            if token.is_empty() || token.chars().any(char::is_whitespace) {
                bail!(
                    "{} must hold one token (no spaces or line breaks inside)",
                    path.display()
                );
            }
            let mode = std::fs::metadata(path)?.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(file = %path.display(), "the embedded API's token file is readable by other accounts: chmod 600 it");
            }
            Ok(SecretString::from(token.to_owned()))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).context("the operating system's random generator")?;
            let token = URL_SAFE_NO_PAD.encode(bytes);
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("creating {}", path.display()))?;
            writeln!(file, "{token}")?;
            tracing::info!(file = %path.display(), "made a new token for the embedded API");
            Ok(SecretString::from(token))
        }
        Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
    }
}

fn kubeconfig_text(addr: SocketAddr, token: Option<&SecretString>, ca: Option<&str>) -> String {
    // JSON strings are YAML's double-quoted scalars.
    let user = match token {
        Some(t) => format!(
            "    token: {}\n",
            serde_json::Value::String(t.expose_secret().to_owned())
        ),
        None => "    {}\n".to_owned(),
    };
    let (scheme, ca) = match ca {
        Some(pem) => (
            "https",
            format!("    certificate-authority-data: {}\n", STANDARD.encode(pem)),
        ),
        None => ("http", String::new()),
    };
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: berth-embedded\n  cluster:\n    server: {scheme}://{addr}\n{ca}users:\n- name: berth-operator\n  user:\n{user}contexts:\n- name: berth-embedded\n  context:\n    cluster: berth-embedded\n    user: berth-operator\ncurrent-context: berth-embedded\n"
    )
}

/// Replaces `path` with `bytes`, readable by this account only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeconfig_carries_the_token_quoted() {
        let addr: SocketAddr = "127.0.0.1:6443".parse().expect("an address");
        let text = kubeconfig_text(
            addr,
            Some(&SecretString::from("a\"b".to_owned())),
            Some("PEM"),
        );
        assert!(text.contains("server: https://127.0.0.1:6443\n"), "{text}");
        assert!(
            text.contains("    certificate-authority-data: UEVN\n"),
            "{text}"
        );
        assert!(text.contains("    token: \"a\\\"b\"\n"), "{text}");
        let open = kubeconfig_text(addr, None, None);
        assert!(open.contains("server: http://127.0.0.1:6443\n"), "{open}");
        assert!(open.contains("  user:\n    {}\n"), "{open}");
    }

    #[test]
    fn a_missing_token_file_is_made_private_and_then_read() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("token");
        let made = read_or_make_token(&path)?;
        assert_eq!(
            std::fs::metadata(&path)?.permissions().mode() & 0o777,
            0o600
        );
        let again = read_or_make_token(&path)?;
        assert_eq!(made.expose_secret(), again.expose_secret());
        assert!(made.expose_secret().len() >= 40);
        std::fs::write(&path, "two words")?;
        assert!(read_or_make_token(&path).is_err());
        Ok(())
    }
}
