//! What only the embedded server does (skipped on a real cluster): custom resources
//! without a CRD, persistence across `kill -9`, logs without secrets, kubectl
//! against `--embedded-api-listen`.

use super::prelude::*;

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
