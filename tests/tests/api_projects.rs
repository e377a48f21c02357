//! The projects API, driven over real HTTP against the real `berth` binary.

use berth_shared::{Project, ProjectList};
use berth_tests::{BerthProcess, problem};
use k8s_openapi::api::core::v1::Namespace;
use reqwest::StatusCode;
use serde_json::json;

async fn create(berth: &BerthProcess, name: &str, description: &str) -> reqwest::Response {
    berth
        .http()
        .post(berth.at("/api/v1/projects"))
        .json(&json!({ "name": name, "description": description }))
        .send()
        .await
        .expect("request")
}

async fn list(berth: &BerthProcess) -> Vec<Project> {
    let response = berth
        .http()
        .get(berth.at("/api/v1/projects"))
        .send()
        .await
        .expect("list");
    assert_eq!(response.status(), StatusCode::OK);
    response
        .json::<ProjectList>()
        .await
        .expect("list body")
        .items
}

#[tokio::test]
async fn create_then_list_and_get() {
    let berth = BerthProcess::start().await.expect("start");
    assert!(
        list(&berth).await.is_empty(),
        "a new install has no projects"
    );

    let response = create(&berth, "web-shop", "Our shop").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/api/v1/projects/web-shop")
    );
    let created: Project = response.json().await.expect("body");
    assert_eq!(created.name, "web-shop");
    assert_eq!(created.description, "Our shop");
    assert_eq!(created.namespace, "berth-web-shop");
    assert_eq!(created.status, "Active");
    assert!(
        created.stamps.created_at.ends_with('Z'),
        "{}",
        created.stamps.created_at
    );

    let listed = list(&berth).await;
    assert_eq!(listed, vec![created.clone()]);

    let got: Project = berth
        .http()
        .get(berth.at("/api/v1/projects/web-shop"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("body");
    assert_eq!(got, created);
}

#[tokio::test]
async fn a_project_is_a_labelled_namespace() {
    let berth = BerthProcess::start().await.expect("start");
    assert_eq!(
        create(&berth, "ledger", "Books").await.status(),
        StatusCode::CREATED
    );

    let client = berth.kube();
    let ns = kube::Api::<Namespace>::all(client)
        .get("berth-ledger")
        .await
        .expect("namespace exists");
    let labels = ns.metadata.labels.unwrap_or_default();
    assert_eq!(
        labels
            .get("app.kubernetes.io/managed-by")
            .map(String::as_str),
        Some("berth")
    );
    assert_eq!(
        labels.get("berth.dev/project").map(String::as_str),
        Some("ledger")
    );
    let annotations = ns.metadata.annotations.unwrap_or_default();
    assert_eq!(
        annotations.get("berth.dev/description").map(String::as_str),
        Some("Books")
    );
}

#[tokio::test]
async fn namespaces_berth_does_not_manage_are_not_projects() {
    let berth = BerthProcess::start().await.expect("start");
    let client = berth.kube();
    let foreign: Namespace =
        serde_json::from_value(json!({"metadata": {"name": "berth-foreign"}})).expect("ns");
    kube::Api::<Namespace>::all(client)
        .create(&Default::default(), &foreign)
        .await
        .expect("create foreign namespace");

    assert!(list(&berth).await.is_empty());
    let response = berth
        .http()
        .get(berth.at("/api/v1/projects/foreign"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn duplicate_name_is_a_409_on_the_name_field() {
    let berth = BerthProcess::start().await.expect("start");
    assert_eq!(
        create(&berth, "dup", "").await.status(),
        StatusCode::CREATED
    );
    let response = create(&berth, "dup", "again").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let problem = problem(response).await;
    assert_eq!(problem.status, 409);
    let message = problem.field("name").expect("the name field is named");
    assert!(message.contains("already exists"), "{message}");
    assert_eq!(list(&berth).await.len(), 1);
}

#[tokio::test]
async fn invalid_name_is_a_422_naming_the_field() {
    let berth = BerthProcess::start().await.expect("start");
    for bad in ["Bad_Name", "", "-x", "1abc", &"a".repeat(41)] {
        let response = create(&berth, bad, "").await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name {bad:?}"
        );
        let problem = problem(response).await;
        assert!(problem.field("name").is_some(), "name {bad:?}: {problem:?}");
        assert!(
            problem.request_id.is_some(),
            "problems carry the request id"
        );
    }
    let response = create(&berth, "ok", &"d".repeat(281)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem(response).await.field("description").is_some());
    assert!(list(&berth).await.is_empty(), "nothing was created");
}

#[tokio::test]
async fn malformed_bodies_are_problems() {
    let berth = BerthProcess::start().await.expect("start");
    let response = berth
        .http()
        .post(berth.at("/api/v1/projects"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    problem(response).await;

    let response = berth
        .http()
        .post(berth.at("/api/v1/projects"))
        .header("content-type", "application/json")
        .body(vec![b' '; 300 * 1024])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn unknown_projects_and_endpoints_are_404_problems() {
    let berth = BerthProcess::start().await.expect("start");
    for path in [
        "/api/v1/projects/nope",
        "/api/v1/nothing-here",
        "/api/unknown",
        "/api/v1/projects/UPPER",
    ] {
        let response = berth.http().get(berth.at(path)).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        problem(response).await;
    }
}

#[tokio::test]
async fn config_and_health() {
    let berth = BerthProcess::start().await.expect("start");
    let config: serde_json::Value = berth
        .http()
        .get(berth.at("/api/v1/config"))
        .send()
        .await
        .expect("config")
        .json()
        .await
        .expect("json");
    assert_eq!(config["clusterMode"], "embedded");
    assert_eq!(config["version"], env!("CARGO_PKG_VERSION"));
    berth.wait_ready().await;
    for path in ["/healthz", "/readyz"] {
        let response = berth
            .http()
            .get(berth.at(path))
            .send()
            .await
            .expect("probe");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn readyz_fails_when_the_cluster_does_not_answer() {
    // A kubeconfig pointing at a closed loopback port.
    let dir = tempfile::tempdir().expect("tmp");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let kubeconfig = berth_tests::write_kubeconfig(dir.path(), &format!("http://127.0.0.1:{port}"));
    let berth = BerthProcess::start_with(berth_tests::StartOptions {
        args: vec!["--kubeconfig".into(), kubeconfig.display().to_string()],
        no_embedded_listen: true,
        ..Default::default()
    })
    .await
    .expect("start");
    let live = berth
        .http()
        .get(berth.at("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(live.status(), StatusCode::OK);
    let ready = berth
        .http()
        .get(berth.at("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Signing in needs the accounts in the cluster: a 503 problem, not a
    // wrong-password answer.
    let login = berth
        .http()
        .post(berth.at("/api/v1/session"))
        .json(&serde_json::json!({ "username": "admin", "password": "whatever it is" }))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), StatusCode::SERVICE_UNAVAILABLE);
    problem(login).await;
}

#[tokio::test]
async fn data_survives_kill_9() {
    let mut berth = BerthProcess::start().await.expect("start");
    assert_eq!(
        create(&berth, "durable", "keep me").await.status(),
        StatusCode::CREATED
    );
    // The 201 came back: the write must be on disk now, whatever happens next.
    let restarted = berth.restart().await.expect("restart after SIGKILL");
    let names: Vec<_> = list(&restarted).await.into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["durable"]);
    assert_eq!(
        create(&restarted, "durable", "").await.status(),
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn sigterm_shuts_down_cleanly() {
    let mut berth = BerthProcess::start().await.expect("start");
    assert_eq!(
        create(&berth, "before-stop", "").await.status(),
        StatusCode::CREATED
    );
    let status = berth.terminate().expect("terminate");
    assert!(
        status.success(),
        "exit status {status:?}; logs:\n{}",
        berth.logs()
    );
    assert!(berth.logs().contains("shutting down"), "{}", berth.logs());
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let berth = BerthProcess::start().await.expect("start");
    let response = berth
        .http()
        .get(berth.at("/api/v1/projects"))
        .send()
        .await
        .expect("list");
    let id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let id = id.expect("x-request-id header");
    assert!(
        berth.wait_for_log(&id).await,
        "the request id is in the log:\n{}",
        berth.logs()
    );
}

/// Lists come from a watch-fed cache; a write must still show in the very
/// next list of the person who made it.
#[tokio::test]
async fn a_write_shows_in_the_next_list() {
    let berth = BerthProcess::start_with(berth_tests::StartOptions {
        args: vec!["--restore-window".into(), "1h".into()],
        ..Default::default()
    })
    .await
    .expect("start");
    berth.wait_ready().await;
    let names =
        |projects: Vec<Project>| -> Vec<String> { projects.into_iter().map(|p| p.name).collect() };
    for i in 0..10 {
        let name = format!("ryw-{i}");
        assert_eq!(
            create(&berth, &name, "").await.status(),
            StatusCode::CREATED
        );
        assert!(names(list(&berth).await).contains(&name), "{name} created");

        let deleted = berth
            .http()
            .delete(berth.at(&format!("/api/v1/projects/{name}?mode=soft")))
            .send()
            .await
            .expect("soft delete");
        assert_eq!(deleted.status(), StatusCode::OK);
        assert!(!names(list(&berth).await).contains(&name), "{name} deleted");
        let in_bin: ProjectList = berth
            .http()
            .get(berth.at("/api/v1/projects?deleted=true"))
            .send()
            .await
            .expect("deleted list")
            .json()
            .await
            .expect("json");
        assert!(in_bin.items.iter().any(|p| p.name == name));

        let restored = berth
            .http()
            .post(berth.at(&format!("/api/v1/projects/{name}/restore")))
            .send()
            .await
            .expect("restore");
        assert_eq!(restored.status(), StatusCode::OK);
        assert!(names(list(&berth).await).contains(&name), "{name} restored");

        let gone = berth
            .http()
            .delete(berth.at(&format!("/api/v1/projects/{name}?mode=hard")))
            .send()
            .await
            .expect("hard delete");
        assert_eq!(gone.status(), StatusCode::ACCEPTED);
        let after = list(&berth).await;
        assert!(
            after
                .iter()
                .all(|p| p.name != name || p.status == "Terminating"),
            "{name} is gone or terminating: {after:?}"
        );
    }
}

/// The list is compressed once per change, not per request; a browser
/// asking for gzip or brotli gets it, anyone else plain JSON.
#[tokio::test]
async fn the_list_comes_compressed_when_asked() {
    use std::io::Read;
    let berth = BerthProcess::start().await.expect("start");
    berth.wait_ready().await;
    for i in 0..20 {
        assert_eq!(
            create(&berth, &format!("zip-{i}"), "compressible")
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    let plain = berth
        .http()
        .get(berth.at("/api/v1/projects"))
        .send()
        .await
        .expect("plain");
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.expect("body");
    for _ in 0..2 {
        let zipped = berth
            .http()
            .get(berth.at("/api/v1/projects"))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .expect("gzip");
        assert_eq!(zipped.headers()["content-encoding"], "gzip");
        assert_eq!(zipped.headers()["vary"], "accept-encoding");
        let zipped = zipped.bytes().await.expect("body");
        assert!(zipped.len() < plain.len() / 3, "compressed");
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&zipped[..])
            .read_to_end(&mut unzipped)
            .expect("gunzip");
        assert_eq!(unzipped, plain);
    }
    let br = berth
        .http()
        .get(berth.at("/api/v1/projects"))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .expect("br");
    assert_eq!(br.headers()["content-encoding"], "br");
}
