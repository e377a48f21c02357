//! Berth's browser console: a Leptos app rendered in the browser (CSR),
//! built to WebAssembly and split by page by `scripts/build-frontend`
//! (`app/on_demand.rs` says which pages come later).
//!
//! Layout, top down: `app` (the root and the on-demand pages), `features`
//! (one folder per thing a person does), `components` (shared pieces,
//! `FormState`, `Loader`), `api` (the HTTP client); beside them `router`
//! (addresses and in-app navigation), `embed` (the portal's messages),
//! `theme` (light or dark), `format` (durations), `i18n` (the person's
//! language). `tests/tests/layering.rs` checks the order.

mod api;
mod app;
mod components;
mod embed;
mod features;
mod format;
mod i18n;
mod router;
mod theme;

fn main() {
    // The language's catalog first (boot.js has usually fetched it already),
    // so the first page is drawn in the person's language.
    // Not Leptos's spawn_local: its executor starts with the mount.
    wasm_bindgen_futures::spawn_local(async {
        i18n::start().await;
        leptos::mount::mount_to_body(app::App);
    });
}
