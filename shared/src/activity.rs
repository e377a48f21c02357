//! The project's activity log: every change made to a project through the
//! API, who made it, from where and how it ended. Never a body, so never a
//! secret value.

use serde::{Deserialize, Serialize};

/// How a change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// The body of `GET /api/v1/projects/{project}/activity`: newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
}
