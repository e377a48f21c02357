//! The CRD manifests of Berth's custom resources, generated from the Rust
//! types and committed under `deploy/crds/`. The embedded API server serves
//! the committed files, as `kubectl apply -f deploy/crds` would on a real
//! cluster; a test fails when they drift from the types.
//!
//! Regenerate with `cargo run -p berth -- crds` (from the repository root).

use std::path::Path;

use anyhow::Context;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

use super::image_pointer::ImagePointer;
use super::job_template::JobTemplate;

/// Where the manifests live, relative to the repository root.
pub const CRD_DIR: &str = "deploy/crds";

const HEADER: &str = "# Generated from the Rust types in backend/src/resources by\n# `cargo run -p berth -- crds`; do not edit by hand.\n";

/// The committed manifests, as the embedded server loads them.
pub const COMMITTED: [(&str, &str); 2] = [
    (
        "imagepointers.berth.dev.yaml",
        include_str!("../../../../deploy/crds/imagepointers.berth.dev.yaml"),
    ),
    (
        "jobtemplates.berth.dev.yaml",
        include_str!("../../../../deploy/crds/jobtemplates.berth.dev.yaml"),
    ),
];

/// Every CRD, generated from the types, with its file name.
pub fn generated() -> Vec<(String, CustomResourceDefinition)> {
    [ImagePointer::crd(), JobTemplate::crd()]
        .into_iter()
        .map(|crd| {
            (
                format!("{}.yaml", crd.metadata.name.clone().unwrap_or_default()),
                crd,
            )
        })
        .collect()
}

/// The manifest text of one CRD.
pub fn render(crd: &CustomResourceDefinition) -> anyhow::Result<String> {
    Ok(format!("{HEADER}{}", serde_norway::to_string(crd)?))
}

/// Writes every manifest into `dir`.
pub fn write_all(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (file, crd) in generated() {
        let path = dir.join(&file);
        std::fs::write(&path, render(&crd)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// The committed CRDs, parsed.
pub fn committed() -> anyhow::Result<Vec<CustomResourceDefinition>> {
    COMMITTED
        .iter()
        .map(|(file, text)| serde_norway::from_str(text).with_context(|| format!("parsing {file}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_berth_dev_v1alpha1_with_its_plural() {
        let names: Vec<(String, String, String, String)> = generated()
            .into_iter()
            .map(|(_, crd)| {
                let version = crd.spec.versions.first().map(|v| v.name.clone());
                (
                    crd.spec.group,
                    version.unwrap_or_default(),
                    crd.spec.names.kind,
                    crd.spec.names.plural,
                )
            })
            .collect();
        let expected = [
            ("ImagePointer", "imagepointers"),
            ("JobTemplate", "jobtemplates"),
        ]
        .map(|(kind, plural)| {
            (
                "berth.dev".to_owned(),
                "v1alpha1".to_owned(),
                kind.to_owned(),
                plural.to_owned(),
            )
        });
        assert_eq!(names, expected);
    }

    /// The schema of `kind`'s CRD, as generated from its type.
    fn schema_of(kind: &str) -> serde_json::Value {
        let crd = generated()
            .into_iter()
            .map(|(_, crd)| crd)
            .find(|crd| crd.spec.names.kind == kind)
            .expect("a CRD of that kind");
        serde_json::to_value(&crd.spec.versions[0]).expect("a version")
    }

    #[test]
    fn an_image_pointers_check_lives_in_a_status_subresource() {
        let version = schema_of("ImagePointer");
        let status = &version["schema"]["openAPIV3Schema"]["properties"]["status"];
        assert!(status["properties"].get("verifiedAt").is_some(), "{status}");
        assert!(version["subresources"].get("status").is_some(), "{version}");
    }

    #[test]
    fn a_job_templates_schema_checks_limits_and_sizes() {
        let version = schema_of("JobTemplate");
        let spec = &version["schema"]["openAPIV3Schema"]["properties"]["spec"];
        assert_eq!(
            spec["properties"]["retryLimit"]["maximum"].as_f64(),
            Some(f64::from(berth_shared::job_templates::RETRY_LIMIT_MAX))
        );
        assert_eq!(
            spec["properties"]["size"]["enum"],
            serde_json::json!(["extra-small", "small", "medium", "large", "extra-large"])
        );
        assert!(
            spec["required"]
                .as_array()
                .is_some_and(|r| r.contains(&"size".into()))
        );
    }

    /// Fails when a type changed and `deploy/crds` was not regenerated.
    /// `BERTH_WRITE_CRDS=1 cargo test -p berth crds` regenerates them.
    #[test]
    fn committed_crds_match_the_types() {
        if std::env::var_os("BERTH_WRITE_CRDS").is_some() {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            write_all(&root.join(CRD_DIR)).expect("writes the CRDs");
            return;
        }
        let generated = generated();
        assert_eq!(generated.len(), COMMITTED.len());
        for ((file, crd), (committed_file, text)) in generated.iter().zip(COMMITTED) {
            assert_eq!(file, committed_file);
            assert!(
                render(crd).expect("renders") == text,
                "{CRD_DIR}/{file} is out of date: run `cargo run -p berth -- crds` and commit it"
            );
        }
        assert_eq!(committed().expect("parses").len(), 2);
    }
}
