//! Which addresses image checks may contact. A registry check is a request
//! any editor can aim anywhere, so internal addresses (loopback, private,
//! link-local such as a cloud's metadata service, shared, multicast,
//! unspecified) are refused before any connection, unless the operator
//! allows the host or range (`--registry-allow`) or marked the registry
//! insecure (`--insecure-registry`, a registry they run themselves).
//!
//! A refusal happens before anything is sent, so it is the same answer
//! whether a port is open, closed or silent.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::IpNet;

/// One `--registry-allow` entry: a host (with or without a port), or a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    Host { host: String, port: Option<u16> },
    Range(IpNet),
}

impl FromStr for Allowed {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.contains('/') {
            return value
                .parse::<IpNet>()
                .map(|net| Self::Range(net.trunc()))
                .map_err(|e| format!("{value} is not an address range like 10.0.0.0/8: {e}"));
        }
        if value.is_empty() {
            return Err("give a host, host:port or address range".to_owned());
        }
        let (host, port) = split_host_port(value);
        let port = match port {
            Some(p) => Some(
                p.parse::<u16>()
                    .map_err(|_| format!("{value}: the port must be a number up to 65535"))?,
            ),
            None => None,
        };
        Ok(Self::Host {
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

/// `host` and `port` of `host`, `host:port`, `[v6]` or `[v6]:port`.
pub fn split_host_port(value: &str) -> (&str, Option<&str>) {
    if let Some(rest) = value.strip_prefix('[')
        && let Some((host, after)) = rest.split_once(']')
    {
        return (host, after.strip_prefix(':'));
    }
    // A bare IPv6 literal has several colons and no port.
    if value.matches(':').count() > 1 {
        return (value, None);
    }
    match value.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (value, None),
    }
}

/// Whether an address is internal to a machine or network.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_unspecified()
        || a == 0 // "this network"
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || ip.is_multicast()
        || ip.is_broadcast()
        || a >= 240 // reserved
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    let segments = ip.segments();
    // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) forms.
    if segments[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified()
        || segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
    {
        let [.., hi, lo] = segments;
        let v4 = Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
        return is_internal_v4(v4);
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // old site-local fec0::/10
        || (segments[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
}

/// The operator's exceptions.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    allowed: Vec<Allowed>,
    /// `--insecure-registry` entries (`host[:port]`), allowed too.
    insecure: Vec<String>,
}

impl AddressPolicy {
    pub fn new(allowed: Vec<Allowed>, insecure: Vec<String>) -> Self {
        Self { allowed, insecure }
    }

    /// Whether `registry` (`host[:port]` as written in the image address)
    /// may be contacted at `ip` on `port`.
    pub fn permits(&self, registry: &str, port: u16, ip: IpAddr) -> bool {
        if !is_internal(ip) {
            return true;
        }
        let (host, _) = split_host_port(registry);
        let host = host.to_ascii_lowercase();
        if self
            .insecure
            .iter()
            .any(|i| i.eq_ignore_ascii_case(registry))
        {
            return true;
        }
        self.allowed.iter().any(|allowed| match allowed {
            Allowed::Range(net) => net.contains(&ip),
            Allowed::Host { host: h, port: p } => {
                (*h == host || h.parse::<IpAddr>().is_ok_and(|a| a == ip))
                    && p.is_none_or(|p| p == port)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn internal_ranges_are_refused_in_every_form() {
        for internal in [
            "127.0.0.1",
            "127.255.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.0.1",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "::",
            "::1",
            "fe80::1",
            "febf::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.1.2.3",
            "::ffff:192.168.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(is_internal(ip(internal)), "{internal} is internal");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for public in [
            "1.1.1.1",
            "8.8.8.8",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.0.1",
            "192.167.1.1",
            "11.0.0.1",
            "223.255.255.255",
            "2606:4700::1111",
            "2001:db8::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(!is_internal(ip(public)), "{public} is public");
        }
    }

    #[test]
    fn the_operator_allows_hosts_ports_and_ranges() {
        let policy = AddressPolicy::new(
            vec![
                "registry.lan".parse().expect("host"),
                "127.0.0.1:5000".parse().expect("host:port"),
                "10.1.0.0/16".parse().expect("range"),
                "[::1]:5001".parse().expect("v6"),
            ],
            vec!["localhost:6000".to_owned()],
        );
        assert!(policy.permits("registry.lan", 443, ip("192.168.1.5")));
        assert!(policy.permits("REGISTRY.lan:8443", 8443, ip("192.168.1.5")));
        assert!(policy.permits("127.0.0.1:5000", 5000, ip("127.0.0.1")));
        assert!(!policy.permits("127.0.0.1:5001", 5001, ip("127.0.0.1")));
        assert!(policy.permits("10.1.2.3", 443, ip("10.1.2.3")));
        assert!(!policy.permits("10.2.0.1", 443, ip("10.2.0.1")));
        assert!(policy.permits("[::1]:5001", 5001, ip("::1")));
        assert!(policy.permits("localhost:6000", 6000, ip("127.0.0.1")));
        assert!(!policy.permits("localhost:6001", 6001, ip("127.0.0.1")));
        assert!(!policy.permits("evil.example", 443, ip("169.254.169.254")));
        assert!(policy.permits("example.com", 443, ip("93.184.216.34")));
        assert!("10.0.0.0/33".parse::<Allowed>().is_err());
        assert!("host:port".parse::<Allowed>().is_err());
    }
}
