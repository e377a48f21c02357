//! An image's web page pasted where its address belongs: Docker Hub, Quay
//! and GitHub pages name the image in their path, so the address people
//! meant can be offered ("Did you mean nginx?") instead of a refusal.

/// The image address a web page URL stands for, if it is one Berth knows
/// or a registry URL with the scheme in front; `None` otherwise. The caller
/// checks that the result parses as an image address.
pub fn reference_from_web_address(input: &str) -> Option<String> {
    let (scheme, rest) = input.trim().split_once("://")?;
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_ascii_lowercase();
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let official = |name: &str, tag: Option<&str>| match tag {
        Some(tag) => format!("{name}:{tag}"),
        None => name.to_owned(),
    };
    let reference = match (host.trim_start_matches("www."), parts.as_slice()) {
        // hub.docker.com/_/nginx, …/_/nginx/tags
        ("hub.docker.com", ["_", name, ..]) => official(name, None),
        // hub.docker.com/r/bitnami/redis, …/r/bitnami/redis/tags
        ("hub.docker.com", ["r", namespace, name, ..]) => format!("{namespace}/{name}"),
        // hub.docker.com/layers/library/nginx/1.27/images/sha256-…
        ("hub.docker.com", ["layers", "library", name, tag, ..]) => official(name, Some(tag)),
        ("hub.docker.com", ["layers", namespace, name, tag, ..]) => {
            format!("{namespace}/{name}:{tag}")
        }
        // quay.io/repository/prometheus/node-exporter
        ("quay.io", ["repository", namespace, name, ..]) => format!("quay.io/{namespace}/{name}"),
        // github.com/orgs/acme/packages/container/package/app
        (
            "github.com",
            [
                "orgs" | "users",
                owner,
                "packages",
                "container",
                "package",
                name,
                ..,
            ],
        ) => format!("ghcr.io/{owner}/{name}").to_ascii_lowercase(),
        ("hub.docker.com" | "docker.com" | "quay.io" | "github.com", _) => return None,
        // Any other host: a registry address with a scheme in front.
        _ if !parts.is_empty() => format!("{host}/{}", parts.join("/")),
        _ => return None,
    };
    Some(reference)
}

#[cfg(test)]
mod tests {
    use super::reference_from_web_address as from;

    #[test]
    fn docker_hub_pages_name_the_image() {
        assert_eq!(
            from("https://hub.docker.com/_/nginx").as_deref(),
            Some("nginx")
        );
        assert_eq!(
            from("https://hub.docker.com/_/nginx/tags?page=1").as_deref(),
            Some("nginx")
        );
        assert_eq!(
            from("https://hub.docker.com/r/bitnami/redis/").as_deref(),
            Some("bitnami/redis")
        );
        assert_eq!(
            from("https://hub.docker.com/layers/library/nginx/1.27/images/sha256-abc").as_deref(),
            Some("nginx:1.27")
        );
        assert_eq!(
            from("https://hub.docker.com/layers/bitnami/redis/7.2/images/sha256-abc").as_deref(),
            Some("bitnami/redis:7.2")
        );
        assert_eq!(from("https://hub.docker.com/search?q=nginx"), None);
    }

    #[test]
    fn other_registries_and_plain_urls() {
        assert_eq!(
            from("https://quay.io/repository/prometheus/node-exporter?tab=tags").as_deref(),
            Some("quay.io/prometheus/node-exporter")
        );
        assert_eq!(
            from("https://github.com/orgs/Acme/packages/container/package/app").as_deref(),
            Some("ghcr.io/acme/app")
        );
        assert_eq!(
            from("https://us.icr.io/team/app:1.0").as_deref(),
            Some("us.icr.io/team/app:1.0")
        );
        assert_eq!(from("https://example.com"), None);
        assert_eq!(from("ftp://example.com/a"), None);
        assert_eq!(from("nginx"), None);
    }
}
