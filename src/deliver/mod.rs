//! Sending a [`PreparedRequest`] and recording the [`Exchange`].
//!
//! One shared client; a deadline per attempt that covers connecting,
//! redirects and reading the body; redirects only when the profile asks, and
//! then credentials never go to another host; the response body read up to a
//! cap; every failure classified. A bulk replay sender keeps connections
//! of its own ([`Session`]).

use std::error::Error as _;
use std::time::{Duration, Instant, SystemTime};

use hyper::StatusCode;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};

use crate::exchange::{ErrorKind, Exchange, Origin, Response, TransportError};
use crate::wire::PreparedRequest;

mod session;
pub use session::Session;

/// A response body is read up to this many bytes: 64 MiB (the history
/// stores less, see `history::STORED_BODY_CAP`).
pub const RESPONSE_BODY_CAP: usize = 64 * 1024 * 1024;
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
    /// The environment the request was rendered in.
    pub env: Option<String>,
    /// Accept any TLS certificate (the profile's `insecure: true`).
    pub insecure: bool,
}

impl SendOptions {
    pub fn new(timeout: Duration, follow_redirects: bool) -> Self {
        SendOptions {
            timeout,
            follow_redirects,
            body_cap: RESPONSE_BODY_CAP,
            origin: Origin::Fire,
            profile: None,
            env: None,
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
        if let Err(m) = crate::wire::check_headers(&req.headers) {
            // Nothing goes out; the record lists only headers HTTP carries.
            let mut kept = req.clone();
            kept.headers
                .retain(|(n, v)| crate::wire::check_headers(&[(n.clone(), v.clone())]).is_ok());
            let error = other(format!("not sent: {m}"));
            return exchange(kept, opts, started_at, start, (None, Some(error)));
        }
        let outcome = self.attempt(req, opts, start).await;
        exchange(as_sent(req, None), opts, started_at, start, outcome)
    }

    /// A session for sending many requests one after another.
    pub fn session(&self) -> Session {
        Session::new(self.clone())
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

/// The exchange of a request, recorded as it went out (see [`as_sent`]).
fn exchange(
    request: PreparedRequest,
    opts: &SendOptions,
    started_at: SystemTime,
    start: Instant,
    (response, error): (Option<Response>, Option<TransportError>),
) -> Exchange {
    Exchange {
        origin: opts.origin,
        profile: opts.profile.clone(),
        env: opts.env.clone(),
        peer: None,
        started_at,
        elapsed: start.elapsed(),
        request,
        response,
        error,
    }
}

/// The request as it went out. What the client adds to a request that
/// lacks it is listed too: Host, Accept, Content-Length, and a URL's user
/// and password, which go as Basic auth and not in the URL. A prepared
/// request from a profile lists them all already; one imported or received
/// may not. `authority` is the Host when the sender already knows it.
fn as_sent(req: &PreparedRequest, authority: Option<&str>) -> PreparedRequest {
    let mut r = req.clone();
    let no_host = r.header("host").is_none();
    match authority {
        // A URL with no user in it, already taken apart by the sender.
        Some(a) if no_host => r.headers.push(("host".into(), a.to_string())),
        Some(_) => {}
        // Parsed only when it may matter (a run sends thousands).
        None if no_host || r.url.contains('@') => {
            if let Ok(mut url) = reqwest::Url::parse(&r.url) {
                complete_from_url(&mut r, &mut url);
            }
        }
        None => {}
    }
    if r.header("accept").is_none() {
        r.headers.push(("accept".into(), DEFAULT_ACCEPT.into()));
    }
    if r.header("content-length").is_none()
        && r.header("transfer-encoding").is_none()
        && !r.body.is_empty()
    {
        r.headers
            .push(("content-length".into(), r.body.len().to_string()));
    }
    r
}

/// The Host a request lacks, and the user and password of its URL as the
/// Basic auth they are sent as, out of the URL.
fn complete_from_url(r: &mut PreparedRequest, url: &mut reqwest::Url) {
    if !url.username().is_empty() || url.password().is_some() {
        if r.header("authorization").is_none() {
            use crate::template::percent_decode;
            let user = percent_decode(url.username());
            let password = url.password().map(percent_decode).unwrap_or_default();
            r.headers.push((
                "authorization".into(),
                crate::wire::basic_auth(&user, &password),
            ));
        }
        let _ = url.set_username("");
        let _ = url.set_password(None);
        r.url = url.to_string();
    }
    if r.header("host").is_none()
        && let Some(authority) = crate::wire::authority_of(url)
    {
        r.headers.push(("host".into(), authority));
    }
}

/// The Accept header the shared client sends when a request names none;
/// a session sends the same.
const DEFAULT_ACCEPT: &str = "*/*";

/// The headers to send. The client writes Content-Length from the body
/// itself, and Host from the URL when it is `host` (the same values the
/// prepared request lists). A name or value HTTP cannot carry never gets
/// here: [`Deliverer::send`] refuses the request first.
fn header_map(headers: &[(String, String)], host: Option<&str>) -> HeaderMap {
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-length")
            || (name.eq_ignore_ascii_case("host") && Some(value.as_str()) == host)
        {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            map.append(n, v);
        }
    }
    map
}

fn build(client: &reqwest::Client, hop: &Hop) -> reqwest::RequestBuilder {
    let authority = crate::wire::authority_of(&hop.url);
    let headers = header_map(&hop.headers, authority.as_deref());
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
            *v = crate::wire::authority_of(&next).unwrap_or_default();
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
    let mut response = head(resp.status(), resp.headers(), redirects);
    let mut error = None;
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if !take(&mut response, &chunk, opts.body_cap) {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                error = Some(broke_off(classify(&e, opts.timeout), &response));
                break;
            }
        }
    }
    (Some(response), error)
}

/// A response with its status and headers and, as yet, no body.
fn head(status: StatusCode, headers: &HeaderMap, redirects: Vec<String>) -> Response {
    Response {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_string(),
        headers: headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: Vec::new(),
        truncated: false,
        redirects,
    }
}

/// Adds a chunk of body up to the cap; false once the cap is reached.
fn take(response: &mut Response, chunk: &[u8], cap: usize) -> bool {
    let room = cap.saturating_sub(response.body.len());
    if chunk.len() > room {
        response.body.extend_from_slice(&chunk[..room]);
        response.truncated = true;
        return false;
    }
    response.body.extend_from_slice(chunk);
    true
}

/// The error of a body that stopped coming, saying how much came.
fn broke_off(mut err: TransportError, response: &Response) -> TransportError {
    if err.kind == ErrorKind::Other {
        err.kind = ErrorKind::Incomplete;
    }
    err.message = format!(
        "the response body broke off after {} bytes: {}",
        response.body.len(),
        err.message
    );
    err
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
    sort_error(e.source(), &e.to_string(), e.is_connect(), timeout)
}

/// Sorts an error by its chain of causes, from `first`; `outer` is said
/// when the chain is empty, and `connect` tells that it came up while
/// connecting.
fn sort_error(
    first: Option<&(dyn std::error::Error + 'static)>,
    outer: &str,
    connect: bool,
    timeout: Duration,
) -> TransportError {
    let mut chain = Vec::new();
    let mut src = first;
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
    let detail = chain.last().cloned().unwrap_or_else(|| outer.to_string());
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
        _ if connect => format!("cannot connect: {detail}"),
        _ => detail,
    };
    TransportError { kind, message }
}
