//! Lists: label and field selectors, pages.

use super::prelude::*;

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
