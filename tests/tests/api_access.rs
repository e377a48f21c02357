//! Who is calling and what they may do: local accounts, sessions, CSRF,
//! sign-in rate limits, and per-project roles on every route.

use berth_tests::{ADMIN_PASSWORD, BerthProcess, SignedIn, StartOptions, http, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn start() -> BerthProcess {
    BerthProcess::start_with(StartOptions {
        args: vec!["--log-format".into(), "json".into()],
        env: vec![("RUST_LOG".into(), "trace".into())],
        ..StartOptions::default()
    })
    .await
    .expect("start")
}

async fn login(berth: &BerthProcess, user: &str, password: &str) -> reqwest::Response {
    http()
        .post(berth.at("/api/v1/session"))
        .json(&json!({ "username": user, "password": password }))
        .send()
        .await
        .expect("login")
}

fn set_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_first_administrator_gets_a_one_time_password_that_must_be_replaced() {
    // Started by hand, to sign in with the printed password ourselves.
    let dir = tempfile::tempdir().expect("tmp");
    let mut child = std::process::Command::new(berth_tests::berth_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("berth");
    let stdout = child.stdout.take().expect("stdout");
    let (once, url) = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut once = None;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some((_, p)) = line.split_once("with the one-time password: ") {
                once = Some(p.trim().to_owned());
            }
            if let Some(url) = line.strip_prefix("Berth console listening on ") {
                return (once, url.trim().to_owned());
            }
        }
        (once, String::new())
    })
    .await
    .expect("read stdout");
    let once = once.expect("a one-time password was printed before the address");
    let at = |p: &str| format!("{url}{p}");

    let first = http()
        .post(at("/api/v1/session"))
        .json(&json!({ "username": "admin", "password": once }))
        .send()
        .await
        .expect("login");
    assert_eq!(first.status(), StatusCode::OK);
    let cookie = set_cookie(&first);
    let session: Value = first.json().await.expect("session");
    assert_eq!(session["passwordChangeRequired"], true);
    assert_eq!(session["admin"], true);
    let csrf = session["csrfToken"].as_str().expect("csrf").to_owned();
    let cookie = cookie.split(';').next().expect("cookie").to_owned();
    let with_session = |m: Method, p: &str| {
        http()
            .request(m, at(p))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .header("origin", &url)
    };

    // Nothing else works until the password is replaced.
    let refused = with_session(Method::GET, "/api/v1/projects")
        .send()
        .await
        .expect("list");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        problem(refused)
            .await
            .message()
            .contains("Choose your own password")
    );
    let changed = with_session(Method::PUT, "/api/v1/session/password")
        .json(&json!({ "currentPassword": once, "newPassword": "my very own password" }))
        .send()
        .await
        .expect("change");
    assert_eq!(changed.status(), StatusCode::OK);
    // The session was renewed: the old cookie is worthless.
    let old = with_session(Method::GET, "/api/v1/session")
        .send()
        .await
        .expect("old");
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let again = http()
        .post(at("/api/v1/session"))
        .json(&json!({ "username": "admin", "password": once }))
        .send()
        .await
        .expect("login");
    assert_eq!(
        again.status(),
        StatusCode::UNAUTHORIZED,
        "a one-time password works once"
    );

    // A restart prints no password: the account exists.
    let _ = child.kill();
    let _ = child.wait();
    let restarted = BerthProcess::start_in(dir.path()).await.expect("restart");
    assert!(!restarted.logs().contains("one-time password"));
    assert_eq!(
        login(&restarted, "admin", "my very own password")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn sessions_use_a_strict_http_only_cookie_renewed_at_each_sign_in_and_ended_by_sign_out() {
    let berth = start().await;
    let first = login(&berth, "admin", ADMIN_PASSWORD).await;
    assert_eq!(first.status(), StatusCode::OK);
    let cookie = set_cookie(&first);
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP cannot have Secure cookies: {cookie}"
    );
    assert_eq!(
        first
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let token_a = cookie.split(';').next().expect("cookie").to_owned();

    // Signing in again with the old cookie ends the old session.
    let second = http()
        .post(berth.at("/api/v1/session"))
        .header("cookie", &token_a)
        .json(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .expect("login");
    let token_b = set_cookie(&second)
        .split(';')
        .next()
        .expect("cookie")
        .to_owned();
    assert_ne!(token_a, token_b);
    let csrf = second.json::<Value>().await.expect("session")["csrfToken"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let whoami = |cookie: &str| {
        http()
            .get(berth.at("/api/v1/session"))
            .header("cookie", cookie.to_owned())
            .send()
    };
    assert_eq!(
        whoami(&token_a).await.expect("a").status(),
        StatusCode::UNAUTHORIZED
    );
    let me: Value = whoami(&token_b)
        .await
        .expect("b")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (me["user"].as_str(), me["via"].as_str()),
        (Some("admin"), Some("session"))
    );

    let out = http()
        .delete(berth.at("/api/v1/session"))
        .header("cookie", &token_b)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(set_cookie(&out).contains("Max-Age=0"));
    assert_eq!(
        whoami(&token_b).await.expect("b").status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn changes_made_with_the_cookie_need_the_csrf_token_and_the_console_origin() {
    let berth = start().await;
    let response = login(&berth, "admin", ADMIN_PASSWORD).await;
    let cookie = set_cookie(&response)
        .split(';')
        .next()
        .expect("cookie")
        .to_owned();
    let csrf = response.json::<Value>().await.expect("json")["csrfToken"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let create = |name: &str| {
        http()
            .post(berth.at("/api/v1/projects"))
            .header("cookie", &cookie)
            .json(&json!({ "name": name }))
    };
    let no_token = create("one").send().await.expect("post");
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    assert!(problem(no_token).await.message().contains("CSRF"));
    let wrong_token = create("two")
        .header("x-csrf-token", "guess")
        .send()
        .await
        .expect("post");
    assert_eq!(wrong_token.status(), StatusCode::FORBIDDEN);
    let other_site = create("three")
        .header("x-csrf-token", &csrf)
        .header("origin", "http://evil.example")
        .send()
        .await
        .expect("post");
    assert_eq!(other_site.status(), StatusCode::FORBIDDEN);
    let console = create("four")
        .header("x-csrf-token", &csrf)
        .header("origin", &berth.url)
        .send()
        .await
        .expect("post");
    assert_eq!(console.status(), StatusCode::CREATED);
    // Reading needs no token.
    let list = http()
        .get(berth.at("/api/v1/projects"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("list");
    assert_eq!(list.status(), StatusCode::OK);
    // Another site's page cannot even post the login form.
    let foreign_login = http()
        .post(berth.at("/api/v1/session"))
        .header("origin", "http://evil.example")
        .json(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(foreign_login.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_user_and_passwords_never_reach_the_logs() {
    let berth = start().await;
    let wrong = "not the password at all";
    for _ in 0..4 {
        assert_eq!(
            login(&berth, "admin", wrong).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // The harness signed in once already: that was the fifth attempt.
    let limited = login(&berth, "admin", ADMIN_PASSWORD).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(
        problem(limited)
            .await
            .message()
            .contains("Too many sign-in attempts")
    );
    // An unknown user answers like a wrong password: names do not leak.
    let unknown = login(&berth, "nobody", wrong).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        problem(unknown).await.message(),
        "The user name or password is not right."
    );

    let logs = berth.logs();
    assert!(logs.contains("sign-in refused"), "trace logs are on");
    for secret in [wrong, ADMIN_PASSWORD] {
        assert!(!logs.contains(secret), "a password reached the logs");
    }
}

#[tokio::test]
async fn without_credentials_every_api_route_but_config_and_sign_in_is_401() {
    let berth = start().await;
    for (method, path) in routes("shop") {
        let response = http()
            .request(method.clone(), berth.at(&path))
            .json(&json!({}))
            .send()
            .await
            .expect("request");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        problem(response).await;
    }
    let config = http()
        .get(berth.at("/api/v1/config"))
        .send()
        .await
        .expect("config");
    assert_eq!(config.status(), StatusCode::OK);
}

/// Every API route about one project, with a body that passes validation
/// where one is needed (so a refusal is about the role, not the input).
fn project_routes(project: &str) -> Vec<(Method, String, Value, berth_shared::Role)> {
    use berth_shared::Role::{Editor, Owner, Viewer};
    let p = format!("/api/v1/projects/{project}");
    let image = json!({ "name": "web2", "reference": "nginx:1.27" });
    let credential = json!({
        "name": "hub2", "kind": "docker-hub", "username": "someone", "secret": "dckr_pat_xyz"
    });
    vec![
        (Method::GET, p.clone(), Value::Null, Viewer),
        (Method::GET, format!("{p}/members"), Value::Null, Viewer),
        (Method::GET, format!("{p}/inventory"), Value::Null, Viewer),
        (Method::GET, format!("{p}/activity"), Value::Null, Viewer),
        (Method::GET, format!("{p}/images"), Value::Null, Viewer),
        (Method::GET, format!("{p}/images/web"), Value::Null, Viewer),
        (
            Method::GET,
            format!("{p}/registry-credentials"),
            Value::Null,
            Viewer,
        ),
        (
            Method::GET,
            format!("{p}/registry-credentials/hub"),
            Value::Null,
            Viewer,
        ),
        (Method::POST, format!("{p}/images"), image.clone(), Editor),
        (
            Method::PUT,
            format!("{p}/images/web"),
            json!({ "name": "web", "reference": "127.0.0.1:9/team/web:2" }),
            Editor,
        ),
        (
            Method::POST,
            format!("{p}/images/web/verify"),
            Value::Null,
            Editor,
        ),
        (
            Method::DELETE,
            format!("{p}/images/web2"),
            Value::Null,
            Editor,
        ),
        (
            Method::POST,
            format!("{p}/registry-credentials"),
            credential,
            Editor,
        ),
        (
            Method::DELETE,
            format!("{p}/registry-credentials/hub2"),
            Value::Null,
            Editor,
        ),
        (
            Method::DELETE,
            format!("{p}/inventory/image/nothing-here"),
            Value::Null,
            Editor,
        ),
        (
            Method::PUT,
            format!("{p}/members"),
            json!({ "members": [] }),
            Owner,
        ),
        (Method::POST, format!("{p}/restore"), Value::Null, Owner),
        (Method::DELETE, p.clone(), Value::Null, Owner),
    ]
}

/// Every API route that needs a signed-in caller.
fn routes(project: &str) -> Vec<(Method, String)> {
    let mut all: Vec<(Method, String)> = vec![
        (Method::GET, "/api/v1/session".into()),
        (Method::DELETE, "/api/v1/session".into()),
        (Method::PUT, "/api/v1/session/password".into()),
        (Method::GET, "/api/v1/projects".into()),
        (Method::POST, "/api/v1/projects".into()),
        (Method::GET, "/api/v1/users".into()),
        (Method::POST, "/api/v1/users".into()),
        (Method::PUT, "/api/v1/users/someone/password".into()),
        (Method::DELETE, "/api/v1/users/someone".into()),
        (Method::GET, format!("/api/v1/projects/{project}/deletion")),
    ];
    all.extend(
        project_routes(project)
            .into_iter()
            .map(|(m, p, _, _)| (m, p)),
    );
    all
}

async fn call(
    who: &SignedIn,
    berth: &BerthProcess,
    method: &Method,
    path: &str,
    body: &Value,
) -> (StatusCode, String) {
    let mut request = who.client.request(method.clone(), berth.at(path));
    if !body.is_null() {
        request = request.json(body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn every_project_route_checks_the_role_and_outsiders_cannot_tell_the_project_exists() {
    let berth = start().await;
    let owner = berth.add_user("olivia").await.expect("owner");
    let viewer = berth.add_user("victor").await.expect("viewer");
    let editor = berth.add_user("edith").await.expect("editor");
    let outsider = berth.add_user("oscar").await.expect("outsider");

    let created = owner
        .client
        .post(berth.at("/api/v1/projects"))
        .json(&json!({ "name": "shop" }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        created.json::<Value>().await.expect("json")["role"],
        "owner"
    );
    for (path, body) in [
        (
            "/api/v1/projects/shop/images",
            json!({ "name": "web", "reference": "127.0.0.1:9/team/web:1" }),
        ),
        (
            "/api/v1/projects/shop/registry-credentials",
            json!({ "name": "hub", "kind": "docker-hub", "username": "u", "secret": "dckr_pat_1" }),
        ),
    ] {
        let r = owner
            .client
            .post(berth.at(path))
            .json(&body)
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::CREATED, "{path}");
    }
    let members = json!({ "members": [
        { "user": "olivia", "role": "owner" },
        { "user": "victor", "role": "viewer" },
        { "user": "edith", "role": "editor" },
    ]});
    let set = owner
        .client
        .put(berth.at("/api/v1/projects/shop/members"))
        .json(&members)
        .send()
        .await
        .expect("members");
    assert_eq!(set.status(), StatusCode::OK);

    // Lists show only the caller's projects, with the caller's role.
    for (who, expected) in [
        (&outsider, None),
        (&viewer, Some("viewer")),
        (&editor, Some("editor")),
    ] {
        let list: Value = who
            .client
            .get(berth.at("/api/v1/projects"))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let shop = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|p| p["name"] == "shop");
        assert_eq!(
            shop.map(|p| p["role"].as_str().unwrap_or_default()),
            expected,
            "{}",
            who.user
        );
    }

    // The outsider's 404s read exactly like those for a project that does
    // not exist.
    for (method, path, body, _) in project_routes("shop") {
        let (status, text) = call(&outsider, &berth, &method, &path, &body).await;
        let ghost_path = path.replace("/projects/shop", "/projects/ghost");
        let (ghost_status, ghost_text) = call(&outsider, &berth, &method, &ghost_path, &body).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "outsider {method} {path}: {text}"
        );
        assert_eq!(ghost_status, StatusCode::NOT_FOUND, "{method} {ghost_path}");
        let strip = |t: &str, name: &str| {
            let mut v: Value = serde_json::from_str(t).expect("problem");
            v["requestId"] = Value::Null;
            v.to_string().replace(name, "NAME")
        };
        assert_eq!(
            strip(&text, "shop"),
            strip(&ghost_text, "ghost"),
            "{method} {path}"
        );
    }

    // Viewers read; editors also change data; only owners manage the
    // project. Routes are walked in order, so the owner-only ones (delete
    // last) run when nobody else could do them.
    for (who, role) in [
        (&viewer, berth_shared::Role::Viewer),
        (&editor, berth_shared::Role::Editor),
    ] {
        for (method, path, body, needed) in project_routes("shop") {
            let (status, text) = call(who, &berth, &method, &path, &body).await;
            if role >= needed {
                // Allowed: whatever the answer (a missing item is a 404, a
                // registry out of reach a 502), it is not about access.
                assert_ne!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} {method} {path}: {text}",
                    who.user
                );
                assert!(
                    !text.contains("There is no project"),
                    "{} {method} {path}: {text}",
                    who.user
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} {method} {path}: {text}",
                    who.user
                );
                assert!(text.contains("Ask an owner"), "{text}");
            }
        }
    }
    // The project is still there, untouched by the refused deletions.
    let (status, _) = call(
        &owner,
        &berth,
        &Method::GET,
        "/api/v1/projects/shop",
        &Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // An administrator sees every project without being a member.
    let admin_list: Value = berth
        .http()
        .get(berth.at("/api/v1/projects"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert!(
        admin_list["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|p| p["name"] == "shop")
    );
    // ...and nobody else manages accounts.
    let (status, _) = call(&owner, &berth, &Method::GET, "/api/v1/users", &Value::Null).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The owner deletes the project.
    let (status, text) = call(
        &owner,
        &berth,
        &Method::DELETE,
        "/api/v1/projects/shop",
        &Value::Null,
    )
    .await;
    assert!(status.is_success(), "{status} {text}");

    // Every change, allowed or refused, is in the audit trail of the log:
    // who, what, from where, how it ended; never a secret.
    let logs = berth.logs();
    let audit: Vec<Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["target"] == "berth::audit")
        .collect();
    let has = |user: &str, method: &str, path: &str, status: u64| {
        audit.iter().any(|f| {
            f["user"] == user
                && f["method"] == method
                && f["path"] == path
                && f["status"] == status
                && f["from"] == "127.0.0.1"
        })
    };
    assert!(has("olivia", "POST", "/api/v1/projects", 201), "{audit:#?}");
    assert!(has("olivia", "PUT", "/api/v1/projects/shop/members", 200));
    assert!(has("victor", "DELETE", "/api/v1/projects/shop", 403));
    assert!(has(
        "olivia",
        "DELETE",
        "/api/v1/projects/shop",
        status.as_u16().into()
    ));
    assert!(!logs.contains("dckr_pat_1"), "a secret reached the log");
}

#[tokio::test]
async fn a_project_keeps_an_owner() {
    let berth = start().await;
    berth
        .http()
        .post(berth.at("/api/v1/projects"))
        .json(&json!({ "name": "solo" }))
        .send()
        .await
        .expect("create");
    let response = berth
        .http()
        .put(berth.at("/api/v1/projects/solo/members"))
        .json(&json!({ "members": [{ "user": "admin", "role": "viewer" }] }))
        .send()
        .await
        .expect("members");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem(response).await.field("members"),
        Some("Keep at least one owner.")
    );
}
