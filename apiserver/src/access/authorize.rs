//! Authorizing a service account's request by RBAC, refused with the
//! `Forbidden` Status Kubernetes sends, in its words; and the escalation
//! rule for writing roles and bindings: a role may hold only what its
//! writer holds (or the writer may `escalate` it), a binding may grant only
//! a role whose rules its writer holds (or the writer may `bind` it).

use serde_json::Value;

use crate::rbac::rules::{Request, Rule, describe, uncovered};
use crate::rbac::{self, User};
use crate::resource::{GroupResource, RBAC_GROUP};
use crate::status::ApiError;
use crate::store::State;

/// A resource request as RBAC sees it.
#[derive(Debug, Clone)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: Option<String>,
    /// Empty for cluster-scoped requests and lists across namespaces.
    pub namespace: String,
    /// Empty for collections and creates.
    pub name: String,
}

impl Attributes {
    fn request(&self) -> Request {
        let resource = match &self.subresource {
            Some(sub) => format!("{}/{sub}", self.resource),
            None => self.resource.clone(),
        };
        Request::Resource {
            verb: self.verb.clone(),
            group: self.group.clone(),
            resource,
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }
}

/// Allowed, or 403: `secrets "x" is forbidden: User "…" cannot get resource
/// "secrets" in API group "" in the namespace "ns"`.
pub fn resource(state: &State, user: &User, a: &Attributes) -> Result<(), ApiError> {
    let req = a.request();
    if rbac::allowed(state, user, &req) {
        return Ok(());
    }
    let Request::Resource { resource, .. } = &req else {
        unreachable!("a resource request")
    };
    let scope = if a.namespace.is_empty() {
        "at the cluster scope".to_owned()
    } else {
        format!("in the namespace {:?}", a.namespace)
    };
    Err(ApiError::Forbidden {
        gr: GroupResource::new(a.group.clone(), a.resource.clone()),
        name: a.name.clone(),
        message: format!(
            "User {:?} cannot {} resource {resource:?} in API group {:?} {scope}",
            user.name, a.verb, a.group
        ),
        causes: vec![],
    })
}

/// Allowed, or 403 `forbidden: User "…" cannot get path "/x"`.
pub fn path(state: &State, user: &User, verb: &str, path: &str) -> Result<(), ApiError> {
    let req = Request::Path {
        verb: verb.to_owned(),
        path: path.to_owned(),
    };
    if rbac::allowed(state, user, &req) {
        return Ok(());
    }
    Err(ApiError::Denied(format!(
        "forbidden: User {:?} cannot {verb} path {path:?}",
        user.name
    )))
}

fn may(
    state: &State,
    user: &User,
    verb: &str,
    resource: &str,
    namespace: &str,
    name: &str,
) -> bool {
    rbac::allowed(
        state,
        user,
        &Request::Resource {
            verb: verb.into(),
            group: RBAC_GROUP.into(),
            resource: resource.into(),
            namespace: namespace.into(),
            name: name.into(),
        },
    )
}

fn escalation(user: &User, plural: &str, name: &str, missing: &[Rule]) -> ApiError {
    let groups: Vec<String> = user.groups.iter().map(|g| format!("{g:?}")).collect();
    let rules: Vec<String> = missing.iter().map(describe).collect();
    ApiError::Forbidden {
        gr: GroupResource::new(RBAC_GROUP, plural),
        name: name.to_owned(),
        message: format!(
            "user {:?} (groups=[{}]) is attempting to grant RBAC permissions not currently held:\n{}",
            user.name,
            groups.join(" "),
            rules.join("\n")
        ),
        causes: vec![],
    }
}

/// The escalation check for writing the RBAC object `obj` (`plural` in
/// `namespace`, "" for cluster-scoped). `obj` is the object as it will be
/// stored; for a patch of a role (whose result is not known yet) it is
/// None, and only the `escalate` permission allows it.
pub fn grant(
    state: &State,
    user: &User,
    plural: &str,
    namespace: &str,
    name: &str,
    obj: Option<&Value>,
) -> Result<(), ApiError> {
    match plural {
        "roles" | "clusterroles" => {
            if may(state, user, "escalate", plural, namespace, name) {
                return Ok(());
            }
            let wanted = obj.map(Rule::all_of);
            let missing = match &wanted {
                Some(wanted) => uncovered(&rbac::rules_for(state, user, namespace), wanted),
                None => vec![Rule {
                    verbs: vec!["escalate".into()],
                    api_groups: vec![RBAC_GROUP.into()],
                    resources: vec![plural.into()],
                    resource_names: vec![name.into()],
                    ..Rule::default()
                }],
            };
            if missing.is_empty() {
                Ok(())
            } else {
                Err(escalation(user, plural, name, &missing))
            }
        }
        "rolebindings" | "clusterrolebindings" => {
            let Some(obj) = obj else {
                return Ok(());
            };
            let text = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or("");
            let (kind, role) = (text("/roleRef/kind"), text("/roleRef/name"));
            let role_resource = if kind == "Role" {
                "roles"
            } else {
                "clusterroles"
            };
            if may(state, user, "bind", role_resource, namespace, role) {
                return Ok(());
            }
            let Some(rules) = rbac::role_rules(state, kind, role, namespace) else {
                return Err(ApiError::Forbidden {
                    gr: GroupResource::new(RBAC_GROUP, plural),
                    name: name.to_owned(),
                    message: format!(
                        "{}.{RBAC_GROUP} {role:?} not found",
                        kind.to_ascii_lowercase()
                    ),
                    causes: vec![],
                });
            };
            let missing = uncovered(&rbac::rules_for(state, user, namespace), &rules);
            if missing.is_empty() {
                Ok(())
            } else {
                Err(escalation(user, plural, name, &missing))
            }
        }
        _ => Ok(()),
    }
}
