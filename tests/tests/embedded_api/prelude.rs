//! What every module of the embedded API suite uses.

pub use std::collections::BTreeMap;
pub use std::time::Duration;

pub use anyhow::{Context, bail, ensure};
pub use futures::{StreamExt, TryStreamExt};
pub use k8s_openapi::ByteString;
pub use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
pub use kube::api::{
    Api, DeleteParams, DynamicObject, ListParams, ObjectMeta, Patch, PatchParams, PostParams,
    WatchEvent, WatchParams,
};
pub use kube::runtime::watcher;
pub use reqwest::{Method, StatusCode};
pub use serde_json::{Value, json};

pub use super::support::{
    TestCluster, api_error, eventually, labels, next_event, unique, unique_label,
};

pub fn configmap(name: &str, labels_: &[(&str, &str)], data: &[(&str, &str)]) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(labels(labels_)),
            ..ObjectMeta::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        ),
        ..ConfigMap::default()
    }
}

pub fn secret(name: &str, data: &[(&str, &[u8])]) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| ((*k).to_string(), ByteString(v.to_vec())))
                .collect(),
        ),
        ..Secret::default()
    }
}

pub fn rv_of(meta: &ObjectMeta) -> anyhow::Result<u64> {
    meta.resource_version
        .as_deref()
        .context("no resourceVersion")?
        .parse()
        .context("resourceVersion is not an integer")
}
