//! The project's activity log, stored as one ConfigMap in the project's
//! namespace with one data key per change.
//!
//! Appending is a JSON merge patch that adds one key and carries no
//! `resourceVersion`, so replicas writing at once never conflict. Keys
//! sort by time, so the log is bounded by nulling the oldest keys once it
//! holds more than its limit.

pub mod action;

use std::collections::BTreeMap;

use berth_shared::activity::ActivityEntry;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::storage::labels;

/// The ConfigMap's name in every project namespace.
pub const CONFIG_MAP: &str = "berth-activity";
/// Value of the `berth.dev/kind` label on it.
pub const KIND: &str = berth_shared::inventory::KIND_ACTIVITY_LOG;
/// How many changes a log keeps unless configured otherwise.
pub const DEFAULT_LIMIT: usize = 200;

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
        let Some(map) = self.api(namespace).get_opt(CONFIG_MAP).await? else {
            return Ok(Vec::new());
        };
        let data = map.data.unwrap_or_default();
        Ok(data
            .iter()
            .rev()
            .filter_map(|(key, value)| match serde_json::from_str(value) {
                Ok(entry) => Some(entry),
                Err(err) => {
                    tracing::debug!(%namespace, %key, %err, "activity entry skipped: not readable");
                    None
                }
            })
            .collect())
    }

    /// Appends one entry to the log of `project`, creating the log when it
    /// does not exist, then drops the oldest entries over the limit.
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
                let new = new_map(project, key, value);
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
        let excess = data.len().saturating_sub(self.limit);
        if excess > 0 {
            // Keys sort oldest first; null removes a key in a merge patch.
            let oldest: Map<String, Value> = data
                .keys()
                .take(excess)
                .map(|k| (k.clone(), Value::Null))
                .collect();
            let trim = json!({ "data": oldest });
            api.patch(CONFIG_MAP, &params, &Patch::Merge(&trim)).await?;
        }
        Ok(())
    }
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

fn new_map(project: &str, key: String, value: String) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(CONFIG_MAP.to_owned()),
            labels: Some(BTreeMap::from([
                (
                    labels::MANAGED_BY.to_owned(),
                    labels::MANAGED_BY_VALUE.to_owned(),
                ),
                (labels::PROJECT.to_owned(), project.to_owned()),
                (labels::KIND.to_owned(), KIND.to_owned()),
            ])),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([(key, value)])),
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
