//! What a container needs from the store, resolved in-process as the kubelet
//! does: environment values (`value`, `secretKeyRef`, `configMapKeyRef`,
//! `fieldRef`), registry credentials from `imagePullSecrets`, and CPU and
//! memory limits. Values go to the engine only through private files
//! ([`PrivateFile`]), created mode 0600 and removed as soon as it has read them.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use crate::meta;
use crate::resource::GroupResource;
use crate::store::State;

/// A file only this user can read, removed when dropped.
#[derive(Debug)]
pub struct PrivateFile {
    pub path: PathBuf,
}

impl PrivateFile {
    /// Writes `data` to a new file with a random name in `dir` (made 0700).
    pub fn create(dir: &Path, name: &str, data: &[u8]) -> std::io::Result<Self> {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let folder = dir.join(uuid::Uuid::new_v4().simple().to_string());
        std::fs::DirBuilder::new().mode(0o700).create(&folder)?;
        let path = folder.join(name);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        f.write_all(data)?;
        f.sync_all()?;
        Ok(Self { path })
    }
}

impl Drop for PrivateFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Why a container's configuration cannot be made (`CreateContainerConfigError`).
pub type ConfigError = String;

fn field_ref(pod: &Value, path: &str) -> Option<String> {
    let md = meta::metadata(pod)?;
    let keyed = |prefix: &str, map: &str| -> Option<String> {
        let key = path.strip_prefix(prefix)?.strip_suffix("']")?;
        md.get(map)?.get(key)?.as_str().map(str::to_string)
    };
    match path {
        "metadata.name" => Some(meta::name(pod).to_string()),
        "metadata.namespace" => Some(meta::namespace(pod).to_string()),
        "metadata.uid" => Some(meta::uid(pod).to_string()),
        "spec.nodeName" => pod
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .map(str::to_string),
        "spec.serviceAccountName" => Some(String::new()),
        "status.hostIP" | "status.podIP" => Some("127.0.0.1".into()),
        _ => keyed("metadata.labels['", "labels")
            .or_else(|| keyed("metadata.annotations['", "annotations")),
    }
}

fn key_ref(
    state: &State,
    ns: &str,
    r: &Value,
    secret: bool,
) -> Result<Option<String>, ConfigError> {
    let name = r.get("name").and_then(Value::as_str).unwrap_or("");
    let key = r.get("key").and_then(Value::as_str).unwrap_or("");
    let optional = r.get("optional").and_then(Value::as_bool) == Some(true);
    let (resource, kind) = if secret {
        ("secrets", "secret")
    } else {
        ("configmaps", "configmap")
    };
    let Some(obj) = state.get(&GroupResource::core(resource), ns, name) else {
        return if optional {
            Ok(None)
        } else {
            Err(format!("{kind} {name:?} not found"))
        };
    };
    let value = if secret {
        obj.value
            .get("data")
            .and_then(|d| d.get(key))
            .and_then(Value::as_str)
            .and_then(|b| STANDARD.decode(b).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    } else {
        obj.value
            .get("data")
            .and_then(|d| d.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match value {
        Some(v) => Ok(Some(v)),
        None if optional => Ok(None),
        None => Err(format!(
            "couldn't find key {key} in {} {ns}/{name}",
            if secret { "Secret" } else { "ConfigMap" }
        )),
    }
}

/// The container's environment as `NAME=value` lines for an env file.
/// `$(VAR)` references are not expanded (a difference from the kubelet).
pub fn env_file(state: &State, pod: &Value, container: &Value) -> Result<Vec<u8>, ConfigError> {
    let ns = meta::namespace(pod);
    let mut out = Vec::new();
    for e in container
        .get("env")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = e.get("name").and_then(Value::as_str).unwrap_or("");
        let value = if let Some(from) = e.get("valueFrom") {
            if let Some(r) = from.get("secretKeyRef") {
                key_ref(state, ns, r, true)?
            } else if let Some(r) = from.get("configMapKeyRef") {
                key_ref(state, ns, r, false)?
            } else if let Some(path) = from.pointer("/fieldRef/fieldPath").and_then(Value::as_str) {
                Some(field_ref(pod, path).ok_or_else(|| format!("unsupported fieldPath: {path}"))?)
            } else {
                return Err(format!("unsupported valueFrom in env var {name}"));
            }
        } else {
            Some(
                e.get("value")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            )
        };
        let Some(value) = value else { continue };
        if value.contains('\n') || value.contains('\0') || name.contains('=') {
            return Err(format!(
                "the value of env var {name} cannot be passed: it spans lines"
            ));
        }
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    Ok(out)
}

/// The registry part of an image reference, as the engines read it.
pub fn registry_of(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

/// The `auths` of every `kubernetes.io/dockerconfigjson` (or `.dockercfg`)
/// Secret the Pod names, merged into one auth file; None without any.
pub fn pull_auth(state: &State, pod: &Value) -> Option<Vec<u8>> {
    let ns = meta::namespace(pod);
    let mut auths = Map::new();
    for s in pod
        .pointer("/spec/imagePullSecrets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = s.get("name").and_then(Value::as_str) else {
            continue;
        };
        let Some(secret) = state.get(&GroupResource::core("secrets"), ns, name) else {
            continue;
        };
        let data = secret.value.get("data");
        let decoded = |k: &str| {
            data.and_then(|d| d.get(k))
                .and_then(Value::as_str)
                .and_then(|b| STANDARD.decode(b).ok())
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        };
        if let Some(cfg) = decoded(".dockerconfigjson") {
            if let Some(a) = cfg.get("auths").and_then(Value::as_object) {
                auths.extend(a.clone());
            }
        } else if let Some(Value::Object(a)) = decoded(".dockercfg") {
            auths.extend(a);
        }
    }
    if auths.is_empty() {
        return None;
    }
    serde_json::to_vec(&json!({"auths": auths})).ok()
}

/// A Kubernetes quantity (`64Mi`, `1G`, `500m`, `2`) as a number.
pub fn quantity(q: &str) -> Option<f64> {
    let q = q.trim();
    let suffixes: [(&str, f64); 13] = [
        ("Ki", 1024.0),
        ("Mi", 1024.0 * 1024.0),
        ("Gi", 1024.0 * 1024.0 * 1024.0),
        ("Ti", 1024.0 * 1024.0 * 1024.0 * 1024.0),
        ("Pi", 1024.0f64.powi(5)),
        ("Ei", 1024.0f64.powi(6)),
        ("n", 1e-9),
        ("u", 1e-6),
        ("m", 1e-3),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
    ];
    for (s, f) in suffixes {
        if let Some(n) = q.strip_suffix(s) {
            return n.parse::<f64>().ok().map(|n| n * f);
        }
    }
    q.parse::<f64>().ok()
}

/// `resources.limits` of a container: memory in bytes, CPUs.
pub fn limits(container: &Value) -> (Option<u64>, Option<f64>) {
    let l = container.pointer("/resources/limits");
    let get = |k: &str| {
        l.and_then(|l| l.get(k)).and_then(|v| match v {
            Value::String(s) => quantity(s),
            Value::Number(n) => n.as_f64(),
            _ => None,
        })
    };
    let memory = get("memory").map(|b| b.ceil() as u64);
    (memory, get("cpu"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(quantity("64Mi"), Some(64.0 * 1024.0 * 1024.0));
        assert_eq!(quantity("500m"), Some(0.5));
        assert_eq!(quantity("2"), Some(2.0));
        assert_eq!(quantity("1G"), Some(1e9));
        assert_eq!(quantity("x"), None);
    }

    #[test]
    fn registries() {
        assert_eq!(registry_of("127.0.0.1:5000/bb:1"), "127.0.0.1:5000");
        assert_eq!(registry_of("busybox"), "docker.io");
        assert_eq!(registry_of("library/busybox"), "docker.io");
        assert_eq!(registry_of("icr.io/ns/app"), "icr.io");
    }

    #[test]
    fn private_files_are_0600_and_go_away() -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir()?;
        let path = {
            let f = PrivateFile::create(dir.path(), "auth.json", b"{}")?;
            let mode = std::fs::metadata(&f.path)?.permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            f.path.clone()
        };
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
        Ok(())
    }
}
