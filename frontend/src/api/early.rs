//! Answers `boot.js` asked for while the wasm was still loading: the config,
//! the session and, on the projects page, the list. The first GET of each
//! address takes its early answer instead of asking again; it is usually in
//! already, so the first page is drawn in the same task as the shell.
//!
//! They describe the console as it was when the page loaded, for the page
//! it opened on, so the ones not yet taken are forgotten at the first change
//! (any other request than a GET, or a portal's token) or the first
//! navigation: after a sign-in, the list is asked for anew.

use js_sys::{Map, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{Answer, ApiError};

/// Where `boot.js` leaves them: absolute URL → promise of
/// `{ status, text }`, or of `null` when the request failed.
const ANSWERS: &str = "berthEarlyAnswers";

fn answers() -> Option<Map> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(ANSWERS))
        .ok()?
        .dyn_into()
        .ok()
}

/// The early answer to a GET of `url`, if there is one; it is taken, so a
/// second request asks the server.
pub(super) fn take(url: &str) -> Option<Promise> {
    let answers = answers()?;
    let key = JsValue::from_str(url);
    let answer = answers.get(&key).dyn_into().ok()?;
    answers.delete(&key);
    Some(answer)
}

/// Drops the answers not yet taken.
pub fn forget() {
    if let Some(answers) = answers() {
        answers.clear();
    }
}

/// Waits for an early answer.
pub(super) async fn receive(answer: Promise) -> Result<Answer, ApiError> {
    let answer = JsFuture::from(answer)
        .await
        .map_err(|_| ApiError::Network)?;
    if answer.is_null() {
        return Err(ApiError::Network);
    }
    let field = |name: &str| Reflect::get(&answer, &JsValue::from_str(name)).ok();
    let status = field("status")
        .and_then(|s| s.as_f64())
        .and_then(|s| u16::try_from(s as i64).ok())
        .ok_or(ApiError::Unexpected { status: 0 })?;
    let text = field("text")
        .and_then(|t| t.as_string())
        .ok_or(ApiError::Unexpected { status })?;
    Ok(Answer {
        status,
        ok: (200..300).contains(&status),
        text,
    })
}
