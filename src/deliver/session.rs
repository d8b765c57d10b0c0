//! A bulk replay sender's own connections.
//!
//! A plain-HTTP request that follows no redirects goes over hyper's
//! HTTP/1.1 connection API, on a kept-alive connection of the session's own
//! per host, as load generators send; the rest goes through the shared
//! client. Both record the same exchange.

use std::collections::HashMap;
use std::time::{Instant, SystemTime};

use http_body_util::{BodyExt, Full};
use hyper::Method;
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::header::HeaderValue;

use super::{
    Deliverer, SendOptions, as_sent, broke_off, exchange, head, header_map, sort_error, take,
    timeout_error,
};
use crate::exchange::{Exchange, Response, TransportError};
use crate::wire::PreparedRequest;

/// Whether the environment names a proxy for plain HTTP, which the shared
/// client honours (and a session then leaves the sending to it).
fn proxied() -> bool {
    ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

/// Connections kept per sender, at most; past it they are all let go.
const MAX_CONNECTIONS: usize = 32;

/// A sender's own connections, for many requests one after another (a
/// bulk replay worker). A plain-HTTP request that follows no redirects goes
/// over hyper's HTTP/1.1 connection API, on a kept-alive connection of this
/// session's own per host, as load generators send; the rest (TLS,
/// redirects, a proxy named in the environment) goes through the shared
/// client. Both record the same exchange.
pub struct Session {
    deliverer: Deliverer,
    direct: bool,
    conns: HashMap<String, SendRequest<Full<Bytes>>>,
    /// The last URL and its parts: a run to one URL parses it once.
    last: Option<(String, Target)>,
}

/// Where a plain-HTTP request goes.
#[derive(Clone)]
struct Target {
    /// `host:port`, to connect to.
    addr: String,
    /// The Host header: the host, and the port when the URL names one.
    authority: String,
    /// Path and query, as the request line carries them.
    path: String,
}

impl Session {
    pub(super) fn new(deliverer: Deliverer) -> Session {
        Session {
            deliverer,
            direct: !proxied(),
            conns: HashMap::new(),
            last: None,
        }
    }

    /// Sends the request and records what happened, as [`Deliverer::send`].
    pub async fn send(&mut self, req: &PreparedRequest, opts: &SendOptions) -> Exchange {
        let target = if self.direct && !opts.follow_redirects {
            self.target(&req.url)
        } else {
            None
        };
        // What goes out is exactly what is recorded.
        let direct = target.and_then(|t| {
            let sent = as_sent(req, Some(&t.authority));
            let request = hyper_request(&sent, &t)?;
            Some((t, sent, request))
        });
        let Some((target, sent, request)) = direct else {
            return self.deliverer.send(req, opts).await;
        };
        let started_at = SystemTime::now();
        let start = Instant::now();
        let outcome = self.send_direct(&target, request, opts).await;
        exchange(sent, opts, started_at, start, outcome)
    }

    /// Where a URL goes, when it is plain HTTP that this session carries;
    /// otherwise the shared client sends it (and reports what is wrong with
    /// it). A run to one URL takes it apart once.
    fn target(&mut self, text: &str) -> Option<Target> {
        if let Some((last, t)) = &self.last
            && last == text
        {
            return Some(t.clone());
        }
        let url = reqwest::Url::parse(text).ok()?;
        // Credentials in the URL become Basic auth in the shared client.
        if url.scheme() != "http" || !url.username().is_empty() || url.password().is_some() {
            return None;
        }
        let host = url.host_str()?;
        let t = Target {
            addr: format!("{host}:{}", url.port_or_known_default()?),
            authority: crate::wire::authority_of(&url)?,
            path: match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_string(),
            },
        };
        self.last = Some((text.to_string(), t.clone()));
        Some(t)
    }

    /// Sends on this session's connection to the host, or a new one; a
    /// kept-alive connection that closed before the request went out is
    /// replaced, and the request sent on the new one. One deadline covers
    /// connecting, sending and reading; what arrived of a body before it is
    /// kept.
    async fn send_direct(
        &mut self,
        target: &Target,
        mut request: hyper::Request<Full<Bytes>>,
        opts: &SendOptions,
    ) -> (Option<Response>, Option<TransportError>) {
        let deadline = tokio::time::sleep(opts.timeout);
        tokio::pin!(deadline);
        let timed_out = || Some(timeout_error(opts.timeout));
        loop {
            let kept = self.conns.remove(&target.addr);
            let reused = kept.is_some();
            let mut conn = match kept {
                Some(c) => c,
                None => match within(&mut deadline, connect(&target.addr)).await {
                    None => return (None, timed_out()),
                    Some(Ok(c)) => c,
                    Some(Err(e)) => {
                        return (None, Some(sort_error(Some(&e), "", true, opts.timeout)));
                    }
                },
            };
            match within(&mut deadline, conn.ready()).await {
                None => return (None, timed_out()),
                Some(Ok(())) => {}
                Some(Err(_)) if reused => continue,
                Some(Err(e)) => return (None, Some(sort_error(Some(&e), "", true, opts.timeout))),
            }
            let resp = match within(&mut deadline, conn.try_send_request(request)).await {
                None => return (None, timed_out()),
                Some(Ok(r)) => r,
                Some(Err(mut e)) => match e.take_message() {
                    Some(unsent) if reused => {
                        request = unsent;
                        continue;
                    }
                    _ => {
                        let e = e.into_error();
                        return (None, Some(sort_error(Some(&e), "", false, opts.timeout)));
                    }
                },
            };
            let (parts, mut body) = resp.into_parts();
            let mut response = head(parts.status, &parts.headers, Vec::new());
            loop {
                let Some(frame) = within(&mut deadline, body.frame()).await else {
                    let err = broke_off(timeout_error(opts.timeout), &response);
                    return (Some(response), Some(err));
                };
                match frame {
                    Some(Ok(frame)) => {
                        if let Some(chunk) = frame.data_ref()
                            && !take(&mut response, chunk, opts.body_cap)
                        {
                            // The rest is not read: the connection goes.
                            return (Some(response), None);
                        }
                    }
                    Some(Err(e)) => {
                        let err =
                            broke_off(sort_error(Some(&e), "", false, opts.timeout), &response);
                        return (Some(response), Some(err));
                    }
                    None => break,
                }
            }
            if self.conns.len() >= MAX_CONNECTIONS {
                self.conns.clear();
            }
            self.conns.insert(target.addr.clone(), conn);
            return (Some(response), None);
        }
    }
}

/// The request as hyper sends it: the as-sent request's method, headers
/// and body (a Host that cannot be carried as it is becomes the URL's).
fn hyper_request(sent: &PreparedRequest, target: &Target) -> Option<hyper::Request<Full<Bytes>>> {
    let mut headers = header_map(&sent.headers, None);
    if !headers.contains_key(hyper::header::HOST) {
        headers.insert(
            hyper::header::HOST,
            HeaderValue::from_str(&target.authority).ok()?,
        );
    }
    let mut request = hyper::Request::builder()
        .method(Method::from_bytes(sent.method.as_bytes()).ok()?)
        .uri(target.path.as_str())
        .body(Full::new(Bytes::from(sent.body.clone())))
        .ok()?;
    *request.headers_mut() = headers;
    Some(request)
}

/// The output of `f`, or None when the deadline passes first.
async fn within<F: std::future::Future>(
    deadline: &mut std::pin::Pin<&mut tokio::time::Sleep>,
    f: F,
) -> Option<F::Output> {
    tokio::select! {
        biased;
        out = f => Some(out),
        () = deadline.as_mut() => None,
    }
}

/// A new HTTP/1.1 connection, its driver running as a task of its own.
async fn connect(addr: &str) -> std::io::Result<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(send)
}
