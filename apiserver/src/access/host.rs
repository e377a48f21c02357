//! The listener answers only requests addressed to this machine by a
//! loopback name: `localhost` or a loopback IP literal, with any port.
//! A web page the local user opens can reach a loopback port by rebinding
//! its own name to 127.0.0.1 (DNS rebinding); its requests still carry
//! that name in `Host`, and are refused here.

use std::net::IpAddr;

use axum::extract::Request;
use axum::http::header;

/// The host a request is addressed to: its `Host` header, or the URI's
/// authority (HTTP/2); None when it names none.
pub fn of(req: &Request) -> Option<&str> {
    match req.headers().get(header::HOST) {
        Some(v) => v.to_str().ok(),
        None => req.uri().authority().map(|a| a.as_str()),
    }
}

/// Whether `host` (`name[:port]` or `[v6]:port`) is `localhost` or a
/// loopback IP literal.
pub fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        if !(after.is_empty() || port(after.strip_prefix(':'))) {
            return false;
        }
        return v6
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    } else {
        match host.split_once(':') {
            Some((name, p)) if port(Some(p)) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| IpAddr::V4(ip).is_loopback())
}

fn port(p: Option<&str>) -> bool {
    p.is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_only() {
        for ok in [
            "localhost",
            "LOCALHOST:6443",
            "127.0.0.1",
            "127.0.0.1:6443",
            "127.8.9.10:1",
            "[::1]:6443",
            "[::1]",
        ] {
            assert!(is_loopback(ok), "{ok}");
        }
        for refused in [
            "attacker.example",
            "attacker.example:6443",
            "localhost.attacker.example",
            "127.0.0.1.nip.io:6443",
            "10.0.0.1:6443",
            "0.0.0.0:6443",
            "[::]:6443",
            "[::ffff:127.0.0.1]:6443",
            "localhost:",
            "localhost:64x",
            "localhost:6443:1",
            "",
            "[::1",
        ] {
            assert!(!is_loopback(refused), "{refused}");
        }
    }
}
