//! The `batch/v1` Job a template becomes: what "as Kubernetes Job" shows and
//! what running a template will submit. Sensitive values are referenced
//! from the companion Secret (`secretKeyRef`), never inlined.

use std::collections::BTreeMap;

use berth_shared::job_templates::Indices;
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, EnvVar, EnvVarSource, LocalObjectReference, PodSpec, PodTemplateSpec,
    ResourceRequirements, SecretKeySelector, SecurityContext,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::api::ObjectMeta;

use crate::storage::labels;
use crate::storage::resources::job_template::{JobTemplate, secret_name};

/// The variable that tells each instance of an array job its index list;
/// Kubernetes numbers the instances 0…n-1 in `JOB_COMPLETION_INDEX`, the
/// n-th entry of this list is that instance's array index.
pub const ARRAY_INDICES_ENV: &str = "BERTH_ARRAY_INDICES";

/// The image a template runs: a reference and, from its image pointer, the
/// registry credential (an image pull Secret) that reaches it.
#[derive(Clone)]
pub struct JobImage {
    pub reference: String,
    pub pull_secret: Option<String>,
}

pub fn render(namespace: &str, template: &JobTemplate, image: JobImage) -> Job {
    let name = template.metadata.name.clone().unwrap_or_default();
    render_with_secret(namespace, template, image, &secret_name(&name))
}

/// How one run differs from the template's Job.
pub struct RunOptions<'a> {
    pub project: &'a str,
    /// The generated name, `TEMPLATE-run-xxxxx`.
    pub name: &'a str,
    /// The snapshot Secret the sensitive variables come from.
    pub snapshot: &'a str,
    /// Seconds a finished run is kept.
    pub retention: u64,
    /// Created suspended: no Pod starts until the snapshot Secret exists.
    pub suspend: bool,
    /// The run whose failed indices this one reruns.
    pub rerun_of: Option<&'a str>,
}

/// The Job of one run of `template` (with any overrides already applied to
/// it): labelled as a run, with its own name and snapshot Secret.
pub fn render_run(
    namespace: &str,
    template: &JobTemplate,
    image: JobImage,
    run: &RunOptions<'_>,
) -> Job {
    let mut job = render_with_secret(namespace, template, image, run.snapshot);
    let mut labels_ = job.metadata.labels.take().unwrap_or_default();
    labels_.insert(labels::PROJECT.to_owned(), run.project.to_owned());
    labels_.insert(labels::KIND.to_owned(), labels::KIND_JOB_RUN.to_owned());
    let mut annotations = BTreeMap::from([(
        labels::RUN_INDICES.to_owned(),
        template.spec.indices.clone().unwrap_or_default(),
    )]);
    if let Some(of) = run.rerun_of {
        annotations.insert(labels::RERUN_OF.to_owned(), of.to_owned());
    }
    job.metadata.generate_name = None;
    job.metadata.name = Some(run.name.to_owned());
    job.metadata.annotations = Some(annotations);
    if let Some(spec) = job.spec.as_mut() {
        spec.ttl_seconds_after_finished = Some(i32::try_from(run.retention).unwrap_or(i32::MAX));
        spec.suspend = Some(run.suspend);
        if let Some(meta) = spec.template.metadata.as_mut() {
            meta.labels = Some(labels_.clone());
        }
    }
    job.metadata.labels = Some(labels_);
    job
}

fn render_with_secret(
    namespace: &str,
    template: &JobTemplate,
    image: JobImage,
    secret: &str,
) -> Job {
    let name = template.metadata.name.clone().unwrap_or_default();
    let spec = &template.spec;
    let mut env: Vec<EnvVar> = spec
        .env
        .iter()
        .map(|v| EnvVar {
            name: v.name.clone(),
            value: (!v.sensitive).then(|| v.value.clone().unwrap_or_default()),
            value_from: v.sensitive.then(|| EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: secret.to_owned(),
                    key: v.name.clone(),
                    optional: Some(false),
                }),
                ..EnvVarSource::default()
            }),
        })
        .collect();
    let indices = Indices::parse(spec.indices.as_deref().unwrap_or_default()).unwrap_or_default();
    if indices.is_array() {
        env.push(EnvVar {
            name: ARRAY_INDICES_ENV.to_owned(),
            value: Some(indices.normalized()),
            value_from: None,
        });
    }
    let amounts = BTreeMap::from([
        ("cpu".to_owned(), Quantity(spec.size.cpu().to_owned())),
        ("memory".to_owned(), Quantity(spec.size.memory().to_owned())),
    ]);
    let instances = i32::try_from(indices.instances()).unwrap_or(i32::MAX);
    let retries = i32::try_from(spec.retry_limit).unwrap_or(i32::MAX);
    let labels_ = BTreeMap::from([
        (
            labels::MANAGED_BY.to_owned(),
            labels::MANAGED_BY_VALUE.to_owned(),
        ),
        (labels::JOB_TEMPLATE.to_owned(), name.clone()),
    ]);
    Job {
        metadata: ObjectMeta {
            generate_name: Some(format!("{name}-")),
            namespace: Some(namespace.to_owned()),
            labels: Some(labels_.clone()),
            ..ObjectMeta::default()
        },
        spec: Some(JobSpec {
            // Retries count per index, as Code Engine counts them.
            backoff_limit: (!indices.is_array()).then_some(retries),
            backoff_limit_per_index: indices.is_array().then_some(retries),
            active_deadline_seconds: Some(i64::from(spec.max_execution_seconds)),
            completions: indices.is_array().then_some(instances),
            parallelism: indices.is_array().then_some(instances),
            completion_mode: indices.is_array().then(|| "Indexed".to_owned()),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels_),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    restart_policy: Some("Never".to_owned()),
                    // A job talks to no Kubernetes API.
                    automount_service_account_token: Some(false),
                    image_pull_secrets: image
                        .pull_secret
                        .map(|name| vec![LocalObjectReference { name }]),
                    containers: vec![Container {
                        name: "main".to_owned(),
                        image: Some(image.reference),
                        command: (!spec.command.is_empty()).then(|| spec.command.clone()),
                        args: (!spec.args.is_empty()).then(|| spec.args.clone()),
                        env: (!env.is_empty()).then_some(env),
                        resources: Some(ResourceRequirements {
                            requests: Some(amounts.clone()),
                            limits: Some(amounts),
                            ..ResourceRequirements::default()
                        }),
                        security_context: Some(SecurityContext {
                            allow_privilege_escalation: Some(false),
                            capabilities: Some(Capabilities {
                                drop: Some(vec!["ALL".to_owned()]),
                                add: None,
                            }),
                            ..SecurityContext::default()
                        }),
                        ..Container::default()
                    }],
                    ..PodSpec::default()
                }),
            },
            ..JobSpec::default()
        }),
        status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::resources::job_template::{JobTemplateSpec, TemplateEnvVar};
    use berth_shared::ResourceSize;

    #[test]
    fn sensitive_values_are_secret_references_and_indices_an_indexed_job() {
        let template = JobTemplate::new(
            "nightly",
            JobTemplateSpec {
                description: String::new(),
                image_pointer: Some("web".into()),
                image: None,
                command: vec!["sh".into()],
                args: vec![],
                env: vec![
                    TemplateEnvVar {
                        name: "PLAIN".into(),
                        value: Some("v".into()),
                        sensitive: false,
                    },
                    TemplateEnvVar {
                        name: "TOKEN".into(),
                        value: None,
                        sensitive: true,
                    },
                ],
                size: ResourceSize::Large,
                indices: Some("0-9,20".into()),
                retry_limit: 2,
                max_execution_seconds: 600,
            },
        );
        let job = render(
            "berth-p",
            &template,
            JobImage {
                reference: "docker.io/library/nginx:latest".into(),
                pull_secret: Some("hub".into()),
            },
        );
        let json = serde_json::to_value(&job).expect("serialises");
        let spec = &json["spec"];
        assert_eq!(spec["completionMode"], "Indexed");
        assert_eq!(spec["completions"], 11);
        assert_eq!(spec["backoffLimitPerIndex"], 2);
        assert!(spec.get("backoffLimit").is_none());
        assert_eq!(spec["activeDeadlineSeconds"], 600);
        let pod = &spec["template"]["spec"];
        assert_eq!(pod["imagePullSecrets"][0]["name"], "hub");
        let c = &pod["containers"][0];
        assert_eq!(c["resources"]["limits"]["cpu"], "2");
        assert_eq!(
            c["env"][1]["valueFrom"]["secretKeyRef"]["name"],
            "nightly-env"
        );
        assert_eq!(c["env"][1]["valueFrom"]["secretKeyRef"]["key"], "TOKEN");
        assert!(c["env"][1].get("value").is_none());
        assert_eq!(c["env"][2]["value"], "0-9,20");
        assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
        assert_eq!(c["securityContext"]["capabilities"]["drop"][0], "ALL");
        assert_eq!(pod["automountServiceAccountToken"], false);

        let run = render_run(
            "berth-p",
            &template,
            JobImage {
                reference: "r".into(),
                pull_secret: None,
            },
            &RunOptions {
                project: "p",
                name: "nightly-run-abcde",
                snapshot: "nightly-run-abcde-env",
                retention: 60,
                suspend: true,
                rerun_of: None,
            },
        );
        let json = serde_json::to_value(&run).expect("serialises");
        assert_eq!(json["metadata"]["name"], "nightly-run-abcde");
        assert_eq!(json["metadata"]["labels"]["berth.dev/kind"], "job-run");
        assert_eq!(
            json["metadata"]["annotations"]["berth.dev/indices"],
            "0-9,20"
        );
        let spec = &json["spec"];
        assert_eq!(spec["ttlSecondsAfterFinished"], 60);
        assert_eq!(spec["suspend"], true);
        assert_eq!(
            spec["template"]["metadata"]["labels"]["berth.dev/project"],
            "p"
        );
        let c = &spec["template"]["spec"]["containers"][0];
        assert_eq!(
            c["env"][1]["valueFrom"]["secretKeyRef"]["name"],
            "nightly-run-abcde-env"
        );
    }
}
