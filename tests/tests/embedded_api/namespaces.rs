//! Namespaces: deletion removes their content and reports conditions; finalizers.

use super::prelude::*;

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

#[tokio::test]
async fn a_new_namespace_has_a_default_account_whose_pull_secrets_new_pods_get()
-> anyhow::Result<()> {
    use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
    let c = TestCluster::start().await?;
    let name = c.namespace("account").await?;
    let accounts: Api<ServiceAccount> = Api::namespaced(c.client.clone(), &name);
    // A cluster's controller creates it a moment after the namespace.
    eventually(
        "the namespace has its default service account",
        Duration::from_secs(30),
        || async { accounts.get("default").await.ok() },
    )
    .await?;
    let pull = json!({"imagePullSecrets": [{"name": "pull"}]});
    accounts
        .patch("default", &PatchParams::default(), &Patch::Merge(&pull))
        .await?;
    let pods: Api<Pod> = Api::namespaced(c.client.clone(), &name);
    // A dry run is admitted as a create is, and runs nothing.
    let dry_run = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let pod = |name: &str, secrets: Value| -> anyhow::Result<Pod> {
        Ok(serde_json::from_value(json!({
            "metadata": {"name": name},
            "spec": {"imagePullSecrets": secrets,
                     "containers": [{"name": "main", "image": "127.0.0.1:1/none:1"}]},
        }))?)
    };
    let secrets_of = |p: &Pod| -> Vec<String> {
        p.spec
            .iter()
            .flat_map(|s| s.image_pull_secrets.iter().flatten())
            .map(|r| r.name.clone())
            .collect()
    };
    let admitted = pods.create(&dry_run, &pod("plain", json!([]))?).await?;
    let spec = admitted.spec.clone().context("a spec")?;
    assert_eq!(spec.service_account_name.as_deref(), Some("default"));
    assert_eq!(secrets_of(&admitted), ["pull"]);
    // A Pod that names its own pull secrets keeps them.
    let own = pods
        .create(&dry_run, &pod("own", json!([{"name": "mine"}]))?)
        .await?;
    assert_eq!(secrets_of(&own), ["mine"]);
    c.cleanup().await;
    Ok(())
}
