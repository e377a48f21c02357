//! Who may do what in a project.

use serde::{Deserialize, Serialize};

use crate::message;
use crate::problem::FieldError;

/// A person's role in one project. Ordered: each role can do what the ones
/// before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads the project's metadata.
    Viewer,
    /// Also adds, changes and deletes its data.
    Editor,
    /// Also manages members, and deletes or restores the project.
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Editor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Owner => "owner",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// For people: "Owner", "Editor", "Viewer".
    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Editor => "Editor",
            Role::Owner => "Owner",
        }
    }
}

/// One member of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    /// The user id: a local user name, or an OIDC subject.
    pub user: String,
    pub role: Role,
}

/// The members of a project, as `GET .../members` answers and `PUT` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberList {
    pub members: Vec<Member>,
}

/// Longest user id a member entry takes (OIDC subjects are at most 255).
pub const MEMBER_USER_MAX: usize = 255;

impl MemberList {
    /// Field errors (`members[i].user`), empty when acceptable: every user
    /// named once, no control characters, and at least one owner left, so
    /// the project never ends up without anyone who can manage it.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (i, member) in self.members.iter().enumerate() {
            let user = member.user.trim();
            let field = format!("members[{i}].user");
            if user.is_empty() {
                errors.push(FieldError::new(field, message!("members.user.required")));
            } else if user.len() > MEMBER_USER_MAX || user.chars().any(char::is_control) {
                errors.push(FieldError::new(field, message!("members.user.invalid")));
            } else if self.members[..i].iter().any(|m| m.user.trim() == user) {
                errors.push(FieldError::new(field, message!("members.user.duplicate")));
            }
        }
        if !self.members.iter().any(|m| m.role == Role::Owner) {
            errors.push(FieldError::new(
                "members",
                message!("members.owner.required"),
            ));
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(members: &[(&str, Role)]) -> MemberList {
        MemberList {
            members: members
                .iter()
                .map(|(user, role)| Member {
                    user: (*user).to_owned(),
                    role: *role,
                })
                .collect(),
        }
    }

    #[test]
    fn roles_are_ordered_by_what_they_allow() {
        assert!(Role::Owner > Role::Editor && Role::Editor > Role::Viewer);
        assert_eq!(Role::parse("editor"), Some(Role::Editor));
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn members_need_an_owner_and_no_repeats() {
        assert!(
            list(&[("ada", Role::Owner), ("bob", Role::Viewer)])
                .validate()
                .is_empty()
        );
        assert_eq!(
            list(&[("ada", Role::Editor)]).validate()[0].field,
            "members"
        );
        assert_eq!(
            list(&[("ada", Role::Editor)]).validate()[0].code,
            "members.owner.required"
        );
        assert_eq!(
            list(&[("ada", Role::Editor)]).validate()[0].message,
            "Keep at least one owner."
        );
        assert_eq!(
            list(&[("ada", Role::Owner), ("ada", Role::Viewer)]).validate()[0].field,
            "members[1].user"
        );
        assert_eq!(
            list(&[("", Role::Owner)]).validate()[0].field,
            "members[0].user"
        );
    }
}
