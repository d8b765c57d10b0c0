//! The history against real SQLite files in temp dirs and real local
//! servers, through the real binary.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Answer, Server, Workspace, stderr, stdout};

fn workspace(url: &str) -> Workspace {
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    ws.write(
        "hook.ron",
        &format!(
            r#"(name: "hook", method: POST, url: "{url}",
               auth: Basic(username: "ops", password: "{{{{env.HB_TEST_PASS}}}}"),
               headers: [("X-API-Key", "{{{{env.HB_TEST_KEY}}}}"), ("X-Journey", "onboarding")],
               payload: {{"plan": "{{{{event.profile.plan}}}}"}}, event: "events/signup.json")"#
        ),
    );
    ws
}

const ENV: &[(&str, &str)] = &[
    ("HB_TEST_PASS", "s3cret-pass"),
    ("HB_TEST_KEY", "k3y-value"),
];

use support::history_json;

#[test]
fn fire_is_recorded_with_secrets_masked_in_an_owner_only_wal_file() {
    let server = Server::start(Answer::status(201));
    let ws = workspace(&server.url("/in"));
    let out = ws.run(&["fire", "hook"], ENV);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("(recorded as #1;"),
        "{}",
        stdout(&out)
    );

    let rows = history_json(&ws, &[]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], 1);
    assert_eq!(rows[0]["origin"], "fire");
    assert_eq!(rows[0]["profile"], "hook");
    assert_eq!(rows[0]["status"], 201);
    assert_eq!(rows[0]["path"], "/in");
    assert_eq!(rows[0]["failed"], false);

    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(ws.history())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    let dir_mode = std::fs::metadata(ws.data_dir())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700, "a folder of its owner only");
    let conn = rusqlite::Connection::open(ws.history()).unwrap();
    let jm: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(jm, "wal");
    drop(conn);

    // No credential in any byte of the database files.
    for suffix in ["", "-wal"] {
        let p = format!("{}{suffix}", ws.history().display());
        if let Ok(bytes) = std::fs::read(&p) {
            for secret in ["s3cret-pass", "k3y-value", "b3BzOnMzY3JldC1wYXNz"] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{secret} found in {p}"
                );
            }
        }
    }
    // --no-history records nothing.
    ws.run(&["fire", "hook", "--no-history"], ENV);
    assert_eq!(history_json(&ws, &[]).len(), 1);
}

#[test]
fn a_password_in_a_url_is_kept_out_of_the_history_and_not_replayed_masked() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    let url = server
        .url("/in")
        .replacen("http://", "http://ops:pw-in-url@", 1);
    let file = ws.write(
        "failed.jsonl",
        &format!(
            r#"{{"method":"POST","url":"{url}","headers":[["content-type","application/json"]],"body":"{{}}","status":500}}"#
        ),
    );
    let out = ws.run(&["import", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = ws.run(&["replay", "--failed"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not sent: the user and password in the URL"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.only().header("authorization"), None);
    // One delivery, two attempts: the import and its replay.
    assert_eq!(history_json(&ws, &[]).len(), 1);
    let rows = history_json(&ws, &["--attempts"]);
    assert_eq!(rows.len(), 2);
    for suffix in ["", "-wal"] {
        let p = format!("{}{suffix}", ws.history().display());
        if let Ok(bytes) = std::fs::read(&p) {
            assert!(
                !bytes.windows(9).any(|w| w == b"pw-in-url"),
                "the password is in {p}"
            );
        }
    }
}

#[test]
fn failed_deliveries_are_found_and_fixed_by_bulk_replay() {
    let server = Server::start(Answer::status(500));
    let ws = workspace(&server.url("/crm"));
    for _ in 0..3 {
        assert_eq!(ws.run(&["fire", "hook"], ENV).status.code(), Some(1));
    }
    server.set_answer(Answer::status(200));
    assert_eq!(ws.run(&["fire", "hook"], ENV).status.code(), Some(0));
    assert_eq!(history_json(&ws, &["--failed"]).len(), 3);
    assert_eq!(history_json(&ws, &["--status", "5xx"]).len(), 3);
    assert_eq!(history_json(&ws, &["--status", "2xx"]).len(), 1);

    let out = ws.run(&["replay", "--failed", "--dry-run"], ENV);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("would replay 3 record(s) to 127.0.0.1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.requests().len(), 4, "a dry run sends nothing");

    let out = ws.run(&["replay", "--failed"], ENV);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("now succeeding: 3, still failing: 0, errors: 0"),
        "{}",
        stderr(&out)
    );
    let seen = server.requests();
    assert_eq!(seen.len(), 7);
    // Credentials came back from the profile, not from the history.
    for r in &seen[4..] {
        assert_eq!(
            r.header("authorization"),
            Some("Basic b3BzOnMzY3JldC1wYXNz")
        );
        assert_eq!(r.header("x-api-key"), Some("k3y-value"));
        assert_eq!(r.json()["plan"], "free");
    }
    // Each replay is a new record linked to the one it replays.
    let replays = history_json(&ws, &["--status", "2xx"]);
    let mut links: Vec<i64> = replays
        .iter()
        .filter(|r| r["origin"] == "replay")
        .map(|r| r["replay_of"].as_i64().unwrap())
        .collect();
    links.sort();
    assert_eq!(links, [1, 2, 3]);
    // The originals are unchanged, and their deliveries are resolved now.
    assert_eq!(history_json(&ws, &["--failed", "--attempts"]).len(), 3);
    assert_eq!(history_json(&ws, &["--failed"]).len(), 0);
    assert_eq!(
        history_json(&ws, &["--failed", "--include-resolved"]).len(),
        3
    );
    // A second replay --failed sends nothing.
    let out = ws.run(&["replay", "--failed"], ENV);
    assert_eq!(server.requests().len(), 7, "{}", stderr(&out));
}

#[test]
fn replay_with_modifications_sends_the_edited_request() {
    let server = Server::start(Answer::status(200));
    let other = Server::start(Answer::status(200));
    let ws = workspace(&server.url("/orig?x=1"));
    ws.run(&["fire", "hook"], ENV);
    ws.write("body.json", r#"{"fixed": true}"#);
    let origin = format!("http://{}", other.addr);
    let out = ws.run(
        &[
            "replay",
            "1",
            "--url",
            &origin,
            "--header",
            "X-Journey: fixed",
            "--body-file",
            ws.path().join("body.json").to_str().unwrap(),
        ],
        ENV,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = other.only();
    assert_eq!(got.target, "/orig?x=1", "an origin keeps the path");
    assert_eq!(got.header("x-journey"), Some("fixed"));
    assert_eq!(got.json(), serde_json::json!({"fixed": true}));
    assert_eq!(got.header("host"), Some(other.addr.to_string().as_str()));
    assert_eq!(
        server.requests().len(),
        1,
        "the original target got only the fire"
    );
    // A URL with a path replaces the whole URL.
    ws.run(&["replay", "1", "--url", &other.url("/else")], ENV);
    assert_eq!(other.requests()[1].target, "/else");
}

#[test]
fn a_429_with_retry_after_slows_the_replay_down() {
    let server = Server::start(Answer::status(200));
    let ws = workspace(&server.url("/t"));
    for _ in 0..4 {
        ws.run(&["fire", "hook"], ENV);
    }
    server.set_answer(Answer {
        headers: vec![("retry-after".into(), "1".into())],
        ..Answer::status(429)
    });
    // After the first 429 the server recovers.
    let s2 = std::sync::Arc::new(server);
    let s3 = s2.clone();
    let flip = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(5);
        while s3.requests().len() < 5 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        s3.set_answer(Answer::status(200));
    });
    let started = Instant::now();
    let out = ws.run(&["replay", "1", "2", "3", "4", "--concurrency", "1"], ENV);
    flip.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
    assert!(
        stderr(&out).contains("waited out 1 answer(s) 429"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("now succeeding: 4"),
        "{}",
        stderr(&out)
    );
    // The 429 attempt is in the history too.
    assert_eq!(
        history_json(&ws, &["--status", "4xx", "--attempts"]).len(),
        1
    );
}

#[test]
fn the_rate_limit_spaces_requests() {
    let server = Server::start(Answer::status(200));
    let ws = workspace(&server.url("/r"));
    for _ in 0..6 {
        ws.run(&["fire", "hook", "--no-history"], ENV);
    }
    // Six records via import, to replay at 10 per second.
    let lines: String = (0..6)
        .map(|i| {
            format!(
                "{{\"method\": \"POST\", \"url\": \"{}\", \"body\": \"{i}\", \"status\": 500}}\n",
                server.url("/r")
            )
        })
        .collect();
    ws.write("six.jsonl", &lines);
    assert_eq!(
        ws.run(
            &["import", ws.path().join("six.jsonl").to_str().unwrap()],
            &[]
        )
        .status
        .code(),
        Some(0)
    );
    let started = Instant::now();
    let out = ws.run(
        &["replay", "--failed", "--rate", "10", "--concurrency", "6"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn jsonl_and_har_round_trip() {
    let server = Server::start(Answer {
        body: vec![0xff, 0x00, 0x01],
        ..Answer::status(502)
    });
    let ws = workspace(&server.url("/x?y=1"));
    ws.run(&["fire", "hook"], ENV);
    server.set_answer(Answer::status(200));
    ws.run(&["fire", "hook"], ENV);
    let refused = format!("http://127.0.0.1:{}/gone", support::closed_port());
    ws.run(&["fire", "hook", "--url", &refused], ENV);

    for format in ["jsonl", "har"] {
        let file = ws.path().join(format!("out.{format}"));
        let out = ws.run(
            &["export", "--format", format, "-o", file.to_str().unwrap()],
            &[],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains("s3cret-pass") && !text.contains("k3y-value"),
            "secrets masked"
        );

        let other = Workspace::new();
        let out = other.run(&["import", file.to_str().unwrap()], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("imported 3 deliveries"),
            "{}",
            stderr(&out)
        );
        let a = history_json(&ws, &[]);
        let b = history_json(&other, &[]);
        for (x, y) in a.iter().zip(&b) {
            // What the export wrote comes back: the origin and the
            // profile too.
            for k in [
                "method", "host", "path", "status", "error", "failed", "origin", "profile",
            ] {
                assert_eq!(x[k], y[k], "{format}: {k}");
            }
            assert_eq!(y["origin"], "fire");
            assert_eq!(y["profile"], "hook");
        }
        // Bodies survive, binary ones included.
        let again = other.path().join(format!("again.{format}"));
        other.run(
            &["export", "--format", format, "-o", again.to_str().unwrap()],
            &[],
        );
        let first = std::fs::read_to_string(&file).unwrap();
        let second = std::fs::read_to_string(&again).unwrap();
        let bodies = |t: &str| -> Vec<String> {
            let v: Vec<Value> = if format == "jsonl" {
                t.lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect()
            } else {
                serde_json::from_str::<Value>(t).unwrap()["log"]["entries"]
                    .as_array()
                    .unwrap()
                    .clone()
            };
            v.iter()
                .map(|e| {
                    if format == "jsonl" {
                        format!("{}|{}", e["body"], e["response_body"])
                    } else {
                        format!(
                            "{}|{}",
                            e["request"]["postData"]["text"], e["response"]["content"]["text"]
                        )
                    }
                })
                .collect()
        };
        assert_eq!(bodies(&first), bodies(&second), "{format}");
    }
}

#[test]
fn an_import_with_bad_lines_keeps_the_good_ones_and_names_the_bad() {
    let ws = Workspace::new();
    ws.write(
        "in.jsonl",
        "{\"method\": \"POST\", \"url\": \"http://a/1\", \"status\": 200}\n{oops\n\n{\"method\": \"POST\"}\n{\"method\": \"PUT\", \"url\": \"http://a/2\", \"error\": {\"kind\": \"timeout\", \"message\": \"slow\"}}\n",
    );
    let out = ws.run(
        &["import", ws.path().join("in.jsonl").to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("in.jsonl:2: invalid JSON"), "{err}");
    assert!(err.contains("in.jsonl:4: `url` is missing"), "{err}");
    assert!(
        err.contains("imported 2 deliveries as #1..#2; 2 bad line(s) skipped"),
        "{err}"
    );
    let rows = history_json(&ws, &[]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["error"], "timeout");
}

#[test]
fn a_corrupt_or_newer_database_is_reported_and_left_alone() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.data_dir()).unwrap();
    let garbage = b"this is not a database, and it must stay exactly like this".repeat(100);
    std::fs::write(ws.history(), &garbage).unwrap();
    let out = ws.run(&["history"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("not a usable hookbench history"), "{err}");
    assert!(err.contains("left as it is"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert_eq!(std::fs::read(ws.history()).unwrap(), garbage);

    std::fs::remove_file(ws.history()).unwrap();
    assert_eq!(ws.run(&["history"], &[]).status.code(), Some(0));
    let conn = rusqlite::Connection::open(ws.history()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let before = std::fs::read(ws.history()).unwrap();
    let out = ws.run(&["history"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("made by a newer hookbench (schema 99"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(ws.history()).unwrap(), before);
}

#[test]
fn killed_mid_replay_loses_nothing_finished_and_resumes_without_resending_successes() {
    let server = Server::start(Answer {
        delay: Duration::from_millis(15),
        ..Answer::status(200)
    });
    let ws = Workspace::new();
    let lines: String = (0..200)
        .map(|i| format!("{{\"method\": \"POST\", \"url\": \"{}\", \"body\": \"{{\\\"n\\\":{i}}}\", \"status\": 500}}\n", server.url("/k")))
        .collect();
    ws.write("many.jsonl", &lines);
    assert_eq!(
        ws.run(
            &["import", ws.path().join("many.jsonl").to_str().unwrap()],
            &[]
        )
        .status
        .code(),
        Some(0)
    );

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hookbench"))
        .args(["replay", "--failed", "--concurrency", "4"])
        .env("HOOKBENCH_DATA_DIR", ws.data_dir())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.requests().len() < 60 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let sent_before = server.requests().len();
    assert!(
        sent_before < 200,
        "killed before the end ({sent_before} sent)"
    );

    // Readable, and what it holds is whole.
    let conn = rusqlite::Connection::open(ws.history()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let recorded: i64 = conn
        .query_row(
            "SELECT count(*) FROM exchanges WHERE origin = 'replay' AND failed = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    assert!(
        recorded > 0 && recorded as usize <= sent_before,
        "{recorded} of {sent_before}"
    );

    let out = ws.run(&["replay", "--resume"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("replaying {} record(s)", 200 - recorded)),
        "{}",
        stderr(&out)
    );
    // Every record has exactly one successful replay in the run.
    let conn = rusqlite::Connection::open(ws.history()).unwrap();
    let (distinct, total): (i64, i64) = conn
        .query_row(
            "SELECT count(DISTINCT replay_of), count(*) FROM exchanges WHERE origin = 'replay' AND failed = 0",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((distinct, total), (200, 200));
    // Nothing recorded as succeeded was sent again: at most the requests
    // that were in flight, unrecorded, when the process died.
    let resent = server.requests().len() - 200;
    assert!(resent <= sent_before - recorded as usize, "{resent} resent");
    let out = ws.run(&["replay", "--resume"], &[]);
    assert!(
        stderr(&out).contains("nothing left to send"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_older_schema_is_migrated_and_keeps_its_records() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.data_dir()).unwrap();
    {
        let conn = rusqlite::Connection::open(ws.history()).unwrap();
        conn.execute_batch(hookbench::history::MIGRATIONS[0])
            .unwrap();
        conn.pragma_update(None, "application_id", 0x484B_4248)
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO exchanges (started_ms, origin, method, url, host, path, req_headers,
                req_body, status, elapsed_ms, failed)
             VALUES (1769422365000, 'fire', 'POST', 'http://a/x', 'a', '/x', '[]', x'', 503, 5, 1)",
            [],
        )
        .unwrap();
        // A received request of an older file kept its sender among its headers.
        conn.execute(
            "INSERT INTO exchanges (started_ms, origin, method, url, host, path, req_headers,
                req_body, status, elapsed_ms, failed)
             VALUES (1769422366000, 'received', 'POST', 'http://b/y', 'b', '/y',
                '[[\"host\",\"b\"],[\"x-hookbench-peer\",\"127.0.0.1:5000\"]]', x'', 200, 5, 0)",
            [],
        )
        .unwrap();
    }
    let rows = history_json(&ws, &["--failed"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], 503);
    let store = hookbench::history::Store::open(&ws.history()).unwrap();
    let received = store.get(2).unwrap().exchange;
    assert_eq!(received.peer.as_deref(), Some("127.0.0.1:5000"));
    assert_eq!(
        received.request.headers,
        vec![("host".to_string(), "b".to_string())]
    );
    drop(store);
    let conn = rusqlite::Connection::open(ws.history()).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, hookbench::history::SCHEMA_VERSION);
}

#[test]
fn bodies_over_the_cap_are_stored_cut_and_marked() {
    let server = Server::start(Answer {
        body: vec![b'x'; 5000],
        ..Answer::status(200)
    });
    let ws = workspace(&server.url("/big"));
    let out = ws.run(&["fire", "hook", "--body-cap", "1KiB"], ENV);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // What was shown is whole; what was stored is cut, and says so.
    assert!(stdout(&out).contains(&"x".repeat(5000)));
    let store = hookbench::history::Store::open(&ws.history()).unwrap();
    let resp = store.get(1).unwrap().exchange.response.unwrap();
    assert_eq!((resp.body.len(), resp.truncated), (1024, true));
    let out = ws.run(&["fire", "hook", "--body-cap", "lots"], ENV);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_request_body_cut_at_the_cap_is_not_replayed_as_if_it_were_whole() {
    let server = Server::start(Answer::status(500));
    let ws = workspace(&server.url("/big"));
    // The event makes a body over 1 KiB, so the record keeps it cut.
    let out = ws.run(
        &[
            "fire",
            "hook",
            "--body-cap",
            "1KiB",
            "--set",
            &format!("event.note={}", "n".repeat(2000)),
        ],
        ENV,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = ws.run(&["replay", "--failed"], ENV);
    let err = stderr(&out);
    assert!(err.contains("not replayed") && err.contains("#1"), "{err}");
    assert_eq!(server.requests().len(), 1, "nothing was sent again");
    // With a body given, it is sent.
    let body = ws.write("body.json", r#"{"plan":"pro"}"#);
    let out = ws.run(&["replay", "1", "--body-file", body.to_str().unwrap()], ENV);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.requests()[1].body, br#"{"plan":"pro"}"#);
}

#[test]
fn unchanged_replays_refer_to_the_payloads_once_kept_and_read_back_whole() {
    // A CRM that fails with a large JSON error report.
    let report: String = (0..4000)
        .map(|i| format!(r#"{{"field":"email_{i}","error":"rejected"}},"#))
        .collect();
    let answer = format!(r#"{{"errors":[{report}{{"needle":"zq-only-in-the-answer"}}]}}"#);
    let server = Server::start(Answer {
        body: answer.clone().into_bytes(),
        ..Answer::status(500)
    });
    let ws = workspace(&server.url("/in"));
    let out = ws.run(&["fire", "hook"], ENV);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let size = |ws: &Workspace| {
        let c = rusqlite::Connection::open(ws.history()).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        std::fs::metadata(ws.history()).unwrap().len()
    };
    let before = size(&ws);
    for _ in 0..10 {
        let out = ws.run(&["replay", "1"], ENV);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    }
    let grown = size(&ws) - before;
    // Ten replays of an 1 KB request answered with 170 KB: references.
    assert!(
        grown < 10 * 2048,
        "{grown} bytes for 10 replays of a {} B answer",
        answer.len()
    );
    let conn = rusqlite::Connection::open(ws.history()).unwrap();
    let refs: Vec<(Option<i64>, Option<i64>)> = conn
        .prepare("SELECT req_body_ref, resp_body_ref FROM exchanges ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(refs.len(), 11);
    assert!(refs[0].0.is_some() && refs[0].1.is_some(), "{refs:?}");
    assert!(refs.iter().all(|r| *r == refs[0]), "{refs:?}");
    // Kept compressed, and whole as every reader sees it.
    let stored: i64 = conn
        .query_row(
            "SELECT length(data) FROM blobs WHERE id = ?1",
            [refs[0].1],
            |r| r.get(0),
        )
        .unwrap();
    assert!(stored * 4 < answer.len() as i64, "{stored}");
    let out = ws.run(&["export", "--format", "jsonl"], &[]);
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 11);
    for l in &lines {
        assert_eq!(l["response_body"].as_str(), Some(answer.as_str()));
        assert_eq!(l["body"], lines[0]["body"]);
        assert!(l["body"].as_str().unwrap().contains("Signup Completed"));
    }
    // Text search looks into kept payloads, compressed or not.
    let found = history_json(&ws, &["--attempts", "--text", "zq-only-in-the-answer"]);
    assert_eq!(found.len(), 11);
    let found = history_json(&ws, &["--attempts", "--text", "Signup Completed"]);
    assert_eq!(found.len(), 11);
    assert!(history_json(&ws, &["--attempts", "--text", "zq-nowhere"]).is_empty());
}
