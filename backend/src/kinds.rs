//! One description per kind of data a project holds: where it lives in the
//! API, what people call it, the role each verb needs, how the activity log
//! says a change to it, and its kind in the inventory. The router, the
//! access rule, the activity log, the inventory and the services all read
//! these; a new kind is one more description here.

use berth_shared::inventory::{
    KIND_IMAGE, KIND_JOB_RUN, KIND_JOB_TEMPLATE, KIND_REGISTRY_CREDENTIAL,
};
use berth_shared::{Message, Role};

/// A kind of project data: `/api/v1/projects/{project}/{segment}[/{name}]`.
#[derive(Debug)]
pub struct Kind {
    /// The address segment of the collection: `images`.
    pub segment: &'static str,
    /// What people call one object: `image pointer`.
    pub noun: &'static str,
    /// The article before the noun: `an`.
    pub article: &'static str,
    /// The start of the codes of its messages (`image`: `image.not_found`,
    /// `image.name.taken`, `image.stale`; see `berth_shared::message`).
    pub code: &'static str,
    /// The kind's name in the inventory.
    pub inventory: &'static str,
    /// The role reading needs, and the role creating, changing and
    /// deleting need.
    pub read: Role,
    pub write: Role,
    /// What one object can do besides being read and written.
    pub actions: &'static [Action],
    /// For kinds whose bodies carry secrets: the code of the whole answer
    /// to a body that is not valid JSON for the kind, since a parser's
    /// message may quote the secret that was sent.
    pub body_hint: Option<&'static str>,
}

/// `{method} …/{segment}/{name}/{action}`.
#[derive(Debug)]
pub struct Action {
    pub segment: &'static str,
    pub method: &'static str,
    pub role: Role,
    /// For the activity log: "Checked image pointer web with its registry"
    /// (`done`, the object, `detail`), "Tried to check …" (`to_do`).
    pub done: &'static str,
    pub to_do: &'static str,
    pub detail: &'static str,
}

pub const REGISTRY_CREDENTIALS: Kind = Kind {
    segment: "registry-credentials",
    noun: "registry credential",
    article: "a",
    code: "credential",
    inventory: KIND_REGISTRY_CREDENTIAL,
    read: Role::Viewer,
    write: Role::Editor,
    actions: &[],
    body_hint: Some("credential.body_invalid"),
};

pub const IMAGES: Kind = Kind {
    segment: "images",
    noun: "image pointer",
    article: "an",
    code: "image",
    inventory: KIND_IMAGE,
    read: Role::Viewer,
    write: Role::Editor,
    actions: &[Action {
        segment: "verify",
        method: "POST",
        role: Role::Editor,
        done: "Checked",
        to_do: "check",
        detail: " with its registry",
    }],
    body_hint: None,
};

pub const JOB_TEMPLATES: Kind = Kind {
    segment: "job-templates",
    noun: "job template",
    article: "a",
    code: "job_template",
    inventory: KIND_JOB_TEMPLATE,
    read: Role::Viewer,
    write: Role::Editor,
    actions: &[
        Action {
            segment: "job",
            method: "GET",
            role: Role::Viewer,
            done: "Rendered",
            to_do: "render",
            detail: " as a Kubernetes Job",
        },
        Action {
            segment: "runs",
            method: "POST",
            role: Role::Editor,
            done: "Ran",
            to_do: "run",
            detail: "",
        },
    ],
    body_hint: Some("job_template.body_invalid"),
};

/// Runs of job templates: made by `POST …/job-templates/{name}/runs`,
/// read by viewers, their logs (which hold whatever a program printed)
/// only by editors.
pub const JOB_RUNS: Kind = Kind {
    segment: "job-runs",
    noun: "job run",
    article: "a",
    code: "job_run",
    inventory: KIND_JOB_RUN,
    read: Role::Viewer,
    write: Role::Editor,
    actions: &[
        Action {
            segment: "logs",
            method: "GET",
            role: Role::Editor,
            done: "Read",
            to_do: "read",
            detail: "'s log",
        },
        Action {
            segment: "events",
            method: "GET",
            role: Role::Viewer,
            done: "Followed",
            to_do: "follow",
            detail: "",
        },
        Action {
            segment: "rerun-failed",
            method: "POST",
            role: Role::Editor,
            done: "Reran the failed indices of",
            to_do: "rerun the failed indices of",
            detail: "",
        },
    ],
    body_hint: None,
};

/// Every kind of project data.
pub const ALL: [&Kind; 4] = [&REGISTRY_CREDENTIALS, &IMAGES, &JOB_TEMPLATES, &JOB_RUNS];

/// The kind people call `noun` (`image pointer`).
pub fn by_noun(noun: &str) -> Option<&'static Kind> {
    ALL.into_iter().find(|k| k.noun == noun)
}

/// The kind whose collection is at `segment`.
pub fn by_segment(segment: &str) -> Option<&'static Kind> {
    ALL.into_iter().find(|k| k.segment == segment)
}

impl Kind {
    /// One object by name, as a sentence says it: "image pointer web".
    pub fn one(&self, name: &str) -> String {
        format!("{} {name}", self.noun)
    }

    /// "There is no image pointer named “web” in this project."
    pub fn not_found(&self, name: &str) -> Message {
        Message::new(&format!("{}.not_found", self.code)).with("name", name)
    }

    /// "An image pointer named “web” already exists in this project. …"
    pub fn name_taken(&self, name: &str) -> Message {
        Message::new(&format!("{}.name.taken", self.code)).with("name", name)
    }

    /// "Someone changed this image pointer after you opened it. …"
    pub fn stale(&self) -> Message {
        Message::new(&format!("{}.stale", self.code))
    }

    /// The action at `segment` for `method`.
    pub fn action(&self, method: &str, segment: &str) -> Option<&'static Action> {
        self.actions
            .iter()
            .find(|a| a.segment == segment && a.method == method)
    }

    /// The role `method` needs on this kind's collection or one object.
    pub fn role_for(&self, method: &str) -> Role {
        if matches!(method, "GET" | "HEAD") {
            self.read
        } else {
            self.write
        }
    }
}

#[cfg(test)]
mod tests {
    use berth_shared::message::template;

    use super::*;

    /// Every message a kind can give has its English template.
    #[test]
    fn every_kind_message_has_a_template() {
        for kind in ALL {
            let mut codes = vec![kind.not_found("x").code];
            // Kinds kept through `storage::Objects` can also be taken or stale.
            if kind.segment != JOB_RUNS.segment {
                codes.push(kind.name_taken("x").code);
                codes.push(kind.stale().code);
            }
            codes.extend(kind.body_hint.map(str::to_owned));
            for code in codes {
                assert!(template(&code).is_some(), "{}: {code}", kind.segment);
            }
        }
        assert_eq!(by_noun("image pointer").map(|k| k.segment), Some("images"));
        assert!(by_noun("nothing").is_none());
    }

    #[test]
    fn kind_messages_keep_their_words() {
        assert_eq!(
            IMAGES.not_found("web").english(),
            "There is no image pointer named “web” in this project."
        );
        assert_eq!(
            REGISTRY_CREDENTIALS.name_taken("hub").english(),
            "A registry credential named “hub” already exists in this project. Choose another name."
        );
        assert_eq!(
            JOB_TEMPLATES.stale().english(),
            "Someone changed this job template after you opened it. Reload it to see the changes, then make yours again."
        );
    }
}
