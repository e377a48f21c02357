//! Accounts and sessions as last seen by a watch on Berth's system
//! namespace, so that checking who calls costs no Kubernetes request.
//!
//! A name the cache does not hold is read from the API (a sign-in made on
//! another replica a moment ago); writes wait until the cache shows them,
//! so a replica never answers from an older state than its own writes.
//! A sign-out on another replica reaches this one with the watch event
//! (milliseconds on a healthy cluster).

use k8s_openapi::api::core::v1::Secret;
use kube::runtime::watcher;
use kube::{Api, Client};
use tokio::sync::watch;

use crate::storage::labels;
use crate::storage::watch_cache::{WatchCache, drop_managed_fields};

/// The cache of accounts and sessions.
pub type RecordCache = WatchCache<Secret>;

/// `berth.dev/kind` of an account's Secret.
pub const KIND_USER: &str = "user";
/// `berth.dev/kind` of a session's Secret.
pub const KIND_SESSION: &str = "session";
/// The key of an account's password hash, never kept in the cache.
pub const HASH_KEY: &str = "password-hash";

/// Start watching the accounts and sessions in `namespace`.
pub fn start(client: Client, namespace: &str, stop: watch::Receiver<()>) -> RecordCache {
    let selector = format!(
        "{}={},{} in ({KIND_USER},{KIND_SESSION})",
        labels::MANAGED_BY,
        labels::MANAGED_BY_VALUE,
        labels::KIND
    );
    WatchCache::start(
        "accounts and sessions",
        Api::namespaced(client, namespace),
        watcher::Config::default().labels(&selector),
        trim,
        stop,
    )
}

/// Only sign-in reads a password hash, and it asks the API for it.
fn trim(secret: &mut Secret) {
    drop_managed_fields(secret);
    if let Some(data) = secret.data.as_mut() {
        data.remove(HASH_KEY);
    }
}
