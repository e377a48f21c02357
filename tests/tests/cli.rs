//! The CLI (`berth project …`, `berth registry …`, `berth image …`): the
//! real binary against a running server, its output and exit codes.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use berth_tests::{BerthProcess, berth_bin};
use common::*;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Api;
use kube::api::{Patch, PatchParams};
use serde_json::{Value, json};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn command(url: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(berth_bin());
    cmd.args(args)
        .env("BERTH_URL", url)
        .env("BERTH_USER", "admin")
        .env("BERTH_PASSWORD", berth_tests::ADMIN_PASSWORD)
        .env_remove("BERTH_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs `berth ARGS` against `url`, feeding `stdin`.
async fn run_at(url: &str, args: &[&str], stdin: &str) -> Run {
    let mut cmd = command(url, args);
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("run berth");
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        let out = child.wait_with_output().expect("berth output");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("join")
}

/// Every CLI command signs in, so the sign-in rate limit (meant for
/// password guessing) is raised for these tests.
async fn start_for_cli(args: &[&str]) -> BerthProcess {
    let mut all = vec![
        "--login-attempts-per-user",
        "1000",
        "--login-attempts-per-address",
        "1000",
    ];
    all.extend_from_slice(args);
    start(&all).await
}

async fn run(berth: &BerthProcess, args: &[&str]) -> Run {
    run_at(&berth.url, args, "").await
}

fn one_line_error(run: &Run) -> &str {
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("berth: "))
        .collect();
    assert_eq!(lines.len(), 1, "one error line: {:?}", run.stderr);
    lines[0]
}

async fn namespace_exists(berth: &BerthProcess, name: &str) -> bool {
    Api::<Namespace>::all(kube(berth))
        .get_opt(name)
        .await
        .expect("get")
        .is_some()
}

#[tokio::test]
async fn project_lifecycle_through_the_cli() {
    let berth = start_for_cli(&[]).await;
    let r = run(
        &berth,
        &["project", "create", "--name", "myproject", "-d", "Mine"],
    )
    .await;
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "Created project myproject\n"),
        "{}",
        r.stderr
    );

    let r = run(&berth, &["project", "list"]).await;
    assert_eq!(r.code, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("STATUS"),
        "{}",
        r.stdout
    );
    assert!(
        lines[1].starts_with("myproject")
            && lines[1].contains("Active")
            && lines[1].ends_with("Mine"),
        "{}",
        r.stdout
    );

    let r = run(
        &berth,
        &["project", "get", "--name", "myproject", "--output", "json"],
    )
    .await;
    assert_eq!(r.code, 0);
    let project: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(project["namespace"], "berth-myproject");

    // The server keeps a restore window by default.
    let r = run(
        &berth,
        &["project", "delete", "--name", "myproject", "--force"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut lines = r.stdout.lines();
    assert_eq!(lines.next(), Some("Deleted project myproject"));
    assert!(
        lines
            .next()
            .is_some_and(|l| l.contains("berth project restore --name myproject")),
        "{}",
        r.stdout
    );

    let r = run(&berth, &["project", "list", "--deleted", "-o", "json"]).await;
    let list: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(list["items"][0]["name"], "myproject");
    let r = run(&berth, &["project", "list", "--deleted"]).await;
    assert!(
        r.stdout.contains("DAYS LEFT") && r.stdout.contains("myproject"),
        "{}",
        r.stdout
    );
    let r = run(&berth, &["project", "list"]).await;
    assert_eq!(r.stdout, "No projects.\n");

    let r = run(&berth, &["project", "restore", "--name", "myproject"]).await;
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "Restored project myproject\n")
    );

    // Permanently: it waits until the namespace is gone.
    let r = run(
        &berth,
        &["project", "delete", "--name", "myproject", "--hard", "-f"],
    )
    .await;
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "Deleted project myproject\n"),
        "{}",
        r.stderr
    );
    assert!(!namespace_exists(&berth, "berth-myproject").await);
    let r = run(
        &berth,
        &[
            "project",
            "delete",
            "--name",
            "myproject",
            "-f",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(r.code, 1);
    assert_eq!(
        one_line_error(&r),
        "berth: There is no project named “myproject”."
    );
}

#[tokio::test]
async fn delete_asks_for_the_projects_name() {
    let berth = start_for_cli(&["--restore-window-days", "0"]).await;
    create_project(&berth, "keepme").await;
    store_one_of_each(&kube(&berth), "berth-keepme").await;

    let r = run_at(
        &berth.url,
        &["project", "delete", "--name", "keepme"],
        "keep\n",
    )
    .await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("This deletes project keepme and everything in it (1 image, 1 registry credential, 1 job template, 1 job template secret settings, 1 activity log) permanently."), "{}", r.stderr);
    assert!(one_line_error(&r).contains("nothing was deleted"));
    let r = run_at(&berth.url, &["project", "delete", "--name", "keepme"], "").await;
    assert_eq!(r.code, 2, "no answer, no deletion");
    assert!(namespace_exists(&berth, "berth-keepme").await);

    let r = run_at(
        &berth.url,
        &["project", "delete", "--name", "keepme"],
        "keepme\n",
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "Deleted project keepme\n");
    assert!(!namespace_exists(&berth, "berth-keepme").await);
}

#[tokio::test]
async fn errors_are_one_line_with_a_non_zero_exit_code() {
    let berth = start_for_cli(&[]).await;
    let r = run(&berth, &["project", "get", "--name", "nope"]).await;
    assert_eq!(r.code, 1);
    assert_eq!(
        one_line_error(&r),
        "berth: There is no project named “nope”."
    );
    assert!(r.stdout.is_empty());

    let r = run(&berth, &["project", "create", "--name", "Bad Name"]).await;
    assert_eq!(r.code, 2);
    assert!(one_line_error(&r).contains("--name"), "{}", r.stderr);

    create_project(&berth, "twice").await;
    let r = run(&berth, &["project", "create", "--name", "twice"]).await;
    assert_eq!(r.code, 1);
    assert!(one_line_error(&r).contains("already exists"));
    let r = run(&berth, &["project", "restore", "--name", "twice"]).await;
    assert_eq!(r.code, 1);
    assert!(one_line_error(&r).contains("nothing to restore"));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let r = run_at(&url, &["project", "list"], "").await;
    assert_eq!(r.code, 1);
    assert!(
        one_line_error(&r).contains("cannot reach Berth"),
        "{}",
        r.stderr
    );

    let r = run_at("ftp://x", &["project", "list"], "").await;
    assert_eq!(r.code, 2);
    let r = run(&berth, &["project", "frobnicate"]).await;
    assert_eq!(r.code, 2, "usage errors");
}

#[tokio::test]
async fn the_token_is_sent_as_a_bearer_token() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let server = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().expect("accept");
        socket.set_read_timeout(Some(Duration::from_secs(10))).ok();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            request.extend_from_slice(&buf[..n]);
        }
        let body = r#"{"items":[]}"#;
        let _ = write!(
            socket,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        String::from_utf8_lossy(&request).to_lowercase()
    });
    let mut cmd = command(&url, &["project", "list"]);
    cmd.env("BERTH_TOKEN", "t0ken-xyz");
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run"))
        .await
        .expect("join");
    assert!(out.status.success());
    let request = server.join().expect("server");
    assert!(request.starts_with("get /api/v1/projects "), "{request}");
    assert!(
        request.contains("authorization: bearer t0ken-xyz"),
        "{request}"
    );
}

#[tokio::test]
async fn a_held_permanent_deletion_is_reported_and_then_finishes() {
    let berth = start_for_cli(&["--deletion-stall-seconds", "1"]).await;
    create_project(&berth, "held").await;
    let client = kube(&berth);
    put(
        &client,
        "berth-held",
        &config_maps(),
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "lock", "finalizers": ["example.com/hold"]},
        }),
    )
    .await;

    // With a short --timeout it gives up with exit code 3, naming the blocker.
    let r = run(
        &berth,
        &[
            "project",
            "delete",
            "--name",
            "held",
            "--hard",
            "-f",
            "--timeout",
            "8",
        ],
    )
    .await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("Stalled:") && r.stderr.contains("configmaps lock"),
        "{}",
        r.stderr
    );
    assert!(one_line_error(&r).contains("still being deleted"));

    // Waiting again, it finishes once the finalizer is removed.
    let mut cmd = command(
        &berth.url,
        &["project", "delete", "--name", "held", "--hard", "-f"],
    );
    let child = tokio::task::spawn_blocking(move || cmd.output().expect("run"));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    Api::<ConfigMap>::namespaced(client, "berth-held")
        .patch(
            "lock",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .expect("remove finalizer");
    let out = tokio::time::timeout(Duration::from_secs(30), child)
        .await
        .expect("finishes")
        .expect("join");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Deleted project held\n"
    );
}

#[tokio::test]
async fn registry_credentials_and_images_never_put_a_secret_on_the_command_line() {
    let berth = start_for_cli(&[]).await;
    create_project(&berth, "data").await;
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("password");
    std::fs::write(&file, "file-secret-value\n").expect("write");
    let file = file.display().to_string();

    let r = run(
        &berth,
        &[
            "registry",
            "create",
            "-p",
            "data",
            "-n",
            "hub",
            "--username",
            "ann",
            "--password-from-file",
            &file,
        ],
    )
    .await;
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "Created registry credential hub in project data\n"),
        "{}",
        r.stderr
    );
    let r = run_at(
        &berth.url,
        &[
            "registry",
            "create",
            "-p",
            "data",
            "-n",
            "other",
            "--kind",
            "other",
            "--server",
            "registry.example.com",
            "--username",
            "bob",
            "--password-stdin",
        ],
        "stdin-secret-value\n",
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &berth,
        &[
            "registry",
            "create",
            "-p",
            "data",
            "-n",
            "none",
            "--username",
            "x",
        ],
    )
    .await;
    assert_eq!(r.code, 2, "a secret source is required");

    let r = run(&berth, &["registry", "list", "-p", "data"]).await;
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("hub") && r.stdout.contains("registry.example.com"),
        "{}",
        r.stdout
    );
    let json_list = run(&berth, &["registry", "list", "-p", "data", "-o", "json"]).await;
    for out in [&r.stdout, &json_list.stdout] {
        assert!(!out.contains("secret-value"), "{out}");
    }

    let r = run(
        &berth,
        &[
            "image",
            "create",
            "-p",
            "data",
            "-n",
            "web",
            "-r",
            "nginx",
            "--credential",
            "hub",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("docker.io/library/nginx:latest"),
        "{}",
        r.stdout
    );
    let r = run(&berth, &["image", "list", "-p", "data"]).await;
    assert!(
        r.stdout.contains("web") && r.stdout.contains("hub"),
        "{}",
        r.stdout
    );
    let r = run(&berth, &["image", "delete", "-p", "data", "-n", "web"]).await;
    assert_eq!((r.code, r.stdout.as_str()), (0, "Deleted image web\n"));
    let r = run(&berth, &["registry", "delete", "-p", "data", "-n", "hub"]).await;
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "Deleted registry credential hub\n"),
        "{}",
        r.stderr
    );
    let r = run(&berth, &["registry", "delete", "-p", "data", "-n", "hub"]).await;
    assert_eq!(r.code, 1);
    one_line_error(&r);
}

#[tokio::test]
async fn administrators_manage_accounts_and_passwords_never_touch_the_command_line() {
    let berth = start_for_cli(&[]).await;
    let once = "bob one-time password";
    let added = run_at(
        &berth.url,
        &["user", "add", "--name", "bob", "--password-stdin"],
        &format!("{once}\n"),
    )
    .await;
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert_eq!(
        added.stdout,
        "Added user bob; they choose their own password at the first sign-in\n"
    );
    let listed = run(&berth, &["user", "list"]).await;
    assert!(listed.stdout.contains("bob"), "{}", listed.stdout);
    assert!(
        listed.stdout.contains("one-time password"),
        "{}",
        listed.stdout
    );

    // Bob signs in with it; his one-time password must be replaced first.
    let bob = berth.sign_in("bob", once).await.expect("bob signs in");
    let refused = bob
        .client
        .get(berth.at("/api/v1/projects"))
        .send()
        .await
        .expect("list");
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);

    // A reset ends his sessions; then the account goes.
    let reset = run_at(
        &berth.url,
        &["user", "passwd", "--name", "bob", "--password-stdin"],
        "bob second one-time password\n",
    )
    .await;
    assert_eq!(reset.code, 0, "{}", reset.stderr);
    let ended = bob
        .client
        .get(berth.at("/api/v1/session"))
        .send()
        .await
        .expect("session");
    assert_eq!(ended.status(), reqwest::StatusCode::UNAUTHORIZED);
    let removed = run(&berth, &["user", "remove", "--name", "bob"]).await;
    assert_eq!(
        (removed.code, removed.stdout.as_str()),
        (0, "Removed user bob\n")
    );
    assert!(
        berth
            .sign_in("bob", "bob second one-time password")
            .await
            .is_err()
    );

    // The last administrator stays.
    let last = run(&berth, &["user", "remove", "--name", "admin"]).await;
    assert_eq!(last.code, 1);
    assert!(
        last.stderr.contains("last administrator"),
        "{}",
        last.stderr
    );
    // A too-short password is refused with the rule.
    let short = run_at(
        &berth.url,
        &["user", "add", "--name", "carl", "--password-stdin"],
        "short\n",
    )
    .await;
    assert_eq!(short.code, 1);
    assert!(
        short.stderr.contains("at least 12 characters"),
        "{}",
        short.stderr
    );
    assert!(!berth.logs().contains(once), "a password reached the log");
}
