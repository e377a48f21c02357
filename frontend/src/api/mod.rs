//! The console's only way to talk to the server: one async function per
//! endpoint of `/api/v1`, each returning `Result<T, ApiError>`.
//!
//! Pages never build URLs or parse responses themselves; credentials (the
//! CSRF token of the session) are added here, in one place.

mod config;
mod credentials;
mod data;
mod early;
mod images;
mod job_runs;
mod job_templates;
mod members;
mod projects;
mod retry;
mod session;

pub use config::get_config;
pub use credentials::{create_credential, delete_credential, list_credentials, replace_credential};
pub use data::{
    DeletionUpdate, delete_item, delete_project, follow_deletion, get_activity, get_inventory,
    inventory_download_url, list_deleted_projects, restore_project,
};
pub use early::forget as forget_early_answers;
pub use images::{create_image, delete_image, list_images, replace_image, verify_image};
pub use job_runs::{
    RunUpdate, delete_job_run, follow_job_run, get_job_run, list_job_runs, log_download_url,
    read_log, rerun_failed, submit_job_run,
};
pub use job_templates::{
    delete_job_template, job_of_template, list_job_templates, save_job_template,
};
pub use members::{get_members, save_members};
pub use projects::{create_project, get_project, list_projects};
pub use retry::{PAUSES_MS as RETRY_PAUSES_MS, pause, retried};
pub use session::{
    SignedIn, change_password, get_session, has_bearer_token, on_signed_out, sign_in, sign_out,
    use_bearer_token,
};

use berth_shared::Problem;

use crate::i18n::{self, t};
use gloo_net::http::{Method, Request, RequestBuilder};
use serde::de::DeserializeOwned;

/// Where the JSON API lives. Same origin as the console, so no CORS and the
/// session cookie travels by itself.
const API_BASE: &str = "/api/v1";

/// Why a call failed, in a shape a page can show to a person.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with RFC 9457 problem details (4xx/5xx). Boxed:
    /// every `Result` and page state carries an `ApiError`, and most of
    /// them are not problems.
    Problem(Box<Problem>),
    /// No answer at all: offline, server down, or the request was blocked.
    Network,
    /// An answer that is not what Berth's API sends (a proxy's HTML error
    /// page, a body that does not parse). Keeps the status for support.
    Unexpected { status: u16 },
}

impl ApiError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(p) => Some(p.status),
            ApiError::Unexpected { status } => Some(*status),
            ApiError::Network => None,
        }
    }

    /// The sentence a person reads.
    pub fn message(&self) -> String {
        match self {
            ApiError::Problem(p) => match &p.code {
                Some(code) => i18n::message(code, &p.params, p.message()),
                None => p.message().to_owned(),
            },
            ApiError::Network => {
                t!("Berth could not be reached. Check your connection and try again.").to_owned()
            }
            ApiError::Unexpected { status } => t!(
                "Berth sent an answer it did not expect (HTTP {status}). Try again later.",
                status = status
            ),
        }
    }

    /// The problem details, when the server sent them (field errors live there).
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Problem(p) => Some(p.as_ref()),
            _ => None,
        }
    }

    /// A reference support can look up in the server's log.
    pub fn request_id(&self) -> Option<&str> {
        self.problem().and_then(|p| p.request_id.as_deref())
    }
}

/// Percent-encodes one path segment. Names are validated to be URL-safe, but
/// a segment can also come from the address bar, where anything goes.
fn segment(raw: &str) -> String {
    String::from(js_sys::encode_uri_component(raw))
}

/// What the server answered: the status and the body as text.
struct Answer {
    status: u16,
    ok: bool,
    text: String,
}

/// Sends a request and reads the whole answer. Deliberately not generic:
/// the async machinery of a request then exists once in the bundle, not
/// once per response type.
async fn exchange(request: Result<Request, gloo_net::Error>) -> Result<Answer, ApiError> {
    let request = request.map_err(|_| ApiError::Unexpected { status: 0 })?;
    let url = request.url();
    let reading = request.method() == Method::GET;
    let early = if reading {
        early::take(&url)
    } else {
        early::forget();
        None
    };
    let request = web_sys::Request::from(request);
    let answer = match early {
        Some(answer) => early::receive(answer).await,
        None => send(Request::from(Clone::clone(&request))).await,
    };
    // A read that got no answer at all is asked again (retry.rs), unless
    // the page itself called it off.
    let answer = if reading {
        retried(
            answer,
            || send(Request::from(Clone::clone(&request))),
            |a| matches!(a, Err(ApiError::Network)) && !request.signal().aborted(),
        )
        .await
    } else {
        answer
    };
    let answer = answer?;
    if answer.status == 401 && !url.ends_with("/session") {
        // The session ended (expired, or signed out elsewhere).
        session::signed_out_by_server();
    }
    Ok(answer)
}

/// Asks the server.
async fn send(request: Request) -> Result<Answer, ApiError> {
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    let (status, ok) = (response.status(), response.ok());
    let text = response
        .text()
        .await
        .map_err(|_| ApiError::Unexpected { status })?;
    Ok(Answer { status, ok, text })
}

/// A request with the session's credentials, asking for `accept`.
fn prepared(request: RequestBuilder, accept: &str) -> RequestBuilder {
    session::authorize(request).header("Accept", accept)
}

/// The problem details of a failed answer.
fn failure(answer: &Answer) -> ApiError {
    match serde_json::from_str::<Problem>(&answer.text) {
        Ok(problem) => ApiError::Problem(Box::new(problem)),
        Err(_) => ApiError::Unexpected {
            status: answer.status,
        },
    }
}

/// The typed body of a successful answer, or the failure.
fn parse<T: DeserializeOwned>(answer: Answer) -> Result<T, ApiError> {
    if !answer.ok {
        return Err(failure(&answer));
    }
    serde_json::from_str(&answer.text).map_err(|_| ApiError::Unexpected {
        status: answer.status,
    })
}

/// Sends a request and decodes a JSON success body, or turns the failure
/// into an [`ApiError`].
async fn send_json<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, ApiError> {
    parse(exchange(prepared(request, "application/json").build()).await?)
}

/// Sends a JSON body and decodes a JSON success body.
async fn send_with_body<B: serde::Serialize, T: DeserializeOwned>(
    request: RequestBuilder,
    body: &B,
) -> Result<T, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Unexpected { status: 0 })?;
    let request = prepared(request, "application/json")
        .header("Content-Type", "application/json")
        .body(body);
    parse(exchange(request).await?)
}

/// Sends a request whose success has no body (204).
async fn send_no_content(request: RequestBuilder) -> Result<(), ApiError> {
    let answer = exchange(prepared(request, "application/json").build()).await?;
    if answer.ok {
        Ok(())
    } else {
        Err(failure(&answer))
    }
}

/// Sends a request whose success is plain text (the server renders it).
async fn send_for_text(request: RequestBuilder) -> Result<String, ApiError> {
    let answer = exchange(prepared(request, "text/plain").build()).await?;
    if answer.ok {
        Ok(answer.text)
    } else {
        Err(failure(&answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_prefer_the_servers_detail() {
        let problem = Problem {
            kind: "about:blank".into(),
            title: "Not Found".into(),
            status: 404,
            detail: Some("No project named shop.".into()),
            code: None,
            params: Default::default(),
            errors: Vec::new(),
            request_id: Some("r-1".into()),
        };
        let error = ApiError::Problem(Box::new(problem));
        assert_eq!(error.message(), "No project named shop.");
        assert_eq!(error.status(), Some(404));
        assert_eq!(error.request_id(), Some("r-1"));
        assert_eq!(ApiError::Network.status(), None);
        assert!(
            ApiError::Unexpected { status: 502 }
                .message()
                .contains("502")
        );
    }
}
