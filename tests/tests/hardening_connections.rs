//! Slow clients cannot starve the console: half-sent requests and idle
//! keep-alive connections are closed after the header timeout, connections
//! beyond the cap are closed at once, and `/healthz` keeps answering while
//! many slow connections are open.

use std::time::{Duration, Instant};

use berth_tests::{BerthProcess, StartOptions, http};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

async fn start(args: &[&str]) -> BerthProcess {
    BerthProcess::start_with(StartOptions {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        ..StartOptions::default()
    })
    .await
    .expect("start")
}

fn address(berth: &BerthProcess) -> String {
    berth.url.trim_start_matches("http://").to_owned()
}

/// A connection that has sent the start of a request and stops there.
async fn half_sent(addr: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .expect("write");
    stream
}

/// Reads until the server closes the connection; how long that took, or
/// `None` when it is still open at `deadline`.
async fn closed_within(stream: &mut TcpStream, deadline: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(deadline, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

async fn healthz(berth: &BerthProcess) -> StatusCode {
    http()
        .get(berth.at("/healthz"))
        .send()
        .await
        .expect("healthz")
        .status()
}

#[tokio::test]
async fn a_half_sent_request_is_closed_within_the_header_timeout() {
    let berth = start(&["--header-timeout-seconds", "2"]).await;
    let mut slow = half_sent(&address(&berth)).await;
    let took = closed_within(&mut slow, Duration::from_secs(8))
        .await
        .expect("a connection that never finishes its headers is closed");
    println!("half-sent request closed after {took:?}");
    assert!(
        took >= Duration::from_millis(1_500),
        "closed after {took:?}, before the timeout"
    );

    // An idle keep-alive connection after a full request is closed too.
    let mut idle = TcpStream::connect(address(&berth)).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .expect("write");
    let took = closed_within(&mut idle, Duration::from_secs(8))
        .await
        .expect("an idle keep-alive connection is closed");
    println!("idle keep-alive connection closed after {took:?}");
}

#[tokio::test]
async fn healthz_answers_while_many_slow_connections_are_open() {
    let berth = start(&["--header-timeout-seconds", "60"]).await;
    let addr = address(&berth);
    let mut slow = Vec::new();
    for _ in 0..300 {
        slow.push(half_sent(&addr).await);
    }
    let started = Instant::now();
    for _ in 0..10 {
        assert_eq!(healthz(&berth).await, StatusCode::OK);
    }
    println!(
        "10 health checks beside 300 slow connections in {:?}",
        started.elapsed()
    );
    // They are still open: the server is not answering by closing them.
    let still_open = closed_within(&mut slow[0], Duration::from_millis(200)).await;
    assert!(still_open.is_none(), "the slow connections are still open");
}

#[tokio::test]
async fn connections_beyond_the_cap_are_closed_at_once() {
    let berth = start(&["--header-timeout-seconds", "60", "--max-connections", "20"]).await;
    let addr = address(&berth);
    let mut slow = Vec::new();
    for _ in 0..30 {
        slow.push(half_sent(&addr).await);
    }
    // Well before the header timeout, the ones over the cap are closed.
    let outcomes = futures::future::join_all(
        slow.iter_mut()
            .map(|s| closed_within(s, Duration::from_secs(3))),
    )
    .await;
    let open = outcomes.iter().filter(|o| o.is_none()).count();
    assert!(open <= 20, "{open} connections open with a cap of 20");
    assert!(open >= 15, "only {open} connections accepted");
    // Closing them makes room again.
    drop(slow);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match http().get(berth.at("/healthz")).send().await {
            Ok(answer) if answer.status() == StatusCode::OK => break,
            _ => assert!(
                Instant::now() < deadline,
                "no room after the connections closed"
            ),
        }
    }
}
