//! The API description at `/api/openapi.json` against the real binary:
//! every operation it names is driven here, and every answer is checked
//! against the schema the document gives for that route, status and
//! content type (JSON Schema 2020-12, which OpenAPI 3.1 uses).

use std::collections::BTreeSet;

use berth_tests::BerthProcess;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The document and the operations checked so far.
struct Described {
    doc: Value,
    seen: BTreeSet<(String, String)>,
}

impl Described {
    async fn fetch(berth: &BerthProcess) -> Self {
        // Public, like the console's configuration.
        let response = berth_tests::http()
            .get(berth.at("/api/openapi.json"))
            .send()
            .await
            .expect("document");
        assert_eq!(response.status(), StatusCode::OK);
        let doc: Value = response.json().await.expect("json");
        let version = doc["openapi"].as_str().unwrap_or_default();
        assert!(version.starts_with("3.1"), "{version}");
        let mut described = Self {
            doc,
            seen: BTreeSet::new(),
        };
        described
            .seen
            .insert(("/api/openapi.json".into(), "get".into()));
        let schema = described.schema_for("/api/openapi.json", "get", 200, "application/json");
        assert!(schema.is_object());
        described
    }

    /// Every (path, method) the document names.
    fn operations(&self) -> BTreeSet<(String, String)> {
        let mut all = BTreeSet::new();
        for (path, item) in self.doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("item").keys() {
                if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                    all.insert((path.clone(), method.clone()));
                }
            }
        }
        all
    }

    /// The schema of the answer `status` with `content_type` (its own
    /// entry, else `default`).
    fn schema_for(&self, path: &str, method: &str, status: u16, content_type: &str) -> Value {
        let responses = &self.doc["paths"][path][method]["responses"];
        assert!(responses.is_object(), "{method} {path} is not described");
        let response = match &responses[status.to_string()] {
            Value::Null => &responses["default"],
            found => found,
        };
        let schema = &response["content"][content_type]["schema"];
        assert!(
            schema.is_object(),
            "{method} {path}: no {content_type} answer {status} in {response}"
        );
        schema.clone()
    }

    /// Sends `request` (made for the described `path`), checks the answer
    /// against the document and returns its status and JSON body.
    async fn check(
        &mut self,
        client: &reqwest::Client,
        method: Method,
        path: &str,
        url: String,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = client.request(method.clone(), url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("send");
        let status = response.status();
        let lower = method.as_str().to_ascii_lowercase();
        self.seen.insert((path.to_owned(), lower.clone()));
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned());
        if let Some(stream @ "text/event-stream") = content_type.as_deref() {
            // Described, and not read to its end (it follows a deletion).
            self.schema_for(path, &lower, status.as_u16(), stream);
            return (status, Value::Null);
        }
        let text = response.text().await.expect("body");
        if let Some(plain @ "text/plain") = content_type.as_deref() {
            // Described as text (a log): there is no JSON to check.
            self.schema_for(path, &lower, status.as_u16(), plain);
            return (status, Value::String(text));
        }
        let Some(content_type) = content_type else {
            assert!(text.is_empty(), "{method} {path}: a body without a type");
            let described = &self.doc["paths"][path][&lower]["responses"][status.as_str()];
            assert!(
                described.is_object() && described.get("content").is_none(),
                "{method} {path}: {status} without a body is not described"
            );
            return (status, Value::Null);
        };
        let mut schema = self.schema_for(path, &lower, status.as_u16(), &content_type);
        let value: Value = serde_json::from_str(&text).expect("JSON");
        // The component schemas the answer's schema refers to, resolved
        // from the document.
        schema["components"] = self.doc["components"].clone();
        let validator = jsonschema::draft202012::new(&schema).expect("a valid schema");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} {status}: {errors:?}\n{value}"
        );
        (status, value)
    }
}

#[tokio::test]
async fn every_described_operation_answers_as_described() {
    let berth = BerthProcess::start().await.expect("start");
    let admin = berth.http();
    let mut api = Described::fetch(&berth).await;
    let at = |p: &str| berth.at(p);

    // What the console reads first, and the session.
    let (status, _) = api
        .check(
            &admin,
            Method::GET,
            "/api/v1/config",
            at("/api/v1/config"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .check(
            &admin,
            Method::GET,
            "/api/v1/session",
            at("/api/v1/session"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let anonymous = berth.client(None).expect("client");
    let (status, _) = api
        .check(
            &anonymous,
            Method::POST,
            "/api/v1/session",
            at("/api/v1/session"),
            Some(json!({ "username": "admin", "password": "not the password" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Accounts.
    let (status, _) = api
        .check(
            &admin,
            Method::GET,
            "/api/v1/users",
            at("/api/v1/users"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .check(
            &admin,
            Method::POST,
            "/api/v1/users",
            at("/api/v1/users"),
            Some(json!({ "name": "una", "password": "una one-time password" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = api
        .check(
            &admin,
            Method::PUT,
            "/api/v1/users/{name}/password",
            at("/api/v1/users/una/password"),
            Some(json!({ "password": "una second one-time password" })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let una = berth
        .sign_in("una", "una second one-time password")
        .await
        .expect("una");
    let (status, _) = api
        .check(
            &una.client,
            Method::PUT,
            "/api/v1/session/password",
            at("/api/v1/session/password"),
            Some(json!({
                "currentPassword": "una second one-time password",
                "newPassword": "una's very own password",
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .check(
            &admin,
            Method::DELETE,
            "/api/v1/users/{name}",
            at("/api/v1/users/una"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Projects.
    let projects = "/api/v1/projects";
    let project = "/api/v1/projects/{project}";
    for name in ["shop", "spare"] {
        let (status, _) = api
            .check(
                &admin,
                Method::POST,
                projects,
                at(projects),
                Some(json!({ "name": name, "description": "Our shop" })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, problem) = api
        .check(
            &admin,
            Method::POST,
            projects,
            at(projects),
            Some(json!({ "name": "Not A Name" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, _) = api
        .check(&admin, Method::GET, projects, at(projects), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .check(
            &admin,
            Method::GET,
            project,
            at("/api/v1/projects/shop"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .check(
            &admin,
            Method::GET,
            project,
            at("/api/v1/projects/none"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let members = "/api/v1/projects/{project}/members";
    let (status, _) = api
        .check(
            &admin,
            Method::GET,
            members,
            at("/api/v1/projects/shop/members"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .check(
            &admin,
            Method::PUT,
            members,
            at("/api/v1/projects/shop/members"),
            Some(json!({ "members": [{ "user": "admin", "role": "owner" }] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Each kind of project data.
    let data = [
        (
            "registry-credentials",
            "hub",
            json!({ "name": "hub", "kind": "docker-hub", "username": "me", "secret": "s3cret-token" }),
            json!({ "kind": "docker-hub", "username": "me2", "secret": "an0ther-token" }),
        ),
        (
            "images",
            "web",
            json!({ "name": "web", "reference": "127.0.0.1:9/shop/web:1", "credential": "hub" }),
            json!({ "reference": "127.0.0.1:9/shop/web:2", "description": "The shop" }),
        ),
        (
            "job-templates",
            "nightly",
            json!({ "name": "nightly", "imagePointer": "web", "command": ["run"], "indices": "0-2",
                    "env": [{ "name": "TOKEN", "value": "t0ken", "sensitive": true }] }),
            json!({ "imagePointer": "web", "description": "Every night" }),
        ),
    ];
    for (segment, name, create, replace) in &data {
        let collection = format!("/api/v1/projects/{{project}}/{segment}");
        let item = format!("{collection}/{{name}}");
        let base = format!("/api/v1/projects/shop/{segment}");
        let (status, created) = api
            .check(
                &admin,
                Method::POST,
                &collection,
                at(&base),
                Some(create.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{segment}: {created}");
        let (status, _) = api
            .check(&admin, Method::GET, &collection, at(&base), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let one = at(&format!("{base}/{name}"));
        let (status, _) = api
            .check(&admin, Method::GET, &item, one.clone(), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, replaced) = api
            .check(&admin, Method::PUT, &item, one, Some(replace.clone()))
            .await;
        assert_eq!(status, StatusCode::OK, "{segment}: {replaced}");
        let (status, _) = api
            .check(
                &admin,
                Method::GET,
                &item,
                at(&format!("{base}/missing")),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // Asking the image's registry: nothing listens there, so a problem.
    let (status, _) = api
        .check(
            &admin,
            Method::POST,
            "/api/v1/projects/{project}/images/{name}/verify",
            at("/api/v1/projects/shop/images/web/verify"),
            None,
        )
        .await;
    assert!(
        status.is_client_error() || status.is_server_error(),
        "{status}"
    );
    let (status, _) = api
        .check(
            &admin,
            Method::GET,
            "/api/v1/projects/{project}/job-templates/{name}/job",
            at("/api/v1/projects/shop/job-templates/nightly/job"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Job runs. Whether this machine can run containers or not, each
    // answer must be as described: a run (201) or why not (409).
    let (status, run) = api
        .check(
            &admin,
            Method::POST,
            "/api/v1/projects/{project}/job-templates/{name}/runs",
            at("/api/v1/projects/shop/job-templates/nightly/runs"),
            Some(json!({})),
        )
        .await;
    assert!(
        status == StatusCode::CREATED || status == StatusCode::CONFLICT,
        "submit: {status} {run}"
    );
    let run = run["name"].as_str().unwrap_or("no-such-run").to_owned();
    let (status, _) = api
        .check(
            &admin,
            Method::GET,
            "/api/v1/projects/{project}/job-runs",
            at("/api/v1/projects/shop/job-runs"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for (method, path, suffix) in [
        (
            Method::GET,
            "/api/v1/projects/{project}/job-runs/{name}",
            "",
        ),
        (
            Method::GET,
            "/api/v1/projects/{project}/job-runs/{name}/logs",
            "/logs?index=0",
        ),
        (
            Method::POST,
            "/api/v1/projects/{project}/job-runs/{name}/rerun-failed",
            "/rerun-failed",
        ),
        (
            Method::DELETE,
            "/api/v1/projects/{project}/job-runs/{name}",
            "",
        ),
    ] {
        let (status, answer) = api
            .check(
                &admin,
                method.clone(),
                path,
                at(&format!("/api/v1/projects/shop/job-runs/{run}{suffix}")),
                None,
            )
            .await;
        assert!(
            !status.is_server_error(),
            "{method} {path}: {status} {answer}"
        );
    }
    // A run that does not exist: a problem, not a stream.
    let (status, _) = api
        .check(
            &admin,
            Method::GET,
            "/api/v1/projects/{project}/job-runs/{name}/events",
            at("/api/v1/projects/shop/job-runs/no-such-run/events"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api
        .check(
            &admin,
            Method::GET,
            "/api/v1/projects/{project}/activity",
            at("/api/v1/projects/shop/activity"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, inventory) = api
        .check(
            &admin,
            Method::GET,
            "/api/v1/projects/{project}/inventory",
            at("/api/v1/projects/shop/inventory?download=true"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let template = inventory["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["name"] == "nightly"))
        .and_then(|i| i["deletePath"].as_str())
        .expect("the template's delete path")
        .to_owned();
    let (status, _) = api
        .check(
            &admin,
            Method::DELETE,
            "/api/v1/projects/{project}/inventory/{kind}/{name}",
            at(&template),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Made again, to be deleted at its own address.
    let (status, _) = api
        .check(
            &admin,
            Method::POST,
            "/api/v1/projects/{project}/job-templates",
            at("/api/v1/projects/shop/job-templates"),
            Some(json!({ "name": "nightly", "image": "127.0.0.1:9/shop/job:1" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for (segment, name) in [
        ("job-templates", "nightly"),
        ("images", "web"),
        ("registry-credentials", "hub"),
    ] {
        let (status, _) = api
            .check(
                &admin,
                Method::DELETE,
                &format!("/api/v1/projects/{{project}}/{segment}/{{name}}"),
                at(&format!(
                    "/api/v1/projects/shop/{segment}/{name}?force=true"
                )),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{segment}");
    }

    // Deleting: with a restore window, restoring, then for good.
    let (status, _) = api
        .check(
            &admin,
            Method::DELETE,
            project,
            at("/api/v1/projects/spare?mode=soft"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .check(
            &admin,
            Method::POST,
            "/api/v1/projects/{project}/restore",
            at("/api/v1/projects/spare/restore"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .check(
            &admin,
            Method::DELETE,
            project,
            at("/api/v1/projects/spare?mode=hard"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _) = api
        .check(
            &admin,
            Method::GET,
            "/api/v1/projects/{project}/deletion",
            at("/api/v1/projects/spare/deletion"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, _) = api
        .check(
            &una.client,
            Method::DELETE,
            "/api/v1/session",
            at("/api/v1/session"),
            None,
        )
        .await;
    // Una's account is gone, so her session with it: a problem.
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = api
        .check(
            &admin,
            Method::DELETE,
            "/api/v1/session",
            at("/api/v1/session"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Every operation described was driven, and nothing else.
    assert_eq!(api.seen, api.operations());
}

#[tokio::test]
async fn the_document_describes_every_problem_and_parameter() {
    let berth = BerthProcess::start().await.expect("start");
    let api = Described::fetch(&berth).await;
    for (path, method) in api.operations() {
        let operation = &api.doc["paths"][&path][&method];
        let default = &operation["responses"]["default"]["content"]["application/problem+json"]["schema"]
            ["$ref"];
        assert_eq!(default, "#/components/schemas/Problem", "{method} {path}");
        // Every `{parameter}` in the path is described.
        let named: BTreeSet<&str> = operation["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        assert_eq!(named, in_path, "{method} {path}");
        assert!(operation["operationId"].is_string(), "{method} {path}");
    }
    // Bodies are described by the shared types.
    let schemas = api.doc["components"]["schemas"]
        .as_object()
        .expect("schemas");
    for name in [
        "Project",
        "CreateProject",
        "RegistryCredential",
        "SaveRegistryCredential",
        "ImagePointer",
        "JobTemplate",
        "Problem",
        "UiConfig",
    ] {
        assert!(schemas.contains_key(name), "{name}");
    }
}
