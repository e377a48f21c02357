//! Image checks cannot be aimed at internal addresses: a registry on
//! loopback (or a name for it) is refused before any connection, with the
//! same answer whether the port is open, closed or silent, unless the
//! operator allows it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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
