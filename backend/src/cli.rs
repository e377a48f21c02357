//! Command-line interface: `berth serve` and, later, a small CLI over the API.
//!
//! Every flag of `serve` is also a `BERTH_*` environment variable, so the same
//! binary is configured the same way on a laptop and in a container.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    Serve(ServeArgs),
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

    /// Use the Kubernetes cluster of this kubeconfig instead of the embedded
    /// API server.
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
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
