//! The embedded Kubernetes-compatible API server, tested as a Kubernetes API.
//!
//! By default every test starts the real `berth` binary with
//! `--embedded-api-listen 127.0.0.1:0` and talks to that port. With
//! `BERTH_TEST_KUBECONFIG=/path/to/kubeconfig` the same tests run against a real
//! cluster instead, with the same assertions: that is how the embedded server's
//! fidelity is checked. Tests that only make sense for the embedded server
//! (`kill -9` persistence, kubectl against `--embedded-api-listen`, its size
//! limit, custom resources without a CRD) say so and are skipped, with a
//! printed reason, on a real cluster; so are custom-resource tests when the
//! berth.dev CRDs are not installed there.
//!
//! Each test works in its own uniquely named namespace(s), so tests run in
//! parallel. Most use `kube::Api`; `raw` requests (still through kube's
//! client, so they work with a real cluster's TLS and credentials) check what
//! `kube` hides: status codes, raw `metav1.Status` bodies, 405, 413, 415.

mod embedded_api {
    pub mod crd_validation;
    pub mod create;
    pub mod delete;
    pub mod discovery;
    pub mod embedded_only;
    pub mod errors;
    pub mod list;
    pub mod namespaces;
    pub mod prelude;
    pub mod secrets;
    pub mod support;
    pub mod update;
    pub mod watch;
}
