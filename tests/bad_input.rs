//! Bad input: one clear line with file:line:col, exit 2, no panic; one broken
//! profile never stops the others.

mod support;

use support::{Workspace, stderr, stdout};

/// Runs `fire --dry-run` on a profile text and returns (exit code, stderr).
fn fire_text(text: &str) -> (Option<i32>, String) {
    let ws = Workspace::new();
    ws.write("events/e.json", support::SIGNUP_EVENT);
    ws.write("p.ron", text);
    let out = ws.run(&["fire", "p", "--dry-run"], &[]);
    (out.status.code(), stderr(&out))
}

fn assert_one_line_at(text: &str, line: usize, col: usize, needle: &str) {
    let (code, err) = fire_text(text);
    assert_eq!(code, Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let first = err.lines().next().unwrap_or_default();
    let want = format!("p.ron:{line}:{col}: ");
    assert!(first.contains(&want), "want {want} in {first:?}");
    assert!(first.contains(needle), "want {needle:?} in {first:?}");
}

#[test]
fn malformed_ron_points_at_the_place() {
    assert_one_line_at(
        "(\n    name: \"x\",\n    method: POST\n    url: \"http://a/\",\n)",
        4,
        5,
        "expected",
    );
}

#[test]
fn unknown_field_is_an_error_not_ignored() {
    assert_one_line_at(
        "(\n    name: \"x\",\n    method: POST,\n    url: \"http://a/\",\n    tiemout_secs: 3,\n)",
        5,
        5,
        "tiemout_secs",
    );
}

#[test]
fn wrong_types_and_methods_are_named() {
    assert_one_line_at(
        "(name: \"x\", method: POST, url: \"http://a/\", timeout_secs: \"ten\")",
        1,
        58,
        "expected integer",
    );
    assert_one_line_at(
        "(name: \"x\", method: GET, url: \"http://a/\")",
        1,
        21,
        "GET",
    );
    assert_one_line_at(
        "(name: \"x\", method: POST, url: \"http://a/\", timeout_secs: 0)",
        1,
        45,
        "timeout_secs",
    );
}

#[test]
fn invalid_url_points_at_the_url() {
    assert_one_line_at(
        "(\n  name: \"x\",\n  method: POST,\n  url: \"ftp://a/b\",\n)",
        4,
        9,
        "not http or https",
    );
    assert_one_line_at(
        "(\n  name: \"x\",\n  method: POST,\n  url: \"http//missing-colon\",\n)",
        4,
        9,
        "invalid URL",
    );
}

#[test]
fn invalid_header_name_and_value_point_at_the_header() {
    assert_one_line_at(
        "(name: \"x\", method: POST, url: \"http://a/\",\n headers: [(\"Bad Name\", \"v\")])",
        2,
        14,
        "invalid header name",
    );
    assert_one_line_at(
        "(name: \"x\", method: POST, url: \"http://a/\",\n headers: [(\"X-A\", \"line\\nbreak\")])",
        2,
        21,
        "control character",
    );
}

#[test]
fn template_errors_point_inside_the_string() {
    assert_one_line_at(
        "(\n  name: \"x\",\n  method: POST,\n  url: \"http://a/\",\n  event: \"events/e.json\",\n  payload: {\"p\": \"plan {{event.profile.plann}}\"},\n)",
        6,
        24,
        "payload.p: `event.profile` has no key `plann`",
    );
    assert_one_line_at(
        "(name: \"x\", method: POST, url: \"http://a/{{env.HB_TEST_UNSET_VAR}}\")",
        1,
        42,
        "environment variable `HB_TEST_UNSET_VAR` is not set",
    );
    assert_one_line_at(
        "(name: \"x\", method: POST, url: \"http://a/{{event.x}}\")",
        1,
        42,
        "needs a sample event",
    );
    assert_one_line_at(
        "(name: \"x\", method: POST, url: \"http://a/{{oops}}\")",
        1,
        42,
        "unknown template",
    );
}

#[test]
fn missing_or_invalid_event_file() {
    assert_one_line_at(
        "(name: \"x\", method: POST, url: \"http://a/\", event: \"events/none.json\")",
        1,
        53,
        "cannot read event file",
    );
    let ws = Workspace::new();
    ws.write("events/bad.json", "{\n  \"a\": 1,\n  oops\n}");
    ws.write(
        "p.ron",
        "(name: \"x\", method: POST, url: \"http://a/\", event: \"events/bad.json\")",
    );
    let out = ws.run(&["fire", "p", "--dry-run"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.json:3:3: invalid JSON"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn validate_reports_every_broken_profile_and_checks_the_rest() {
    let ws = Workspace::new();
    ws.write("events/e.json", support::SIGNUP_EVENT);
    ws.write(
        "a-good.ron",
        "(name: \"good\", method: POST, url: \"http://a/\", event: \"events/e.json\")",
    );
    ws.write("b-broken.ron", "(name: \"broken\", method: POST,");
    ws.write(
        "c-template.ron",
        "(name: \"t\", method: PUT, url: \"http://a/\",\n event: \"events/e.json\",\n payload: {\"x\": \"{{event.nope}}\"})",
    );
    ws.write(
        "d-env.ron",
        "(name: \"env\", method: POST, url: \"http://a/\", auth: Token(token: \"{{env.HB_TEST_UNSET_TOKEN}}\"))",
    );
    let out = ws.run(&["validate"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("b-broken.ron:1:30: unexpected end"), "{err}");
    assert!(
        err.contains("c-template.ron:3:18: payload.x: `event` has no key `nope`"),
        "{err}"
    );
    assert!(
        err.contains("d-env.ron: note: needs environment variable HB_TEST_UNSET_TOKEN"),
        "{err}"
    );
    assert!(
        err.contains("4 profile(s) checked: 2 ok, 2 with problems"),
        "{err}"
    );
    let out_text = stdout(&out);
    assert!(out_text.contains("a-good.ron"), "{out_text}");
    assert!(out_text.contains("d-env.ron"), "{out_text}");

    // Named profiles only.
    let out = ws.run(&["validate", "a-good"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn shipped_profiles_all_validate() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/profiles");
    let config = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hookbench"))
        .args(["--profiles", dir, "validate"])
        .env("HOOKBENCH_CONFIG_DIR", config.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("0 with problems"), "{}", stderr(&out));
    // The Journey uses are covered, plus the local default, with every
    // credential a secret placeholder.
    let text = stdout(&out);
    for needle in [
        "Google Sheets: append a row",
        "HubSpot: create or update a contact",
        "Salesforce: create a contact",
        "Pipedrive: update a contact",
        "Mailchimp: add a subscriber",
        "Mailchimp: remove a subscriber",
        "SendGrid: add a subscriber",
        "SendGrid: remove a subscriber",
        "Internal API",
        "local-echo",
        "Stripe: payment_intent.succeeded",
        "GitHub: push",
        "Shopify: orders/create",
        "Slack: event_callback",
    ] {
        assert!(text.contains(needle), "{needle} missing from {text}");
    }
    for secret in [
        "GOOGLE_SHEETS_TOKEN",
        "HUBSPOT_TOKEN",
        "SALESFORCE_TOKEN",
        "PIPEDRIVE_API_TOKEN",
        "MAILCHIMP_API_KEY",
        "SENDGRID_API_KEY",
        "INTERNAL_API_KEY",
    ] {
        assert!(
            stderr(&out).contains(&format!("hookbench secret set {secret}")),
            "{secret} is not a secret placeholder: {}",
            stderr(&out)
        );
    }
    // Every method a webhook block sends is there.
    for method in ["POST", "PUT", "DELETE"] {
        let n = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
            .filter(|t| t.contains(&format!("method: {method},")))
            .count();
        assert!(n >= 2, "only {n} {method} profile(s)");
    }
}

#[test]
fn unknown_command_line_flags_exit_two() {
    let ws = Workspace::new();
    let out = ws.run(&["fire"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = ws.run(&["fire", "p", "--bogus"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_config_file_that_does_not_load_is_said_with_its_place_before_the_workbench_opens() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.config_dir()).unwrap();
    std::fs::write(
        ws.config_dir().join("config.ron"),
        "(\n    keys: {\"fyre\": [\"F5\"]},\n)",
    )
    .unwrap();
    let out = ws.run(&[], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("config.ron:2:13: `fyre` is not an action"),
        "{err}"
    );
    std::fs::write(
        ws.config_dir().join("config.ron"),
        "(theme: (accent: \"cyann\"))",
    )
    .unwrap();
    let err = stderr(&ws.run(&[], &[]));
    assert!(
        err.contains("config.ron:1:19: theme accent: `cyann` is not a colour"),
        "{err}"
    );
}
