//! Small leaks and rough edges an attack pass found, each against the real
//! binary: the deletion stream tells outsiders nothing, odd user names are
//! answered without a server error, odd job run names are not found,
//! every error under `/api` is a problem
//! body, `/api/v1/config` names the real sign-in modes, and the CSRF
//! Origin check compares scheme, host and port.

use std::time::Duration;

use berth_tests::stored::{SseReader, create_project, start};
use berth_tests::{BerthProcess, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

async fn send(client: &reqwest::Client, method: Method, url: String) -> reqwest::Response {
    client.request(method, url).send().await.expect("request")
}

#[tokio::test]
async fn the_deletion_stream_tells_outsiders_nothing() {
    let berth = start(&["--restore-window-days", "0"]).await;
    let member = berth.add_user("mia").await.expect("mia");
    let outsider = berth.add_user("otto").await.expect("otto");
    create_project(&berth, "kept").await;
    create_project(&berth, "gone").await;
    let members = json!({ "members": [
        { "user": "admin", "role": "owner" },
        { "user": "mia", "role": "viewer" },
    ]});
    let set = berth
        .http()
        .put(berth.at("/api/v1/projects/gone/members"))
        .json(&members)
        .send()
        .await
        .expect("members");
    assert_eq!(set.status(), StatusCode::OK);

    // A project that never existed and one the caller cannot see: the same
    // 404, for an administrator too.
    for (client, path) in [
        (&outsider.client, "/api/v1/projects/never-was/deletion"),
        (&outsider.client, "/api/v1/projects/kept/deletion"),
        (&berth.http(), "/api/v1/projects/never-was/deletion"),
    ] {
        let response = send(client, Method::GET, berth.at(path)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(problem(response).await.status, 404);
    }

    let deleted = send(
        &berth.http(),
        Method::DELETE,
        berth.at("/api/v1/projects/gone"),
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::ACCEPTED);
    // Gone for good: its member still learns the outcome, an outsider
    // gets the 404 of a project that never existed.
    let gone = berth.kube();
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(gone);
    assert!(
        berth_tests::stored::eventually(WAIT, || async {
            namespaces
                .get_opt("berth-gone")
                .await
                .is_ok_and(|ns| ns.is_none())
        })
        .await,
        "the namespace goes away"
    );
    let response = send(
        &member.client,
        Method::GET,
        berth.at("/api/v1/projects/gone/deletion"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut late = SseReader::open(&berth, "/api/v1/projects/gone/deletion").await;
    late.until("deleted", WAIT).await;
    let response = send(
        &outsider.client,
        Method::GET,
        berth.at("/api/v1/projects/gone/deletion"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(problem(response).await.status, 404);
}

#[tokio::test]
async fn odd_user_names_are_answered_without_a_server_error() {
    let berth = BerthProcess::start().await.expect("start");
    for name in ["a%20b", "a%7Fb", "a%0Ab", "A", "x%FFy", "-", "%E2%80%AE"] {
        let password = berth
            .http()
            .put(berth.at(&format!("/api/v1/users/{name}/password")))
            .json(&json!({ "password": "a long enough password" }))
            .send()
            .await
            .expect("password");
        let remove = send(
            &berth.http(),
            Method::DELETE,
            berth.at(&format!("/api/v1/users/{name}")),
        )
        .await;
        for response in [password, remove] {
            let status = response.status();
            assert!(
                matches!(status.as_u16(), 400 | 404 | 422),
                "{name}: {status}"
            );
            problem(response).await;
        }
    }
    let logs = berth.logs();
    assert!(!logs.contains("ERROR"), "{logs}");
    assert!(!logs.contains("\"level\":\"ERROR\""), "{logs}");
}

/// A job run's name goes into the API server's path: one that cannot be an
/// object's name is not found, never a storage error (the fuzzer's find).
#[tokio::test]
async fn odd_job_run_names_are_not_found() {
    let berth = BerthProcess::start().await.expect("start");
    create_project(&berth, "shop").await;
    for name in [
        "%F2%B2%8D%8E%C3%A1~%08.%0A",
        "a%20b",
        "A",
        "-",
        "x%2Fy",
        "..",
        "%00",
    ] {
        let base = format!("/api/v1/projects/shop/job-runs/{name}");
        for (method, path) in [
            (Method::GET, base.clone()),
            (Method::DELETE, base.clone()),
            (Method::GET, format!("{base}/events")),
            (Method::GET, format!("{base}/logs?index=0")),
        ] {
            let response = send(&berth.http(), method.clone(), berth.at(&path)).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
            problem(response).await;
        }
    }
    let logs = berth.logs();
    assert!(!logs.contains("ERROR"), "{logs}");
}

#[tokio::test]
async fn every_error_under_api_is_a_problem_body() {
    let berth = BerthProcess::start().await.expect("start");
    create_project(&berth, "shop").await;
    let admin = berth.http();
    let cases: Vec<(reqwest::RequestBuilder, StatusCode)> = vec![
        (
            admin.get(berth.at("/api/v1/projects?deleted=null")),
            StatusCode::BAD_REQUEST,
        ),
        (
            admin.get(berth.at("/api/v1/projects/shop/inventory?download=1")),
            StatusCode::BAD_REQUEST,
        ),
        (
            admin.delete(berth.at("/api/v1/projects/shop?mode=soft&mode=hard")),
            StatusCode::BAD_REQUEST,
        ),
        (
            admin.delete(berth.at("/api/v1/projects/shop/images/web?force=maybe")),
            StatusCode::BAD_REQUEST,
        ),
        // Not UTF-8 once decoded: in a project route and a user route.
        (
            admin.get(berth.at("/api/v1/projects/%FF%FE")),
            StatusCode::BAD_REQUEST,
        ),
        (
            admin.delete(berth.at("/api/v1/users/%FF")),
            StatusCode::BAD_REQUEST,
        ),
        (
            admin
                .post(berth.at("/api/v1/projects"))
                .header("content-type", "application/json")
                .body("{\"name\":"),
            StatusCode::BAD_REQUEST,
        ),
        (
            admin
                .post(berth.at("/api/v1/projects"))
                .header("content-type", "text/plain")
                .body("{\"name\":\"x\"}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            admin
                .post(berth.at("/api/v1/projects/shop/images"))
                .header("content-type", "text/plain")
                .body("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            admin.patch(berth.at("/api/v1/projects")),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            admin.get(berth.at("/api/v1/nothing-here")),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (request, expected) in cases {
        let request = request.build().expect("request");
        let described = format!("{} {}", request.method(), request.url());
        let response = admin.execute(request).await.expect("send");
        assert_eq!(response.status(), expected, "{described}");
        let id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = problem(response).await;
        assert_eq!(body.status, expected.as_u16(), "{described}");
        assert!(!body.message().is_empty(), "{described}");
        // The id in the body finds the request in the log.
        assert_eq!(body.request_id, id, "{described}");
    }
}

#[tokio::test]
async fn config_tells_the_real_sign_in_modes() {
    let berth = BerthProcess::start().await.expect("start");
    // Readable before signing in: the console asks for it first.
    let config: Value = send(
        &berth_tests::http(),
        Method::GET,
        berth.at("/api/v1/config"),
    )
    .await
    .json()
    .await
    .expect("config");
    assert_eq!(config["authMode"], "local");
    assert_eq!(config["signInModes"], json!(["local"]));
    // Local accounts really are enforced.
    let anonymous = send(
        &berth_tests::http(),
        Method::GET,
        berth.at("/api/v1/projects"),
    )
    .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_csrf_origin_check_compares_scheme_host_and_port() {
    let berth = BerthProcess::start().await.expect("start");
    let address = berth.url.trim_start_matches("http://").to_owned();
    let (host, port) = address.rsplit_once(':').expect("host:port");
    let other_port = if port == "1" { "2" } else { "1" };
    let create = |origin: String, name: &str| {
        berth
            .http()
            .post(berth.at("/api/v1/projects"))
            .header("origin", origin)
            .json(&json!({ "name": name, "description": "" }))
    };
    for origin in [
        format!("https://{address}"),
        format!("http://{host}:{other_port}"),
        format!("http://localhost:{port}"),
        format!("http://{host}"),
        "null".to_owned(),
    ] {
        let response = create(origin.clone(), "refused")
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
        let body = problem(response).await;
        assert_eq!(body.kind, "https://berth.dev/problems/csrf", "{origin}");
    }
    let response = create(format!("http://{address}"), "allowed")
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::CREATED);
}
