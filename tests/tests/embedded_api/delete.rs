//! Deletion: its answers and options, finalizers.

use super::prelude::*;

#[tokio::test]
async fn delete_answers_with_status_or_object_and_takes_optional_options() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("delete").await?;
    let secrets: Api<Secret> = Api::namespaced(c.client.clone(), &ns);
    let created = secrets
        .create(&PostParams::default(), &secret("s", &[]))
        .await?;
    let path = format!("/api/v1/namespaces/{ns}/secrets/s");
    let (code, status) = c.raw(Method::DELETE, &path, None, vec![]).await?;
    ensure!(code == StatusCode::OK, "{code} {status}");
    ensure!(
        status["kind"] == "Status" && status["status"] == "Success",
        "{status}"
    );
    ensure!(status["details"]["name"] == "s" && status["details"]["kind"] == "secrets");
    ensure!(status["details"]["uid"].as_str() == created.metadata.uid.as_deref());
    let (code, _) = c.raw(Method::DELETE, &path, None, vec![]).await?;
    ensure!(code == StatusCode::NOT_FOUND);

    secrets
        .create(&PostParams::default(), &secret("t", &[]))
        .await?;
    let opts =
        json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"});
    let (code, _) = c
        .raw_json(
            Method::DELETE,
            &format!("/api/v1/namespaces/{ns}/secrets/t"),
            &opts,
        )
        .await?;
    ensure!(code == StatusCode::OK);
    ensure!(secrets.get_opt("t").await?.is_none());

    if let Some(ar) = c
        .berth_crds("delete_answers_with_status_or_object_and_takes_optional_options")
        .await?
    {
        let ips: Api<DynamicObject> = Api::namespaced_with(c.client.clone(), &ns, &ar);
        ips.create(
            &PostParams::default(),
            &DynamicObject::new("d", &ar)
                .data(json!({"spec": {"reference": "docker.io/library/nginx:latest"}})),
        )
        .await?;
        let deleted = ips.delete("d", &DeleteParams::default()).await?;
        let obj = deleted
            .left()
            .context("custom resources return the deleted object")?;
        ensure!(obj.metadata.name.as_deref() == Some("d"));
    }
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn finalizers_hold_deletion_until_the_last_is_removed() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("finalizers").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    let mut cm = configmap("held", &[], &[]);
    cm.metadata.finalizers = Some(vec!["example.com/hold".into(), "example.com/second".into()]);
    let created = cms.create(&PostParams::default(), &cm).await?;
    let mut events = cms
        .watch(
            &WatchParams::default()
                .fields("metadata.name=held")
                .timeout(60),
            &created.metadata.resource_version.clone().context("rv")?,
        )
        .await?
        .boxed();

    let deleted = cms.delete("held", &DeleteParams::default()).await?;
    let marked = deleted
        .left()
        .context("a delete that only marks returns the object")?;
    ensure!(marked.metadata.deletion_timestamp.is_some());
    let still = cms.get("held").await?;
    ensure!(still.metadata.deletion_timestamp.is_some());

    // No new finalizers once deletion started.
    let err = cms
        .patch("held", &PatchParams::default(), &Patch::Merge(json!({"metadata": {"finalizers": ["example.com/hold", "example.com/second", "example.com/new"]}})))
        .await
        .err()
        .context("adding a finalizer to a deleting object succeeded")?;
    ensure!(api_error(&err)?.code == 422);

    cms.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": ["example.com/second"]}})),
    )
    .await?;
    ensure!(
        cms.get_opt("held").await?.is_some(),
        "one finalizer left: still there"
    );
    cms.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await?;
    ensure!(
        cms.get_opt("held").await?.is_none(),
        "last finalizer removed: gone"
    );
    loop {
        match next_event(&mut events).await? {
            WatchEvent::Deleted(o) => {
                ensure!(o.metadata.name.as_deref() == Some("held"));
                break;
            }
            WatchEvent::Modified(_) | WatchEvent::Bookmark(_) => {}
            other => bail!("unexpected event {other:?}"),
        }
    }
    c.cleanup().await;
    Ok(())
}
