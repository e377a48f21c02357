//! The HTTP client of the CLI: JSON in and out, problem details turned into
//! one-line errors, and a reader of server-sent events.

use std::time::Duration;

use berth_shared::Problem;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Failure;

/// A connection to one Berth.
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    credentials: Credentials,
}

/// How the CLI proves who it is.
enum Credentials {
    None,
    /// `BERTH_TOKEN`: an OIDC bearer token.
    Bearer(String),
    /// A session from signing in with `BERTH_USER` and `BERTH_PASSWORD`.
    Session {
        cookie: String,
        csrf_token: String,
    },
}

/// A successful answer.
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    pub fn into<T: DeserializeOwned>(self) -> Result<T, Failure> {
        serde_json::from_value(self.body).map_err(|e| {
            Failure::request(format!(
                "Berth sent an answer this CLI does not understand: {e}"
            ))
        })
    }
}

impl ApiClient {
    /// Connects, signing in when `BERTH_USER` and `BERTH_PASSWORD` are set
    /// (and `BERTH_TOKEN` is not). The password comes from the environment
    /// only, never from the command line, where other users could see it.
    pub async fn connect(url: &str) -> Result<Self, Failure> {
        let mut client = Self::new(url)?;
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        if let (Credentials::None, Some(user), Some(password)) = (
            &client.credentials,
            var("BERTH_USER"),
            var("BERTH_PASSWORD"),
        ) {
            client.credentials = client.sign_in(&user, password).await?;
        }
        Ok(client)
    }

    async fn sign_in(&self, user: &str, password: String) -> Result<Credentials, Failure> {
        let login = berth_shared::Login {
            username: user.to_owned(),
            password,
        };
        let response = self
            .http
            .post(format!("{}/api/v1/session", self.base))
            .header("origin", &self.base)
            .json(&login)
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        let cookie = response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .map(str::to_owned);
        let bytes = response.bytes().await.map_err(|e| self.unreachable(&e))?;
        if !status.is_success() {
            let reason = serde_json::from_slice::<Problem>(&bytes)
                .map(|p| p.message().to_owned())
                .unwrap_or_else(|_| format!("HTTP {status}"));
            return Err(Failure::request(format!("signing in as {user}: {reason}")));
        }
        let session: berth_shared::Session = serde_json::from_slice(&bytes)
            .map_err(|_| Failure::request("signing in: Berth answered in an unknown form"))?;
        if session.password_change_required {
            return Err(Failure::request(format!(
                "{user} still has a one-time password: sign in to the console once to choose your own"
            )));
        }
        match (cookie, session.csrf_token) {
            (Some(cookie), Some(csrf_token)) => Ok(Credentials::Session { cookie, csrf_token }),
            _ => Err(Failure::request("signing in: Berth sent no session")),
        }
    }

    fn new(url: &str) -> Result<Self, Failure> {
        let base = url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Failure::usage(format!(
                "--url must start with http:// or https:// (got “{url}”)"
            )));
        }
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("berth-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Failure::request(format!("cannot set up HTTP: {e}")))?;
        let credentials = match std::env::var("BERTH_TOKEN") {
            Ok(token) if !token.is_empty() => Credentials::Bearer(token),
            _ => Credentials::None,
        };
        Ok(Self {
            http,
            base,
            credentials,
        })
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("accept", "application/json");
        match &self.credentials {
            Credentials::None => {}
            Credentials::Bearer(token) => request = request.bearer_auth(token),
            // As the console sends it: the cookie, the CSRF token, the origin.
            Credentials::Session { cookie, csrf_token } => {
                request = request
                    .header(reqwest::header::COOKIE, cookie)
                    .header(berth_shared::session::CSRF_HEADER, csrf_token)
                    .header(reqwest::header::ORIGIN, &self.base);
            }
        }
        request
    }

    /// Sends a request (with a JSON body when given) and returns the JSON
    /// answer, or the server's reason as a failure.
    pub async fn send<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Answer, Failure> {
        let mut request = self.request(method, path).timeout(Duration::from_secs(60));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.unreachable(&e))?;
        if status.is_success() {
            let body = if bytes.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&bytes).map_err(|_| {
                    Failure::request(format!(
                        "{} did not answer like Berth (HTTP {status}); check --url",
                        self.base
                    ))
                })?
            };
            return Ok(Answer { status, body });
        }
        Err(match serde_json::from_slice::<Problem>(&bytes) {
            Ok(problem) => Failure::request(one_line(&problem)),
            Err(_) => Failure::request(format!(
                "{} answered HTTP {status}, not like Berth; check --url",
                self.base
            )),
        })
    }

    pub async fn get(&self, path: &str) -> Result<Answer, Failure> {
        self.send::<()>(Method::GET, path, None).await
    }

    /// A GET whose answer is read as it arrives (a log), or the server's
    /// reason as a failure.
    pub async fn stream(&self, path: &str) -> Result<reqwest::Response, Failure> {
        let response = self
            .request(Method::GET, path)
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let bytes = response.bytes().await.unwrap_or_default();
        Err(match serde_json::from_slice::<Problem>(&bytes) {
            Ok(problem) => Failure::request(one_line(&problem)),
            Err(_) => Failure::request(format!("{} answered HTTP {status}", self.base)),
        })
    }

    /// Opens a server-sent event stream.
    pub async fn events(&self, path: &str) -> Result<EventStream, Failure> {
        let response = self
            .request(Method::GET, path)
            .header("accept", "text/event-stream")
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        if !status.is_success() {
            let bytes = response.bytes().await.unwrap_or_default();
            return Err(match serde_json::from_slice::<Problem>(&bytes) {
                Ok(problem) => Failure::request(problem.message().to_owned()),
                Err(_) => Failure::request(format!("{} answered HTTP {status}", self.base)),
            });
        }
        Ok(EventStream {
            response,
            buffer: String::new(),
        })
    }

    fn unreachable(&self, err: &reqwest::Error) -> Failure {
        if err.is_timeout() {
            Failure::request(format!("{} did not answer in time", self.base))
        } else {
            Failure::request(format!(
                "cannot reach Berth at {} (is it running? set --url or BERTH_URL)",
                self.base
            ))
        }
    }
}

/// One server-sent event: its name and JSON data.
#[derive(Debug, Clone)]
pub struct ServerEvent {
    pub event: String,
    pub data: Value,
}

pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// The next event; `None` when the server closed the stream.
    pub async fn next(&mut self) -> Result<Option<ServerEvent>, Failure> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse_event(&block) {
                    return Ok(Some(event));
                }
                continue;
            }
            match self.response.chunk().await {
                Ok(Some(bytes)) => self
                    .buffer
                    .push_str(&String::from_utf8_lossy(&bytes).replace("\r\n", "\n")),
                Ok(None) => return Ok(None),
                Err(_) => return Err(Failure::request("the connection to Berth broke")),
            }
        }
    }
}

/// `event: x` / `data: {...}` lines; comments (keep-alives) give `None`.
fn parse_event(block: &str) -> Option<ServerEvent> {
    let mut event = "message".to_owned();
    let mut data = String::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            event = v.trim().to_owned();
        } else if let Some(v) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    if data.is_empty() {
        return None;
    }
    Some(ServerEvent {
        event,
        data: serde_json::from_str(&data).unwrap_or(Value::String(data)),
    })
}

/// Percent-encodes a path segment (names are validated, but typed by people).
pub fn segment(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The server's reason, with the field errors when it gave some ("Some
/// fields need your attention." alone would not say which).
fn one_line(problem: &Problem) -> String {
    let fields: Vec<String> = problem
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    if fields.is_empty() {
        problem.message().to_owned()
    } else {
        format!("{} {}", problem.message(), fields.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_events_and_skips_comments() {
        let e = parse_event("event: deleted\ndata: {\"project\":\"a\"}\n\n").expect("event");
        assert_eq!(e.event, "deleted");
        assert_eq!(e.data["project"], "a");
        assert!(parse_event(":\n\n").is_none());
    }

    #[test]
    fn encodes_segments() {
        assert_eq!(segment("shop"), "shop");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
    }
}
