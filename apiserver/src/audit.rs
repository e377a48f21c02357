//! One debug line per resource request, in the words of Kubernetes RBAC
//! (verb, API group, resource), and who made it: Berth's own backend
//! (in-process) or a client of the loopback listener (kubectl, tests).
//!
//! The deploy-manifest test turns these lines into the set of permissions
//! Berth really uses and compares it with its ClusterRole, so the role is
//! checked against the code rather than against a hand-written list.

use axum::http::Method;

/// Tracing target of the lines, for `RUST_LOG=berth::embedded::audit=debug`.
pub const TARGET: &str = "berth::embedded::audit";

/// Who sent a request; requests through [`super::EmbeddedApiServer::client`]
/// carry [`Caller::Backend`] as an extension, the listener's carry none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Backend,
}

/// The RBAC verb of a request, `None` for a method no verb covers.
pub fn verb(method: &Method, collection: bool, watch: bool) -> Option<&'static str> {
    Some(match (method.as_str(), collection) {
        ("GET", true) if watch => "watch",
        ("GET", true) => "list",
        ("POST", true) => "create",
        ("DELETE", true) => "deletecollection",
        ("GET", false) => "get",
        ("PUT", false) => "update",
        ("PATCH", false) => "patch",
        ("DELETE", false) => "delete",
        _ => return None,
    })
}

fn caller_name(caller: Option<Caller>) -> &'static str {
    if caller == Some(Caller::Backend) {
        "backend"
    } else {
        "listener"
    }
}

/// Log one resource request.
pub fn record(
    caller: Option<Caller>,
    verb: &str,
    group: &str,
    resource: &str,
    subresource: Option<&str>,
    namespace: Option<&str>,
) {
    let resource = match subresource {
        Some(sub) => format!("{resource}/{sub}"),
        None => resource.to_owned(),
    };
    let caller = caller_name(caller);
    let namespace = namespace.unwrap_or("");
    tracing::debug!(target: TARGET, caller, verb, group, resource = %resource, namespace, "kubernetes request");
}

/// Log one request for a path that is not a resource (`/version`,
/// discovery): RBAC's `nonResourceURLs`.
pub fn record_path(caller: Option<Caller>, method: &Method, path: &str) {
    let caller = caller_name(caller);
    let verb = method.as_str().to_ascii_lowercase();
    tracing::debug!(target: TARGET, caller, verb = %verb, path, "kubernetes request");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_follow_rbac() {
        assert_eq!(verb(&Method::GET, true, true), Some("watch"));
        assert_eq!(verb(&Method::GET, true, false), Some("list"));
        assert_eq!(verb(&Method::GET, false, false), Some("get"));
        assert_eq!(verb(&Method::PUT, false, false), Some("update"));
        assert_eq!(verb(&Method::DELETE, true, false), Some("deletecollection"));
        assert_eq!(verb(&Method::PUT, true, false), None);
    }
}
