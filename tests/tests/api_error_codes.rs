//! Every error a form can show carries a stable `code` and its `params`
//! (for the console to say it in the reader's language) next to the
//! English `detail` and `message` that API and CLI users read, unchanged.
//! Driven over real HTTP against the real `berth` binary.

use berth_shared::message::template;
use berth_shared::{FieldError, ImagePointer, Problem};
use berth_tests::registry::TestRegistry;
use berth_tests::{BerthProcess, StartOptions, http, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PROJECT: &str = "shop";

async fn start(args: &[&str]) -> BerthProcess {
    let berth = BerthProcess::start_with(StartOptions {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        ..StartOptions::default()
    })
    .await
    .expect("start");
    let created = post(&berth, "/api/v1/projects", json!({ "name": PROJECT })).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    berth
}

async fn post(berth: &BerthProcess, path: &str, body: Value) -> reqwest::Response {
    berth
        .http()
        .post(berth.at(path))
        .json(&body)
        .send()
        .await
        .expect("post")
}

/// A `POST` without a body, as the console's Verify sends it.
async fn act(berth: &BerthProcess, path: &str) -> reqwest::Response {
    berth
        .http()
        .post(berth.at(path))
        .send()
        .await
        .expect("post")
}

async fn put(berth: &BerthProcess, path: &str, body: Value) -> reqwest::Response {
    berth
        .http()
        .put(berth.at(path))
        .json(&body)
        .send()
        .await
        .expect("put")
}

fn project_path(rest: &str) -> String {
    format!("/api/v1/projects/{PROJECT}/{rest}")
}

/// The problem of a refused answer with `status`, whose code has a
/// template that its English detail follows.
async fn refused(response: reqwest::Response, status: StatusCode) -> Problem {
    assert_eq!(response.status(), status);
    let p = problem(response).await;
    let code = p.code.clone().expect("a problem carries a code");
    let template = template(&code).unwrap_or_else(|| panic!("{code} has no template"));
    assert_eq!(
        berth_shared::message::fill(template, &p.params),
        p.message(),
        "{code}: the detail is the template with the params"
    );
    for e in &p.errors {
        let template = template_of(e);
        assert_eq!(
            berth_shared::message::fill(template, &e.params),
            e.message,
            "{}: the message is the template with the params",
            e.code
        );
    }
    p
}

fn template_of(e: &FieldError) -> &'static str {
    template(&e.code).unwrap_or_else(|| panic!("{}: {} has no template", e.field, e.code))
}

/// The error about `field`, whose code must be `code`.
fn field<'a>(p: &'a Problem, name: &str, code: &str) -> &'a FieldError {
    let e = p
        .field_error(name)
        .unwrap_or_else(|| panic!("no error about {name}: {:?}", p.errors));
    assert_eq!(e.code, code, "{name}: {}", e.message);
    e
}

#[tokio::test]
async fn project_names_refused_and_taken() {
    let berth = start(&[]).await;

    let p = refused(
        post(&berth, "/api/v1/projects", json!({ "name": "My-Shop" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p.code.as_deref(), Some("validation.failed"));
    assert_eq!(p.message(), "Some fields need your attention.");
    let e = field(&p, "name", "name.char_invalid.label");
    assert_eq!(e.params["char"], "M");
    assert_eq!(
        e.message,
        "Use only lowercase letters, digits and hyphens; “M” is not allowed."
    );

    let p = refused(
        post(&berth, "/api/v1/projects", json!({ "name": "my shop" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = field(&p, "name", "name.char_invalid.label.space");
    assert!(e.params.is_empty(), "“a space” is the template's words");
    assert_eq!(
        e.message,
        "Use only lowercase letters, digits and hyphens; a space is not allowed."
    );

    let long = "a".repeat(41);
    let p = refused(
        post(&berth, "/api/v1/projects", json!({ "name": long })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = field(&p, "name", "text.too_long_counted");
    assert_eq!(
        (e.params["max"].as_str(), e.params["length"].as_str()),
        ("40", "41")
    );

    let p = refused(
        post(&berth, "/api/v1/projects", json!({ "name": PROJECT })).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p.code.as_deref(), Some("project.name.taken"));
    assert_eq!(p.params["name"], PROJECT);
    assert_eq!(
        p.message(),
        "A project named “shop” already exists. Choose another name."
    );
    assert_eq!(
        field(&p, "name", "project.name.taken").params["name"],
        PROJECT
    );

    let missing = berth
        .http()
        .get(berth.at("/api/v1/projects/nowhere"))
        .send()
        .await
        .expect("get");
    let p = refused(missing, StatusCode::NOT_FOUND).await;
    assert_eq!(p.code.as_deref(), Some("project.not_found"));
    assert_eq!(p.params["name"], "nowhere");
}

#[tokio::test]
async fn image_pointers_refused_and_taken() {
    let berth = start(&["--registry-allow", "127.0.0.1"]).await;
    let images = project_path("images");

    let p = refused(
        post(
            &berth,
            &images,
            json!({ "name": "web", "reference": "nginx:" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = field(&p, "reference", "image.reference.missing.tag_or_port");
    assert_eq!(e.params["position"], "7");
    assert_eq!(
        e.message,
        "Something is missing around position 7: a tag (like 1.0) or a port number is expected after “:”."
    );

    let p = refused(
        post(
            &berth,
            &images,
            json!({ "name": "web", "reference": "https://hub.docker.com/_/nginx" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        field(&p, "reference", "image.reference.web_page").params["suggestion"],
        "nginx"
    );

    let p = refused(
        post(
            &berth,
            &images,
            json!({ "name": "web", "reference": "nginx", "credential": "absent" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = field(&p, "credential", "credential.not_found");
    assert_eq!(e.params["name"], "absent");
    assert_eq!(
        e.message,
        "There is no registry credential named “absent” in this project."
    );

    let body = json!({ "name": "web", "reference": "127.0.0.1:9/team/web:1" });
    assert_eq!(
        post(&berth, &images, body.clone()).await.status(),
        StatusCode::CREATED
    );
    let p = refused(post(&berth, &images, body).await, StatusCode::CONFLICT).await;
    assert_eq!(p.code.as_deref(), Some("image.name.taken"));
    assert_eq!(p.params["name"], "web");
    assert_eq!(field(&p, "name", "image.name.taken").params["name"], "web");

    // Nothing listens on port 9: the check fails, and the failure is kept
    // on the pointer with its code, as the console's list shows it.
    let verify = act(&berth, &format!("{images}/web/verify")).await;
    let p = refused(verify, StatusCode::BAD_GATEWAY).await;
    assert_eq!(p.code.as_deref(), Some("registry.unreachable"));
    assert_eq!(p.params["registry"], "127.0.0.1:9");
    let stored: ImagePointer = berth
        .http()
        .get(berth.at(&format!("{images}/web")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(
        stored.last_error_code.as_deref(),
        Some("registry.unreachable")
    );
    assert_eq!(stored.last_error_params["registry"], "127.0.0.1:9");
    assert_eq!(stored.last_error.as_deref(), Some(p.message()));
}

#[tokio::test]
async fn a_successful_check_clears_the_failure_and_its_code() {
    let registry = TestRegistry::start("robot", "Right-Pa55word")
        .await
        .expect("registry");
    let berth = start(&["--insecure-registry", &registry.host]).await;
    let created = post(
        &berth,
        &project_path("registry-credentials"),
        json!({"name": "robot", "kind": "other", "server": registry.host, "username": "robot", "secret": "Right-Pa55word"}),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let images = project_path("images");
    let reference = format!("{}/demo/late:1.0", registry.host);
    let created = post(
        &berth,
        &images,
        json!({"name": "late", "reference": reference, "credential": "robot"}),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);

    // Not pushed yet.
    let p = refused(
        act(&berth, &format!("{images}/late/verify")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p.code.as_deref(), Some("registry.image_not_found"));
    assert_eq!(p.params["registry"], registry.host);
    assert_eq!(p.params["repository"], "demo/late");
    assert_eq!(p.params["version"], "1.0");

    // Pushed: the same pointer, checked again, keeps no trace of the failure.
    let pushed = registry
        .push_image("demo/late", "1.0", "codes")
        .await
        .expect("push");
    let checked = act(&berth, &format!("{images}/late/verify")).await;
    assert_eq!(checked.status(), StatusCode::OK);
    let checked: ImagePointer = checked.json().await.expect("json");
    assert_eq!(checked.digest.as_deref(), Some(pushed.digest.as_str()));
    assert_eq!(checked.last_error, None);
    assert_eq!(checked.last_error_code, None);
    assert!(checked.last_error_params.is_empty());
}

#[tokio::test]
async fn registry_credentials_refused() {
    let berth = start(&[]).await;
    let credentials = project_path("registry-credentials");

    let p = refused(
        post(
            &berth,
            &credentials,
            json!({"name": "hub", "kind": "docker-hub", "username": "me", "secret": ""}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = field(&p, "secret", "credential.secret.required.docker_hub");
    assert_eq!(e.message, "Enter the access token or password.");

    let p = refused(
        post(
            &berth,
            &credentials,
            json!({"name": "own", "kind": "other", "server": "https://reg.example.com", "username": "me", "secret": "s"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    field(&p, "server", "credential.server.scheme");

    let p = refused(
        post(
            &berth,
            &credentials,
            json!({"name": "own", "kind": "other", "server": "reg_1.example.com", "username": "me", "secret": "s"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = field(&p, "server", "credential.server.char_invalid");
    assert_eq!(e.params["char"], "_");
    assert_eq!(e.message, "“_” is not allowed in a host name.");

    // A body that is no credential at all is answered without quoting it.
    let p = refused(
        post(
            &berth,
            &credentials,
            json!({"name": 1, "secret": "S3cret-In-Body"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p.code.as_deref(), Some("credential.body_invalid"));
    assert!(!p.message().contains("S3cret-In-Body"));
}

#[tokio::test]
async fn job_templates_refused() {
    let berth = start(&[]).await;
    let templates = project_path("job-templates");

    let p = refused(
        post(
            &berth,
            &templates,
            json!({
                "name": "nightly",
                "image": "busybox",
                "indices": "9-3",
                "env": [
                    {"name": "1A", "value": "x"},
                    {"name": "GREETING", "value": "hi"},
                    {"name": "GREETING", "value": "again"},
                    {"name": "TOKEN", "value": "", "sensitive": true},
                ],
            }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = field(&p, "indices", "indices.descending");
    assert_eq!(e.params["part"], "9-3");
    assert_eq!(e.message, "A range must go upwards: “9-3” does not.");
    field(&p, "env[0].name", "env.name.start");
    let e = field(&p, "env[2].name", "env.name.duplicate");
    assert_eq!(e.params["name"], "GREETING");
    assert_eq!(
        e.message,
        "“GREETING” is already set above; use each name once."
    );
    field(&p, "env[3].value", "env.value.required");

    let p = refused(
        post(
            &berth,
            &templates,
            json!({"name": "nightly", "image": "busybox", "indices": "0-5,5", "env": [{"name": "A B"}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field(&p, "indices", "indices.overlap").params["index"], "5");
    field(&p, "env[0].name", "env.name.char_invalid.space");
}

#[tokio::test]
async fn members_refused() {
    let berth = start(&[]).await;
    let members = project_path("members");

    let p = refused(
        put(
            &berth,
            &members,
            json!({ "members": [
                { "user": "admin", "role": "owner" },
                { "user": "nobody", "role": "viewer" },
            ]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = field(&p, "members[1].user", "members.user.unknown");
    assert_eq!(e.params["user"], "nobody");
    assert_eq!(
        e.message,
        "There is no user named “nobody”. Check the spelling, or ask an administrator to create the account first."
    );

    let p = refused(
        put(
            &berth,
            &members,
            json!({ "members": [{ "user": "admin", "role": "viewer" }] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = field(&p, "members", "members.owner.required");
    assert_eq!(e.message, "Keep at least one owner.");
}

#[tokio::test]
async fn passwords_and_sign_in_refused() {
    let berth = start(&[]).await;
    let change = |current: &str, new: &str| {
        put(
            &berth,
            "/api/v1/session/password",
            json!({ "currentPassword": current, "newPassword": new }),
        )
    };

    let p = refused(
        change("whatever it was", "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = field(&p, "newPassword", "session.password.too_short");
    assert_eq!(e.params["min"], "12");
    assert_eq!(
        e.message,
        "Use at least 12 characters; a few words make a good password."
    );

    let p = refused(
        change("not the password at all", "a brand new long password").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = field(&p, "currentPassword", "session.current_password.wrong");
    assert_eq!(e.message, "This is not your current password.");

    let signed_in = http()
        .post(berth.at("/api/v1/session"))
        .json(&json!({ "username": "admin", "password": "not the password" }))
        .send()
        .await
        .expect("sign in");
    let p = refused(signed_in, StatusCode::UNAUTHORIZED).await;
    assert_eq!(p.code.as_deref(), Some("session.sign_in.refused"));
    assert_eq!(p.message(), "The user name or password is not right.");

    let anonymous = http()
        .get(berth.at("/api/v1/projects"))
        .send()
        .await
        .expect("list");
    let p = refused(anonymous, StatusCode::UNAUTHORIZED).await;
    assert_eq!(p.code.as_deref(), Some("session.required"));
}

#[tokio::test]
async fn roles_too_small_are_refused_with_a_code_per_role() {
    let berth = start(&[]).await;
    let viewer = berth.add_user("victor").await.expect("viewer");
    let editor = berth.add_user("edith").await.expect("editor");
    let set = put(
        &berth,
        &project_path("members"),
        json!({ "members": [
            { "user": "admin", "role": "owner" },
            { "user": "victor", "role": "viewer" },
            { "user": "edith", "role": "editor" },
        ]}),
    )
    .await;
    assert_eq!(set.status(), StatusCode::OK);

    let write = viewer
        .client
        .post(berth.at(&project_path("images")))
        .json(&json!({ "name": "web", "reference": "nginx" }))
        .send()
        .await
        .expect("post");
    let p = refused(write, StatusCode::FORBIDDEN).await;
    assert_eq!(p.code.as_deref(), Some("access.forbidden.viewer"));
    assert_eq!(p.params["project"], PROJECT);
    assert_eq!(
        p.message(),
        "Your role in project “shop” is viewer: it cannot do this. Ask an owner of the project."
    );

    let manage = editor
        .client
        .put(berth.at(&project_path("members")))
        .json(&json!({ "members": [{ "user": "edith", "role": "owner" }] }))
        .send()
        .await
        .expect("put");
    let p = refused(manage, StatusCode::FORBIDDEN).await;
    assert_eq!(p.code.as_deref(), Some("access.forbidden.editor"));

    let accounts = viewer
        .client
        .get(berth.at("/api/v1/users"))
        .send()
        .await
        .expect("users");
    let p = refused(accounts, StatusCode::FORBIDDEN).await;
    assert_eq!(p.code.as_deref(), Some("users.admin_only"));
}

#[tokio::test]
async fn the_api_description_shows_codes_and_params() {
    let berth = BerthProcess::start().await.expect("start");
    let document: Value = berth
        .http()
        .get(berth.at("/api/openapi.json"))
        .send()
        .await
        .expect("document")
        .json()
        .await
        .expect("json");
    let schemas = &document["components"]["schemas"];
    for (schema, fields) in [
        ("Problem", ["code", "params"]),
        ("FieldError", ["code", "params"]),
        ("ImagePointer", ["lastErrorCode", "lastErrorParams"]),
    ] {
        // A type with flattened parts is described as `allOf` them.
        let described = |field: &str| {
            let parts = schemas[schema]["allOf"].as_array().cloned();
            parts
                .unwrap_or_else(|| vec![schemas[schema].clone()])
                .iter()
                .any(|part| part["properties"].get(field).is_some())
        };
        for field in fields {
            assert!(
                described(field),
                "{schema}.{field} is not described: {}",
                schemas[schema]
            );
        }
    }
}
