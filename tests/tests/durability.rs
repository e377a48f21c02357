//! Acknowledged writes survive `kill -9`: 16 writers create ConfigMaps
//! through the embedded API on loopback while the server is killed at a
//! random moment, 30 times over. After each restart every write that got a
//! 2xx is there, whole, and new revisions are higher than any seen before.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams, ObjectMeta, PostParams};
use rand_core::RngCore;

use berth_tests::BerthProcess;

const ROUNDS: usize = 30;
const WRITERS: usize = 16;

fn cm(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some([("durability".to_string(), "test".to_string())].into()),
            ..ObjectMeta::default()
        },
        // The content names the object, so a half-written one would show.
        data: Some([("name".to_string(), name.to_string())].into()),
        ..ConfigMap::default()
    }
}

fn revision(o: &ConfigMap) -> u64 {
    o.metadata
        .resource_version
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_kill_9() -> anyhow::Result<()> {
    let mut server = BerthProcess::start().await?;
    // name -> the revision its create was answered with.
    let acknowledged: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
    let mut highest_seen = 0;
    for round in 0..ROUNDS {
        let cms: Api<ConfigMap> = Api::namespaced(server.kube(), "default");
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (cms, acknowledged) = (cms.clone(), acknowledged.clone());
                tokio::spawn(async move {
                    for i in 0.. {
                        let name = format!("r{round}-w{w}-{i}");
                        match cms.create(&PostParams::default(), &cm(&name)).await {
                            Ok(o) => {
                                if let Ok(mut a) = acknowledged.lock() {
                                    a.insert(name, revision(&o));
                                }
                            }
                            // The server is gone: this writer is done.
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        // Kill at a random moment while the writers are busy.
        let at = 20 + u64::from(rand_core::OsRng.next_u32() % 300);
        tokio::time::sleep(Duration::from_millis(at)).await;
        server.kill_9();
        for w in writers {
            w.await?;
        }
        server = server.restart().await?;

        let cms: Api<ConfigMap> = Api::namespaced(server.kube(), "default");
        let stored: BTreeMap<String, ConfigMap> = cms
            .list(&ListParams::default().labels("durability=test"))
            .await?
            .items
            .into_iter()
            .map(|o| (o.metadata.name.clone().unwrap_or_default(), o))
            .collect();
        for o in stored.values() {
            let name = o.metadata.name.as_deref().unwrap_or_default();
            let data = o.data.as_ref().and_then(|d| d.get("name"));
            assert_eq!(
                data.map(String::as_str),
                Some(name),
                "round {round}: {name} is whole"
            );
            highest_seen = highest_seen.max(revision(o));
        }
        let acknowledged = acknowledged
            .lock()
            .map_err(|_| anyhow::anyhow!("lock"))?
            .clone();
        for (name, rv) in &acknowledged {
            let o = stored
                .get(name)
                .unwrap_or_else(|| panic!("round {round}: acknowledged {name} was lost"));
            assert_eq!(revision(o), *rv, "round {round}: {name} as acknowledged");
            highest_seen = highest_seen.max(*rv);
        }
        // Revisions keep increasing across the restart.
        let next = cms
            .create(&PostParams::default(), &cm(&format!("after-{round}")))
            .await?;
        assert!(
            revision(&next) > highest_seen,
            "round {round}: revision {} after {highest_seen}",
            revision(&next)
        );
        highest_seen = revision(&next);
    }
    let total = acknowledged
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .len();
    assert!(total > ROUNDS * WRITERS, "writes were made: {total}");
    Ok(())
}
