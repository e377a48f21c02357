//! What an anonymous caller can do to sign-in: not grow Berth's memory or
//! logs, not forge log lines, and not lock the owner out of their account.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use berth_tests::{ADMIN_PASSWORD, BerthProcess, StartOptions};
use futures::StreamExt as _;
use reqwest::StatusCode;

/// The resident memory of `pid`, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kib * 1024
}

/// A client whose connections come from `from` (any 127.x address is
/// loopback).
fn client_from(from: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .local_address(IpAddr::V4(from))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

async fn sign_in(
    client: &reqwest::Client,
    berth: &BerthProcess,
    user: &str,
    password: &str,
) -> StatusCode {
    client
        .post(berth.at("/api/v1/session"))
        .json(&serde_json::json!({ "username": user, "password": password }))
        .send()
        .await
        .expect("sign in")
        .status()
}

/// Half the names are 10,000 characters long (no account can have them),
/// half are valid 253-character names: all distinct.
fn name(i: usize) -> String {
    if i.is_multiple_of(2) {
        format!("{i}-{}", "x".repeat(10_000))
    } else {
        let prefix = format!("u{i}-");
        format!("{prefix}{}", "a".repeat(253 - prefix.len()))
    }
}

#[tokio::test]
async fn ten_thousand_user_names_leave_memory_and_logs_flat() {
    let berth = BerthProcess::start().await.expect("start");
    let pid = berth.pid().expect("pid");
    let client = client_from(Ipv4Addr::new(127, 0, 0, 3));
    // Warm up: connections, buffers and the limiter's first keys.
    for i in 0..200 {
        let _ = sign_in(&client, &berth, &name(100_000 + i), "wrong password").await;
    }
    let before = rss(pid);
    let logs_before = berth.logs().len();
    let started = std::time::Instant::now();
    let answers: Vec<StatusCode> = futures::stream::iter(0..10_000)
        .map(|i| {
            let client = client.clone();
            let berth = &berth;
            async move { sign_in(&client, berth, &name(i), "wrong password").await }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let took = started.elapsed();
    let after = rss(pid);
    assert!(
        answers
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS),
        "every attempt refused"
    );
    let grown = after.saturating_sub(before);
    println!(
        "10,000 sign-ins in {took:?}: resident memory {} KiB before, {} KiB after (+{} KiB); {} bytes of log",
        before / 1024,
        after / 1024,
        grown / 1024,
        berth.logs().len() - logs_before
    );
    assert!(grown < 10 * 1024 * 1024, "memory grew by {grown} bytes");
    let logged = berth.logs().len() - logs_before;
    // A bounded line or two per attempt, not the 10,000-character names.
    assert!(
        logged < 10_000 * 1_000,
        "{logged} bytes of log for 10,000 attempts"
    );
    assert!(
        !berth.logs().contains(&"x".repeat(300)),
        "a long name was logged"
    );
}

#[tokio::test]
async fn user_names_cannot_forge_log_lines_in_either_format() {
    for args in [vec![], vec!["--log-format".to_owned(), "json".to_owned()]] {
        let berth = BerthProcess::start_with(StartOptions {
            args: args.clone(),
            ..StartOptions::default()
        })
        .await
        .expect("start");
        let client = client_from(Ipv4Addr::LOCALHOST);
        for forged in [
            "eve\nINFO FORGED signed in user=admin",
            "eve\r\nINFO FORGED signed in",
            "\u{1b}[2J\u{1b}[31mFORGED",
            "admin\u{7f}FORGED",
        ] {
            let status = sign_in(&client, &berth, forged, "wrong password").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{forged:?}");
        }
        // The refusals are logged (without the names) before the answer.
        assert!(berth.wait_for_log("sign-in refused").await);
        let logs = berth.logs();
        assert!(
            !logs.contains("FORGED"),
            "{args:?}: a name reached the log:\n{logs}"
        );
        assert!(
            !logs.contains('\u{1b}'),
            "{args:?}: an escape sequence in the log"
        );
    }
}

#[tokio::test]
async fn the_owner_signs_in_while_someone_elsewhere_guesses_their_password() {
    let berth = BerthProcess::start().await.expect("start");
    let attacker = client_from(Ipv4Addr::new(127, 0, 0, 2));
    let mut refused = Vec::new();
    for _ in 0..30 {
        refused.push(sign_in(&attacker, &berth, "admin", "a wrong guess").await);
    }
    assert_eq!(
        refused.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "the guesser is slowed down: {refused:?}"
    );
    let owner = client_from(Ipv4Addr::LOCALHOST);
    assert_eq!(
        sign_in(&owner, &berth, "admin", ADMIN_PASSWORD).await,
        StatusCode::OK,
        "the owner is not locked out by someone elsewhere"
    );
    // The guesser stays limited.
    assert_eq!(
        sign_in(&attacker, &berth, "admin", ADMIN_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// Each sign-in hashes with argon2 in 19 MiB of memory; that memory goes
/// back to the system after each one (a fresh heap block per sign-in once
/// grew the server by 19 MB every time: 130 MB after eight).
#[tokio::test]
async fn sign_ins_give_their_hashing_memory_back() {
    let berth = BerthProcess::start().await.expect("start");
    let pid = berth.pid().expect("pid");
    let before = rss(pid);
    // From addresses of their own: sign-ins are limited per address.
    for i in 0..8 {
        let client = client_from(Ipv4Addr::new(127, 0, 1, 10 + i));
        let status = sign_in(&client, &berth, "admin", ADMIN_PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "sign-in {i}");
    }
    let grown = rss(pid).saturating_sub(before);
    println!("8 sign-ins: resident memory +{} KiB", grown / 1024);
    assert!(grown < 10 * 1024 * 1024, "memory grew by {grown} bytes");
}
