//! Environments end to end: `{{var.NAME}}` from `environments/*.ron`,
//! `--env` on every command that renders a profile, per-environment
//! secrets, and `compare` against two real local servers.

mod support;

use serde_json::Value;
use support::{Answer, Server, Workspace, stderr, stdout};

/// A workspace with a profile whose base URL and list id are variables,
/// and `local` and `staging` environments pointing at the two servers.
fn two_environments(local: &Server, staging: &Server) -> Workspace {
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    std::fs::create_dir_all(ws.path().join("environments")).unwrap();
    ws.write(
        "crm.ron",
        r#"(
    name: "crm",
    method: POST,
    url: "{{var.BASE_URL}}/lists/{{var.LIST_ID}}?src={{event.eventName}}",
    variables: {"LIST_ID": "default-list", "REGION": "eu"},
    auth: Token(token: "{{secret.CRM_TOKEN}}"),
    headers: [("X-Trace", "{{uuid}}"), ("X-Region", "{{var.REGION}}")],
    payload: {"list": "{{var.LIST_ID}}", "sentAt": "{{now}}"},
    event: "events/signup.json",
)"#,
    );
    ws.write(
        "environments/local.ron",
        &format!(
            r#"(name: "local", variables: {{"BASE_URL": "{}", "LIST_ID": "local-list"}})"#,
            local.url("")
        ),
    );
    ws.write(
        "environments/staging.ron",
        &format!(
            r#"(name: "staging", variables: {{"BASE_URL": "{}", "REGION": "us"}})"#,
            staging.url("")
        ),
    );
    let out = ws.run_with_input(&["secret", "set", "CRM_TOKEN"], "plain-token\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    ws
}

fn dry_run_url(ws: &Workspace, args: &[&str]) -> String {
    let mut a = vec!["fire", "crm", "--dry-run"];
    a.extend_from_slice(args);
    let out = ws.run(&a, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    text.lines()
        .next()
        .unwrap()
        .trim_start_matches("> POST ")
        .to_string()
}

#[test]
fn variables_come_from_the_command_line_then_the_environment_then_the_profile() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(200)),
    );
    let ws = two_environments(&a, &b);
    // The environment's LIST_ID over the profile's.
    assert_eq!(
        dry_run_url(&ws, &["--env", "local"]),
        format!("{}/lists/local-list?src=Signup%20Completed", a.url(""))
    );
    // Staging has no LIST_ID: the profile's default.
    assert_eq!(
        dry_run_url(&ws, &["--env", "staging"]),
        format!("{}/lists/default-list?src=Signup%20Completed", b.url(""))
    );
    // --var over both; HOOKBENCH_ENV selects as --env does.
    let out = ws.run(
        &["fire", "crm", "--dry-run", "--var", "LIST_ID=cli list"],
        &[("HOOKBENCH_ENV", "local")],
    );
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("> POST {}/lists/cli%20list?", a.url(""))),
        "{text}"
    );
    // A variable's value is template text: its own literal text is not
    // escaped, the values inside it are.
    assert!(text.contains("\"list\":\"cli list\""), "{text}");
}

#[test]
fn a_missing_variable_names_the_environment_and_the_variables_it_has() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(200)),
    );
    let ws = two_environments(&a, &b);
    let out = ws.run(&["fire", "crm", "--dry-run"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    // Where (the profile's line and column) and what to do.
    assert!(err.contains("crm.ron:4:11:"), "{err}");
    assert!(
        err.contains("variable `BASE_URL` is not set and no environment is selected"),
        "{err}"
    );
    ws.write(
        "environments/bare.ron",
        r#"(name: "bare", variables: {"OTHER": "x"})"#,
    );
    let out = ws.run(&["fire", "crm", "--dry-run", "--env", "bare"], &[]);
    let err = stderr(&out);
    assert!(
        err.contains(
            "variable `BASE_URL` is not set in environment `bare` (it has LIST_ID, OTHER, REGION)"
        ),
        "{err}"
    );
    let out = ws.run(&["fire", "crm", "--dry-run", "--env", "prod"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no environment `prod`")
            && stderr(&out).contains("bare, local, staging"),
        "{}",
        stderr(&out)
    );
    // A broken environment file says where.
    ws.write(
        "environments/bad.ron",
        "(name: \"bad\",\n variables: {\"X\": 1})",
    );
    let out = ws.run(&["fire", "crm", "--dry-run", "--env", "bad"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("environments/bad.ron:2:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_secret_set_for_an_environment_is_used_there_and_the_plain_one_elsewhere() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(200)),
    );
    let ws = two_environments(&a, &b);
    let out = ws.run_with_input(
        &["secret", "set", "CRM_TOKEN", "--env", "staging"],
        "staging-token\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = ws.run_with_input(&["secret", "set", "CRM_TOKEN", "--env", "nope"], "x\n");
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown environment is refused"
    );
    let list = stdout(&ws.run(&["secret", "list"], &[]));
    assert!(list.contains("CRM_TOKEN  (environment staging)"), "{list}");
    assert!(!list.contains("staging-token"), "{list}");

    for (env, server, token) in [
        ("staging", &b, "staging-token"),
        ("local", &a, "plain-token"),
    ] {
        let out = ws.run(&["fire", "crm", "--env", env], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let got = server.only();
        assert_eq!(
            got.header("authorization"),
            Some(format!("Bearer {token}").as_str())
        );
        // Never on the screen.
        assert!(!stdout(&out).contains(token), "{}", stdout(&out));
    }
    // The history records each exchange's environment, and filters by it.
    let staging = support::history_json(&ws, &["--env", "staging"]);
    assert_eq!(staging.len(), 1);
    assert_eq!(staging[0]["env"], "staging");
    assert_eq!(support::history_json(&ws, &["--env", "local"]).len(), 1);
    let table = stdout(&ws.run(&["history"], &[]));
    assert!(
        table.contains("crm@staging") && table.contains("crm@local"),
        "{table}"
    );
}

#[test]
fn validate_checks_each_profile_in_each_environment_and_names_the_failing_ones() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(200)),
    );
    let ws = two_environments(&a, &b);
    let out = ws.run(&["validate"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("(crm) in local, staging"),
        "{}",
        stdout(&out)
    );
    ws.write(
        "environments/broken.ron",
        r#"(name: "broken", variables: {"LIST_ID": "x"})"#,
    );
    let out = ws.run(&["validate"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("environment `broken`"), "{err}");
    assert!(err.contains("failing: crm in broken"), "{err}");
    // One environment only.
    let out = ws.run(&["validate", "--env", "local"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("(crm) in local\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn curl_and_share_render_in_the_environment_and_share_takes_its_files_without_credentials() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(200)),
    );
    let ws = two_environments(&a, &b);
    let out = ws.run(&["curl", "crm", "--env", "staging"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&b.url("/lists/default-list")),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("$CRM_TOKEN"), "{}", stdout(&out));

    // A literal credential in an environment is not shared.
    ws.write(
        "environments/staging.ron",
        &format!(
            r#"(name: "staging", variables: {{"BASE_URL": "{}", "API_KEY": "hunter2-literal"}})"#,
            b.url("")
        ),
    );
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("crm.shared.ron");
    let out = ws.run(&["share", "crm", "-o", target.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("hookbench secret set API_KEY --env staging"),
        "{err}"
    );
    let staging = std::fs::read_to_string(out_dir.path().join("environments/staging.ron")).unwrap();
    assert!(!staging.contains("hunter2"), "{staging}");
    assert!(staging.contains("{{secret.API_KEY}}"), "{staging}");
    assert!(out_dir.path().join("environments/local.ron").is_file());

    // Imported elsewhere, the environments come along.
    let other = Workspace::new();
    let out = other.run(&["import-profile", target.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        other.path().join("environments/staging.ron").is_file(),
        "{}",
        stderr(&out)
    );
    let out = other.run(&["validate", "--env", "local"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_replay_renders_credentials_in_the_records_environment_unless_told_another() {
    let (a, b) = (
        Server::start(Answer::status(500)),
        Server::start(Answer::status(503)),
    );
    let ws = two_environments(&a, &b);
    let out = ws.run_with_input(
        &["secret", "set", "CRM_TOKEN", "--env", "staging"],
        "staging-token\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let out = ws.run(&["fire", "crm", "--env", "staging"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let id = support::history_json(&ws, &[])[0]["id"].as_i64().unwrap();
    b.set_answer(Answer::status(200));
    let out = ws.run(&["replay", &id.to_string()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = b.requests();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].header("authorization"), Some("Bearer staging-token"));
    // Named on the command line: that environment's credentials, and the
    // replay is recorded in it.
    let out = ws.run(
        &[
            "replay",
            &id.to_string(),
            "--env",
            "local",
            "--url",
            &b.url(""),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = b.requests();
    assert_eq!(got[2].header("authorization"), Some("Bearer plain-token"));
    assert_eq!(support::history_json(&ws, &["--env", "local"]).len(), 1);
    let out = ws.run(&["replay", &id.to_string(), "--env", "nope"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

fn compare(ws: &Workspace, extra: &[&str]) -> (i32, String, String) {
    let mut a = vec!["compare", "crm", "--env", "local", "--env", "staging"];
    a.extend_from_slice(extra);
    let out = ws.run(&a, &[]);
    (out.status.code().unwrap(), stdout(&out), stderr(&out))
}

#[test]
fn compare_sends_one_event_to_two_environments_and_says_how_they_differ() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(200)),
    );
    let ws = two_environments(&a, &b);
    // Alike: exit 0.
    let (code, out, err) = compare(&ws, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("same: one outcome class, equal response bodies"),
        "{out}"
    );
    // One event: the same ids and instant on both sides.
    let (l, r) = (a.only(), b.only());
    assert_eq!(l.header("x-trace"), r.header("x-trace"));
    assert_eq!(l.json()["sentAt"], r.json()["sentAt"]);
    assert_eq!(l.json()["list"], "local-list");
    assert_eq!(r.json()["list"], "default-list");
    // What differs in the requests is shown, credentials never.
    assert!(
        out.contains("~ $.list: \"local-list\" → \"default-list\""),
        "{out}"
    );
    assert!(out.contains("~ X-Region: eu → us"), "{out}");
    assert!(!out.contains("plain-token"), "{out}");

    // An answer that differs: exit 1, the difference shown.
    b.set_answer(Answer {
        body: br#"{"ok":false,"id":7}"#.to_vec(),
        ..Answer::status(500)
    });
    a.set_answer(Answer {
        body: br#"{"ok":true,"id":6}"#.to_vec(),
        ..Answer::status(200)
    });
    let (code, out, _) = compare(&ws, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("~ outcome: 200 OK → 500 Internal Server Error"),
        "{out}"
    );
    assert!(out.contains("~ $.ok: true → false"), "{out}");
    assert!(
        out.contains("different: the outcomes differ (2xx, 5xx)"),
        "{out}"
    );

    // Same status, bodies differ only at an ignored key: alike.
    b.set_answer(Answer {
        body: br#"{"ok":true,"id":7}"#.to_vec(),
        ..Answer::status(201)
    });
    let (code, out, _) = compare(&ws, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("the response bodies differ in 1 place(s)"),
        "{out}"
    );
    let (code, out, _) = compare(&ws, &["--ignore", "id"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1 difference(s) at the --ignore paths left out"),
        "{out}"
    );

    // As data, and recorded as a pair that points both ways.
    let (code, out, _) = compare(&ws, &["--json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["same"], false);
    assert_eq!(v["differences"]["response_body"][0]["at"], "$.id");
    let (l, r) = (
        v["left"]["id"].as_i64().unwrap(),
        v["right"]["id"].as_i64().unwrap(),
    );
    let rows = support::history_json(&ws, &[]);
    let row = |id: i64| rows.iter().find(|x| x["id"] == id).unwrap().clone();
    assert_eq!(row(l)["compared_with"], r);
    assert_eq!(row(r)["compared_with"], l);
    assert_eq!(row(l)["env"], "local");
    assert_eq!(row(r)["env"], "staging");

    // Bad input: exit 2.
    for bad in [
        vec!["compare", "crm", "--env", "local"],
        vec!["compare", "crm", "--env", "local", "--env", "local"],
        vec!["compare", "crm", "--env", "local", "--env", "prod"],
    ] {
        assert_eq!(ws.run(&bad, &[]).status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn what_a_newcomer_got_wrong_is_said_plainly() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(200)),
    );
    let ws = two_environments(&a, &b);

    // Two files that name one environment: which is meant is not guessed.
    ws.write(
        "environments/dup.ron",
        r#"(name: "staging", variables: {"BASE_URL": "http://127.0.0.1:9"})"#,
    );
    let out = ws.run(&["fire", "crm", "--dry-run", "--env", "staging"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is also named in"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(ws.path().join("environments/dup.ron")).unwrap();

    // From HOOKBENCH_ENV, the error says so.
    let out = ws.run(
        &["fire", "crm", "--dry-run"],
        &[("HOOKBENCH_ENV", "stagin")],
    );
    assert!(
        stderr(&out).contains("HOOKBENCH_ENV=stagin: no environment"),
        "{}",
        stderr(&out)
    );

    // A loop of variables is named as one, in its environment.
    ws.write(
        "environments/loop.ron",
        r#"(name: "loop", variables: {"BASE_URL": "{{var.A}}", "A": "{{var.B}}", "B": "{{var.A}}"})"#,
    );
    let out = ws.run(&["fire", "crm", "--dry-run", "--env", "loop"], &[]);
    let err = stderr(&out);
    assert!(
        err.contains("variables A, B refer to each other (A -> B -> A)")
            && err.contains("(in environment loop)"),
        "{err}"
    );
    std::fs::remove_file(ws.path().join("environments/loop.ron")).unwrap();

    // A filter on an environment no record was sent in says what there is.
    let out = ws.run(&["fire", "crm", "--env", "local"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = ws.run(&["history", "--env", "stagin"], &[]);
    assert!(
        stderr(&out).contains("no record was sent in environment `stagin`; the history has local"),
        "{}",
        stderr(&out)
    );

    // A credential in the profile's own defaults is not shared either, and
    // an import lists the secrets each environment needs.
    let p = std::fs::read_to_string(ws.path().join("crm.ron")).unwrap();
    ws.write(
        "crm.ron",
        &p.replace(
            r#""REGION": "eu"}"#,
            r#""REGION": "eu", "API_TOKEN": "abc123-literal"}"#,
        )
        .replace(
            r#"("X-Region", "{{var.REGION}}")"#,
            r#"("X-Region", "{{var.REGION}}"), ("X-Api-Token", "{{var.API_TOKEN}}")"#,
        ),
    );
    ws.write(
        "environments/staging.ron",
        &format!(
            r#"(name: "staging", variables: {{"BASE_URL": "{}", "API_TOKEN": "stg-literal"}})"#,
            b.url("")
        ),
    );
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("crm.ron");
    let out = ws.run(&["share", "crm", "-o", target.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shared = std::fs::read_to_string(&target).unwrap();
    assert!(!shared.contains("abc123"), "{shared}");
    let env = std::fs::read_to_string(out_dir.path().join("environments/staging.ron")).unwrap();
    assert!(!env.contains("stg-literal"), "{env}");
    let other = Workspace::new();
    let out = other.run(&["import-profile", target.to_str().unwrap()], &[]);
    let err = stderr(&out);
    assert!(
        err.contains("hookbench secret set API_TOKEN --env staging"),
        "{err}"
    );
    assert!(
        err.contains("hookbench secret set CRM_API_TOKEN\n"),
        "{err}"
    );
    assert!(err.contains("hookbench secret set CRM_TOKEN\n"), "{err}");
}
