//! Berth's backend: the backend-for-frontend that serves the console and its
//! JSON API, talks to Kubernetes through `kube`, and embeds a
//! Kubernetes-compatible API server for single-machine use.
//!
//! Layout follows the request path: [`routes`] → [`services`] → the
//! Kubernetes API ([`cluster`]: a real cluster, or the embedded server of
//! the `berth-apiserver` crate).

pub mod auth;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod error;
pub mod kinds;
pub mod registry;
pub mod routes;
pub mod serve;
pub mod services;
pub mod settings;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod tls;
