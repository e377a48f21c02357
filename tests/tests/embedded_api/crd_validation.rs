//! Custom resources are checked against their CRD's OpenAPI v3 schema on
//! create, replace and patch, and refused with `422 Invalid` and one cause
//! per field, as a real cluster with the berth.dev CRDs does.

use anyhow::{Context, ensure};
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use serde_json::json;

use super::support::{TestCluster, api_error};

fn job_templates() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("berth.dev", "v1alpha1", "JobTemplate"),
        "jobtemplates",
    )
}

fn causes(status: &kube::core::Status) -> Vec<(String, String)> {
    status
        .details
        .as_ref()
        .map(|d| {
            d.causes
                .iter()
                .map(|c| (c.field.clone(), c.reason.clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn custom_resources_are_validated_against_their_crd_schema() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let Some(ip) = c
        .berth_crds("custom_resources_are_validated_against_their_crd_schema")
        .await?
    else {
        c.cleanup().await;
        return Ok(());
    };
    let ns = c.namespace("schema").await?;
    let ar = job_templates();
    let api: Api<DynamicObject> = Api::namespaced_with(c.client.clone(), &ns, &ar);

    // Create: every violation is a cause, worded as Kubernetes words it.
    let bad = DynamicObject::new("bad", &ar).data(json!({"spec": {
        "image": "docker.io/library/busybox:latest",
        "size": "huge",
        "retryLimit": 20,
        "maxExecutionSeconds": 600,
        "env": [{"name": "1X"}]
    }}));
    let err = api
        .create(&PostParams::default(), &bad)
        .await
        .err()
        .context("an invalid JobTemplate was created")?;
    let s = api_error(&err)?;
    ensure!(s.code == 422 && s.reason == "Invalid", "{s:?}");
    ensure!(
        s.message
            .starts_with("JobTemplate.berth.dev \"bad\" is invalid: ["),
        "{s:?}"
    );
    for part in [
        "spec.retryLimit: Invalid value: 20: spec.retryLimit in body should be less than or equal to 10",
        "spec.size: Unsupported value: \"huge\": supported values: \"extra-small\", \"small\", \"medium\", \"large\", \"extra-large\"",
        "spec.env[0].name: Invalid value: \"1X\": spec.env[0].name in body should match '^[A-Za-z_][A-Za-z0-9_]*$'",
    ] {
        ensure!(s.message.contains(part), "{part} missing in {s:?}");
    }
    let got = causes(s);
    for want in [
        ("spec.retryLimit", "FieldValueInvalid"),
        ("spec.size", "FieldValueNotSupported"),
        ("spec.env[0].name", "FieldValueInvalid"),
    ] {
        ensure!(
            got.iter().any(|(f, r)| f == want.0 && r == want.1),
            "{want:?} not in {got:?}"
        );
    }
    ensure!(api.get_opt("bad").await?.is_none(), "nothing was stored");

    // A valid one is stored; a patch that breaks it is refused and changes nothing.
    let good = DynamicObject::new("good", &ar).data(json!({"spec": {
        "image": "docker.io/library/busybox:latest",
        "size": "small",
        "retryLimit": 3,
        "maxExecutionSeconds": 600
    }}));
    api.create(&PostParams::default(), &good).await?;
    let err = api
        .patch(
            "good",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"maxExecutionSeconds": "soon"}})),
        )
        .await
        .err()
        .context("an invalid patch was applied")?;
    let s = api_error(&err)?;
    ensure!(s.code == 422, "{s:?}");
    ensure!(
        causes(s)
            == [(
                "spec.maxExecutionSeconds".to_owned(),
                "FieldValueInvalid".to_owned()
            )],
        "{s:?}"
    );
    let stored = api.get("good").await?;
    ensure!(
        stored.data["spec"]["maxExecutionSeconds"] == 600,
        "{stored:?}"
    );

    // Replace without a required field.
    let mut missing = stored.clone();
    if let Some(spec) = missing.data["spec"].as_object_mut() {
        spec.remove("size");
    }
    let err = api
        .replace("good", &PostParams::default(), &missing)
        .await
        .err()
        .context("a JobTemplate without size was stored")?;
    let s = api_error(&err)?;
    ensure!(s.code == 422, "{s:?}");
    ensure!(
        causes(s) == [("spec.size".to_owned(), "FieldValueRequired".to_owned())],
        "{s:?}"
    );

    // ImagePointer has its schema too.
    let pointers: Api<DynamicObject> = Api::namespaced_with(c.client.clone(), &ns, &ip);
    let err = pointers
        .create(
            &PostParams::default(),
            &DynamicObject::new("p", &ip).data(json!({"spec": {"credential": "hub"}})),
        )
        .await
        .err()
        .context("an ImagePointer without reference was stored")?;
    let s = api_error(&err)?;
    ensure!(
        s.code == 422 && s.message.contains("spec.reference: Required value"),
        "{s:?}"
    );
    c.cleanup().await;
    Ok(())
}
