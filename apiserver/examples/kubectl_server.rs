//! The embedded API server on a loopback port, for kubectl:
//!
//! ```sh
//! cargo run -p berth-apiserver --example kubectl_server -- /tmp/berth-example 127.0.0.1:6443
//! kubectl --server http://127.0.0.1:6443 create namespace demo
//! kubectl --server http://127.0.0.1:6443 get namespaces
//! ```
//!
//! Arguments: the data directory (default: a new temporary one) and the
//! address (default `127.0.0.1:6443`). No authentication: loopback only.

use std::net::SocketAddr;
use std::path::PathBuf;

use berth_apiserver::EmbeddedApiServer;

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
    let server = EmbeddedApiServer::open(&data_dir, &[])?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!(
        "Serving the Kubernetes API of {} on http://{}",
        data_dir.display(),
        listener.local_addr()?
    );
    axum::serve(listener, server.router()).await?;
    Ok(())
}
