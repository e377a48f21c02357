//! Berth's browser console: a Leptos app rendered in the browser (CSR),
//! built to WebAssembly by Trunk (see `Trunk.toml` at the repository root).
//!
//! Layout: `app` (the root), `router` (addresses and in-app navigation),
//! `pages` (one module per route),
//! `components` (shared pieces), `api` (the HTTP client), `format` (dates).

mod api;
mod app;
mod components;
mod format;
mod pages;
mod router;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
