//! The project's activity log: every change made to a project through the
//! API, who made it, from where and how it ended. Never a body, so never a
//! secret value.

use serde::{Deserialize, Serialize};

use crate::inventory::{
    KIND_ACTIVITY_LOG, KIND_IMAGE, KIND_JOB_RUN, KIND_JOB_RUN_ENV, KIND_JOB_TEMPLATE,
    KIND_JOB_TEMPLATE_ENV, KIND_REGISTRY_CREDENTIAL,
};
use crate::message::Message;

/// How a change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Done (HTTP 2xx).
    Succeeded,
    /// Not done because of the request or the caller's role (HTTP 4xx).
    Refused,
    /// Not done because of a fault on the server's side (HTTP 5xx).
    Failed,
}

impl Outcome {
    /// The outcome of an HTTP status code.
    pub fn of_status(status: u16) -> Self {
        match status {
            ..400 => Self::Succeeded,
            400..500 => Self::Refused,
            _ => Self::Failed,
        }
    }

    /// The word the console shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Succeeded => "Succeeded",
            Self::Refused => "Refused",
            Self::Failed => "Failed",
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityEntry {
    /// When, RFC 3339 in UTC.
    pub at: String,
    /// Who: the user id.
    pub user: String,
    /// What, as a sentence: "Created image pointer web".
    pub action: String,
    /// The HTTP method and path of the request.
    pub method: String,
    pub path: String,
    /// From where: the client's address.
    pub from: String,
    /// The HTTP status of the answer.
    pub status: u16,
    pub outcome: Outcome,
    /// `action` as a code and its parameters, for the console to say in
    /// the reader's language: set by the server when it lists the log
    /// ([`ActivityEntry::message`]), never stored; absent when the entry's
    /// words are not a known sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<Message>,
}

/// The body of `GET /api/v1/projects/{project}/activity`: newest first.
impl ActivityEntry {
    /// How the change ended, in words rather than an HTTP status: "Created",
    /// "Refused: their role does not allow it", "Failed: the storage service
    /// did not answer". The status stays in the entry for API users.
    pub fn result(&self) -> &'static str {
        match (self.status, self.method.as_str()) {
            (201, _) => "Created",
            (202, _) => "Started",
            (200..300, "DELETE") => "Deleted",
            (200..300, "PUT" | "PATCH") => "Saved",
            (200..300, _) => "Done",
            (400, _) => "Refused: the request was not valid",
            (401, _) => "Refused: not signed in",
            (403, _) => "Refused: their role does not allow it",
            (404, _) => "Refused: it does not exist",
            (409, _) => "Refused: it exists already or was changed meanwhile",
            (410, _) => "Refused: the project is deleted",
            (413, _) => "Refused: too large",
            (422, _) => "Refused: some values were not valid",
            (429, _) => "Refused: too many attempts",
            (400..500, _) => "Refused",
            (502 | 504, _) => "Failed: a registry did not answer",
            (503, _) => "Failed: the storage service did not answer",
            _ => "Failed: an error on Berth's side",
        }
    }

    /// What the change was, as a [`Message`] the console says in the
    /// reader's language: derived from the method, the path and the
    /// status (so entries written before codes existed are translated
    /// too), with a created object's name taken from `action`. Its
    /// English is always `action`; `None` when the derived sentence would
    /// say anything else (an unknown route, an older or clipped wording),
    /// and the console then shows `action` as written.
    pub fn message(&self) -> Option<Message> {
        self.derive()
            .filter(|message| message.english() == self.action)
    }

    fn derive(&self) -> Option<Message> {
        let done = (200..300).contains(&self.status);
        let pick = |ok: &str, tried: &str| {
            if done {
                ok.to_owned()
            } else {
                tried.to_owned()
            }
        };
        // Creating a project is logged only once done, in its new log.
        if (self.method.as_str(), self.path.as_str()) == ("POST", "/api/v1/projects") {
            return done.then(|| Message::new("activity.project.created"));
        }
        // The path after `/api/v1/projects/{project}`.
        let rest = self.path.split_once("/projects/")?.1;
        let segments: Vec<&str> = rest.split('/').skip(1).filter(|s| !s.is_empty()).collect();
        let method = self.method.as_str();
        let code = |kind: &str, what: &str| format!("activity.{kind}.{what}");
        let message = match (method, segments.as_slice()) {
            ("DELETE", []) => Message::new(&pick(
                "activity.project.deleted",
                "activity.project.delete.tried",
            )),
            ("POST", ["restore"]) => Message::new(&pick(
                "activity.project.restored",
                "activity.project.restore.tried",
            )),
            ("PUT", ["members"]) => Message::new(&pick(
                "activity.members.changed",
                "activity.members.change.tried",
            )),
            ("DELETE", ["inventory", kind, name]) => {
                let code = match *kind {
                    KIND_ACTIVITY_LOG => {
                        return Some(Message::new(&pick(
                            "activity.log.cleared",
                            "activity.log.clear.tried",
                        )));
                    }
                    KIND_REGISTRY_CREDENTIAL => "activity.credential",
                    KIND_JOB_TEMPLATE => "activity.job_template",
                    KIND_JOB_RUN => "activity.job_run",
                    KIND_IMAGE => "activity.inventory.image",
                    KIND_JOB_TEMPLATE_ENV => "activity.inventory.job_template_env",
                    KIND_JOB_RUN_ENV => "activity.inventory.job_run_env",
                    _ => "activity.inventory.other",
                };
                Message::new(&pick(
                    &format!("{code}.deleted"),
                    &format!("{code}.delete.tried"),
                ))
                .with("name", name)
            }
            ("POST", [segment]) => {
                let (kind, noun) = kind_of(segment)?;
                if !done {
                    Message::new(&code(kind, "create.tried"))
                } else {
                    let prefix = format!("Created {noun} ");
                    match self.action.strip_prefix(&prefix) {
                        Some(name) => Message::new(&code(kind, "created")).with("name", name),
                        None => Message::new(&code(kind, "created.unnamed")),
                    }
                }
            }
            ("PUT", [segment, name]) => {
                let (kind, _) = kind_of(segment)?;
                Message::new(&code(kind, &pick("changed", "change.tried"))).with("name", name)
            }
            ("DELETE", [segment, name]) => {
                let (kind, _) = kind_of(segment)?;
                Message::new(&code(kind, &pick("deleted", "delete.tried"))).with("name", name)
            }
            (method, [segment, name, action]) => {
                let (kind, _) = kind_of(segment)?;
                let action = match (method, *segment, *action) {
                    ("POST", "images", "verify") => "verify",
                    ("GET", "job-templates", "job") => "job",
                    ("POST", "job-templates", "runs") => "runs",
                    ("GET", "job-runs", "logs") => "logs",
                    ("GET", "job-runs", "events") => "events",
                    ("POST", "job-runs", "rerun-failed") => "rerun_failed",
                    _ => return None,
                };
                // An action that made a run names it: "… as job run {run}".
                let made = done
                    .then(|| self.action.rsplit_once(" as job run "))
                    .flatten()
                    .map(|(_, run)| run);
                match made {
                    Some(run) => Message::new(&code(kind, &format!("{action}.done.made")))
                        .with("name", name)
                        .with("run", run),
                    None => {
                        Message::new(&code(kind, &format!("{action}.{}", pick("done", "tried"))))
                            .with("name", name)
                    }
                }
            }
            _ => return None,
        };
        Some(message)
    }
}

/// The start of the activity codes and the noun of the kind of data at
/// `segment` (mirrors the server's `kinds`).
fn kind_of(segment: &str) -> Option<(&'static str, &'static str)> {
    match segment {
        "registry-credentials" => Some(("credential", "registry credential")),
        "images" => Some(("image", "image pointer")),
        "job-templates" => Some(("job_template", "job template")),
        "job-runs" => Some(("job_run", "job run")),
        _ => None,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityList {
    pub items: Vec<ActivityEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_outcomes() {
        assert_eq!(Outcome::of_status(201), Outcome::Succeeded);
        assert_eq!(Outcome::of_status(204), Outcome::Succeeded);
        assert_eq!(Outcome::of_status(403), Outcome::Refused);
        assert_eq!(Outcome::of_status(422), Outcome::Refused);
        assert_eq!(Outcome::of_status(503), Outcome::Failed);
        let json = serde_json::to_value(Outcome::Refused).expect("serialises");
        assert_eq!(json, "refused");
    }

    fn entry(method: &str, status: u16) -> ActivityEntry {
        ActivityEntry {
            at: "2026-01-05T10:30:00Z".into(),
            user: "ann".into(),
            action: "Created image pointer web".into(),
            method: method.into(),
            path: "/api/v1/projects/shop/images".into(),
            from: "127.0.0.1".into(),
            status,
            outcome: Outcome::of_status(status),
            what: None,
        }
    }

    #[test]
    fn results_are_words_not_status_codes() {
        assert_eq!(entry("POST", 201).result(), "Created");
        assert_eq!(entry("PUT", 200).result(), "Saved");
        assert_eq!(entry("DELETE", 204).result(), "Deleted");
        assert_eq!(entry("POST", 200).result(), "Done");
        assert_eq!(
            entry("POST", 403).result(),
            "Refused: their role does not allow it"
        );
        assert_eq!(entry("POST", 418).result(), "Refused");
        assert!(entry("GET", 500).result().starts_with("Failed"));
        for status in [200, 201, 204, 400, 403, 404, 409, 422, 500, 502, 503] {
            assert!(!entry("POST", status).result().contains(&status.to_string()));
        }
    }

    fn logged(method: &str, path: &str, status: u16, action: &str) -> ActivityEntry {
        ActivityEntry {
            method: method.into(),
            path: path.into(),
            action: action.into(),
            ..entry(method, status)
        }
    }

    /// Entries as the server writes them: each has a code with a template,
    /// and its English is the entry's `action`, unchanged.
    #[test]
    fn every_kind_of_action_has_a_code_with_the_same_english() {
        let p = "/api/v1/projects/shop";
        let cases = [
            (
                "POST",
                format!("{p}/images"),
                201,
                "Created image pointer web",
                "activity.image.created",
            ),
            (
                "POST",
                format!("{p}/registry-credentials"),
                201,
                "Created a registry credential",
                "activity.credential.created.unnamed",
            ),
            (
                "POST",
                "/api/v1/projects".to_owned(),
                201,
                "Created the project",
                "activity.project.created",
            ),
            (
                "POST",
                format!("{p}/registry-credentials"),
                403,
                "Tried to create a registry credential",
                "activity.credential.create.tried",
            ),
            (
                "PUT",
                format!("{p}/job-templates/nightly"),
                200,
                "Changed job template nightly",
                "activity.job_template.changed",
            ),
            (
                "PUT",
                format!("{p}/job-templates/nightly"),
                409,
                "Tried to change job template nightly",
                "activity.job_template.change.tried",
            ),
            (
                "DELETE",
                format!("{p}/registry-credentials/hub"),
                204,
                "Deleted registry credential hub",
                "activity.credential.deleted",
            ),
            (
                "DELETE",
                format!("{p}/job-runs/r-1"),
                403,
                "Tried to delete job run r-1",
                "activity.job_run.delete.tried",
            ),
            (
                "PUT",
                format!("{p}/members"),
                200,
                "Changed the members",
                "activity.members.changed",
            ),
            (
                "POST",
                format!("{p}/restore"),
                200,
                "Restored the project",
                "activity.project.restored",
            ),
            (
                "DELETE",
                p.to_owned(),
                200,
                "Deleted the project",
                "activity.project.deleted",
            ),
            (
                "DELETE",
                p.to_owned(),
                403,
                "Tried to delete the project",
                "activity.project.delete.tried",
            ),
            (
                "DELETE",
                format!("{p}/inventory/job-template-env/n-env"),
                204,
                "Deleted job template secret settings n-env",
                "activity.inventory.job_template_env.deleted",
            ),
            (
                "DELETE",
                format!("{p}/inventory/image/web"),
                204,
                "Deleted image web",
                "activity.inventory.image.deleted",
            ),
            (
                "DELETE",
                format!("{p}/inventory/job-template/nightly"),
                404,
                "Tried to delete job template nightly",
                "activity.job_template.delete.tried",
            ),
            (
                "DELETE",
                format!("{p}/inventory/activity-log/berth-activity"),
                204,
                "Cleared the activity log",
                "activity.log.cleared",
            ),
            (
                "POST",
                format!("{p}/images/web/verify"),
                200,
                "Checked image pointer web with its registry",
                "activity.image.verify.done",
            ),
            (
                "POST",
                format!("{p}/images/web/verify"),
                502,
                "Tried to check image pointer web with its registry",
                "activity.image.verify.tried",
            ),
            (
                "GET",
                format!("{p}/job-templates/nightly/job"),
                200,
                "Rendered job template nightly as a Kubernetes Job",
                "activity.job_template.job.done",
            ),
            (
                "POST",
                format!("{p}/job-templates/nightly/runs"),
                201,
                "Ran job template nightly as job run nightly-run-x7k2p",
                "activity.job_template.runs.done.made",
            ),
            (
                "POST",
                format!("{p}/job-templates/nightly/runs"),
                422,
                "Tried to run job template nightly",
                "activity.job_template.runs.tried",
            ),
            (
                "GET",
                format!("{p}/job-runs/r-1/logs"),
                200,
                "Read job run r-1's log",
                "activity.job_run.logs.done",
            ),
            (
                "GET",
                format!("{p}/job-runs/r-1/events"),
                200,
                "Followed job run r-1",
                "activity.job_run.events.done",
            ),
            (
                "POST",
                format!("{p}/job-runs/r-1/rerun-failed"),
                201,
                "Reran the failed indices of job run r-1 as job run r-2",
                "activity.job_run.rerun_failed.done.made",
            ),
            (
                "POST",
                format!("{p}/job-runs/r-1/rerun-failed"),
                409,
                "Tried to rerun the failed indices of job run r-1",
                "activity.job_run.rerun_failed.tried",
            ),
        ];
        for (method, path, status, action, code) in cases {
            let what = logged(method, &path, status, action)
                .message()
                .unwrap_or_else(|| panic!("{action} has no code"));
            assert_eq!(what.code, code, "{action}");
            assert!(crate::message::template(&what.code).is_some(), "{code}");
            assert_eq!(what.english(), action);
        }
    }

    /// A sentence the derivation does not reproduce (an unknown route, a
    /// clipped or older wording) has no code: the console shows it as
    /// written.
    #[test]
    fn unknown_actions_keep_their_english() {
        for (method, path, action) in [
            (
                "PATCH",
                "/api/v1/projects/shop/things/x",
                "PATCH /things/{name}",
            ),
            (
                "PUT",
                "/api/v1/projects/shop/images/web",
                "Changed image pointer other",
            ),
        ] {
            assert_eq!(
                logged(method, path, 200, action).message(),
                None,
                "{action}"
            );
        }
    }

    #[test]
    fn outcome_json_is_lowercase() {
        let json = serde_json::to_value(Outcome::Refused).expect("serialises");
        assert_eq!(json, "refused");
    }
}
