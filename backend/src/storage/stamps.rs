//! Who made an object and who changed it last, kept as annotations, and
//! the version and times the API keeps: the same on every kind.

use std::collections::BTreeMap;

use berth_shared::Stamps;
use kube::api::ObjectMeta;

use super::labels;

/// An annotation's value.
pub fn annotation(meta: &ObjectMeta, key: &str) -> Option<String> {
    meta.annotations.as_ref().and_then(|a| a.get(key)).cloned()
}

/// Now, as the annotations say it (RFC 3339).
pub fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// The annotations of an object `actor` creates now.
pub fn created_by(actor: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (labels::CREATED_BY.to_owned(), actor.to_owned()),
        (labels::UPDATED_BY.to_owned(), actor.to_owned()),
        (labels::UPDATED_AT.to_owned(), now()),
    ])
}

/// `annotations` of an object `actor` changes now.
pub fn changed_by(
    mut annotations: BTreeMap<String, String>,
    actor: &str,
) -> BTreeMap<String, String> {
    annotations.insert(labels::UPDATED_BY.to_owned(), actor.to_owned());
    annotations.insert(labels::UPDATED_AT.to_owned(), now());
    annotations
}

/// The metadata of an object `actor` replaces now, carrying the version
/// it replaces.
pub fn replacing(existing: &ObjectMeta, version: String, actor: &str) -> ObjectMeta {
    let annotations = existing.annotations.clone().unwrap_or_default();
    ObjectMeta {
        resource_version: Some(version),
        annotations: Some(changed_by(annotations, actor)),
        ..existing.clone()
    }
}

/// Created and updated at and by, and the version, of a stored object:
/// what every view carries, filled here for every kind.
pub fn of(meta: &ObjectMeta) -> Stamps {
    let created_at = meta
        .creation_timestamp
        .as_ref()
        .map(|t| t.0.to_string())
        .unwrap_or_default();
    Stamps {
        created_by: annotation(meta, labels::CREATED_BY),
        updated_at: annotation(meta, labels::UPDATED_AT),
        updated_by: annotation(meta, labels::UPDATED_BY),
        version: meta.resource_version.clone().unwrap_or_default(),
        created_at,
    }
}
