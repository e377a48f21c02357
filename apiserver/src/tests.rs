//! In-process tests: the `kube::Client` from [`EmbeddedApiServer::client`]
//! (no TCP) against the router. The black-box suite is
//! `tests/tests/embedded_api.rs`.

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, ListParams, ObjectMeta, PostParams};
use kube::runtime::watcher;
use serde_json::json;

use super::EmbeddedApiServer;
use super::resource::GroupResource;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn cm(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    }
}

#[tokio::test]
async fn in_process_client_and_watcher_work() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = EmbeddedApiServer::open(dir.path(), &[])?;
    let client = server.client();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let default = namespaces.get("default").await?;
    assert_eq!(
        default.status.and_then(|s| s.phase).as_deref(),
        Some("Active")
    );
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some("p1".into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    namespaces.create(&PostParams::default(), &ns).await?;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "p1");
    cms.create(&PostParams::default(), &cm("a")).await?;

    let mut events = watcher(cms.clone(), watcher::Config::default()).boxed();
    let mut initial = Vec::new();
    loop {
        match events.try_next().await? {
            Some(watcher::Event::InitApply(o)) => initial.push(o.metadata.name),
            Some(watcher::Event::InitDone) => break,
            Some(_) => {}
            None => return Err("watcher ended".into()),
        }
    }
    assert_eq!(initial, vec![Some("a".to_string())]);
    cms.create(&PostParams::default(), &cm("b")).await?;
    match events.try_next().await? {
        Some(watcher::Event::Apply(o)) => assert_eq!(o.metadata.name.as_deref(), Some("b")),
        other => return Err(format!("unexpected {other:?}").into()),
    }
    Ok(())
}

/// Lists 10,000 objects through the in-process client (run with
/// `--nocapture` to see the time; budgets are measured by benchmarks).
#[tokio::test]
async fn lists_ten_thousand_objects() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = EmbeddedApiServer::open(dir.path(), &[])?;
    let gr = GroupResource::core("configmaps");
    server
        .store
        .write(move |tx| {
            let ns = GroupResource::namespaces();
            tx.put(
                &ns,
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "big"}, "spec": {"finalizers": ["kubernetes"]}}),
            );
            for i in 0..10_000 {
                tx.put(
                    &gr,
                    json!({
                        "apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": format!("cm-{i:05}"), "namespace": "big", "labels": {"n": (i % 10).to_string()}},
                        "data": {"key": "value"},
                    }),
                );
            }
            Ok(())
        })
        .await?;
    let cms: Api<ConfigMap> = Api::namespaced(server.client(), "big");
    let started = std::time::Instant::now();
    let all = cms.list(&ListParams::default()).await?;
    let elapsed = started.elapsed();
    assert_eq!(all.items.len(), 10_000);
    let started = std::time::Instant::now();
    let some = cms.list(&ListParams::default().labels("n=3")).await?;
    let filtered = started.elapsed();
    assert_eq!(some.items.len(), 1_000);
    println!("list of 10,000: {elapsed:?}; label-filtered to 1,000: {filtered:?}");
    Ok(())
}
