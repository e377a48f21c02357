//! Writers racing through the in-process client: optimistic concurrency and
//! watch order hold when writes are committed together.

use std::collections::BTreeSet;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ObjectMeta, PostParams, WatchEvent, WatchParams};

use berth_apiserver::EmbeddedApiServer;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn cm(name: &str, value: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        data: Some([("v".to_string(), value.to_string())].into()),
        ..ConfigMap::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_replacements_of_one_object_let_exactly_one_win() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = EmbeddedApiServer::open(dir.path(), &[])?;
    let cms: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    let base = cms.create(&PostParams::default(), &cm("race", "0")).await?;
    for round in 0..5 {
        let current = cms.get("race").await?;
        let writers = (0..16).map(|w| {
            let cms = cms.clone();
            let mut next = current.clone();
            next.data = Some([("v".to_string(), format!("{round}-{w}"))].into());
            tokio::spawn(async move { cms.replace("race", &PostParams::default(), &next).await })
        });
        let results = futures::future::join_all(writers).await;
        let mut won = Vec::new();
        let mut conflicts = 0;
        for r in results {
            match r? {
                Ok(o) => won.push(o),
                Err(kube::Error::Api(s)) if s.code == 409 => conflicts += 1,
                Err(e) => return Err(e.into()),
            }
        }
        assert_eq!(won.len(), 1, "round {round}: exactly one writer wins");
        assert_eq!(conflicts, 15, "round {round}: the others get 409");
        let stored = cms.get("race").await?;
        assert_eq!(stored.data, won[0].data, "the winner's data is stored");
        assert_eq!(
            stored.metadata.resource_version,
            won[0].metadata.resource_version
        );
    }
    assert_ne!(base.metadata.resource_version, None);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_watch_sees_every_concurrent_write_once_in_revision_order() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = EmbeddedApiServer::open(dir.path(), &[])?;
    let cms: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    let start = cms.create(&PostParams::default(), &cm("start", "")).await?;
    let from = start.metadata.resource_version.clone().unwrap_or_default();
    let mut events = cms.watch(&WatchParams::default(), &from).await?.boxed();

    let writers = (0..16).map(|w| {
        let cms = cms.clone();
        tokio::spawn(async move {
            for i in 0..20 {
                cms.create(&PostParams::default(), &cm(&format!("w{w}-{i}"), "x"))
                    .await?;
            }
            Ok::<_, kube::Error>(())
        })
    });
    for r in futures::future::join_all(writers).await {
        r??;
    }

    let mut seen = BTreeSet::new();
    let mut last: u64 = from.parse()?;
    while seen.len() < 16 * 20 {
        let Some(event) = events.try_next().await? else {
            return Err("the watch ended early".into());
        };
        let WatchEvent::Added(o) = event else {
            return Err(format!("unexpected event {event:?}").into());
        };
        let rv: u64 = o
            .metadata
            .resource_version
            .clone()
            .unwrap_or_default()
            .parse()?;
        assert!(rv > last, "revision {rv} after {last}: in order");
        last = rv;
        assert!(
            seen.insert(o.metadata.name.clone().unwrap_or_default()),
            "once"
        );
    }
    // Each create took one revision: none lost, none shared.
    assert_eq!(last, from.parse::<u64>()? + 320);
    Ok(())
}
