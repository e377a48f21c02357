//! Validation of ServiceAccounts and the RBAC kinds, with Kubernetes'
//! field paths and wording (the fields the authorizer relies on).

use serde_json::Value;

use crate::resource::{RBAC_GROUP, ResourceType};
use crate::status::{FieldError, FieldErrorKind};

fn not_supported(field: &str, value: &str, allowed: &[&str]) -> FieldError {
    let allowed: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
    FieldError {
        kind: FieldErrorKind::NotSupported,
        field: field.into(),
        value: Some(format!("{value:?}")),
        detail: format!("supported values: {}", allowed.join(", ")),
    }
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// Errors of a ServiceAccount, Role, ClusterRole or binding (`old`: the
/// stored version an update replaces).
pub fn errors(rt: &ResourceType, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
    match rt.plural.as_str() {
        "roles" | "clusterroles" => rule_errors(obj, rt.namespaced),
        "rolebindings" | "clusterrolebindings" => binding_errors(obj, old, rt.namespaced),
        _ => Vec::new(),
    }
}

fn rule_errors(obj: &Value, namespaced: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let rules = obj.get("rules").and_then(Value::as_array);
    for (i, rule) in rules.into_iter().flatten().enumerate() {
        let len = |k: &str| rule.get(k).and_then(Value::as_array).map_or(0, Vec::len);
        if len("verbs") == 0 {
            errs.push(FieldError::required(
                format!("rules[{i}].verbs"),
                "verbs must contain at least one value",
            ));
        }
        if len("nonResourceURLs") > 0 {
            if namespaced {
                errs.push(FieldError::invalid_raw(
                    format!("rules[{i}].nonResourceURLs"),
                    format!("{}", rule["nonResourceURLs"]),
                    "namespaced rules cannot apply to non-resource URLs",
                ));
            }
            if len("apiGroups") > 0 || len("resources") > 0 {
                errs.push(FieldError::invalid_raw(
                    format!("rules[{i}].nonResourceURLs"),
                    format!("{}", rule["nonResourceURLs"]),
                    "rules cannot apply to both regular resources and non-resource URLs",
                ));
            }
        } else {
            if len("apiGroups") == 0 {
                errs.push(FieldError::required(
                    format!("rules[{i}].apiGroups"),
                    "resource rules must supply at least one api group",
                ));
            }
            if len("resources") == 0 {
                errs.push(FieldError::required(
                    format!("rules[{i}].resources"),
                    "resource rules must supply at least one resource",
                ));
            }
        }
    }
    errs
}

fn binding_errors(obj: &Value, old: Option<&Value>, namespaced: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let group = text(obj, "/roleRef/apiGroup");
    if group != RBAC_GROUP {
        errs.push(not_supported("roleRef.apiGroup", group, &[RBAC_GROUP]));
    }
    let kinds: &[&str] = if namespaced {
        &["Role", "ClusterRole"]
    } else {
        &["ClusterRole"]
    };
    let kind = text(obj, "/roleRef/kind");
    if !kinds.contains(&kind) {
        errs.push(not_supported("roleRef.kind", kind, kinds));
    }
    if text(obj, "/roleRef/name").is_empty() {
        errs.push(FieldError::required("roleRef.name", ""));
    }
    let subjects = obj.get("subjects").and_then(Value::as_array);
    for (i, s) in subjects.into_iter().flatten().enumerate() {
        if text(s, "/name").is_empty() {
            errs.push(FieldError::required(format!("subjects[{i}].name"), ""));
        }
        let kind = text(s, "/kind");
        match kind {
            "ServiceAccount" => {
                if !namespaced && text(s, "/namespace").is_empty() {
                    errs.push(FieldError::required(format!("subjects[{i}].namespace"), ""));
                }
            }
            "User" | "Group" => {}
            _ => errs.push(not_supported(
                &format!("subjects[{i}].kind"),
                kind,
                &["ServiceAccount", "User", "Group"],
            )),
        }
    }
    if let Some(old) = old
        && old.get("roleRef") != obj.get("roleRef")
    {
        errs.push(FieldError::invalid_raw(
            "roleRef",
            format!("{}", obj.get("roleRef").unwrap_or(&Value::Null)),
            "cannot change roleRef",
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::builtin;
    use serde_json::json;

    #[test]
    fn bindings_need_a_role_and_keep_it() {
        let rt = builtin(RBAC_GROUP, "v1", "rolebindings").expect("rolebindings");
        let good = json!({"roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "p"},
                          "subjects": [{"kind": "ServiceAccount", "name": "b", "namespace": "s"}]});
        assert!(errors(&rt, &good, None).is_empty());
        let bad =
            json!({"roleRef": {"apiGroup": "x", "kind": "Thing"}, "subjects": [{"kind": "Robot"}]});
        let fields: Vec<String> = errors(&rt, &bad, None)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "roleRef.apiGroup",
                "roleRef.kind",
                "roleRef.name",
                "subjects[0].name",
                "subjects[0].kind"
            ]
        );
        let mut changed = good.clone();
        changed["roleRef"]["name"] = json!("other");
        let errs = errors(&rt, &changed, Some(&good));
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].to_string().ends_with("cannot change roleRef"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn roles_rules_are_checked() {
        let rt = builtin(RBAC_GROUP, "v1", "roles").expect("roles");
        let role = json!({"rules": [{"nonResourceURLs": ["/x"], "verbs": ["get"]}, {"verbs": []}]});
        let fields: Vec<String> = errors(&rt, &role, None)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "rules[0].nonResourceURLs",
                "rules[1].verbs",
                "rules[1].apiGroups",
                "rules[1].resources"
            ]
        );
    }
}
