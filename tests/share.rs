//! Shareable profiles: the secret store, share and import, curl both ways.
//! Real binaries (hookbench and curl), real files, a real local server.

mod support;

use std::path::Path;

use support::{Answer, Recorded, Server, Workspace, stderr, stdout};

const PASSWORD: &str = "pw-Literal-7731";
const API_KEY: &str = "key-Literal-5520";
const SIGNING: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// What a request is, for comparing: method, target, the headers that do
/// not depend on the sender, and the body.
fn essence(r: &Recorded) -> (String, String, Vec<(String, String)>, Vec<u8>) {
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    headers.sort();
    (r.method.clone(), r.target.clone(), headers, r.body.clone())
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn crm_profile(server: &Server) -> String {
    format!(
        r#"(
    name: "CRM lead",
    method: POST,
    url: "{}",
    auth: Basic(username: "ops", password: "{PASSWORD}"),
    headers: [("X-API-Key", "{API_KEY}"), ("X-Journey", "onboarding")],
    payload: {{"plan": "{{{{event.profile.plan}}}}", "source": "journey"}},
    event: "events/signup.json",
)"#,
        server.url("/crm/leads?src={{event.eventName}}")
    )
}

#[test]
fn secrets_are_set_from_stdin_listed_by_name_and_removed() {
    let ws = Workspace::new();
    let out = ws.run_with_input(&["secret", "set", "CRM_TOKEN"], "t0ken-value-1\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let file = ws.config_dir().join("secrets.ron");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let out = ws.run(&["secret", "list"], &[]);
    assert_eq!(stdout(&out), "CRM_TOKEN\n");
    assert!(!contains(&out.stderr, "t0ken"));

    // A secret in a header is sent, and masked in the dry run.
    let server = Server::start(Answer::status(200));
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}", headers: [("X-Custom", "v={{{{secret.CRM_TOKEN}}}}")])"#,
            server.url("/x")
        ),
    );
    let out = ws.run(&["fire", "p", "--dry-run"], &[]);
    assert!(
        stdout(&out).contains("X-Custom: v=[redacted]"),
        "{}",
        stdout(&out)
    );
    let out = ws.run(&["fire", "p"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.only().header("x-custom"), Some("v=t0ken-value-1"));
    assert!(!contains(
        &std::fs::read(ws.history()).unwrap(),
        "t0ken-value-1"
    ));

    let out = ws.run(&["secret", "rm", "CRM_TOKEN"], &[]);
    assert!(out.status.success());
    let out = ws.run(&["fire", "p", "--dry-run"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("hookbench secret set CRM_TOKEN"),
        "{}",
        stderr(&out)
    );
    let out = ws.run(&["secret", "set", "1BAD"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_secrets_file_others_can_read_is_refused_with_the_fix() {
    let ws = Workspace::new();
    let out = ws.run_with_input(&["secret", "set", "TOKEN"], "abc-123-secret");
    assert!(out.status.success());
    let file = ws.config_dir().join("secrets.ron");
    chmod(&file, 0o644);
    ws.write(
        "p.ron",
        r#"(name: "p", method: POST, url: "http://127.0.0.1:9/", auth: Token(token: "{{secret.TOKEN}}"))"#,
    );
    let out = ws.run(&["fire", "p", "--dry-run"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("chmod 600 {}", file.display())),
        "{err}"
    );
    assert!(!err.contains("abc-123-secret"));
    let out = ws.run(&["secret", "list"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("chmod 600"));
    // Nothing was changed by the refusal.
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("abc-123-secret")
    );
}

#[test]
fn a_shared_profile_imported_elsewhere_sends_the_same_request() {
    let server = Server::start(Answer::status(200));
    let sender = Workspace::new();
    sender.write("events/signup.json", support::SIGNUP_EVENT);
    sender.write("crm.ron", &crm_profile(&server));
    let mut signed = crm_profile(&server).trim_end_matches(')').to_string();
    signed.push_str(&format!(
        "    signing: StandardWebhooks(secret: \"{SIGNING}\"),\n)"
    ));
    sender.write("signed.ron", &signed);

    let out = sender.run(&["fire", "crm"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Share: one file, no credential in it, and the list of what to set.
    let shared = sender.path().join("crm.shared.ron");
    let out = sender.run(&["share", "crm", "-o", shared.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read(&shared).unwrap();
    for secret in [PASSWORD, API_KEY] {
        assert!(!contains(&text, secret), "{secret} in the shared file");
    }
    let err = stderr(&out);
    assert!(err.contains("hookbench secret set CRM_PASSWORD"), "{err}");
    assert!(err.contains("hookbench secret set CRM_X_API_KEY"), "{err}");
    let out = sender.run(&["share", "signed"], &[]);
    assert!(!contains(&out.stdout, SIGNING) && !contains(&out.stdout, "MfKQ9r8"));
    assert!(stdout(&out).contains("{{secret.SIGNED_SIGNING_SECRET}}"));

    // Import into an empty folder with its own config.
    let receiver = Workspace::new();
    std::fs::remove_dir(receiver.path().join("events")).unwrap();
    let out = receiver.run(&["import-profile", shared.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("hookbench secret set CRM_PASSWORD"));
    let imported = receiver.path().join("crm.ron");
    assert_eq!(stdout(&out).trim(), imported.display().to_string());
    // A second import never replaces the first.
    let out = receiver.run(&["import-profile", shared.to_str().unwrap()], &[]);
    assert!(out.status.success());
    assert!(receiver.path().join("crm-2.ron").exists());
    assert!(stderr(&out).contains("`CRM lead (2)`"), "{}", stderr(&out));

    for (name, value) in [("CRM_PASSWORD", PASSWORD), ("CRM_X_API_KEY", API_KEY)] {
        let out = receiver.run_with_input(&["secret", "set", name], value);
        assert!(out.status.success());
    }
    let out = receiver.run(&["import-profile", shared.to_str().unwrap()], &[]);
    assert!(stderr(&out).contains("every secret and variable it uses is set"));

    let out = receiver.run(&["fire", imported.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(essence(&seen[0]), essence(&seen[1]));
    assert_eq!(seen[1].header("x-api-key"), Some(API_KEY));

    let db = std::fs::read(receiver.history()).unwrap();
    let wal = std::fs::read(receiver.data_dir().join("history.sqlite-wal")).unwrap_or_default();
    for secret in [PASSWORD, API_KEY] {
        assert!(!contains(&db, secret) && !contains(&wal, secret));
    }
}

#[test]
fn an_invalid_profile_is_not_imported() {
    let ws = Workspace::new();
    let bad = ws.write("bad.ron", "(name: \"x\", method: POST, url: \"{{nope}}\")");
    let target = Workspace::new();
    let out = target.run(&["import-profile", bad.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.ron:1:"), "{}", stderr(&out));
    assert!(!target.path().join("bad.ron").exists());
}

#[test]
fn curl_sends_what_hookbench_sends_and_from_curl_gives_the_profile_back() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    let out = ws.run_with_input(&["secret", "set", "CRM_TOKEN"], "tok'en \"$x\" 1");
    assert!(out.status.success());
    ws.write(
        "crm.ron",
        &format!(
            r#"(
    name: "CRM",
    method: PUT,
    url: "{}",
    auth: Basic(username: "ops", password: "{{{{env.CRM_PW}}}}"),
    headers: [("X-Token", "Token {{{{secret.CRM_TOKEN}}}}"), ("X-Journey", "it's \"quoted\"")],
    payload: {{"plan": "{{{{event.profile.plan}}}}", "note": "a 'b' \"c\" $HOME"}},
    event: "events/signup.json",
)"#,
            server.url("/crm/leads/{{event.profile.email}}?src=journey")
        ),
    );
    let env = [("CRM_PW", "p@ss word")];
    let out = ws.run(&["fire", "crm"], &env);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = ws.run(&["curl", "crm"], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    let command = stdout(&out);
    assert!(
        !command.contains("p@ss") && !command.contains("tok'en"),
        "{command}"
    );
    assert!(command.contains("\"$CRM_TOKEN\"") && command.contains("\"$CRM_PW\""));
    assert!(stderr(&out).contains("CRM_TOKEN (secret)"));

    let curl = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{} -sS -o /dev/null", command.trim()))
        .env("CRM_PW", "p@ss word")
        .env("CRM_TOKEN", "tok'en \"$x\" 1")
        .output()
        .expect("curl runs");
    assert!(curl.status.success(), "{}", stderr(&curl));
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(essence(&seen[0]), essence(&seen[1]));

    // --reveal inlines the values instead.
    let out = ws.run(&["curl", "crm", "--reveal"], &env);
    assert!(stdout(&out).contains("p@ss") || stdout(&out).contains("Basic "));
    assert!(stdout(&out).contains("tok"));

    // from-curl of that command: a profile that sends the same again.
    let out = ws.run_with_input(&["from-curl", "--name", "back"], &command);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = stdout(&out).trim().to_string();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("{{secret.CRM_TOKEN}}"), "{text}");
    assert!(text.contains("{{env.CRM_PW}}"), "{text}");
    assert!(text.contains("Basic("), "{text}");
    let out = ws.run(&["fire", &path], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    assert_eq!(essence(&seen[0]), essence(&seen[2]));
}

#[test]
fn from_curl_reports_what_it_cannot_take() {
    let ws = Workspace::new();
    let out = ws.run(&["from-curl", "curl -F a=1 http://h/x"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("-F"), "{}", stderr(&out));
    let out = ws.run(
        &[
            "from-curl",
            "curl",
            "-X",
            "POST",
            "--json",
            "{\"a\":1}",
            "http://h/x",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn from_curl_reads_a_body_named_with_at_from_its_file() {
    let ws = Workspace::new();
    ws.write(
        "payload.json",
        "{\n  \"email\": \"maria@example.com\",\n  \"plan\": \"pro\"\n}\n",
    );
    let run = |command: &str| {
        ws.command(&["from-curl", command], &[])
            .current_dir(ws.path())
            .output()
            .unwrap()
    };
    for flag in ["-d", "--data-binary", "--json"] {
        let out = run(&format!(
            "curl -X PUT https://api.example.com/members -H 'Content-Type: application/json' {flag} @payload.json"
        ));
        assert!(out.status.success(), "{flag}: {}", stderr(&out));
        let path = stdout(&out).trim().to_string();
        let p = hookbench::profile::load(std::path::Path::new(&path))
            .unwrap()
            .profile;
        assert_eq!(p.payload["email"], "maria@example.com", "{flag}");
        assert_eq!(p.payload["plan"], "pro", "{flag}");
        std::fs::remove_file(&path).unwrap();
    }
    let out = run("curl -X POST https://api.example.com/x -d @-");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("reads the body from standard input"),
        "{}",
        stderr(&out)
    );
    let out = run("curl -X POST https://api.example.com/x -d @missing.json");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read missing.json"),
        "{}",
        stderr(&out)
    );
}

// ---- the same in the workbench ----------------------------------------

mod workbench {
    use super::*;
    use ratatui::crossterm::event::{Event, KeyCode::*};
    use support::tui::{Harness, ctrl, key};

    #[tokio::test]
    async fn share_writes_a_copy_without_credentials() {
        let server = Server::start(Answer::status(200));
        let ws = Workspace::new();
        ws.write("events/signup.json", support::SIGNUP_EVENT);
        ws.write("crm.ron", &crm_profile(&server));
        let mut h = Harness::open(ws.path().to_path_buf(), 120, 40).await;
        h.send(key(Char('S')));
        h.settle().await;
        assert!(
            h.screen().contains("Share: write the copy"),
            "{}",
            h.screen()
        );
        h.send(key(Enter));
        let target = ws.path().join("shared").join("crm.ron");
        h.until(|s| s.ui.status.text.starts_with("shared")).await;
        let text = std::fs::read(&target).unwrap();
        assert!(!contains(&text, PASSWORD) && !contains(&text, API_KEY));
        assert!(contains(&text, "sample_event"));
        assert!(
            h.app
                .state
                .ui
                .status
                .text
                .contains("CRM_PASSWORD, CRM_X_API_KEY"),
            "{}",
            h.app.state.ui.status.text
        );
    }

    #[tokio::test]
    async fn import_adds_the_profile_and_says_what_to_set() {
        let server = Server::start(Answer::status(200));
        let from = Workspace::new();
        from.write("events/signup.json", support::SIGNUP_EVENT);
        from.write("crm.ron", &crm_profile(&server));
        let shared = from.path().join("crm.shared.ron");
        let out = from.run(&["share", "crm", "-o", shared.to_str().unwrap()], &[]);
        assert!(out.status.success());

        let ws = Workspace::new();
        let mut h = Harness::open(ws.path().to_path_buf(), 120, 40).await;
        h.send(key(Char('i')));
        h.type_text(shared.to_str().unwrap());
        h.send(key(Enter));
        h.until(|s| s.ui.status.text.starts_with("imported")).await;
        assert!(ws.path().join("crm.ron").exists());
        assert_eq!(h.app.state.bench.entries.len(), 1);
        assert!(
            h.app.state.ui.status.text.contains("CRM_PASSWORD"),
            "{}",
            h.app.state.ui.status.text
        );
        // The form says which secret is missing, and how to set it.
        h.settle().await;
        let problems = format!("{:?}", h.app.state.bench.field_errors());
        assert!(
            problems.contains("hookbench secret set CRM_PASSWORD"),
            "{problems}"
        );
    }

    #[tokio::test]
    async fn secret_values_are_masked_until_revealed() {
        let ws = Workspace::new();
        let out = ws.run_with_input(&["secret", "set", "HOOK_TOKEN"], "zz-secret-value-42");
        assert!(out.status.success());
        ws.write(
            "p.ron",
            r#"(name: "p", method: POST, url: "http://127.0.0.1:9/x", headers: [("X-Custom", "t={{secret.HOOK_TOKEN}}")], payload: {"copy": "{{secret.HOOK_TOKEN}}"})"#,
        );
        let mut h = Harness::open(ws.path().to_path_buf(), 160, 40).await;
        h.until(|s| s.bench.preview.as_ref().is_some_and(|p| p.result.is_ok()))
            .await;
        let screen = h.screen();
        assert!(screen.contains("t=[redacted]"), "{screen}");
        assert!(!screen.contains("zz-secret"), "{screen}");
        h.send(key(Char('v')));
        h.settle().await;
        assert!(
            h.screen().contains("t=zz-secret-value-42"),
            "{}",
            h.screen()
        );
    }

    #[tokio::test]
    async fn a_pasted_curl_command_becomes_a_profile_that_fires() {
        let server = Server::start(Answer::status(200));
        let ws = Workspace::new();
        let mut h = Harness::open(ws.path().to_path_buf(), 120, 40).await;
        h.send(key(Char('n')));
        h.send(Event::Paste(format!(
            "curl -X PUT {} -H 'X-Journey: paste' -u ops:pw --json '{{\"plan\": \"pro\"}}'",
            server.url("/pasted")
        )));
        h.settle().await;
        assert_eq!(h.app.state.bench.entries.len(), 1, "{}", h.screen());
        h.send(key(Char('f')));
        h.until(|_| !server.requests().is_empty()).await;
        let r = server.only();
        assert_eq!((r.method.as_str(), r.target.as_str()), ("PUT", "/pasted"));
        assert_eq!(r.header("x-journey"), Some("paste"));
        assert_eq!(r.header("authorization"), Some("Basic b3BzOnB3"));
        assert_eq!(r.json()["plan"], "pro");
        // Ctrl-s keeps it as a file.
        h.send(ctrl('s'));
        h.until(|s| s.ui.status.text.starts_with("saved")).await;
        assert!(
            ws.path().read_dir().unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".ron"))
        );
    }
}
