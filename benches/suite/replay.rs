//! Bulk replay throughput: `hookbench replay` (a whole process, every result
//! written to the history) against a local nginx answering 200, next to the
//! load generator oha and bare reqwest and hyper loops at the same
//! concurrency.
//!
//! Run: `cargo bench -- replay`. Needs nginx (Debian package `nginx`)
//! and oha (`cargo install oha`, or set OHA=/path/to/oha); without nginx it
//! uses a local axum server and says so, without oha it leaves that column
//! out.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, UNIX_EPOCH};

use hookbench::exchange::{Exchange, Origin, Response};
use hookbench::history::Store;
use hookbench::wire::PreparedRequest;

use crate::BODY;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        // TERM lets the master stop its workers too.
        unsafe {
            libc::kill(self.0.id() as libc::pid_t, libc::SIGTERM);
        }
        let _ = self.0.wait();
    }
}

fn start_nginx(dir: &Path, port: u16) -> Option<Nginx> {
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes 1; daemon off; pid {d}/nginx.pid; error_log {d}/error.log;
             events {{ worker_connections 4096; }}
             http {{ access_log off; client_body_temp_path {d}; proxy_temp_path {d};
               fastcgi_temp_path {d}; uwsgi_temp_path {d}; scgi_temp_path {d};
               keepalive_requests 1000000;
               server {{ listen 127.0.0.1:{port}; location / {{ return 200 '{{\"ok\":true}}'; }} }} }}",
            d = dir.display()
        ),
    )
    .unwrap();
    let child = Command::new("nginx")
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    wait_port(port);
    Some(Nginx(child))
}

fn oha() -> Option<PathBuf> {
    let candidates = [
        std::env::var("OHA").ok().map(PathBuf::from),
        Some(PathBuf::from("/tmp/oha/bin/oha")),
        std::env::var("HOME")
            .ok()
            .map(|h| PathBuf::from(h).join(".cargo/bin/oha")),
        Some(PathBuf::from("oha")),
    ];
    candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

fn seed(path: &Path, url: &str, n: usize) {
    seed_with(path, url, n, BODY.as_bytes(), None);
}

/// `n` failed fires of `body` to `url`, as `profile` sends them.
fn seed_with(path: &Path, url: &str, n: usize, body: &[u8], profile: Option<&str>) {
    let mut store = Store::open(path).unwrap();
    let ex = Exchange {
        origin: Origin::Fire,
        profile: profile.map(str::to_string),
        env: None,
        peer: None,
        started_at: UNIX_EPOCH + Duration::from_secs(1_769_422_365),
        elapsed: Duration::from_millis(5),
        request: PreparedRequest {
            method: "POST".into(),
            url: url.into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("content-length".into(), body.len().to_string()),
            ],
            body: body.to_vec(),
            secret_values: Default::default(),
            secret_headers: vec![],
        },
        response: Some(Response {
            status: 500,
            reason: String::new(),
            headers: vec![],
            body: vec![],
            truncated: false,
            redirects: vec![],
        }),
        error: None,
    };
    let batch: Vec<Exchange> = (0..n).map(|_| ex.clone()).collect();
    store.insert_many(&batch, None).unwrap();
}

/// The history file's size with its log folded in.
fn settled_size(path: &Path) -> u64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    std::fs::metadata(path).unwrap().len()
}

/// Bytes the history grows by per replay that sends its original's request
/// unchanged: `n` failed deliveries of a 400-byte body, all replayed with
/// `replay --failed`, the file measured before and after (indexes and the
/// run's bookkeeping included).
fn bytes_per_replay(url: &str, n: usize) -> f64 {
    let data = tempfile::tempdir().unwrap();
    let path = data.path().join("history.sqlite");
    let body = format!(
        r#"{{"eventName":"Signup Completed","timestamp":"2026-01-26T10:12:45Z","profile":{{"email":"maria@example.com","plan":"pro","note":"{}"}}}}"#,
        "n".repeat(270)
    );
    assert!((395..=405).contains(&body.len()), "{}", body.len());
    seed_with(&path, url, n, body.as_bytes(), Some("crm-contact-sync"));
    let before = settled_size(&path);
    let out = Command::new(env!("CARGO_BIN_EXE_hookbench"))
        .args(["replay", "--failed", "--concurrency", "16"])
        .env("HOOKBENCH_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "replay failed");
    (settled_size(&path) - before) as f64 / n as f64
}

/// `hookbench replay --failed` over `n` records: requests per second of the
/// whole process, and of its sending phase (first request to last record
/// written) as replay reports it.
fn hookbench_rps(url: &str, n: usize, concurrency: usize) -> (f64, f64) {
    let data = tempfile::tempdir().unwrap();
    seed(&data.path().join("history.sqlite"), url, n);
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_hookbench"))
        .args([
            "replay",
            "--failed",
            "--concurrency",
            &concurrency.to_string(),
        ])
        .env("HOOKBENCH_DATA_DIR", data.path())
        .output()
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert!(out.status.success(), "replay failed");
    // "... 20000 sent and recorded in 0.57 s (35000/s)"
    let err = String::from_utf8_lossy(&out.stderr);
    let phase = err
        .rsplit_once(" s (")
        .and_then(|(_, r)| r.split_once("/s)"))
        .and_then(|(rate, _)| rate.parse::<f64>().ok())
        .unwrap_or(0.0);
    let store = Store::open(&data.path().join("history.sqlite")).unwrap();
    let replays = store
        .count(&hookbench::history::Filter {
            origin: Some("replay".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(replays as usize, n, "every result persisted");
    (n as f64 / secs, phase)
}

/// The same requests from a bare hyper loop, one HTTP/1.1 connection per
/// sender, as oha does it: the ceiling of a lean client.
fn hyper_rps(url: &str, n: usize, concurrency: usize) -> f64 {
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;
    let url = reqwest::Url::parse(url).unwrap();
    let authority = hookbench::wire::authority_of(&url).unwrap();
    let path = url.path().to_string();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let next = Arc::new(AtomicUsize::new(0));
        let t = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (next, authority, path) = (next.clone(), authority.clone(), path.clone());
            tasks.push(tokio::spawn(async move {
                let stream = tokio::net::TcpStream::connect(authority.as_str())
                    .await
                    .unwrap();
                stream.set_nodelay(true).unwrap();
                let (mut send, conn) =
                    hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                        .await
                        .unwrap();
                tokio::spawn(conn);
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    send.ready().await.unwrap();
                    let req = hyper::Request::post(path.as_str())
                        .header("host", authority.as_str())
                        .header("content-type", "application/json")
                        .body(Full::new(Bytes::from_static(BODY.as_bytes())))
                        .unwrap();
                    let resp = send.send_request(req).await.unwrap();
                    let _ = resp.into_body().collect().await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        n as f64 / t.elapsed().as_secs_f64()
    })
}

fn oha_rps(oha: &Path, url: &str, n: usize, concurrency: usize) -> Option<f64> {
    let out = Command::new(oha)
        .args([
            "-n",
            &n.to_string(),
            "-c",
            &concurrency.to_string(),
            "--no-tui",
            "--output-format",
            "json",
        ])
        .args([
            "-m",
            "POST",
            "-H",
            "content-type: application/json",
            "-d",
            BODY,
            url,
        ])
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v["summary"]["requestsPerSec"].as_f64()
}

pub fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let nginx = start_nginx(dir.path(), port);
    let server = if nginx.is_some() {
        "nginx (1 worker)"
    } else {
        crate::serve_ok(port);
        "a local axum server (nginx not found)"
    };
    let url = format!("http://127.0.0.1:{port}/hook");
    let oha = oha();
    println!("bulk replay of {n} deliveries against {server}, every result persisted");
    println!(
        "| concurrency | hookbench replay | bare reqwest loop | bare hyper loop | oha | hookbench / oha |"
    );
    println!("|---|---|---|---|---|---|");
    for c in [1usize, 16] {
        let count = if c == 1 { n / 4 } else { n };
        let (hb, phase) = hookbench_rps(&url, count, c);
        let rq = crate::reqwest_loop(&url, count, c, 2);
        let hy = hyper_rps(&url, count, c);
        let oh = oha.as_ref().and_then(|o| oha_rps(o, &url, count, c));
        println!(
            "| {c} | {hb:.0} req/s ({phase:.0} in the sending phase) | {rq:.0} req/s | {hy:.0} req/s | {} | {} |",
            oh.map_or("not run".into(), |x| format!("{x:.0} req/s")),
            oh.map_or("-".into(), |x| format!("{:.0}%", hb / x * 100.0)),
        );
        let pct = |x: f64, of: f64| format!("{:.0}%", x / of * 100.0);
        crate::row(
            &format!(
                "bulk replay of {count} deliveries to {server} at concurrency {c}, every result persisted"
            ),
            if c == 16 { "0.6 of oha" } else { "(none)" },
            &format!(
                "{}whole process {hb:.0} req/s{}; sending phase {phase:.0}{}; bare loops, recording nothing: reqwest {rq:.0}{}, hyper {hy:.0}{}{}",
                match oh {
                    Some(x) if c == 16 && hb < 0.6 * x => "**missed**: ",
                    _ => "",
                },
                oh.map_or(String::new(), |x| format!(" ({} of oha)", pct(hb, x))),
                oh.map_or(String::new(), |x| format!(" ({})", pct(phase, x))),
                oh.map_or(String::new(), |x| format!(" ({})", pct(rq, x))),
                oh.map_or(String::new(), |x| format!(" ({})", pct(hy, x))),
                oh.map_or(String::new(), |x| format!("; oha {x:.0}")),
            ),
        );
    }
    if let Some(oha) = &oha {
        paired(oha, &url, n, server);
    }
    let per_row = bytes_per_replay(&url, n);
    println!("an unchanged replay adds {per_row:.0} bytes to the history");
    crate::row(
        &format!(
            "history growth per unchanged replay ({n} replays of 400-byte bodies to {server}, indexes and run included)"
        ),
        "under 200 B a row",
        &format!(
            "{}{per_row:.0} B a row",
            if per_row >= 200.0 { "**missed**: " } else { "" }
        ),
    );
    drop(nginx);
}

/// Runs this machine swings by a factor of two from one minute to the
/// next, so the ratio that counts is taken from pairs: oha, then hookbench
/// straight after, six times.
fn paired(oha: &Path, url: &str, n: usize, server: &str) {
    const PAIRS: usize = 6;
    let (mut whole, mut sending) = (Vec::new(), Vec::new());
    for _ in 0..PAIRS {
        let Some(o) = oha_rps(oha, url, n, 16) else {
            return;
        };
        let (hb, phase) = hookbench_rps(url, n, 16);
        println!(
            "pair: oha {o:.0} req/s, hookbench {hb:.0} (sending phase {phase:.0}): {:.0}% / {:.0}%",
            hb / o * 100.0,
            phase / o * 100.0
        );
        whole.push(hb / o * 100.0);
        sending.push(phase / o * 100.0);
    }
    let summary = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), x| (l.min(*x), h.max(*x)));
        (mean, lo, hi)
    };
    let (wm, wl, wh) = summary(&whole);
    let (sm, sl, sh) = summary(&sending);
    crate::row(
        &format!(
            "bulk replay of {n} deliveries to {server} at concurrency 16, {PAIRS} runs each straight after an oha run"
        ),
        "0.6 of oha, whole process",
        &format!(
            "{}whole process {:.2} of oha on average ({:.2} to {:.2}); sending phase {:.2} ({:.2} to {:.2})",
            if wm < 60.0 { "**missed**: " } else { "" },
            wm / 100.0,
            wl / 100.0,
            wh / 100.0,
            sm / 100.0,
            sl / 100.0,
            sh / 100.0
        ),
    );
}
