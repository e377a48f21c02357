//! What a change was, as a sentence a person reads: "Created image pointer
//! web", "Tried to delete registry credential hub". Built from the method,
//! the route template and its parameters, and for a create from the new
//! object's address (`Location`): never from a request body, which may
//! hold a secret.

use std::collections::HashMap;

use berth_shared::inventory::kind_label;

use crate::kinds::{self, Kind};

/// A change that one request made (or tried to make).
pub struct Change<'a> {
    pub method: &'a str,
    /// The route template after `/v1/projects/{project}`: `""`,
    /// `"/images/{name}"`, `"/inventory/{kind}/{name}"`, ...
    pub route: &'a str,
    pub params: &'a HashMap<String, String>,
    /// The `Location` of a created object.
    pub location: Option<&'a str>,
    pub succeeded: bool,
}

/// The sentence for `change`.
pub fn describe(change: &Change<'_>) -> String {
    let param = |key: &str| change.params.get(key).map_or("", String::as_str);
    let segments: Vec<&str> = change.route.split('/').skip(1).collect();
    let kind = segments.first().and_then(|s| kinds::by_segment(s));
    // (past tense, infinitive, object)
    let fallback = || format!("{} {}", change.method, change.route);
    let (done, to_do, object) = match (change.method, segments.as_slice(), kind) {
        ("DELETE", [], _) => ("Deleted", "delete", "the project".to_owned()),
        ("POST", ["restore"], _) => ("Restored", "restore", "the project".to_owned()),
        ("PUT", ["members"], _) => ("Changed", "change", "the members".to_owned()),
        ("DELETE", ["inventory", _, _], _) if param("kind") == super::KIND => {
            ("Cleared", "clear", "the activity log".to_owned())
        }
        ("DELETE", ["inventory", _, _], _) => (
            "Deleted",
            "delete",
            format!(
                "{} {}",
                kind_label(param("kind")).0.to_lowercase(),
                param("name")
            ),
        ),
        ("POST", [_], Some(Kind { noun, article, .. })) => {
            let created = change
                .location
                .and_then(|l| l.rsplit('/').next())
                .filter(|n| !n.is_empty());
            let object = match created {
                Some(name) => format!("{noun} {name}"),
                None => format!("{article} {noun}"),
            };
            ("Created", "create", object)
        }
        ("PUT", [_, _], Some(kind)) => ("Changed", "change", kind.one(param("name"))),
        ("DELETE", [_, _], Some(kind)) => ("Deleted", "delete", kind.one(param("name"))),
        (method, [_, _, action], Some(kind)) => match kind.action(method, action) {
            Some(a) => {
                let mut object = kind.one(param("name")) + a.detail;
                // An action that made an object (a run) names it.
                if let Some(made) = change.location.and_then(made_object) {
                    object = format!("{object} as {made}");
                }
                (a.done, a.to_do, object)
            }
            None => return fallback(),
        },
        _ => return fallback(),
    };
    if change.succeeded {
        format!("{done} {object}")
    } else {
        format!("Tried to {to_do} {object}")
    }
}

/// "job run nightly-run-x7k2p" for `/api/v1/projects/p/job-runs/nightly-run-x7k2p`.
fn made_object(location: &str) -> Option<String> {
    let mut parts = location.rsplit('/');
    let name = parts.next().filter(|n| !n.is_empty())?;
    let kind = parts.next().and_then(kinds::by_segment)?;
    Some(kind.one(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn say(method: &str, route: &str, params: &[(&str, &str)], location: Option<&str>) -> String {
        let params = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        describe(&Change {
            method,
            route,
            params: &params,
            location,
            succeeded: true,
        })
    }

    #[test]
    fn changes_read_as_sentences() {
        assert_eq!(
            say(
                "POST",
                "/images",
                &[],
                Some("/api/v1/projects/shop/images/web")
            ),
            "Created image pointer web"
        );
        assert_eq!(
            say(
                "DELETE",
                "/registry-credentials/{name}",
                &[("name", "hub")],
                None
            ),
            "Deleted registry credential hub"
        );
        assert_eq!(
            say("PUT", "/job-templates/{name}", &[("name", "nightly")], None),
            "Changed job template nightly"
        );
        assert_eq!(say("PUT", "/members", &[], None), "Changed the members");
        assert_eq!(say("POST", "/restore", &[], None), "Restored the project");
        assert_eq!(say("DELETE", "", &[], None), "Deleted the project");
        assert_eq!(
            say(
                "DELETE",
                "/inventory/{kind}/{name}",
                &[("kind", "job-template-env"), ("name", "n-env")],
                None
            ),
            "Deleted job template secret settings n-env"
        );
        assert_eq!(
            say(
                "DELETE",
                "/inventory/{kind}/{name}",
                &[("kind", KIND_FOR_TEST), ("name", "berth-activity")],
                None
            ),
            "Cleared the activity log"
        );
        assert_eq!(
            say("POST", "/images/{name}/verify", &[("name", "web")], None),
            "Checked image pointer web with its registry"
        );
        assert_eq!(
            say(
                "POST",
                "/job-templates/{name}/runs",
                &[("name", "nightly")],
                Some("/api/v1/projects/shop/job-runs/nightly-run-x7k2p")
            ),
            "Ran job template nightly as job run nightly-run-x7k2p"
        );
    }

    const KIND_FOR_TEST: &str = super::super::KIND;

    /// Method, route, path after the project, `Location`, parameters.
    type Case<'a> = (
        &'a str,
        String,
        String,
        Option<String>,
        &'a HashMap<String, String>,
    );

    /// The shared rules derive the same sentence, as a code the console
    /// translates, from what an entry keeps (`ActivityEntry::what`).
    #[test]
    fn every_sentence_has_its_code() {
        use berth_shared::activity::{ActivityEntry, Outcome};

        let name = HashMap::from([("name".to_owned(), "web".to_owned())]);
        let mut checked = 0;
        for succeeded in [true, false] {
            let status = if succeeded { 200 } else { 403 };
            let mut cases: Vec<Case<'_>> = Vec::new();
            let none = HashMap::new();
            cases.push(("DELETE", String::new(), String::new(), None, &none));
            cases.push(("POST", "/restore".into(), "/restore".into(), None, &none));
            cases.push(("PUT", "/members".into(), "/members".into(), None, &none));
            for kind in kinds::ALL {
                let seg = kind.segment;
                if seg != kinds::JOB_RUNS.segment {
                    let made = format!("/api/v1/projects/shop/{seg}/made");
                    cases.push((
                        "POST",
                        format!("/{seg}"),
                        format!("/{seg}"),
                        Some(made),
                        &none,
                    ));
                    cases.push(("POST", format!("/{seg}"), format!("/{seg}"), None, &none));
                    let one = format!("/{seg}/{{name}}");
                    cases.push(("PUT", one, format!("/{seg}/web"), None, &name));
                }
                let one = format!("/{seg}/{{name}}");
                cases.push(("DELETE", one, format!("/{seg}/web"), None, &name));
                for a in kind.actions {
                    let route = format!("/{seg}/{{name}}/{}", a.segment);
                    let path = format!("/{seg}/web/{}", a.segment);
                    let run = Some("/api/v1/projects/shop/job-runs/web-run-x".to_owned());
                    // Only the actions that make a run answer with its address.
                    if matches!(a.segment, "runs" | "rerun-failed") {
                        cases.push((a.method, route.clone(), path.clone(), run, &name));
                    }
                    cases.push((a.method, route, path, None, &name));
                }
            }
            for (method, route, path, location, params) in cases {
                // Only a change that was done answers with an address.
                let location = location.filter(|_| succeeded);
                let action = describe(&Change {
                    method,
                    route: &route,
                    params,
                    location: location.as_deref(),
                    succeeded,
                });
                let entry = ActivityEntry {
                    at: String::new(),
                    user: "ann".into(),
                    action: action.clone(),
                    method: method.into(),
                    path: format!("/api/v1/projects/shop{path}"),
                    from: String::new(),
                    status,
                    outcome: Outcome::of_status(status),
                    what: None,
                };
                let what = entry
                    .message()
                    .unwrap_or_else(|| panic!("{action}: no code"));
                assert_eq!(what.english(), action);
                checked += 1;
            }
        }
        assert!(checked > 40, "{checked}");
    }

    #[test]
    fn refused_changes_say_what_was_tried() {
        let params = HashMap::new();
        let refused = describe(&Change {
            method: "POST",
            route: "/registry-credentials",
            params: &params,
            location: None,
            succeeded: false,
        });
        assert_eq!(refused, "Tried to create a registry credential");
    }
}
