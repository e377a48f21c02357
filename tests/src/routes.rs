//! The routes of Berth's API, read from its source, so that a test that
//! must drive every route notices a new one.

use std::collections::BTreeSet;

use crate::workspace_root;

/// `(METHOD, path template)` of every route in backend/src/routes/mod.rs.
pub fn declared_routes() -> BTreeSet<(String, String)> {
    let source = std::fs::read_to_string(workspace_root().join("backend/src/routes/mod.rs"))
        .expect("routes source");
    let mut routes = BTreeSet::new();
    for chunk in source.split(".route(").skip(1) {
        let mut depth = 1usize;
        let end = chunk
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(chunk.len(), |(i, _)| i);
        let call = &chunk[..end];
        let Some(path) = call.split('"').nth(1) else {
            continue;
        };
        if !path.starts_with("/v1/") {
            continue;
        }
        for method in ["get", "post", "put", "patch", "delete"] {
            let used = call.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0
                    || !call.as_bytes()[i - 1].is_ascii_alphanumeric()
                        && call.as_bytes()[i - 1] != b'_'
            });
            if used {
                routes.insert((method.to_ascii_uppercase(), format!("/api{path}")));
            }
        }
    }
    assert!(routes.len() > 10, "routes found: {routes:?}");
    routes
}
