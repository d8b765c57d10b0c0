//! The workbench through ratatui's TestBackend, driving the real loop with
//! injected keys, against real local servers and real files.

mod support;

use hookbench::tui::draft::Field;

use std::time::Duration;

use ratatui::crossterm::event::KeyCode::{self, Backspace, Down, Enter, Esc, Tab, Up};
use support::tui::{Harness, click, ctrl, key, snapshot};
use support::{Answer, Server, Workspace};

fn profile_text(base: &str) -> String {
    format!(
        r#"(
    name: "hook",
    method: POST,
    url: "{base}/hooks/{{{{event.eventName}}}}",
    auth: Basic(username: "ops", password: "pw123"),
    headers: [("X-Journey", "onboarding")],
    payload: {{"plan": "{{{{event.profile.plan}}}}"}},
    event: "events/signup.json",
)
"#
    )
}

fn workspace(base: &str) -> Workspace {
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    ws.write("hook.ron", &profile_text(base));
    ws
}

async fn open(ws: &Workspace) -> Harness {
    Harness::open(ws.path().to_path_buf(), 120, 40).await
}

// ---- snapshots of the main states ------------------------------------

#[tokio::test]
async fn snapshot_empty_profiles_dir() {
    let ws = Workspace::new();
    let h = open(&ws).await;
    assert!(h.screen().contains("no profiles yet"));
    snapshot("empty_dir", &h, None);
}

#[tokio::test]
async fn snapshot_profile_list_with_a_broken_file() {
    let ws = workspace("http://127.0.0.1:9");
    ws.write(
        "another.ron",
        r#"(name: "another", method: PUT, url: "http://127.0.0.1:9/x", include_trigger: false)"#,
    );
    ws.write("broken.ron", "(name: \"broken\", method: GET, url: \"x\")");
    let h = open(&ws).await;
    let screen = h.screen();
    assert!(screen.contains("!error  broken.ron"), "{screen}");
    assert!(screen.contains("3 profile(s)"), "{screen}");
    snapshot("profile_list", &h, None);
}

#[tokio::test]
async fn snapshot_editor_with_an_inline_error() {
    let ws = workspace("http://127.0.0.1:9");
    let mut h = open(&ws).await;
    // Editor, to Timeout, type something that is not a number.
    h.goto(Field::Timeout).await;
    h.send(key(Enter));
    h.send(ctrl('j'));
    h.type_text("soon");
    h.send(key(Enter));
    h.settle().await;
    let screen = h.screen();
    assert!(
        screen.contains("`soon` is not a number of seconds"),
        "{screen}"
    );
    snapshot("editor_inline_error", &h, None);
}

#[tokio::test]
async fn snapshot_preview_with_a_template_error() {
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    ws.write(
        "t.ron",
        r#"(name: "t", method: POST, url: "http://127.0.0.1:9/{{event.profile.plann}}", event: "events/signup.json")"#,
    );
    let h = open(&ws).await;
    let screen = h.screen();
    assert!(screen.contains("cannot build the request"), "{screen}");
    assert!(screen.contains("no key `plann`"), "{screen}");
    snapshot("preview_template_error", &h, None);
}

#[tokio::test]
async fn snapshot_inspector_after_a_fire() {
    let server = Server::start(Answer::status(201));
    let ws = workspace(&server.url(""));
    let mut h = open(&ws).await;
    h.send(key(KeyCode::Char('f')));
    h.until_answered().await;
    let screen = h.screen();
    assert!(screen.contains("201 Created"), "{screen}");
    assert!(screen.contains("Request · as sent"), "{screen}");
    assert!(
        screen.contains("Authorization: Basic [redacted]"),
        "{screen}"
    );
    assert!(!screen.contains("pw123"));
    snapshot("inspector_after_fire", &h, Some(server.addr.port()));
}

#[tokio::test]
async fn snapshot_help_overlay_lists_the_key_table() {
    let ws = workspace("http://127.0.0.1:9");
    let mut h = open(&ws).await;
    h.send(key(KeyCode::Char('?')));
    h.settle().await;
    let screen = h.screen();
    // Every binding of the table that fits is listed.
    for b in hookbench::tui::keys::BINDINGS.iter().take(25) {
        assert!(screen.contains(b.help), "{} missing:\n{screen}", b.help);
    }
    snapshot("help_overlay", &h, None);
    // Any other key closes it.
    h.send(key(Esc));
    h.settle().await;
    assert!(!h.screen().contains("any other key closes"));
}

#[tokio::test]
async fn snapshot_80x24_and_too_small() {
    let ws = workspace("http://127.0.0.1:9");
    let h = Harness::open(ws.path().to_path_buf(), 80, 24).await;
    assert!(h.screen().contains("Profiles (1)"));
    snapshot("small_80x24", &h, None);
    let h = Harness::open(ws.path().to_path_buf(), 79, 24).await;
    assert!(h.screen().contains("terminal too small"), "{}", h.screen());
}

// ---- the loop, driven ------------------------------------------------

#[tokio::test]
async fn edit_the_url_fire_and_save() {
    let server = Server::start(Answer::status(200));
    let ws = workspace("http://127.0.0.1:9");
    let mut h = open(&ws).await;
    h.send(key(Tab));
    h.keys(&[Down, Down, Enter]);
    h.send(ctrl('j'));
    h.type_text(&server.url("/edited/{{event.profile.plan}}"));
    h.send(key(Enter));
    h.send(key(KeyCode::Char('f')));
    h.until(|s| s.bench.answered().is_some()).await;
    h.until_answered().await;
    let screen = h.screen();
    assert!(screen.contains("200 OK"), "{screen}");
    let got = server.only();
    assert_eq!(got.target, "/edited/free");
    assert_eq!(got.header("authorization"), Some("Basic b3BzOnB3MTIz"));
    assert_eq!(got.json()["plan"], "free");

    // Unsaved until Ctrl-s; then the file has the change, as readable RON.
    assert!(h.app.state.current().unwrap().dirty);
    assert!(screen.contains("*POST"), "{screen}");
    h.send(ctrl('s'));
    h.until(|s| !s.current().unwrap().dirty).await;
    let text = std::fs::read_to_string(ws.path().join("hook.ron")).unwrap();
    assert!(
        text.contains(&format!(
            "url: \"{}\"",
            server.url("/edited/{{event.profile.plan}}")
        )),
        "{text}"
    );
    let back = hookbench::profile::load(&ws.path().join("hook.ron")).unwrap();
    assert_eq!(back.profile.name, "hook");
}

#[tokio::test]
async fn invalid_payload_is_shown_kept_and_blocks_firing() {
    let server = Server::start(Answer::status(200));
    let ws = workspace(&server.url(""));
    let mut h = open(&ws).await;
    h.goto(Field::Payload).await;
    h.send(key(Enter)); // the JSON editor
    h.send(key(KeyCode::End));
    h.type_text(",");
    h.settle().await;
    let screen = h.screen();
    assert!(screen.contains("Payload (JSON)"), "{screen}");
    assert!(screen.contains("invalid JSON at line"), "{screen}");
    // 'f' typed here is text, not a command.
    h.type_text("f");
    h.send(key(Esc));
    h.send(key(KeyCode::Char('f')));
    h.settle().await;
    assert!(h.app.state.ui.status.error);
    assert!(
        h.app
            .state
            .ui
            .status
            .text
            .starts_with("cannot fire: Payload: invalid JSON"),
        "{}",
        h.app.state.ui.status.text
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(server.requests().is_empty());
    let draft = h.app.state.draft().unwrap();
    assert!(
        draft.payload.starts_with("{,f\n"),
        "the text is kept: {}",
        draft.payload
    );
    assert!(h.screen().contains("↳ invalid JSON"), "{}", h.screen());
}

#[tokio::test]
async fn headers_are_added_toggled_moved_and_removed() {
    let server = Server::start(Answer::status(200));
    let ws = workspace(&server.url(""));
    let mut h = open(&ws).await;
    h.goto(Field::Headers).await;
    h.send(key(KeyCode::Char('a')));
    h.send(ctrl('j'));
    h.type_text("X-Second: two");
    h.send(key(Enter));
    h.send(key(KeyCode::Char('a')));
    h.send(ctrl('j'));
    h.type_text("X-Third: {{event.eventName}}");
    h.send(key(Enter));
    // Move X-Third above X-Second, then switch X-Journey off.
    h.send(Event::Key(KeyEvent::new(
        KeyCode::Char('K'),
        KeyModifiers::SHIFT,
    )));
    h.keys(&[Up]);
    h.send(key(KeyCode::Char(' ')));
    h.send(key(KeyCode::Char('f')));
    h.until(|s| s.bench.answered().is_some()).await;
    let got = server.only();
    let xs: Vec<(&str, &str)> = got
        .headers
        .iter()
        .filter(|(n, _)| n.starts_with("x-"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(xs, [("x-third", "Signup Completed"), ("x-second", "two")]);
    // Remove the (disabled) first header: it is gone from the form.
    h.send(key(KeyCode::Char('x')));
    h.settle().await;
    let names: Vec<String> = h
        .app
        .state
        .draft()
        .unwrap()
        .headers
        .iter()
        .map(|h| h.name.clone())
        .collect();
    assert_eq!(names, ["X-Third", "X-Second"]);
}

use ratatui::crossterm::event::{Event, KeyEvent, KeyModifiers};

#[tokio::test]
async fn new_profile_is_saved_as_readable_ron() {
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    let mut h = open(&ws).await;
    h.send(key(KeyCode::Char('n')));
    h.type_text("CRM: new lead");
    h.send(key(Enter));
    h.settle().await;
    assert!(h.screen().contains("CRM: new lead"));
    h.send(ctrl('s'));
    h.until(|s| s.current().is_some_and(|e| !e.dirty)).await;
    let path = ws.path().join("crm-new-lead.ron");
    let p = hookbench::profile::load(&path).unwrap().profile;
    assert_eq!(p.name, "CRM: new lead");
    assert_eq!(p.event.as_deref(), Some("events/signup.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("(\n    name: \"CRM: new lead\",\n    method: POST,\n"),
        "{text}"
    );
}

#[tokio::test]
async fn duplicate_rename_and_delete_with_confirmation() {
    let ws = workspace("http://127.0.0.1:9");
    let mut h = open(&ws).await;
    h.send(key(KeyCode::Char('d')));
    h.send(ctrl('s'));
    h.until(|s| s.bench.entries.len() == 2 && s.bench.entries.iter().all(|e| !e.dirty))
        .await;
    assert!(ws.path().join("hook-copy.ron").exists());

    // Rename the copy: the file follows the name.
    h.send(key(Esc)); // back to the list
    h.send(key(KeyCode::Char('r')));
    h.send(ctrl('j'));
    h.type_text("Renamed hook");
    h.send(key(Enter));
    h.until(|s| {
        s.current()
            .is_some_and(|e| e.path.ends_with("renamed-hook.ron"))
    })
    .await;
    assert!(!ws.path().join("hook-copy.ron").exists());
    let p = hookbench::profile::load(&ws.path().join("renamed-hook.ron"))
        .unwrap()
        .profile;
    assert_eq!(p.name, "Renamed hook");

    // Delete asks; anything but y keeps the file.
    h.send(key(KeyCode::Char('x')));
    h.settle().await;
    assert!(h.screen().contains("y deletes the file"), "{}", h.screen());
    h.send(key(KeyCode::Char('n')));
    h.settle().await;
    assert!(ws.path().join("renamed-hook.ron").exists());
    h.send(key(KeyCode::Char('x')));
    h.send(key(KeyCode::Char('y')));
    h.until(|s| s.bench.entries.len() == 1).await;
    assert!(!ws.path().join("renamed-hook.ron").exists());
    assert!(ws.path().join("hook.ron").exists());

    // A profile never saved has no file; deleting it just drops it.
    h.send(key(KeyCode::Char('n')));
    h.type_text("never saved");
    h.send(key(Enter));
    h.until(|s| s.bench.entries.len() == 2).await;
    h.send(key(Esc));
    h.send(key(KeyCode::Char('x')));
    h.send(key(KeyCode::Char('y')));
    h.until(|s| s.bench.entries.len() == 1).await;
    assert!(
        !h.app.state.ui.status.error,
        "{}",
        h.app.state.ui.status.text
    );
}

#[tokio::test]
async fn a_file_made_outside_since_the_list_was_read_is_never_replaced() {
    let ws = workspace("http://127.0.0.1:9");
    let mut h = open(&ws).await;
    h.send(key(KeyCode::Char('n')));
    h.type_text("CRM: new lead");
    h.send(key(Enter));
    h.settle().await;
    // Someone else writes that file before the workbench saves.
    let theirs = ws.write("crm-new-lead.ron", "// theirs\n");
    h.send(ctrl('s'));
    h.until(|s| s.ui.status.error).await;
    assert!(
        h.app
            .state
            .ui
            .status
            .text
            .contains("crm-new-lead-2.ron: Ctrl-s saves it"),
        "{}",
        h.app.state.ui.status.text
    );
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "// theirs\n");
    h.send(ctrl('s'));
    h.until(|s| s.current().is_some_and(|e| !e.dirty)).await;
    let p = hookbench::profile::load(&ws.path().join("crm-new-lead-2.ron")).unwrap();
    assert_eq!(p.profile.name, "CRM: new lead");

    // The same for an event saved as a new file.
    h.send(key(KeyCode::Char('c')));
    h.settle().await;
    let theirs = ws.write("events/edited.json", "{\"theirs\": true}\n");
    h.send(ctrl('n'));
    h.type_text("edited");
    h.send(key(Enter));
    h.until(|s| s.ui.status.error).await;
    assert!(
        h.app
            .state
            .ui
            .status
            .text
            .contains("edited-2.json: Ctrl-s saves it"),
        "{}",
        h.app.state.ui.status.text
    );
    assert_eq!(
        std::fs::read_to_string(&theirs).unwrap(),
        "{\"theirs\": true}\n"
    );
    h.send(ctrl('s'));
    h.until(|s| s.ui.status.text.contains("saved")).await;
    let ours = std::fs::read_to_string(ws.path().join("events/edited-2.json")).unwrap();
    assert!(ours.contains("Signup Completed"), "{ours}");
    assert_eq!(
        h.app.state.draft().unwrap().event.as_deref(),
        Some("events/edited-2.json")
    );
}

#[tokio::test]
async fn quitting_with_unsaved_changes_asks_and_can_save_all() {
    let ws = workspace("http://127.0.0.1:9");
    let mut h = open(&ws).await;
    h.send(key(Tab));
    h.send(key(Enter)); // Name
    h.type_text(" v2");
    h.send(key(Enter));
    h.send(key(KeyCode::Char('q')));
    h.settle().await;
    assert!(!h.app.state.ui.quit);
    assert!(h.screen().contains("Unsaved: hook.ron."), "{}", h.screen());
    h.send(key(KeyCode::Char('s')));
    h.until(|s| s.ui.quit).await;
    let p = hookbench::profile::load(&ws.path().join("hook.ron"))
        .unwrap()
        .profile;
    assert_eq!(p.name, "hook v2");
}

/// In a JSON editor: a stray character at the start is shown as an error
/// at line 1, col 1, and taken out again.
async fn json_error_shows_where(h: &mut Harness) {
    h.send(key(KeyCode::Home));
    h.type_text("x");
    h.settle().await;
    assert!(
        h.screen().contains("invalid JSON at line 1, col 1"),
        "{}",
        h.screen()
    );
    h.send(key(Backspace));
}

#[tokio::test]
async fn events_are_picked_composed_and_saved_as_new() {
    let server = Server::start(Answer::status(200));
    let ws = workspace(&server.url(""));
    ws.write(
        "events/other.json",
        r#"{"eventName": "Other", "profile": {"plan": "gold"}}"#,
    );
    let mut h = open(&ws).await;
    h.goto(Field::Event).await;
    h.send(key(Enter));
    h.settle().await;
    assert!(h.screen().contains("events/other.json"), "{}", h.screen());
    h.send(key(Up)); // from signup.json (3rd) to other.json (2nd)
    h.send(key(Enter));
    h.settle().await;
    assert_eq!(
        h.app.state.draft().unwrap().event.as_deref(),
        Some("events/other.json")
    );
    assert!(h.screen().contains("/hooks/Other"), "{}", h.screen());

    // Compose: break the JSON, see where; fix it; save as a new sample.
    h.send(key(KeyCode::Char('c')));
    json_error_shows_where(&mut h).await;
    h.send(key(KeyCode::End));
    h.send(key(Backspace));
    h.type_text(", \"eventTitle\": \"Edited\"}");
    h.send(ctrl('n'));
    h.type_text("edited sample");
    h.send(key(Enter));
    h.until(|s| s.ui.status.text.contains("edited-sample.json"))
        .await;
    let saved: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(ws.path().join("events/edited-sample.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(saved["eventTitle"], "Edited");
    // The original is untouched, and the profile now points at the new file.
    let other = std::fs::read_to_string(ws.path().join("events/other.json")).unwrap();
    assert!(!other.contains("Edited"));
    assert_eq!(
        h.app.state.draft().unwrap().event.as_deref(),
        Some("events/edited-sample.json")
    );

    assert!(
        h.screen().contains("Event edited-sample.json"),
        "{}",
        h.screen()
    );
    h.send(key(Esc));
    h.send(key(KeyCode::Char('f')));
    h.until(|s| s.bench.answered().is_some()).await;
    assert_eq!(server.only().json()["eventTitle"], "Edited");
}

#[tokio::test]
async fn an_inline_sample_event_is_composed_saved_and_fired() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "shared.ron",
        &format!(
            r#"(name: "shared", method: POST, url: "{}/in",
               payload: {{"plan": "{{{{event.profile.plan}}}}"}},
               sample_event: {{"eventName": "Signup", "profile": {{"plan": "pro"}}}})"#,
            server.url("")
        ),
    );
    let mut h = open(&ws).await;
    h.send(key(Tab));
    h.send(key(KeyCode::Char('c')));
    h.settle().await;
    assert!(
        h.screen().contains("Sample event, inline in the profile"),
        "{}",
        h.screen()
    );
    json_error_shows_where(&mut h).await;
    let text = h.app.state.draft().unwrap().sample_event.clone().unwrap();
    let at = text.find("\"pro\"").unwrap();
    // Put the cursor after "pro and make it "gold".
    let (row, col) = text[..at]
        .lines()
        .enumerate()
        .last()
        .map(|(r, l)| (r, l.chars().count()))
        .unwrap();
    h.send(key(KeyCode::Home));
    for _ in 0..row {
        h.send(key(Down));
    }
    for _ in 0..col + 4 {
        h.send(key(KeyCode::Right));
    }
    for _ in 0..3 {
        h.send(key(Backspace));
    }
    h.type_text("gold");
    h.send(ctrl('s'));
    h.until(|s| s.ui.status.text.contains("saved")).await;
    let saved = hookbench::profile::load(&ws.path().join("shared.ron"))
        .unwrap()
        .profile;
    assert_eq!(saved.sample_event.unwrap()["profile"]["plan"], "gold");
    h.send(key(Esc));
    h.send(key(KeyCode::Char('f')));
    h.until(|s| s.bench.answered().is_some()).await;
    assert_eq!(server.only().json()["plan"], "gold");
}

#[tokio::test]
async fn external_editor_replaces_the_payload() {
    let ws = workspace("http://127.0.0.1:9");
    let mut h = open(&ws).await;
    h.host.editor = Box::new(|text| {
        assert!(
            text.contains("\"plan\""),
            "the editor gets the payload: {text}"
        );
        Ok("{\"from\": \"editor\"}\n".to_string())
    });
    h.goto(Field::Payload).await;
    h.send(key(KeyCode::Char('e')));
    h.settle().await;
    assert_eq!(
        h.app.state.draft().unwrap().payload,
        "{\"from\": \"editor\"}"
    );
    assert!(
        h.screen().contains("\"from\": \"editor\""),
        "{}",
        h.screen()
    );
}

#[tokio::test]
async fn esc_cancels_a_request_in_flight() {
    let server = Server::start(Answer::status(201));
    let ws = workspace(&server.url(""));
    let mut h = open(&ws).await;
    // A first answer, then a slow one cancelled: the first is not shown as
    // if it were the second's.
    h.send(key(KeyCode::Char('f')));
    h.until_answered().await;
    assert!(h.screen().contains("201 Created"), "{}", h.screen());
    server.set_answer(Answer {
        delay: Duration::from_secs(2),
        ..Answer::status(200)
    });
    h.send(key(KeyCode::Char('f')));
    h.until(|s| s.sending()).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    h.send(key(KeyCode::Char('j'))); // the UI still answers while waiting
    h.settle().await;
    assert!(h.screen().contains("sending…"), "{}", h.screen());
    h.send(key(Esc));
    h.until(|s| !s.sending()).await;
    assert_eq!(h.app.state.ui.status.text, "request cancelled");
    assert!(h.app.state.bench.answered().is_none());
    // The response pane says so: no earlier answer stands in for it.
    h.settle().await;
    assert!(h.screen().contains("cancelled after"), "{}", h.screen());
    assert!(!h.screen().contains("201 Created"), "{}", h.screen());
}

#[tokio::test]
async fn y_copies_the_request_as_curl() {
    let ws = workspace("http://127.0.0.1:9");
    let mut h = open(&ws).await;
    h.send(key(KeyCode::Char('y')));
    h.settle().await;
    let cmd = &h.host.copies[0];
    // Masked, it still works: the password is read from the shell.
    assert!(
        cmd.starts_with(r#"curl -X POST -u ops:"$HOOK_PASSWORD" -H 'X-Journey: onboarding'"#),
        "{cmd}"
    );
    assert!(
        !cmd.contains("[redacted]") && !cmd.contains("pw123"),
        "{cmd}"
    );
    assert!(h.status().contains("$HOOK_PASSWORD"), "{}", h.status());
    // Run as it is, with the variable set, it sends what the profile sends.
    let server = Server::start(Answer::status(200));
    let cmd_here = cmd.replace("http://127.0.0.1:9", &server.url(""));
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{cmd_here} -s -o /dev/null"))
        .env("HOOK_PASSWORD", "pw123")
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        server.only().header("authorization"),
        Some(support::basic("ops", "pw123").as_str())
    );
    assert!(
        cmd.contains("http://127.0.0.1:9/hooks/Signup%20Completed"),
        "{cmd}"
    );
    // Revealed on request.
    h.send(key(KeyCode::Char('v')));
    h.send(key(KeyCode::Char('y')));
    h.settle().await;
    assert!(
        h.host.copies[1].contains("Basic b3BzOnB3MTIz"),
        "{}",
        h.host.copies[1]
    );
}

#[tokio::test]
async fn clicks_focus_panes_and_typing_never_triggers_commands() {
    let ws = workspace("http://127.0.0.1:9");
    let mut h = open(&ws).await;
    let areas = hookbench::tui::view::layout(h.app.state.ui.area);
    h.send(click(areas.response.x + 3, areas.response.y + 3));
    h.settle().await;
    assert_eq!(h.app.state.ui.focus, hookbench::tui::state::Pane::Response);
    h.send(click(areas.editor.x + 3, areas.editor.y + 1));
    h.settle().await;
    assert_eq!(h.app.state.ui.focus, hookbench::tui::state::Pane::Editor);
    // The wheel scrolls what is under the pointer.
    h.send(Event::Mouse(ratatui::crossterm::event::MouseEvent {
        kind: ratatui::crossterm::event::MouseEventKind::ScrollDown,
        column: areas.editor.x + 3,
        row: areas.editor.y + 2,
        modifiers: KeyModifiers::NONE,
    }));
    h.settle().await;
    assert_eq!(h.app.state.bench.editor_row, 3);
    h.send(key(KeyCode::Home));
    for _ in 0..3 {
        h.send(key(Up));
    }
    // In the Name field, q and f are letters.
    h.send(key(Enter));
    h.type_text("qf");
    h.send(key(Enter));
    h.settle().await;
    assert!(!h.app.state.ui.quit);
    assert!(!h.app.state.sending());
    assert_eq!(h.app.state.draft().unwrap().name, "hookqf");
}

#[tokio::test]
async fn a_large_response_scrolls_and_searches_without_loading_it_into_the_frame() {
    // About 2 MB of JSON: formatted off the loop, drawn a screen at a time.
    let items: Vec<String> = (0..40_000)
        .map(|i| format!(r#"{{"id":{i},"name":"item-{i}"}}"#))
        .collect();
    let body = format!(
        r#"{{"items":[{}],"end":"marker-at-the-end"}}"#,
        items.join(",")
    );
    let server = Server::start(Answer {
        body: body.into_bytes(),
        ..Answer::status(200)
    });
    let ws = workspace(&server.url(""));
    let mut h = open(&ws).await;
    h.send(key(KeyCode::Char('f')));
    h.until_answered().await;
    h.send(key(Tab));
    h.send(key(Tab));
    h.send(key(Tab)); // the response pane
    h.send(key(KeyCode::Char('G')));
    h.settle().await;
    assert!(h.screen().contains("marker-at-the-end"), "{}", h.screen());
    h.send(key(KeyCode::Char('g')));
    h.send(key(KeyCode::Char('/')));
    h.type_text("item-39998");
    h.send(key(Enter));
    h.settle().await;
    assert!(
        h.app.state.ui.status.text.contains("`item-39998`: line"),
        "{}",
        h.app.state.ui.status.text
    );
    assert!(
        h.screen().contains("\"name\": \"item-39998\""),
        "{}",
        h.screen()
    );
}

/// The README's key table, made from the one key table.
fn key_table_markdown() -> String {
    use hookbench::tui::keys::{BINDINGS, Scope, keys_label};
    let mut out = String::from("| where | keys | action |\n|---|---|---|\n");
    let mut last = None;
    for b in BINDINGS {
        let scope = if last == Some(b.scope) {
            ""
        } else {
            b.scope.title()
        };
        last = Some(b.scope);
        let keys = keys_label(b).replace('|', "\\|");
        out.push_str(&format!("| {scope} | `{keys}` | {} |\n", b.help));
    }
    let _ = Scope::Global;
    out
}

#[test]
fn the_readme_key_table_is_the_key_table() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = key_table_markdown();
    assert!(
        readme.contains(&table),
        "README.md's key table is out of date; it should read:\n\n{table}"
    );
}

#[tokio::test]
async fn signing_retries_and_tls_are_set_in_the_form() {
    let server = Server::start(Answer::status(503));
    let ws = workspace(&server.url(""));
    let mut h = open(&ws).await;
    h.keys(&[Enter]);
    h.settle().await;
    h.goto(Field::Signing).await;
    h.send(key(KeyCode::Right));
    h.settle().await;
    assert!(h.screen().contains("Standard Webhooks"), "{}", h.screen());
    h.goto(Field::SigningSecret).await;
    h.keys(&[Enter]);
    h.type_text("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    h.keys(&[Enter]);
    h.goto(Field::Retry).await;
    h.keys(&[Enter]);
    h.type_text("3 fixed 10");
    h.keys(&[Enter]);
    h.settle().await;
    // The secret is masked on screen like a password.
    assert!(!h.screen().contains("MfKQ9r8"), "{}", h.screen());
    h.send(key(KeyCode::Char('f')));
    h.until(|_| server.requests().len() == 3).await;
    let seen = server.requests();
    assert!(seen.iter().all(|r| r.header("webhook-signature").is_some()));
    // Saved, the file has them.
    h.send(ctrl('s'));
    h.until(|s| s.ui.status.text.starts_with("saved")).await;
    let text = std::fs::read_to_string(ws.path().join("hook.ron")).unwrap();
    assert!(text.contains("StandardWebhooks"), "{text}");
    assert!(text.contains("max_attempts: 3"), "{text}");
}
