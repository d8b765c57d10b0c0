//! The History view through TestBackend, driving the real loop, against a
//! real SQLite file and real local servers.

mod support;

use std::time::{Duration, UNIX_EPOCH};

use hookbench::exchange::{ErrorKind, Exchange, Origin, Response, TransportError};
use hookbench::history::Store;
use hookbench::wire::PreparedRequest;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use support::tui::{Harness, ctrl, key, snapshot};
use support::{Answer, Server, Workspace};

fn exchange(url: &str, status: Option<u16>, body: &str, at_s: u64) -> Exchange {
    let host = url.split('/').nth(2).unwrap_or_default().to_string();
    Exchange {
        origin: Origin::Fire,
        profile: Some("hook".into()),
        env: None,
        peer: None,
        started_at: UNIX_EPOCH + Duration::from_secs(at_s),
        elapsed: Duration::from_millis(12),
        request: PreparedRequest {
            method: "POST".into(),
            url: url.into(),
            headers: vec![
                ("Authorization".into(), "Basic b3BzOnB3".into()),
                ("content-type".into(), "application/json".into()),
                ("host".into(), host),
            ],
            body: body.as_bytes().to_vec(),
            secret_values: vec!["pw".into()].into(),
            secret_headers: vec!["authorization".into()],
        },
        response: status.map(|s| Response {
            status: s,
            reason: if s == 200 {
                "OK".into()
            } else {
                "Internal Server Error".into()
            },
            headers: vec![("content-type".into(), "application/json".into())],
            body: format!(r#"{{"status":{s}}}"#).into_bytes(),
            truncated: false,
            redirects: vec![],
        }),
        error: status.is_none().then(|| TransportError {
            kind: ErrorKind::Timeout,
            message: "no complete answer within 5 s".into(),
        }),
    }
}

/// A workspace with the `hook` profile aimed at `base`, and a history of
/// three deliveries: a 200, a 500 and a timeout.
fn seeded(base: &str) -> Workspace {
    let ws = Workspace::new();
    ws.write(
        "hook.ron",
        &format!(
            r#"(name: "hook", method: POST, url: "{base}/hooks", auth: Basic(username: "ops", password: "pw"))"#
        ),
    );
    let mut store = Store::open(&ws.path().join(".data/history.sqlite")).unwrap();
    let t0 = 1_769_422_365;
    store
        .insert(&exchange(
            &format!("{base}/hooks"),
            Some(200),
            r#"{"plan":"free"}"#,
            t0,
        ))
        .unwrap();
    store
        .insert(&exchange(
            &format!("{base}/hooks"),
            Some(500),
            r#"{"plan":"pro"}"#,
            t0 + 60,
        ))
        .unwrap();
    store
        .insert(&exchange(
            &format!("{base}/hooks"),
            None,
            r#"{"plan":"gold"}"#,
            t0 + 120,
        ))
        .unwrap();
    ws
}

async fn open_history(ws: &Workspace) -> Harness {
    let mut h = Harness::open(ws.path().to_path_buf(), 120, 40).await;
    h.send(key(KeyCode::Char('2')));
    h.until(|s| !s.history.loading && s.history.open.is_some())
        .await;
    h
}

#[tokio::test]
async fn snapshot_history_view_with_filters_chart_and_inspector() {
    let ws = seeded("http://127.0.0.1:9");
    let h = open_history(&ws).await;
    let screen = h.screen();
    assert!(screen.contains("3 deliveries match"), "{screen}");
    assert!(screen.contains("timeout"), "{screen}");
    assert!(screen.contains("Request #3 · as sent"), "{screen}");
    assert!(
        screen.contains("Authorization: Basic [redacted]"),
        "{screen}"
    );
    snapshot("history_view", &h, None);
}

#[tokio::test]
async fn filters_narrow_the_list_and_the_count() {
    let ws = seeded("http://127.0.0.1:9");
    let mut h = open_history(&ws).await;
    h.send(Event::Key(KeyEvent::new(
        KeyCode::Char('F'),
        KeyModifiers::SHIFT,
    )));
    h.until(|s| !s.history.loading && s.history.total == 2)
        .await;
    assert!(h.screen().contains("F failed: yes"), "{}", h.screen());
    h.send(key(KeyCode::Char('s'))); // 2xx, with failed: none
    h.until(|s| !s.history.loading && s.history.total == 0)
        .await;
    h.send(Event::Key(KeyEvent::new(
        KeyCode::Char('F'),
        KeyModifiers::SHIFT,
    )));
    h.until(|s| !s.history.loading && s.history.total == 1)
        .await;
    h.send(key(KeyCode::Char('s'))); // 4xx
    h.send(key(KeyCode::Char('s'))); // 5xx
    h.until(|s| {
        !s.history.loading && s.history.total == 1 && s.history.rows[0].status == Some(500)
    })
    .await;
    h.send(key(KeyCode::Char('s'))); // error
    h.send(key(KeyCode::Char('s'))); // any
    h.send(key(KeyCode::Char('/')));
    h.type_text("gold");
    h.send(key(KeyCode::Enter));
    h.until(|s| !s.history.loading && s.history.total == 1 && s.history.rows[0].id == 3)
        .await;
    // p picks from the profiles the history holds: here only `hook`.
    h.send(key(KeyCode::Char('p')));
    h.until(|s| matches!(s.ui.mode, hookbench::tui::state::Mode::Picker { .. }))
        .await;
    h.keys(&[KeyCode::Down, KeyCode::Enter]);
    h.until(|s| {
        !s.history.loading
            && s.history.filter.profile.as_deref() == Some("hook")
            && s.history.total == 1
    })
    .await;
}

#[tokio::test]
async fn compare_shows_what_differs() {
    let ws = seeded("http://127.0.0.1:9");
    let mut h = open_history(&ws).await;
    h.send(key(KeyCode::Char('j'))); // #2, the 500
    h.send(key(KeyCode::Char('c')));
    h.send(key(KeyCode::Char('j'))); // #1, the 200
    h.send(key(KeyCode::Char('c')));
    h.until(|s| s.history.compare.is_some()).await;
    let screen = h.screen();
    assert!(screen.contains("Compare #2"), "{screen}");
    assert!(screen.contains("~ $.plan: \"pro\" → \"free\""), "{screen}");
    assert!(
        screen.contains("~ outcome: 500 Internal Server Error → 200 OK"),
        "{screen}"
    );
    snapshot("compare_view", &h, None);
    h.send(key(KeyCode::Esc));
    h.settle().await;
    assert!(h.app.state.history.compare.is_none());
}

#[tokio::test]
async fn replay_one_and_bulk_replay_fix_failures_and_link_records() {
    let server = Server::start(Answer::status(200));
    let ws = seeded(&server.url(""));
    let mut h = open_history(&ws).await;
    // r on the newest (the timeout): replayed, credentials from the profile.
    h.send(key(KeyCode::Char('r')));
    h.until(|s| s.history.bulk.as_ref().is_some_and(|b| b.finished) && !s.history.loading)
        .await;
    let got = server.only();
    assert_eq!(got.header("authorization"), Some("Basic b3BzOnB3"));
    assert_eq!(got.json()["plan"], "gold");
    assert_eq!(h.app.state.history.rows[0].replay_of, Some(3));
    assert!(
        h.app.state.ui.status.text.contains("now succeeding: 1"),
        "{}",
        h.app.state.ui.status.text
    );

    // B on the failed filter: asks, with the count and hosts, then sends.
    // The delivery r just fixed is resolved: not sent again.
    h.send(Event::Key(KeyEvent::new(
        KeyCode::Char('F'),
        KeyModifiers::SHIFT,
    )));
    h.until(|s| !s.history.loading && s.history.filter.failed && s.history.total == 1)
        .await;
    h.send(Event::Key(KeyEvent::new(
        KeyCode::Char('B'),
        KeyModifiers::SHIFT,
    )));
    h.until(|s| matches!(s.ui.mode, hookbench::tui::state::Mode::Confirm(_)))
        .await;
    assert!(
        h.screen().contains("Replay 1 record(s) to 127.0.0.1"),
        "{}",
        h.screen()
    );
    h.send(key(KeyCode::Char('y')));
    h.until(|s| {
        s.history
            .bulk
            .as_ref()
            .is_some_and(|b| b.finished && b.tally.total == 1)
            && !s.history.loading
            && server.requests().len() == 2
    })
    .await;
    let b = h.app.state.history.bulk.as_ref().unwrap();
    assert_eq!(
        (b.tally.succeeded, b.tally.still_failing, b.tally.errors),
        (1, 0, 0)
    );
    // Originals are kept; the replays are new records linked to them.
    let store = Store::open(&ws.path().join(".data/history.sqlite")).unwrap();
    let every = hookbench::history::Filter {
        attempts: true,
        ..Default::default()
    };
    let mut links: Vec<i64> = store
        .page(&every, None, 100)
        .unwrap()
        .iter()
        .filter_map(|r| r.replay_of)
        .collect();
    links.sort();
    assert_eq!(links, [2, 3]);
    let failed = |attempts| {
        store
            .count(&hookbench::history::Filter {
                failed: true,
                attempts,
                ..Default::default()
            })
            .unwrap()
    };
    assert_eq!((failed(true), failed(false)), (2, 0));
}

#[tokio::test]
async fn replay_with_modifications_sends_the_edited_request() {
    let server = Server::start(Answer::status(200));
    let ws = seeded(&server.url(""));
    let mut h = open_history(&ws).await;
    h.send(key(KeyCode::Char('m')));
    h.settle().await;
    assert!(
        h.screen().contains("Replay #3 with changes"),
        "{}",
        h.screen()
    );
    // First line: the URL gets a query.
    h.send(key(KeyCode::End));
    h.type_text("?edited=1");
    h.send(ctrl('s'));
    h.until(|s| s.history.bulk.as_ref().is_some_and(|b| b.finished))
        .await;
    let got = server.only();
    assert_eq!(got.target, "/hooks?edited=1");
    assert_eq!(got.header("authorization"), Some("Basic b3BzOnB3"));
}

#[tokio::test]
async fn the_receiver_view_captures_answers_as_set_and_stops_and_starts() {
    let port = support::closed_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ws = Workspace::new();
    ws.write(
        "echo.ron",
        &format!(r#"(name: "echo", method: POST, url: "http://127.0.0.1:{port}/in", include_trigger: false)"#),
    );
    let mut h = Harness::open_with(ws.path().to_path_buf(), 120, 40, Some(addr)).await;
    h.until(|s| s.receiver.running.is_some()).await;
    h.send(key(KeyCode::Char('3')));
    h.send(key(KeyCode::Char('a')));
    h.send(ctrl('j'));
    h.type_text("503 delay=10 header=Retry-After:2 body=try later");
    h.send(key(KeyCode::Enter));
    h.settle().await;
    assert!(
        h.app
            .state
            .ui
            .status
            .text
            .contains("answers 503 after 10 ms"),
        "{}",
        h.app.state.ui.status.text
    );
    // Fire from the Workbench: the receiver answers 503 and shows it.
    h.send(key(KeyCode::Char('1')));
    h.send(key(KeyCode::Char('f')));
    h.until(|s| s.bench.answered().is_some()).await;
    let resp = h
        .app
        .state
        .bench
        .answered()
        .unwrap()
        .exchange
        .response
        .clone()
        .unwrap();
    assert_eq!(resp.status, 503);
    assert_eq!(resp.body, b"try later");
    assert!(
        resp.headers
            .iter()
            .any(|(n, v)| n == "retry-after" && v == "2"),
        "{:?}",
        resp.headers
    );
    h.send(key(KeyCode::Char('3')));
    h.until(|s| !s.history.loading && s.history.total == 1)
        .await;
    let screen = h.screen();
    assert!(
        screen.contains(&format!(
            "receiver on http://127.0.0.1:{port} · answers 503 after 10 ms"
        )),
        "{screen}"
    );
    assert!(screen.contains("received"), "{screen}");
    // S stops it: a fire now finds nothing listening; S starts it again.
    h.send(Event::Key(KeyEvent::new(
        KeyCode::Char('S'),
        KeyModifiers::SHIFT,
    )));
    h.settle().await;
    assert!(h.app.state.receiver.running.is_none());
    // The view says what happened, not a guess.
    let screen = h.screen();
    assert!(
        screen.contains(&format!(
            "receiver stopped with S: S starts it again on 127.0.0.1:{port}"
        )),
        "{screen}"
    );
    assert!(!screen.contains("port was taken"), "{screen}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(std::net::TcpStream::connect(addr).is_err(), "stopped");
    h.send(Event::Key(KeyEvent::new(
        KeyCode::Char('S'),
        KeyModifiers::SHIFT,
    )));
    h.until(|s| s.receiver.running.is_some()).await;
    assert!(
        std::net::TcpStream::connect(addr).is_ok(),
        "listening again"
    );
    assert_eq!(
        h.app
            .state
            .receiver
            .running
            .as_ref()
            .unwrap()
            .script()
            .sequence,
        [503],
        "the answer is kept"
    );
    // And answers with it: a fire after the restart gets 503.
    h.send(key(KeyCode::Char('1')));
    h.send(key(KeyCode::Char('f')));
    h.until(|s| {
        s.receiver.received == 2
            && s.bench.answered().is_some_and(|a| {
                a.exchange
                    .response
                    .as_ref()
                    .is_some_and(|r| r.status == 503)
            })
    })
    .await;
}

#[tokio::test]
async fn the_history_view_asked_for_before_the_history_is_open_still_loads() {
    let ws = seeded("http://127.0.0.1:9");
    let mut h = Harness::unstarted(ws.path().to_path_buf(), 120, 40, None);
    // The very first key, before the history has had a chance to open.
    h.send(key(KeyCode::Char('2')));
    h.until(|s| !s.history.loading && s.history.total == 3 && s.history.open.is_some())
        .await;
}

#[tokio::test]
async fn the_receiver_view_checks_signatures_and_explains_a_bad_one() {
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let port = support::closed_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ws = Workspace::new();
    ws.write(
        "a-good.ron",
        &format!(r#"(name: "good", method: POST, url: "http://127.0.0.1:{port}/s", include_trigger: false, signing: StandardWebhooks(secret: "{SECRET}"))"#),
    );
    ws.write(
        "b-bad.ron",
        &format!(r#"(name: "bad", method: POST, url: "http://127.0.0.1:{port}/s", include_trigger: false, signing: StandardWebhooks(secret: "whsec_YW5vdGhlciBrZXkgZm9yIHRlc3Rz"))"#),
    );
    let mut h = Harness::open_with(ws.path().to_path_buf(), 120, 40, Some(addr)).await;
    h.until(|s| s.receiver.running.is_some()).await;
    h.send(key(KeyCode::Char('3')));
    h.send(ctrl('k'));
    h.type_text(SECRET);
    h.send(key(KeyCode::Enter));
    h.settle().await;
    assert!(
        !h.screen().contains(SECRET),
        "the secret is masked while typed and never shown"
    );
    assert_eq!(
        h.app.state.receiver.secrets,
        [hookbench::signing::Verifier::Standard(SECRET.into())]
    );
    // Fire both from the Workbench.
    h.send(key(KeyCode::Char('1')));
    h.send(key(KeyCode::Char('f')));
    h.until(|s| s.receiver.verdicts.len() == 1 && !s.sending())
        .await;
    h.send(key(KeyCode::Char('j')));
    h.send(key(KeyCode::Char('f')));
    h.until(|s| s.receiver.verdicts.len() == 2 && !s.sending())
        .await;
    h.send(key(KeyCode::Char('3')));
    h.until(|s| !s.history.loading && s.history.total == 2 && s.history.open.is_some())
        .await;
    // The newest (the bad one) is open: explained.
    let screen = h.screen();
    assert!(
        screen.contains("signature: INVALID · the secret differs"),
        "{screen}"
    );
    assert!(screen.contains("expected: v1,"), "{screen}");
    h.send(key(KeyCode::Char('j')));
    h.until(|s| {
        s.history
            .open
            .as_ref()
            .is_some_and(|o| o.record.id == s.history.rows[1].id)
    })
    .await;
    assert!(h.screen().contains("signature: valid"), "{}", h.screen());
}

#[tokio::test]
async fn retries_show_their_schedule_and_each_attempt_and_are_recorded_linked() {
    let port = support::closed_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ws = Workspace::new();
    ws.write(
        "r.ron",
        &format!(
            r#"(name: "r", method: POST, url: "http://127.0.0.1:{port}/r", include_trigger: false,
               retry: (max_attempts: 3, backoff: Fixed(ms: 300), jitter: false))"#
        ),
    );
    let mut h = Harness::open_with(ws.path().to_path_buf(), 120, 40, Some(addr)).await;
    h.until(|s| s.receiver.running.is_some()).await;
    h.send(key(KeyCode::Char('3')));
    h.send(key(KeyCode::Char('a')));
    h.send(ctrl('j'));
    h.type_text("500,500,200");
    h.send(key(KeyCode::Enter));
    h.send(key(KeyCode::Char('1')));
    h.send(key(KeyCode::Char('f')));
    h.settle().await;
    assert!(
        h.app
            .state
            .ui
            .status
            .text
            .contains("up to 3 attempts, waiting 0.3 s, 0.3 s"),
        "{}",
        h.app.state.ui.status.text
    );
    h.until(|s| {
        s.ui.status
            .text
            .starts_with("attempt 1 of 3: 500 Internal Server Error; next in 0.3 s")
    })
    .await;
    h.until(|s| s.ui.status.text.starts_with("attempt 2 of 3"))
        .await;
    h.until(|s| !s.sending() && s.bench.answered().is_some_and(|x| x.record.is_some()))
        .await;
    let x = h.app.state.bench.answered().unwrap();
    assert_eq!(x.exchange.response.as_ref().unwrap().status, 200);
    let first = x.record.unwrap();
    let store = Store::open(&ws.path().join(".data/history.sqlite")).unwrap();
    let rows = store
        .page(
            &hookbench::history::Filter {
                origin: Some("retry".into()),
                attempts: true,
                ..Default::default()
            },
            None,
            10,
        )
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.replay_of == Some(first)));
    // One delivery of three attempts, resolved by the last.
    let of_r = hookbench::history::Filter {
        profile: Some("r".into()),
        env: None,
        ..Default::default()
    };
    let deliveries = store.page(&of_r, None, 10).unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!((deliveries[0].attempts, deliveries[0].resolved), (3, true));
    assert_eq!(deliveries[0].root, first);
}

#[tokio::test]
async fn a_record_received_while_the_receiver_view_queries_is_not_missed() {
    let port = support::closed_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ws = Workspace::new();
    let mut h = Harness::open_with(ws.path().to_path_buf(), 120, 40, Some(addr)).await;
    h.send(key(KeyCode::Char('3')));
    h.settle().await;
    h.until(|s| !s.history.loading).await;
    assert_eq!(h.app.state.history.total, 0);
    // A query starts and finishes before the record lands; its answer is
    // still queued when word of the record comes.
    h.app.state.reload_history();
    std::thread::sleep(Duration::from_millis(300));
    let id = {
        let mut s = Store::open(&ws.history()).unwrap();
        let mut ex = exchange("http://127.0.0.1/in", Some(200), "{}", 1_769_422_365);
        ex.origin = Origin::Received;
        s.insert(&ex).unwrap()
    };
    h.app
        .state
        .on_message(hookbench::tui::message::Message::Receiver(
            hookbench::tui::message::ReceiverMsg::Recorded {
                id: Some(id),
                verdict: None,
            },
        ));
    h.until(|s| !s.history.loading && s.history.total == 1)
        .await;
}

#[tokio::test]
async fn a_replay_from_the_workbench_gives_credentials_only_to_the_profiles_origin() {
    let crm = Server::start(Answer::status(200));
    let attacker = Server::start(Answer::status(200));
    // The records go to the attacker; the profile sends to the CRM.
    let ws = seeded(&attacker.url(""));
    ws.write(
        "hook.ron",
        &format!(
            r#"(name: "hook", method: POST, url: "{}/hooks", auth: Basic(username: "ops", password: "pw"))"#,
            crm.url("")
        ),
    );
    let mut h = open_history(&ws).await;
    h.send(key(KeyCode::Char('r')));
    h.until(|s| s.history.bulk.as_ref().is_some_and(|b| b.finished) && !s.history.loading)
        .await;
    let got = attacker.only();
    assert_eq!(got.header("authorization"), None, "{got:?}");
    let status = h.app.state.ui.status.text.clone();
    assert!(
        status.contains("credentials not sent") || h.screen().contains("credentials not sent"),
        "{status}\n{}",
        h.screen()
    );

    // m pointed at the CRM by hand: the user's choice, credentials go.
    h.send(key(KeyCode::Char('m')));
    h.settle().await;
    h.send(key(KeyCode::Home));
    h.send(ctrl('k'));
    h.type_text(&format!("POST {}/hooks", crm.url("")));
    h.send(ctrl('s'));
    h.until(|s| s.history.bulk.as_ref().is_some_and(|b| b.finished) && !crm.requests().is_empty())
        .await;
    assert_eq!(crm.only().header("authorization"), Some("Basic b3BzOnB3"));
}

#[tokio::test]
async fn records_are_newest_first_by_time_and_each_view_opens_on_its_newest() {
    let ws = seeded("http://127.0.0.1:9");
    let t0 = 1_769_422_365;
    {
        let mut store = Store::open(&ws.path().join(".data/history.sqlite")).unwrap();
        // Imported late, but older than every other record.
        store
            .insert(&exchange(
                "http://127.0.0.1:9/old",
                Some(200),
                "{}",
                t0 - 3600,
            ))
            .unwrap();
        // Received records: the newest of them is the last one.
        for (i, path) in ["/r1", "/r2"].iter().enumerate() {
            let mut x = exchange(
                &format!("http://127.0.0.1:9{path}"),
                Some(200),
                "{}",
                t0 + 10 + i as u64,
            );
            x.origin = Origin::Received;
            store.insert(&x).unwrap();
        }
    }
    let mut h = open_history(&ws).await;
    let order: Vec<i64> = h.app.state.history.rows.iter().map(|r| r.id).collect();
    assert_eq!(order, [3, 2, 6, 5, 1, 4], "newest first by time");
    // The chart covers every record shown: its span ends at the newest.
    let newest =
        hookbench::clock::rfc3339(UNIX_EPOCH + Duration::from_secs(t0 + 120)).replace('T', " ");
    assert!(
        h.screen().contains(&format!("… {newest}")),
        "{}",
        h.screen()
    );

    // Down to an old row, away and back after a new record: the new one
    // is shown, and selected.
    h.keys(&[KeyCode::Down, KeyCode::Down, KeyCode::Down]);
    h.send(key(KeyCode::Char('1')));
    h.settle().await;
    {
        let mut store = Store::open(&ws.path().join(".data/history.sqlite")).unwrap();
        store
            .insert(&exchange(
                "http://127.0.0.1:9/new",
                Some(200),
                "{}",
                t0 + 500,
            ))
            .unwrap();
    }
    h.send(key(KeyCode::Char('2')));
    h.until(|s| !s.history.loading && s.history.total == 7 && s.history.open.is_some())
        .await;
    assert_eq!(h.app.state.history.selected, 0);
    assert_eq!(h.app.state.history.open.as_ref().unwrap().record.id, 7);

    // The Receiver view opens on the newest received record.
    h.keys(&[KeyCode::Down, KeyCode::Down, KeyCode::Down, KeyCode::Down]);
    h.send(key(KeyCode::Char('3')));
    h.until(|s| !s.history.loading && s.history.total == 2 && s.history.open.is_some())
        .await;
    assert_eq!(h.app.state.history.open.as_ref().unwrap().record.id, 6);
}
