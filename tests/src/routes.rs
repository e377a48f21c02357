//! The routes of Berth's API, read from its source, so that a test that
//! must drive every route notices a new one.

use std::collections::BTreeSet;

use crate::workspace_root;

/// `(METHOD, path template)` of every route a handler in
/// backend/src/routes/ describes with `#[utoipa::path(…)]` (the router
/// registers each handler with its description, so this is every route but
/// the per-kind data routes, which are described from their kind).
pub fn declared_routes() -> BTreeSet<(String, String)> {
    let dir = workspace_root().join("backend/src/routes");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("routes folder") {
        let path = entry.expect("routes entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("routes source");
        for chunk in source.split("#[utoipa::path(").skip(1) {
            let method = chunk
                .trim_start()
                .split(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            let Some(route) = chunk
                .split_once("path = \"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(route, _)| route)
            else {
                continue;
            };
            if route.starts_with("/v1/") {
                routes.insert((method, format!("/api{route}")));
            }
        }
    }
    assert!(routes.len() > 10, "routes found: {routes:?}");
    routes
}
