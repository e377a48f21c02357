//! Asking again after a request got no answer at all.
//!
//! A browser drops the requests in flight when the machine's network
//! changes (Chromium's `ERR_NETWORK_CHANGED`): on one machine that runs
//! Berth, every job container that starts adds a network interface. Such a
//! failure is over a moment later, so a request that is safe to repeat (a
//! read, or fetching a page's code) is asked again twice before the person
//! is told that Berth could not be reached.

use std::future::Future;

use js_sys::Promise;
use wasm_bindgen_futures::JsFuture;

/// How long to wait before each new attempt, in milliseconds.
pub const PAUSES_MS: [i32; 2] = [300, 1_500];

/// Waits `ms` milliseconds without blocking the page.
pub async fn pause(ms: i32) {
    let timer = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            // Without a window there is nothing to wait for: go on at once.
            if window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .is_ok()
            {
                return;
            }
        }
        let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
    });
    let _ = JsFuture::from(timer).await;
}

/// `outcome`, or, while `failed` says it got no answer, a new attempt
/// after each of the [`PAUSES_MS`].
pub async fn retried<T, F: Future<Output = T>>(
    mut outcome: T,
    mut again: impl FnMut() -> F,
    failed: impl Fn(&T) -> bool,
) -> T {
    for ms in PAUSES_MS {
        if !failed(&outcome) {
            break;
        }
        pause(ms).await;
        outcome = again().await;
    }
    outcome
}
