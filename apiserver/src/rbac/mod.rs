//! Kubernetes RBAC over the stored Roles, ClusterRoles and their bindings
//! (`rbac.authorization.k8s.io/v1`): which rules apply to a user where.
//!
//! [`rules`] decides what one rule allows and covers; this module finds the
//! rules: every ClusterRoleBinding's role, plus, inside a namespace, its
//! RoleBindings' (of a Role there or of a ClusterRole), plus the rules
//! every authenticated user holds on a cluster (discovery, `/version`,
//! health), which Kubernetes grants by its bootstrap bindings.

pub mod rules;
pub mod validation;

use serde_json::Value;

use self::rules::{Request, Rule};
use crate::resource::{GroupResource, RBAC_GROUP};
use crate::store::State;

/// Who asks: a user name and groups, as Kubernetes' `user.Info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
}

impl User {
    /// A service account's user, with the groups Kubernetes gives it.
    pub fn service_account(namespace: &str, name: &str) -> Self {
        Self {
            name: format!("system:serviceaccount:{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{namespace}"),
                "system:authenticated".into(),
            ],
        }
    }
}

fn rbac(resource: &str) -> GroupResource {
    GroupResource::new(RBAC_GROUP, resource)
}

/// What `system:discovery` and `system:public-info-viewer` grant every
/// authenticated user on a Kubernetes cluster.
fn bootstrap_rules() -> Vec<Rule> {
    let urls = [
        "/api",
        "/api/*",
        "/apis",
        "/apis/*",
        "/healthz",
        "/livez",
        "/openapi",
        "/openapi/*",
        "/readyz",
        "/version",
        "/version/",
    ];
    vec![Rule {
        verbs: vec!["get".into()],
        non_resource_urls: urls.iter().map(|u| (*u).to_owned()).collect(),
        ..Rule::default()
    }]
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// Whether a binding in `binding_namespace` ("" for a ClusterRoleBinding)
/// names `user` among its subjects.
fn binds(binding: &Value, user: &User, binding_namespace: &str) -> bool {
    let subjects = binding.get("subjects").and_then(Value::as_array);
    subjects.into_iter().flatten().any(|s| {
        let name = text(s, "/name");
        match text(s, "/kind") {
            "User" => name == user.name,
            "Group" => user.groups.iter().any(|g| g == name),
            "ServiceAccount" => {
                let ns = match text(s, "/namespace") {
                    "" => binding_namespace,
                    ns => ns,
                };
                user.name == format!("system:serviceaccount:{ns}:{name}")
            }
            _ => false,
        }
    })
}

/// The rules of the role a `roleRef` names (`Role` in `namespace`, or a
/// `ClusterRole`); None when it does not exist.
pub fn role_rules(state: &State, kind: &str, name: &str, namespace: &str) -> Option<Vec<Rule>> {
    let role = match kind {
        "ClusterRole" => state.get(&rbac("clusterroles"), "", name),
        "Role" if !namespace.is_empty() => state.get(&rbac("roles"), namespace, name),
        _ => None,
    }?;
    Some(Rule::all_of(&role.value))
}

fn bound_rules(state: &State, binding: &Value, namespace: &str) -> Vec<Rule> {
    role_rules(
        state,
        text(binding, "/roleRef/kind"),
        text(binding, "/roleRef/name"),
        namespace,
    )
    .unwrap_or_default()
}

/// Every rule that applies to `user` in `namespace` ("": cluster wide,
/// where only ClusterRoleBindings count).
pub fn rules_for(state: &State, user: &User, namespace: &str) -> Vec<Rule> {
    let mut out = bootstrap_rules();
    for (_, b) in state.range(&rbac("clusterrolebindings"), None, None) {
        if binds(&b.value, user, "") {
            out.extend(bound_rules(state, &b.value, ""));
        }
    }
    if !namespace.is_empty() {
        for (_, b) in state.range(&rbac("rolebindings"), Some(namespace), None) {
            if binds(&b.value, user, namespace) {
                out.extend(bound_rules(state, &b.value, namespace));
            }
        }
    }
    out
}

/// Whether `user` may do `req`.
pub fn allowed(state: &State, user: &User, req: &Request) -> bool {
    let namespace = match req {
        Request::Resource { namespace, .. } => namespace.as_str(),
        Request::Path { .. } => "",
    };
    rules_for(state, user, namespace)
        .iter()
        .any(|r| r.allows(req))
}
