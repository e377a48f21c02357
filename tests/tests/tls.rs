//! Serving the console over TLS (`--tls-cert`/`--tls-key`): HTTPS only,
//! `Secure` session cookies and HSTS.

use berth_tests::{ADMIN_PASSWORD, BerthProcess, StartOptions};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn over_tls_cookies_are_secure_and_hsts_is_sent() {
    // A test CA and a server certificate for 127.0.0.1 signed by it.
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("ca");
    let server_key = rcgen::KeyPair::generate().expect("key");
    let server_cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .expect("params")
        .signed_by(&server_key, &ca)
        .expect("server certificate");
    let dir = tempfile::tempdir().expect("tmp");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, server_cert.pem()).expect("cert");
    std::fs::write(&key, server_key.serialize_pem()).expect("key");
    let berth = BerthProcess::start_with(StartOptions {
        args: vec![
            "--tls-cert".into(),
            cert.display().to_string(),
            "--tls-key".into(),
            key.display().to_string(),
        ],
        trust_pem: Some(ca.pem().into_bytes()),
        ..StartOptions::default()
    })
    .await
    .expect("start");
    assert!(berth.url.starts_with("https://127.0.0.1:"), "{}", berth.url);

    let client = berth.client(None).expect("client");
    let health = client
        .get(berth.at("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(
        health
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=63072000")
    );
    let login = client
        .post(berth.at("/api/v1/session"))
        .json(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    // Plain HTTP on the same port is not served.
    let plain = berth_tests::http()
        .get(berth.at("/healthz").replace("https://", "http://"))
        .send()
        .await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));
}
