//! `berth jobtemplate …` and `berth jobrun …`: the real binary against a
//! running server whose embedded runner runs the jobs on podman, from a
//! busybox image in the test's own registry. The sensitive value goes
//! through a file and shows up nowhere but in the container.

mod embedded_jobs {
    // Shared with the embedded job tests, which use all of it.
    #[allow(dead_code)]
    pub mod support;
}

use std::process::{Command, Stdio};

use berth_tests::berth_bin;
use berth_tests::stored::create_project;
use embedded_jobs::support::JobsEnv;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PROJECT: &str = "clirun";
const SECRET: &str = "cli-secret-1234";

const SCRIPT: &str = r#"I=$(echo "$BERTH_ARRAY_INDICES" | busybox awk -F, -v k="$JOB_COMPLETION_INDEX" '{n=0; for(i=1;i<=NF;i++){split($i,r,"-"); a=r[1]+0; b=(r[2]=="")?a:r[2]+0; for(j=a;j<=b;j++){if(n==k){print j; exit} n++}}}')
echo "index $I says $GREETING; token length ${#TOKEN}"
[ "$I" != 2 ]"#;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn berth(env: &JobsEnv, args: &[&str]) -> Run {
    let mut cmd = Command::new(berth_bin());
    cmd.args(args)
        .env("BERTH_URL", &env.berth.url)
        .env("BERTH_USER", "admin")
        .env("BERTH_PASSWORD", berth_tests::ADMIN_PASSWORD)
        .env_remove("BERTH_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tokio::task::spawn_blocking(move || {
        let out = cmd.output().expect("run berth");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("join")
}

#[tokio::test]
async fn templates_and_runs_through_the_cli() -> anyhow::Result<()> {
    // Every command signs in: the sign-in limit is for password guessing.
    let env = JobsEnv::start_with(&[
        "--login-attempts-per-user",
        "1000",
        "--login-attempts-per-address",
        "1000",
    ])
    .await?;
    create_project(&env.berth, PROJECT).await;
    let registry = env.registry.as_ref().expect("registry");
    let client = env.berth.http();
    for (path, body) in [
        (
            "registry-credentials",
            json!({"name": "reg", "kind": "other", "server": registry.host,
                   "username": registry.username, "secret": registry.password}),
        ),
        (
            "images",
            json!({"name": "box", "reference": env.image, "credential": "reg"}),
        ),
    ] {
        let response = client
            .post(env.berth.at(&format!("/api/v1/projects/{PROJECT}/{path}")))
            .json(&body)
            .send()
            .await?;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let dir = tempfile::tempdir()?;
    let secret_file = dir.path().join("token");
    std::fs::write(&secret_file, format!("{SECRET}\n"))?;
    let sensitive = format!("TOKEN={}", secret_file.display());

    let mut outputs = String::new();
    let created = berth(
        &env,
        &[
            "jobtemplate",
            "create",
            "-p",
            PROJECT,
            "-n",
            "count",
            "--image-pointer",
            "box",
            "--command",
            "/bin/sh",
            "--command",
            "-c",
            "--arg",
            SCRIPT,
            "--env",
            "GREETING=hello",
            "--sensitive-env-from-file",
            &sensitive,
            "--indices",
            "0-3",
            "--retry-limit",
            "1",
            "--max-execution-seconds",
            "120",
        ],
    )
    .await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(
        created.stdout.contains("TOKEN=(sensitive)"),
        "{}",
        created.stdout
    );
    let listed = berth(&env, &["jobtemplate", "list", "-p", PROJECT]).await;
    assert!(listed.stdout.contains("count"), "{}", listed.stdout);
    let got = berth(&env, &["jobtemplate", "get", "-p", PROJECT, "-n", "count"]).await;
    assert!(got.stdout.contains("0-3 (4 instances)"), "{}", got.stdout);
    outputs.extend([created.stdout, created.stderr, got.stdout, listed.stdout]);

    // Submit with a variable changed for this run, and wait: it fails
    // (index 2), so the exit code says so.
    let submitted = berth(
        &env,
        &[
            "jobrun",
            "submit",
            "-p",
            PROJECT,
            "-t",
            "count",
            "--env",
            "GREETING=cli",
            "--wait",
        ],
    )
    .await;
    assert_eq!(
        submitted.code, 1,
        "{} {}",
        submitted.stdout, submitted.stderr
    );
    let name = submitted
        .stdout
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("Submitted job run "))
        .and_then(|l| l.split(';').next())
        .expect("the run's name")
        .to_owned();
    assert!(
        submitted.stdout.contains("3 succeeded, 1 failed"),
        "{}",
        submitted.stdout
    );
    assert!(
        submitted.stderr.contains(&format!("job run {name} failed")),
        "{}",
        submitted.stderr
    );

    let listed = berth(&env, &["jobrun", "list", "-p", PROJECT, "-t", "count"]).await;
    assert!(
        listed.stdout.contains(&name) && listed.stdout.contains("failed"),
        "{}",
        listed.stdout
    );
    let got = berth(
        &env,
        &["jobrun", "get", "-p", PROJECT, "-r", &name, "-o", "json"],
    )
    .await;
    let run: Value = serde_json::from_str(&got.stdout)?;
    assert_eq!(run["indexes"][2]["state"], "failed");
    assert_eq!(run["indexes"][2]["attempts"], 2);

    for i in ["0", "1", "3"] {
        let log = berth(
            &env,
            &["jobrun", "logs", "-p", PROJECT, "-r", &name, "-i", i],
        )
        .await;
        assert_eq!(log.code, 0, "{}", log.stderr);
        assert_eq!(
            log.stdout,
            format!("index {i} says cli; token length {}\n", SECRET.len())
        );
        outputs.push_str(&log.stdout);
    }
    let followed = berth(
        &env,
        &[
            "jobrun",
            "logs",
            "-p",
            PROJECT,
            "-r",
            &name,
            "-i",
            "2",
            "--attempt",
            "1",
            "--follow",
        ],
    )
    .await;
    assert!(
        followed.stdout.contains("index 2 says cli"),
        "{}",
        followed.stdout
    );

    let rerun = berth(
        &env,
        &[
            "jobrun",
            "rerun-failed",
            "-p",
            PROJECT,
            "-r",
            &name,
            "--wait",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(rerun.code, 1, "{}", rerun.stderr);
    let again: Value = serde_json::from_str(&rerun.stdout)?;
    assert_eq!(again["indices"], "2");
    assert_eq!(again["indexes"].as_array().map(Vec::len), Some(1));
    let rerun_name = again["name"].as_str().unwrap_or_default().to_owned();

    for run in [&name, &rerun_name] {
        let deleted = berth(&env, &["jobrun", "delete", "-p", PROJECT, "-r", run]).await;
        assert_eq!(deleted.code, 0, "{}", deleted.stderr);
    }
    let gone = berth(&env, &["jobrun", "get", "-p", PROJECT, "-r", &name]).await;
    assert_eq!(gone.code, 1);
    assert!(gone.stderr.contains("no job run named"), "{}", gone.stderr);
    let deleted = berth(
        &env,
        &["jobtemplate", "delete", "-p", PROJECT, "-n", "count"],
    )
    .await;
    assert_eq!(deleted.code, 0, "{}", deleted.stderr);

    outputs.extend([
        submitted.stdout,
        submitted.stderr,
        listed.stdout,
        got.stdout,
        rerun.stdout,
    ]);
    assert!(!outputs.contains(SECRET), "the secret was printed");
    assert!(
        !env.berth_logs().contains(SECRET),
        "the secret is in Berth's log"
    );
    env.assert_clean().await?;
    Ok(())
}
