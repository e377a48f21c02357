//! `/api/v1/projects/{project}/job-runs` and the submit of a template's
//! run: the HTTP calls of job runs, their live event stream and their logs.

use berth_shared::{JobRun, JobRunList, JobRunSummary, RunDeleted, SubmitJobRun, job_run};
use gloo_net::http::Request;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::{API_BASE, ApiError, exchange, failure, prepared, segment, send_json, send_no_content};
use super::{send_with_body, session};

fn base(project: &str) -> String {
    format!("{API_BASE}/projects/{}/job-runs", segment(project))
}

fn one(project: &str, run: &str) -> String {
    format!("{}/{}", base(project), segment(run))
}

/// The project's runs, newest first; only those of `template` when given.
pub async fn list_job_runs(
    project: &str,
    template: Option<&str>,
) -> Result<Vec<JobRunSummary>, ApiError> {
    let url = match template {
        Some(t) => format!("{}?template={}", base(project), segment(t)),
        None => base(project),
    };
    let list: JobRunList = send_json(Request::get(&url)).await?;
    Ok(list.items)
}

pub async fn get_job_run(project: &str, run: &str) -> Result<JobRun, ApiError> {
    send_json(Request::get(&one(project, run))).await
}

/// Starts a run of `template`, with `body`'s changes for this run only.
pub async fn submit_job_run(
    project: &str,
    template: &str,
    body: &SubmitJobRun,
) -> Result<JobRun, ApiError> {
    let url = format!(
        "{API_BASE}/projects/{}/job-templates/{}/runs",
        segment(project),
        segment(template)
    );
    send_with_body(Request::post(&url), body).await
}

/// Starts a new run of only the failed indexes of `run`.
pub async fn rerun_failed(project: &str, run: &str) -> Result<JobRun, ApiError> {
    send_json(Request::post(&format!(
        "{}/rerun-failed",
        one(project, run)
    )))
    .await
}

/// Deletes the run, its containers and its logs.
pub async fn delete_job_run(project: &str, run: &str) -> Result<(), ApiError> {
    send_no_content(Request::delete(&one(project, run))).await
}

fn log_url(project: &str, run: &str, index: u32, attempt: Option<u32>) -> String {
    let mut url = format!("{}/logs?index={index}", one(project, run));
    if let Some(attempt) = attempt {
        url.push_str(&format!("&attempt={attempt}"));
    }
    url
}

/// The address that downloads one index's log (one attempt, or the latest) as a file.
pub fn log_download_url(project: &str, run: &str, index: u32, attempt: Option<u32>) -> String {
    format!("{}&download=true", log_url(project, run, index, attempt))
}

/// What a run's event stream says.
#[derive(Debug, Clone, PartialEq)]
pub enum RunUpdate {
    /// The whole run, as it is now.
    Run(Box<JobRun>),
    /// Someone deleted it; the stream has ended.
    Deleted,
    /// The connection dropped; the browser connects again by itself.
    Reconnecting,
    /// The server refused the stream (the run or the session is gone);
    /// the browser gave up, and so does the page until it asks again.
    Closed,
}

/// Follows a run (server-sent events through the browser's `EventSource`,
/// which reconnects by itself after a dropped connection) and hands each
/// update to `on_update`. Close the returned source to stop.
pub fn follow_job_run(
    project: &str,
    run: &str,
    on_update: impl Fn(RunUpdate) + 'static,
) -> Option<web_sys::EventSource> {
    let source = web_sys::EventSource::new(&format!("{}/events", one(project, run))).ok()?;
    let on_update = std::rc::Rc::new(on_update);
    for event in [job_run::events::RUN, job_run::events::DELETED] {
        let on_update = on_update.clone();
        let closing = source.clone();
        let listener =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data().as_string().unwrap_or_default();
                if event == job_run::events::DELETED {
                    // The server ends the stream; without this the browser would reconnect.
                    closing.close();
                    if serde_json::from_str::<RunDeleted>(&data).is_ok() {
                        on_update(RunUpdate::Deleted);
                    }
                } else if let Ok(run) = serde_json::from_str::<JobRun>(&data) {
                    on_update(RunUpdate::Run(Box::new(run)));
                }
            });
        let _ = source.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        // Lives as long as the source: two small closures per page.
        listener.forget();
    }
    let watched = source.clone();
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| {
        on_update(if watched.ready_state() == web_sys::EventSource::CLOSED {
            RunUpdate::Closed
        } else {
            RunUpdate::Reconnecting
        });
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    Some(source)
}

/// Reads one index's log: all of it (`follow` false), or as it is written
/// until the index ends (`follow` true), handing each piece of text to
/// `on_text` as it arrives. Stops early when `signal` aborts.
pub async fn read_log(
    project: &str,
    run: &str,
    index: u32,
    attempt: Option<u32>,
    follow: bool,
    signal: Option<&web_sys::AbortSignal>,
    on_text: impl Fn(&str),
) -> Result<(), ApiError> {
    let mut url = log_url(project, run, index, attempt);
    if follow {
        url.push_str("&follow=true");
    }
    let request = prepared(Request::get(&url), "text/plain")
        .abort_signal(signal)
        .build()
        .map_err(|_| ApiError::Unexpected { status: 0 })?;
    if !follow {
        let answer = exchange(Ok(request)).await?;
        if !answer.ok {
            return Err(failure(&answer));
        }
        on_text(&answer.text);
        return Ok(());
    }
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    let status = response.status();
    if !response.ok() {
        let text = response.text().await.unwrap_or_default();
        if status == 401 {
            session::signed_out_by_server();
        }
        return Err(failure(&super::Answer {
            status,
            ok: false,
            text,
        }));
    }
    let Some(body) = response.body() else {
        return Ok(());
    };
    let reader: web_sys::ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| ApiError::Unexpected { status })?;
    let mut pending = Vec::new();
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|_| ApiError::Network)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        if let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) {
            pending.extend(js_sys::Uint8Array::new(&value).to_vec());
            let text = take_text(&mut pending);
            if !text.is_empty() {
                on_text(&text);
            }
        }
    }
    if !pending.is_empty() {
        on_text(&String::from_utf8_lossy(&pending));
    }
    Ok(())
}

/// The text of the complete characters at the start of `bytes`, which keep
/// only an unfinished character split between two pieces of the stream.
fn take_text(bytes: &mut Vec<u8>) -> String {
    let complete = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        // Invalid in the middle: shown as a replacement character.
        Err(e) if e.error_len().is_some() => bytes.len(),
        Err(e) => e.valid_up_to(),
    };
    let rest = bytes.split_off(complete);
    let text = String::from_utf8_lossy(bytes).into_owned();
    *bytes = rest;
    text
}

#[cfg(test)]
mod tests {
    use super::take_text;

    #[test]
    fn a_character_split_between_pieces_waits_for_its_end() {
        let mut bytes = "ab é".as_bytes().to_vec();
        let last = bytes.pop().expect("é has two bytes");
        assert_eq!(take_text(&mut bytes), "ab ");
        assert_eq!(bytes.len(), 1);
        bytes.push(last);
        assert_eq!(take_text(&mut bytes), "é");
        assert!(bytes.is_empty());
    }

    #[test]
    fn invalid_bytes_do_not_stop_the_log() {
        let mut bytes = vec![b'a', 0xff, b'b'];
        assert_eq!(take_text(&mut bytes), "a\u{fffd}b");
        assert!(bytes.is_empty());
    }
}
