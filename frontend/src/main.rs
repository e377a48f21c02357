//! Berth's browser console: a Leptos app rendered in the browser (CSR),
//! built to WebAssembly and split by page by `scripts/build-frontend`
//! (`pages/on_demand.rs` says which pages come later).
//!
//! Layout: `app` (the root), `router` (addresses and in-app navigation),
//! `pages` (one module per route),
//! `components` (shared pieces), `api` (the HTTP client), `format` (dates),
//! `embed` (the portal's messages), `theme` (light or dark).

mod api;
mod app;
mod components;
mod embed;
mod format;
mod pages;
mod router;
mod theme;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
