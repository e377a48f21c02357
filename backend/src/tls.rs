//! TLS set-up shared by every HTTP client in the process.

/// reqwest (the CLI's client, and the registry client inside oci-client)
/// uses the process-wide rustls provider; Berth uses ring, like kube. Safe to
/// call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
