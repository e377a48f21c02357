//! The embedded Kubernetes-compatible API server, tested as a Kubernetes API.
//!
//! By default every test starts the real `berth` binary with
//! `--embedded-api-listen 127.0.0.1:0` and talks to that port. With
//! `BERTH_TEST_KUBECONFIG=/path/to/kubeconfig` the same tests run against a real
//! cluster instead, with the same assertions: that is how the embedded server's
//! fidelity is checked. Tests that only make sense for the embedded server
//! (`kill -9` persistence, kubectl against `--embedded-api-listen`, its size
//! limit, custom resources without a CRD) say so and are skipped, with a
//! printed reason, on a real cluster; so are custom-resource tests when the
//! berth.dev CRDs are not installed there.
//!
//! Each test works in its own uniquely named namespace(s), so tests run in
//! parallel. Most use `kube::Api`; `raw` requests (still through kube's
//! client, so they work with a real cluster's TLS and credentials) check what
//! `kube` hides: status codes, raw `metav1.Status` bodies, 405, 413, 415.

mod embedded_api {
    pub mod crd_validation;
    pub mod support;
}

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use embedded_api::support::{
    TestCluster, api_error, eventually, labels, next_event, unique, unique_label,
};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{
    Api, DeleteParams, DynamicObject, ListParams, ObjectMeta, Patch, PatchParams, PostParams,
    WatchEvent, WatchParams,
};
use kube::runtime::watcher;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn configmap(name: &str, labels_: &[(&str, &str)], data: &[(&str, &str)]) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(labels(labels_)),
            ..ObjectMeta::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        ),
        ..ConfigMap::default()
    }
}

fn secret(name: &str, data: &[(&str, &[u8])]) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| ((*k).to_string(), ByteString(v.to_vec())))
                .collect(),
        ),
        ..Secret::default()
    }
}

fn rv_of(meta: &ObjectMeta) -> anyhow::Result<u64> {
    meta.resource_version
        .as_deref()
        .context("no resourceVersion")?
        .parse()
        .context("resourceVersion is not an integer")
}

// ------------------------------------------------------------------ discovery

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

// ------------------------------------------------------------------ create / metadata

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

// ------------------------------------------------------------------ errors as Status

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

// ------------------------------------------------------------------ list

#[tokio::test]
async fn list_filters_with_every_label_selector_operator() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("labels").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    for (name, tier, env) in [
        ("a", Some("web"), Some("prod")),
        ("b", Some("db"), Some("prod")),
        ("c", Some("web"), Some("dev")),
        ("d", None, Some("dev")),
        ("e", Some("cache"), None),
    ] {
        let mut l = vec![];
        if let Some(t) = tier {
            l.push(("tier", t));
        }
        if let Some(e) = env {
            l.push(("env", e));
        }
        cms.create(&PostParams::default(), &configmap(name, &l, &[]))
            .await?;
    }
    let cases: &[(&str, &[&str])] = &[
        ("tier=web", &["a", "c"]),
        ("tier==web", &["a", "c"]),
        ("tier!=web", &["b", "d", "e"]),
        ("tier in (web,db)", &["a", "b", "c"]),
        ("tier notin (web)", &["b", "d", "e"]),
        ("tier", &["a", "b", "c", "e"]),
        ("!tier", &["d"]),
        ("tier=web,env=prod", &["a"]),
        ("env,!tier", &["d"]),
        ("tier in (web, cache),env notin (dev)", &["a", "e"]),
    ];
    for (sel, want) in cases {
        let got: Vec<String> = cms
            .list(&ListParams::default().labels(sel))
            .await?
            .items
            .into_iter()
            .filter_map(|o| o.metadata.name)
            .filter(|n| n.len() == 1)
            .collect();
        ensure!(got == *want, "selector {sel:?}: got {got:?}, want {want:?}");
    }
    let (code, s) = c
        .raw(
            Method::GET,
            &format!("/api/v1/namespaces/{ns}/configmaps?labelSelector=tier%20in%20(web"),
            None,
            vec![],
        )
        .await?;
    ensure!(
        code == StatusCode::BAD_REQUEST && s["reason"] == "BadRequest",
        "{code} {s}"
    );
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn list_filters_with_field_selectors_across_namespaces() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns1 = c.namespace("fields-a").await?;
    let ns2 = c.namespace("fields-b").await?;
    let run = unique_label();
    for ns in [&ns1, &ns2] {
        let secrets: Api<Secret> = Api::namespaced(c.client.clone(), ns);
        for name in ["one", "two"] {
            let mut s = secret(name, &[]);
            s.metadata.labels = Some(labels(&[("run", &run)]));
            secrets.create(&PostParams::default(), &s).await?;
        }
    }
    let all: Api<Secret> = Api::all(c.client.clone());
    let sel = format!("run={run}");
    // (namespace, name) of the secrets of this run that match `fields`.
    let matching = async |fields: &str| -> anyhow::Result<Vec<(String, String)>> {
        let mut params = ListParams::default().labels(&sel);
        if !fields.is_empty() {
            params = params.fields(fields);
        }
        let mut v: Vec<_> = all
            .list(&params)
            .await?
            .items
            .into_iter()
            .map(|s| {
                (
                    s.metadata.namespace.unwrap_or_default(),
                    s.metadata.name.unwrap_or_default(),
                )
            })
            .collect();
        v.sort();
        Ok(v)
    };
    let everything = matching("").await?;
    ensure!(everything.len() == 4, "all-namespaces list: {everything:?}");
    let one = matching("metadata.name=one").await?;
    ensure!(
        one == vec![(ns1.clone(), "one".into()), (ns2.clone(), "one".into())],
        "{one:?}"
    );
    ensure!(matching("metadata.name==one").await? == one);
    let not_one = matching("metadata.name!=one").await?;
    ensure!(
        not_one == vec![(ns1.clone(), "two".into()), (ns2.clone(), "two".into())],
        "{not_one:?}"
    );
    let in_ns2 = matching(&format!("metadata.namespace={ns2},metadata.name=two")).await?;
    ensure!(in_ns2 == vec![(ns2.clone(), "two".into())], "{in_ns2:?}");
    let (code, _) = c
        .raw(
            Method::GET,
            "/api/v1/secrets?fieldSelector=spec.nothing%3Dx",
            None,
            vec![],
        )
        .await?;
    ensure!(
        code == StatusCode::BAD_REQUEST,
        "unknown field label: {code}"
    );
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn list_pages_with_limit_continue_and_remaining_count() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("paging").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    let mut last_rv = 0;
    for i in 0..7 {
        let created = cms
            .create(
                &PostParams::default(),
                &configmap(&format!("page-{i}"), &[("paged", "yes")], &[]),
            )
            .await?;
        last_rv = rv_of(&created.metadata)?;
    }
    let lp = ListParams::default().labels("paged=yes");
    let full = cms.list(&lp).await?;
    ensure!(
        rv_of(&ObjectMeta {
            resource_version: full.metadata.resource_version.clone(),
            ..ObjectMeta::default()
        })? >= last_rv,
        "list resourceVersion is at least the latest write"
    );
    // Kubernetes counts remaining items only for unfiltered lists.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let mut p = ListParams::default().limit(3);
        if let Some(t) = &token {
            p = p.continue_token(t);
        }
        let page = cms.list(&p).await?;
        ensure!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().filter_map(|o| o.metadata.name));
        remaining.push(page.metadata.remaining_item_count);
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    let mine: Vec<_> = seen
        .iter()
        .filter(|n| n.starts_with("page-"))
        .cloned()
        .collect();
    let want: Vec<String> = (0..7).map(|i| format!("page-{i}")).collect();
    ensure!(mine == want, "pages: {seen:?}");
    let extra = seen.len() - mine.len(); // e.g. kube-root-ca.crt on a real cluster
    ensure!(
        remaining.first() == Some(&Some(i64::try_from(seen.len() - 3)?)),
        "remaining {remaining:?} extra {extra}"
    );
    ensure!(
        remaining.last() == Some(&None),
        "last page has no remainingItemCount: {remaining:?}"
    );
    let (code, _) = c
        .raw(
            Method::GET,
            &format!("/api/v1/namespaces/{ns}/configmaps?limit=2&continue=garbage"),
            None,
            vec![],
        )
        .await?;
    ensure!(
        code == StatusCode::BAD_REQUEST,
        "bad continue token: {code}"
    );
    c.cleanup().await;
    Ok(())
}

// ------------------------------------------------------------------ update / patch

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

// ------------------------------------------------------------------ delete / finalizers

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

// ------------------------------------------------------------------ secrets

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

// ------------------------------------------------------------------ namespaces

fn condition<'a>(
    ns: &'a Namespace,
    ty: &str,
) -> Option<&'a k8s_openapi::api::core::v1::NamespaceCondition> {
    ns.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == ty)
}

#[tokio::test]
async fn namespace_deletion_removes_content_and_reports_conditions() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let name = c.namespace("terminate").await?;
    let namespaces: Api<Namespace> = Api::all(c.client.clone());
    let secrets: Api<Secret> = Api::namespaced(c.client.clone(), &name);
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &name);
    secrets
        .create(&PostParams::default(), &secret("free", &[]))
        .await?;
    let mut held = secret("held", &[]);
    held.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    secrets.create(&PostParams::default(), &held).await?;
    cms.create(&PostParams::default(), &configmap("plain", &[], &[]))
        .await?;
    let crds = c
        .berth_crds(
            "namespace_deletion_removes_content_and_reports_conditions (custom resource part)",
        )
        .await?;
    if let Some(ar) = &crds {
        let ips: Api<DynamicObject> = Api::namespaced_with(c.client.clone(), &name, ar);
        let mut ip = DynamicObject::new("held-ip", ar)
            .data(json!({"spec": {"reference": "docker.io/library/nginx:latest"}}));
        ip.metadata.finalizers = Some(vec!["example.com/hold".into()]);
        ips.create(&PostParams::default(), &ip).await?;
        ips.create(
            &PostParams::default(),
            &DynamicObject::new("free-ip", ar)
                .data(json!({"spec": {"reference": "docker.io/library/nginx:latest"}})),
        )
        .await?;
    }

    let deleted = namespaces.delete(&name, &DeleteParams::default()).await?;
    let marked = deleted
        .left()
        .context("namespace delete returns the namespace")?;
    ensure!(marked.metadata.deletion_timestamp.is_some());
    ensure!(marked.status.and_then(|s| s.phase).as_deref() == Some("Terminating"));

    let (want_content, want_fins) = if crds.is_some() {
        (
            "Some resources are remaining: imagepointers.berth.dev has 1 resource instances, secrets. has 1 resource instances",
            "Some content in the namespace has finalizers remaining: example.com/hold in 2 resource instances",
        )
    } else {
        (
            "Some resources are remaining: secrets. has 1 resource instances",
            "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances",
        )
    };
    let ns = eventually(
        "namespace conditions report the held content",
        Duration::from_secs(90),
        || async {
            let ns = namespaces.get(&name).await.ok()?;
            let content = condition(&ns, "NamespaceContentRemaining")?;
            let fins = condition(&ns, "NamespaceFinalizersRemaining")?;
            (content.message.as_deref() == Some(want_content)
                && fins.message.as_deref() == Some(want_fins))
            .then_some(ns)
        },
    )
    .await?;
    let content = condition(&ns, "NamespaceContentRemaining").context("condition")?;
    ensure!(content.status == "True" && content.reason.as_deref() == Some("SomeResourcesRemain"));
    ensure!(content.last_transition_time.is_some());
    let fins = condition(&ns, "NamespaceFinalizersRemaining").context("condition")?;
    ensure!(fins.status == "True" && fins.reason.as_deref() == Some("SomeFinalizersRemain"));
    for ty in [
        "NamespaceDeletionDiscoveryFailure",
        "NamespaceDeletionGroupVersionParsingFailure",
        "NamespaceDeletionContentFailure",
    ] {
        let cond = condition(&ns, ty).with_context(|| format!("condition {ty}"))?;
        ensure!(cond.status == "False", "{ty}: {cond:?}");
    }
    ensure!(ns.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Terminating"));
    ensure!(
        secrets.get_opt("free").await?.is_none(),
        "content without finalizers is deleted"
    );
    ensure!(cms.get_opt("plain").await?.is_none());
    let held_now = secrets.get("held").await?;
    ensure!(
        held_now.metadata.deletion_timestamp.is_some(),
        "held content is marked for deletion"
    );

    // New content is refused while terminating.
    let err = cms
        .create(&PostParams::default(), &configmap("late", &[], &[]))
        .await
        .err()
        .context("create in a terminating namespace succeeded")?;
    let s = api_error(&err)?;
    ensure!(s.code == 403 && s.reason == "Forbidden", "{s:?}");
    ensure!(
        s.message
            == format!(
                "configmaps \"late\" is forbidden: unable to create new content in namespace {name} because it is being terminated"
            ),
        "{s:?}"
    );
    // Deleting it again: Kubernetes' conflict while content is being removed.
    let err = namespaces
        .delete(&name, &DeleteParams::default())
        .await
        .err()
        .context("second delete succeeded")?;
    ensure!(api_error(&err)?.code == 409);

    // Release the finalizers: the namespace goes away, and a watch sees it.
    let current = namespaces.get(&name).await?;
    let mut ns_events = namespaces
        .watch(
            &WatchParams::default()
                .fields(&format!("metadata.name={name}"))
                .timeout(90),
            &current.metadata.resource_version.clone().context("rv")?,
        )
        .await?
        .boxed();
    secrets
        .patch(
            "held",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await?;
    if let Some(ar) = &crds {
        Api::<DynamicObject>::namespaced_with(c.client.clone(), &name, ar)
            .patch(
                "held-ip",
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"finalizers": null}})),
            )
            .await?;
    }
    loop {
        match next_event(&mut ns_events).await? {
            WatchEvent::Deleted(ns) => {
                ensure!(ns.metadata.name.as_deref() == Some(name.as_str()));
                break;
            }
            WatchEvent::Modified(_) | WatchEvent::Bookmark(_) => {}
            other => bail!("unexpected namespace event {other:?}"),
        }
    }
    ensure!(namespaces.get_opt(&name).await?.is_none());
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn namespace_with_its_own_finalizer_waits_for_it() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let namespaces: Api<Namespace> = Api::all(c.client.clone());
    let name = unique("nsfin");
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            labels: Some(labels(&[("berth-test", "embedded-api")])),
            finalizers: Some(vec!["example.com/keep".into()]),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    namespaces.create(&PostParams::default(), &ns).await?;
    c.track_namespace(&name);
    namespaces.delete(&name, &DeleteParams::default()).await?;
    let waiting = eventually(
        "the kubernetes finalizer is removed",
        Duration::from_secs(90),
        || async {
            let ns = namespaces.get(&name).await.ok()?;
            let spec_fins = ns
                .spec
                .as_ref()
                .and_then(|s| s.finalizers.clone())
                .unwrap_or_default();
            spec_fins.is_empty().then_some(ns)
        },
    )
    .await?;
    ensure!(waiting.metadata.finalizers == Some(vec!["example.com/keep".to_string()]));
    ensure!(waiting.metadata.deletion_timestamp.is_some());
    let content = condition(&waiting, "NamespaceContentRemaining").context("condition")?;
    ensure!(
        content.status == "False" && content.reason.as_deref() == Some("ContentRemoved"),
        "{content:?}"
    );
    let fins = condition(&waiting, "NamespaceFinalizersRemaining").context("condition")?;
    ensure!(
        fins.status == "False" && fins.reason.as_deref() == Some("ContentHasNoFinalizers"),
        "{fins:?}"
    );
    namespaces
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await?;
    eventually("the namespace is gone", Duration::from_secs(30), || async {
        matches!(namespaces.get_opt(&name).await, Ok(None)).then_some(())
    })
    .await?;
    c.cleanup().await;
    Ok(())
}

// ------------------------------------------------------------------ watch

#[tokio::test]
async fn watch_replays_from_a_resource_version_and_applies_selectors() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("watch").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    let created = cms
        .create(
            &PostParams::default(),
            &configmap("w", &[("sel", "yes")], &[("k", "1")]),
        )
        .await?;
    let rv = created.metadata.resource_version.clone().context("rv")?;
    // Changes made before the watch starts are replayed from its resourceVersion.
    cms.patch(
        "w",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"k": "2"}})),
    )
    .await?;
    let mut all = cms
        .watch(&WatchParams::default().timeout(60), &rv)
        .await?
        .boxed();
    let mut selected = cms
        .watch(&WatchParams::default().labels("sel=yes").timeout(60), &rv)
        .await?
        .boxed();
    cms.patch(
        "w",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"sel": "no"}}})),
    )
    .await?;
    cms.patch(
        "w",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"sel": "yes"}}})),
    )
    .await?;
    cms.delete("w", &DeleteParams::default()).await?;

    let mut kinds = Vec::new();
    while kinds.len() < 4 {
        match next_event(&mut all).await? {
            WatchEvent::Modified(o) => {
                kinds.push(("MODIFIED", o.data.and_then(|d| d.get("k").cloned())))
            }
            WatchEvent::Deleted(o) => {
                kinds.push(("DELETED", o.data.and_then(|d| d.get("k").cloned())))
            }
            WatchEvent::Bookmark(_) => {}
            other => bail!("unexpected {other:?}"),
        }
    }
    ensure!(
        kinds.iter().map(|k| k.0).collect::<Vec<_>>()
            == ["MODIFIED", "MODIFIED", "MODIFIED", "DELETED"],
        "{kinds:?}"
    );
    ensure!(
        kinds[0].1.as_deref() == Some("2"),
        "the replayed change comes first: {kinds:?}"
    );

    // Through `sel=yes`: leaving the selection is a DELETED, re-entering an ADDED.
    let mut seen = Vec::new();
    while seen.len() < 4 {
        match next_event(&mut selected).await? {
            WatchEvent::Added(_) => seen.push("ADDED"),
            WatchEvent::Modified(_) => seen.push("MODIFIED"),
            WatchEvent::Deleted(_) => seen.push("DELETED"),
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(e) => bail!("error event {e:?}"),
        }
    }
    ensure!(
        seen == ["MODIFIED", "DELETED", "ADDED", "DELETED"],
        "{seen:?}"
    );
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn watch_without_resource_version_starts_with_current_objects() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("watch0").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    cms.create(
        &PostParams::default(),
        &configmap("existing", &[("w", "1")], &[]),
    )
    .await?;
    let mut stream = cms
        .watch(&WatchParams::default().labels("w=1").timeout(60), "0")
        .await?
        .boxed();
    match next_event(&mut stream).await? {
        WatchEvent::Added(o) => ensure!(o.metadata.name.as_deref() == Some("existing")),
        other => bail!("expected a synthetic ADDED, got {other:?}"),
    }
    cms.create(
        &PostParams::default(),
        &configmap("later", &[("w", "1")], &[]),
    )
    .await?;
    match next_event(&mut stream).await? {
        WatchEvent::Added(o) => ensure!(o.metadata.name.as_deref() == Some("later")),
        other => bail!("expected ADDED for a new object, got {other:?}"),
    }
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn watch_streams_newline_delimited_json_events() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("ndjson").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    cms.create(&PostParams::default(), &configmap("one", &[], &[]))
        .await?;
    let created = cms
        .create(&PostParams::default(), &configmap("two", &[], &[]))
        .await?;
    cms.delete("one", &DeleteParams::default()).await?;
    // `watch=1` from a revision, ended by the server after one second.
    let rv = created.metadata.resource_version.context("rv")?;
    let (code, content_type, body) = c
        .raw_bytes(
            Method::GET,
            &format!(
                "/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=1"
            ),
            None,
            vec![],
        )
        .await?;
    ensure!(code == StatusCode::OK, "{code}");
    ensure!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let text = String::from_utf8(body)?;
    let events: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .with_context(|| format!("not newline-delimited JSON: {text}"))?;
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e["type"] != "BOOKMARK")
        .map(|e| {
            (
                e["type"].as_str().unwrap_or_default(),
                e["object"]["metadata"]["name"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    ensure!(kinds == [("DELETED", "one")], "{kinds:?}");
    let deleted = &events[0]["object"];
    ensure!(
        deleted["kind"] == "ConfigMap" && deleted["apiVersion"] == "v1",
        "{deleted}"
    );
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn watch_ends_after_timeout_seconds() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("watchtimeout").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    let list = cms.list(&ListParams::default()).await?;
    let rv = list.metadata.resource_version.context("list rv")?;
    let started = std::time::Instant::now();
    let stream = cms.watch(&WatchParams::default().timeout(2), &rv).await?;
    let ended = tokio::time::timeout(Duration::from_secs(30), stream.try_collect::<Vec<_>>()).await;
    ensure!(
        ended.is_ok(),
        "the watch did not end within 30 s of a 2 s timeout"
    );
    ensure!(
        started.elapsed() >= Duration::from_secs(1),
        "ended too early: {:?}",
        started.elapsed()
    );
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn watch_from_a_too_old_resource_version_is_expired() -> anyhow::Result<()> {
    let mut c = TestCluster::start().await?;
    let ns = c.namespace("expired").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    let old_rv = if c.is_embedded() {
        // The event history is in memory: after a restart, revisions from
        // before it are too old to replay.
        let created = cms
            .create(&PostParams::default(), &configmap("before", &[], &[]))
            .await?;
        // A change after it that a replay from its revision would need.
        cms.create(&PostParams::default(), &configmap("after", &[], &[]))
            .await?;
        c.restart().await?;
        created.metadata.resource_version.clone().context("rv")?
    } else {
        "1".to_string()
    };
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    let mut stream = cms
        .watch(&WatchParams::default().timeout(30), &old_rv)
        .await?
        .boxed();
    match next_event(&mut stream).await? {
        WatchEvent::Error(s) => {
            ensure!(s.code == 410 && s.reason == "Expired", "{s:?}");
            ensure!(s.message.contains("too old resource version"), "{s:?}");
        }
        other => bail!("expected a 410 ERROR event, got {other:?}"),
    }
    c.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn kube_runtime_watcher_lists_then_follows_changes() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    let ns = c.namespace("watcher").await?;
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), &ns);
    for i in 0..3 {
        cms.create(
            &PostParams::default(),
            &configmap(&format!("pre-{i}"), &[("app", "w")], &[]),
        )
        .await?;
    }
    let configs = [
        (
            "list-watch",
            watcher::Config::default().labels("app=w").page_size(2),
        ),
        (
            "streaming-list",
            watcher::Config::default().labels("app=w").streaming_lists(),
        ),
    ];
    for (what, config) in configs {
        if what == "streaming-list" && !c.is_embedded() {
            eprintln!(
                "SKIP streaming-list part: depends on the real cluster's WatchList feature gate"
            );
            continue;
        }
        let mut stream = watcher(cms.clone(), config).boxed();
        let mut initial = Vec::new();
        loop {
            let ev = tokio::time::timeout(Duration::from_secs(20), stream.try_next())
                .await
                .with_context(|| format!("{what}: no initial event"))??
                .context("stream ended")?;
            match ev {
                watcher::Event::Init => {}
                watcher::Event::InitApply(o) => initial.push(o.metadata.name.unwrap_or_default()),
                watcher::Event::InitDone => break,
                other => bail!("{what}: unexpected {other:?} during the initial list"),
            }
        }
        initial.sort();
        ensure!(
            initial == ["pre-0", "pre-1", "pre-2"],
            "{what}: {initial:?}"
        );
        let name = format!("new-{what}");
        cms.create(
            &PostParams::default(),
            &configmap(&name, &[("app", "w")], &[]),
        )
        .await?;
        cms.delete(&name, &DeleteParams::default()).await?;
        let mut after = Vec::new();
        while after.len() < 2 {
            let ev = tokio::time::timeout(Duration::from_secs(20), stream.try_next())
                .await
                .with_context(|| format!("{what}: no live event"))??
                .context("stream ended")?;
            match ev {
                watcher::Event::Apply(o) => {
                    after.push(("apply", o.metadata.name.unwrap_or_default()))
                }
                watcher::Event::Delete(o) => {
                    after.push(("delete", o.metadata.name.unwrap_or_default()))
                }
                other => bail!("{what}: unexpected {other:?}"),
            }
        }
        ensure!(
            after == [("apply", name.clone()), ("delete", name.clone())],
            "{what}: {after:?}"
        );
    }
    c.cleanup().await;
    Ok(())
}

// ------------------------------------------------------------------ embedded only

#[tokio::test]
async fn custom_resources_of_any_group_are_served_generically() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    if c.skip_unless_embedded(
        "custom_resources_of_any_group_are_served_generically",
        "a real cluster needs a CRD for example.com",
    ) {
        return Ok(());
    }
    let ns = c.namespace("generic").await?;
    let ar = kube::core::ApiResource::from_gvk_with_plural(
        &kube::core::GroupVersionKind::gvk("example.com", "v1", "Widget"),
        "widgets",
    );
    let widgets: Api<DynamicObject> = Api::namespaced_with(c.client.clone(), &ns, &ar);
    let w = widgets
        .create(
            &PostParams::default(),
            &DynamicObject::new("w1", &ar).data(json!({"spec": {"size": 3}})),
        )
        .await?;
    ensure!(w.metadata.generation == Some(1));
    ensure!(w.data["spec"]["size"] == 3);
    let listed = widgets.list(&ListParams::default()).await?;
    ensure!(listed.items.len() == 1);
    let all = Api::<DynamicObject>::all_with(c.client.clone(), &ar)
        .list(&ListParams::default())
        .await?;
    ensure!(
        all.items
            .iter()
            .any(|o| o.metadata.name.as_deref() == Some("w1"))
    );
    let (_, raw_list) = c
        .raw(
            Method::GET,
            &format!("/apis/example.com/v1/namespaces/{ns}/widgets"),
            None,
            vec![],
        )
        .await?;
    ensure!(raw_list["kind"] == "WidgetList", "{raw_list}");
    let (_, gv) = c
        .raw(Method::GET, "/apis/example.com/v1", None, vec![])
        .await?;
    ensure!(
        gv["resources"][0]["name"] == "widgets" && gv["resources"][0]["kind"] == "Widget",
        "{gv}"
    );
    // A custom resource body without a kind for a resource never seen before.
    let (code, s) = c
        .raw_json(
            Method::POST,
            &format!("/apis/example.com/v1/namespaces/{ns}/gadgets"),
            &json!({"metadata": {"name": "g"}}),
        )
        .await?;
    ensure!(code == StatusCode::BAD_REQUEST, "{code} {s}");
    widgets.delete("w1", &DeleteParams::default()).await?;
    ensure!(widgets.get_opt("w1").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() -> anyhow::Result<()> {
    let mut c = TestCluster::start().await?;
    if c.skip_unless_embedded(
        "acknowledged_writes_survive_kill_9",
        "it kills the embedded server's process",
    ) {
        return Ok(());
    }
    let ns = c.namespace("persist").await?;
    let secrets: Api<Secret> = Api::namespaced(c.client.clone(), &ns);
    let mut written = Vec::new();
    for i in 0..20 {
        written.push(
            secrets
                .create(
                    &PostParams::default(),
                    &secret(&format!("s{i}"), &[("k", b"v")]),
                )
                .await?,
        );
    }
    let ar = kube::core::ApiResource::from_gvk_with_plural(
        &kube::core::GroupVersionKind::gvk("berth.dev", "v1alpha1", "ImagePointer"),
        "imagepointers",
    );
    let ip = Api::<DynamicObject>::namespaced_with(c.client.clone(), &ns, &ar)
        .create(
            &PostParams::default(),
            &DynamicObject::new("img", &ar)
                .data(json!({"spec": {"reference": "docker.io/library/nginx:latest"}})),
        )
        .await?;
    let last_rv = rv_of(&ip.metadata)?;
    c.restart().await?;

    let secrets: Api<Secret> = Api::namespaced(c.client.clone(), &ns);
    for w in &written {
        let name = w.metadata.name.clone().context("name")?;
        let got = secrets
            .get(&name)
            .await
            .with_context(|| format!("{name} after kill -9"))?;
        ensure!(
            got.metadata.uid == w.metadata.uid
                && got.metadata.resource_version == w.metadata.resource_version
        );
        ensure!(got.data.and_then(|d| d.get("k").cloned()) == Some(ByteString(b"v".to_vec())));
    }
    let ips = Api::<DynamicObject>::namespaced_with(c.client.clone(), &ns, &ar);
    let got = ips.get("img").await?;
    ensure!(got.metadata.uid == ip.metadata.uid);
    // The revision continues where it was.
    let next = secrets
        .create(&PostParams::default(), &secret("after", &[]))
        .await?;
    ensure!(
        rv_of(&next.metadata)? > last_rv,
        "revision went back after restart"
    );
    Ok(())
}

#[tokio::test]
async fn secret_values_never_reach_the_logs() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    if c.skip_unless_embedded(
        "secret_values_never_reach_the_logs",
        "it reads the embedded server's logs",
    ) {
        return Ok(());
    }
    let ns = c.namespace("nolog").await?;
    let path = format!("/api/v1/namespaces/{ns}/secrets");
    let marker = "SuperSecretMarker123";
    let b64 = "U3VwZXJTZWNyZXRNYXJrZXIxMjM="; // base64 of the marker
    let _ = c
        .raw_json(
            Method::POST,
            &path,
            &json!({"metadata": {"name": "ok"}, "stringData": {"p": marker}}),
        )
        .await?;
    let _ = c
        .raw_json(Method::POST, &path, &json!({"metadata": {"name": "bad"}, "type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": b64}}))
        .await?;
    let _ = c
        .raw_json(
            Method::POST,
            &path,
            &json!({"metadata": {"name": "bad2"}, "stringData": {"bad key": marker}}),
        )
        .await?;
    let logs = c.logs();
    ensure!(
        !logs.contains(marker) && !logs.contains(b64),
        "a secret value reached the logs"
    );
    Ok(())
}

#[tokio::test]
async fn kubectl_manages_every_resource_against_the_embedded_listener() -> anyhow::Result<()> {
    let c = TestCluster::start().await?;
    if c.skip_unless_embedded(
        "kubectl_manages_every_resource_against_the_embedded_listener",
        "it drives kubectl against --embedded-api-listen",
    ) {
        return Ok(());
    }
    let server = c.kube_url().context("--embedded-api-listen url")?;
    let dir = tempfile::tempdir()?;
    let kubectl = |args: Vec<String>| {
        let server = server.clone();
        let home = dir.path().to_path_buf();
        async move {
            let out = tokio::time::timeout(
                Duration::from_secs(60),
                tokio::process::Command::from(berth_tests::kubectl(&home))
                    .arg("--server")
                    .arg(&server)
                    .args(&args)
                    .output(),
            )
            .await
            .context("kubectl timed out")??;
            let stdout = String::from_utf8_lossy(&out.stdout).to_string();
            let stderr = String::from_utf8_lossy(&out.stderr).to_string();
            anyhow::Ok((out.status.success(), stdout, stderr))
        }
    };
    let run = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let f = kubectl(args.clone());
        async move {
            let (ok, out, err) = f.await?;
            ensure!(ok, "kubectl {args:?} failed:\n{out}\n{err}");
            anyhow::Ok(out)
        }
    };
    let ns = unique("kubectl");
    ensure!(
        run(&["create", "namespace", &ns])
            .await?
            .contains(&format!("namespace/{ns} created"))
    );
    run(&[
        "create",
        "secret",
        "docker-registry",
        "regcred",
        "-n",
        &ns,
        "--docker-server=registry.example.com",
        "--docker-username=u",
        "--docker-password=dummy",
    ])
    .await?;
    run(&[
        "create",
        "configmap",
        "settings",
        "-n",
        &ns,
        "--from-literal=a=b",
    ])
    .await?;
    let manifest = dir.path().join("imagepointer.yaml");
    std::fs::write(
        &manifest,
        format!(
            "apiVersion: berth.dev/v1alpha1\nkind: ImagePointer\nmetadata:\n  name: nginx\n  namespace: {ns}\nspec:\n  reference: docker.io/library/nginx:latest\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: from-file\n  namespace: {ns}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{{\"auths\":{{}}}}'\n"
        ),
    )?;
    // Strict client validation is on by default: no --validate=false needed.
    let created = run(&["create", "-f", &manifest.display().to_string()]).await?;
    ensure!(
        created.contains("imagepointer.berth.dev/nginx created")
            && created.contains("secret/from-file created"),
        "{created}"
    );

    let ns_list = run(&["get", "namespaces"]).await?;
    ensure!(
        ns_list.contains(&ns) && ns_list.contains("Active"),
        "{ns_list}"
    );
    let secrets = run(&["get", "secrets", "-n", &ns]).await?;
    ensure!(
        secrets.contains("regcred") && secrets.contains("kubernetes.io/dockerconfigjson"),
        "{secrets}"
    );
    ensure!(!secrets.contains("dummy"), "secret values are not printed");
    let cms = run(&["get", "cm", "-n", &ns]).await?;
    ensure!(cms.contains("settings"), "{cms}");
    let ips = run(&["get", "imagepointers", "-n", &ns, "-o", "name"]).await?;
    ensure!(ips.trim() == "imagepointer.berth.dev/nginx", "{ips}");
    let json_out = run(&["get", "configmap", "settings", "-n", &ns, "-o", "json"]).await?;
    let v: Value = serde_json::from_str(&json_out)?;
    ensure!(v["data"]["a"] == "b", "{v}");

    run(&["delete", "imagepointer", "nginx", "-n", &ns]).await?;
    run(&["delete", "secret", "regcred", "from-file", "-n", &ns]).await?;
    run(&["delete", "configmap", "settings", "-n", &ns]).await?;
    // Waits until the namespace is gone.
    run(&["delete", "namespace", &ns, "--timeout=60s"]).await?;
    let (ok, _, err) = kubectl(vec!["get".into(), "namespace".into(), ns.clone()]).await?;
    ensure!(!ok && err.contains("NotFound"), "{err}");
    Ok(())
}
