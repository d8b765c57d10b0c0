//! What hookbench promises: a credential goes only where its profile (or
//! the user) points it and is masked in every form it takes; no record is
//! lost; no input crashes it. Real servers on 127.0.0.1:0, real SQLite
//! files, the real binary.

mod support;

use std::path::Path;

use support::{Answer, Server, Workspace, stderr, stdout};

/// Every byte the data folder holds (history, its WAL, the log).
fn data_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.path().is_file() {
                all.extend(std::fs::read(e.path()).unwrap_or_default());
            }
        }
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Fails when any of `needles` is in `hay`, naming where.
#[track_caller]
fn assert_absent(what: &str, hay: &[u8], needles: &[&str]) {
    for n in needles {
        assert!(
            !contains(hay, n),
            "{what} holds `{n}`:\n{}",
            String::from_utf8_lossy(hay)
        );
    }
}

/// A profile that sends Basic auth and a token header to `url`, both from
/// the secret store.
fn crm_push(ws: &Workspace, url: &str) {
    ws.write(
        "crm-push.ron",
        &format!(
            r#"(name: "crm-push", method: POST, url: "{url}",
               auth: Basic(username: "ops", password: "{{{{secret.CRM_PASSWORD}}}}"),
               headers: [("X-API-Token", "{{{{secret.CRM_TOKEN}}}}")],
               payload: {{"plan": "pro"}})"#
        ),
    );
    let out = ws.run_with_input(&["secret", "set", "CRM_PASSWORD"], "crm-pass-9000\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = ws.run_with_input(&["secret", "set", "CRM_TOKEN"], "crm-token-7777\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

fn import_jsonl(ws: &Workspace, lines: &[String]) {
    let file = ws.write("import.jsonl", &(lines.join("\n") + "\n"));
    let out = ws.run(&["import", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

fn record_to(url: &str) -> String {
    serde_json::json!({
        "method": "POST", "url": url, "profile": "crm-push",
        "headers": [["Authorization", "Basic [redacted]"], ["X-API-Token", "[redacted]"],
                    ["content-type", "application/json"]],
        "body": "{\"plan\":\"pro\"}", "status": 500,
    })
    .to_string()
}

#[test]
fn a_replay_sends_a_profiles_credentials_only_to_the_profiles_origin() {
    let crm = Server::start(Answer::status(200));
    let attacker = Server::start(Answer::status(200));
    let ws = Workspace::new();
    crm_push(&ws, &crm.url("/leads"));
    import_jsonl(
        &ws,
        &[
            record_to(&attacker.url("/steal")),
            record_to(&crm.url("/leads")),
        ],
    );

    let out = ws.run(&["replay", "1", "2"], &[]);
    let err = stderr(&out);
    // The attacker's record goes out without the profile's credentials, and
    // the replay says so before sending.
    let got = attacker.only();
    assert_eq!(got.header("authorization"), None, "{got:?}");
    assert_eq!(got.header("x-api-token"), None, "{got:?}");
    let line = err
        .lines()
        .find(|l| l.contains("#1: profile `crm-push`'s credentials not sent"))
        .unwrap_or_else(|| panic!("no warning for #1:\n{err}"));
    assert!(line.contains(&attacker.addr.to_string()), "{line}");
    let warned_at = err.find(line).unwrap();
    let sending_at = err.find("replaying 2 record(s)").expect(&err);
    assert!(warned_at < sending_at, "said after sending:\n{err}");
    // The profile's own origin gets them.
    let ok = crm.only();
    assert_eq!(
        ok.header("authorization"),
        Some(support::basic("ops", "crm-pass-9000").as_str())
    );
    assert_eq!(ok.header("x-api-token"), Some("crm-token-7777"));
    assert!(!err.contains("#2: profile"), "{err}");
}

#[test]
fn url_points_a_replay_elsewhere_with_the_credentials_and_a_warning() {
    let crm = Server::start(Answer::status(200));
    let staging = Server::start(Answer::status(200));
    let ws = Workspace::new();
    crm_push(&ws, &crm.url("/leads"));
    import_jsonl(&ws, &[record_to(&crm.url("/leads"))]);
    let to = format!("http://{}", staging.addr);
    let out = ws.run(&["replay", "1", "--url", &to], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = staging.only();
    assert_eq!(got.header("x-api-token"), Some("crm-token-7777"));
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|l| l.contains("credentials go to")
                && l.contains(&format!("http://{}", staging.addr))),
        "{err}"
    );
    assert!(crm.requests().is_empty());
}

fn export(ws: &Workspace, format: &str) -> Vec<u8> {
    let out = ws.run(&["export", "--format", format], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    out.stdout
}

#[test]
fn every_form_of_a_secret_is_masked_in_output_history_and_exports() {
    // A secret with a quote and a backslash stands JSON-escaped in the
    // body; the answer echoes it, and the Basic and token credentials too.
    let weird = r#"se"c\ret-42"#;
    let escaped = r#"se\"c\\ret-42"#;
    let twice = r#"se\\\"c\\\\ret-42"#;
    let echo = format!(
        r#"{{"echo":"{escaped}","again":"{twice}","auth":"{}","token":"tok-echo-31"}}"#,
        support::basic("ops", "pw-echo-55")
    );
    let server = Server::start(Answer {
        body: echo.into_bytes(),
        ..Answer::status(200)
    });
    let ws = Workspace::new();
    ws.write(
        "weird.ron",
        &format!(
            r#"(name: "weird", method: POST, url: "{}",
               auth: Basic(username: "ops", password: "{{{{secret.PW}}}}"),
               headers: [("X-Ref", "{{{{secret.TOKEN}}}}")],
               payload: {{"note": "{{{{secret.WEIRD}}}}"}})"#,
            server.url("/in")
        ),
    );
    for (name, value) in [
        ("WEIRD", weird),
        ("PW", "pw-echo-55"),
        ("TOKEN", "tok-echo-31"),
    ] {
        let out = ws.run_with_input(&["secret", "set", name], &format!("{value}\n"));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let forms = [
        weird,
        escaped,
        twice,
        "pw-echo-55",
        "tok-echo-31",
        "b3BzOnB3LWVjaG8tNTU",
    ];
    for args in [&["fire", "weird"][..], &["fire", "weird", "--json"]] {
        let out = ws.run(args, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_absent("fire's output", &[out.stdout, out.stderr].concat(), &forms);
    }
    // What went out was the real thing.
    let sent = server.requests();
    assert_eq!(sent[0].json()["note"], weird);
    assert_eq!(sent[0].header("x-ref"), Some("tok-echo-31"));
    assert_absent("the history", &data_bytes(&ws.data_dir()), &forms);
    assert_absent("the JSON Lines export", &export(&ws, "jsonl"), &forms);
    assert_absent("the HAR export", &export(&ws, "har"), &forms);
    // --reveal shows them.
    let out = ws.run(&["fire", "weird", "--reveal"], &[]);
    assert!(contains(&out.stdout, escaped), "{}", stdout(&out));
}

#[test]
fn a_secret_in_the_host_or_port_is_masked_and_errors_name_the_template() {
    let ws = Workspace::new();
    ws.write(
        "host.ron",
        r#"(name: "host", method: POST, url: "http://{{secret.TENANT}}.invalid/x?q=1", payload: {})"#,
    );
    ws.write(
        "port.ron",
        r#"(name: "port", method: POST, url: "http://127.0.0.1:{{secret.PORT}}/x", payload: {})"#,
    );
    for (name, value) in [("TENANT", "TenantSecret99"), ("PORT", "notaport77")] {
        let out = ws.run_with_input(&["secret", "set", name], &format!("{value}\n"));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let forms = ["TenantSecret99", "tenantsecret99", "notaport77"];
    for args in [
        &["fire", "host"][..],
        &["fire", "host", "--json"],
        &["fire", "host", "--dry-run"],
    ] {
        let out = ws.run(args, &[]);
        assert_absent("fire's output", &[out.stdout, out.stderr].concat(), &forms);
    }
    assert_absent("the history", &data_bytes(&ws.data_dir()), &forms);
    assert_absent("the JSON Lines export", &export(&ws, "jsonl"), &forms);
    assert_absent("the HAR export", &export(&ws, "har"), &forms);

    let out = ws.run(&["fire", "port"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_absent("the error", err.as_bytes(), &forms);
    assert!(err.contains("{{secret.PORT}}"), "{err}");
    assert!(err.contains("port.ron:1:"), "{err}");
}

#[test]
fn literal_credentials_in_the_query_and_payload_are_masked_by_one_rule() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "lit.ron",
        &format!(
            r#"(name: "lit", method: POST, url: "{}?api_key=literal-key-123&plan=x",
               payload: {{"password": "literal-pw-456", "nested": {{"client_secret": "cs-789-x"}}, "plan": "pro"}})"#,
            server.url("/in")
        ),
    );
    let forms = ["literal-key-123", "literal-pw-456", "cs-789-x"];
    for args in [
        &["fire", "lit"][..],
        &["fire", "lit", "--json"],
        &["fire", "lit", "--dry-run"],
    ] {
        let out = ws.run(args, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let all = [out.stdout, out.stderr].concat();
        assert_absent("fire's output", &all, &forms);
        assert!(contains(&all, "pro"), "{}", String::from_utf8_lossy(&all));
    }
    assert_eq!(server.requests()[0].json()["password"], "literal-pw-456");
    assert_absent("the history", &data_bytes(&ws.data_dir()), &forms);
    assert_absent("the JSON Lines export", &export(&ws, "jsonl"), &forms);
    assert_absent("the HAR export", &export(&ws, "har"), &forms);
    // share and curl treat the same names as credentials.
    let out = ws.run(&["share", "lit"], &[]);
    assert_absent("share", &out.stdout, &forms);
}

fn hook(ws: &Workspace, url: &str) {
    ws.write(
        "hook.ron",
        &format!(r#"(name: "hook", method: POST, url: "{url}", payload: {{"plan": "pro"}})"#),
    );
}

#[test]
fn processes_opening_a_new_history_at_once_lose_no_record() {
    let server = Server::start(Answer::status(200));
    for round in 0..3 {
        let ws = Workspace::new();
        hook(&ws, &server.url("/in"));
        let children: Vec<_> = (0..10)
            .map(|_| {
                ws.command(&["fire", "hook"], &[])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "round {round}: {}",
                stderr(&out)
            );
            assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
        }
        let out = ws.run(&["history", "--json", "--limit", "100"], &[]);
        assert_eq!(stdout(&out).lines().count(), 10, "round {round}");
    }
}

/// A history of `n` records with bodies large enough to fill many pages.
fn filled_history(ws: &Workspace, n: usize) {
    let body = "x".repeat(3000);
    let lines: Vec<String> = (0..n)
        .map(|i| {
            serde_json::json!({"method": "POST", "url": format!("http://127.0.0.1:9/{i}"),
                "headers": [], "body": body, "status": 200})
            .to_string()
        })
        .collect();
    import_jsonl(ws, &lines);
}

#[test]
fn a_damaged_history_is_refused_by_every_command_before_anything_is_sent() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    hook(&ws, &server.url("/in"));
    filled_history(&ws, 200);
    // Garbage over pages in the middle of the file.
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(ws.history())
            .unwrap();
        f.seek(SeekFrom::Start(4096 * 40)).unwrap();
        f.write_all(&[0xA5; 4096 * 3]).unwrap();
    }
    let jsonl = ws.write(
        "more.jsonl",
        r#"{"method": "POST", "url": "http://a/", "status": 200}"#,
    );
    let runs: [&[&str]; 6] = [
        &["fire", "hook"],
        &["history"],
        &["replay", "1"],
        &["export", "--format", "jsonl"],
        &["import", jsonl.to_str().unwrap()],
        &["listen", "--port", "0"],
    ];
    let mut lines = Vec::new();
    for args in runs {
        let out = ws.run(args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.contains("not a usable hookbench history"),
            "{args:?}: {err}"
        );
        lines.push(err);
    }
    assert!(lines.windows(2).all(|w| w[0] == w[1]), "{lines:#?}");
    assert!(server.requests().is_empty(), "fire sent before refusing");
}

#[test]
fn a_record_that_cannot_be_written_is_an_error_not_a_warning() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    hook(&ws, &server.url("/in"));
    // A history that opens but cannot take a row: its table is replaced by
    // a view (the file stays ours and whole).
    let out = ws.run(&["history"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(ws.history()).unwrap();
    conn.execute_batch("DROP TABLE exchanges; CREATE TABLE exchanges (id INTEGER PRIMARY KEY, started_ms INTEGER NOT NULL CHECK (started_ms < 0));")
        .unwrap();
    drop(conn);
    let out = ws.run(&["fire", "hook"], &[]);
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("not recorded"), "{}", stderr(&out));
}
