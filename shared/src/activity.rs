//! The project's activity log: every change made to a project through the
//! API, who made it, from where and how it ended. Never a body, so never a
//! secret value.

use serde::{Deserialize, Serialize};

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

    #[test]
    fn outcome_json_is_lowercase() {
        let json = serde_json::to_value(Outcome::Refused).expect("serialises");
        assert_eq!(json, "refused");
    }
}
