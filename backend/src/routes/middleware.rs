//! Request ids and request logs.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, TraceLayer};

use berth_shared::Problem;

use crate::error::{FailureDetail, ProblemBody, problem_response};

/// The id SetRequestIdLayer gave this request.
fn request_id(request: &Request) -> Option<String> {
    request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Put the request id into problem bodies, so a person reporting an error
/// can quote the id that finds it in the log; and log every server-side
/// failure, from its problem body, once, here.
pub async fn stamp_request_id(request: Request, next: Next) -> Response {
    let id = request_id(&request);
    let response = next.run(request).await;
    if let Some(ProblemBody(problem)) = response.extensions().get::<ProblemBody>() {
        log_failure(problem, response.extensions().get::<FailureDetail>());
    }
    match (id, response.extensions().get::<ProblemBody>()) {
        (Some(id), Some(ProblemBody(problem))) => {
            let mut problem = problem.clone();
            problem.request_id = Some(id);
            let mut stamped = problem_response(problem);
            for (name, value) in response.headers() {
                if !stamped.headers().contains_key(name) {
                    stamped.headers_mut().insert(name, value.clone());
                }
            }
            stamped
        }
        _ => response,
    }
}

/// A 5xx problem goes to the log with what caused it (never to the
/// person): an error when Berth failed, a warning when Kubernetes did not
/// answer.
fn log_failure(problem: &Problem, detail: Option<&FailureDetail>) {
    let error = detail.map_or("", |d| d.0.as_str());
    match problem.status {
        503 => tracing::warn!(%error, "Kubernetes API unavailable"),
        500 => tracing::error!(%error, status = problem.status, "request failed"),
        _ => {}
    }
}

/// One span per request carrying method, path (never the query, which
/// could hold anything) and request id.
#[derive(Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &axum::http::Request<B>) -> tracing::Span {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.uri().path(),
            request_id = %id,
        )
    }
}

pub fn trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan> {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_response(
            tower_http::trace::DefaultOnResponse::new()
                .level(tracing::Level::INFO)
                .latency_unit(tower_http::LatencyUnit::Micros),
        )
}
