//! RBAC's `PolicyRule`: whether a rule allows a request, and whether one
//! set of rules covers another (the escalation check), with Kubernetes'
//! wildcards (`*` verbs, groups, resources, `*/sub` resources, URL
//! prefixes ending in `*`) and `resourceNames`.

use serde_json::Value;

/// What one request asks to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Resource {
        verb: String,
        group: String,
        /// `resource` or `resource/subresource`.
        resource: String,
        namespace: String,
        /// Empty for collections and creates.
        name: String,
    },
    Path {
        verb: String,
        path: String,
    },
}

/// One `PolicyRule`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

fn has(list: &[String], wanted: &str) -> bool {
    list.iter().any(|s| s == "*" || s == wanted)
}

impl Rule {
    pub fn from_json(v: &Value) -> Self {
        Self {
            verbs: strings(v.get("verbs")),
            api_groups: strings(v.get("apiGroups")),
            resources: strings(v.get("resources")),
            resource_names: strings(v.get("resourceNames")),
            non_resource_urls: strings(v.get("nonResourceURLs")),
        }
    }

    /// The rules of a Role or ClusterRole object.
    pub fn all_of(role: &Value) -> Vec<Self> {
        role.get("rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(Self::from_json)
            .collect()
    }

    /// Whether this rule allows `req` (Kubernetes' `RuleAllows`).
    pub fn allows(&self, req: &Request) -> bool {
        match req {
            Request::Resource {
                verb,
                group,
                resource,
                name,
                ..
            } => {
                has(&self.verbs, verb)
                    && has(&self.api_groups, group)
                    && self.resources.iter().any(|r| resource_matches(r, resource))
                    && (self.resource_names.is_empty()
                        || (!name.is_empty() && self.resource_names.iter().any(|n| n == name)))
            }
            Request::Path { verb, path } => {
                has(&self.verbs, verb)
                    && self.non_resource_urls.iter().any(|u| url_matches(u, path))
            }
        }
    }

    /// The smallest pieces this rule grants: one verb on one resource of
    /// one group (and one name, if limited), or one verb on one URL.
    fn atoms(&self) -> Vec<Rule> {
        let one = |s: &String| vec![s.clone()];
        let mut out = Vec::new();
        for verb in &self.verbs {
            for url in &self.non_resource_urls {
                out.push(Rule {
                    verbs: one(verb),
                    non_resource_urls: one(url),
                    ..Rule::default()
                });
            }
            for group in &self.api_groups {
                for resource in &self.resources {
                    let base = Rule {
                        verbs: one(verb),
                        api_groups: one(group),
                        resources: one(resource),
                        ..Rule::default()
                    };
                    if self.resource_names.is_empty() {
                        out.push(base);
                    } else {
                        for name in &self.resource_names {
                            out.push(Rule {
                                resource_names: one(name),
                                ..base.clone()
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// Whether this rule grants everything the single-piece rule `atom` does.
    fn covers_atom(&self, atom: &Rule) -> bool {
        let covers_one = |owner: &[String], wanted: &[String]| {
            wanted
                .iter()
                .all(|w| owner.iter().any(|o| o == "*" || o == w))
        };
        if !covers_one(&self.verbs, &atom.verbs) {
            return false;
        }
        if !atom.non_resource_urls.is_empty() {
            return atom
                .non_resource_urls
                .iter()
                .all(|w| self.non_resource_urls.iter().any(|o| url_matches(o, w)));
        }
        covers_one(&self.api_groups, &atom.api_groups)
            && atom
                .resources
                .iter()
                .all(|w| self.resources.iter().any(|o| resource_matches(o, w)))
            && (self.resource_names.is_empty()
                || covers_one(&self.resource_names, &atom.resource_names)
                    && !atom.resource_names.is_empty())
    }
}

/// The rules of `wanted` that `owned` does not cover, piece by piece
/// (Kubernetes' `Covers`); empty when nothing would be escalated.
pub fn uncovered(owned: &[Rule], wanted: &[Rule]) -> Vec<Rule> {
    wanted
        .iter()
        .flat_map(Rule::atoms)
        .filter(|atom| !owned.iter().any(|o| o.covers_atom(atom)))
        .collect()
}

/// A rule's resource against a request's `resource[/subresource]` (or
/// against a resource another rule grants: the same test).
fn resource_matches(rule: &str, requested: &str) -> bool {
    if rule == "*" || rule == requested {
        return true;
    }
    match (rule.strip_prefix("*/"), requested.split_once('/')) {
        (Some(sub), Some((_, requested_sub))) => sub == requested_sub,
        _ => false,
    }
}

fn url_matches(rule: &str, path: &str) -> bool {
    rule == "*"
        || rule == path
        || rule
            .strip_suffix('*')
            .is_some_and(|prefix| path.starts_with(prefix))
}

/// A rule as Kubernetes prints it in an escalation refusal.
pub fn describe(rule: &Rule) -> String {
    let list = |l: &[String]| {
        l.iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut parts = Vec::new();
    if !rule.api_groups.is_empty() {
        parts.push(format!("APIGroups:[{}]", list(&rule.api_groups)));
    }
    if !rule.resources.is_empty() {
        parts.push(format!("Resources:[{}]", list(&rule.resources)));
    }
    if !rule.resource_names.is_empty() {
        parts.push(format!("ResourceNames:[{}]", list(&rule.resource_names)));
    }
    if !rule.non_resource_urls.is_empty() {
        parts.push(format!(
            "NonResourceURLs:[{}]",
            list(&rule.non_resource_urls)
        ));
    }
    parts.push(format!("Verbs:[{}]", list(&rule.verbs)));
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn get(group: &str, resource: &str, ns: &str, name: &str) -> Request {
        Request::Resource {
            verb: "get".into(),
            group: group.into(),
            resource: resource.into(),
            namespace: ns.into(),
            name: name.into(),
        }
    }

    #[test]
    fn rules_allow_with_wildcards_subresources_and_names() {
        let secrets = Rule::from_json(
            &json!({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}),
        );
        assert!(secrets.allows(&get("", "secrets", "a", "x")));
        assert!(!secrets.allows(&get("", "configmaps", "a", "x")));
        assert!(!secrets.allows(&get("apps", "secrets", "a", "x")));
        assert!(!secrets.allows(&get("", "secrets/status", "a", "x")));
        let any_status = Rule::from_json(
            &json!({"apiGroups": ["*"], "resources": ["*/status"], "verbs": ["*"]}),
        );
        assert!(any_status.allows(&get("x.dev", "things/status", "a", "n")));
        assert!(!any_status.allows(&get("x.dev", "things", "a", "n")));
        let named = Rule::from_json(
            &json!({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["one"]}),
        );
        assert!(named.allows(&get("", "secrets", "a", "one")));
        assert!(!named.allows(&get("", "secrets", "a", "two")));
        // A list has no name, so a named rule never allows it.
        assert!(!named.allows(&get("", "secrets", "a", "")));
        let urls =
            Rule::from_json(&json!({"nonResourceURLs": ["/version", "/apis/*"], "verbs": ["get"]}));
        let path = |p: &str| Request::Path {
            verb: "get".into(),
            path: p.into(),
        };
        assert!(urls.allows(&path("/version")));
        assert!(urls.allows(&path("/apis/batch/v1")));
        assert!(!urls.allows(&path("/api")));
        assert!(!urls.allows(&get("", "version", "", "")));
    }

    #[test]
    fn covering_is_piece_by_piece() {
        let owned = vec![
            Rule::from_json(
                &json!({"apiGroups": [""], "resources": ["secrets", "configmaps"], "verbs": ["get", "list"]}),
            ),
            Rule::from_json(
                &json!({"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["p"]}),
            ),
        ];
        let within = vec![Rule::from_json(
            &json!({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["a"]}),
        )];
        assert!(uncovered(&owned, &within).is_empty());
        let beyond = vec![Rule::from_json(
            &json!({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "delete"]}),
        )];
        let missing = uncovered(&owned, &beyond);
        assert_eq!(missing.len(), 1);
        assert_eq!(
            describe(&missing[0]),
            "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"delete\"]}"
        );
        // A named grant does not cover an unnamed one, nor a wildcard a literal one.
        let unnamed = vec![Rule::from_json(
            &json!({"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"]}),
        )];
        assert_eq!(uncovered(&owned, &unnamed).len(), 1);
        let wildcard = vec![Rule::from_json(
            &json!({"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}),
        )];
        assert_eq!(uncovered(&owned, &wildcard).len(), 1);
    }
}
