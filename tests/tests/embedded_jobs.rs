//! The embedded Kubernetes API runs Jobs with real containers: the job
//! controller's semantics, the pod runner on podman, logs, deletion,
//! restarts, kubectl, and what happens to secrets. Every test builds a
//! busybox image `FROM scratch`, pushes it with credentials to its own
//! local registry, and starts `berth serve` with podman confined to
//! temporary folders (`embedded_jobs/support.rs`). Without podman the tests
//! fail and say how to install it.
//!
//! With `BERTH_TEST_KUBECONFIG` the same tests run against a real cluster
//! (`embedded_jobs/cluster.rs` says what they need there and what they skip).

mod embedded_jobs {
    pub mod cluster;
    pub mod support;
}

use std::time::Duration;

use anyhow::{Context, ensure};
use embedded_jobs::cluster::JobsCluster;
use embedded_jobs::support::{condition, eventually, job, pods_of};
use futures::{AsyncBufReadExt, TryStreamExt};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, ListParams, LogParams, PostParams, PropagationPolicy};
use serde_json::json;

#[tokio::test]
async fn an_indexed_job_with_a_failing_index_fails_that_index_only() -> anyhow::Result<()> {
    let env = JobsCluster::start().await?;
    let ns = env.namespace("indexed").await?;
    let jobs: Api<Job> = Api::namespaced(env.kube(), &ns);
    let mut j = job(
        "work",
        &env.image,
        &[
            "sh",
            "-c",
            "echo index $JOB_COMPLETION_INDEX; test \"$JOB_COMPLETION_INDEX\" != 2",
        ],
    );
    j["spec"]["completionMode"] = "Indexed".into();
    j["spec"]["completions"] = 4.into();
    j["spec"]["parallelism"] = 4.into();
    j["spec"]["backoffLimitPerIndex"] = 1.into();
    j["spec"]["template"]["spec"]["imagePullSecrets"] = json!([{"name": "pull"}]);
    jobs.create(&PostParams::default(), &serde_json::from_value(j)?)
        .await?;
    let done = eventually(Duration::from_secs(120), || async {
        let j = jobs.get("work").await?;
        ensure!(
            condition(&j, "Failed").is_some(),
            "not failed yet: {:?}",
            j.status
        );
        Ok(j)
    })
    .await?;
    let status = done.status.context("a status")?;
    assert_eq!(status.failed_indexes.as_deref(), Some("2"));
    assert_eq!(status.completed_indexes.as_deref(), Some("0,1,3"));
    assert_eq!(status.succeeded, Some(3));
    assert_eq!(status.failed, Some(2));
    let failed = condition(&done_again(&jobs).await?, "Failed").context("Failed")?;
    assert_eq!(failed.reason.as_deref(), Some("FailedIndexes"));
    let target = condition(&done_again(&jobs).await?, "FailureTarget").context("FailureTarget")?;
    assert_eq!(target.reason.as_deref(), Some("FailedIndexes"));
    assert!(status.start_time.is_some());

    let pods = pods_of(&env.kube(), &ns, "work").await?;
    let index_of = |p: &Pod| {
        p.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("batch.kubernetes.io/job-completion-index"))
            .cloned()
    };
    let for_2: Vec<&Pod> = pods
        .iter()
        .filter(|p| index_of(p).as_deref() == Some("2"))
        .collect();
    assert_eq!(for_2.len(), 2, "two attempts of index 2");
    for p in &pods {
        let name = p.metadata.name.clone().unwrap_or_default();
        let index = index_of(p).context("an index label")?;
        assert!(name.starts_with(&format!("work-{index}-")), "{name}");
        let annotations = p.metadata.annotations.clone().unwrap_or_default();
        assert_eq!(
            annotations.get("batch.kubernetes.io/job-completion-index"),
            Some(&index)
        );
        let labels = p.metadata.labels.clone().unwrap_or_default();
        assert_eq!(labels.get("job-name").map(String::as_str), Some("work"));
        assert_eq!(
            labels
                .get("batch.kubernetes.io/job-name")
                .map(String::as_str),
            Some("work")
        );
        assert_eq!(labels.get("controller-uid"), done.metadata.uid.as_ref());
        let owner = &p.metadata.owner_references.clone().unwrap_or_default()[0];
        assert_eq!((owner.kind.as_str(), owner.controller), ("Job", Some(true)));
        let terminated = p
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .and_then(|c| c[0].state.as_ref())
            .and_then(|s| s.terminated.clone())
            .context("terminated")?;
        let (code, reason) = if index == "2" {
            (1, "Error")
        } else {
            (0, "Completed")
        };
        assert_eq!(
            (terminated.exit_code, terminated.reason.as_deref()),
            (code, Some(reason))
        );
        let log = Api::<Pod>::namespaced(env.kube(), &ns)
            .logs(&name, &LogParams::default())
            .await?;
        assert_eq!(log, format!("index {index}\n"));
    }
    env.finish().await
}

async fn done_again(jobs: &Api<Job>) -> anyhow::Result<Job> {
    Ok(jobs.get("work").await?)
}

#[tokio::test]
async fn a_deadline_fails_the_job_and_stops_its_container() -> anyhow::Result<()> {
    let env = JobsCluster::start().await?;
    let ns = env.namespace("deadline").await?;
    let jobs: Api<Job> = Api::namespaced(env.kube(), &ns);
    let mut j = job("slow", &env.image, &["sh", "-c", "echo started; sleep 600"]);
    j["spec"]["activeDeadlineSeconds"] = 4.into();
    jobs.create(&PostParams::default(), &serde_json::from_value(j)?)
        .await?;
    env.running(&ns, 1).await?;
    let done = eventually(Duration::from_secs(60), || async {
        let j = jobs.get("slow").await?;
        condition(&j, "Failed").context("not failed yet")?;
        Ok(j)
    })
    .await?;
    let failed = condition(&done, "Failed").context("Failed")?;
    assert_eq!(failed.reason.as_deref(), Some("DeadlineExceeded"));
    assert_eq!(
        failed.message.as_deref(),
        Some("Job was active longer than specified deadline")
    );
    // The running Pod is deleted and its container stopped and removed.
    env.running(&ns, 0).await?;
    assert!(pods_of(&env.kube(), &ns, "slow").await?.is_empty());
    env.finish().await
}

#[tokio::test]
async fn logs_follow_a_running_container_and_previous_gives_the_attempt_before()
-> anyhow::Result<()> {
    let env = JobsCluster::start().await?;
    let ns = env.namespace("logs").await?;
    let pods: Api<Pod> = Api::namespaced(env.kube(), &ns);
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "ticker"},
        "spec": {
            "restartPolicy": "OnFailure",
            "terminationGracePeriodSeconds": 1,
            "imagePullSecrets": [{"name": "pull"}],
            "containers": [{"name": "main", "image": env.image, "command": ["sh", "-c",
                "echo attempt $(cat /proc/sys/kernel/random/uuid); for i in 1 2 3 4; do echo tick $i; sleep 1; done; exit 3"]}],
        },
    });
    pods.create(&PostParams::default(), &serde_json::from_value(pod)?)
        .await?;
    eventually(Duration::from_secs(60), || async {
        let p = pods.get("ticker").await?;
        let phase = p.status.and_then(|s| s.phase).unwrap_or_default();
        ensure!(phase == "Running", "phase {phase}");
        Ok(())
    })
    .await?;
    let mut lines = pods
        .log_stream(
            "ticker",
            &LogParams {
                follow: true,
                ..LogParams::default()
            },
        )
        .await?
        .lines();
    let mut first_attempt = Vec::new();
    while let Some(line) = lines.try_next().await? {
        if line == "tick 1" {
            // Read while the container still prints.
            let running = pods.get("ticker").await?;
            let state = running
                .status
                .and_then(|s| s.container_statuses)
                .context("statuses")?;
            assert!(
                state[0]
                    .state
                    .as_ref()
                    .and_then(|s| s.running.as_ref())
                    .is_some()
            );
        }
        first_attempt.push(line);
    }
    assert_eq!(first_attempt.len(), 5, "{first_attempt:?}");
    assert_eq!(first_attempt[4], "tick 4");
    let restarted = eventually(Duration::from_secs(60), || async {
        let p = pods.get("ticker").await?;
        let cs = p
            .status
            .clone()
            .and_then(|s| s.container_statuses)
            .context("statuses")?;
        ensure!(cs[0].restart_count >= 1, "not restarted");
        Ok(cs[0].clone())
    })
    .await?;
    let last = restarted
        .last_state
        .and_then(|s| s.terminated)
        .context("lastState")?;
    assert_eq!((last.exit_code, last.reason.as_deref()), (3, Some("Error")));
    let previous = pods
        .logs(
            "ticker",
            &LogParams {
                previous: true,
                ..LogParams::default()
            },
        )
        .await?;
    assert_eq!(previous.lines().collect::<Vec<_>>(), first_attempt);
    let tail = pods
        .logs(
            "ticker",
            &LogParams {
                previous: true,
                tail_lines: Some(2),
                timestamps: true,
                ..LogParams::default()
            },
        )
        .await?;
    let tail: Vec<&str> = tail.lines().collect();
    assert_eq!(tail.len(), 2);
    assert!(
        tail[1].ends_with(" tick 4") && tail[1].contains('T'),
        "{tail:?}"
    );
    pods.delete("ticker", &DeleteParams::default()).await?;
    env.running(&ns, 0).await?;
    env.finish().await
}

#[tokio::test]
async fn a_wrong_pull_credential_gives_err_image_pull() -> anyhow::Result<()> {
    let env = JobsCluster::start().await?;
    let ns = env.namespace("pull").await?;
    if !env.wrong_pull_secret(&ns, "wrong").await? {
        return env.finish().await;
    }
    let pods: Api<Pod> = Api::namespaced(env.kube(), &ns);
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "denied"},
        // Always: with the image cached, a cluster would not ask the registry.
        "spec": {"restartPolicy": "Never", "imagePullSecrets": [{"name": "wrong"}],
                 "containers": [{"name": "main", "image": env.image, "command": ["true"],
                                 "imagePullPolicy": "Always"}]},
    });
    pods.create(&PostParams::default(), &serde_json::from_value(pod)?)
        .await?;
    let waiting = eventually(Duration::from_secs(60), || async {
        let p = pods.get("denied").await?;
        let w = p
            .status
            .and_then(|s| s.container_statuses)
            .and_then(|c| c[0].state.clone())
            .and_then(|s| s.waiting)
            .context("no waiting state")?;
        ensure!(
            w.reason.as_deref() == Some("ErrImagePull"),
            "{:?}",
            w.reason
        );
        Ok(w)
    })
    .await?;
    assert!(waiting.message.unwrap_or_default().contains(&env.image));
    let p = pods.get("denied").await?;
    assert_eq!(p.status.and_then(|s| s.phase).as_deref(), Some("Pending"));
    pods.delete("denied", &DeleteParams::default()).await?;
    env.finish().await
}

#[tokio::test]
async fn background_deletion_removes_the_pods_and_their_containers() -> anyhow::Result<()> {
    let env = JobsCluster::start().await?;
    let ns = env.namespace("delete").await?;
    let jobs: Api<Job> = Api::namespaced(env.kube(), &ns);
    let mut j = job("long", &env.image, &["sh", "-c", "sleep 600"]);
    j["spec"]["parallelism"] = 2.into();
    j["spec"]["completions"] = 2.into();
    jobs.create(&PostParams::default(), &serde_json::from_value(j)?)
        .await?;
    env.running(&ns, 2).await?;
    assert_eq!(pods_of(&env.kube(), &ns, "long").await?.len(), 2);
    jobs.delete(
        "long",
        &DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            ..DeleteParams::default()
        },
    )
    .await?;
    eventually(Duration::from_secs(30), || async {
        let left = Api::<Pod>::namespaced(env.kube(), &ns)
            .list(&ListParams::default())
            .await?;
        ensure!(left.items.is_empty(), "{} pods left", left.items.len());
        Ok(())
    })
    .await?;
    env.running(&ns, 0).await?;
    env.finish().await
}

#[tokio::test]
async fn a_restart_of_berth_during_a_run_loses_no_job_or_pod() -> anyhow::Result<()> {
    let mut env = JobsCluster::start().await?;
    let test = "a_restart_of_berth_during_a_run_loses_no_job_or_pod";
    if env.embedded_only_mut(test, "all").is_none() {
        return Ok(());
    }
    let ns = env.namespace("restart").await?;
    let jobs: Api<Job> = Api::namespaced(env.kube(), &ns);
    let mut j = job(
        "steady",
        &env.image,
        &["sh", "-c", "echo before; sleep 6; echo after"],
    );
    j["spec"]["completions"] = 2.into();
    j["spec"]["parallelism"] = 2.into();
    jobs.create(&PostParams::default(), &serde_json::from_value(j)?)
        .await?;
    env.running(&ns, 2).await?;
    let before: Vec<String> = pods_of(&env.kube(), &ns, "steady")
        .await?
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    // Only on the embedded server (a real cluster returned above).
    env.embedded_only_mut(test, "the restart")
        .context("the embedded server")?
        .restart()
        .await?;
    let jobs: Api<Job> = Api::namespaced(env.kube(), &ns);
    let done = eventually(Duration::from_secs(90), || async {
        let j = jobs.get("steady").await?;
        condition(&j, "Complete").context("not complete yet")?;
        Ok(j)
    })
    .await?;
    assert_eq!(done.status.and_then(|s| s.succeeded), Some(2));
    let after = pods_of(&env.kube(), &ns, "steady").await?;
    let names: Vec<String> = after
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    assert_eq!(names.len(), 2);
    for n in &before {
        assert!(names.contains(n), "pod {n} was lost: {names:?}");
        let log = Api::<Pod>::namespaced(env.kube(), &ns)
            .logs(n, &LogParams::default())
            .await?;
        assert_eq!(
            log, "before\nafter\n",
            "the adopted container's whole output"
        );
    }
    env.finish().await
}

#[tokio::test]
async fn kubectl_creates_follows_waits_for_and_deletes_a_job() -> anyhow::Result<()> {
    let env = JobsCluster::start().await?;
    let ns = env.namespace("kubectl").await?;
    env.prepare_for_kubectl(&ns).await?;
    let out = env.kubectl(
        &ns,
        &[
            "create",
            "job",
            "hello",
            &format!("--image={}", env.image),
            "--",
            "sh",
            "-c",
            "echo hello; sleep 3; echo bye",
        ],
    )?;
    assert!(out.contains("job.batch/hello created"), "{out}");
    // As on a cluster, logs are there once the container started.
    eventually(Duration::from_secs(60), || async {
        let pods = pods_of(&env.kube(), &ns, "hello").await?;
        let phase = pods
            .first()
            .and_then(|p| p.status.clone())
            .and_then(|s| s.phase);
        ensure!(phase.as_deref() == Some("Running"), "phase {phase:?}");
        Ok(())
    })
    .await?;
    let out = env.kubectl(&ns, &["logs", "-f", "job/hello"])?;
    assert_eq!(out, "hello\nbye\n");
    let out = env.kubectl(
        &ns,
        &[
            "wait",
            "--for=condition=complete",
            "job/hello",
            "--timeout=60s",
        ],
    )?;
    assert!(out.contains("job.batch/hello condition met"), "{out}");
    let out = env.kubectl(&ns, &["get", "jobs,pods"])?;
    assert!(
        out.contains("job.batch/hello") && out.contains("Complete") && out.contains("1/1"),
        "{out}"
    );
    assert!(
        out.contains("pod/hello-") && out.contains("Completed"),
        "{out}"
    );
    let out = env.kubectl(&ns, &["delete", "job", "hello"])?;
    assert!(out.contains("job.batch \"hello\" deleted"), "{out}");
    assert!(pods_of(&env.kube(), &ns, "hello").await?.is_empty());
    env.finish().await
}

#[tokio::test]
async fn a_secret_reaches_the_container_but_no_log_and_no_command_line() -> anyhow::Result<()> {
    let env = JobsCluster::start().await?;
    let ns = env.namespace("secret").await?;
    let value = format!("s3cret-{}", uuid_like());
    env.create_secret(&ns, "token", "value", &value).await?;
    let jobs: Api<Job> = Api::namespaced(env.kube(), &ns);
    let mut j = job(
        "uses-secret",
        &env.image,
        &["sh", "-c", "echo length ${#TOKEN}; sleep 4"],
    );
    j["spec"]["template"]["spec"]["containers"][0]["env"] = json!([
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "token", "key": "value"}}},
        {"name": "PLAIN", "value": "x"},
    ]);
    jobs.create(&PostParams::default(), &serde_json::from_value(j)?)
        .await?;
    env.running(&ns, 1).await?;
    let test = "a_secret_reaches_the_container_but_no_log_and_no_command_line";
    // While it runs, no process shows the value on its command line.
    if env.embedded_only(test, "the command lines").is_some() {
        for entry in std::fs::read_dir("/proc")? {
            let Ok(cmdline) = std::fs::read(entry?.path().join("cmdline")) else {
                continue;
            };
            assert!(
                !cmdline.windows(value.len()).any(|w| w == value.as_bytes()),
                "a process has the secret on its command line"
            );
        }
    }
    let done = eventually(Duration::from_secs(60), || async {
        let j = jobs.get("uses-secret").await?;
        condition(&j, "Complete").context("not complete yet")?;
        Ok(j)
    })
    .await?;
    assert!(done.status.is_some());
    let pod = pods_of(&env.kube(), &ns, "uses-secret").await?;
    let name = pod[0].metadata.name.clone().unwrap_or_default();
    let log = Api::<Pod>::namespaced(env.kube(), &ns)
        .logs(&name, &LogParams::default())
        .await?;
    assert_eq!(log, format!("length {}\n", value.len()));
    if let Some(berth) = env.embedded_only(test, "Berth's log") {
        assert!(
            !berth.berth_logs().contains(&value),
            "the secret is in Berth's log"
        );
    }
    env.finish().await
}

#[tokio::test]
async fn without_an_engine_pods_wait_and_say_why() -> anyhow::Result<()> {
    let env = JobsCluster::start_without_engine().await?;
    let Some(berth) = env.embedded_only("without_an_engine_pods_wait_and_say_why", "all") else {
        return Ok(());
    };
    let ns = env.namespace("noengine").await?;
    let jobs: Api<Job> = Api::namespaced(env.kube(), &ns);
    jobs.create(
        &PostParams::default(),
        &serde_json::from_value(job("idle", "busybox:1", &["true"]))?,
    )
    .await?;
    let pod = eventually(Duration::from_secs(30), || async {
        let pods = pods_of(&env.kube(), &ns, "idle").await?;
        let p = pods.first().cloned().context("no pod yet")?;
        let c = p
            .status
            .as_ref()
            .and_then(|s| s.conditions.clone())
            .and_then(|cs| cs.into_iter().find(|c| c.type_ == "PodScheduled"))
            .context("not scheduled yet")?;
        Ok((p, c))
    })
    .await?;
    let (p, c) = pod;
    assert_eq!(p.status.and_then(|s| s.phase).as_deref(), Some("Pending"));
    assert_eq!(
        (c.status.as_str(), c.reason.as_deref()),
        ("False", Some("Unschedulable"))
    );
    assert_eq!(
        c.message.as_deref(),
        Some(
            "No container engine on this machine: install podman or docker, or point Berth at a cluster"
        )
    );
    let config: serde_json::Value = berth.berth_get("/api/v1/config").await?;
    assert_eq!(config["jobsCanRun"], false);
    Ok(())
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    )
}

#[tokio::test]
async fn jobs_are_validated_discovered_and_orphaned_as_kubernetes_does() -> anyhow::Result<()> {
    let env = JobsCluster::start_without_engine().await?;
    let ns = env.namespace("api").await?;
    let client = env.kube();
    // Discovery lists batch/v1 jobs and the pods/log subresource.
    let batch = env.get_json("/apis/batch/v1").await?;
    let names: Vec<&str> = batch["resources"]
        .as_array()
        .context("resources")?
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(
        names.contains(&"jobs") && names.contains(&"jobs/status"),
        "{names:?}"
    );
    let core = env.get_json("/api/v1").await?;
    assert!(
        core["resources"]
            .as_array()
            .context("resources")?
            .iter()
            .any(|r| r["name"] == "pods/log")
    );

    // Validation: 422 with one cause per invalid field.
    let jobs: Api<Job> = Api::namespaced(client.clone(), &ns);
    let mut bad = job("bad", "busybox:1", &["true"]);
    bad["spec"]["template"]["spec"]["restartPolicy"] = "Always".into();
    bad["spec"]["completionMode"] = "Indexed".into();
    // With parallelism given, completions is not defaulted.
    bad["spec"]["parallelism"] = 2.into();
    let err = jobs
        .create(&PostParams::default(), &serde_json::from_value(bad)?)
        .await
        .err()
        .context("an invalid Job was accepted")?;
    let kube::Error::Api(status) = err else {
        anyhow::bail!("not an API error: {err}");
    };
    assert_eq!((status.code, status.reason.as_str()), (422, "Invalid"));
    assert!(status.message.contains(
        "spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""
    ), "{}", status.message);
    assert!(
        status
            .message
            .contains("spec.completions: Required value: when completion mode is Indexed"),
        "{}",
        status.message
    );

    // Orphan (batch/v1's default) keeps the Pods and drops their owner.
    jobs.create(
        &PostParams::default(),
        &serde_json::from_value(job("kept", "busybox:1", &["true"]))?,
    )
    .await?;
    let pods = eventually(Duration::from_secs(30), || async {
        let pods = pods_of(&client, &ns, "kept").await?;
        ensure!(!pods.is_empty(), "no pod yet");
        Ok(pods)
    })
    .await?;
    jobs.delete("kept", &DeleteParams::default()).await?;
    let name = pods[0].metadata.name.clone().context("a name")?;
    // A cluster's garbage collector drops the owner a moment later.
    eventually(Duration::from_secs(30), || async {
        let orphan = Api::<Pod>::namespaced(client.clone(), &ns)
            .get(&name)
            .await?;
        let owners = orphan.metadata.owner_references.unwrap_or_default();
        ensure!(owners.is_empty(), "still owned by {owners:?}");
        Ok(())
    })
    .await?;
    env.finish().await
}

#[tokio::test]
async fn a_finished_job_goes_with_its_pods_after_its_ttl() -> anyhow::Result<()> {
    let env = JobsCluster::start().await?;
    let ns = env.namespace("ttl").await?;
    let jobs: Api<Job> = Api::namespaced(env.kube(), &ns);
    let mut j = job("brief", &env.image, &["sh", "-c", "echo done"]);
    j["spec"]["ttlSecondsAfterFinished"] = 2.into();
    jobs.create(&PostParams::default(), &serde_json::from_value(j)?)
        .await?;
    eventually(Duration::from_secs(60), || async {
        let j = jobs.get("brief").await?;
        condition(&j, "Complete").context("not complete yet")?;
        Ok(())
    })
    .await?;
    eventually(Duration::from_secs(30), || async {
        ensure!(jobs.get_opt("brief").await?.is_none(), "still there");
        ensure!(
            pods_of(&env.kube(), &ns, "brief").await?.is_empty(),
            "pods left"
        );
        Ok(())
    })
    .await?;
    env.finish().await
}

#[tokio::test]
async fn the_container_gets_its_limits_and_no_privileges() -> anyhow::Result<()> {
    let env = JobsCluster::start().await?;
    let ns = env.namespace("limits").await?;
    let jobs: Api<Job> = Api::namespaced(env.kube(), &ns);
    let script = "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; \
                  (cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) | cut -d' ' -f1; \
                  grep -E '^(CapEff|NoNewPrivs)' /proc/self/status | tr -s '\\t' ' '; \
                  test -e /var/run/secrets && echo token || echo no-token";
    let mut j = job("limited", &env.image, &["sh", "-c", script]);
    j["spec"]["template"]["spec"]["containers"][0]["resources"] =
        json!({"limits": {"memory": "16Mi", "cpu": "500m"}});
    jobs.create(&PostParams::default(), &serde_json::from_value(j)?)
        .await?;
    eventually(Duration::from_secs(60), || async {
        let j = jobs.get("limited").await?;
        condition(&j, "Complete").context("not complete yet")?;
        Ok(())
    })
    .await?;
    let pod = pods_of(&env.kube(), &ns, "limited").await?;
    let name = pod[0].metadata.name.clone().unwrap_or_default();
    let log = Api::<Pod>::namespaced(env.kube(), &ns)
        .logs(&name, &LogParams::default())
        .await?;
    let (limits, privileges) = log.split_at(log.find("CapEff").unwrap_or(log.len()));
    assert_eq!(limits, "16777216\n50000\n");
    // A cluster gives containers what their Pod asks (a service account
    // token, the runtime's default capabilities); Berth's runner gives none.
    let test = "the_container_gets_its_limits_and_no_privileges";
    if env.embedded_only(test, "the privileges").is_some() {
        assert_eq!(
            privileges,
            "CapEff: 0000000000000000\nNoNewPrivs: 1\nno-token\n"
        );
    }
    env.finish().await
}
