//! Image checks cannot be aimed at internal addresses: a registry on
//! loopback (or a name for it) is refused before any connection, with the
//! same answer whether the port is open, closed or silent, unless the
//! operator allows it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use berth_tests::{BerthProcess, StartOptions, problem};
use reqwest::StatusCode;
use serde_json::json;

const PROJECT: &str = "shop";

async fn start(args: &[&str]) -> BerthProcess {
    let berth = BerthProcess::start_with(StartOptions {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        ..StartOptions::default()
    })
    .await
    .expect("start");
    let created = berth
        .http()
        .post(berth.at("/api/v1/projects"))
        .json(&json!({ "name": PROJECT }))
        .send()
        .await
        .expect("project");
    assert_eq!(created.status(), StatusCode::CREATED);
    berth
}

/// Creates an image pointer to `reference` and asks Berth to check it:
/// the answer's status, problem type and message (with the registry's
/// address taken out), and how long it took.
async fn check(
    berth: &BerthProcess,
    name: &str,
    host: &str,
) -> (StatusCode, String, String, Duration) {
    let images = berth.at(&format!("/api/v1/projects/{PROJECT}/images"));
    let created = berth
        .http()
        .post(&images)
        .json(&json!({ "name": name, "reference": format!("{host}/demo/app:1") }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), StatusCode::CREATED, "{name}");
    let started = Instant::now();
    let answer = berth
        .http()
        .post(format!("{images}/{name}/verify"))
        .send()
        .await
        .expect("verify");
    let took = started.elapsed();
    let status = answer.status();
    let p = problem(answer).await;
    (
        status,
        p.kind.clone(),
        p.message().replace(host, "HOST"),
        took,
    )
}

/// A port that counts the connections made to it and never answers (a
/// silent service).
async fn silent_port() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    (addr, seen)
}

fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    drop(listener);
    addr
}

#[tokio::test]
async fn internal_addresses_get_one_answer_whatever_the_port_state() {
    let berth = start(&[]).await;
    let (open, seen) = silent_port().await;
    let closed = closed_port();
    let open_port = open.rsplit_once(':').expect("port").1.to_owned();
    let mut answers = Vec::new();
    for (name, host) in [
        ("open", open.clone()),
        ("closed", closed.clone()),
        ("by-name", format!("localhost:{open_port}")),
        ("short-form", format!("127.1:{open_port}")),
        ("unspecified", format!("0.0.0.0:{open_port}")),
    ] {
        let (status, kind, message, took) = check(&berth, name, &host).await;
        println!("{name}: {status} {kind} in {took:?}");
        answers.push((status, kind, message));
    }
    let first = answers[0].clone();
    assert_eq!(first.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        first.1,
        "https://berth.dev/problems/registry-internal-address"
    );
    assert!(
        first
            .2
            .contains("Berth does not check images on internal addresses"),
        "{}",
        first.2
    );
    for answer in &answers[1..] {
        assert_eq!(answer, &first, "the same answer for every port state");
    }
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "nothing connected to the open port"
    );
}

#[tokio::test]
async fn an_allowed_address_is_contacted() {
    let (open, _) = silent_port().await;
    let closed = closed_port();
    let berth = start(&[
        "--registry-allow",
        "127.0.0.1",
        "--insecure-registry",
        &closed,
    ])
    .await;
    // Allowed, so Berth tries it and tells what happened: nothing listens.
    let (status, kind, _, _) = check(&berth, "closed", &closed).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(kind, "https://berth.dev/problems/registry-unreachable");
    // Another loopback host, not allowed by port: still refused.
    let berth = start(&["--registry-allow", "127.0.0.1:1"]).await;
    let (status, kind, _, _) = check(&berth, "open", &open).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(kind, "https://berth.dev/problems/registry-internal-address");
}

/// What reached a fake registry or token service: method, path and the
/// `Authorization` header, per request.
type Seen = Arc<Mutex<Vec<(String, String, Option<String>)>>>;

type Answer = (u16, Vec<(&'static str, String)>);

/// A plain-HTTP server on loopback that records every request and answers
/// each with `answer` (status and headers).
async fn recording(answer: Answer) -> (String, Seen) {
    recording_by_auth(answer.clone(), answer).await
}

/// [`recording`], answering requests with an `Authorization` header with
/// `authorized`.
async fn recording_by_auth(anonymous: Answer, authorized: Answer) -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let log = log.clone();
        let (status, headers) = if request.headers().contains_key("authorization") {
            authorized.clone()
        } else {
            anonymous.clone()
        };
        async move {
            log.lock().expect("lock").push((
                request.method().to_string(),
                request.uri().path().to_owned(),
                request
                    .headers()
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
            ));
            let mut response = axum::response::Response::new(axum::body::Body::empty());
            *response.status_mut() = axum::http::StatusCode::from_u16(status).expect("status");
            for (name, value) in headers {
                response
                    .headers_mut()
                    .insert(name, value.parse().expect("header"));
            }
            response
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, seen)
}

const SECRET: &str = "registry-Pa55word-never-sent";

async fn with_credential(berth: &BerthProcess, registry: &str) {
    let created = berth
        .http()
        .post(berth.at(&format!("/api/v1/projects/{PROJECT}/registry-credentials")))
        .json(&json!({"name": "robot", "kind": "other", "server": registry, "username": "robot", "secret": SECRET}))
        .send()
        .await
        .expect("credential");
    assert_eq!(created.status(), StatusCode::CREATED);
}

async fn check_with_credential(
    berth: &BerthProcess,
    name: &str,
    host: &str,
) -> (StatusCode, String) {
    let images = berth.at(&format!("/api/v1/projects/{PROJECT}/images"));
    let created = berth
        .http()
        .post(&images)
        .json(&json!({ "name": name, "reference": format!("{host}/demo/app:1"), "credential": "robot" }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), StatusCode::CREATED, "{name}");
    let answer = berth
        .http()
        .post(format!("{images}/{name}/verify"))
        .send()
        .await
        .expect("verify");
    let status = answer.status();
    (status, problem(answer).await.kind)
}

#[tokio::test]
async fn a_plain_http_token_realm_is_refused_and_no_credential_is_sent() {
    // The token service on plain HTTP, on another port than the registry.
    let (realm, realm_seen) =
        recording((200, vec![("content-type", "application/json".into())])).await;
    let challenge = format!(r#"Bearer realm="http://{realm}/token",service="test""#);
    let (registry, registry_seen) = recording((401, vec![("www-authenticate", challenge)])).await;
    // The registry itself is marked insecure and loopback is allowed: the
    // realm is refused for its plain HTTP alone.
    let berth = start(&[
        "--insecure-registry",
        &registry,
        "--registry-allow",
        "127.0.0.0/8",
    ])
    .await;
    with_credential(&berth, &registry).await;
    let (status, kind) = check_with_credential(&berth, "realm", &registry).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(kind, "https://berth.dev/problems/registry-plain-http");
    assert!(
        realm_seen.lock().expect("lock").is_empty(),
        "the realm was contacted"
    );
    let reached = registry_seen.lock().expect("lock").clone();
    assert!(!reached.is_empty(), "the registry was asked");
    assert!(
        reached.iter().all(|(_, _, auth)| auth.is_none()),
        "a credential reached the registry before its challenge: {reached:?}"
    );
}

#[tokio::test]
async fn redirects_to_plain_http_are_refused_and_credentials_stay_with_their_host() {
    // A registry asking for basic auth, then redirecting elsewhere.
    let (elsewhere, elsewhere_seen) = recording((404, vec![])).await;
    let (insecure_target, insecure_seen) = recording((404, vec![])).await;

    // To a plain-HTTP host that is not an insecure registry: refused.
    let (registry, _) =
        recording((307, vec![("location", format!("http://{elsewhere}/v2/x"))])).await;
    let berth = start(&[
        "--insecure-registry",
        &registry,
        "--registry-allow",
        "127.0.0.0/8",
    ])
    .await;
    with_credential(&berth, &registry).await;
    let (status, kind) = check_with_credential(&berth, "redirect", &registry).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(kind, "https://berth.dev/problems/registry-plain-http");
    assert!(
        elsewhere_seen.lock().expect("lock").is_empty(),
        "the redirect was followed"
    );

    // To another (insecure) host after basic auth: followed, without the
    // credential.
    let (redirecting, redirecting_seen) = recording_by_auth(
        (
            401,
            vec![("www-authenticate", r#"Basic realm="test""#.into())],
        ),
        (
            307,
            vec![(
                "location",
                format!("http://{insecure_target}/v2/demo/app/manifests/1"),
            )],
        ),
    )
    .await;
    let berth = start(&[
        "--insecure-registry",
        &redirecting,
        "--insecure-registry",
        &insecure_target,
        "--registry-allow",
        "127.0.0.0/8",
    ])
    .await;
    with_credential(&berth, &redirecting).await;
    let (status, _) = check_with_credential(&berth, "hop", &redirecting).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the image is not found at the end"
    );
    let asked = redirecting_seen.lock().expect("lock").clone();
    assert!(
        asked.iter().any(|(_, _, auth)| auth.is_some()),
        "the registry got its own credential: {asked:?}"
    );
    let reached = insecure_seen.lock().expect("lock").clone();
    assert!(!reached.is_empty(), "the redirect was followed");
    assert!(
        reached.iter().all(|(_, _, auth)| auth.is_none()),
        "the credential followed the redirect: {reached:?}"
    );
    assert!(!berth.logs().contains(SECRET), "the secret was logged");
}
