//! Job runs through the API, with real containers: a template of indices
//! 0-3 whose index 2 always fails runs on the embedded server's runner
//! (podman), from a busybox image built `FROM scratch` and pulled from the
//! test's own registry with its htpasswd credential. Logs per index, rerun
//! of the failed index, a sensitive value that reaches the container and
//! nothing else, a wrong credential's plain error, deletion that leaves
//! nothing, and who may do what.

mod embedded_jobs {
    // Shared with the embedded job tests, which use all of it.
    #[allow(dead_code)]
    pub mod support;
}

use std::time::Duration;

use anyhow::{Context, bail, ensure};
use berth_shared::job_run::{JobRun, JobRunList, RunState};
use berth_tests::stored::{SseReader, create_project};
use embedded_jobs::support::{JobsEnv, eventually};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Api, ListParams};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PROJECT: &str = "runs";
const SECRET: &str = "s3cret-value-XYZ";
const PULL_CREDENTIAL_REFUSED: &str =
    "The image could not be pulled: the registry refused the credential.";

/// Prints its array index (from `BERTH_ARRAY_INDICES` and the completion
/// index), the greeting and the secret's length; index 2 fails.
const SCRIPT: &str = r#"I=$(echo "$BERTH_ARRAY_INDICES" | busybox awk -F, -v k="$JOB_COMPLETION_INDEX" '{n=0; for(i=1;i<=NF;i++){split($i,r,"-"); a=r[1]+0; b=(r[2]=="")?a:r[2]+0; for(j=a;j<=b;j++){if(n==k){print j; exit} n++}}}')
echo "index $I says $GREETING; token length ${#TOKEN}"
[ "$I" != 2 ]"#;

fn at(path: &str) -> String {
    format!("/api/v1/projects/{PROJECT}{path}")
}

async fn post(env: &JobsEnv, path: &str, body: Value) -> reqwest::Response {
    env.berth
        .http()
        .post(env.berth.at(&at(path)))
        .json(&body)
        .send()
        .await
        .expect("post")
}

async fn created(env: &JobsEnv, path: &str, body: Value) -> Value {
    let response = post(env, path, body).await;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::CREATED, "{path}: {text}");
    serde_json::from_str(&text).expect("json")
}

async fn run(env: &JobsEnv, name: &str) -> anyhow::Result<JobRun> {
    let response = env
        .berth
        .http()
        .get(env.berth.at(&at(&format!("/job-runs/{name}"))))
        .send()
        .await?;
    ensure!(response.status() == StatusCode::OK, "{}", response.status());
    Ok(response.json().await?)
}

async fn finished(env: &JobsEnv, name: &str) -> anyhow::Result<JobRun> {
    eventually(Duration::from_secs(120), || async {
        let r = run(env, name).await?;
        ensure!(
            r.summary.state.is_finished(),
            "still {:?}",
            r.summary.counts
        );
        Ok(r)
    })
    .await
}

async fn log(env: &JobsEnv, name: &str, query: &str) -> anyhow::Result<(StatusCode, String)> {
    let response = env
        .berth
        .http()
        .get(env.berth.at(&at(&format!("/job-runs/{name}/logs?{query}"))))
        .send()
        .await?;
    Ok((response.status(), response.text().await?))
}

/// The project with a credential, an image pointer and the template.
async fn set_up(env: &JobsEnv) {
    create_project(&env.berth, PROJECT).await;
    let registry = env.registry.as_ref().expect("registry");
    for (name, password) in [
        ("good", registry.password.as_str()),
        ("bad", "not the password"),
    ] {
        created(
            env,
            "/registry-credentials",
            json!({"name": name, "kind": "other", "server": registry.host,
                   "username": registry.username, "secret": password}),
        )
        .await;
        created(
            env,
            "/images",
            json!({"name": format!("busybox-{name}"), "reference": env.image, "credential": name}),
        )
        .await;
    }
    created(
        env,
        "/job-templates",
        json!({
            "name": "count",
            "imagePointer": "busybox-good",
            "command": ["/bin/sh", "-c", SCRIPT],
            "env": [
                {"name": "GREETING", "value": "hello"},
                {"name": "TOKEN", "value": SECRET, "sensitive": true},
            ],
            "indices": "0-3",
            "retryLimit": 1,
            "maxExecutionSeconds": 120,
        }),
    )
    .await;
}

fn states(run: &JobRun) -> Vec<(u32, RunState)> {
    run.indexes.iter().map(|i| (i.index, i.state)).collect()
}

#[tokio::test]
async fn a_run_fails_one_index_after_its_retries_and_reruns_only_that_index() -> anyhow::Result<()>
{
    let env = JobsEnv::start().await?;
    set_up(&env).await;

    // Nothing can be submitted with a broken body or bad overrides.
    let refused = post(&env, "/job-templates/count/runs", json!({"indices": "3-1"})).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = post(
        &env,
        "/job-templates/count/runs",
        json!({"env": [{"name": "TOKEN", "value": "x"}]}),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = post(&env, "/job-templates/nope/runs", json!({})).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // Submit, with one plain variable changed for this run.
    let response = post(
        &env,
        "/job-templates/count/runs",
        json!({"env": [{"name": "GREETING", "value": "hi"}]}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let first: JobRun = response.json().await?;
    let name = first.summary.name.clone();
    assert!(
        name.starts_with("count-run-") && name.len() == "count-run-".len() + 5,
        "{name}"
    );
    assert_eq!(location, at(&format!("/job-runs/{name}")));
    assert_eq!(first.summary.template, "count");
    assert_eq!(first.summary.instances, 4);
    assert!(
        first
            .env
            .iter()
            .any(|v| v.name == "TOKEN" && v.sensitive && v.value.is_empty()),
        "{:?}",
        first.env
    );

    // Live updates: the first event is the run; others follow as it moves.
    let mut events = SseReader::open(&env.berth, &at(&format!("/job-runs/{name}/events"))).await;
    let opening = events
        .next(Duration::from_secs(10))
        .await
        .context("an event")?;
    assert_eq!(opening.event, "run");
    assert_eq!(opening.data["name"], name.as_str());

    // The list shows it, newest first, and filters by template.
    let list: JobRunList = env
        .berth
        .http()
        .get(env.berth.at(&at("/job-runs?template=count")))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(list.items[0].name, name);
    let other: JobRunList = env
        .berth
        .http()
        .get(env.berth.at(&at("/job-runs?template=other")))
        .send()
        .await?
        .json()
        .await?;
    assert!(other.items.is_empty());

    let done = finished(&env, &name).await?;
    assert_eq!(done.summary.state, RunState::Failed, "{done:?}");
    assert_eq!(
        states(&done),
        [
            (0, RunState::Succeeded),
            (1, RunState::Succeeded),
            (2, RunState::Failed),
            (3, RunState::Succeeded)
        ]
    );
    assert_eq!(
        (done.summary.counts.succeeded, done.summary.counts.failed),
        (3, 1)
    );
    let failed = &done.indexes[2];
    assert_eq!(failed.attempts, 2, "one try and one retry: {failed:?}");
    assert_eq!(failed.exit_code, Some(1));
    assert_eq!(done.indexes[0].exit_code, Some(0));

    // The events saw it finish.
    let mut last = opening;
    while last.data["state"] != "failed" {
        last = events.until("run", Duration::from_secs(30)).await.0;
    }

    // Each index's log is its own; the sensitive value arrived (its length).
    for i in [0, 1, 3] {
        let (status, text) = log(&env, &name, &format!("index={i}")).await?;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            text.trim(),
            format!("index {i} says hi; token length {}", SECRET.len())
        );
    }
    let (_, first_try) = log(&env, &name, "index=2&attempt=1").await?;
    assert!(first_try.contains("index 2 says hi"), "{first_try}");
    let download = env
        .berth
        .http()
        .get(
            env.berth
                .at(&at(&format!("/job-runs/{name}/logs?index=0&download=true"))),
        )
        .send()
        .await?;
    let disposition = download
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"{name}-index-0-attempt-1.log\"")
    );
    assert_eq!(log(&env, &name, "index=7").await?.0, StatusCode::NOT_FOUND);
    assert_eq!(
        log(&env, &name, "index=0&attempt=5").await?.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(log(&env, &name, "").await?.0, StatusCode::BAD_REQUEST);

    // Rerun the failed index: a new run of index 2 alone.
    let rerun: JobRun = serde_json::from_value(
        created(&env, &format!("/job-runs/{name}/rerun-failed"), json!(null)).await,
    )?;
    assert_eq!(rerun.summary.indices, "2");
    assert_eq!(rerun.summary.rerun_of.as_deref(), Some(name.as_str()));
    let rerun_done = finished(&env, &rerun.summary.name).await?;
    assert_eq!(states(&rerun_done), [(2, RunState::Failed)]);
    let (_, text) = log(&env, &rerun.summary.name, "index=2").await?;
    assert!(
        text.contains(&format!("index 2 says hi; token length {}", SECRET.len())),
        "{text}"
    );
    let client = env.berth.http();

    // The secret appears in no answer, activity entry, inventory or log.
    let mut seen = String::new();
    for path in [
        at("/job-runs"),
        at(&format!("/job-runs/{name}")),
        at(&format!("/job-runs/{}", rerun.summary.name)),
        at("/activity"),
        at("/inventory"),
    ] {
        let text = client.get(env.berth.at(&path)).send().await?.text().await?;
        seen.push_str(&text);
    }
    assert!(seen.contains(&name), "the reads name the run");
    assert!(
        seen.contains(&format!("Ran job template count as job run {name}")),
        "activity: {seen}"
    );
    assert!(!seen.contains(SECRET), "the secret leaked into an answer");
    assert!(
        !env.berth_logs().contains(SECRET),
        "the secret leaked into Berth's log"
    );

    // Delete both: no Job, Pod, Secret or container is left. (A new
    // stream: the test client ends a response after 30 seconds.)
    drop(events);
    let mut events = SseReader::open(&env.berth, &at(&format!("/job-runs/{name}/events"))).await;
    assert_eq!(
        events
            .next(Duration::from_secs(10))
            .await
            .context("an event")?
            .event,
        "run"
    );
    for run in [&name, &rerun.summary.name] {
        let response = client
            .delete(env.berth.at(&at(&format!("/job-runs/{run}"))))
            .send()
            .await?;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let gone = client
            .get(env.berth.at(&at(&format!("/job-runs/{run}"))))
            .send()
            .await?;
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    }
    let deleted = events.until("deleted", Duration::from_secs(10)).await.0;
    assert_eq!(deleted.data["name"], name.as_str());
    let project: Value = client
        .get(env.berth.at(&at("")))
        .send()
        .await?
        .json()
        .await?;
    let namespace = project["namespace"]
        .as_str()
        .context("namespace")?
        .to_owned();
    let kube = env.kube();
    eventually(Duration::from_secs(30), || async {
        let jobs: Api<Job> = Api::namespaced(kube.clone(), &namespace);
        let pods: Api<Pod> = Api::namespaced(kube.clone(), &namespace);
        let secrets: Api<Secret> = Api::namespaced(kube.clone(), &namespace);
        let runs = ListParams::default().labels("berth.dev/kind=job-run");
        let (j, p) = (jobs.list(&runs).await?.items, pods.list(&runs).await?.items);
        let snapshots = secrets
            .list(&ListParams::default().labels("berth.dev/kind=job-run-env"))
            .await?
            .items;
        if !(j.is_empty() && p.is_empty() && snapshots.is_empty()) {
            bail!(
                "left: {} jobs, {} pods, {} secrets",
                j.len(),
                p.len(),
                snapshots.len()
            );
        }
        Ok(())
    })
    .await?;
    env.assert_clean().await?;
    Ok(())
}

#[tokio::test]
async fn a_wrong_credential_says_so_and_roles_decide_who_sees_what() -> anyhow::Result<()> {
    let env = JobsEnv::start().await?;
    set_up(&env).await;
    let client = env.berth.http();
    let response = client
        .put(env.berth.at(&at("/job-templates/count")))
        .json(&json!({
            "name": "count", "imagePointer": "busybox-bad",
            "command": ["/bin/sh", "-c", "echo hi"], "retryLimit": 0,
            "maxExecutionSeconds": 120,
        }))
        .send()
        .await?;
    ensure!(
        response.status() == StatusCode::OK,
        "{}",
        response.text().await?
    );
    let bad: JobRun =
        serde_json::from_value(created(&env, "/job-templates/count/runs", json!({})).await)?;
    let name = bad.summary.name.clone();
    let waiting = eventually(Duration::from_secs(60), || async {
        let r = run(&env, &name).await?;
        let reason = r.indexes[0].reason.clone().unwrap_or_default();
        ensure!(
            reason == PULL_CREDENTIAL_REFUSED,
            "reason so far: {reason:?}"
        );
        Ok(r)
    })
    .await?;
    assert_eq!(waiting.indexes[0].state, RunState::Waiting);
    assert_eq!(waiting.indexes[0].index, 0);
    // Nothing has started, so there is no log yet.
    assert_eq!(log(&env, &name, "index=0").await?.0, StatusCode::NOT_FOUND);
    assert!(!env.berth_logs().contains("not the password"));

    // A viewer sees runs but not logs, and cannot run or delete; an
    // outsider cannot tell the project exists.
    let viewer = env.berth.add_user("victor").await?;
    let outsider = env.berth.add_user("oscar").await?;
    let members = client
        .put(env.berth.at(&at("/members")))
        .json(&json!({"members": [
            {"user": "admin", "role": "owner"},
            {"user": "victor", "role": "viewer"},
        ]}))
        .send()
        .await?;
    ensure!(members.status().is_success(), "{}", members.text().await?);
    let as_viewer = |path: String| viewer.client.get(env.berth.at(&path)).send();
    assert_eq!(as_viewer(at("/job-runs")).await?.status(), StatusCode::OK);
    assert_eq!(
        as_viewer(at(&format!("/job-runs/{name}"))).await?.status(),
        StatusCode::OK
    );
    assert_eq!(
        as_viewer(at(&format!("/job-runs/{name}/logs?index=0")))
            .await?
            .status(),
        StatusCode::FORBIDDEN
    );
    let submit = viewer
        .client
        .post(env.berth.at(&at("/job-templates/count/runs")))
        .json(&json!({}))
        .send()
        .await?;
    assert_eq!(submit.status(), StatusCode::FORBIDDEN);
    let delete = viewer
        .client
        .delete(env.berth.at(&at(&format!("/job-runs/{name}"))))
        .send()
        .await?;
    assert_eq!(delete.status(), StatusCode::FORBIDDEN);
    for path in [
        at("/job-runs"),
        at(&format!("/job-runs/{name}")),
        at(&format!("/job-runs/{name}/logs?index=0")),
    ] {
        let response = outsider.client.get(env.berth.at(&path)).send().await?;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }

    // The inventory lists the run, deleted through the run's own address.
    let inventory: Value = client
        .get(env.berth.at(&at("/inventory")))
        .send()
        .await?
        .json()
        .await?;
    let item = inventory["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["kind"] == "job-run")
        .context("a job run in the inventory")?
        .clone();
    assert_eq!(item["name"], name.as_str());
    assert_eq!(item["location"]["kind"], "Job");
    assert_eq!(
        item["deletePath"],
        at(&format!("/job-runs/{name}")).as_str()
    );
    assert_eq!(inventory["totals"]["job-run"], 1);

    // Deleting the project deletes the run, and the progress counts it
    // until it is gone.
    let mut progress = SseReader::open(&env.berth, &at("/deletion")).await;
    let (first, _) = progress.until("progress", Duration::from_secs(10)).await;
    assert_eq!(first.data["remaining"]["jobs.batch"], 1, "{:?}", first.data);
    let response = client
        .delete(env.berth.at(&format!("{}?mode=hard", at(""))))
        .send()
        .await?;
    ensure!(response.status().is_success(), "{}", response.status());
    progress.until("deleted", Duration::from_secs(30)).await;
    env.assert_clean().await?;
    Ok(())
}

#[tokio::test]
async fn without_a_container_engine_a_submit_is_refused_plainly() -> anyhow::Result<()> {
    let env = JobsEnv::start_without_engine().await?;
    create_project(&env.berth, PROJECT).await;
    created(
        &env,
        "/job-templates",
        json!({"name": "t", "image": "busybox", "command": ["true"]}),
    )
    .await;
    let response = post(&env, "/job-templates/t/runs", json!({})).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let problem = berth_tests::problem(response).await;
    assert!(problem.message().contains("cannot run jobs"), "{problem:?}");
    Ok(())
}

#[tokio::test]
async fn a_run_past_its_maximum_execution_time_is_stopped_and_says_so() -> anyhow::Result<()> {
    const STOPPED: &str = "Stopped after the maximum execution time.";
    let env = JobsEnv::start().await?;
    set_up(&env).await;
    // The shortest maximum a template may have: one minute.
    created(
        &env,
        "/job-templates",
        json!({"name": "slow", "imagePointer": "busybox-good",
               // Ends when told to stop, as a well-behaved program does
               // (else it is killed after the 30 s grace period).
               "command": ["/bin/sh", "-c", "echo started; trap 'exit 143' TERM; sleep 600 & wait"],
               "indices": "0-1", "retryLimit": 0, "maxExecutionSeconds": 60}),
    )
    .await;
    let submitted: JobRun =
        serde_json::from_value(created(&env, "/job-templates/slow/runs", json!({})).await)?;
    let name = submitted.summary.name;
    env.running_container_count(2).await?;
    let done = finished(&env, &name).await?;
    assert_eq!(done.summary.state, RunState::Failed);
    assert_eq!(done.summary.reason.as_deref(), Some(STOPPED));
    for index in &done.indexes {
        assert_eq!(index.state, RunState::Failed, "index {}", index.index);
        assert_eq!(
            index.reason.as_deref(),
            Some(STOPPED),
            "index {}",
            index.index
        );
    }
    // Stopped for real: no container of the run is left running.
    env.running_container_count(0).await?;
    let deleted = env
        .berth
        .http()
        .delete(env.berth.at(&at(&format!("/job-runs/{name}"))))
        .send()
        .await?;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    env.assert_clean().await
}
