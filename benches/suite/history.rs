//! History figures on 100,000 records: the History view's first screen and
//! the failed-only filter (through the real loop on a TestBackend), the
//! queries behind them, and the process's resident memory.
//!
//! Run: `cargo bench -- history`.

use std::time::{Duration, Instant, UNIX_EPOCH};

use hookbench::exchange::{ErrorKind, Exchange, Origin, Response, TransportError};
use hookbench::history::{Filter, Store};
use hookbench::tui::{App, Host, Options};
use hookbench::wire::PreparedRequest;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

const RECORDS: usize = 100_000;

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn record(i: usize) -> Exchange {
    let t0 = 1_769_422_365u64;
    let (status, error) = match i % 20 {
        0 => (
            None,
            Some(TransportError {
                kind: ErrorKind::Timeout,
                message: "no complete answer within 15 s".into(),
            }),
        ),
        1..=3 => (Some(500), None),
        _ => (Some(200), None),
    };
    let body = format!(
        r#"{{"eventId":"evt_{i}","eventName":"Signup Completed","profile":{{"email":"user{i}@example.com","plan":"pro"}},"properties":{{"source":"landing","n":{i}}}}}"#
    );
    Exchange {
        origin: Origin::Fire,
        profile: Some(format!("profile-{}", i % 7)),
        env: None,
        peer: None,
        started_at: UNIX_EPOCH + Duration::from_secs(t0 + (i as u64) * 6),
        elapsed: Duration::from_millis(20 + (i % 50) as u64),
        request: PreparedRequest {
            method: "POST".into(),
            url: format!("https://crm{}.example.com/api/leads?n={i}", i % 3),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("host".into(), format!("crm{}.example.com", i % 3)),
            ],
            body: body.into_bytes(),
            secret_values: Default::default(),
            secret_headers: vec![],
        },
        response: status.map(|s| Response {
            status: s,
            reason: String::new(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: format!(r#"{{"ok":{}}}"#, s == 200).into_bytes(),
            truncated: false,
            redirects: vec![],
        }),
        error,
    }
}

struct Keys(tokio::sync::mpsc::UnboundedReceiver<Event>);

impl Host for Keys {
    async fn next_event(&mut self) -> Option<std::io::Result<Event>> {
        self.0.recv().await.map(Ok)
    }
    fn external_edit(&mut self, _: &str, t: &str) -> std::io::Result<String> {
        Ok(t.into())
    }
    fn copy(&mut self, _: &str) -> String {
        String::new()
    }
}

pub fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite");
    let t = Instant::now();
    {
        let mut store = Store::open(&path).unwrap();
        for start in (0..RECORDS).step_by(5000) {
            let chunk: Vec<Exchange> = (start..(start + 5000).min(RECORDS)).map(record).collect();
            store.insert_many(&chunk, None).unwrap();
        }
    }
    let fill = t.elapsed();
    let size_mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;

    // The queries alone.
    let store = Store::open(&path).unwrap();
    let time = |f: &dyn Fn()| {
        let mut v: Vec<f64> = (0..9)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[4]
    };
    let all = Filter::default();
    let failed = Filter {
        failed: true,
        ..Filter::default()
    };
    let q_all = time(&|| {
        store.count(&all).unwrap();
        store.page(&all, None, 200).unwrap();
        store.buckets(&all, 60).unwrap();
    });
    let q_failed = time(&|| {
        store.count(&failed).unwrap();
        store.page(&failed, None, 200).unwrap();
        store.buckets(&failed, 60).unwrap();
    });
    drop(store);

    // Through the real loop.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (first, filter_ms, rss) = rt.block_on(async {
        let profiles = tempfile::tempdir().unwrap();
        let mut app = App::new(
            TestBackend::new(120, 40),
            Options {
                profiles: profiles.path().to_path_buf(),
                history: Some(path.clone()),
                body_cap: None,
                receiver: None,
                secrets: None,
                plain: false,
                notice: None,
                env: None,
                config: Default::default(),
            },
        )
        .unwrap();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let mut host = Keys(rx);
        app.run_until(&mut host, |s| !s.bench.loading)
            .await
            .unwrap();
        // Let the history open.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let t = Instant::now();
        tx.send(Event::Key(KeyEvent::new(
            KeyCode::Char('2'),
            KeyModifiers::NONE,
        )))
        .unwrap();
        app.run_until(&mut host, |s| {
            !s.history.loading && !s.history.rows.is_empty()
        })
        .await
        .unwrap();
        let first = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        tx.send(Event::Key(KeyEvent::new(
            KeyCode::Char('F'),
            KeyModifiers::SHIFT,
        )))
        .unwrap();
        app.run_until(&mut host, |s| {
            !s.history.loading && s.history.filter.failed && s.history.rows.iter().all(|r| r.failed)
        })
        .await
        .unwrap();
        let filter_ms = t.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(app.state.history.total, (RECORDS / 5) as u64);
        (first, filter_ms, rss_mb())
    });

    println!(
        "history: {RECORDS} records, {size_mb:.0} MB file, filled in {:.1} s",
        fill.as_secs_f64()
    );
    println!("| figure | target | measured |");
    println!("|---|---|---|");
    println!(
        "| History view, first screen on {RECORDS} records (count, first page, chart, drawn) | < 200 ms | {first:.1} ms |"
    );
    println!("| History view, failed-only filter applied | < 50 ms | {filter_ms:.1} ms |");
    println!(
        "| the queries alone, all records / failed only (median of 9) | | {q_all:.1} / {q_failed:.1} ms |"
    );
    println!("| resident memory of the whole process after both | < 100 MB | {rss:.1} MB |");
    crate::row(
        "History view on 100,000 records: first screen",
        "under 200 ms",
        &format!("{first:.1} ms"),
    );
    crate::row(
        "History view on 100,000 records: failed-only filter",
        "under 50 ms",
        &format!("{filter_ms:.1} ms"),
    );
    crate::row(
        "History view on 100,000 records: resident memory",
        "under 100 MB",
        &format!("{rss:.1} MB"),
    );
}
