//! The built-in receiver: a local webhook endpoint that captures every
//! request (any method, any path) as an [`Exchange`] and answers as scripted
//! — a status, a repeating sequence such as `500,500,200`, a delay, headers,
//! a failure rate — so failures can be produced on demand. Or it is a
//! relay: each request goes on to the app under test (`forward`), byte for
//! byte, and the sender gets the app's answer. With `reject_invalid`, a
//! request whose signature does not verify is answered 401.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response as HttpResponse, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Semaphore, mpsc, watch};

use crate::exchange::{ErrorKind, Exchange, Origin, Response, TransportError};
use crate::wire::PreparedRequest;

/// A received request's body over this is answered 413: 10 MiB, unless
/// `--max-body` says otherwise.
pub const RECEIVED_BODY_CAP: usize = 10 * 1024 * 1024;

/// How the receiver answers.
#[derive(Debug, Clone)]
pub struct Script {
    /// Answered in turn, repeating; one status is a sequence of one.
    pub sequence: Vec<u16>,
    pub delay: Duration,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Share of requests answered 500 whatever the sequence says (0 to 1).
    pub failure_rate: f64,
    pub body_cap: usize,
    /// Pass each request on to the app there, and answer with its answer.
    pub forward: Option<Forward>,
    /// What signatures are checked with, when `reject_invalid` is set.
    pub verify: Vec<crate::signing::Verifier>,
    /// Answer 401 to a request whose signature is invalid or missing.
    pub reject_invalid: bool,
}

/// Where received requests go on to, and how long the app may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    /// An origin keeps each request's path and query; a URL with a path
    /// replaces them (the rule of `replay --url`).
    pub url: String,
    pub timeout: Duration,
}

/// Whether a forward target is this receiver itself (which would pass
/// each request to itself, again and again).
pub fn loops_back(url: &str, own: SocketAddr) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    if u.port_or_known_default() != Some(own.port()) {
        return false;
    }
    match u.host_str() {
        Some("localhost") => own.ip().is_loopback() || own.ip().is_unspecified(),
        Some(h) => h
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip == own.ip() || (own.ip().is_unspecified() && ip.is_loopback())),
        None => false,
    }
}

/// A URL as it is said on screen: a password in it masked.
pub fn shown_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some(crate::wire::MASK));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Headers that belong to one connection, never passed on.
fn hop_by_hop(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            // The receiver holds the whole body already.
            | "expect"
    )
}

/// The headers a request's `Connection` header names: the connection's
/// own too.
fn named_by_connection(headers: &[(String, String)]) -> Vec<String> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
        .flat_map(|(_, v)| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

impl Default for Script {
    fn default() -> Self {
        Script {
            sequence: vec![200],
            delay: Duration::ZERO,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"received":true}"#.to_vec(),
            failure_rate: 0.0,
            body_cap: RECEIVED_BODY_CAP,
            forward: None,
            verify: Vec::new(),
            reject_invalid: false,
        }
    }
}

impl Script {
    /// `500,500,200` → a sequence; each a status from 200 to 599 (an
    /// informational status such as 101 is not an answer to a request).
    pub fn parse_sequence(s: &str) -> Result<Vec<u16>, String> {
        let seq: Result<Vec<u16>, _> = s
            .split(',')
            .map(|p| match p.trim().parse::<u16>() {
                Ok(n) if (200..600).contains(&n) => Ok(n),
                _ => Err(format!("`{}` is not a status from 200 to 599", p.trim())),
            })
            .collect();
        match seq {
            Ok(v) if v.is_empty() => Err("the sequence is empty".into()),
            other => other,
        }
    }

    /// Changes this answer by one line of words, as the workbench takes it:
    /// `500,500,200 delay=200 fail=0.1 header=Retry-After:2 body=try later`
    /// (`body=` takes the rest of the line). Headers given replace the
    /// extra headers (the content type stays). Nothing changes on an error.
    pub fn apply_text(&mut self, text: &str) -> Result<(), String> {
        let mut script = self.clone();
        let (words, body) = match text.find("body=") {
            Some(i) => (&text[..i], Some(&text[i + 5..])),
            None => (text, None),
        };
        if let Some(b) = body {
            script.body = b.as_bytes().to_vec();
        }
        let mut headers_given = false;
        for word in words.split_whitespace() {
            if let Some(h) = word.strip_prefix("header=") {
                if !headers_given {
                    script
                        .headers
                        .retain(|(n, _)| n.eq_ignore_ascii_case("content-type"));
                    headers_given = true;
                }
                let pair = crate::wire::header_line(h)
                    .map_err(|m| format!("`{word}`: header=NAME:VALUE ({m})"))?;
                script.headers.push(pair);
            } else if let Some(ms) = word.strip_prefix("delay=") {
                let ms = ms
                    .parse::<u64>()
                    .map_err(|_| format!("`{word}`: delay=MILLISECONDS"))?;
                script.delay = Duration::from_millis(ms);
            } else if let Some(url) = word.strip_prefix("forward=") {
                // `forward=URL` passes requests on to the app; `forward=off` stops.
                script.forward = match url {
                    "" | "off" | "none" => None,
                    url => {
                        let mut probe = PreparedRequest::plain(
                            "POST".into(),
                            "http://receiver/".into(),
                            Vec::new(),
                            Vec::new(),
                        );
                        crate::replay::retarget(&mut probe, url)
                            .map_err(|m| format!("`{word}`: forward=URL or forward=off ({m})"))?;
                        Some(Forward {
                            url: url.to_string(),
                            timeout: script
                                .forward
                                .as_ref()
                                .map_or(Duration::from_secs(30), |f| f.timeout),
                        })
                    }
                };
            } else if let Some(rate) = word.strip_prefix("fail=") {
                script.failure_rate = rate
                    .parse::<f64>()
                    .ok()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or_else(|| format!("`{word}`: fail=SHARE from 0 to 1"))?;
            } else {
                script.sequence = Script::parse_sequence(word)?;
            }
        }
        // A body given says its own type, unless a header= named one.
        let typed = words
            .split_whitespace()
            .filter_map(|w| w.strip_prefix("header="))
            .any(|h| h.to_ascii_lowercase().starts_with("content-type:"));
        if let Some(b) = body
            && !typed
        {
            let kind = if serde_json::from_str::<serde::de::IgnoredAny>(b).is_ok() {
                "application/json"
            } else {
                "text/plain; charset=utf-8"
            };
            script
                .headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
            script
                .headers
                .insert(0, ("content-type".into(), kind.into()));
        }
        // A content type given replaces the one there was.
        if typed {
            let last = script
                .headers
                .iter()
                .rposition(|(n, _)| n.eq_ignore_ascii_case("content-type"));
            let mut i = 0;
            script.headers.retain(|(n, _)| {
                i += 1;
                !n.eq_ignore_ascii_case("content-type") || Some(i - 1) == last
            });
        }
        *self = script;
        Ok(())
    }

    /// `500,500,200 after 200 ms, 10% failing, body "try later"`, or
    /// `passing on to http://127.0.0.1:3000`.
    pub fn summary(&self) -> String {
        if let Some(f) = &self.forward {
            let delay = if self.delay.is_zero() {
                String::new()
            } else {
                format!(" after {} ms", self.delay.as_millis())
            };
            return format!("passes each request on to {}{delay}", shown_url(&f.url));
        }
        let body = if self.body == Script::default().body {
            String::new()
        } else {
            let text = String::from_utf8_lossy(&self.body);
            let short: String = text.chars().take(40).collect();
            let more = if text.chars().count() > 40 { "…" } else { "" };
            format!(", body {:?}{more}", crate::exchange::printable(&short))
        };
        format!(
            "{}{}{}{body}",
            self.sequence
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(","),
            if self.delay.is_zero() {
                String::new()
            } else {
                format!(" after {} ms", self.delay.as_millis())
            },
            if self.failure_rate > 0.0 {
                format!(", {}% failing", self.failure_rate * 100.0)
            } else {
                String::new()
            }
        )
    }
}

/// How long a connection may wait for a request's next bytes, and how many
/// connections are served at once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A connection idle this long between requests, or this long in the
    /// middle of a request's headers or body, is closed.
    pub idle_timeout: Duration,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            idle_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

struct Shared {
    script: Mutex<Script>,
    turn: AtomicUsize,
    sink: mpsc::UnboundedSender<Exchange>,
    limits: Limits,
    /// Made on the first forward.
    deliverer: std::sync::OnceLock<crate::deliver::Deliverer>,
}

/// A running receiver; stops when dropped or with [`Receiver::stop`].
#[derive(Debug)]
pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

impl Receiver {
    /// Listens on `bind` and sends each captured exchange to `sink`.
    pub async fn start(
        bind: SocketAddr,
        script: Script,
        sink: mpsc::UnboundedSender<Exchange>,
    ) -> std::io::Result<Receiver> {
        Receiver::start_with(bind, script, Limits::default(), sink).await
    }

    /// The same, with these limits.
    pub async fn start_with(
        bind: SocketAddr,
        script: Script,
        limits: Limits,
        sink: mpsc::UnboundedSender<Exchange>,
    ) -> std::io::Result<Receiver> {
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            turn: AtomicUsize::new(0),
            sink,
            limits,
            deliverer: std::sync::OnceLock::new(),
        });
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(accept(listener, shared.clone(), stopped));
        Ok(Receiver { addr, shared, stop })
    }

    /// Changes how it answers, live.
    pub fn set_script(&self, script: Script) {
        *self.shared.script.lock().expect("not poisoned") = script;
        self.shared.turn.store(0, Ordering::Relaxed);
    }

    pub fn script(&self) -> Script {
        self.shared.script.lock().expect("not poisoned").clone()
    }

    pub fn stop(self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Accepts connections while fewer than the limit are open, each served
/// on its own task until it idles out, closes, or the receiver stops (then
/// requests under way are answered first).
async fn accept(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(shared.limits.max_connections.max(1)));
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => match s {
                Ok(s) => s,
                Err(_) => return,
            },
            () = until_stopped(&mut stopped) => return,
        };
        let (stream, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                // Out of descriptors, say: wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = until_stopped(&mut stopped) => return,
        };
        let shared = shared.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let idle = shared.limits.idle_timeout;
            let service = hyper::service::service_fn(move |req| capture(shared.clone(), peer, req));
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                // Covers the wait for the next request on a kept-alive
                // connection too: an idle connection is let go.
                .header_read_timeout(idle)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = until_stopped(&mut stopped) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
}

/// Resolves once the receiver is told to stop (or is gone).
async fn until_stopped(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}

fn random_unit() -> f64 {
    let b = crate::clock::random_bytes();
    u64::from_le_bytes(b[..8].try_into().expect("8 bytes")) as f64 / u64::MAX as f64
}

/// A body as far as it came: whole, cut at the cap, or broken off.
struct Arrived {
    bytes: Vec<u8>,
    over_cap: bool,
    /// Why the rest did not come.
    broke_off: Option<TransportError>,
}

/// Reads a request body up to `cap` bytes, waiting at most `idle` for each
/// part of it; what arrives before a break or a stall is kept.
async fn read_body(mut body: Incoming, cap: usize, idle: Duration) -> Arrived {
    let mut bytes = Vec::new();
    loop {
        let part = match tokio::time::timeout(idle, body.frame()).await {
            Ok(p) => p,
            Err(_) => {
                let message = format!(
                    "the request body broke off after {} bytes: nothing more came for {} s",
                    bytes.len(),
                    idle.as_secs_f64()
                );
                return Arrived {
                    bytes,
                    over_cap: false,
                    broke_off: Some(TransportError {
                        kind: ErrorKind::Timeout,
                        message,
                    }),
                };
            }
        };
        match part {
            None => {
                return Arrived {
                    bytes,
                    over_cap: false,
                    broke_off: None,
                };
            }
            Some(Err(e)) => {
                let message = format!(
                    "the request body broke off after {} bytes: {e}",
                    bytes.len()
                );
                return Arrived {
                    bytes,
                    over_cap: false,
                    broke_off: Some(TransportError {
                        kind: ErrorKind::Incomplete,
                        message,
                    }),
                };
            }
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if bytes.len() + data.len() > cap {
                        let room = cap - bytes.len();
                        bytes.extend_from_slice(&data[..room]);
                        return Arrived {
                            bytes,
                            over_cap: true,
                            broke_off: None,
                        };
                    }
                    bytes.extend_from_slice(&data);
                }
            }
        }
    }
}

fn text_answer(status: u16, text: String) -> (u16, Vec<(String, String)>, Vec<u8>) {
    (
        status,
        vec![("content-type".to_string(), "text/plain".to_string())],
        text.into_bytes(),
    )
}

async fn capture(
    shared: Arc<Shared>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<HttpResponse<Full<Bytes>>, Infallible> {
    let started_at = SystemTime::now();
    let start = Instant::now();
    let script = shared.script.lock().expect("not poisoned").clone();
    let (parts, body) = req.into_parts();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("receiver")
        .to_string();
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let arrived = read_body(body, script.body_cap, shared.limits.idle_timeout).await;
    let whole = arrived.broke_off.is_none() && !arrived.over_cap;
    let refused = whole
        .then(|| rejection(&script, &headers, &arrived.bytes))
        .flatten();
    // Passed on to the app: its answer, or why there is none.
    let relayed = match (&script.forward, whole && refused.is_none()) {
        (Some(fw), true) => Some(
            relay(
                &shared,
                fw,
                parts.method.as_str(),
                &target,
                &headers,
                &arrived.bytes,
            )
            .await,
        ),
        _ => None,
    };
    let (status, resp_headers, resp_body) = if let Some(e) = &arrived.broke_off {
        let status = if e.kind == ErrorKind::Timeout {
            408
        } else {
            400
        };
        text_answer(status, format!("{}\n", e.message))
    } else if arrived.over_cap {
        text_answer(
            413,
            format!(
                "body over the receiver's cap of {} bytes\n",
                script.body_cap
            ),
        )
    } else if let Some(why) = refused {
        text_answer(401, why)
    } else if let Some(app) = &relayed {
        match (&app.response, &app.error) {
            (Some(r), None) => (
                r.status,
                r.headers
                    .iter()
                    .filter(|(n, _)| !hop_by_hop(n) && !n.eq_ignore_ascii_case("content-length"))
                    .cloned()
                    .collect(),
                r.body.clone(),
            ),
            (_, e) => {
                let (status, why) = match e.as_ref().map(|e| e.kind) {
                    Some(ErrorKind::Timeout) => (504, "did not answer in time"),
                    Some(ErrorKind::ConnectionRefused) => {
                        (502, "refused the connection (is it running?)")
                    }
                    _ => (502, "could not be reached"),
                };
                // Said to the sender: a password in the app's URL is not.
                let url = script
                    .forward
                    .as_ref()
                    .map_or(String::new(), |f| shown_url(&f.url));
                text_answer(status, format!("hookbench: the app at {url} {why}\n"))
            }
        }
    } else {
        let turn = shared.turn.fetch_add(1, Ordering::Relaxed);
        let mut status = script.sequence[turn % script.sequence.len()];
        if script.failure_rate > 0.0 && random_unit() < script.failure_rate {
            status = 500;
        }
        (status, script.headers.clone(), script.body.clone())
    };
    let answered = whole;
    if answered && !script.delay.is_zero() {
        tokio::time::sleep(script.delay).await;
    }
    let request_headers = headers;
    // A forwarded request's record holds the app's answer and how long
    // the app took; the sender got the same (or a 502/504 saying why).
    let (origin, elapsed, app_answer, app_error) = match relayed {
        Some(app) => (Origin::Forwarded, app.elapsed, app.response, app.error),
        None => (
            Origin::Received,
            start.elapsed(),
            Some(Response {
                status,
                reason: Response::reason_for(status),
                headers: resp_headers.clone(),
                body: resp_body.clone(),
                truncated: arrived.over_cap,
                redirects: Vec::new(),
            }),
            None,
        ),
    };
    let exchange = Exchange {
        origin,
        profile: None,
        env: None,
        peer: Some(peer.to_string()),
        started_at,
        elapsed,
        request: PreparedRequest::plain(
            parts.method.to_string(),
            format!("http://{host}{target}"),
            request_headers,
            arrived.bytes,
        ),
        response: app_answer,
        error: arrived.broke_off.or(app_error),
    };
    let _ = shared.sink.send(exchange);
    let mut resp = HttpResponse::new(Full::new(Bytes::from(resp_body)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (n, v) in resp_headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            resp.headers_mut().append(n, v);
        }
    }
    if !answered {
        // The rest of a broken body is not read: the connection ends here.
        resp.headers_mut()
            .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    }
    Ok(resp)
}

/// Why a request is answered 401 (`reject_invalid`): its signature is
/// invalid or missing. `None`: it verifies, or nothing is checked.
fn rejection(script: &Script, headers: &[(String, String)], body: &[u8]) -> Option<String> {
    use crate::signing::Verdict;
    if !script.reject_invalid || script.verify.is_empty() {
        return None;
    }
    let now = crate::clock::unix_seconds(SystemTime::now());
    match crate::signing::verify(&script.verify, headers, body, now) {
        Verdict::Valid => None,
        Verdict::Missing => Some("hookbench: no signature to check: rejected\n".into()),
        Verdict::Expired { skew_secs } => Some(format!(
            "hookbench: the signature matches but is {skew_secs} s old: rejected\n"
        )),
        Verdict::Invalid(e) => Some(format!(
            "hookbench: signature invalid: {}: rejected\n",
            e.likely_cause
        )),
    }
}

/// Sends a received request on to the app, byte for byte, every header as
/// it came but the connection's own and `Host`.
async fn relay(
    shared: &Shared,
    fw: &Forward,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Exchange {
    let connection = named_by_connection(headers);
    let kept: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| {
            !hop_by_hop(n)
                && !n.eq_ignore_ascii_case("host")
                && !connection.contains(&n.to_ascii_lowercase())
        })
        .cloned()
        .collect();
    let mut req = PreparedRequest::plain(
        method.to_string(),
        format!("http://receiver{target}"),
        kept,
        body.to_vec(),
    );
    let opts = crate::deliver::SendOptions {
        origin: Origin::Forwarded,
        ..crate::deliver::SendOptions::new(fw.timeout, false)
    };
    let started_at = SystemTime::now();
    let failed = |request: PreparedRequest, message: String| Exchange {
        origin: Origin::Forwarded,
        profile: None,
        env: None,
        peer: None,
        started_at,
        elapsed: Duration::ZERO,
        request,
        response: None,
        error: Some(TransportError {
            kind: ErrorKind::Other,
            message,
        }),
    };
    if let Err(m) = crate::replay::retarget(&mut req, &fw.url) {
        return failed(req, m);
    }
    let deliverer = match shared.deliverer.get() {
        Some(d) => d.clone(),
        None => match crate::deliver::Deliverer::new() {
            Ok(d) => shared.deliverer.get_or_init(|| d).clone(),
            Err(e) => return failed(req, e.to_string()),
        },
    };
    // Plain HTTP goes on its own connection, exactly as it is (the shared
    // client would add an `Accept`); HTTPS through the shared client.
    let mut ex = deliverer.session().send(&req, &opts).await;
    if let Some(e) = ex.error.as_mut().filter(|e| e.kind == ErrorKind::Timeout) {
        e.message = format!(
            "the app gave no complete answer within {} s (--forward-timeout)",
            fw.timeout.as_secs()
        );
    }
    ex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_parse() {
        assert_eq!(
            Script::parse_sequence("500, 500,200"),
            Ok(vec![500, 500, 200])
        );
        assert!(Script::parse_sequence("500,abc").is_err());
        assert!(Script::parse_sequence("99").is_err());
        assert!(Script::parse_sequence("101").is_err());
        assert!(Script::parse_sequence("199").is_err());
        assert!(Script::parse_sequence("600").is_err());
        assert_eq!(Script::parse_sequence("200,599"), Ok(vec![200, 599]));
    }

    #[test]
    fn the_answer_line_changes_the_script_or_nothing() {
        let mut s = Script::default();
        s.apply_text("500,200 delay=20 fail=0.5 header=Retry-After:2 body=try later")
            .unwrap();
        assert_eq!(s.sequence, [500, 200]);
        assert_eq!(s.delay, Duration::from_millis(20));
        assert_eq!(s.body, b"try later");
        assert!(s.headers.contains(&("Retry-After".into(), "2".into())));
        assert_eq!(
            s.summary(),
            r#"500,200 after 20 ms, 50% failing, body "try later""#
        );
        // A body given says its type: text here, JSON when it is JSON.
        assert!(
            s.headers
                .contains(&("content-type".into(), "text/plain; charset=utf-8".into()))
        );
        let mut j = Script::default();
        j.apply_text(r#"201 body={"id": 7}"#).unwrap();
        assert!(
            j.headers
                .contains(&("content-type".into(), "application/json".into()))
        );
        let mut h = Script::default();
        h.apply_text("200 header=Content-Type:text/html body=<p>hi</p>")
            .unwrap();
        let types: Vec<_> = h
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .collect();
        assert_eq!(types.len(), 1, "{:?}", h.headers);
        assert_eq!(types[0].1, "text/html");
        let before = s.clone();
        for bad in ["101", "delay=x", "fail=2", "header=X-A", "header=X:a\u{0}b"] {
            assert!(s.apply_text(bad).is_err(), "{bad}");
            assert_eq!(s.sequence, before.sequence);
        }
    }
}
