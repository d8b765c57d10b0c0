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
    // Said once: not again as credentials "with no profile to take them from".
    assert!(!err.contains("no profile to take them from"), "{err}");
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
        r#"{{"echo":"{escaped}","again":"{twice}","auth":"{}","token":"tok-echo-31","py":"p\u00ffy-echo-77"}}"#,
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
               payload: {{"note": "{{{{secret.WEIRD}}}}", "other": "{{{{secret.PY}}}}"}})"#,
            server.url("/in")
        ),
    );
    for (name, value) in [
        ("WEIRD", weird),
        ("PW", "pw-echo-55"),
        ("TOKEN", "tok-echo-31"),
        ("PY", "pÿy-echo-77"),
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
        "y-echo-77",
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

/// A history of `n` records with bodies large enough to fill many pages
/// (each its own: the same body twice is kept once).
fn filled_history(ws: &Workspace, n: usize) {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            let body = format!("{i:04}{}", "x".repeat(3000));
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

#[test]
fn an_unreadable_retry_after_is_ignored_with_a_warning() {
    for value in ["NaN", "inf", "-5", "1e3"] {
        let server = Server::start(Answer {
            headers: vec![("retry-after".into(), value.into())],
            ..Answer::status(429)
        });
        let ws = Workspace::new();
        ws.write(
            "hook.ron",
            &format!(
                r#"(name: "hook", method: POST, url: "{}", payload: {{}},
                   retry: (max_attempts: 2, backoff: Fixed(ms: 10), jitter: false))"#,
                server.url("/in")
            ),
        );
        let out = ws.run(&["fire", "hook"], &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{value}: {err}");
        assert!(!err.contains("panicked"), "{value}: {err}");
        assert!(
            err.contains(&format!("Retry-After `{value}` ignored")),
            "{value}: {err}"
        );
        assert_eq!(server.requests().len(), 2, "{value}");

        if value == "NaN" {
            // A replay waits out each 429 (a second when the header says
            // nothing usable), three times: once is enough here.
            let out = ws.run(&["replay", "1"], &[]);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{value}: {err}");
            assert!(!err.contains("panicked"), "{value}: {err}");
            assert!(
                err.contains("neither whole seconds nor an HTTP date"),
                "{value}: {err}"
            );
        }
    }
}

#[test]
fn hostile_numbers_and_dates_in_imports_are_bad_entries_not_crashes() {
    let ws = Workspace::new();
    let har = serde_json::json!({"log": {"entries": [
        {"startedDateTime": "2026-01-26T10:12:45Z", "time": 1e300,
         "request": {"method": "POST", "url": "http://a/x", "headers": []},
         "response": {"status": 200, "headers": [], "content": {"text": ""}}},
        {"startedDateTime": "2026-02-31T10:12:45Z", "time": 5,
         "request": {"method": "POST", "url": "http://a/y", "headers": []},
         "response": {"status": 200, "headers": [], "content": {"text": ""}}},
        {"startedDateTime": "2026-01-26T10:12:45+99:99", "time": 5,
         "request": {"method": "POST", "url": "http://a/z", "headers": []},
         "response": {"status": 200, "headers": [], "content": {"text": ""}}},
        {"startedDateTime": "2026-01-26T10:12:45Z", "time": 5,
         "request": {"method": "POST", "url": "http://a/ok", "headers": []},
         "response": {"status": 200, "headers": [], "content": {"text": ""}}}
    ]}});
    let file = ws.write("h.har", &har.to_string());
    let out = ws.run(&["import", file.to_str().unwrap()], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("entry 1: `time`"), "{err}");
    assert!(
        err.contains("entry 2:") && err.contains("entry 3:"),
        "{err}"
    );
    assert!(err.contains("imported 1 delivery"), "{err}");
    let out = ws.run(&["history", "--since", "18446744073709551615m"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--since"), "{}", stderr(&out));
}

#[test]
fn a_set_path_thousands_of_levels_deep_is_a_clear_error() {
    let ws = Workspace::new();
    hook(&ws, "http://127.0.0.1:9/x");
    let path = format!("event{}=1", ".a".repeat(20_000));
    let out = ws.run(&["fire", "hook", "--dry-run", "--set", &path], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{}", &err[..err.len().min(500)]);
    assert!(
        err.contains("20000 levels deep; at most 64"),
        "{}",
        &err[..err.len().min(500)]
    );
    assert!(err.len() < 400, "the whole path quoted back");
    let ok = format!("event{}=1", ".a".repeat(60));
    let out = ws.run(&["fire", "hook", "--dry-run", "--set", &ok], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_reader_that_goes_away_ends_a_command_quietly() {
    use std::process::Stdio;
    let ws = Workspace::new();
    for i in 0..40 {
        ws.write(&format!("p{i}.ron"), "(name: \"broken\"");
    }
    filled_history(&ws, 300);
    for args in [
        &["validate"][..],
        &["history", "--limit", "300"],
        &["export", "--format", "jsonl"],
    ] {
        // stdout closed before anything is written; stderr read.
        let mut child = ws
            .command(args, &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_ne!(
            out.status.code(),
            Some(101),
            "{args:?} panicked: {}",
            stderr(&out)
        );
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
        // Both closed (`2>&1 | head -1` once head is gone).
        let mut child = ws
            .command(args, &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_ne!(status.code(), Some(101), "{args:?} panicked");
    }
}

#[test]
fn from_curl_takes_one_quoted_command_then_its_own_options() {
    let ws = Workspace::new();
    let target = ws.path().join("x.ron");
    let out = ws.run(
        &[
            "from-curl",
            "curl -X POST https://x.example/y -d '{\"a\":1}'",
            "--name",
            "From X",
            "-o",
            target.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains("From X"), "{text}");
    let out = ws.run(&["from-curl", "curl -X POST https://x.example/y"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = ws.run(
        &["from-curl", "curl -X POST https://x.example/y", "--bogus"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--bogus"), "{}", stderr(&out));
}

#[test]
fn output_files_replace_only_regular_writable_files_unless_forced() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    hook(&ws, "http://127.0.0.1:9/x");
    let victim = ws.write("victim.txt", "keep me");
    let link = ws.path().join("link.ron");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let fifo = ws.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let readonly = ws.write("ro.ron", "old");
    std::fs::set_permissions(&readonly, std::fs::Permissions::from_mode(0o444)).unwrap();
    let targets = [
        (&link, "a symbolic link"),
        (&fifo, "a FIFO"),
        (&readonly, "a read-only file"),
        (&std::path::PathBuf::from("/dev/null"), "a device"),
    ];
    let commands = |to: &str| -> Vec<Vec<String>> {
        vec![
            vec!["share".into(), "hook".into(), "-o".into(), to.into()],
            vec![
                "export".into(),
                "--format".into(),
                "jsonl".into(),
                "-o".into(),
                to.into(),
            ],
            vec![
                "from-curl".into(),
                "curl -X POST https://x.example/y".into(),
                "-o".into(),
                to.into(),
            ],
        ]
    };
    for (target, what) in targets {
        for args in commands(target.to_str().unwrap()) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = ws.run(&args, &[]);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            let err = stderr(&out);
            assert!(
                err.contains(what) && err.contains("--force"),
                "{args:?}: {err}"
            );
        }
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert_eq!(std::fs::read_to_string(&readonly).unwrap(), "old");
    // --force puts a regular file in place of the link; what it pointed at
    // is left as it was.
    let out = ws.run(
        &["share", "hook", "-o", link.to_str().unwrap(), "--force"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_file()
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    // An export is request data: owner-only, written whole.
    let export_to = ws.path().join("out.jsonl");
    let out = ws.run(
        &[
            "export",
            "--format",
            "jsonl",
            "-o",
            export_to.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mode = std::fs::metadata(&export_to).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn header_values_with_line_breaks_or_nul_are_refused_where_they_come_in() {
    let ws = Workspace::new();
    // (A NUL cannot be an argument at all; imports can carry one.)
    for bad in ["X-A: one\rtwo", "X-A: one\ntwo"] {
        let out = ws.run(&["replay", "1", "--header", bad], &[]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            stderr(&out).contains("control character"),
            "{}",
            stderr(&out)
        );
        let out = ws.run(&["listen", "--header", bad], &[]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            stderr(&out).contains("control character"),
            "{}",
            stderr(&out)
        );
    }
    let line = serde_json::json!({"method": "POST", "url": "http://a/x",
        "headers": [["X-Ok", "1"], ["X-Evil", "a\r\nX-Injected: 1"]], "status": 200});
    let nul = serde_json::json!({"method": "POST", "url": "http://a/x",
        "headers": [["X-Nul", "a\u{0}b"]], "status": 200});
    let file = ws.write("bad.jsonl", &format!("{line}\n{nul}\n"));
    let out = ws.run(&["import", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad.jsonl:1:") && err.contains("X-Evil"),
        "{err}"
    );
    assert!(
        err.contains("bad.jsonl:2:") && err.contains("X-Nul"),
        "{err}"
    );
    let out = ws.run(&["history", "--json"], &[]);
    assert_eq!(
        stdout(&out).lines().count(),
        0,
        "recorded: {}",
        stdout(&out)
    );
}

#[test]
fn binary_request_bodies_and_origins_survive_export_and_import() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let ws = Workspace::new();
    let bytes = [0xff_u8, 0x00, 0xfe, b'{', 0x80];
    let lines = [
        serde_json::json!({"method": "POST", "url": "http://a/bin", "headers": [],
            "body": b64.encode(bytes), "body_encoding": "base64", "status": 500,
            "profile": "crm-push", "origin": "fire", "id": 7}),
        serde_json::json!({"method": "POST", "url": "http://a/bin", "headers": [],
            "body": "{}", "status": 200, "origin": "replay of #7", "id": 8}),
        serde_json::json!({"method": "POST", "url": "http://a/other", "headers": [],
            "body": "{}", "status": 200, "origin": "retry of #3", "id": 9}),
    ]
    .map(|l| l.to_string());
    import_jsonl(&ws, &lines);
    for format in ["har", "jsonl"] {
        let file = ws.path().join(format!("out.{format}"));
        let out = ws.run(
            &["export", "--format", format, "-o", file.to_str().unwrap()],
            &[],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let other = Workspace::new();
        // Records already there: ids in the new history differ.
        filled_history(&other, 3);
        let out = other.run(&["import", file.to_str().unwrap()], &[]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        let again = export(&other, "jsonl");
        let rows: Vec<serde_json::Value> = String::from_utf8(again)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .filter(|r: &serde_json::Value| r["url"].as_str().unwrap().starts_with("http://a/"))
            .collect();
        let by_url = |u: &str, origin_prefix: &str| {
            rows.iter()
                .find(|r| r["url"] == u && r["origin"].as_str().unwrap().starts_with(origin_prefix))
                .unwrap_or_else(|| panic!("{format}: {rows:#?}"))
                .clone()
        };
        let fire = by_url("http://a/bin", "fire");
        assert_eq!(fire["body_encoding"], "base64", "{format}: {fire}");
        assert_eq!(
            b64.decode(fire["body"].as_str().unwrap()).unwrap(),
            bytes,
            "{format}"
        );
        assert_eq!(fire["profile"], "crm-push", "{format}");
        let replay = by_url("http://a/bin", "replay");
        assert_eq!(
            replay["origin"],
            format!("replay of #{}", fire["id"]),
            "{format}"
        );
        // Its original was not exported: the origin stays, the link goes.
        assert_eq!(
            by_url("http://a/other", "retry")["origin"],
            "retry",
            "{format}"
        );
    }
}

#[test]
fn imported_fields_are_checked_before_they_reach_a_terminal() {
    let ws = Workspace::new();
    let base =
        serde_json::json!({"method": "POST", "url": "http://a/x", "headers": [], "status": 200});
    let with = |k: &str, v: serde_json::Value| {
        let mut l = base.clone();
        l[k] = v;
        l.to_string()
    };
    let lines = [
        with("method", "\u{1b}[2J\u{1b}]0;pwned\u{7}".into()),
        with("method", "".into()),
        with("profile", "\u{1b}[31mred".into()),
        with("elapsed_ms", (-5).into()),
        with("elapsed_ms", 1e308.into()),
        with("time", (-99_999_999_999_999_999i64).into()),
        with("response_headers", serde_json::json!([["X-A", "a\r\nb"]])),
        base.to_string(),
    ];
    let file = ws.write("in.jsonl", &(lines.join("\n") + "\n"));
    let out = ws.run(&["import", file.to_str().unwrap()], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for n in 1..=7 {
        assert!(err.contains(&format!("in.jsonl:{n}:")), "line {n}: {err}");
    }
    assert!(err.contains("imported 1 delivery"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    let har = serde_json::json!({"log": {"entries": [{
        "startedDateTime": "yesterday", "time": 5,
        "request": {"method": "POST", "url": "http://a/y", "headers": []},
        "response": {"status": 200, "headers": [], "content": {}}}]}});
    let file = ws.write("in.har", &har.to_string());
    let out = ws.run(&["import", file.to_str().unwrap()], &[]);
    assert!(
        stderr(&out).contains("`startedDateTime`"),
        "{}",
        stderr(&out)
    );
    let out = ws.run(&["history"], &[]);
    assert!(!out.stdout.contains(&0x1b), "{}", stdout(&out));
}

#[test]
fn a_profile_origin_made_of_a_secret_stays_masked_in_replay_warnings() {
    let attacker = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "crm-push.ron",
        r#"(name: "crm-push", method: POST, url: "http://{{secret.HOST}}.invalid/x",
           auth: Token(token: "{{secret.CRM_TOKEN}}"), payload: {})"#,
    );
    for (n, v) in [("HOST", "HostSecret44"), ("CRM_TOKEN", "tok-44")] {
        let out = ws.run_with_input(&["secret", "set", n], &format!("{v}\n"));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    import_jsonl(&ws, &[record_to(&attacker.url("/steal"))]);
    for args in [&["replay", "1", "--dry-run"][..], &["replay", "1"]] {
        let out = ws.run(args, &[]);
        let err = stderr(&out);
        assert!(err.contains("credentials not sent"), "{err}");
        assert!(!err.to_lowercase().contains("hostsecret44"), "{err}");
    }
    let to = format!("http://{}", attacker.addr);
    let out = ws.run(&["replay", "1", "--url", &to], &[]);
    assert!(
        !stderr(&out).to_lowercase().contains("hostsecret44"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn from_curl_keeps_insecure_and_refuses_a_header_with_a_line_break() {
    let ws = Workspace::new();
    let target = ws.path().join("k.ron");
    let out = ws.run(
        &[
            "from-curl",
            "curl -k -X POST https://x.example/y",
            "-o",
            target.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("insecure: true")
    );
    let out = ws.run(
        &[
            "from-curl",
            "curl",
            "-X",
            "POST",
            "-H",
            "X-A: one\rtwo",
            "https://x.example/y",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("control character"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn curl_says_when_a_value_would_break_the_json_body() {
    let ws = Workspace::new();
    ws.write(
        "q.ron",
        r#"(name: "q", method: POST, url: "https://x.example/y", payload: {"msg": "{{secret.QUOTED}}"})"#,
    );
    let out = ws.run_with_input(&["secret", "set", "QUOTED"], "say \"hi\"\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = ws.run(&["curl", "q"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`QUOTED` holds a quote"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("hi"), "{}", stdout(&out));
}

#[test]
fn small_errors_say_what_they_mean_in_one_line() {
    let ws = Workspace::new();
    hook(&ws, "http://127.0.0.1:9/x");
    let out = ws.run(&["replay", "--resume", "99"], &[]);
    assert!(
        stderr(&out).contains("no replay run #99"),
        "{}",
        stderr(&out)
    );
    let dir = ws.path().join("a-folder");
    std::fs::create_dir(&dir).unwrap();
    let out = ws.run(
        &[
            "export",
            "--format",
            "jsonl",
            "-o",
            dir.to_str().unwrap(),
            "--force",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a folder is never replaced"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("pass --force"), "{}", stderr(&out));
    let file = ws.write("not-a-folder", "x");
    let out = ws
        .command(
            &["history"],
            &[("HOOKBENCH_DATA_DIR", file.to_str().unwrap())],
        )
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(err.matches("exists").count(), 1, "{err}");
    ws.write(
        "bad-header.ron",
        "(name: \"b\", method: POST, url: \"http://a/\", headers: [(\"X\\nY\", \"1\")])",
    );
    let out = ws.run(&["validate", "bad-header"], &[]);
    let err = stderr(&out);
    assert!(err.lines().next().unwrap().contains(r"`X\nY`"), "{err}");
    assert!(!err.lines().any(|l| l.starts_with('Y')), "{err}");
}
