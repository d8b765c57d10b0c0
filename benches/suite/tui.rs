//! Workbench figures:
//! - launch to first frame of the real binary in a pseudo-terminal, and its
//!   resident memory once idle;
//! - formatting a 20 MB JSON response (off the UI thread), and the time to
//!   draw one 200x60 frame with it open while scrolling.
//!
//! Run: `cargo bench -- tui`.

use std::io::Read;
use std::time::{Duration, Instant};

use hookbench::tui::App;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Spawns the binary in a PTY; returns (ms to first frame, idle RSS KiB).
fn launch_once(profiles: &std::path::Path) -> (f64, u64) {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_hookbench"));
    cmd.arg("--profiles");
    cmd.arg(profiles);
    cmd.arg("--no-receiver");
    cmd.env("TERM", "xterm-256color");
    let data = tempfile::tempdir().unwrap();
    cmd.env("XDG_DATA_HOME", data.path());
    let mut reader = pair.master.try_clone_reader().unwrap();
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    let pid = child.process_id().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        let mut first = None;
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if first.is_none() && seen.windows(9).any(|w| w == b"Workbench") {
                first = Some(start.elapsed());
                let _ = tx.send(first.unwrap());
            }
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("no first frame");
    // Let it load the profiles and settle, then read its memory.
    std::thread::sleep(Duration::from_millis(500));
    let rss = rss_kib(pid).unwrap_or(0);
    let mut w = pair.master.take_writer().unwrap();
    let _ = w.write_all(b"q");
    let _ = child.wait();
    (first.as_secs_f64() * 1000.0, rss)
}

use std::io::Write;

pub fn main() {
    let profiles = concat!(env!("CARGO_MANIFEST_DIR"), "/profiles");
    let mut firsts = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..15 {
        let (f, r) = launch_once(std::path::Path::new(profiles));
        firsts.push(f);
        rss.push(r as f64);
    }
    println!("| figure | target | measured |");
    println!("|---|---|---|");
    let (first, idle) = (median(firsts), median(rss) / 1024.0);
    println!("| launch to first frame (PTY, median of 15) | < 12 ms | {first:.1} ms |");
    println!("| idle resident memory | < 15 MB | {idle:.1} MB |");
    crate::row(
        "workbench: launch to first frame, real binary in a pseudo-terminal (median of 15)",
        "under 12 ms",
        &format!("{first:.1} ms"),
    );
    crate::row(
        "workbench: idle resident memory",
        "under 15 MB",
        &format!("{idle:.1} MB"),
    );

    // A 20 MB JSON response, fired at a local server and opened at 200x60.
    let items: Vec<String> = (0..270_000)
        .map(|i| {
            format!(r#"{{"id":{i},"email":"user{i}@example.com","plan":"pro","tags":["a","b"]}}"#)
        })
        .collect();
    let body = format!(r#"{{"items":[{}]}}"#, items.join(","));
    let size = body.len();
    let t = Instant::now();
    let formatted = hookbench::tui::widgets::body::format(body.as_bytes());
    let format_ms = t.elapsed().as_secs_f64() * 1000.0;
    drop(formatted);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let body = bytes_of(body);
        tokio::spawn(async move {
            let app = axum::Router::new().fallback(move || {
                let b = body.clone();
                async move { ([("content-type", "application/json")], b) }
            });
            axum::serve(listener, app).await.unwrap();
        });
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("big.ron"),
            format!(r#"(name: "big", method: POST, url: "http://{addr}/big", timeout_secs: 60)"#),
        )
        .unwrap();
        let mut app = App::new(
            TestBackend::new(200, 60),
            hookbench::tui::Options { profiles: dir.path().to_path_buf(), history: None, body_cap: None, receiver: None, secrets: None, plain: false, notice: None, env: None, config: Default::default() },
        )
        .unwrap();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let mut host = Host { rx };
        app.run_until(&mut host, |s| !s.bench.loading).await.unwrap();
        let key = |c: KeyCode| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
        tx.send(key(KeyCode::Char('f'))).unwrap();
        app.run_until(&mut host, |s| {
            s.bench.answered()
                .is_some_and(|x| x.response_body.is_some())
        })
        .await
        .unwrap();
        let kind = app.state.bench.answered()
            .and_then(|x| x.response_body.as_ref()).map(|b| b.kind);
        assert_eq!(kind, Some(hookbench::tui::widgets::body::BodyKind::Json), "the body was read whole");
        for _ in 0..3 {
            tx.send(key(KeyCode::Tab)).unwrap();
        }
        app.run_until(&mut host, |s| s.ui.inputs >= 4).await.unwrap();

        // Scroll a page at a time and time each frame's draw.
        let mut frames = Vec::new();
        for i in 0..200u64 {
            app.state.on_key(KeyEvent::new(
                if i % 50 == 49 { KeyCode::Home } else { KeyCode::PageDown },
                KeyModifiers::NONE,
            ));
            let t = Instant::now();
            let state = &app.state;
            app.terminal.draw(|f| f.render_widget(state, f.area())).unwrap();
            frames.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let worst = frames.iter().cloned().fold(0.0, f64::max);
        println!(
            "| one 200x60 frame with a {:.0} MB JSON response open, scrolling (median / worst of 200) | < 8 ms | {:.2} / {:.2} ms |",
            size as f64 / 1e6,
            median(frames.clone()),
            worst
        );
        println!(
            "| formatting that body once, off the UI thread | (not a target) | {format_ms:.0} ms |"
        );
        crate::row(
            &format!(
                "workbench: one 200x60 frame with a {:.0} MB JSON response open, scrolling (median / worst of 200)",
                size as f64 / 1e6
            ),
            "under 8 ms",
            &format!("{:.2} / {worst:.2} ms", median(frames.clone())),
        );
        crate::row(
            "workbench: formatting that body, once, off the UI thread",
            "(none)",
            &format!("{format_ms:.0} ms"),
        );
    });
}

fn bytes_of(s: String) -> axum::body::Bytes {
    axum::body::Bytes::from(s)
}

struct Host {
    rx: tokio::sync::mpsc::UnboundedReceiver<Event>,
}

impl hookbench::tui::Host for Host {
    async fn next_event(&mut self) -> Option<std::io::Result<Event>> {
        self.rx.recv().await.map(Ok)
    }
    fn external_edit(&mut self, _: &str, text: &str) -> std::io::Result<String> {
        Ok(text.to_string())
    }
    fn copy(&mut self, _: &str) -> String {
        String::new()
    }
}
