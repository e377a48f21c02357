//! Custom resources validated against their CRD's OpenAPI v3 schema, as a
//! real API server does for served CRDs, with Kubernetes' field paths and
//! wording (`spec.retryLimit: Invalid value: 20: spec.retryLimit in body
//! should be less than or equal to 10`).
//!
//! The schemas are those of the CRDs the server is opened with (Berth passes
//! its committed manifests in `deploy/crds`), compiled once at start. Validation is done
//! by the `jsonschema` crate (draft 4, the dialect of OpenAPI 3.0 schemas)
//! after mapping the OpenAPI extensions it does not know: `nullable` and
//! `x-kubernetes-int-or-string`. Pruning of unknown fields is not done.

use std::collections::HashMap;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::Value;

use super::resource::GroupResource;
use super::status::{FieldError, FieldErrorKind};

/// The validators of the served CRDs, by group and resource.
#[derive(Default)]
pub(crate) struct Schemas {
    by_resource: HashMap<GroupResource, Validator>,
}

impl Schemas {
    /// Compiles the storage version's schema of each CRD; an error names
    /// the CRD that could not be compiled.
    pub(crate) fn compile(crds: &[CustomResourceDefinition]) -> Result<Self, String> {
        let mut by_resource = HashMap::new();
        for crd in crds {
            let gr = GroupResource::new(crd.spec.group.clone(), crd.spec.names.plural.clone());
            let version = crd
                .spec
                .versions
                .iter()
                .find(|v| v.storage)
                .ok_or_else(|| format!("{gr}: no storage version"))?;
            let Some(schema) = version
                .schema
                .as_ref()
                .and_then(|s| s.open_api_v3_schema.as_ref())
            else {
                continue;
            };
            let mut schema = serde_json::to_value(schema).map_err(|e| format!("{gr}: {e}"))?;
            to_json_schema(&mut schema);
            let validator = jsonschema::draft4::new(&schema).map_err(|e| format!("{gr}: {e}"))?;
            by_resource.insert(gr, validator);
        }
        Ok(Self { by_resource })
    }

    /// How many CRDs are served with a schema.
    pub fn len(&self) -> usize {
        self.by_resource.len()
    }

    /// The schema errors of `obj`, none for a resource without a schema.
    pub fn errors(&self, gr: &GroupResource, obj: &Value) -> Vec<FieldError> {
        let Some(validator) = self.by_resource.get(gr) else {
            return Vec::new();
        };
        let mut causes: Vec<FieldError> = validator.iter_errors(obj).map(|e| cause(&e)).collect();
        causes.sort_by(|a, b| a.field.cmp(&b.field));
        causes.dedup();
        causes
    }
}

/// OpenAPI 3.0 → JSON Schema draft 4: `nullable: true` admits `null`, and
/// `x-kubernetes-int-or-string` admits both.
fn to_json_schema(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
                map.remove("type");
                map.insert("type".into(), Value::from(vec!["integer", "string"]));
            }
            if map.remove("nullable") == Some(Value::Bool(true))
                && let Some(Value::String(t)) = map.get("type").cloned()
            {
                map.insert("type".into(), Value::from(vec![t, "null".into()]));
            }
            map.values_mut().for_each(to_json_schema);
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}

/// `/spec/env/0/name` → `spec.env[0].name`.
fn field_path(pointer: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push('[');
            path.push_str(&segment);
            path.push(']');
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&segment);
        }
    }
    path
}

fn type_name(kind: &TypeKind) -> String {
    let render = |t: &dyn std::fmt::Display| t.to_string();
    match kind {
        TypeKind::Single(t) => render(t),
        TypeKind::Multiple(set) => {
            let names: Vec<String> = set.iter().map(|t| t.to_string()).collect();
            names.join("/")
        }
    }
}

/// `10.0` → `10`, as Kubernetes prints whole limits.
fn number(limit: &Value) -> String {
    match limit.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        _ => limit.to_string(),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn field_error(
    kind: FieldErrorKind,
    field: String,
    value: Option<String>,
    detail: String,
) -> FieldError {
    FieldError {
        kind,
        field,
        value,
        detail,
    }
}

/// One schema violation as Kubernetes words it.
fn cause(e: &ValidationError<'_>) -> FieldError {
    let field = field_path(&e.instance_path().to_string());
    let instance: &Value = e.instance();
    let value = || Some(instance.to_string());
    let invalid =
        |detail: String| field_error(FieldErrorKind::Invalid, field.clone(), value(), detail);
    match e.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let full = if field.is_empty() {
                name.to_owned()
            } else {
                format!("{field}.{name}")
            };
            field_error(FieldErrorKind::Required, full, None, String::new())
        }
        ValidationErrorKind::Type { kind } => invalid(format!(
            "{field} in body must be of type {}: \"{}\"",
            type_name(kind),
            json_type(instance)
        )),
        ValidationErrorKind::Enum { options } => {
            let supported: Vec<String> = options
                .as_array()
                .map(|o| o.iter().map(Value::to_string).collect())
                .unwrap_or_default();
            field_error(
                FieldErrorKind::NotSupported,
                field.clone(),
                value(),
                format!("supported values: {}", supported.join(", ")),
            )
        }
        ValidationErrorKind::Maximum { limit } => invalid(format!(
            "{field} in body should be less than or equal to {}",
            number(limit)
        )),
        ValidationErrorKind::Minimum { limit } => invalid(format!(
            "{field} in body should be greater than or equal to {}",
            number(limit)
        )),
        ValidationErrorKind::ExclusiveMaximum { limit } => invalid(format!(
            "{field} in body should be less than {}",
            number(limit)
        )),
        ValidationErrorKind::ExclusiveMinimum { limit } => invalid(format!(
            "{field} in body should be greater than {}",
            number(limit)
        )),
        ValidationErrorKind::MaxLength { limit } => field_error(
            FieldErrorKind::TooLong,
            field.clone(),
            None,
            format!("may not be more than {limit} bytes"),
        ),
        ValidationErrorKind::MinLength { limit } => invalid(format!(
            "{field} in body should be at least {limit} chars long"
        )),
        ValidationErrorKind::Pattern { pattern } => {
            invalid(format!("{field} in body should match '{pattern}'"))
        }
        ValidationErrorKind::MaxItems { limit } => field_error(
            FieldErrorKind::TooMany,
            field.clone(),
            Some(instance.as_array().map_or(0, Vec::len).to_string()),
            format!("must have at most {limit} items"),
        ),
        ValidationErrorKind::MinItems { limit } => invalid(format!(
            "{field} in body should have at least {limit} items"
        )),
        _ => invalid(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn job_template(spec: Value) -> Value {
        json!({"apiVersion": "berth.dev/v1alpha1", "kind": "JobTemplate",
               "metadata": {"name": "t"}, "spec": spec})
    }

    /// Berth's committed manifests: real CRDs with the schema features served.
    fn schemas() -> Result<Schemas, String> {
        let crds: Vec<CustomResourceDefinition> = [
            include_str!("../../deploy/crds/imagepointers.berth.dev.yaml"),
            include_str!("../../deploy/crds/jobtemplates.berth.dev.yaml"),
        ]
        .iter()
        .map(|text| serde_norway::from_str(text).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
        Schemas::compile(&crds)
    }

    #[test]
    fn the_served_crds_load() {
        assert_eq!(schemas().expect("loads").len(), 2);
    }

    #[test]
    fn violations_read_like_kubernetes() {
        let gr = GroupResource::new("berth.dev", "jobtemplates");
        let schemas = schemas().expect("loads");
        let ok = job_template(json!({"image": "docker.io/library/nginx:latest",
            "size": "small", "retryLimit": 3, "maxExecutionSeconds": 600}));
        assert_eq!(schemas.errors(&gr, &ok), vec![]);
        let bad = job_template(json!({"image": "x", "size": "huge", "retryLimit": 20,
            "maxExecutionSeconds": "long", "env": [{"name": "1A"}]}));
        let messages: Vec<String> = schemas
            .errors(&gr, &bad)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            messages,
            [
                "spec.env[0].name: Invalid value: \"1A\": spec.env[0].name in body should match '^[A-Za-z_][A-Za-z0-9_]*$'",
                "spec.maxExecutionSeconds: Invalid value: \"long\": spec.maxExecutionSeconds in body must be of type integer: \"string\"",
                "spec.retryLimit: Invalid value: 20: spec.retryLimit in body should be less than or equal to 10",
                "spec.size: Unsupported value: \"huge\": supported values: \"extra-small\", \"small\", \"medium\", \"large\", \"extra-large\"",
            ]
        );
        let missing = job_template(json!({}));
        let fields: Vec<String> = schemas
            .errors(&gr, &missing)
            .into_iter()
            .map(|c| c.field)
            .collect();
        assert_eq!(
            fields,
            ["spec.maxExecutionSeconds", "spec.retryLimit", "spec.size"]
        );
    }

    #[test]
    fn nullable_admits_null() {
        let mut schema =
            json!({"type": "object", "properties": {"a": {"type": "string", "nullable": true}}});
        to_json_schema(&mut schema);
        assert_eq!(schema["properties"]["a"]["type"], json!(["string", "null"]));
        assert_eq!(field_path("/spec/env/0/name"), "spec.env[0].name");
    }
}
