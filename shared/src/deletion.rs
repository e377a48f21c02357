//! Deleting a project: the modes, and the events of
//! `GET /api/v1/projects/{project}/deletion` (server-sent events).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::message;
use crate::message::Message;

/// SSE event names.
pub const EVENT_PROGRESS: &str = "progress";
pub const EVENT_STALLED: &str = "stalled";
pub const EVENT_DELETED: &str = "deleted";
/// The project was deleted with a restore window: nothing more will happen
/// until it is restored or its window ends.
pub const EVENT_SOFT_DELETED: &str = "soft-deleted";

/// A Kubernetes namespace condition, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub message: String,
}

/// The `progress` event: what is left of a project being deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeletionProgress {
    pub project: String,
    pub namespace: String,
    /// `Active` (deletion not started yet), `Terminating`.
    pub phase: String,
    /// Objects left, by Kubernetes resource (`secrets`,
    /// `imagepointers.berth.dev`); empty when nothing is left.
    pub remaining: BTreeMap<String, usize>,
    /// The namespace's conditions that are true (what still holds it).
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

/// An object that holds a deletion: it has finalizers nobody removes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Blocker {
    /// Kubernetes resource, e.g. `configmaps` or `imagepointers.berth.dev`.
    pub resource: String,
    pub name: String,
    pub finalizers: Vec<String>,
}

/// The `stalled` event: no progress for a while, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeletionStalled {
    pub project: String,
    pub namespace: String,
    /// Seconds without progress.
    pub stalled_for_seconds: u64,
    /// `finalizers` (objects wait for finalizers) or `objects` (objects
    /// remain without finalizers) or `namespace` (the namespace's own
    /// finalizers).
    pub blocked_by: String,
    pub blockers: Vec<Blocker>,
    /// One sentence for the person.
    pub message: String,
    /// What an administrator can do.
    pub advice: String,
    /// `message` and `advice` as codes and their parameters
    /// (`message::TEMPLATES`), so the console can say them in the
    /// reader's language; absent from servers that predate them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_code: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub message_params: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice_code: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub advice_params: BTreeMap<String, String>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

/// The `deleted` and `soft-deleted` events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeletionDone {
    pub project: String,
    /// For `soft-deleted`: RFC 3339 time the project is deleted for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purge_after: Option<String>,
}

/// Why a deletion is stuck: what blocks it (`finalizers`, `objects` or
/// `namespace`, as in [`DeletionStalled::blocked_by`]), one sentence for
/// the person and what an administrator can do. `blockers` are the objects
/// waiting for finalizers, `objects_left` whether any object remains, and
/// `namespace_finalizers` the namespace's own.
pub fn stalled_words(
    project: &str,
    namespace: &str,
    blockers: &[Blocker],
    objects_left: bool,
    namespace_finalizers: &[String],
) -> (&'static str, Message, Message) {
    if let Some(first) = blockers.first() {
        let message = if let [only] = blockers {
            message!("deletion.stalled.finalizers")
                .with("resource", &only.resource)
                .with("name", &only.name)
                .with("finalizers", only.finalizers.join(", "))
        } else {
            let objects: Vec<String> = blockers
                .iter()
                .map(|b| {
                    // Names only, no words: the sentence around them is
                    // translated, the list is not.
                    format!("{} {} ({})", b.resource, b.name, b.finalizers.join(", "))
                })
                .collect();
            message!("deletion.stalled.finalizers.many").with("objects", objects.join("; "))
        };
        let advice = message!("deletion.advice.finalizers")
            .with("resource", &first.resource)
            .with("name", &first.name)
            .with("namespace", namespace)
            .with("patch", r#"{"metadata":{"finalizers":null}}"#);
        ("finalizers", message.with("project", project), advice)
    } else if objects_left {
        (
            "objects",
            message!("deletion.stalled.objects").with("project", project),
            message!("deletion.advice.objects").with("namespace", namespace),
        )
    } else {
        let advice = if namespace_finalizers.is_empty() {
            message!("deletion.advice.namespace.none")
        } else {
            message!("deletion.advice.namespace")
                .with("finalizers", namespace_finalizers.join(", "))
        };
        (
            "namespace",
            message!("deletion.stalled.namespace").with("project", project),
            advice.with("namespace", namespace),
        )
    }
}

/// "Deleted project shop": what the console and the CLI say at the end.
pub fn deleted_message(project: &str) -> String {
    format!("Deleted project {project}")
}

/// A restore window in words: "7 days", "1 day", "12 hours", "90 seconds".
pub fn window_phrase(seconds: u64) -> String {
    let (n, unit) = if seconds >= 86_400 && seconds.is_multiple_of(86_400) {
        (seconds / 86_400, "day")
    } else if seconds >= 3_600 && seconds.is_multiple_of(3_600) {
        (seconds / 3_600, "hour")
    } else if seconds >= 60 && seconds.is_multiple_of(60) {
        (seconds / 60, "minute")
    } else {
        (seconds, "second")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// What is left of a project being deleted, in people's words: "1 image,
/// 2 registry credentials or secret settings and the activity log";
/// "nothing" when empty.
pub fn remaining_phrase(remaining: &BTreeMap<String, usize>) -> String {
    let mut parts: Vec<String> = remaining
        .iter()
        .map(|(resource, n)| resource_phrase(resource, *n))
        .collect();
    match parts.pop() {
        None => "nothing".to_owned(),
        Some(last) if parts.is_empty() => last,
        Some(last) => format!("{} and {last}", parts.join(", ")),
    }
}

/// "3 registry credentials or secret settings", "1 image": a count of one
/// kind of stored object, named for what it is to the person, not by its
/// Kubernetes resource.
pub fn resource_phrase(resource: &str, count: usize) -> String {
    let (one, many) = match resource {
        "secrets" => (
            "registry credential or secret setting",
            "registry credentials or secret settings",
        ),
        // The activity log, and anything else kept as a record.
        "configmaps" if count == 1 => return "the activity log".to_owned(),
        "configmaps" => ("record", "records (the activity log and others)"),
        "imagepointers.berth.dev" => ("image", "images"),
        "jobtemplates.berth.dev" => ("job template", "job templates"),
        "jobs.batch" => ("job run", "job runs"),
        "pods" => ("running job instance", "running job instances"),
        _ => ("other item", "other items"),
    };
    let words = if count == 1 { one } else { many };
    format!("{count} {words}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_final_words() {
        assert_eq!(deleted_message("myproject"), "Deleted project myproject");
        assert_eq!(window_phrase(7 * 86_400), "7 days");
        assert_eq!(window_phrase(86_400), "1 day");
        assert_eq!(window_phrase(7_200), "2 hours");
        assert_eq!(window_phrase(90), "90 seconds");
        let remaining = BTreeMap::from([
            ("configmaps".to_owned(), 1),
            ("imagepointers.berth.dev".to_owned(), 1),
            ("secrets".to_owned(), 2),
        ]);
        assert_eq!(
            remaining_phrase(&remaining),
            "the activity log, 1 image and 2 registry credentials or secret settings"
        );
        let one = BTreeMap::from([("jobtemplates.berth.dev".to_owned(), 3)]);
        assert_eq!(remaining_phrase(&one), "3 job templates");
        assert_eq!(remaining_phrase(&BTreeMap::new()), "nothing");
    }

    fn blocker(name: &str, finalizers: &[&str]) -> Blocker {
        Blocker {
            resource: "configmaps".into(),
            name: name.into(),
            finalizers: finalizers.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    /// The words of a stuck deletion are the server's English of before,
    /// and every code has its template.
    #[test]
    fn stalled_words_keep_their_english() {
        let check = |(_, message, advice): &(&str, Message, Message)| {
            for m in [message, advice] {
                assert!(crate::message::template(&m.code).is_some(), "{}", m.code);
            }
        };
        let one = stalled_words(
            "shop",
            "berth-shop",
            &[blocker("a", &["x/y", "z"])],
            true,
            &[],
        );
        check(&one);
        assert_eq!(one.0, "finalizers");
        assert_eq!(
            one.1.english(),
            "The deletion of project shop is stuck: configmaps a (waiting for x/y, z) cannot be removed until another system finishes its clean-up."
        );
        assert_eq!(
            one.2.english(),
            "Ask a cluster administrator to check the system that added the finalizer. If that system no longer exists, they can remove the finalizer, e.g. `kubectl patch configmaps a -n berth-shop --type=merge -p '{\"metadata\":{\"finalizers\":null}}'`; the deletion then finishes by itself."
        );
        let two = stalled_words(
            "shop",
            "berth-shop",
            &[blocker("a", &["x"]), blocker("b", &["y"])],
            true,
            &[],
        );
        check(&two);
        assert_eq!(
            two.1.english(),
            "The deletion of project shop is stuck: configmaps a (x); configmaps b (y) cannot be removed until the systems named in brackets finish their clean-up."
        );
        let objects = stalled_words("shop", "berth-shop", &[], true, &[]);
        check(&objects);
        assert_eq!(objects.0, "objects");
        assert_eq!(
            objects.1.english(),
            "The deletion of project shop is slow: some objects in it have not been removed yet."
        );
        assert_eq!(
            objects.2.english(),
            "Ask a cluster administrator to look at `kubectl get all,secrets,configmaps -n berth-shop` and at the namespace's conditions (`kubectl get namespace berth-shop -o yaml`)."
        );
        let none = stalled_words("shop", "berth-shop", &[], false, &[]);
        check(&none);
        assert_eq!(none.0, "namespace");
        assert_eq!(
            none.1.english(),
            "The deletion of project shop is waiting for the cluster to release its namespace."
        );
        assert_eq!(
            none.2.english(),
            "Ask a cluster administrator to check the namespace's finalizers (none) and conditions with `kubectl get namespace berth-shop -o yaml`."
        );
        let some = stalled_words("shop", "berth-shop", &[], false, &["kubernetes".into()]);
        check(&some);
        assert_eq!(
            some.2.english(),
            "Ask a cluster administrator to check the namespace's finalizers (kubernetes) and conditions with `kubectl get namespace berth-shop -o yaml`."
        );
    }

    #[test]
    fn conditions_use_kubernetes_names() {
        let c = Condition {
            kind: "NamespaceContentRemaining".into(),
            status: "True".into(),
            reason: "SomeResourcesRemain".into(),
            message: "m".into(),
        };
        let json = serde_json::to_value(&c).expect("serialises");
        assert_eq!(json["type"], "NamespaceContentRemaining");
    }
}
