//! Command-line interface: `berth serve`, and a small CLI over the API
//! (`berth project …`, `berth registry …`, `berth image …`, in [`crate::commands`]).
//!
//! Every flag of `serve` is also a `BERTH_*` environment variable, so the same
//! binary is configured the same way on a laptop and in a container.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::auth::oidc::OidcSettings;
use crate::cluster::ClusterSettings;
use crate::settings::{ConnectionLimits, Settings, TlsFiles};

#[derive(Debug, Parser)]
#[command(
    name = "berth",
    version,
    about = "Berth: a console for container projects on Kubernetes"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console and its API.
    Serve(Box<ServeArgs>),
    /// Projects on a running Berth: list, create, get, delete, restore.
    Project(crate::commands::project::ProjectArgs),
    /// A project's registry credentials on a running Berth.
    Registry(crate::commands::data::RegistryArgs),
    /// A project's image pointers on a running Berth.
    Image(crate::commands::data::ImageArgs),
    /// A project's job templates on a running Berth: list, get, create, delete.
    Jobtemplate(crate::commands::job_runs::JobTemplateArgs),
    /// Runs of job templates on a running Berth: submit, list, get, logs,
    /// rerun-failed, delete.
    Jobrun(crate::commands::job_runs::JobRunArgs),
    /// Local accounts on a running Berth (administrators): list, add, passwd, remove.
    User(crate::commands::user::UserArgs),
    /// Write the CRD manifests of Berth's custom resources (generated from
    /// its types) into a directory.
    Crds {
        #[arg(long, default_value = crate::storage::resources::crds::CRD_DIR)]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address the console and its API listen on.
    #[arg(long, env = "BERTH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory for Berth's own files, among them the embedded Kubernetes
    /// API's store (`cluster.redb`). Created if missing.
    #[arg(long, env = "BERTH_DATA_DIR", default_value = "berth-data")]
    pub data_dir: PathBuf,

    /// Also expose the embedded Kubernetes API on this loopback address, so
    /// that `kubectl --server http://ADDR` can inspect it. Loopback only.
    #[arg(long, env = "BERTH_EMBEDDED_API_LISTEN", value_parser = parse_loopback)]
    pub embedded_api_listen: Option<SocketAddr>,

    /// The embedded API's listener asks for this bearer token (read from
    /// the file; a new random one is written there, mode 0600, when the file
    /// does not exist). Berth writes a kubeconfig with it to
    /// `DATA_DIR/kubeconfig` for kubectl.
    #[arg(
        long,
        env = "BERTH_EMBEDDED_API_TOKEN_FILE",
        requires = "embedded_api_listen"
    )]
    pub embedded_api_token_file: Option<PathBuf>,

    /// Use the Kubernetes cluster of this kubeconfig instead of the embedded
    /// API server. Without it, `KUBECONFIG` or an in-cluster service account
    /// select a cluster; `~/.kube/config` alone does not.
    #[arg(long, env = "BERTH_KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,

    /// Directory of the built console (Trunk's `dist`).
    #[arg(long, env = "BERTH_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Prefix of the namespace that holds each project (`berth-` + `shop`).
    #[arg(long, env = "BERTH_NAMESPACE_PREFIX", default_value = "berth-", value_parser = parse_prefix)]
    pub namespace_prefix: String,

    /// Log format.
    #[arg(long, env = "BERTH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// A registry (`HOST:PORT`) that image checks reach over plain HTTP
    /// instead of HTTPS; repeatable. Only for registries on a trusted
    /// network, such as a local test registry.
    #[arg(
        long = "insecure-registry",
        env = "BERTH_INSECURE_REGISTRIES",
        value_name = "HOST:PORT",
        value_delimiter = ',',
        value_parser = parse_insecure_registry
    )]
    pub insecure_registries: Vec<String>,

    /// A registry host (`HOST`, `HOST:PORT`) or address range (`CIDR`) that
    /// image checks may reach although it is on an internal address
    /// (loopback, private, link-local); repeatable. Registries given to
    /// --insecure-registry are allowed too.
    #[arg(
        long = "registry-allow",
        env = "BERTH_REGISTRY_ALLOW",
        value_name = "HOST[:PORT]|CIDR",
        value_delimiter = ','
    )]
    pub registry_allow: Vec<crate::registry::addresses::Allowed>,

    /// The container engine that runs the embedded API's Pods (Jobs): the
    /// path of podman or docker, or `none` to run nothing. Default: podman,
    /// else docker, found on `PATH`. Unused with a cluster.
    #[arg(long, env = "BERTH_CONTAINER_ENGINE", value_name = "PATH|none")]
    pub container_engine: Option<std::path::PathBuf>,

    /// Most Pods the embedded API runs at once (default: the number of CPUs).
    #[arg(long, env = "BERTH_MAX_RUNNING_PODS", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub max_running_pods: Option<u16>,

    /// Origin of a portal allowed to embed the console in an iframe
    /// (`https://portal.example.com`); repeatable. None: the console cannot
    /// be framed at all.
    #[arg(
        long = "allowed-frame-ancestors",
        env = "BERTH_ALLOWED_FRAME_ANCESTORS",
        value_name = "ORIGIN",
        value_delimiter = ',',
        value_parser = parse_origin
    )]
    pub allowed_frame_ancestors: Vec<String>,

    /// Serve the console over HTTPS with this certificate chain (PEM).
    #[arg(long, env = "BERTH_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The private key of `--tls-cert` (PEM).
    #[arg(long, env = "BERTH_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Namespace that holds Berth's own records: accounts and sessions.
    #[arg(long, env = "BERTH_SYSTEM_NAMESPACE", default_value = "berth-system")]
    pub system_namespace: String,

    /// Hours a sign-in lasts.
    #[arg(long, env = "BERTH_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u64,

    /// Sign-in attempts a minute for one user name, from anywhere.
    #[arg(long, env = "BERTH_LOGIN_ATTEMPTS_PER_USER", default_value_t = 5)]
    pub login_attempts_per_user: u32,

    /// Sign-in attempts a minute from one client address, for any user.
    #[arg(long, env = "BERTH_LOGIN_ATTEMPTS_PER_ADDRESS", default_value_t = 20)]
    pub login_attempts_per_address: u32,

    /// Accept bearer tokens from this OIDC issuer (`iss`; its discovery
    /// document is at `ISSUER/.well-known/openid-configuration`).
    #[arg(long, env = "BERTH_OIDC_ISSUER", requires = "oidc_audience")]
    pub oidc_issuer: Option<String>,

    /// The audience (`aud`) bearer tokens must be issued for.
    #[arg(long, env = "BERTH_OIDC_AUDIENCE", requires = "oidc_issuer")]
    pub oidc_audience: Option<String>,

    /// The token claim that lists the person's groups.
    #[arg(long, env = "BERTH_OIDC_GROUPS_CLAIM", default_value = "groups")]
    pub oidc_groups_claim: String,

    /// Members of this OIDC group are Berth administrators: they see and
    /// manage every project.
    #[arg(long, env = "BERTH_ADMIN_GROUP")]
    pub admin_group: Option<String>,

    /// Days a deleted project can be restored before it is deleted for
    /// good; 0 makes every deletion permanent.
    #[arg(long, env = "BERTH_RESTORE_WINDOW_DAYS", default_value_t = 7)]
    pub restore_window_days: u64,

    /// The restore window as a duration (`90s`, `30m`, `12h`, `7d`, or plain
    /// seconds); overrides `--restore-window-days`.
    #[arg(long, env = "BERTH_RESTORE_WINDOW", value_parser = parse_duration)]
    pub restore_window: Option<Duration>,

    /// Seconds between two passes of the task that deletes projects whose
    /// restore window has ended.
    #[arg(long, env = "BERTH_PURGE_INTERVAL_SECONDS", default_value_t = 60)]
    pub purge_interval_seconds: u64,

    /// Seconds without progress after which a project deletion is reported
    /// as stalled, with what blocks it.
    #[arg(long, env = "BERTH_DELETION_STALL_SECONDS", default_value_t = 60)]
    pub deletion_stall_seconds: u64,

    /// How many changes each project's activity log keeps (the newest).
    #[arg(long, env = "BERTH_ACTIVITY_LIMIT", default_value_t = crate::services::activity::DEFAULT_LIMIT,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    pub activity_limit: usize,

    /// Seconds a client has to send a request's headers; an idle
    /// keep-alive connection is closed after as long.
    #[arg(long, env = "BERTH_HEADER_TIMEOUT_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub header_timeout_seconds: u64,

    /// Connections to the console open at once; more are closed at once
    /// (keep it below the process's file limit, `ulimit -n`).
    #[arg(long, env = "BERTH_MAX_CONNECTIONS", default_value_t = 512,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_connections: usize,

    /// How long a finished job run, its pods and its logs are kept before
    /// Kubernetes deletes them (`90s`, `30m`, `12h`, `7d`, or plain seconds).
    #[arg(long, env = "BERTH_JOB_RUN_RETENTION", default_value = "7d", value_parser = parse_duration)]
    pub job_run_retention: Duration,
}

impl ServeArgs {
    /// How long deleted projects stay restorable (zero: never).
    pub fn restore_window(&self) -> anyhow::Result<Duration> {
        match self.restore_window {
            Some(window) => Ok(window),
            None => self
                .restore_window_days
                .checked_mul(86_400)
                .map(Duration::from_secs)
                .ok_or_else(|| anyhow::anyhow!("--restore-window-days is too large")),
        }
    }

    /// The flags, checked, as the settings the server runs with.
    pub fn settings(self) -> anyhow::Result<Settings> {
        let restore_window = self.restore_window()?;
        let oidc = match (self.oidc_issuer, self.oidc_audience) {
            (Some(issuer), Some(audience)) => Some(OidcSettings {
                issuer,
                audience,
                groups_claim: self.oidc_groups_claim,
                admin_group: self.admin_group,
            }),
            _ => None,
        };
        let tls = match (self.tls_cert, self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            _ => None,
        };
        Ok(Settings {
            listen: self.listen,
            static_dir: self.static_dir,
            tls,
            cluster: ClusterSettings {
                kubeconfig: self.kubeconfig,
                data_dir: self.data_dir,
                container_engine: self.container_engine,
                max_running_pods: self.max_running_pods.map_or(0, usize::from),
                insecure_registries: self.insecure_registries.clone(),
            },
            embedded_api_listen: self.embedded_api_listen,
            embedded_api_token_file: self.embedded_api_token_file,
            namespace_prefix: self.namespace_prefix,
            system_namespace: self.system_namespace,
            log_json: self.log_format == LogFormat::Json,
            insecure_registries: self.insecure_registries,
            registry_allow: self.registry_allow,
            allowed_frame_ancestors: self.allowed_frame_ancestors,
            session_lifetime: Duration::from_secs(self.session_hours.max(1) * 3_600),
            login_attempts_per_user: self.login_attempts_per_user,
            login_attempts_per_address: self.login_attempts_per_address,
            oidc,
            restore_window,
            purge_interval: Duration::from_secs(self.purge_interval_seconds.max(1)),
            deletion_stall: Duration::from_secs(self.deletion_stall_seconds),
            activity_limit: self.activity_limit,
            connections: ConnectionLimits {
                header_timeout: Duration::from_secs(self.header_timeout_seconds),
                max_connections: self.max_connections,
            },
            job_run_retention: self.job_run_retention,
        })
    }
}

/// `90`, `90s`, `30m`, `12h`, `7d`.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("“{value}” is not a duration like 90s, 30m, 12h or 7d"))?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "“{value}” is not a duration like 90s, 30m, 12h or 7d"
            ));
        }
    };
    number
        .checked_mul(factor)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("“{value}” is too long"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The embedded API has no authentication: it must never be reachable from
/// another machine.
fn parse_loopback(value: &str) -> Result<SocketAddr, String> {
    let addr: SocketAddr = value
        .parse()
        .map_err(|e| format!("not an address like 127.0.0.1:6443: {e}"))?;
    if addr.ip().is_loopback() {
        Ok(addr)
    } else {
        Err(format!(
            "{} is not a loopback address; the embedded API has no authentication, so it only listens on 127.0.0.1 or [::1]",
            addr.ip()
        ))
    }
}

/// `host[:port]` of a registry allowed over plain HTTP.
fn parse_insecure_registry(value: &str) -> Result<String, String> {
    let value = value.trim().to_ascii_lowercase();
    berth_shared::credentials::validate_registry_server(&value).map_err(|e| e.english())?;
    Ok(value)
}

/// An origin (`scheme://host[:port]`), written as browsers compare it: the
/// default port dropped, the host in lowercase.
fn parse_origin(value: &str) -> Result<String, String> {
    let url = url::Url::parse(value.trim())
        .map_err(|e| format!("“{value}” is not an origin like https://portal.example.com: {e}"))?;
    let bare = url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() || !bare {
        return Err(format!(
            "“{value}” is not an origin: write only the scheme, host and port, like https://portal.example.com"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

/// A namespace name is at most 63 characters and project names at most
/// [`berth_shared::names::PROJECT_NAME_MAX`], so the prefix gets the rest.
fn parse_prefix(value: &str) -> Result<String, String> {
    use berth_shared::names::{LABEL_MAX, PROJECT_NAME_MAX};
    let max = LABEL_MAX - PROJECT_NAME_MAX;
    if value.len() > max {
        return Err(format!("use at most {max} characters"));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || value.starts_with('-')
    {
        return Err("use lowercase letters, digits and hyphens, not starting with a hyphen".into());
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ancestors_are_bare_origins() {
        assert_eq!(
            parse_origin("https://Portal.Example.com").as_deref(),
            Ok("https://portal.example.com")
        );
        assert_eq!(
            parse_origin("https://portal.example.com:443/").as_deref(),
            Ok("https://portal.example.com")
        );
        assert_eq!(
            parse_origin("http://localhost:3000").as_deref(),
            Ok("http://localhost:3000")
        );
        for refused in [
            "*",
            "portal.example.com",
            "ftp://portal.example.com",
            "https://portal.example.com/console",
            "https://user@portal.example.com",
            "https://portal.example.com/?x=1",
            "https://portal.example.com; script-src *",
        ] {
            assert!(parse_origin(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn embedded_api_listens_on_loopback_only() {
        assert!(parse_loopback("127.0.0.1:0").is_ok());
        assert!(parse_loopback("[::1]:6443").is_ok());
        let refused = parse_loopback("0.0.0.0:6443").expect_err("refused");
        assert!(refused.contains("not a loopback address"), "{refused}");
        assert!(parse_loopback("192.168.1.5:6443").is_err());
        assert!(parse_loopback("nonsense").is_err());
    }

    #[test]
    fn namespace_prefix_leaves_room_for_project_names() {
        assert_eq!(parse_prefix("berth-").as_deref(), Ok("berth-"));
        assert_eq!(parse_prefix("").as_deref(), Ok(""));
        assert!(parse_prefix("Berth-").is_err());
        assert!(parse_prefix(&"a".repeat(24)).is_err());
        assert!(parse_prefix("-x").is_err());
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1_800)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("7 weeks").is_err());
        assert!(parse_duration("d").is_err());
    }

    #[test]
    fn restore_window_defaults_to_seven_days() {
        let cli = Cli::try_parse_from(["berth", "serve"]).expect("parses");
        let Command::Serve(args) = cli.command else {
            panic!("serve")
        };
        assert_eq!(
            args.restore_window().ok(),
            Some(Duration::from_secs(7 * 86_400))
        );
        let cli =
            Cli::try_parse_from(["berth", "serve", "--restore-window", "2s"]).expect("parses");
        let Command::Serve(args) = cli.command else {
            panic!("serve")
        };
        assert_eq!(args.restore_window().ok(), Some(Duration::from_secs(2)));
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn insecure_registries_are_host_port_and_repeatable() {
        let cli = Cli::try_parse_from([
            "berth",
            "serve",
            "--insecure-registry",
            "127.0.0.1:5000",
            "--insecure-registry",
            "Registry.Local:443,other.local",
        ])
        .expect("parses");
        let Command::Serve(args) = cli.command else {
            panic!("serve")
        };
        assert_eq!(
            args.insecure_registries,
            ["127.0.0.1:5000", "registry.local:443", "other.local"]
        );
        for bad in ["http://127.0.0.1:5000", "host/path", "host:0"] {
            assert!(
                Cli::try_parse_from(["berth", "serve", "--insecure-registry", bad]).is_err(),
                "{bad}"
            );
        }
    }
}
