//! The benchmark suite: one command for every figure in the README.
//!
//! `cargo bench` runs every section, each in a process of its own (so one
//! section's memory never counts in another's), and ends with one table of
//! figure, target and measured value. `cargo bench -- SECTION` runs one
//! (`fire`, `fire-big`, `tui`, `history`, `replay`, `receiver`), printing its details.
//! A number after the section changes its size (runs or records).

mod fire;
mod history;
mod receiver;
mod replay;
mod tui;

use std::process::{Command, Stdio};

const SECTIONS: [(&str, fn()); 6] = [
    ("fire", fire::main),
    ("fire-big", fire::big),
    ("tui", tui::main),
    ("history", history::main),
    ("replay", replay::main),
    ("receiver", receiver::main),
];

/// The body every throughput section posts.
pub const BODY: &str = r#"{"eventId":"evt_1","eventName":"Signup Completed","profile":{"email":"maria@example.com","plan":"pro"}}"#;

/// Posts [`BODY`] to `url` `n` times from `concurrency` senders sharing one
/// reqwest client, on a runtime of `threads` workers, recording nothing;
/// returns requests per second.
pub fn reqwest_loop(url: &str, n: usize, concurrency: usize, threads: usize) -> f64 {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // The same TLS setup as the app, so the client builds.
    let _ = hookbench::deliver::Deliverer::new();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let next = Arc::new(AtomicUsize::new(0));
        let t = std::time::Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (client, next, url) = (client.clone(), next.clone(), url.to_string());
            tasks.push(tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    let r = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(BODY)
                        .send()
                        .await
                        .expect("the server answers");
                    let _ = r.bytes().await.expect("the body arrives");
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        n as f64 / t.elapsed().as_secs_f64()
    })
}

/// A local server on `port` (0: any) answering every request 200 with a
/// small JSON body, on a thread of its own; returns its address once it
/// listens.
pub fn serve_ok(port: u16) -> std::net::SocketAddr {
    serve(
        port,
        axum::Router::new().fallback(|_b: axum::body::Bytes| async { r#"{"ok":true}"# }),
    )
}

/// Serves `app` on `port` (0: any) on a thread of its own; returns the
/// address once it listens.
fn serve(port: u16, app: axum::Router) -> std::net::SocketAddr {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap();
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    addr_rx.recv().unwrap()
}

/// A local server answering every request 200 with the JSON object
/// `body`, numbered (`{"seq":N,...`), on a thread of its own; returns its
/// address once it listens.
pub fn serve_body(body: Vec<u8>) -> std::net::SocketAddr {
    let body = axum::body::Bytes::from(body);
    let seq = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let app = axum::Router::new().fallback(move |_b: axum::body::Bytes| {
        let (body, seq) = (body.clone(), seq.clone());
        async move {
            // Each answer its own, as a real server's are: the same
            // document with a number of its own in front.
            let n = seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut own = format!("{{\"seq\":{n:012},").into_bytes();
            own.extend_from_slice(&body[1..]);
            ([("content-type", "application/json")], own)
        }
    });
    serve(0, app)
}

/// A line of the final table, printed by a section for the suite to collect.
pub fn row(figure: &str, target: &str, measured: &str) {
    println!("ROW\t{figure}\t{target}\t{measured}");
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or("?".into(), |kib| {
            format!("{:.0} GiB", kib / 1024.0 / 1024.0)
        });
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} cores ({model}), {mem}, {}", std::env::consts::OS)
}

fn main() {
    // cargo passes `--bench`; anything else that is not a flag is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let Some(name) = args.first()
        && let Some((_, run)) = SECTIONS.iter().find(|(n, _)| n == name)
    {
        run();
        return;
    }
    if let Some(name) = args.first().filter(|a| a.parse::<f64>().is_err()) {
        eprintln!(
            "no section `{name}`: use one of {}",
            SECTIONS.map(|(n, _)| n).join(", ")
        );
        std::process::exit(2);
    }
    let exe = std::env::current_exe().expect("the suite knows where it is");
    let mut rows = Vec::new();
    for (name, _) in SECTIONS {
        eprintln!("== {name}");
        let out = Command::new(&exe)
            .arg(name)
            .stderr(Stdio::inherit())
            .output()
            .expect("a section runs");
        let text = String::from_utf8_lossy(&out.stdout);
        for line in text.lines() {
            match line.strip_prefix("ROW\t") {
                Some(r) => rows.push(r.split('\t').map(str::to_string).collect::<Vec<_>>()),
                None => eprintln!("{line}"),
            }
        }
        if !out.status.success() {
            rows.push(vec![
                format!("{name}: the section failed ({})", out.status),
                String::new(),
                String::new(),
            ]);
        }
    }
    println!();
    println!("Measured on {}, release build:", machine());
    println!();
    println!("| figure | target | measured |");
    println!("|---|---|---|");
    for r in rows {
        println!("| {} | {} | {} |", r[0], r[1], r[2]);
    }
}
