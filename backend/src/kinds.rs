//! One description per kind of data a project holds: where it lives in the
//! API, what people call it, the role each verb needs, how the activity log
//! says a change to it, and its kind in the inventory. The router, the
//! access rule, the activity log, the inventory and the services all read
//! these; a new kind is one more description here.

use berth_shared::Role;
use berth_shared::inventory::{
    KIND_IMAGE, KIND_JOB_RUN, KIND_JOB_TEMPLATE, KIND_REGISTRY_CREDENTIAL,
};

/// A kind of project data: `/api/v1/projects/{project}/{segment}[/{name}]`.
#[derive(Debug)]
pub struct Kind {
    /// The address segment of the collection: `images`.
    pub segment: &'static str,
    /// What people call one object: `image pointer`.
    pub noun: &'static str,
    /// The article before the noun: `an`.
    pub article: &'static str,
    /// The kind's name in the inventory.
    pub inventory: &'static str,
    /// The role reading needs, and the role creating, changing and
    /// deleting need.
    pub read: Role,
    pub write: Role,
    /// What one object can do besides being read and written.
    pub actions: &'static [Action],
    /// For kinds whose bodies carry secrets: the whole answer to a body that
    /// is not valid JSON for the kind, since a parser's message may quote
    /// the secret that was sent.
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
    inventory: KIND_REGISTRY_CREDENTIAL,
    read: Role::Viewer,
    write: Role::Editor,
    actions: &[],
    body_hint: Some(
        "The request body is not a valid registry credential: send JSON with name, kind (docker-hub, icr or other), server, username and secret.",
    ),
};

pub const IMAGES: Kind = Kind {
    segment: "images",
    noun: "image pointer",
    article: "an",
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
    body_hint: Some(
        "The request body is not a valid job template: send JSON with name, image or imagePointer, command, args, env (name, value, sensitive), size, indices, retryLimit and maxExecutionSeconds.",
    ),
};

/// Runs of job templates: made by `POST …/job-templates/{name}/runs`,
/// read by viewers, their logs (which hold whatever a program printed)
/// only by editors.
pub const JOB_RUNS: Kind = Kind {
    segment: "job-runs",
    noun: "job run",
    article: "a",
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

/// The kind whose collection is at `segment`.
pub fn by_segment(segment: &str) -> Option<&'static Kind> {
    ALL.into_iter().find(|k| k.segment == segment)
}

impl Kind {
    /// One object by name, as a sentence says it: "image pointer web".
    pub fn one(&self, name: &str) -> String {
        format!("{} {name}", self.noun)
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
