//! Secrets: `stringData`, base64 values, typed Secrets, the size limit.

use super::prelude::*;

#[tokio::test]
async fn secret_string_data_is_merged_into_data() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("stringdata").await?;
    let secrets: Api<Secret> = Api::namespaced(c.client.clone(), &ns);
    let mut s = secret("sd", &[("a", b"from-data"), ("b", b"kept")]);
    s.string_data = Some(BTreeMap::from([
        ("a".into(), "from-string-data".into()),
        ("c".into(), "new".into()),
    ]));
    let created = secrets.create(&PostParams::default(), &s).await?;
    ensure!(
        created.string_data.is_none(),
        "stringData is never returned"
    );
    let data = created.data.context("data")?;
    ensure!(data.get("a").map(|b| b.0.as_slice()) == Some(b"from-string-data".as_slice()));
    ensure!(data.get("b").map(|b| b.0.as_slice()) == Some(b"kept".as_slice()));
    ensure!(data.get("c").map(|b| b.0.as_slice()) == Some(b"new".as_slice()));
    ensure!(created.type_.as_deref() == Some("Opaque"));
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn secret_values_must_be_base64_and_keys_valid() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("secretkeys").await?;
    let path = format!("/api/v1/namespaces/{ns}/secrets");
    // Kubernetes refuses undecodable data while decoding: 400, not 422.
    let (code, s) = c
        .raw_json(
            Method::POST,
            &path,
            &json!({"metadata": {"name": "b"}, "data": {"k": "not*base64"}}),
        )
        .await?;
    ensure!(
        code == StatusCode::BAD_REQUEST && s["reason"] == "BadRequest",
        "{code} {s}"
    );
    let msg = s["message"].as_str().unwrap_or_default();
    ensure!(msg.contains("illegal base64 data at input byte"), "{msg}");
    ensure!(
        !msg.contains("not*base64"),
        "the value is not echoed: {msg}"
    );

    let (code, s) = c
        .raw_json(
            Method::POST,
            &path,
            &json!({"metadata": {"name": "k"}, "data": {"bad key": "eA=="}}),
        )
        .await?;
    ensure!(code == StatusCode::UNPROCESSABLE_ENTITY, "{code} {s}");
    ensure!(s["details"]["causes"][0]["field"] == "data[bad key]", "{s}");
    ensure!(
        s["message"].as_str().is_some_and(
            |m| m.contains("a valid config key must consist of alphanumeric characters")
        ),
        "{s}"
    );
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn dockerconfigjson_secrets_need_a_json_document() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("dockercfg").await?;
    let path = format!("/api/v1/namespaces/{ns}/secrets");
    let ty = "kubernetes.io/dockerconfigjson";
    let (code, s) = c
        .raw_json(
            Method::POST,
            &path,
            &json!({"metadata": {"name": "m"}, "type": ty, "data": {}}),
        )
        .await?;
    ensure!(code == StatusCode::UNPROCESSABLE_ENTITY, "{code} {s}");
    ensure!(
        s["message"] == "Secret \"m\" is invalid: data[.dockerconfigjson]: Required value",
        "{s}"
    );
    ensure!(s["details"]["causes"][0]["reason"] == "FieldValueRequired");

    // base64 of `hunter2-not-json`: not JSON, and must not be echoed.
    let (code, s) = c
        .raw_json(
            Method::POST,
            &path,
            &json!({"metadata": {"name": "j"}, "type": ty, "data": {".dockerconfigjson": "aHVudGVyMi1ub3QtanNvbg=="}}),
        )
        .await?;
    ensure!(code == StatusCode::UNPROCESSABLE_ENTITY, "{code} {s}");
    let msg = s["message"].as_str().unwrap_or_default();
    ensure!(
        msg.starts_with("Secret \"j\" is invalid: data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": "),
        "{msg}"
    );
    ensure!(
        !s.to_string().contains("hunter2") && !s.to_string().contains("aHVudGVy"),
        "{s}"
    );

    let secrets: Api<Secret> = Api::namespaced(c.client.clone(), &ns);
    let mut ok = secret(
        "ok",
        &[(
            ".dockerconfigjson",
            br#"{"auths":{"example.com":{"auth":"dTpw"}}}"#,
        )],
    );
    ok.type_ = Some(ty.into());
    let created = secrets.create(&PostParams::default(), &ok).await?;
    ensure!(created.type_.as_deref() == Some(ty));
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn oversized_objects_are_refused() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("size").await?;
    // Data over 1 MiB: 422 from validation, on both.
    let big = "x".repeat(1024 * 1024 + 10);
    let (code, s) = c
        .raw_json(
            Method::POST,
            &format!("/api/v1/namespaces/{ns}/configmaps"),
            &json!({"metadata": {"name": "big"}, "data": {"k": big}}),
        )
        .await?;
    ensure!(
        code == StatusCode::UNPROCESSABLE_ENTITY,
        "{code} {}",
        s["message"]
    );
    // A request body over 3 MiB: 413 RequestEntityTooLarge, on both.
    let huge = "y".repeat(3 * 1024 * 1024 + 10);
    let (code, s) = c
        .raw_json(
            Method::POST,
            &format!("/api/v1/namespaces/{ns}/configmaps"),
            &json!({"metadata": {"name": "huge"}, "data": {"k": huge}}),
        )
        .await?;
    ensure!(
        code == StatusCode::PAYLOAD_TOO_LARGE,
        "{code} {}",
        s["message"]
    );
    if c.is_embedded() {
        // Embedded only: a stored object is limited to 1 MiB (a real cluster's
        // etcd allows about 1.5 MiB).
        let (code, s) = c
            .raw_json(
                Method::POST,
                &format!("/apis/example.com/v1/namespaces/{ns}/blobs"),
                &json!({"apiVersion": "example.com/v1", "kind": "Blob", "metadata": {"name": "b"}, "spec": {"k": "z".repeat(1024 * 1024 + 10)}}),
            )
            .await?;
        ensure!(
            code == StatusCode::PAYLOAD_TOO_LARGE && s["reason"] == "RequestEntityTooLarge",
            "{code} {s}"
        );
    }
    c.cleanup().await;
    Ok(())
}
