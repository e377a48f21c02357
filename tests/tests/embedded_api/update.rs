//! Updates and patches: versions, conflicts, the three patch types, generation.

use super::prelude::*;

#[tokio::test]
async fn stale_resource_versions_conflict() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("conflict").await?;
    let secrets: Api<Secret> = Api::namespaced(c.client.clone(), &ns);
    let v1 = secrets
        .create(&PostParams::default(), &secret("x", &[("k", b"1")]))
        .await?;
    let mut v2 = v1.clone();
    v2.data = Some(BTreeMap::from([(
        "k".to_string(),
        ByteString(b"2".to_vec()),
    )]));
    let v2 = secrets.replace("x", &PostParams::default(), &v2).await?;
    ensure!(rv_of(&v2.metadata)? > rv_of(&v1.metadata)?);
    let err = secrets
        .replace("x", &PostParams::default(), &v1)
        .await
        .err()
        .context("stale replace succeeded")?;
    let s = api_error(&err)?;
    ensure!(s.code == 409 && s.reason == "Conflict", "{s:?}");
    ensure!(
        s.message
            == "Operation cannot be fulfilled on secrets \"x\": the object has been modified; please apply your changes to the latest version and try again",
        "{s:?}"
    );
    let stale = json!({"metadata": {"resourceVersion": v1.metadata.resource_version}, "data": {"k": "Mw=="}});
    let err = secrets
        .patch("x", &PatchParams::default(), &Patch::Merge(&stale))
        .await
        .err()
        .context("stale patch succeeded")?;
    ensure!(api_error(&err)?.code == 409);
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn update_without_resource_version_is_unconditional_for_builtins_only() -> anyhow::Result<()>
{
    let c = TestCluster::start().await?;
    let ns = c.namespace("uncond").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    cms.create(&PostParams::default(), &configmap("u", &[], &[("a", "1")]))
        .await?;
    let updated = cms
        .replace(
            "u",
            &PostParams::default(),
            &configmap("u", &[], &[("a", "2")]),
        )
        .await?;
    ensure!(updated.data.and_then(|d| d.get("a").cloned()).as_deref() == Some("2"));

    let Some(ar) = c
        .berth_crds("update_without_resource_version_is_unconditional_for_builtins_only")
        .await?
    else {
        c.cleanup().await;
        return Ok(());
    };
    let ips: Api<DynamicObject> = Api::namespaced_with(c.client.clone(), &ns, &ar);
    let obj = DynamicObject::new("ip", &ar)
        .data(json!({"spec": {"reference": "docker.io/library/nginx:latest"}}));
    ips.create(&PostParams::default(), &obj).await?;
    let err = ips
        .replace("ip", &PostParams::default(), &obj)
        .await
        .err()
        .context("custom resource replace without resourceVersion succeeded")?;
    let s = api_error(&err)?;
    ensure!(s.code == 422 && s.reason == "Invalid", "{s:?}");
    ensure!(
        s.message
            == "ImagePointer.berth.dev \"ip\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update",
        "{s:?}"
    );
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn merge_json_and_strategic_patches() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("patch").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    cms.create(
        &PostParams::default(),
        &configmap("p", &[], &[("a", "1"), ("b", "2")]),
    )
    .await?;
    let merged = cms
        .patch(
            "p",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"a": null, "c": "3"}})),
        )
        .await?;
    let data = merged.data.context("data")?;
    ensure!(
        data == BTreeMap::from([("b".into(), "2".into()), ("c".into(), "3".into())]),
        "{data:?}"
    );

    let path = format!("/api/v1/namespaces/{ns}/configmaps/p");
    let ops = json!([{"op": "add", "path": "/data/d", "value": "4"}, {"op": "remove", "path": "/data/b"}]);
    let (code, body) = c
        .raw(
            Method::PATCH,
            &path,
            Some("application/json-patch+json"),
            serde_json::to_vec(&ops)?,
        )
        .await?;
    ensure!(code == StatusCode::OK, "{code} {body}");
    ensure!(body["data"] == json!({"c": "3", "d": "4"}), "{body}");
    let failing = json!([{"op": "test", "path": "/data/c", "value": "nope"}]);
    let (code, body) = c
        .raw(
            Method::PATCH,
            &path,
            Some("application/json-patch+json"),
            serde_json::to_vec(&failing)?,
        )
        .await?;
    ensure!(
        code == StatusCode::UNPROCESSABLE_ENTITY && body["kind"] == "Status",
        "{code} {body}"
    );

    let strategic = cms
        .patch(
            "p",
            &PatchParams::default(),
            &Patch::Strategic(json!({"data": {"e": "5"}})),
        )
        .await?;
    ensure!(
        strategic
            .data
            .is_some_and(|d| d.get("e").map(String::as_str) == Some("5"))
    );

    let (code, body) = c
        .raw(Method::PATCH, &path, Some("text/plain"), b"{}".to_vec())
        .await?;
    ensure!(
        code == StatusCode::UNSUPPORTED_MEDIA_TYPE && body["reason"] == "UnsupportedMediaType",
        "{code} {body}"
    );

    if let Some(ar) = c.berth_crds("merge_json_and_strategic_patches").await? {
        let ips: Api<DynamicObject> = Api::namespaced_with(c.client.clone(), &ns, &ar);
        ips.create(
            &PostParams::default(),
            &DynamicObject::new("ip", &ar)
                .data(json!({"spec": {"reference": "docker.io/library/nginx:latest"}})),
        )
        .await?;
        let (code, body) = c
            .raw(
                Method::PATCH,
                &format!("/apis/berth.dev/v1alpha1/namespaces/{ns}/imagepointers/ip"),
                Some("application/strategic-merge-patch+json"),
                b"{}".to_vec(),
            )
            .await?;
        ensure!(
            code == StatusCode::UNSUPPORTED_MEDIA_TYPE && body["reason"] == "UnsupportedMediaType",
            "{code} {body}"
        );
    }
    if c.is_embedded() {
        // Embedded only: server-side apply is not implemented (415).
        let (code, body) = c
            .raw(
                Method::PATCH,
                &format!("{path}?fieldManager=test"),
                Some("application/apply-patch+yaml"),
                b"{}".to_vec(),
            )
            .await?;
        ensure!(code == StatusCode::UNSUPPORTED_MEDIA_TYPE, "{code} {body}");
    }
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn generation_counts_spec_changes_of_custom_resources() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let Some(ar) = c
        .berth_crds("generation_counts_spec_changes_of_custom_resources")
        .await?
    else {
        return Ok(());
    };
    let ns = c.namespace("generation").await?;
    let ips: Api<DynamicObject> = Api::namespaced_with(c.client.clone(), &ns, &ar);
    let created = ips
        .create(
            &PostParams::default(),
            &DynamicObject::new("g", &ar)
                .data(json!({"spec": {"reference": "docker.io/library/a:1"}})),
        )
        .await?;
    ensure!(created.metadata.generation == Some(1));
    ensure!(
        created
            .types
            .as_ref()
            .is_some_and(|t| t.kind == "ImagePointer" && t.api_version == "berth.dev/v1alpha1")
    );
    let labelled = ips
        .patch(
            "g",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"x": "y"}}})),
        )
        .await?;
    ensure!(
        labelled.metadata.generation == Some(1),
        "metadata changes keep the generation"
    );
    ensure!(rv_of(&labelled.metadata)? > rv_of(&created.metadata)?);
    let changed = ips
        .patch(
            "g",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"reference": "docker.io/library/a:2"}})),
        )
        .await?;
    ensure!(
        changed.metadata.generation == Some(2),
        "{:?}",
        changed.metadata.generation
    );
    let same = ips
        .patch(
            "g",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"reference": "docker.io/library/a:2"}})),
        )
        .await?;
    ensure!(
        same.metadata.resource_version == changed.metadata.resource_version,
        "a no-op patch writes nothing"
    );
    c.cleanup().await;
    Ok(())
}
