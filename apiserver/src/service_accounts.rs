//! The `default` ServiceAccount of every namespace, and what Kubernetes'
//! ServiceAccount admission does to a new Pod: it names the account
//! (`default` when none is given) and, when the Pod names no pull secret,
//! gives it the account's `imagePullSecrets`. So `kubectl create job`
//! (which cannot name a pull secret) pulls a private image once the
//! namespace's `default` account names one, as on a cluster. No token is
//! ever mounted: the runner gives containers none.

use serde_json::{Value, json};

use crate::meta;
use crate::resource::GroupResource;
use crate::store::WriteTx;

/// The account a Pod runs as when it names none.
pub const DEFAULT: &str = "default";

pub fn service_accounts() -> GroupResource {
    GroupResource::core("serviceaccounts")
}

/// The `default` account of a new namespace `ns`, as the service-account
/// controller creates it.
pub fn default_for(ns: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": DEFAULT,
            "namespace": ns,
            "uid": uuid::Uuid::new_v4().to_string(),
            "creationTimestamp": meta::now_rfc3339(),
        },
    })
}

/// ServiceAccount admission of a new Pod, inside the write that stores it.
pub fn admit_pod(tx: &WriteTx<'_>, pod: &mut Value) {
    let ns = meta::namespace(pod).to_string();
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    let account = spec
        .get("serviceAccountName")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
        .unwrap_or(DEFAULT)
        .to_string();
    spec.insert("serviceAccountName".into(), account.clone().into());
    // The deprecated field, which Kubernetes still fills in the same.
    spec.insert("serviceAccount".into(), account.clone().into());
    let names_secrets = spec
        .get("imagePullSecrets")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    if names_secrets {
        return;
    }
    let from_account = tx
        .get(&service_accounts(), &ns, &account)
        .and_then(|sa| sa.value.get("imagePullSecrets").cloned())
        .filter(|s| s.as_array().is_some_and(|s| !s.is_empty()));
    if let Some(secrets) = from_account {
        spec.insert("imagePullSecrets".into(), secrets);
    }
}
