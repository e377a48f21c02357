//! Berth's browser console: a Leptos app rendered in the browser (CSR),
//! built to WebAssembly by Trunk (see `Trunk.toml` at the repository root).
//!
//! Layout: `app` (router and shell), `pages` (one module per route),
//! `components` (shared pieces), `api` (the HTTP client), `format` (dates).

mod api;
mod app;
mod components;
mod format;
mod pages;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
