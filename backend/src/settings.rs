//! What `berth serve` runs with, checked once at start: the rest of the
//! backend takes these values, never the command line's types.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::oidc::OidcSettings;
use crate::cluster::ClusterSettings;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the console and its API listen.
    pub listen: SocketAddr,
    /// The built console (Trunk's `dist`).
    pub static_dir: PathBuf,
    /// Serve over HTTPS with this certificate chain and key (PEM files).
    pub tls: Option<TlsFiles>,
    /// Which Kubernetes API stores the data.
    pub cluster: ClusterSettings,
    /// Also serve the embedded Kubernetes API here (loopback only).
    pub embedded_api_listen: Option<SocketAddr>,
    /// Prefix of each project's namespace.
    pub namespace_prefix: String,
    /// The namespace of accounts and sessions.
    pub system_namespace: String,
    /// One JSON object per log line instead of text.
    pub log_json: bool,
    /// Registries (`HOST:PORT`) reached over plain HTTP.
    pub insecure_registries: Vec<String>,
    /// Portal origins allowed to frame the console.
    pub allowed_frame_ancestors: Vec<String>,
    /// How long a sign-in lasts.
    pub session_lifetime: Duration,
    /// Sign-in attempts a minute per user name, and per client address.
    pub login_attempts_per_user: u32,
    pub login_attempts_per_address: u32,
    /// Bearer tokens from this OIDC issuer, when set.
    pub oidc: Option<OidcSettings>,
    /// How long deleted projects stay restorable (zero: never).
    pub restore_window: Duration,
    /// Between two passes of the purge task.
    pub purge_interval: Duration,
    /// No progress for this long: a deletion is reported as stalled.
    pub deletion_stall: Duration,
    /// Changes each project's activity log keeps.
    pub activity_limit: usize,
    /// How long a finished job run is kept (its Job's
    /// `ttlSecondsAfterFinished`).
    pub job_run_retention: Duration,
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}
