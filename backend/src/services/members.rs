//! Who has which role in a project: a JSON annotation on the project's
//! namespace (`{"ada": "owner", "bob": "viewer"}`), so the members travel
//! with the project, change atomically with it, and need no object or
//! permission beyond the namespace Berth already manages.

use std::collections::BTreeMap;

use berth_shared::{Member, MemberList, Role};
use k8s_openapi::api::core::v1::Namespace;

/// Annotation on a project's namespace.
pub const MEMBERS: &str = "berth.dev/members";

/// The members of a project's namespace (none if the annotation is missing
/// or unreadable: then only administrators reach the project).
pub fn of(namespace: &Namespace) -> BTreeMap<String, Role> {
    namespace
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(MEMBERS))
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default()
}

/// The annotation value for `members`.
pub fn annotation(members: &BTreeMap<String, Role>) -> String {
    serde_json::to_string(members).unwrap_or_else(|_| "{}".to_owned())
}

/// The API's list form: owners first, then by name.
pub fn to_list(members: &BTreeMap<String, Role>) -> MemberList {
    let mut members: Vec<Member> = members
        .iter()
        .map(|(user, role)| Member {
            user: user.clone(),
            role: *role,
        })
        .collect();
    members.sort_by(|a, b| b.role.cmp(&a.role).then_with(|| a.user.cmp(&b.user)));
    MemberList { members }
}

/// The stored form of a (validated) list.
pub fn from_list(list: &MemberList) -> BTreeMap<String, Role> {
    list.members
        .iter()
        .map(|m| (m.user.trim().to_owned(), m.role))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::api::ObjectMeta;

    #[test]
    fn members_round_trip_through_the_annotation() {
        let members = BTreeMap::from([
            ("ada".to_owned(), Role::Owner),
            ("bob".to_owned(), Role::Viewer),
        ]);
        let ns = Namespace {
            metadata: ObjectMeta {
                annotations: Some(BTreeMap::from([(MEMBERS.to_owned(), annotation(&members))])),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        assert_eq!(of(&ns), members);
        assert_eq!(from_list(&to_list(&members)), members);
        assert_eq!(to_list(&members).members[0].user, "ada");
        assert!(of(&Namespace::default()).is_empty());
    }
}
