//! The project's activity log: one data key per change, the newest in one
//! ConfigMap (the head, [`CONFIG_MAP`]), older ones in parts of
//! [`PART_ENTRIES`] entries each, found by label.
//!
//! Appending is a JSON merge patch on the head that adds one key and
//! carries no `resourceVersion`, so replicas writing at once never
//! conflict; since the head stays small, an entry costs a write of about
//! its own size, never of the whole log. Keys sort by time. Once the head
//! holds more than [`PART_ENTRIES`], its oldest [`PART_ENTRIES`] move into
//! a new part named after their first key (two replicas moving the same
//! keys make the same part; the second removes from the head only what the
//! part holds), and the parts past the limit are deleted. A limit of at
//! most [`PART_ENTRIES`] keeps the whole log in the head, trimmed by nulling
//! its oldest keys.

pub mod action;

use std::collections::BTreeMap;

use berth_shared::activity::ActivityEntry;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::storage::labels;

/// The head's name in every project namespace.
pub const CONFIG_MAP: &str = "berth-activity";
/// Value of the `berth.dev/kind` label on the head.
pub const KIND: &str = berth_shared::inventory::KIND_ACTIVITY_LOG;
/// How many changes a log keeps unless configured otherwise.
pub const DEFAULT_LIMIT: usize = 200;
/// How many entries the head holds before its oldest move into a part, and
/// how many a part holds.
pub const PART_ENTRIES: usize = 16;

/// Reads and appends to activity logs.
#[derive(Clone)]
pub struct ActivityService {
    client: Client,
    /// The newest this many entries are kept.
    limit: usize,
}

impl ActivityService {
    pub fn new(client: Client, limit: usize) -> Self {
        Self {
            client,
            limit: limit.max(1),
        }
    }

    fn api(&self, namespace: &str) -> Api<ConfigMap> {
        Api::namespaced(self.client.clone(), namespace)
    }

    /// The log of the project in `namespace`, newest first; empty when
    /// nothing was recorded yet.
    pub async fn list(&self, namespace: &str) -> Result<Vec<ActivityEntry>, ApiError> {
        let api = self.api(namespace);
        // The head first: an entry that leaves it is in a part before it
        // is removed from the head, so reading the parts after the head
        // misses none (one read in both is counted once, by key).
        let mut data = api
            .get_opt(CONFIG_MAP)
            .await?
            .and_then(|m| m.data)
            .unwrap_or_default();
        for part in api.list(&parts()).await?.items {
            data.extend(part.data.unwrap_or_default());
        }
        Ok(data
            .iter()
            .rev()
            .take(self.limit)
            .filter_map(|(key, value)| match serde_json::from_str::<ActivityEntry>(value) {
                // Said in the reader's language by the console; worked out
                // here, where every sentence's English is at hand.
                Ok(entry) => Some(ActivityEntry {
                    what: entry.message(),
                    ..entry
                }),
                Err(err) => {
                    tracing::debug!(%namespace, %key, %err, "activity entry skipped: not readable");
                    None
                }
            })
            .collect())
    }

    /// Appends one entry to the log of `project`, creating the log when it
    /// does not exist, then keeps the head small and the log within its
    /// limit.
    pub async fn append(
        &self,
        project: &str,
        namespace: &str,
        entry: &ActivityEntry,
    ) -> Result<(), ApiError> {
        let api = self.api(namespace);
        let key = entry_key(jiff::Timestamp::now());
        let value = serde_json::to_string(entry)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("activity entry: {e}")))?;
        let patch = json!({ "data": { &key: &value } });
        let params = PatchParams::default();
        let map = match api.patch(CONFIG_MAP, &params, &Patch::Merge(&patch)).await {
            Ok(map) => map,
            Err(kube::Error::Api(status)) if status.code == 404 => {
                let new = new_map(CONFIG_MAP, project, KIND, BTreeMap::from([(key, value)]));
                match api.create(&PostParams::default(), &new).await {
                    Ok(map) => map,
                    // Another replica created it meanwhile.
                    Err(kube::Error::Api(status)) if status.code == 409 => {
                        api.patch(CONFIG_MAP, &params, &Patch::Merge(&patch))
                            .await?
                    }
                    Err(err) => return Err(err.into()),
                }
            }
            Err(err) => return Err(err.into()),
        };
        let data = map.data.unwrap_or_default();
        if self.limit > PART_ENTRIES && data.len() > PART_ENTRIES {
            self.move_oldest(project, &api, &data).await
        } else {
            // Keys sort oldest first.
            let excess = data.len().saturating_sub(self.limit);
            remove_from_head(&api, data.keys().take(excess)).await
        }
    }

    /// Moves the head's oldest [`PART_ENTRIES`] entries into a part, then
    /// deletes the parts the limit no longer needs.
    async fn move_oldest(
        &self,
        project: &str,
        api: &Api<ConfigMap>,
        head: &BTreeMap<String, String>,
    ) -> Result<(), ApiError> {
        let moving: BTreeMap<String, String> = head
            .iter()
            .take(PART_ENTRIES)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let Some(first) = moving.keys().next() else {
            return Ok(());
        };
        let name = format!("{CONFIG_MAP}-{}", first.to_ascii_lowercase());
        let part = new_map(&name, project, labels::KIND_ACTIVITY_PART, moving.clone());
        let held: Vec<String> = match api.create(&PostParams::default(), &part).await {
            Ok(_) => moving.into_keys().collect(),
            // Another replica moved them first: remove only what it holds.
            Err(kube::Error::Api(status)) if status.code == 409 => api
                .get_opt(&name)
                .await?
                .and_then(|m| m.data)
                .unwrap_or_default()
                .into_keys()
                .filter(|k| moving.contains_key(k))
                .collect(),
            Err(err) => return Err(err.into()),
        };
        remove_from_head(api, held.iter()).await?;
        self.prune(api, head.len() - held.len()).await
    }

    /// Deletes the oldest parts whose entries are all past the limit, given
    /// how many entries the head holds.
    async fn prune(&self, api: &Api<ConfigMap>, in_head: usize) -> Result<(), ApiError> {
        let mut parts: Vec<(String, usize)> = api
            .list(&parts())
            .await?
            .items
            .into_iter()
            .map(|m| {
                let len = m.data.map_or(0, |d| d.len());
                (m.metadata.name.unwrap_or_default(), len)
            })
            .collect();
        // Named after their first key: by name is oldest first.
        parts.sort();
        let mut kept = in_head;
        for (name, len) in parts.into_iter().rev() {
            if kept < self.limit {
                kept += len;
                continue;
            }
            match api.delete(&name, &DeleteParams::default()).await {
                Ok(_) => {}
                // Another replica pruned it.
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }

    /// Deletes the older parts of the log in `namespace`, when the log is
    /// cleared (the head is deleted on its own, as an inventory item).
    pub async fn clear_parts(&self, namespace: &str) -> Result<(), ApiError> {
        let api = self.api(namespace);
        for part in api.list(&parts()).await?.items {
            let name = part.metadata.name.unwrap_or_default();
            match api.delete(&name, &DeleteParams::default()).await {
                Ok(_) => {}
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }
}

/// The log's older parts in a namespace.
fn parts() -> ListParams {
    ListParams::default().labels(&labels::activity_part_selector())
}

/// Removes `keys` from the head (null removes a key in a merge patch).
async fn remove_from_head<'a>(
    api: &Api<ConfigMap>,
    keys: impl Iterator<Item = &'a String>,
) -> Result<(), ApiError> {
    let keys: Map<String, Value> = keys.map(|k| (k.clone(), Value::Null)).collect();
    if !keys.is_empty() {
        let trim = json!({ "data": keys });
        api.patch(CONFIG_MAP, &PatchParams::default(), &Patch::Merge(&trim))
            .await?;
    }
    Ok(())
}

/// A key that sorts by time: `20260105T103000.123456789Z-1a2b3c4d`, with a
/// random suffix so two changes in the same instant keep both entries.
/// Only characters a ConfigMap key allows (`[-._a-zA-Z0-9]`).
fn entry_key(now: jiff::Timestamp) -> String {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{}.{:09}Z-{}",
        now.strftime("%Y%m%dT%H%M%S"),
        now.subsec_nanosecond(),
        &suffix[..8]
    )
}

fn new_map(name: &str, project: &str, kind: &str, data: BTreeMap<String, String>) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(BTreeMap::from([
                (
                    labels::MANAGED_BY.to_owned(),
                    labels::MANAGED_BY_VALUE.to_owned(),
                ),
                (labels::PROJECT.to_owned(), project.to_owned()),
                (labels::KIND.to_owned(), kind.to_owned()),
            ])),
            ..ObjectMeta::default()
        },
        data: Some(data),
        ..ConfigMap::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_time_and_use_the_configmap_charset() {
        let earlier: jiff::Timestamp = "2026-01-05T10:30:00.5Z".parse().expect("time");
        let later: jiff::Timestamp = "2026-01-05T10:30:00.75Z".parse().expect("time");
        let (a, b) = (entry_key(earlier), entry_key(later));
        assert!(a < b, "{a} < {b}");
        assert!(a.starts_with("20260105T103000.500000000Z-"), "{a}");
        assert!(
            b.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-._".contains(&c))
        );
        assert_ne!(entry_key(earlier), a, "random suffix");
    }
}
