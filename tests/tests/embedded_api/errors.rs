//! Errors as `metav1.Status`: not found, already exists, invalid, bad request, method not allowed.

use super::prelude::*;

#[tokio::test]
async fn missing_objects_and_namespaces_are_not_found() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("notfound").await?;
    let (code, status) = c
        .raw(
            Method::GET,
            &format!("/api/v1/namespaces/{ns}/secrets/nope"),
            None,
            vec![],
        )
        .await?;
    ensure!(code == StatusCode::NOT_FOUND);
    ensure!(
        status["kind"] == "Status" && status["apiVersion"] == "v1",
        "{status}"
    );
    ensure!(
        status["status"] == "Failure" && status["reason"] == "NotFound" && status["code"] == 404
    );
    ensure!(
        status["message"] == "secrets \"nope\" not found",
        "{status}"
    );
    ensure!(status["details"]["name"] == "nope" && status["details"]["kind"] == "secrets");

    let missing = unique("absent");
    let err = Api::<Namespace>::all(c.client.clone())
        .get(&missing)
        .await
        .err()
        .context("get of a missing namespace succeeded")?;
    let s = api_error(&err)?;
    ensure!(s.code == 404 && s.message == format!("namespaces \"{missing}\" not found"));

    // Creating into a namespace that does not exist.
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &missing);
    let err = cms
        .create(&PostParams::default(), &configmap("x", &[], &[]))
        .await
        .err()
        .context("create in a missing namespace succeeded")?;
    let s = api_error(&err)?;
    ensure!(s.code == 404 && s.reason == "NotFound", "{s:?}");
    ensure!(
        s.message == format!("namespaces \"{missing}\" not found"),
        "{s:?}"
    );
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn creating_twice_is_already_exists() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("exists").await?;
    let secrets: Api<Secret> = Api::namespaced(c.client.clone(), &ns);
    secrets
        .create(&PostParams::default(), &secret("dup", &[]))
        .await?;
    let err = secrets
        .create(&PostParams::default(), &secret("dup", &[]))
        .await
        .err()
        .context("second create succeeded")?;
    let s = api_error(&err)?;
    ensure!(s.code == 409 && s.reason == "AlreadyExists", "{s:?}");
    ensure!(s.message == "secrets \"dup\" already exists", "{s:?}");
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn invalid_names_are_unprocessable_with_causes() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("names").await?;
    let (code, s) = c
        .raw_json(
            Method::POST,
            "/api/v1/namespaces",
            &json!({"metadata": {"name": "Bad_Name"}}),
        )
        .await?;
    ensure!(code == StatusCode::UNPROCESSABLE_ENTITY, "{code}: {s}");
    ensure!(s["reason"] == "Invalid" && s["code"] == 422 && s["details"]["kind"] == "Namespace");
    let cause = &s["details"]["causes"][0];
    ensure!(
        cause["field"] == "metadata.name" && cause["reason"] == "FieldValueInvalid",
        "{s}"
    );
    let msg = s["message"].as_str().unwrap_or_default();
    ensure!(
        msg.starts_with("Namespace \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of"),
        "{msg}"
    );

    let long = "a".repeat(64);
    let (code, s) = c
        .raw_json(
            Method::POST,
            "/api/v1/namespaces",
            &json!({"metadata": {"name": long}}),
        )
        .await?;
    ensure!(code == StatusCode::UNPROCESSABLE_ENTITY, "{code}");
    ensure!(
        s["message"]
            .as_str()
            .is_some_and(|m| m.contains("must be no more than 63 characters")),
        "{s}"
    );

    let (code, s) = c
        .raw_json(
            Method::POST,
            &format!("/api/v1/namespaces/{ns}/secrets"),
            &json!({"metadata": {"name": "a_b"}}),
        )
        .await?;
    ensure!(code == StatusCode::UNPROCESSABLE_ENTITY, "{code}");
    ensure!(
        s["message"]
            .as_str()
            .is_some_and(|m| m.contains("a lowercase RFC 1123 subdomain must consist of")),
        "{s}"
    );
    let (code, s) = c
        .raw_json(
            Method::POST,
            &format!("/api/v1/namespaces/{ns}/secrets"),
            &json!({"metadata": {}}),
        )
        .await?;
    ensure!(code == StatusCode::UNPROCESSABLE_ENTITY, "{code}");
    ensure!(
        s["details"]["causes"][0]["field"] == "metadata.name"
            && s["details"]["causes"][0]["reason"] == "FieldValueRequired",
        "{s}"
    );
    let (code, s) = c
        .raw_json(
            Method::POST,
            &format!("/api/v1/namespaces/{ns}/configmaps"),
            &json!({"metadata": {"name": "lbl", "labels": {"ok": "has space"}}}),
        )
        .await?;
    ensure!(
        code == StatusCode::UNPROCESSABLE_ENTITY,
        "bad label value: {code} {s}"
    );
    ensure!(
        s["details"]["causes"][0]["field"] == "metadata.labels",
        "{s}"
    );
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn mismatched_names_namespaces_and_bad_json_are_bad_requests() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("badreq").await?;
    let other = c.namespace("badreq-other").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    cms.create(&PostParams::default(), &configmap("real", &[], &[]))
        .await?;

    let path = format!("/api/v1/namespaces/{ns}/configmaps");
    let (code, s) = c
        .raw_json(
            Method::PUT,
            &format!("{path}/real"),
            &json!({"metadata": {"name": "other"}}),
        )
        .await?;
    ensure!(
        code == StatusCode::BAD_REQUEST && s["reason"] == "BadRequest",
        "{code} {s}"
    );
    ensure!(
        s["message"] == "the name of the object (other) does not match the name on the URL (real)",
        "{s}"
    );
    let (code, s) = c
        .raw_json(
            Method::POST,
            &path,
            &json!({"metadata": {"name": "x", "namespace": other}}),
        )
        .await?;
    ensure!(code == StatusCode::BAD_REQUEST, "{code} {s}");
    ensure!(
        s["message"]
            == "the namespace of the provided object does not match the namespace sent on the request",
        "{s}"
    );
    let (code, s) = c
        .raw(
            Method::POST,
            &path,
            Some("application/json"),
            b"{not json".to_vec(),
        )
        .await?;
    ensure!(
        code == StatusCode::BAD_REQUEST && s["kind"] == "Status",
        "{code} {s}"
    );
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn unsupported_methods_are_method_not_allowed() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("methods").await?;
    Api::<ConfigMap>::namespaced(c.client.clone(), &ns)
        .create(&PostParams::default(), &configmap("m", &[], &[]))
        .await?;
    let (code, s) = c
        .raw_json(
            Method::POST,
            &format!("/api/v1/namespaces/{ns}/configmaps/m"),
            &json!({}),
        )
        .await?;
    ensure!(code == StatusCode::METHOD_NOT_ALLOWED, "{code} {s}");
    ensure!(
        s["kind"] == "Status" && s["reason"] == "MethodNotAllowed" && s["code"] == 405,
        "{s}"
    );
    let (code, _) = c
        .raw_json(
            Method::POST,
            "/api/v1/configmaps",
            &json!({"metadata": {"name": "y"}}),
        )
        .await?;
    ensure!(
        code == StatusCode::METHOD_NOT_ALLOWED,
        "POST to the all-namespaces path: {code}"
    );
    c.cleanup().await;
    Ok(())
}
