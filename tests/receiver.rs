//! The built-in receiver: the `listen` command and the library, with real
//! HTTP clients on 127.0.0.1.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::{Workspace, stderr};

use support::{listen, stop};

#[test]
fn listen_answers_as_scripted_prints_each_request_and_records_it() {
    let ws = Workspace::new();
    let (child, port) = listen(
        &ws,
        &[
            "--sequence",
            "500,200",
            "--json",
            "--header",
            "Retry-After: 3",
            "--max-body",
            "100",
        ],
    );

    ws.write("p.ron", &format!(r#"(name: "p", method: POST, url: "http://127.0.0.1:{port}/in?x=1", include_trigger: false, payload: {{"a": 1}})"#));
    let out = ws.run(&["fire", "p"], &[]);
    assert_eq!(out.status.code(), Some(1), "the first answer is a 500");
    assert!(
        support::stdout(&out).contains("< retry-after: 3"),
        "{}",
        support::stdout(&out)
    );
    assert_eq!(
        ws.run(&["fire", "p"], &[]).status.code(),
        Some(0),
        "then a 200"
    );
    // Over the cap: 413.
    ws.write("big.ron", &format!(r#"(name: "big", method: POST, url: "http://127.0.0.1:{port}/big", include_trigger: false, payload: {{"a": "{}"}})"#, "x".repeat(500)));
    let out = ws.run(&["fire", "big"], &[]);
    assert!(
        support::stdout(&out).contains("< 413 Payload Too Large"),
        "{}",
        support::stdout(&out)
    );

    let (status, out) = stop(child);
    assert!(status.success(), "Ctrl-C ends it cleanly: {status:?}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["method"], "POST");
    assert_eq!(lines[0]["path"], "/in?x=1");
    assert_eq!(lines[0]["body"], r#"{"a":1}"#);
    assert!(
        lines[0]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0] == "user-agent")
    );
    assert_eq!(lines[0]["status"], 500);
    assert_eq!(lines[1]["status"], 200);
    assert_eq!(lines[2]["status"], 413);

    // Recorded: three received, three fired.
    let out = ws.run(&["history", "--json"], &[]);
    let rows: Vec<serde_json::Value> = support::stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows.iter().filter(|r| r["origin"] == "received").count(),
        3,
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let ws = Workspace::new();
    let out = ws.run(&["listen", "--port", &port.to_string()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot listen on 127.0.0.1:"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_concurrent_requests_are_all_captured() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let receiver = hookbench::receiver::Receiver::start(
        "127.0.0.1:0".parse().unwrap(),
        hookbench::receiver::Script::default(),
        tx,
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = hookbench::history::Store::open(&dir.path().join("h.sqlite")).unwrap();
    let writer = hookbench::replay::Writer::spawn(store, None);
    let record = writer.sender();
    let collector = tokio::spawn(async move {
        let mut n = 0;
        while let Some(ex) = rx.recv().await {
            record.send(ex).unwrap();
            n += 1;
            if n == 2000 {
                break;
            }
        }
        n
    });
    let _ = hookbench::deliver::Deliverer::new().unwrap();
    let client = reqwest::Client::new();
    let url = format!("http://{}/load", receiver.addr);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..50 {
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..40 {
                let r = client
                    .post(&url)
                    .body(format!("{{\"t\":{t},\"i\":{i}}}"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n = tokio::time::timeout(Duration::from_secs(10), collector)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 2000);
    let (store, written) = writer.finish();
    assert_eq!(written.unwrap(), 2000);
    let filter = hookbench::history::Filter {
        origin: Some("received".into()),
        ..Default::default()
    };
    assert_eq!(store.count(&filter).unwrap(), 2000);
    eprintln!(
        "2000 requests captured and stored in {:?}",
        started.elapsed()
    );
}

#[test]
fn signed_deliveries_are_verified_and_a_wrong_secret_is_explained() {
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let ws = Workspace::new();
    let (child, port) = listen(&ws, &["--json", "--no-history", "--secret", SECRET]);

    ws.write(
        "good.ron",
        &format!(
            r#"(name: "good", method: POST, url: "http://127.0.0.1:{port}/s", include_trigger: false,
               payload: {{"a": 1}}, signing: StandardWebhooks(secret: "{{{{env.HB_WHSEC}}}}"))"#
        ),
    );
    let other = "whsec_YW5vdGhlciBrZXkgZm9yIHRlc3Rz";
    ws.write(
        "bad.ron",
        &format!(
            r#"(name: "bad", method: POST, url: "http://127.0.0.1:{port}/s", include_trigger: false,
               payload: {{"a": 1}}, signing: StandardWebhooks(secret: "{other}"))"#
        ),
    );
    let out = ws.run(&["fire", "good", "--dry-run"], &[("HB_WHSEC", SECRET)]);
    let text = support::stdout(&out);
    assert!(text.contains("> webhook-id: msg_"), "{text}");
    assert!(
        text.contains("> webhook-signature: [redacted]"),
        "masked: {text}"
    );
    assert!(!text.contains(SECRET));
    assert_eq!(
        ws.run(&["fire", "good"], &[("HB_WHSEC", SECRET)])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(ws.run(&["fire", "bad"], &[]).status.code(), Some(0));
    let out = ws.run(&["fire", "good"], &[]);
    assert_eq!(out.status.code(), Some(2), "an unset secret is bad input");
    assert!(stderr(&out).contains("good.ron:2:"), "{}", stderr(&out));
    // A replay of the good one is signed again: same message id, valid;
    // with --new-id (and an edited body), a new id, still valid.
    let out = ws.run(&["replay", "1"], &[("HB_WHSEC", SECRET)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not sent"), "{}", stderr(&out));
    ws.write("edited.json", r#"{"a": 2}"#);
    let edited = ws.path().join("edited.json");
    let out = ws.run(
        &[
            "replay",
            "1",
            "--new-id",
            "--body-file",
            edited.to_str().unwrap(),
        ],
        &[("HB_WHSEC", SECRET)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let (_, out) = stop(child);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0]["signature"], "valid");
    assert_eq!(lines[2]["signature"], "valid");
    assert_eq!(
        lines[3]["signature"], "valid",
        "an edited body is signed again"
    );
    assert_eq!(lines[3]["body"], r#"{"a": 2}"#);
    let id = |l: &serde_json::Value| {
        l["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0] == "webhook-id")
            .unwrap()[1]
            .clone()
    };
    assert_eq!(
        id(&lines[0]),
        id(&lines[2]),
        "a replay keeps the message id"
    );
    assert_ne!(id(&lines[0]), id(&lines[3]), "--new-id mints one");
    assert_eq!(lines[1]["signature"], "invalid");
    let why = &lines[1]["signature_explanation"];
    assert!(
        why["likely_cause"]
            .as_str()
            .unwrap()
            .contains("the secret differs"),
        "{why}"
    );
    assert!(
        why["signed_content"].as_str().unwrap().starts_with("msg_"),
        "{why}"
    );
    assert_eq!(why["received"].as_array().unwrap().len(), 1);
    assert_ne!(why["expected"][0], why["received"][0]);
}

#[test]
fn retries_follow_the_schedule_against_a_500_500_200_receiver_with_linked_records() {
    let ws = Workspace::new();
    let (child, port) = listen(&ws, &["--sequence", "500,500,200", "--no-history"]);
    ws.write(
        "r.ron",
        &format!(
            r#"(name: "r", method: POST, url: "http://127.0.0.1:{port}/r", include_trigger: false,
               signing: StandardWebhooks(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
               retry: (max_attempts: 5, backoff: Exponential(initial_ms: 200, max_ms: 1000), jitter: false))"#
        ),
    );
    let started = Instant::now();
    let out = ws.run(&["fire", "r"], &[]);
    let took = started.elapsed();
    stop(child);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("retrying up to 5 attempts; waits 200 ms, 400 ms, 800 ms, 1000 ms"),
        "{e}"
    );
    assert!(
        e.contains("attempt 1 of 5: 500 Internal Server Error"),
        "{e}"
    );
    assert!(e.contains("next in 200 ms"), "{e}");
    assert!(
        e.contains("attempt 2 of 5: 500 Internal Server Error"),
        "{e}"
    );
    assert!(e.contains("next in 400 ms"), "{e}");
    assert!(e.contains("attempt 3 of 5: 200 OK"), "{e}");
    assert!(
        took >= Duration::from_millis(600),
        "waited the schedule: {took:?}"
    );
    assert!(support::stdout(&out).contains("< 200 OK"));

    // Three records, the later two linked to the first.
    let out = ws.run(&["history", "--json", "--attempts"], &[]);
    let rows: Vec<serde_json::Value> = support::stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    let first_id = rows[2]["id"].clone();
    assert_eq!(rows[2]["origin"], "fire");
    assert_eq!(rows[2]["status"], 500);
    for r in &rows[..2] {
        assert_eq!(r["origin"], "retry");
        assert_eq!(r["replay_of"], first_id);
    }
    assert_eq!(rows[0]["status"], 200);
}

#[test]
fn a_4xx_is_never_retried_and_410_stops() {
    for (status, attempts) in [(404, 1), (410, 1), (503, 2)] {
        let ws = Workspace::new();
        let (child, port) = listen(&ws, &["--status", &status.to_string(), "--no-history"]);
        ws.write(
            "r.ron",
            &format!(
                r#"(name: "r", method: POST, url: "http://127.0.0.1:{port}/r",
                   retry: (max_attempts: 2, backoff: Fixed(ms: 10)))"#
            ),
        );
        let out = ws.run(&["fire", "r"], &[]);
        stop(child);
        assert_eq!(out.status.code(), Some(1));
        let n = stderr(&out).matches("attempt ").count();
        assert_eq!(n, attempts, "{status}: {}", stderr(&out));
    }
}

/// Waits for the child to end, at most 10 s.
fn wait_ended(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        assert!(Instant::now() < deadline, "Ctrl-C was not heard");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ctrl_c_is_heard_at_once_and_in_the_middle_of_traffic() {
    // Right after it says it listens.
    let ws = Workspace::new();
    let (mut child, _) = listen(&ws, &[]);
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    assert!(wait_ended(&mut child).success());

    // While requests keep coming.
    let (mut child, port) = listen(&ws, &[]);
    let sender = std::thread::spawn(move || {
        use std::io::{Read, Write};
        for _ in 0..2000 {
            let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
                return;
            };
            let _ = s.write_all(
                b"POST /x HTTP/1.1\r\nhost: h\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
            );
            let _ = s.read_to_end(&mut Vec::new());
        }
    });
    std::thread::sleep(Duration::from_millis(150));
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    assert!(wait_ended(&mut child).success());
    let _ = sender.join();
}

fn raw(port: u16) -> std::net::TcpStream {
    let s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Reads until the server closes the connection; how long that took.
fn closed_after(mut s: std::net::TcpStream) -> Duration {
    use std::io::Read;
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return start.elapsed(),
            Ok(_) => {}
        }
    }
}

fn exported(ws: &Workspace) -> Vec<serde_json::Value> {
    let out = ws.run(&["export", "--format", "jsonl"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn idle_and_half_sent_connections_are_closed_and_what_came_is_recorded() {
    use std::io::Write;
    let ws = Workspace::new();
    let (child, port) = listen(&ws, &["--idle-timeout", "1"]);
    // Connected, nothing sent.
    let idle = raw(port);
    // Headers half sent.
    let mut half_head = raw(port);
    half_head
        .write_all(b"POST /a HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    // A body shorter than its Content-Length, then silence.
    let mut stalled = raw(port);
    stalled
        .write_all(b"POST /stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
        .unwrap();
    // A body shorter than its Content-Length, then the sender leaves.
    let mut cut = raw(port);
    cut.write_all(b"POST /cut HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nabcde")
        .unwrap();
    cut.shutdown(std::net::Shutdown::Write).unwrap();
    // A chunked body with a chunk size that is not hex.
    let mut bad_chunk = raw(port);
    bad_chunk
        .write_all(b"POST /chunk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n")
        .unwrap();
    for (what, s) in [
        ("idle", idle),
        ("half headers", half_head),
        ("stalled body", stalled),
    ] {
        let t = closed_after(s);
        assert!(t < Duration::from_secs(5), "{what} held for {t:?}");
    }
    closed_after(cut);
    closed_after(bad_chunk);
    let (status, _) = stop(child);
    assert!(status.success());

    let records = exported(&ws);
    let find = |path: &str| {
        records
            .iter()
            .find(|r| r["url"].as_str().unwrap().ends_with(path))
            .unwrap_or_else(|| panic!("no record of {path}: {records:#?}"))
            .clone()
    };
    let stalled = find("/stalled");
    assert_eq!(stalled["body"], "0123456789");
    assert_eq!(stalled["error"]["kind"], "timeout", "{stalled}");
    let cut = find("/cut");
    assert_eq!(cut["body"], "abcde");
    assert_eq!(cut["error"]["kind"], "incomplete", "{cut}");
    let chunk = find("/chunk");
    assert_eq!(chunk["body"], "hello");
    assert_eq!(chunk["error"]["kind"], "incomplete", "{chunk}");
    for r in [&stalled, &cut, &chunk] {
        assert_ne!(r["status"], 413, "{r}");
    }
}

#[test]
fn connections_are_capped_and_stale_ones_do_not_stall_real_senders() {
    let ws = Workspace::new();
    let (child, port) = listen(
        &ws,
        &[
            "--idle-timeout",
            "1",
            "--max-connections",
            "4",
            "--no-history",
        ],
    );
    let hogs: Vec<_> = (0..20).map(|_| raw(port)).collect();
    let start = Instant::now();
    let status = ureq_post(port);
    assert_eq!(status, 200);
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
    drop(hogs);
    stop(child);
}

/// A POST with curl's wire form, by hand; the status of the answer.
fn ureq_post(port: u16) -> u16 {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s.write_all(
        b"POST /real HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn listen_json_masks_received_credentials_unless_revealed() {
    for reveal in [false, true] {
        let ws = Workspace::new();
        let mut args = vec!["--json", "--no-history"];
        if reveal {
            args.push("--reveal");
        }
        let (child, port) = listen(&ws, &args);
        let out = Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-X", "POST"])
            .args(["-H", "Authorization: Bearer recv-token-1"])
            .args(["-H", "X-API-Key: recv-key-2"])
            .args(["-H", "webhook-signature: v1,recv-sig-3"])
            .args(["--data-binary", r#"{"password":"recv-pw-4","plan":"pro"}"#])
            .arg(format!("http://127.0.0.1:{port}/hooks/x?token=recv-q-5"))
            .output()
            .unwrap();
        assert!(out.status.success());
        let (_, printed) = stop(child);
        for secret in [
            "recv-token-1",
            "recv-key-2",
            "recv-sig-3",
            "recv-pw-4",
            "recv-q-5",
        ] {
            assert_eq!(
                printed.contains(secret),
                reveal,
                "{secret} (reveal {reveal}): {printed}"
            );
        }
        assert!(printed.contains("pro"), "{printed}");
    }
}

#[test]
fn informational_statuses_are_not_answers() {
    let ws = Workspace::new();
    for args in [
        &["listen", "--status", "101"][..],
        &["listen", "--sequence", "200,199"],
    ] {
        let out = ws.run(args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("from 200 to 599"), "{}", stderr(&out));
    }
}

#[test]
fn values_of_the_secret_store_are_masked_in_what_arrives() {
    let ws = Workspace::new();
    let out = ws.run_with_input(&["secret", "set", "NOTE"], "store-val-61\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (child, port) = listen(&ws, &["--json"]);
    // A fire from this machine: the value in a plain header and the body.
    let out = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-H", "X-Note: store-val-61"])
        .args(["--data-binary", r#"{"note":"store-val-61"}"#])
        .arg(format!("http://127.0.0.1:{port}/x"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let (_, printed) = stop(child);
    assert!(printed.contains("/x"), "{printed}");
    assert!(!printed.contains("store-val-61"), "{printed}");
    let exported = exported(&ws);
    assert_eq!(exported.len(), 1);
    assert!(
        !exported[0].to_string().contains("store-val-61"),
        "{}",
        exported[0]
    );
}

#[test]
fn limits_of_zero_are_refused() {
    let ws = Workspace::new();
    for args in [
        &["listen", "--idle-timeout", "0"][..],
        &["listen", "--max-connections", "0"],
    ] {
        let out = ws.run(args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
