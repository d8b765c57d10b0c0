//! [`Exchange`]: the single record of one attempt — the request as sent and
//! the response or a classified transport error. Fire, replay, the receiver
//! and imports all produce it; history stores it; the inspector shows it.

use std::fmt;
use std::time::{Duration, SystemTime};

use base64::Engine;
use serde_json::{Value, json};

use crate::request::PreparedRequest;

/// Where an exchange came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Fire,
    /// A replay of the record with this id.
    Replay(i64),
    /// A retry of the fire recorded with this id.
    Retry(i64),
    Import,
    Received,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Fire => f.write_str("fire"),
            Origin::Replay(id) => write!(f, "replay of #{id}"),
            Origin::Retry(id) => write!(f, "retry of #{id}"),
            Origin::Import => f.write_str("import"),
            Origin::Received => f.write_str("received"),
        }
    }
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// The canonical reason phrase for the status, if it has one.
    pub reason: String,
    /// Every header in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body was cut at the cap.
    pub truncated: bool,
    /// URLs followed to get here, when redirects were followed.
    pub redirects: Vec<String>,
}

impl Response {
    /// The canonical reason phrase of a status ("" when it has none).
    pub fn reason_for(status: u16) -> String {
        reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
            .to_string()
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why no (complete) response arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Timeout,
    ConnectionRefused,
    Dns,
    Tls,
    /// Too many redirects, or a redirect that cannot be followed.
    Redirect,
    /// The connection broke while the response was being read.
    Incomplete,
    Other,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::ConnectionRefused => "connection_refused",
            ErrorKind::Dns => "dns",
            ErrorKind::Tls => "tls",
            ErrorKind::Redirect => "redirect",
            ErrorKind::Incomplete => "incomplete",
            ErrorKind::Other => "other",
        }
    }
}

/// A classified transport error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    pub kind: ErrorKind,
    pub message: String,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

/// One attempt at a delivery.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub origin: Origin,
    pub profile: Option<String>,
    pub started_at: SystemTime,
    pub elapsed: Duration,
    /// The request as sent (secrets included: redact before showing).
    pub request: PreparedRequest,
    /// The response, possibly with a partial body when `error` is also set.
    pub response: Option<Response>,
    pub error: Option<TransportError>,
}

impl Exchange {
    /// A 2xx answer, read in full.
    pub fn is_success(&self) -> bool {
        self.error.is_none() && self.response.as_ref().is_some_and(Response::is_success)
    }

    /// The JSON shape of `fire --json`: request, response, error. Secrets
    /// are masked unless `reveal`.
    pub fn to_json(&self, reveal: bool) -> Value {
        let req = if reveal {
            self.request.clone()
        } else {
            self.request.redacted()
        };
        json!({
            "request": request_json(&req),
            "response": self.response.as_ref().map(|r| {
                let mut obj = json!({
                    "status": r.status,
                    "headers": r.headers,
                    "truncated": r.truncated,
                    "elapsed_ms": self.elapsed.as_millis() as u64,
                });
                put_body(&mut obj, &r.body);
                obj
            }),
            "error": self.error.as_ref().map(|e| json!({"kind": e.kind.as_str(), "message": e.message})),
        })
    }
}

/// `{"method", "url", "headers", "body"}` of a request.
pub fn request_json(req: &PreparedRequest) -> Value {
    let mut obj = json!({
        "method": req.method.as_str(),
        "url": req.url,
        "headers": req.headers,
    });
    put_body(&mut obj, &req.body);
    obj
}

/// Sets `body` as text, or as base64 with `"body_encoding": "base64"`.
fn put_body(obj: &mut Value, body: &[u8]) {
    match std::str::from_utf8(body) {
        Ok(text) => obj["body"] = Value::String(text.to_string()),
        Err(_) => {
            obj["body"] = Value::String(base64::engine::general_purpose::STANDARD.encode(body));
            obj["body_encoding"] = Value::String("base64".into());
        }
    }
}
