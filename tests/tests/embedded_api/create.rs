//! Creating objects: the metadata the server sets, and what it ignores.

use super::prelude::*;

#[tokio::test]
async fn namespace_create_sets_finalizer_phase_and_server_metadata() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let name = c.namespace("meta").await?;
    let ns = Api::<Namespace>::all(c.client.clone()).get(&name).await?;
    let uid = ns.metadata.uid.clone().context("uid")?;
    ensure!(
        uid.len() == 36 && uid.as_bytes()[14] == b'4',
        "uuid v4: {uid}"
    );
    ensure!(ns.metadata.creation_timestamp.is_some());
    rv_of(&ns.metadata)?;
    let spec = ns.spec.clone().context("spec")?;
    ensure!(
        spec.finalizers == Some(vec!["kubernetes".to_string()]),
        "{spec:?}"
    );
    ensure!(ns.status.and_then(|s| s.phase).as_deref() == Some("Active"));
    ensure!(
        ns.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("kubernetes.io/metadata.name"))
            == Some(&name)
    );
    // The raw JSON carries apiVersion, kind and an RFC 3339 timestamp with seconds.
    let (_, raw) = c
        .raw(
            Method::GET,
            &format!("/api/v1/namespaces/{name}"),
            None,
            vec![],
        )
        .await?;
    ensure!(
        raw["apiVersion"] == "v1" && raw["kind"] == "Namespace",
        "{raw}"
    );
    let ts = raw["metadata"]["creationTimestamp"]
        .as_str()
        .unwrap_or_default();
    ensure!(
        ts.len() == 20 && ts.ends_with('Z'),
        "creationTimestamp {ts}"
    );
    ensure!(raw["metadata"].get("managedFields").is_none() || !c.is_embedded());
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn create_ignores_client_set_uid_and_timestamp_and_fills_type_meta() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("typemeta").await?;
    // No apiVersion/kind in the body: the server fills them in.
    let body = json!({
        "metadata": {
            "name": "cfg",
            "uid": "00000000-0000-0000-0000-000000000000",
            "creationTimestamp": "2001-01-01T00:00:00Z",
        },
        "data": {"a": "b"},
    });
    let path = format!("/api/v1/namespaces/{ns}/configmaps");
    let (code, created) = c.raw_json(Method::POST, &path, &body).await?;
    ensure!(code == StatusCode::CREATED, "{code}: {created}");
    ensure!(created["apiVersion"] == "v1" && created["kind"] == "ConfigMap");
    ensure!(created["metadata"]["uid"] != "00000000-0000-0000-0000-000000000000");
    ensure!(created["metadata"]["creationTimestamp"] != "2001-01-01T00:00:00Z");
    ensure!(created["metadata"]["namespace"] == ns.as_str());
    let (_, list) = c.raw(Method::GET, &path, None, vec![]).await?;
    ensure!(
        list["kind"] == "ConfigMapList" && list["apiVersion"] == "v1",
        "{list}"
    );
    ensure!(
        list["items"][0]["kind"] == "ConfigMap",
        "items carry kind: {list}"
    );

    if c.is_embedded() {
        // Embedded only: a resourceVersion sent on create is ignored (a real
        // cluster refuses it with "resourceVersion should not be set on objects to be created").
        let body = json!({"metadata": {"name": "with-rv", "resourceVersion": "999999"}});
        let (code, created) = c.raw_json(Method::POST, &path, &body).await?;
        ensure!(code == StatusCode::CREATED, "{code}: {created}");
        ensure!(created["metadata"]["resourceVersion"] != "999999");
    }
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn generate_name_appends_five_random_characters() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("genname").await?;
    let secrets: Api<Secret> = Api::namespaced(c.client.clone(), &ns);
    let mut s = secret("", &[("k", b"v")]);
    s.metadata.name = None;
    s.metadata.generate_name = Some("gen-".into());
    let a = secrets.create(&PostParams::default(), &s).await?;
    let b = secrets.create(&PostParams::default(), &s).await?;
    for created in [&a, &b] {
        let name = created.metadata.name.clone().context("name")?;
        ensure!(name.len() == 9 && name.starts_with("gen-"), "{name}");
        ensure!(
            name[4..]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
            "{name}"
        );
    }
    ensure!(a.metadata.name != b.metadata.name);
    c.cleanup().await;
    Ok(())
}
