//! Deliveries, resolved or not: a first attempt and everything that
//! descends from it (retries, replays), against a real flaky server and
//! real history files.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use support::{Workspace, stderr, stdout};

/// A server answering each request with the next status of a script it
/// can be given at any time; counts what it got.
struct Flaky {
    url: String,
    script: Arc<Mutex<Vec<u16>>>,
    seen: Arc<AtomicUsize>,
}

impl Flaky {
    fn start(script: &[u16]) -> Flaky {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let script = Arc::new(Mutex::new(script.to_vec()));
        let seen = Arc::new(AtomicUsize::new(0));
        let (s, n) = (script.clone(), seen.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let status = {
                    let script = s.lock().unwrap();
                    let i = n.fetch_add(1, Ordering::SeqCst);
                    script[i.min(script.len() - 1)]
                };
                let _ = write!(
                    conn,
                    "HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                );
            }
        });
        Flaky { url, script, seen }
    }

    /// From now on: these statuses, then the last one for ever.
    fn answer(&self, script: &[u16]) {
        *self.script.lock().unwrap() = script.to_vec();
        self.seen.store(0, Ordering::SeqCst);
    }

    fn seen(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }
}

/// A profile `crm` aimed at `crm`, retrying three times.
fn crm_workspace(crm: &Flaky) -> Workspace {
    let ws = Workspace::new();
    ws.write(
        "crm.ron",
        &format!(
            r#"(name: "crm", method: POST, url: "{}/leads", include_trigger: false,
               retry: (max_attempts: 3, backoff: Fixed(ms: 5), jitter: false))"#,
            crm.url
        ),
    );
    ws
}

use support::history_json as history;

fn ids(rows: &[Value]) -> Vec<i64> {
    let mut v: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    v.sort();
    v
}

#[test]
fn a_realistic_day_replays_each_failed_delivery_once() {
    let crm = Flaky::start(&[500]);
    let ws = crm_workspace(&crm);
    let fire = |ws: &Workspace| ws.run(&["fire", "crm"], &[]).status.code();
    // A: every attempt fails (3 records). B: fails, then a retry succeeds.
    // C: fails every attempt. D: succeeds at once.
    assert_eq!(fire(&ws), Some(1));
    crm.answer(&[500, 200]);
    assert_eq!(fire(&ws), Some(0));
    crm.answer(&[503]);
    assert_eq!(fire(&ws), Some(1));
    crm.answer(&[200]);
    assert_eq!(fire(&ws), Some(0));
    assert_eq!(history(&ws, &["--attempts"]).len(), 3 + 2 + 3 + 1);
    assert_eq!(history(&ws, &["--attempts", "--failed"]).len(), 3 + 1 + 3);

    // Four deliveries, each shown once, as its latest attempt.
    let all = history(&ws, &[]);
    assert_eq!(all.len(), 4);
    let attempts: Vec<u64> = all
        .iter()
        .map(|r| r["attempts"].as_u64().unwrap())
        .collect();
    assert_eq!(attempts, [1, 3, 2, 3], "newest first");
    // Still failing: A and C, one record each (the latest attempt).
    let failing = history(&ws, &["--failed"]);
    assert_eq!(failing.len(), 2, "{failing:?}");
    assert!(failing.iter().all(|r| r["origin"] == "retry"));

    // C is fixed by other means: marked by hand, it is not sent.
    let c = failing[0]["id"].as_i64().unwrap();
    let out = ws.run(&["resolve", &c.to_string()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("resolved"), "{}", stdout(&out));
    assert_eq!(history(&ws, &["--failed"]).len(), 1);

    // replay --failed sends the one delivery still failing, once.
    crm.answer(&[200]);
    let out = ws.run(&["replay", "--failed"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(crm.seen(), 1, "{}", stderr(&out));
    // B (by its retry) and C (by hand) were left out, and it says so.
    assert!(
        stderr(&out).contains("2 delivery(ies) that failed are resolved already"),
        "{}",
        stderr(&out)
    );
    assert!(history(&ws, &["--failed"]).is_empty());
    // Again: nothing left to send.
    let out = ws.run(&["replay", "--failed"], &[]);
    assert_eq!(crm.seen(), 1, "{}", stderr(&out));

    // --include-resolved brings back every delivery that failed: A, B, C.
    assert_eq!(history(&ws, &["--failed", "--include-resolved"]).len(), 3);
    // C opened again by hand is failing again, and is sent.
    let out = ws.run(&["resolve", "--undo", &c.to_string()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ids(&history(&ws, &["--failed"])), [c]);
    let out = ws.run(&["resolve", "999"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no record #999"), "{}", stderr(&out));
}

#[test]
fn an_older_history_gets_deliveries_when_it_opens() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.data_dir()).unwrap();
    {
        let conn = rusqlite::Connection::open(ws.history()).unwrap();
        for m in &hookbench::history::MIGRATIONS[..3] {
            conn.execute_batch(m).unwrap();
        }
        conn.pragma_update(None, "application_id", 0x484B_4248)
            .unwrap();
        conn.pragma_update(None, "user_version", 3).unwrap();
        let row = |id: i64, origin: &str, of: Option<i64>, status: u16| {
            conn.execute(
                "INSERT INTO exchanges (id, started_ms, origin, replay_of, method, url, host, path,
                    req_headers, req_body, status, elapsed_ms, failed)
                 VALUES (?1, ?2, ?3, ?4, 'POST', 'http://a/x', 'a', '/x', '[]', x'', ?5, 5, ?6)",
                rusqlite::params![
                    id,
                    1_769_422_365_000i64 + id * 1000,
                    origin,
                    of,
                    status,
                    !(200..300).contains(&status)
                ],
            )
            .unwrap();
        };
        row(1, "fire", None, 500);
        row(2, "retry", Some(1), 500);
        row(3, "replay", Some(2), 200); // a replay of the retry: same delivery
        row(4, "fire", None, 500);
        row(5, "replay", Some(4), 502);
    }
    assert_eq!(ids(&history(&ws, &["--failed"])), [5]);
    assert_eq!(
        ids(&history(&ws, &["--failed", "--include-resolved"])),
        [3, 5]
    );
    assert_eq!(
        ids(&history(&ws, &["--failed", "--attempts"])),
        [1, 2, 4, 5]
    );
    let all = history(&ws, &[]);
    assert_eq!(ids(&all), [3, 5]);
    assert!(all.iter().all(|r| r["attempts"] == 3 || r["attempts"] == 2));
}

#[tokio::test]
async fn the_history_view_shows_deliveries_and_r_marks_one_resolved() {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use support::tui::{Harness, key};
    let crm = Flaky::start(&[503]);
    let ws = crm_workspace(&crm);
    assert_eq!(ws.run(&["fire", "crm"], &[]).status.code(), Some(1));
    let shift = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT));
    let mut h = Harness::open(ws.path().to_path_buf(), 120, 40).await;
    h.send(key(KeyCode::Char('2')));
    h.until(|s| !s.history.loading && s.history.open.is_some())
        .await;
    // One delivery of three attempts, shown as its last.
    assert_eq!(h.app.state.history.total, 1);
    assert!(h.screen().contains("503×3"), "{}", h.screen());
    h.send(shift('F'));
    h.until(|s| !s.history.loading && s.history.filter.failed && s.history.total == 1)
        .await;
    h.send(shift('R'));
    h.until(|s| s.ui.status.text.contains("marked resolved"))
        .await;
    h.until(|s| !s.history.loading && s.history.total == 0)
        .await;
    // B finds nothing to send now, and says why.
    h.send(shift('B'));
    h.until(|s| s.ui.status.error).await;
    assert!(h.status().contains("1 resolved already"), "{}", h.status());
    assert_eq!(crm.seen(), 3);
}

#[tokio::test]
async fn enter_lists_a_deliverys_attempts_under_it_and_folds_them_again() {
    use ratatui::crossterm::event::KeyCode::{Char, Down, Enter, Right};
    use support::tui::{Harness, key};
    let crm = Flaky::start(&[503]);
    let ws = crm_workspace(&crm);
    // Two deliveries: one of three attempts and one of a single attempt.
    let out = ws.run(&["fire", "crm"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("(recorded as #1 with its retries #2 to #3;"),
        "{}",
        stdout(&out)
    );
    crm.answer(&[200]);
    assert_eq!(ws.run(&["fire", "crm"], &[]).status.code(), Some(0));
    let mut h = Harness::open(ws.path().to_path_buf(), 120, 40).await;
    h.send(key(Char('2')));
    h.until(|s| !s.history.loading && s.history.rows.len() == 2)
        .await;
    // The newest (single) first, then the delivery of three, folded.
    h.send(key(Down));
    h.settle().await;
    assert!(
        h.screen()
            .lines()
            .any(|l| l.contains("▸") && l.contains("503×3")),
        "{}",
        h.screen()
    );
    h.send(key(Enter));
    h.until(|s| s.history.rows.len() == 4).await;
    let rows = &h.app.state.history.rows;
    // The delivery's row, then its two earlier attempts, newest first.
    assert_eq!(
        rows.iter().map(|r| (r.id, r.nested)).collect::<Vec<_>>(),
        [(4, false), (3, false), (2, true), (1, true)]
    );
    let screen = h.screen();
    assert_eq!(screen.matches('↳').count(), 2, "{screen}");
    assert!(screen.contains("showing 2"), "{screen}");
    assert!(screen.contains('▾'), "{screen}");
    // Still listed when the list is read again, with a new record in it.
    assert_eq!(ws.run(&["fire", "crm"], &[]).status.code(), Some(0));
    h.send(key(Char('1')));
    h.send(key(Char('2')));
    h.until(|s| !s.history.loading && s.history.rows.len() == 5)
        .await;
    // Enter on an attempt goes into the inspector; Enter leaves it.
    let at = h
        .app
        .state
        .history
        .rows
        .iter()
        .position(|r| r.id == 1)
        .unwrap();
    for _ in 0..at {
        h.send(key(Down));
    }
    h.until(|s| s.history.open.as_ref().is_some_and(|o| o.record.id == 1))
        .await;
    h.send(key(Enter));
    h.settle().await;
    assert!(h.app.state.history.detail_focus);
    h.send(key(Enter));
    // Folded with Enter on the delivery's row; → goes into the inspector.
    let head = at - 2;
    for _ in 0..2 {
        h.send(key(ratatui::crossterm::event::KeyCode::Up));
    }
    h.settle().await;
    assert_eq!(h.app.state.history.selected, head);
    h.send(key(Enter));
    h.until(|s| s.history.rows.len() == 3).await;
    assert!(!h.screen().contains('↳'), "{}", h.screen());
    h.until(|s| s.history.open.is_some()).await;
    h.send(key(Right));
    h.settle().await;
    assert!(h.app.state.history.detail_focus);
    // A replay's outcome stays on the status line when the list, read
    // again for the new record, lists the expanded delivery's attempts.
    h.send(key(Enter));
    h.send(key(Enter));
    h.until(|s| s.history.rows.len() == 5).await;
    h.send(key(Char('r')));
    h.until(|s| !s.history.loading && s.history.rows.len() == 6)
        .await;
    h.settle().await;
    assert!(!h.status().contains("the latest first"), "{}", h.status());
}
