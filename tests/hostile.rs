//! Servers that misbehave on purpose. Each case ends in a classified error
//! or a cut-but-shown body, never a hang or a panic, and is recorded in the
//! history.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Answer, Server, Workspace, stderr, stdout};

type Script = Arc<dyn Fn(&mut TcpStream) + Send + Sync>;

/// A server on 127.0.0.1:0 that reads each request and answers with
/// whatever `script` writes, raw. Returns its base URL.
fn raw_server(script: impl Fn(&mut TcpStream) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let script: Script = Arc::new(script);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let script = script.clone();
            std::thread::spawn(move || {
                read_request(&mut stream);
                script(&mut stream);
            });
        }
    });
    format!("http://{addr}")
}

/// Reads the head and a content-length body.
fn read_request(stream: &mut TcpStream) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    let _ = stream.read_exact(&mut body);
}

fn answer(head: &str, body: &[u8]) -> impl Fn(&mut TcpStream) + Send + Sync + 'static {
    let mut bytes = head.replace('\n', "\r\n").into_bytes();
    bytes.extend_from_slice(body);
    move |s: &mut TcpStream| {
        let _ = s.write_all(&bytes);
        let _ = s.flush();
    }
}

fn profile(ws: &Workspace, url: &str, extra: &str) {
    ws.write(
        "p.ron",
        &format!(r#"(name: "p", method: POST, url: "{url}/hook", timeout_secs: 2, {extra})"#),
    );
}

/// `fire p --json`: exit code, the JSON, stderr. Never a panic.
fn fire(ws: &Workspace) -> (i32, Value, String) {
    let out = ws.run(&["fire", "p", "--json"], &[]);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    let code = out.status.code().expect("exited, not killed");
    let json = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    (code, json, err)
}

fn recorded(ws: &Workspace) -> usize {
    let out = ws.run(&["history", "--json", "--attempts"], &[]);
    stdout(&out).lines().count()
}

#[test]
fn a_connection_closed_mid_headers_is_a_classified_error() {
    let url = raw_server(answer("HTTP/1.1 200 OK\nContent-Ty", b""));
    let ws = Workspace::new();
    profile(&ws, &url, "");
    let (code, json, _) = fire(&ws);
    assert_eq!(code, 1);
    assert!(json["response"].is_null());
    let kind = json["error"]["kind"].as_str().unwrap();
    assert!(matches!(kind, "incomplete" | "other"), "{json}");
    assert_eq!(recorded(&ws), 1);
}

#[test]
fn a_connection_closed_mid_body_keeps_what_arrived() {
    let url = raw_server(answer(
        "HTTP/1.1 200 OK\ncontent-type: application/json\ncontent-length: 100\n\n",
        b"{\"partial\": tr",
    ));
    let ws = Workspace::new();
    profile(&ws, &url, "");
    let (code, json, _) = fire(&ws);
    assert_eq!(code, 1);
    assert_eq!(json["response"]["status"], 200);
    assert_eq!(json["response"]["body"], "{\"partial\": tr");
    assert_eq!(json["error"]["kind"], "incomplete", "{json}");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("after 14 bytes")
    );
    assert_eq!(recorded(&ws), 1);
}

#[test]
fn non_utf8_and_escape_sequences_are_shown_safely() {
    let mut body = vec![0xff, 0xfe, 0x00];
    body.extend_from_slice(b"\x1b[2J{");
    let url = raw_server(answer(
        &format!(
            "HTTP/1.1 200 OK\ncontent-type: application/json\ncontent-length: {}\n\n",
            body.len()
        ),
        &body,
    ));
    let ws = Workspace::new();
    profile(&ws, &url, "");
    let (code, json, _) = fire(&ws);
    assert_eq!(code, 0);
    assert_eq!(json["response"]["body_encoding"], "base64", "{json}");

    // Text with an escape sequence in it, sent as JSON that is not JSON.
    let evil = b"oops \x1b[2J\x1b]52;c;evil\x07 !";
    let url = raw_server(answer(
        &format!(
            "HTTP/1.1 500 Internal Server Error\ncontent-type: application/json\ncontent-length: {}\n\n",
            evil.len()
        ),
        evil,
    ));
    profile(&ws, &url, "");
    let out = ws.run(&["fire", "p"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    assert!(text.contains("oops ␛[2J␛]52;c;evil␇ !"), "{text}");
    assert_eq!(recorded(&ws), 2);
}

#[test]
fn gzip_and_deflate_bodies_are_shown_decoded() {
    use flate2::Compression;
    let json = br#"{"ok": true, "items": [1, 2, 3]}"#;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(json).unwrap();
    let gz = gz.finish().unwrap();
    let mut zl = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
    zl.write_all(json).unwrap();
    let zl = zl.finish().unwrap();
    let ws = Workspace::new();
    for (encoding, body) in [("gzip", gz), ("deflate", zl)] {
        let url = raw_server(answer(
            &format!(
                "HTTP/1.1 200 OK\ncontent-type: application/json\ncontent-encoding: {encoding}\ncontent-length: {}\n\n",
                body.len()
            ),
            &body,
        ));
        profile(&ws, &url, "");
        let out = ws.run(&["fire", "p"], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains(&format!("< [{encoding}: ")), "{text}");
        assert!(
            text.contains(r#"{"ok": true, "items": [1, 2, 3]}"#),
            "{text}"
        );
    }
    // A body that claims gzip but is not: shown raw, with the reason.
    let url = raw_server(answer(
        "HTTP/1.1 200 OK\ncontent-encoding: gzip\ncontent-length: 9\n\n",
        b"not gzip!",
    ));
    profile(&ws, &url, "");
    let out = ws.run(&["fire", "p"], &[]);
    assert!(stdout(&out).contains("does not decode"), "{}", stdout(&out));
    assert_eq!(recorded(&ws), 3);
}

#[test]
fn chunked_transfer_that_never_ends_stops_at_the_timeout_with_what_came() {
    let url = raw_server(|s: &mut TcpStream| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
        while s.write_all(b"6\r\nchunk \r\n").is_ok() {
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let ws = Workspace::new();
    profile(&ws, &url, "");
    let start = Instant::now();
    let (code, json, _) = fire(&ws);
    assert!(
        start.elapsed() < Duration::from_secs(6),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(code, 1);
    assert_eq!(json["error"]["kind"], "timeout", "{json}");
    assert!(
        json["response"]["body"]
            .as_str()
            .unwrap()
            .starts_with("chunk chunk ")
    );
    assert_eq!(recorded(&ws), 1);
}

#[test]
fn a_stalled_server_is_a_timeout() {
    let url = raw_server(|_s: &mut TcpStream| std::thread::sleep(Duration::from_secs(30)));
    let ws = Workspace::new();
    profile(&ws, &url, "");
    let start = Instant::now();
    let (code, json, _) = fire(&ws);
    assert!(start.elapsed() < Duration::from_secs(6));
    assert_eq!(code, 1);
    assert_eq!(json["error"]["kind"], "timeout");
    assert_eq!(recorded(&ws), 1);
}

#[test]
fn a_redirect_loop_is_a_redirect_error() {
    let url = raw_server(answer(
        "HTTP/1.1 302 Found\nlocation: /again\ncontent-length: 0\nconnection: close\n\n",
        b"",
    ));
    let ws = Workspace::new();
    profile(&ws, &url, "follow_redirects: true");
    let (code, json, _) = fire(&ws);
    assert_eq!(code, 1);
    assert_eq!(json["error"]["kind"], "redirect", "{json}");
    assert_eq!(recorded(&ws), 1);
}

#[tokio::test]
async fn a_body_larger_than_the_cap_is_cut_and_marked() {
    let big = vec![b'x'; 1 << 20];
    let url = raw_server(answer(
        &format!("HTTP/1.1 200 OK\ncontent-length: {}\n\n", big.len()),
        &big,
    ));
    let d = hookbench::deliver::Deliverer::new().unwrap();
    let req = hookbench::wire::PreparedRequest::plain(
        "POST".into(),
        format!("{url}/big"),
        vec![],
        b"{}".to_vec(),
    );
    let mut opts = hookbench::deliver::SendOptions::new(Duration::from_secs(5), false);
    opts.body_cap = 4096;
    let ex = d.send(&req, &opts).await;
    let r = ex.response.expect("a response");
    assert!(r.truncated);
    assert_eq!(r.body.len(), 4096);
    assert!(ex.error.is_none());
}

// ---- TLS --------------------------------------------------------------

/// An HTTPS server with the self-signed certificate in tests/fixtures.
fn tls_server() -> String {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let certs = vec![CertificateDer::from_pem_file(format!("{dir}/selfsigned.crt")).unwrap()];
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/selfsigned.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut buf = vec![0u8; 65536];
                    let mut seen = Vec::new();
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = tls
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\nconnection: close\r\n\r\nover tls!",
                        )
                        .await;
                    let _ = tls.shutdown().await;
                });
            }
        });
    });
    format!("https://127.0.0.1:{}", addr.port())
}

#[test]
fn a_self_signed_certificate_is_a_tls_error_unless_the_profile_is_insecure() {
    let url = tls_server();
    let ws = Workspace::new();
    profile(&ws, &url, "");
    let (code, json, _) = fire(&ws);
    assert_eq!(code, 1);
    assert_eq!(json["error"]["kind"], "tls", "{json}");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("insecure: true"),
        "{json}"
    );

    profile(&ws, &url, "insecure: true");
    let (code, json, err) = fire(&ws);
    assert_eq!(code, 0, "{json} {err}");
    assert_eq!(json["response"]["body"], "over tls!");
    assert!(err.contains("TLS certificate is not checked"), "{err}");
    let out = ws.run(&["validate", "p"], &[]);
    assert!(stderr(&out).contains("not checked"), "{}", stderr(&out));
    assert_eq!(recorded(&ws), 2);
    // A replay takes the opt-in from the record's profile.
    let out = ws.run(&["replay", "2"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(recorded(&ws), 3);
}

#[tokio::test]
async fn the_workbench_warns_about_an_insecure_profile() {
    use support::tui::Harness;
    let ws = Workspace::new();
    profile(&ws, "https://127.0.0.1:9", "insecure: true");
    let mut h = Harness::open(ws.path().to_path_buf(), 160, 40).await;
    h.until(|s| s.bench.preview.as_ref().is_some_and(|p| p.result.is_ok()))
        .await;
    assert!(
        h.screen().contains("TLS certificate is not checked"),
        "{}",
        h.screen()
    );
}

// ---- the workbench stays responsive -------------------------------------

#[tokio::test]
async fn the_workbench_answers_keys_while_a_server_stalls_and_esc_cancels() {
    use ratatui::crossterm::event::KeyCode::*;
    use support::tui::{Harness, key};
    let url = raw_server(|_s: &mut TcpStream| std::thread::sleep(Duration::from_secs(30)));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(r#"(name: "p", method: POST, url: "{url}/hook", timeout_secs: 30)"#),
    );
    let mut h = Harness::open(ws.path().to_path_buf(), 120, 40).await;
    h.send(key(Char('f')));
    h.until(|s| s.sending()).await;
    let start = Instant::now();
    h.send(key(Char('?')));
    h.settle().await;
    assert!(h.screen().contains("any other key closes"));
    h.send(key(Esc));
    h.send(key(Char('2')));
    h.send(key(Char('1')));
    h.settle().await;
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "keys waited on the network"
    );
    assert!(h.app.state.sending(), "still waiting for the server");
    h.send(key(Esc));
    h.until(|s| !s.sending()).await;
}

#[tokio::test]
async fn the_workbench_shows_a_gzip_body_decoded_and_control_characters_as_symbols() {
    use ratatui::crossterm::event::KeyCode::*;
    use support::tui::{Harness, key};
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"plain text \x1b[2J after the escape")
        .unwrap();
    let gz = gz.finish().unwrap();
    let url = raw_server(answer(
        &format!(
            "HTTP/1.1 200 OK\ncontent-type: text/plain\ncontent-encoding: gzip\ncontent-length: {}\n\n",
            gz.len()
        ),
        &gz,
    ));
    let ws = Workspace::new();
    profile(&ws, &url, "");
    let mut h = Harness::open(ws.path().to_path_buf(), 160, 40).await;
    h.send(key(Char('f')));
    h.until_answered().await;
    let screen = h.screen();
    assert!(
        screen.contains("plain text ␛[2J after the escape"),
        "{screen}"
    );
    assert!(!screen.contains('\x1b'));
}

// ---- bulk replay's own connections --------------------------------------

/// What a user is shown of an exchange: answer, body, cut, error.
fn outcome(ex: &hookbench::exchange::Exchange) -> String {
    let r = ex.response.as_ref();
    format!(
        "status {:?}, body {:?}, truncated {:?}, error {:?}",
        r.map(|r| r.status),
        r.map(|r| String::from_utf8_lossy(&r.body).into_owned()),
        r.map(|r| r.truncated),
        ex.error.as_ref().map(|e| (e.kind, &e.message)),
    )
}

#[tokio::test]
async fn a_bulk_replay_sender_meets_hostile_servers_as_a_single_fire_does() {
    let big = vec![b'x'; 1 << 20];
    let servers = [
        raw_server(answer("HTTP/1.1 200 OK\nContent-Ty", b"")),
        raw_server(answer(
            "HTTP/1.1 200 OK\ncontent-type: application/json\ncontent-length: 100\n\n",
            b"{\"partial\": tr",
        )),
        raw_server(|s: &mut TcpStream| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
            // One chunk, then the next long after the 1 s deadline, so both
            // sides surely get exactly one.
            while s.write_all(b"6\r\nchunk \r\n").is_ok() {
                std::thread::sleep(Duration::from_secs(3));
            }
        }),
        raw_server(|_s: &mut TcpStream| std::thread::sleep(Duration::from_secs(30))),
        raw_server(answer(
            &format!("HTTP/1.1 200 OK\ncontent-length: {}\n\n", big.len()),
            &big,
        )),
        format!("http://127.0.0.1:{}", support::closed_port()),
        raw_server(answer(
            "HTTP/1.1 503 Service Unavailable\nretry-after: 2\ncontent-length: 4\n\n",
            b"busy",
        )),
        // HTTPS goes the shared client's way in both.
        tls_server(),
    ];
    let d = hookbench::deliver::Deliverer::new().unwrap();
    let mut opts = hookbench::deliver::SendOptions::new(Duration::from_secs(1), false);
    opts.body_cap = 4096;
    let checks = servers.iter().map(|url| {
        let (d, opts) = (d.clone(), opts.clone());
        async move {
            let req = hookbench::wire::PreparedRequest::plain(
                "POST".into(),
                format!("{url}/hook"),
                vec![("content-type".into(), "application/json".into())],
                b"{}".to_vec(),
            );
            let mut session = d.session();
            let (single, bulk) = tokio::join!(d.send(&req, &opts), session.send(&req, &opts));
            (url.clone(), outcome(&single), outcome(&bulk))
        }
    });
    for (url, single, bulk) in futures_util::future::join_all(checks).await {
        assert_eq!(single, bulk, "{url}");
    }
}

/// A server that answers every request on a connection with `head` and
/// "ok", for as long as the client keeps the connection; counts
/// connections and requests.
fn keep_alive_server(head: &'static str) -> (String, Arc<[std::sync::atomic::AtomicUsize; 2]>) {
    use std::sync::atomic::Ordering::SeqCst;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let counts: Arc<[std::sync::atomic::AtomicUsize; 2]> = Arc::default();
    let c = counts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            c[0].fetch_add(1, SeqCst);
            let c = c.clone();
            std::thread::spawn(move || {
                let mut peek = [0u8; 1];
                while stream.peek(&mut peek).is_ok_and(|n| n == 1) {
                    read_request(&mut stream);
                    c[1].fetch_add(1, SeqCst);
                    let reply =
                        format!("{}content-length: 2\r\n\r\nok", head.replace('\n', "\r\n"));
                    if stream.write_all(reply.as_bytes()).is_err() || head.contains("close") {
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}/hook"), counts)
}

#[tokio::test]
async fn a_bulk_replay_sender_keeps_its_connection_and_replaces_one_the_server_closed() {
    use std::sync::atomic::Ordering::SeqCst;
    let d = hookbench::deliver::Deliverer::new().unwrap();
    let opts = hookbench::deliver::SendOptions::new(Duration::from_secs(5), false);
    for (head, connections) in [
        ("HTTP/1.1 200 OK\n", 1),
        ("HTTP/1.1 200 OK\nconnection: close\n", 20),
    ] {
        let (url, counts) = keep_alive_server(head);
        let req = hookbench::wire::PreparedRequest::plain(
            "POST".into(),
            url,
            vec![("content-type".into(), "application/json".into())],
            b"{}".to_vec(),
        );
        let mut session = d.session();
        for i in 0..20 {
            let ex = session.send(&req, &opts).await;
            assert_eq!(
                ex.response.map(|r| r.body),
                Some(b"ok".to_vec()),
                "{head} #{i}: {:?}",
                ex.error
            );
        }
        assert_eq!(counts[1].load(SeqCst), 20, "{head}");
        assert_eq!(counts[0].load(SeqCst), connections, "{head}");
    }
}

#[test]
fn a_bulk_replay_goes_through_the_proxy_the_environment_names() {
    let proxy = Server::start(Answer::status(200));
    let ws = Workspace::new();
    let file = ws.write(
        "failed.jsonl",
        r#"{"method":"POST","url":"http://deliveries.invalid/hook","headers":{"content-type":"application/json"},"body":"{}","status":500}"#,
    );
    let out = ws.run(&["import", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = ws.run(
        &["replay", "--failed"],
        &[
            ("HTTP_PROXY", &proxy.url("")),
            ("http_proxy", &proxy.url("")),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = proxy.only();
    assert_eq!(got.header("host"), Some("deliveries.invalid"));
}

#[tokio::test]
async fn a_bulk_replay_sender_sends_what_a_single_fire_sends() {
    let server = Server::start(Answer::status(200));
    let base = server.url("");
    let with_user = base.replacen("http://", "http://ops:pw%20x@", 1);
    let plain = |method: &str, url: String, headers: &[(&str, &str)], body: &str| {
        hookbench::wire::PreparedRequest::plain(
            method.into(),
            url,
            headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body.as_bytes().to_vec(),
        )
    };
    let requests = [
        plain(
            "POST",
            format!("{base}/hooks/a?x=1&y=%20"),
            &[
                ("content-type", "application/json"),
                ("content-length", "2"),
                ("X-Journey", "onboarding"),
                ("X-Journey", "second"),
            ],
            "{}",
        ),
        plain(
            "DELETE",
            format!("{base}/members/1"),
            &[("accept", "*/*")],
            "",
        ),
        plain("PUT", format!("{with_user}/in"), &[], "{\"a\":1}"),
        plain("POST", format!("{base}/empty"), &[], ""),
        plain(
            "POST",
            format!("{base}/in"),
            &[("Host", "crm.example.com")],
            "{}",
        ),
    ];
    let d = hookbench::deliver::Deliverer::new().unwrap();
    let opts = hookbench::deliver::SendOptions::new(Duration::from_secs(5), false);
    let mut session = d.session();
    let mut recorded = Vec::new();
    for req in &requests {
        recorded.push(d.send(req, &opts).await.request);
        recorded.push(session.send(req, &opts).await.request);
    }
    let got = server.requests();
    assert_eq!(got.len(), 2 * requests.len());
    let sorted = |headers: &[(String, String)]| {
        let mut h: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
            .collect();
        h.sort();
        h
    };
    for (pair, records) in got.chunks(2).zip(recorded.chunks(2)) {
        let (single, bulk) = (&pair[0], &pair[1]);
        let essence = |r: &support::Recorded| {
            (
                r.method.clone(),
                r.target.clone(),
                sorted(&r.headers),
                r.body.clone(),
            )
        };
        assert_eq!(essence(single), essence(bulk));
        // What the history keeps as sent is what arrived, header for header.
        for (record, arrived) in records.iter().zip(pair) {
            assert_eq!(
                sorted(&record.headers),
                sorted(&arrived.headers),
                "{}",
                record.url
            );
            assert_eq!(record.body, arrived.body);
        }
    }
}
