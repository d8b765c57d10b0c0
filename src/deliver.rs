//! Sending a [`PreparedRequest`] and recording the [`Exchange`].
//!
//! One shared client; a deadline per attempt that covers connecting,
//! redirects and reading the body; redirects only when the profile asks, and
//! then credentials never go to another host; the response body read up to a
//! cap; every failure classified.

use std::error::Error as _;
use std::time::{Duration, Instant, SystemTime};

use crate::exchange::{ErrorKind, Exchange, Origin, Response, TransportError};
use crate::request::PreparedRequest;

/// Default cap on a response body read: 64 MiB (history stores less).
pub const DEFAULT_BODY_CAP: usize = 64 * 1024 * 1024;
/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 10;

/// How one request is sent.
#[derive(Debug, Clone)]
pub struct SendOptions {
    pub timeout: Duration,
    pub follow_redirects: bool,
    pub body_cap: usize,
    pub origin: Origin,
    pub profile: Option<String>,
    /// Accept any TLS certificate (the profile's `insecure: true`).
    pub insecure: bool,
}

impl SendOptions {
    pub fn new(timeout: Duration, follow_redirects: bool) -> Self {
        SendOptions {
            timeout,
            follow_redirects,
            body_cap: DEFAULT_BODY_CAP,
            origin: Origin::Fire,
            profile: None,
            insecure: false,
        }
    }

    /// The options a profile asks for.
    pub fn for_profile(p: &crate::profile::Profile) -> Self {
        SendOptions {
            profile: Some(p.name.clone()),
            insecure: p.insecure,
            ..SendOptions::new(Duration::from_secs(p.timeout_secs), p.follow_redirects)
        }
    }
}

/// The client could not be set up (no usable TLS configuration).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct ClientError(String);

/// Sends requests; cheap to clone, and meant to be shared.
#[derive(Clone)]
pub struct Deliverer {
    client: reqwest::Client,
    /// Made on first use, for profiles with `insecure: true`.
    insecure: std::sync::Arc<std::sync::OnceLock<Result<reqwest::Client, String>>>,
}

struct Hop {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Deliverer {
    pub fn new() -> Result<Deliverer, ClientError> {
        // Installing fails only when a provider is already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ClientError(e.to_string()))?;
        Ok(Deliverer {
            client,
            insecure: Default::default(),
        })
    }

    fn client(&self, insecure: bool) -> Result<&reqwest::Client, TransportError> {
        if !insecure {
            return Ok(&self.client);
        }
        self.insecure
            .get_or_init(|| {
                reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .tls_danger_accept_invalid_certs(true)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| other(format!("cannot set up the HTTP client: {e}")))
    }

    /// Sends the request and records what happened. Never fails: every
    /// failure is part of the exchange.
    pub async fn send(&self, req: &PreparedRequest, opts: &SendOptions) -> Exchange {
        let started_at = SystemTime::now();
        let start = Instant::now();
        let (response, error) = self.attempt(req, opts, start).await;
        Exchange {
            origin: opts.origin,
            profile: opts.profile.clone(),
            started_at,
            elapsed: start.elapsed(),
            request: req.clone(),
            response,
            error,
        }
    }

    /// Sends, and sends again as `retry` says, signing each attempt anew
    /// (same message id, new timestamp). `on_attempt` hears of each attempt
    /// and the wait before the next. Returns every attempt, the last last.
    pub async fn send_with_retries(
        &self,
        req: &PreparedRequest,
        opts: &SendOptions,
        retry: Option<&crate::retry::Retry>,
        signing: Option<&crate::signing::Signing>,
        mut on_attempt: impl FnMut(u32, &Exchange, Option<Duration>),
    ) -> Vec<Exchange> {
        let mut attempts = Vec::new();
        let mut req = req.clone();
        let mut n = 1;
        loop {
            let ex = self.send(&req, opts).await;
            let decision = match retry {
                Some(r) => r.decide(&ex, n, crate::retry::unit()),
                None => crate::retry::Decision::Done,
            };
            let wait = match decision {
                crate::retry::Decision::RetryAfter(d) => Some(d),
                _ => None,
            };
            on_attempt(n, &ex, wait);
            attempts.push(ex);
            let Some(wait) = wait else { break };
            tokio::time::sleep(wait).await;
            if let Some(sg) = signing {
                let _ = crate::signing::resign(&mut req, sg);
            }
            n += 1;
        }
        attempts
    }

    async fn attempt(
        &self,
        req: &PreparedRequest,
        opts: &SendOptions,
        start: Instant,
    ) -> (Option<Response>, Option<TransportError>) {
        let mut hop = match reqwest::Url::parse(&req.url) {
            Ok(url) => Hop {
                method: match reqwest::Method::from_bytes(req.method.as_bytes()) {
                    Ok(m) => m,
                    Err(_) => {
                        return (
                            None,
                            Some(other(format!("invalid method `{}`", req.method))),
                        );
                    }
                },
                url,
                headers: req.headers.clone(),
                body: (!req.body.is_empty()).then(|| req.body.clone()),
            },
            Err(e) => return (None, Some(other(format!("invalid URL: {e}")))),
        };
        let secret_headers: Vec<&str> = req.secret_headers.iter().map(String::as_str).collect();
        let mut redirects = Vec::new();
        loop {
            let Some(remaining) = opts.timeout.checked_sub(start.elapsed()) else {
                return (None, Some(timeout_error(opts.timeout)));
            };
            let client = match self.client(opts.insecure) {
                Ok(c) => c,
                Err(e) => return (None, Some(e)),
            };
            let resp = match build(client, &hop).timeout(remaining).send().await {
                Ok(r) => r,
                Err(e) => return (None, Some(classify(&e, opts.timeout))),
            };
            let status = resp.status();
            if opts.follow_redirects && status.is_redirection() {
                let target = redirect_target(&resp);
                if let Some(next) = target {
                    if redirects.len() >= MAX_REDIRECTS {
                        return (
                            None,
                            Some(TransportError {
                                kind: ErrorKind::Redirect,
                                message: format!(
                                    "more than {MAX_REDIRECTS} redirects (last to {next}): a redirect loop?"
                                ),
                            }),
                        );
                    }
                    redirects.push(next.to_string());
                    hop = follow(hop, next, status.as_u16(), &secret_headers);
                    continue;
                }
            }
            return read_response(resp, opts, redirects).await;
        }
    }
}

fn build(client: &reqwest::Client, hop: &Hop) -> reqwest::RequestBuilder {
    let authority = crate::request::authority_of(&hop.url);
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in &hop.headers {
        // The client writes these from the URL and body itself, with the
        // same values the prepared request lists.
        if name.eq_ignore_ascii_case("content-length")
            || (name.eq_ignore_ascii_case("host") && Some(value) == authority.as_ref())
        {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            reqwest::header::HeaderName::from_bytes(name.as_bytes()),
            reqwest::header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.append(n, v);
        }
    }
    let mut rb = client
        .request(hop.method.clone(), hop.url.clone())
        .headers(headers);
    if let Some(body) = &hop.body {
        rb = rb.body(body.clone());
    }
    rb
}

fn redirect_target(resp: &reqwest::Response) -> Option<reqwest::Url> {
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()?;
    resp.url().join(location).ok()
}

/// The next hop of a redirect: 303 (and 301/302 after a POST) become a GET
/// without a body, as browsers and curl do; credentials are dropped when the
/// host changes.
fn follow(mut hop: Hop, next: reqwest::Url, status: u16, secret_headers: &[&str]) -> Hop {
    let to_get =
        status == 303 || (matches!(status, 301 | 302) && hop.method == reqwest::Method::POST);
    if to_get {
        hop.method = reqwest::Method::GET;
        hop.body = None;
        hop.headers.retain(|(n, _)| {
            !n.eq_ignore_ascii_case("content-type") && !n.eq_ignore_ascii_case("content-length")
        });
    }
    let same_host = hop.url.host_str() == next.host_str()
        && hop.url.port_or_known_default() == next.port_or_known_default();
    if !same_host {
        hop.headers.retain(|(n, _)| {
            let lower = n.to_ascii_lowercase();
            !(secret_headers.contains(&lower.as_str())
                || matches!(
                    lower.as_str(),
                    "authorization" | "cookie" | "proxy-authorization"
                ))
        });
    }
    for (n, v) in hop.headers.iter_mut() {
        if n.eq_ignore_ascii_case("host") {
            *v = crate::request::authority_of(&next).unwrap_or_default();
        }
    }
    hop.url = next;
    hop
}

async fn read_response(
    mut resp: reqwest::Response,
    opts: &SendOptions,
    redirects: Vec<String>,
) -> (Option<Response>, Option<TransportError>) {
    let status = resp.status();
    let headers = resp
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    let mut truncated = false;
    let mut error = None;
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = opts.body_cap.saturating_sub(body.len());
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                let mut err = classify(&e, opts.timeout);
                if err.kind == ErrorKind::Other {
                    err.kind = ErrorKind::Incomplete;
                }
                err.message = format!(
                    "the response body broke off after {} bytes: {}",
                    body.len(),
                    err.message
                );
                error = Some(err);
                break;
            }
        }
    }
    let response = Response {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_string(),
        headers,
        body,
        truncated,
        redirects,
    };
    (Some(response), error)
}

fn other(message: String) -> TransportError {
    TransportError {
        kind: ErrorKind::Other,
        message,
    }
}

fn timeout_error(timeout: Duration) -> TransportError {
    TransportError {
        kind: ErrorKind::Timeout,
        message: format!(
            "no complete answer within {} s (the profile's timeout_secs)",
            timeout.as_secs_f64()
        ),
    }
}

/// Said after a certificate error.
const TLS_HINT: &str =
    " (a test server with a self-signed certificate? `insecure: true` in the profile accepts it)";

/// Sorts a client error into the kinds a user acts on differently.
pub fn classify(e: &reqwest::Error, timeout: Duration) -> TransportError {
    if e.is_timeout() {
        return timeout_error(timeout);
    }
    let mut chain = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return TransportError {
                    kind: ErrorKind::ConnectionRefused,
                    message: "nothing is listening at that address and port".into(),
                };
            }
            if io.kind() == std::io::ErrorKind::TimedOut {
                return timeout_error(timeout);
            }
        }
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            let hint = match tls {
                rustls::Error::InvalidCertificate(_) => TLS_HINT,
                _ => "",
            };
            return TransportError {
                kind: ErrorKind::Tls,
                message: format!("TLS failed: {s}{hint}"),
            };
        }
        chain.push(s.to_string());
        src = s.source();
    }
    let detail = chain.last().cloned().unwrap_or_else(|| e.to_string());
    let joined = chain.join(": ").to_ascii_lowercase();
    let kind = if joined.contains("dns error") || joined.contains("failed to lookup address") {
        ErrorKind::Dns
    } else if joined.contains("certificate") || joined.contains("tls") {
        ErrorKind::Tls
    } else {
        ErrorKind::Other
    };
    let message = match kind {
        ErrorKind::Dns => format!("the host name did not resolve: {detail}"),
        ErrorKind::Tls if joined.contains("certificate") => {
            format!("TLS failed: {detail}{TLS_HINT}")
        }
        _ if e.is_connect() => format!("cannot connect: {detail}"),
        _ => detail,
    };
    TransportError { kind, message }
}
