//! Serving the built console: caching, compression and the SPA fallback.

use berth_tests::{BerthProcess, StartOptions, http};
use reqwest::StatusCode;

const INDEX: &str =
    "<!doctype html><title>Berth</title><script type=module src=/app-0123456789abcdef.js></script>";
const SCRIPT: &str = "console.log('berth console');\n";

async fn start_with_dist() -> (BerthProcess, tempfile::TempDir) {
    let dist = tempfile::tempdir().expect("tmp");
    std::fs::write(dist.path().join("index.html"), INDEX).expect("index");
    std::fs::write(
        dist.path().join("app-0123456789abcdef.js"),
        SCRIPT.repeat(200),
    )
    .expect("js");
    // The split wasm: its parts name each other, so their folder is hashed.
    let console = dist.path().join("console-0123456789abcdef");
    std::fs::create_dir(&console).expect("console dir");
    std::fs::write(console.join("split_images.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
    let berth = BerthProcess::start_with(StartOptions {
        args: vec!["--static-dir".into(), dist.path().display().to_string()],
        ..Default::default()
    })
    .await
    .expect("start");
    (berth, dist)
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn index_is_revalidated_and_hashed_assets_are_immutable() {
    let (berth, _dist) = start_with_dist().await;
    let index = http().get(berth.at("/")).send().await.expect("index");
    assert_eq!(index.status(), StatusCode::OK);
    assert_eq!(header(&index, "cache-control"), "no-cache");
    assert!(header(&index, "content-type").starts_with("text/html"));

    let asset = http()
        .get(berth.at("/app-0123456789abcdef.js"))
        .send()
        .await
        .expect("asset");
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(
        header(&asset, "cache-control"),
        "public, max-age=31536000, immutable"
    );

    // A page's module, fetched when the page is first opened: immutable too,
    // and typed as wasm (the browser compiles it while it streams only then).
    let module = http()
        .get(berth.at("/console-0123456789abcdef/split_images.wasm"))
        .send()
        .await
        .expect("module");
    assert_eq!(module.status(), StatusCode::OK);
    assert_eq!(header(&module, "content-type"), "application/wasm");
    assert_eq!(
        header(&module, "cache-control"),
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn console_routes_get_the_app_and_missing_files_a_404() {
    let (berth, _dist) = start_with_dist().await;
    let route = http()
        .get(berth.at("/projects/shop"))
        .send()
        .await
        .expect("route");
    assert_eq!(route.status(), StatusCode::OK);
    assert_eq!(route.text().await.expect("body"), INDEX);

    let missing = http()
        .get(berth.at("/missing-file.js"))
        .send()
        .await
        .expect("missing");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn assets_are_compressed_for_browsers_that_accept_it() {
    let (berth, _dist) = start_with_dist().await;
    for encoding in ["br", "gzip"] {
        let response = http()
            .get(berth.at("/app-0123456789abcdef.js"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .expect("asset");
        assert_eq!(header(&response, "content-encoding"), encoding);
        let body = response.bytes().await.expect("body");
        assert!(body.len() < SCRIPT.len() * 200 / 4, "{encoding} compresses");
    }
}

#[tokio::test]
async fn precompressed_siblings_are_preferred() {
    let (berth, dist) = start_with_dist().await;
    // A marker body proves the .br file on disk was sent, not a fresh encoding.
    std::fs::write(
        dist.path().join("app-0123456789abcdef.js.br"),
        b"precompressed",
    )
    .expect("br");
    let response = http()
        .get(berth.at("/app-0123456789abcdef.js"))
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("asset");
    assert_eq!(header(&response, "content-encoding"), "br");
    assert_eq!(
        response.bytes().await.expect("body").as_ref(),
        b"precompressed"
    );
}

#[tokio::test]
async fn an_unbuilt_console_says_how_to_build_it() {
    let empty = tempfile::tempdir().expect("tmp");
    let berth = BerthProcess::start_with(StartOptions {
        args: vec!["--static-dir".into(), empty.path().display().to_string()],
        ..Default::default()
    })
    .await
    .expect("start");
    let response = http().get(berth.at("/")).send().await.expect("index");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.text().await.expect("body").contains("not built"));
}
