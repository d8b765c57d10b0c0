//! [`Exchange`]: the single record of one attempt — the request as sent and
//! the response or a classified transport error. Fire, replay, the receiver
//! and imports all produce it; history stores it; the inspector shows it.

use std::fmt;
use std::time::{Duration, SystemTime};

use base64::Engine;
use serde_json::{Value, json};

use crate::wire::{PreparedRequest, SecretSet, is_credential_name, mask_credential_value};

/// Where an exchange came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Fire,
    /// A replay of the record with this id (none when that record is not
    /// in this history: an import of a replay without its original).
    Replay(Option<i64>),
    /// A retry of the fire recorded with this id (none as for a replay).
    Retry(Option<i64>),
    Import,
    Received,
    /// Received and passed on to the app (`listen --forward-to`).
    Forwarded,
}

impl Origin {
    /// Reads what [`Display`](fmt::Display) writes: `fire`, `replay of
    /// #12`, `retry`, `import`, `received`.
    pub fn parse(s: &str) -> Option<Origin> {
        let linked = |rest: &str| -> Option<Option<i64>> {
            match rest.trim() {
                "" => Some(None),
                r => r.strip_prefix("of #")?.parse().ok().map(Some),
            }
        };
        Some(match s.trim() {
            "fire" => Origin::Fire,
            "import" => Origin::Import,
            "received" => Origin::Received,
            "forwarded" => Origin::Forwarded,
            o => match o.split_at(o.find(' ').unwrap_or(o.len())) {
                ("replay", rest) => Origin::Replay(linked(rest)?),
                ("retry", rest) => Origin::Retry(linked(rest)?),
                _ => return None,
            },
        })
    }

    /// The record this one descends from, when it is in this history.
    pub fn source(&self) -> Option<i64> {
        match self {
            Origin::Replay(id) | Origin::Retry(id) => *id,
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Fire => f.write_str("fire"),
            Origin::Replay(Some(id)) => write!(f, "replay of #{id}"),
            Origin::Replay(None) => f.write_str("replay"),
            Origin::Retry(Some(id)) => write!(f, "retry of #{id}"),
            Origin::Retry(None) => f.write_str("retry"),
            Origin::Import => f.write_str("import"),
            Origin::Received => f.write_str("received"),
            Origin::Forwarded => f.write_str("forwarded"),
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

/// A gzip or deflate body is decoded, to be shown or masked, up to this
/// many bytes: 64 MiB, what a response body is read up to (a small body
/// can decode to a huge one).
pub const DECODED_BODY_CAP: usize = 64 * 1024 * 1024;

/// A response body as its `Content-Encoding` says to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// `gzip` or `deflate`.
    pub encoding: &'static str,
    /// The decoded bytes, as many as decoded before an error or the cap.
    pub body: Vec<u8>,
    /// Why decoding stopped early, if it did.
    pub error: Option<String>,
    /// Decoding stopped at the cap (a small body can decode to a huge one).
    pub truncated: bool,
}

/// Decodes a gzip or deflate body (the encoding named in `headers`), up to
/// `cap` bytes; `None` for any other encoding or none. The raw bytes stay
/// what is stored; this is for showing them.
pub fn decode_body(headers: &[(String, String)], body: &[u8], cap: usize) -> Option<Decoded> {
    use std::io::Read;
    let enc = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-encoding"))?
        .1
        .trim()
        .to_ascii_lowercase();
    let (encoding, reader): (&'static str, Box<dyn Read + '_>) = match enc.as_str() {
        "gzip" | "x-gzip" => ("gzip", Box::new(flate2::read::MultiGzDecoder::new(body))),
        // `deflate` is zlib-wrapped by the standard, raw by some servers.
        "deflate" if body.first().is_some_and(|b| b & 0x0f == 8) => {
            ("deflate", Box::new(flate2::read::ZlibDecoder::new(body)))
        }
        "deflate" => ("deflate", Box::new(flate2::read::DeflateDecoder::new(body))),
        _ => return None,
    };
    let mut out = Vec::new();
    let mut limited = reader.take(cap as u64 + 1);
    let error = limited
        .read_to_end(&mut out)
        .err()
        .map(|e| format!("the {encoding} body does not decode: {e}"));
    let truncated = out.len() > cap;
    out.truncate(cap);
    Some(Decoded {
        encoding,
        body: out,
        error,
        truncated,
    })
}

/// Re-indents valid JSON by two spaces without building a value tree, so a
/// body of tens of MB costs one pass and one output string.
pub fn indent_json(text: &str) -> Option<String> {
    serde_json::from_str::<serde::de::IgnoredAny>(text).ok()?;
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // Keep empty containers on one line.
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}') | Some(']')) {
                    out.push(chars.next().expect("peeked"));
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// Valid JSON without the whitespace between its tokens, the text of its
/// strings and numbers untouched (no value tree: a number too large for
/// a float stays as written).
pub fn minify_json(text: &str) -> Option<String> {
    serde_json::from_str::<serde::de::IgnoredAny>(text).ok()?;
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    Some(out)
}

/// Text fit for a terminal: control characters (a hostile body could carry
/// escape sequences) shown as their visible pictures (`␛`), tabs as spaces,
/// line breaks kept.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| (c.is_control() && c != '\n') || c == '\u{7f}';
    if !text.chars().any(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' => out.push_str("    "),
            '\n' => out.push('\n'),
            '\r' if chars.peek() == Some(&'\n') => {}
            c if (c as u32) < 0x20 => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'))
            }
            '\u{7f}' => out.push('\u{2421}'),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

impl Response {
    /// The body to show: decoded when gzip or deflate, with a line that
    /// says so; else the body as received.
    pub fn shown_body(&self) -> (std::borrow::Cow<'_, [u8]>, Option<String>) {
        match decode_body(&self.headers, &self.body, DECODED_BODY_CAP) {
            None => (std::borrow::Cow::Borrowed(&self.body), None),
            Some(d) => {
                let mut note = format!(
                    "{}: {} bytes received, {} decoded",
                    d.encoding,
                    self.body.len(),
                    d.body.len()
                );
                if d.truncated {
                    note.push_str(" (decoding stopped at the cap)");
                }
                if let Some(e) = &d.error {
                    note.push_str(&format!("; {e}"));
                }
                (std::borrow::Cow::Owned(d.body), Some(note))
            }
        }
    }

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

    /// Headers fit for the screen or the history: credential headers
    /// (`Set-Cookie`, ...) masked, known secrets masked in the others.
    pub fn masked_headers(&self, known: &SecretSet) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(n, v)| {
                if is_credential_name(n) {
                    (n.clone(), mask_credential_value(v))
                } else {
                    (n.clone(), known.mask(v).into_owned())
                }
            })
            .collect()
    }

    /// This response with credentials masked, copied only when something
    /// is to be masked (a body of tens of MB usually is not).
    pub fn masked_cow(&self, known: &SecretSet) -> std::borrow::Cow<'_, Response> {
        let clean = !self
            .headers
            .iter()
            .any(|(n, v)| is_credential_name(n) || known.appears_in(v.as_bytes()))
            && !known.appears_in(&self.body)
            && !self
                .redirects
                .iter()
                .any(|u| known.appears_in(u.as_bytes()))
            && (known.is_empty()
                || decode_body(&self.headers, &self.body, DECODED_BODY_CAP)
                    .is_none_or(|d| !known.appears_in(&d.body)));
        if clean {
            std::borrow::Cow::Borrowed(self)
        } else {
            std::borrow::Cow::Owned(self.masked(known))
        }
    }

    /// A copy with credentials masked: headers, body, redirect URLs.
    pub fn masked(&self, known: &SecretSet) -> Response {
        let mut headers = self.masked_headers(known);
        let decoded = (!known.is_empty())
            .then(|| decode_body(&self.headers, &self.body, DECODED_BODY_CAP))
            .flatten();
        let body = match decoded {
            Some(d) if known.appears_in(&d.body) => {
                for (n, v) in headers.iter_mut() {
                    if n.eq_ignore_ascii_case("content-encoding") {
                        *v = format!(
                            "identity (was {}: decoded to mask a credential in it)",
                            d.encoding
                        );
                    }
                }
                known.mask_bytes(&d.body).into_owned()
            }
            _ => known.mask_bytes(&self.body).into_owned(),
        };
        Response {
            status: self.status,
            reason: self.reason.clone(),
            headers,
            body,
            truncated: self.truncated,
            redirects: self
                .redirects
                .iter()
                .map(|u| known.mask(u).into_owned())
                .collect(),
        }
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
    /// The environment its profile was rendered in.
    pub env: Option<String>,
    /// Who sent it: the client's address, for a request the receiver got.
    pub peer: Option<String>,
    pub started_at: SystemTime,
    pub elapsed: Duration,
    /// The request as sent (secrets included: redact before showing).
    pub request: PreparedRequest,
    /// The response, possibly with a partial body when `error` is also set.
    pub response: Option<Response>,
    pub error: Option<TransportError>,
}

impl TransportError {
    /// The message with known secrets masked (a URL in it may hold one).
    pub fn masked(&self, known: &SecretSet) -> TransportError {
        TransportError {
            kind: self.kind,
            message: known.mask(&self.message).into_owned(),
        }
    }
}

impl Exchange {
    /// A 2xx answer, read in full.
    pub fn is_success(&self) -> bool {
        self.error.is_none() && self.response.as_ref().is_some_and(Response::is_success)
    }

    /// What came of it, in a few words: `500 Internal Server Error`,
    /// `timeout: no complete answer within 5 s`, `no answer`. An error
    /// message that repeats a secret of the request has it masked.
    pub fn outcome(&self) -> String {
        match (&self.response, &self.error) {
            (_, Some(e)) => e.masked(&self.request.known_secrets()).to_string(),
            (Some(r), None) => format!("{} {}", r.status, r.reason),
            (None, None) => "no answer".into(),
        }
    }

    /// A copy fit for the screen, a log, the history or an export: every
    /// credential of the request masked (see
    /// [`PreparedRequest::redacted`]), and every secret it carries masked
    /// where the answer or an error message repeats it.
    pub fn redacted(&self) -> Exchange {
        let known = self.request.known_secrets();
        Exchange {
            origin: self.origin,
            profile: self.profile.clone(),
            env: self.env.clone(),
            peer: self.peer.clone(),
            started_at: self.started_at,
            elapsed: self.elapsed,
            request: self.request.redacted_with(&known),
            response: self
                .response
                .as_ref()
                .map(|r| r.masked_cow(&known).into_owned()),
            error: self.error.as_ref().map(|e| e.masked(&known)),
        }
    }

    /// The JSON shape of `fire --json`: request, response, error. Secrets
    /// are masked unless `reveal`.
    pub fn to_json(&self, reveal: bool) -> Value {
        let masked;
        let ex = if reveal {
            self
        } else {
            masked = self.redacted();
            &masked
        };
        json!({
            "request": request_json(&ex.request),
            "response": ex.response.as_ref().map(|r| {
                let mut obj = json!({
                    "status": r.status,
                    "headers": r.headers,
                    "truncated": r.truncated,
                    "elapsed_ms": self.elapsed.as_millis() as u64,
                });
                put_body(&mut obj, &r.body);
                obj
            }),
            "error": ex.error.as_ref().map(|e| json!({"kind": e.kind.as_str(), "message": e.message})),
        })
    }
}

/// Sizes as people read them: `512 B`, `1.5 KiB`, `10.0 MiB`.
pub fn human_size(n: usize) -> String {
    match n {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0)),
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
