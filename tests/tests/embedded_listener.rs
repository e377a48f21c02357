//! The embedded API's loopback listener (`--embedded-api-listen`): it
//! answers only requests addressed to a loopback name (a page that rebinds
//! its own name to 127.0.0.1 gets 403, and reads or changes nothing), and
//! with `--embedded-api-token-file` only requests with that bearer token
//! (401 otherwise), which kubectl finds in the kubeconfig Berth writes into
//! its data directory (mode 0600).

use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use anyhow::{Context, ensure};
use base64::Engine as _;
use berth_tests::{BerthProcess, StartOptions};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A Berth whose listener wants the token in `dir/token` (made by Berth).
async fn with_token(dir: &std::path::Path) -> anyhow::Result<BerthProcess> {
    let token_file = dir.join("token");
    BerthProcess::start_with(StartOptions {
        args: vec![
            "--embedded-api-token-file".into(),
            token_file.display().to_string(),
        ],
        ..StartOptions::default()
    })
    .await
}

fn token(dir: &std::path::Path) -> anyhow::Result<String> {
    Ok(std::fs::read_to_string(dir.join("token"))?
        .trim()
        .to_owned())
}

/// One request to the listener with these `Host` and bearer token.
async fn send(
    berth: &BerthProcess,
    method: Method,
    path: &str,
    host: Option<&str>,
    bearer: Option<&str>,
    body: Option<Value>,
) -> anyhow::Result<(StatusCode, Value)> {
    let base = berth.kube_url.clone().context("no embedded API address")?;
    let mut request = listener_client(berth)?.request(method, format!("{base}{path}"));
    if let Some(host) = host {
        request = request.header("host", host);
    }
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await?;
    let status = response.status();
    let text = response.text().await?;
    Ok((
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

/// A client that trusts the listener's certificate (from the kubeconfig
/// Berth wrote) when it serves HTTPS.
fn listener_client(berth: &BerthProcess) -> anyhow::Result<reqwest::Client> {
    let text = std::fs::read_to_string(berth.data_dir.join("kubeconfig"))?;
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(30));
    if let Some(line) = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("certificate-authority-data: "))
    {
        let pem = base64::engine::general_purpose::STANDARD.decode(line.trim())?;
        builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
    }
    Ok(builder.build()?)
}

fn a_namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
}

fn status_of(body: &Value, code: u16, reason: &str) {
    assert_eq!(body["kind"], "Status", "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["reason"], reason, "{body}");
}

#[tokio::test]
async fn a_rebound_name_reads_and_changes_nothing() -> anyhow::Result<()> {
    let berth = BerthProcess::start().await?;
    let port = berth
        .kube_url
        .as_deref()
        .and_then(|u| u.rsplit(':').next())
        .context("a port")?
        .to_owned();
    for host in [
        "attacker.example".to_owned(),
        format!("attacker.example:{port}"),
        format!("127.0.0.1.attacker.example:{port}"),
    ] {
        let (code, body) = send(
            &berth,
            Method::GET,
            "/api/v1/secrets",
            Some(&host),
            None,
            None,
        )
        .await?;
        assert_eq!(code, StatusCode::FORBIDDEN, "{host}");
        status_of(&body, 403, "Forbidden");
        assert!(body.get("items").is_none());
        let (code, body) = send(
            &berth,
            Method::POST,
            "/api/v1/namespaces",
            Some(&host),
            None,
            Some(a_namespace("rebound")),
        )
        .await?;
        assert_eq!(code, StatusCode::FORBIDDEN, "{host}");
        status_of(&body, 403, "Forbidden");
    }
    // Nothing was created; loopback names are answered.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "localhost".to_owned(),
    ] {
        let (code, _) = send(
            &berth,
            Method::GET,
            "/api/v1/namespaces/rebound",
            Some(&host),
            None,
            None,
        )
        .await?;
        assert_eq!(code, StatusCode::NOT_FOUND, "{host}");
    }
    let (code, list) = send(&berth, Method::GET, "/api/v1/secrets", None, None, None).await?;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(list["kind"], "SecretList");
    Ok(())
}

#[tokio::test]
async fn with_a_token_file_only_its_token_is_let_in() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let berth = with_token(dir.path()).await?;
    let token = token(dir.path())?;
    assert_eq!(
        std::fs::metadata(dir.path().join("token"))?
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let (code, body) = send(&berth, Method::GET, "/api/v1/namespaces", None, None, None).await?;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    status_of(&body, 401, "Unauthorized");
    let (code, _) = send(
        &berth,
        Method::POST,
        "/api/v1/namespaces",
        None,
        Some("not-the-token"),
        Some(a_namespace("guessed")),
    )
    .await?;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    // The Host check comes first, token or not.
    let (code, _) = send(
        &berth,
        Method::GET,
        "/api/v1/secrets",
        Some("attacker.example"),
        Some(&token),
        None,
    )
    .await?;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, _) = send(
        &berth,
        Method::GET,
        "/api/v1/namespaces/guessed",
        None,
        Some(&token),
        None,
    )
    .await?;
    assert_eq!(
        code,
        StatusCode::NOT_FOUND,
        "the refused create made nothing"
    );
    let (code, list) = send(
        &berth,
        Method::GET,
        "/api/v1/namespaces",
        None,
        Some(&token),
        None,
    )
    .await?;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(list["kind"], "NamespaceList");
    // The token is in no log line (the file path is).
    assert!(!berth.logs().contains(&token), "the token was logged");
    Ok(())
}

fn kubectl(
    home: &std::path::Path,
    kubeconfig: &std::path::Path,
    args: &[&str],
) -> anyhow::Result<Output> {
    berth_tests::kubectl(home)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .context("kubectl (install it)")
}

#[tokio::test]
async fn kubectl_works_with_the_kubeconfig_berth_writes() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let berth = with_token(dir.path()).await?;
    let token = token(dir.path())?;
    let kubeconfig = berth.data_dir.join("kubeconfig");
    let mode = std::fs::metadata(&kubeconfig)?.permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the kubeconfig holds the token: private");
    let text = std::fs::read_to_string(&kubeconfig)?;
    let url = berth.kube_url.clone().context("an address")?;
    assert!(url.starts_with("https://"), "with a token, TLS: {url}");
    assert!(text.contains(&format!("server: {url}\n")));

    let home = tempfile::tempdir()?;
    let out = kubectl(
        home.path(),
        &kubeconfig,
        &["create", "namespace", "by-kubectl"],
    )?;
    ensure!(
        out.status.success(),
        "kubectl create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kubectl(
        home.path(),
        &kubeconfig,
        &["get", "namespaces", "-o", "name"],
    )?;
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.contains("namespace/by-kubectl"), "{listed}");
    // The same file with another token is refused.
    let bare = home.path().join("other-token");
    let other: Vec<String> = text
        .lines()
        .map(|l| match l.split_once("token: ") {
            Some((indent, _)) => format!("{indent}token: \"not-the-token\""),
            None => l.to_owned(),
        })
        .collect();
    std::fs::write(&bare, other.join("\n"))?;
    let out = kubectl(home.path(), &bare, &["get", "namespaces"])?;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("Unauthorized") || said.contains("provide credentials"),
        "{said}"
    );
    assert!(!said.contains(&token) && !berth.logs().contains(&token));
    Ok(())
}

/// kubectl makes a service account, a Role, a RoleBinding and a token
/// (sent as protobuf); with that token kubectl may do what the Role grants
/// and nothing else, and is told so in Kubernetes' words.
#[tokio::test]
async fn kubectl_issues_service_account_tokens_that_rbac_limits() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let berth = with_token(dir.path()).await?;
    let kubeconfig = berth.data_dir.join("kubeconfig");
    let home = tempfile::tempdir()?;
    let run = |args: &[&str]| -> anyhow::Result<String> {
        let out = kubectl(home.path(), &kubeconfig, args)?;
        ensure!(
            out.status.success(),
            "kubectl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    run(&["create", "serviceaccount", "robot"])?;
    run(&[
        "create",
        "role",
        "reader",
        "--verb=get,list",
        "--resource=configmaps",
    ])?;
    run(&[
        "create",
        "rolebinding",
        "robot-reads",
        "--role=reader",
        "--serviceaccount=default:robot",
    ])?;
    run(&["create", "configmap", "settings", "--from-literal=a=b"])?;
    let token = run(&["create", "token", "robot", "--duration=15m"])?;
    let token = token.trim();
    ensure!(token.len() > 40, "a token");
    let as_robot = |args: &[&str]| {
        kubectl(
            home.path(),
            &kubeconfig,
            &[&["--token", token], args].concat(),
        )
    };
    let out = as_robot(&["get", "configmaps", "-o", "name"])?;
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.contains("configmap/settings"), "{listed}");
    let out = as_robot(&["get", "secrets"])?;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("secrets is forbidden: User \"system:serviceaccount:default:robot\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\""),
        "{said}"
    );
    // Nor may it grant itself more.
    let out = as_robot(&[
        "create",
        "rolebinding",
        "more",
        "--clusterrole=admin",
        "--serviceaccount=default:robot",
    ])?;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("forbidden"), "{said}");
    // A deleted account's token stops working.
    run(&["delete", "serviceaccount", "robot"])?;
    let out = as_robot(&["get", "configmaps"])?;
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("Unauthorized") || said.contains("provide credentials"),
        "{said}"
    );
    assert!(!berth.logs().contains(token), "the token was logged");
    Ok(())
}
