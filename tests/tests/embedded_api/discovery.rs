//! Discovery: `/api`, `/apis`, the resource lists and `/version`.

use super::prelude::*;

#[tokio::test]
async fn discovery_documents_list_served_resources() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let (code, version) = c.raw(Method::GET, "/version", None, vec![]).await?;
    ensure!(code == StatusCode::OK, "/version: {code}");
    let git = version["gitVersion"].as_str().unwrap_or_default();
    ensure!(git.starts_with("v1."), "gitVersion {git}");
    if c.is_embedded() {
        ensure!(git == "v1.33.0-berth", "gitVersion {git}");
    }

    let (_, api) = c.raw(Method::GET, "/api", None, vec![]).await?;
    ensure!(
        api["kind"] == "APIVersions" && api["versions"] == json!(["v1"]),
        "{api}"
    );

    let (_, core) = c.raw(Method::GET, "/api/v1", None, vec![]).await?;
    ensure!(core["kind"] == "APIResourceList" && core["groupVersion"] == "v1");
    let find = |list: &Value, name: &str| -> Option<Value> {
        list["resources"]
            .as_array()?
            .iter()
            .find(|r| r["name"] == name)
            .cloned()
    };
    let ns = find(&core, "namespaces").context("namespaces in /api/v1")?;
    ensure!(
        ns["namespaced"] == false && ns["kind"] == "Namespace" && ns["singularName"] == "namespace"
    );
    ensure!(ns["shortNames"] == json!(["ns"]), "{ns}");
    let cm = find(&core, "configmaps").context("configmaps")?;
    ensure!(
        cm["namespaced"] == true && cm["kind"] == "ConfigMap" && cm["shortNames"] == json!(["cm"])
    );
    let secrets = find(&core, "secrets").context("secrets")?;
    ensure!(secrets["kind"] == "Secret");
    for verb in [
        "create", "delete", "get", "list", "patch", "update", "watch",
    ] {
        ensure!(
            secrets["verbs"]
                .as_array()
                .is_some_and(|v| v.iter().any(|x| x == verb)),
            "secrets verbs lack {verb}: {secrets}"
        );
    }

    let (code, unknown) = c
        .raw(Method::GET, "/api/v1/no-such-things", None, vec![])
        .await?;
    ensure!(code == StatusCode::NOT_FOUND, "unknown resource: {code}");
    ensure!(
        unknown["kind"] == "Status" && unknown["reason"] == "NotFound",
        "{unknown}"
    );

    if c.berth_crds("discovery_documents_list_served_resources")
        .await?
        .is_some()
    {
        let (_, groups) = c.raw(Method::GET, "/apis", None, vec![]).await?;
        ensure!(groups["kind"] == "APIGroupList");
        let berth = groups["groups"]
            .as_array()
            .and_then(|g| g.iter().find(|g| g["name"] == "berth.dev").cloned())
            .context("berth.dev in /apis")?;
        ensure!(
            berth["versions"]
                .as_array()
                .is_some_and(|v| v.iter().any(|v| v["groupVersion"] == "berth.dev/v1alpha1")),
            "{berth}"
        );
        let (_, gv) = c
            .raw(Method::GET, "/apis/berth.dev/v1alpha1", None, vec![])
            .await?;
        let ip = find(&gv, "imagepointers").context("imagepointers")?;
        ensure!(ip["kind"] == "ImagePointer" && ip["namespaced"] == true);
        let jt = find(&gv, "jobtemplates").context("jobtemplates")?;
        ensure!(jt["kind"] == "JobTemplate");
    }
    c.cleanup().await;
    Ok(())
}
