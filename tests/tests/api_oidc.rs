//! OIDC bearer tokens from a portal: verified against the issuer's keys,
//! with `exp`, `nbf`, `iss` and `aud` checked, groups read from a claim, the
//! keys fetched again when a token names a new one; no CSRF token needed.

use berth_tests::oidc::TestIssuer;
use berth_tests::{BerthProcess, StartOptions, http};
use reqwest::StatusCode;
use serde_json::{Value, json};

const AUDIENCE: &str = "berth-console";

async fn start(issuer: &TestIssuer) -> BerthProcess {
    BerthProcess::start_with(StartOptions {
        args: vec![
            "--oidc-issuer".into(),
            issuer.issuer.clone(),
            "--oidc-audience".into(),
            AUDIENCE.into(),
            "--oidc-groups-claim".into(),
            "roles".into(),
            "--admin-group".into(),
            "platform-admins".into(),
        ],
        ..StartOptions::default()
    })
    .await
    .expect("start")
}

async fn session(berth: &BerthProcess, token: &str) -> (StatusCode, Value) {
    let response = http()
        .get(berth.at("/api/v1/session"))
        .bearer_auth(token)
        .send()
        .await
        .expect("session");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_valid_token_identifies_the_person_and_needs_no_csrf_token() {
    let issuer = TestIssuer::start().await;
    let berth = start(&issuer).await;
    let token = issuer.token(json!({
        "sub": "u-123", "aud": AUDIENCE, "email": "ada@example.com", "name": "Ada Lovelace", "roles": ["analysts"]
    }));
    let (status, me) = session(&berth, &token).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"], "u-123");
    assert_eq!(me["displayName"], "Ada Lovelace");
    assert_eq!(me["via"], "bearer");
    assert_eq!(me["admin"], false);
    assert!(
        me.get("csrfToken").is_none(),
        "bearer sessions have no CSRF token"
    );

    // A change without a CSRF token or cookie: bearer requests are exempt.
    let created = http()
        .post(berth.at("/api/v1/projects"))
        .bearer_auth(&token)
        .json(&json!({ "name": "adas" }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), StatusCode::CREATED);
    let project: Value = created.json().await.expect("json");
    assert_eq!(
        (project["createdBy"].as_str(), project["role"].as_str()),
        (Some("u-123"), Some("owner"))
    );

    // Someone else's token does not see it.
    let other = issuer.token(json!({ "sub": "u-456", "aud": AUDIENCE }));
    let hidden = http()
        .get(berth.at("/api/v1/projects/adas"))
        .bearer_auth(&other)
        .send()
        .await
        .expect("get");
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);

    // The configured group makes an administrator, who sees every project.
    let admin =
        issuer.token(json!({ "sub": "u-789", "aud": AUDIENCE, "roles": ["platform-admins"] }));
    let (_, me) = session(&berth, &admin).await;
    assert_eq!(me["admin"], true);
    let seen = http()
        .get(berth.at("/api/v1/projects/adas"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("get");
    assert_eq!(seen.status(), StatusCode::OK);
}

#[tokio::test]
async fn expired_early_foreign_and_forged_tokens_are_refused() {
    let issuer = TestIssuer::start().await;
    let berth = start(&issuer).await;
    let now = jiff::Timestamp::now().as_second();
    let refused = [
        (
            "expired",
            issuer.token(json!({ "sub": "u", "aud": AUDIENCE, "exp": now - 120 })),
        ),
        (
            "not yet valid",
            issuer.token(json!({ "sub": "u", "aud": AUDIENCE, "nbf": now + 600 })),
        ),
        (
            "other audience",
            issuer.token(json!({ "sub": "u", "aud": "another-app" })),
        ),
        (
            "other issuer",
            issuer.token(json!({ "sub": "u", "aud": AUDIENCE, "iss": "http://evil.example" })),
        ),
        ("no subject", issuer.token(json!({ "aud": AUDIENCE }))),
        (
            "forged",
            issuer.forged(json!({ "sub": "u", "aud": AUDIENCE })),
        ),
        ("not a token", "abc.def.ghi".to_owned()),
    ];
    for (what, token) in refused {
        let (status, body) = session(&berth, &token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_eq!(body["detail"], "Sign in to continue.", "{what}");
    }
    // Why is logged for the operator, never the token itself.
    let logs = berth.logs();
    assert!(logs.contains("bearer token refused"));
    assert!(!logs.contains(&issuer.token(json!({ "sub": "u", "aud": AUDIENCE }))[..40]));
}

#[tokio::test]
async fn a_token_signed_with_a_new_key_makes_berth_fetch_the_keys_again() {
    let issuer = TestIssuer::start().await;
    let berth = start(&issuer).await;
    let first = issuer.token(json!({ "sub": "u", "aud": AUDIENCE }));
    assert_eq!(session(&berth, &first).await.0, StatusCode::OK);
    let fetched = *issuer.jwks_fetches.lock().expect("count");

    // Cached: another token with the same key needs no fetch.
    let again = issuer.token(json!({ "sub": "v", "aud": AUDIENCE }));
    assert_eq!(session(&berth, &again).await.0, StatusCode::OK);
    assert_eq!(*issuer.jwks_fetches.lock().expect("count"), fetched);

    // The issuer rotates its key: the unknown kid triggers a fetch (at most
    // one a second, so made-up key ids cannot flood the issuer).
    issuer.rotate("key-2");
    let rotated = issuer.token(json!({ "sub": "w", "aud": AUDIENCE }));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (status, _) = session(&berth, &rotated).await;
        if status == StatusCode::OK {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the new key was never fetched"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(*issuer.jwks_fetches.lock().expect("count") > fetched);
    // Tokens of the old key still work: it is still published.
    assert_eq!(session(&berth, &first).await.0, StatusCode::OK);
}
