//! The built console: Trunk's `dist` folder.
//!
//! Hashed assets never change under their name, so browsers keep them for a
//! year; `index.html` names the current ones, so it is revalidated on every
//! load. Precompressed `.br`/`.gz` siblings are served when present, and the
//! compression layer covers the rest.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Serves files from `dir`; paths without a file extension are console
/// routes and get `index.html`.
pub fn service(dir: &Path) -> MethodRouter {
    let dir = dir.to_path_buf();
    axum::routing::get(move |request: Request| serve(dir.clone(), request))
}

async fn serve(dir: PathBuf, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    let is_file = last_segment.contains('.');
    let index = dir.join("index.html");

    let result = if is_file {
        ServeDir::new(&dir)
            .precompressed_br()
            .precompressed_gzip()
            .oneshot(request)
            .await
    } else {
        if !index.is_file() {
            return not_built(&dir);
        }
        ServeFile::new(&index)
            .precompressed_br()
            .precompressed_gzip()
            .oneshot(request)
            .await
    };
    let mut response = match result {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let policy = if is_file && is_hashed_asset(&path) {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// A developer started the server before building the console.
fn not_built(dir: &Path) -> Response {
    tracing::warn!(static_dir = %dir.display(), "no index.html: the console is not built");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "The console is not built: {} has no index.html. Build it with `scripts/build-frontend` or start Berth with `scripts/serve`.\n",
            dir.display()
        ),
    )
        .into_response()
}

/// Whether the file at `path` is named for its contents: Trunk names assets
/// `<name>-<hash>.<ext>`, and `scripts/build-frontend` puts the parts of the
/// split wasm, which name each other, in a folder `console-<hash>/`.
pub fn is_hashed_asset(path: &str) -> bool {
    path.split('/').any(is_hashed_name)
}

/// `<name>-<hash>` before the first dot (and before `_bg`), the hash being
/// hexadecimal.
fn is_hashed_name(segment: &str) -> bool {
    let stem = segment.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((name, hash)) => {
            !name.is_empty()
                && (8..=16).contains(&hash.len())
                && hash.chars().all(|c| c.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed_asset("berth-frontend-4f1c2a9d8e7b6a5c.js"));
        assert!(is_hashed_asset("berth-frontend-4f1c2a9d8e7b6a5c_bg.wasm"));
        assert!(is_hashed_asset("main-0123abcd.css"));
        assert!(!is_hashed_asset("index.html"));
        assert!(!is_hashed_asset("favicon.ico"));
        assert!(!is_hashed_asset("my-logo.svg"));
        assert!(is_hashed_asset(
            "/console-0123456789abcdef/split_images.wasm"
        ));
        assert!(is_hashed_asset("/console-0123456789abcdef/__wasm_split.js"));
        assert!(!is_hashed_asset("/console/split_images.wasm"));
        assert!(!is_hashed_asset("/boot.js"));
    }
}
