//! `hookbench fire` end to end: the real binary against a real local server.

mod support;

use serde_json::{Value, json};
use support::{Answer, Server, Workspace, closed_port, stderr, stdout};

fn profile(url: &str, extra: &str) -> String {
    format!(
        r#"(
    name: "test",
    method: POST,
    url: "{url}",
    event: "events/signup.json",
    {extra}
)"#
    )
}

fn workspace_with(url: &str, extra: &str) -> Workspace {
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    ws.write("p.ron", &profile(url, extra));
    ws
}

#[test]
fn each_method_arrives_as_written() {
    let server = Server::start(Answer::status(200));
    for (method, include) in [
        ("POST", true),
        ("PUT", true),
        ("DELETE", true),
        ("PATCH", true),
    ] {
        let ws = Workspace::new();
        ws.write("events/signup.json", support::SIGNUP_EVENT);
        ws.write(
            "p.ron",
            &format!(
                r#"(name: "m", method: {method}, url: "{}", include_trigger: {include}, event: "events/signup.json")"#,
                server.url("/m")
            ),
        );
        let out = ws.run(&["fire", "p"], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let seen = server.requests();
    let methods: Vec<&str> = seen.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["POST", "PUT", "DELETE", "PATCH"]);
    // DELETE with the trigger included has a body, so it is sent.
    assert_eq!(seen[2].json()["eventName"], "Signup Completed");
}

#[test]
fn delete_with_an_empty_body_sends_none() {
    let server = Server::start(Answer::status(204));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "d", method: DELETE, url: "{}", include_trigger: false)"#,
            server.url("/contacts?ids=1")
        ),
    );
    let out = ws.run(&["fire", "p"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = server.only();
    assert_eq!(r.method, "DELETE");
    assert_eq!(r.target, "/contacts?ids=1");
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.header("content-length"), None);
}

#[test]
fn auth_forms_each_send_their_header() {
    let server = Server::start(Answer::status(200));
    let cases = [
        ("None", None, None),
        (
            r#"Basic(username: "ops", password: "{{env.T_PASS}}")"#,
            Some("authorization"),
            // base64("ops:s3cret")
            Some("Basic b3BzOnMzY3JldA=="),
        ),
        (
            r#"Token(token: "{{env.T_PASS}}")"#,
            Some("authorization"),
            Some("Bearer s3cret"),
        ),
        (
            r#"Token(token: "{{env.T_PASS}}", header: "X-API-Key", scheme: "")"#,
            Some("x-api-key"),
            Some("s3cret"),
        ),
        (
            r#"Token(token: "abc", header: "Authorization", scheme: "Token")"#,
            Some("authorization"),
            Some("Token abc"),
        ),
    ];
    for (auth, _, _) in &cases {
        let ws = workspace_with(&server.url("/a"), &format!("auth: {auth},"));
        let out = ws.run(&["fire", "p"], &[("T_PASS", "s3cret")]);
        assert_eq!(out.status.code(), Some(0), "{auth}: {}", stderr(&out));
        // The credential is masked in what is printed.
        assert!(!stdout(&out).contains("s3cret"), "{}", stdout(&out));
    }
    let seen = server.requests();
    assert_eq!(seen.len(), cases.len());
    assert_eq!(seen[0].header("authorization"), None);
    for (r, (_, header, value)) in seen.iter().zip(&cases).skip(1) {
        assert_eq!(r.header(header.unwrap()), *value);
    }
}

#[test]
fn custom_headers_arrive_in_order_and_disabled_ones_stay_home() {
    let server = Server::start(Answer::status(200));
    let ws = workspace_with(
        &server.url("/h"),
        r#"headers: [("X-Zeta", "1"), ("X-Alpha", "{{event.profile.plan}}"), ("X-Off", "no", false), ("X-Mid", "m"), ("Content-Type", "application/vnd.test+json")],"#,
    );
    let out = ws.run(&["fire", "p"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = server.only();
    let names: Vec<&str> = r
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| n.starts_with("x-"))
        .collect();
    assert_eq!(names, ["x-zeta", "x-alpha", "x-mid"]);
    assert_eq!(r.header("x-alpha"), Some("free"));
    assert_eq!(r.header("content-type"), Some("application/vnd.test+json"));
    assert_eq!(
        r.header("user-agent"),
        Some(concat!("hookbench/", env!("CARGO_PKG_VERSION")))
    );
}

#[test]
fn body_is_event_with_payload_on_top_and_templates_keep_types() {
    let server = Server::start(Answer::status(200));
    let ws = workspace_with(
        &format!(
            "{}/hooks/{{{{event.eventName}}}}?plan={{{{event.profile.plan}}}}",
            server.url("")
        ),
        r#"payload: {
        "plan": "pro",
        "profileId": "usr_override",
        "seats": "{{event.profile.seats}}",
        "items": "{{event.properties.items}}",
        "label": "seats={{event.profile.seats}}",
        "nested": {"first": "{{event.properties.items.0.sku}}", "list": [1, "{{event.profile.seats}}"]},
        "flag": true,
        "none": (),
    },"#,
    );
    let out = ws.run(&["fire", "p"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: payload key `profileId` replaces the event's `profileId`"),
        "{}",
        stderr(&out)
    );
    let r = server.only();
    assert_eq!(r.target, "/hooks/Signup%20Completed?plan=free");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body = r.json();
    // The event is there...
    assert_eq!(body["eventId"], "evt_1");
    assert_eq!(body["profile"]["email"], "maria@example.com");
    // ...with the payload on top, types kept where a value is one template.
    assert_eq!(body["plan"], "pro");
    assert_eq!(body["profileId"], "usr_override");
    assert_eq!(body["seats"], json!(3));
    assert_eq!(body["items"], json!([{"sku": "A-1"}, {"sku": "B-2"}]));
    assert_eq!(body["label"], "seats=3");
    assert_eq!(body["nested"], json!({"first": "A-1", "list": [1, 3]}));
    assert_eq!(body["flag"], json!(true));
    assert_eq!(body["none"], Value::Null);
    // Event keys keep their order and come first.
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "eventId");
    assert_eq!(keys[keys.len() - 1], "none");
}

#[test]
fn without_trigger_the_body_is_the_payload_alone() {
    let server = Server::start(Answer::status(200));
    let ws = workspace_with(
        &server.url("/p"),
        r#"include_trigger: false, payload: {"email": "{{event.profile.email}}"},"#,
    );
    let out = ws.run(&["fire", "p"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(server.only().json(), json!({"email": "maria@example.com"}));
}

#[test]
fn set_overrides_event_values() {
    let server = Server::start(Answer::status(200));
    let ws = workspace_with(
        &server.url("/s"),
        r#"payload: {"p": "{{event.profile.plan}}"},"#,
    );
    let out = ws.run(
        &[
            "fire",
            "p",
            "--set",
            "event.profile.plan=pro",
            "--set",
            "event.profile.seats=10",
            "--set",
            "event.extra={\"a\":[1]}",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let body = server.only().json();
    assert_eq!(body["p"], "pro");
    assert_eq!(body["profile"]["seats"], json!(10));
    assert_eq!(body["extra"], json!({"a": [1]}));

    let out = ws.run(&["fire", "p", "--set", "profile.plan=x"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("must start with `event.`"));
}

#[test]
fn url_flag_replaces_the_profile_url() {
    let server = Server::start(Answer::status(200));
    let ws = workspace_with(&format!("http://127.0.0.1:{}/never", closed_port()), "");
    let out = ws.run(&["fire", "p", "--url", &server.url("/instead?x=1")], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(server.only().target, "/instead?x=1");

    let out = ws.run(&["fire", "p", "--url", "not a url"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--url: invalid URL"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dry_run_sends_nothing_and_prints_the_request() {
    let server = Server::start(Answer::status(200));
    let ws = workspace_with(
        &server.url("/dry"),
        r#"auth: Basic(username: "ops", password: "hunter22"),"#,
    );
    let out = ws.run(&["fire", "p", "--dry-run"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("> POST {}", server.url("/dry"))),
        "{text}"
    );
    assert!(text.contains("> Authorization: Basic [redacted]"), "{text}");
    assert!(!text.contains("hunter22"));
    assert!(text.contains("\"eventName\":\"Signup Completed\""));
    assert!(server.requests().is_empty());

    let out = ws.run(&["fire", "p", "--dry-run", "--reveal", "--json"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["response"], Value::Null);
    let auth = v["request"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "Authorization")
        .unwrap();
    // base64("ops:hunter22")
    assert_eq!(auth[1], "Basic b3BzOmh1bnRlcjIy");
    assert!(server.requests().is_empty());
}

#[test]
fn json_output_has_the_documented_shape() {
    let server = Server::start(Answer {
        status: 201,
        body: br#"{"id":42}"#.to_vec(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("x-request-id".into(), "r-1".into()),
        ],
        delay: std::time::Duration::ZERO,
    });
    let ws = workspace_with(&server.url("/j"), "");
    let out = ws.run(&["fire", "p", "--json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["request"]["method"], "POST");
    assert_eq!(v["request"]["url"], server.url("/j"));
    assert!(v["request"]["headers"][0].is_array());
    assert!(v["request"]["body"].as_str().unwrap().contains("evt_1"));
    let resp = &v["response"];
    assert_eq!(resp["status"], 201);
    assert_eq!(resp["body"], r#"{"id":42}"#);
    assert_eq!(resp["truncated"], false);
    assert!(resp["elapsed_ms"].is_u64());
    assert!(
        resp["headers"]
            .as_array()
            .unwrap()
            .contains(&json!(["x-request-id", "r-1"]))
    );
    assert_eq!(v["error"], Value::Null);
}

#[test]
fn binary_response_body_is_base64_in_json() {
    let server = Server::start(Answer {
        status: 200,
        body: vec![0xff, 0xfe, 0x00, 0x41],
        headers: vec![("content-type".into(), "application/octet-stream".into())],
        delay: std::time::Duration::ZERO,
    });
    let ws = workspace_with(&server.url("/b"), "");
    let out = ws.run(&["fire", "p", "--json"], &[]);
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["response"]["body"], "//4AQQ==");
    assert_eq!(v["response"]["body_encoding"], "base64");
    let out = ws.run(&["fire", "p"], &[]);
    assert!(
        stdout(&out).contains("[4 B of binary data"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn exit_code_is_one_for_a_non_2xx_answer() {
    let server = Server::start(Answer::status(500));
    let ws = workspace_with(&server.url("/e"), "");
    let out = ws.run(&["fire", "p"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("< 500 Internal Server Error"),
        "{}",
        stdout(&out)
    );
    server.set_answer(Answer::status(404));
    assert_eq!(ws.run(&["fire", "p"], &[]).status.code(), Some(1));
    server.set_answer(Answer::status(204));
    assert_eq!(ws.run(&["fire", "p"], &[]).status.code(), Some(0));
}

#[test]
fn a_slow_server_is_a_classified_timeout() {
    let server = Server::start(Answer {
        delay: std::time::Duration::from_secs(4),
        ..Answer::status(200)
    });
    let ws = workspace_with(&server.url("/slow"), "timeout_secs: 1,");
    let started = std::time::Instant::now();
    let out = ws.run(&["fire", "p", "--json"], &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["error"]["kind"], "timeout");
    assert_eq!(v["response"], Value::Null);
}

#[test]
fn a_refused_connection_is_classified() {
    let ws = workspace_with(&format!("http://127.0.0.1:{}/x", closed_port()), "");
    let out = ws.run(&["fire", "p", "--json"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["error"]["kind"], "connection_refused");
    let out = ws.run(&["fire", "p"], &[]);
    assert!(
        stdout(&out).contains("! connection_refused"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn redirects_are_failures_unless_followed_and_never_carry_credentials_away() {
    let target = Server::start(Answer::status(200));
    let other_host = format!("http://localhost:{}/landed", target.addr.port());
    let redirector = Server::start(Answer {
        headers: vec![("location".into(), other_host)],
        ..Answer::status(307)
    });
    let auth = r#"auth: Token(token: "tok123", header: "X-API-Key", scheme: ""), headers: [("Authorization", "Bearer zzz")],"#;

    let ws = workspace_with(&redirector.url("/start"), auth);
    let out = ws.run(&["fire", "p"], &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a 3xx is a failure when not followed"
    );
    assert!(target.requests().is_empty());

    let ws = workspace_with(
        &redirector.url("/start"),
        &format!("{auth} follow_redirects: true,"),
    );
    let out = ws.run(&["fire", "p"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let landed = target.only();
    assert_eq!(landed.target, "/landed");
    assert_eq!(landed.method, "POST", "307 keeps the method");
    assert_eq!(landed.json()["eventId"], "evt_1");
    assert_eq!(landed.header("x-api-key"), None);
    assert_eq!(landed.header("authorization"), None);
    let first_hop = redirector.requests().pop().unwrap();
    assert_eq!(first_hop.header("x-api-key"), Some("tok123"));
}

#[test]
fn profiles_are_found_by_file_stem_name_or_path() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "crm-lead.ron",
        &format!(
            r#"(name: "CRM: create lead", method: POST, url: "{}")"#,
            server.url("/l")
        ),
    );
    for arg in [
        "crm-lead",
        "CRM: create lead",
        "crm: CREATE lead",
        ws.path().join("crm-lead.ron").to_str().unwrap(),
    ] {
        let out = ws.run(&["fire", arg], &[]);
        assert_eq!(out.status.code(), Some(0), "{arg}: {}", stderr(&out));
    }
    assert_eq!(server.requests().len(), 4);
    let out = ws.run(&["fire", "nope"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("available: crm-lead"),
        "{}",
        stderr(&out)
    );
}

/// hookbench outside the repository, in a home with nothing in it.
fn in_empty_home(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    let cwd = home.join("somewhere");
    std::fs::create_dir_all(&cwd).unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_hookbench"))
        .args(args)
        .current_dir(&cwd)
        .env("HOME", home)
        .env("HOOKBENCH_DATA_DIR", home.join("data"))
        .env("HOOKBENCH_CONFIG_DIR", home.join("config"))
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("HOOKBENCH_PROFILES")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn the_first_run_outside_the_repository_makes_the_profiles_folder_with_local_echo() {
    let home = tempfile::tempdir().unwrap();
    let out = in_empty_home(home.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // In the config folder given (HOOKBENCH_CONFIG_DIR), beside the secrets.
    let dir = home.path().join("config/profiles");
    assert!(
        stderr(&out).contains(&format!("first run: created {}", dir.display())),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("local-echo"), "{}", stdout(&out));
    use std::os::unix::fs::PermissionsExt;
    for f in [
        "local-echo.ron",
        "events/signup_completed.json",
        "environments/local.ron",
        "environments/staging.ron",
    ] {
        let mode = std::fs::metadata(dir.join(f)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    // It renders as shipped, sample event included; said once only.
    let out = in_empty_home(home.path(), &["fire", "local-echo", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Signup"), "{}", stdout(&out));
    // Its environments came along.
    let out = in_empty_home(
        home.path(),
        &["fire", "local-echo", "--dry-run", "--env", "staging"],
    );
    assert!(
        stdout(&out).starts_with("> POST http://127.0.0.1:8788/hooks/"),
        "{}",
        stdout(&out)
    );
    assert!(!stderr(&out).contains("first run"), "{}", stderr(&out));
    // A folder the user named is never made up.
    let out = in_empty_home(home.path(), &["--profiles", "nowhere", "validate"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!home.path().join("somewhere/nowhere").exists());
}

#[test]
fn a_mistyped_command_gets_the_right_one_suggested() {
    let home = tempfile::tempdir().unwrap();
    let out = in_empty_home(home.path(), &["fier", "local-echo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'fire'"), "{}", stderr(&out));
}
