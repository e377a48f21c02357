//! The embedded API server on a loopback port, for kubectl:
//!
//! ```sh
//! cargo run -p berth-apiserver --example kubectl_server -- /tmp/berth-example 127.0.0.1:6443
//! kubectl --server http://127.0.0.1:6443 create job hello --image=busybox -- echo hello
//! kubectl --server http://127.0.0.1:6443 get jobs,pods
//! ```
//!
//! Arguments: the data directory (default: a new temporary one) and the
//! address (default `127.0.0.1:6443`). Pods run with podman or docker from
//! `PATH` when there is one. No authentication: loopback only, and only
//! requests addressed to `localhost` or a loopback IP.

use std::net::SocketAddr;
use std::path::PathBuf;

use berth_apiserver::{ContainerEngine, EmbeddedApiServer, ListenerAccess, RunOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let temp;
    let data_dir = match args.next() {
        Some(d) => PathBuf::from(d),
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let addr: SocketAddr = args.next().as_deref().unwrap_or("127.0.0.1:6443").parse()?;
    if !addr.ip().is_loopback() {
        return Err("the example serves without authentication: give a loopback address".into());
    }
    let run = RunOptions {
        engine: ContainerEngine::find_on_path(),
        ..RunOptions::default()
    };
    let server = EmbeddedApiServer::open_with(&data_dir, &[], run)?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!(
        "Serving the Kubernetes API of {} on http://{}",
        data_dir.display(),
        listener.local_addr()?
    );
    // Requests addressed to other names than loopback ones get 403 (DNS rebinding).
    axum::serve(listener, server.listener_router(ListenerAccess::open())).await?;
    Ok(())
}
