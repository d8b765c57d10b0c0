//! The built-in receiver: a local webhook endpoint that captures every
//! request (any method, any path) as an [`Exchange`] and answers as scripted
//! — a status, a repeating sequence such as `500,500,200`, a delay, headers,
//! a failure rate — so failures can be produced on demand.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response as HttpResponse;
use tokio::sync::{mpsc, oneshot};

use crate::exchange::{Exchange, Origin, Response};
use crate::wire::PreparedRequest;

/// Requests with bodies over this are answered 413: 10 MiB.
pub const DEFAULT_BODY_CAP: usize = 10 * 1024 * 1024;

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
}

impl Default for Script {
    fn default() -> Self {
        Script {
            sequence: vec![200],
            delay: Duration::ZERO,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"received":true}"#.to_vec(),
            failure_rate: 0.0,
            body_cap: DEFAULT_BODY_CAP,
        }
    }
}

impl Script {
    /// `500,500,200` → a sequence; each a status from 100 to 599.
    pub fn parse_sequence(s: &str) -> Result<Vec<u16>, String> {
        let seq: Result<Vec<u16>, _> = s
            .split(',')
            .map(|p| match p.trim().parse::<u16>() {
                Ok(n) if (100..600).contains(&n) => Ok(n),
                _ => Err(format!("`{p}` is not a status from 100 to 599")),
            })
            .collect();
        match seq {
            Ok(v) if v.is_empty() => Err("the sequence is empty".into()),
            other => other,
        }
    }
}

#[derive(Debug)]
struct Shared {
    script: Mutex<Script>,
    turn: AtomicUsize,
    sink: mpsc::UnboundedSender<Exchange>,
}

/// A running receiver; stops when dropped or with [`Receiver::stop`].
#[derive(Debug)]
pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

impl Receiver {
    /// Listens on `bind` and sends each captured exchange to `sink`.
    pub async fn start(
        bind: SocketAddr,
        script: Script,
        sink: mpsc::UnboundedSender<Exchange>,
    ) -> std::io::Result<Receiver> {
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            turn: AtomicUsize::new(0),
            sink,
        });
        let app = axum::Router::new()
            .fallback(capture)
            .layer(axum::extract::DefaultBodyLimit::disable())
            .with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        });
        Ok(Receiver {
            addr,
            shared,
            stop: Some(tx),
        })
    }

    /// Changes how it answers, live.
    pub fn set_script(&self, script: Script) {
        *self.shared.script.lock().expect("not poisoned") = script;
        self.shared.turn.store(0, Ordering::Relaxed);
    }

    pub fn script(&self) -> Script {
        self.shared.script.lock().expect("not poisoned").clone()
    }

    pub fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

fn random_unit() -> f64 {
    let b = crate::clock::random_bytes();
    u64::from_le_bytes(b[..8].try_into().expect("8 bytes")) as f64 / u64::MAX as f64
}

async fn capture(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> HttpResponse {
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
    let (body, too_large) = match axum::body::to_bytes(body, script.body_cap).await {
        Ok(b) => (b, false),
        Err(_) => (Bytes::new(), true),
    };
    let (status, resp_headers, resp_body) = if too_large {
        (
            413,
            vec![("content-type".to_string(), "text/plain".to_string())],
            format!(
                "body over the receiver's cap of {} bytes\n",
                script.body_cap
            )
            .into_bytes(),
        )
    } else {
        let turn = shared.turn.fetch_add(1, Ordering::Relaxed);
        let mut status = script.sequence[turn % script.sequence.len()];
        if script.failure_rate > 0.0 && random_unit() < script.failure_rate {
            status = 500;
        }
        (status, script.headers.clone(), script.body.clone())
    };
    if !script.delay.is_zero() && !too_large {
        tokio::time::sleep(script.delay).await;
    }
    let mut request_headers = headers;
    request_headers.push(("x-hookbench-peer".into(), peer.to_string()));
    let exchange = Exchange {
        origin: Origin::Received,
        profile: None,
        started_at,
        elapsed: start.elapsed(),
        request: PreparedRequest::plain(
            parts.method.to_string(),
            format!("http://{host}{target}"),
            request_headers,
            body.to_vec(),
        ),
        response: Some(Response {
            status,
            reason: Response::reason_for(status),
            headers: resp_headers.clone(),
            body: resp_body.clone(),
            truncated: too_large,
            redirects: Vec::new(),
        }),
        error: None,
    };
    let _ = shared.sink.send(exchange);
    let mut resp = HttpResponse::new(Body::from(resp_body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (n, v) in resp_headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            resp.headers_mut().append(n, v);
        }
    }
    resp
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
    }
}
