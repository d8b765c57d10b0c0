//! The workbench as a newcomer meets it: each wrong answer found by using
//! it for an hour, driven through the real loop on a TestBackend against
//! real servers and files.

mod support;

use hookbench::tui::draft::Field;
use hookbench::tui::state::Mode;
use ratatui::crossterm::event::Event;
use ratatui::crossterm::event::KeyCode::{Char, Enter, Esc};
use support::tui::{Harness, key};
use support::{Answer, Server, Workspace, stderr, stdout};

const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async fn open(ws: &Workspace) -> Harness {
    Harness::open(ws.path().to_path_buf(), 120, 40).await
}

fn screen_has(h: &Harness, text: &str) -> bool {
    h.screen().contains(text)
}

// ---- 1. a signed profile shared with S imports with i ------------------

#[tokio::test]
async fn a_signed_profile_shared_with_s_imports_with_i() {
    let server = Server::start(Answer::status(200));
    let from = Workspace::new();
    from.write(
        "signed.ron",
        &format!(
            r#"(name: "signed", method: POST, url: "{}", signing: Some(StandardWebhooks(secret: "{WHSEC}")))"#,
            server.url("/in")
        ),
    );
    let mut h = open(&from).await;
    h.send(key(Char('S')));
    h.send(key(Enter));
    h.until(|s| s.ui.status.text.starts_with("shared")).await;
    let shared = from.path().join("shared").join("signed.ron");
    let text = std::fs::read_to_string(&shared).unwrap();
    assert!(!text.contains(WHSEC), "{text}");
    assert!(text.contains("{{secret."), "{text}");

    // The copy checks, from the command line too: an unset secret is a
    // note, not a malformed key.
    let out = from.run(&["validate", shared.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    let to = Workspace::new();
    let mut h = open(&to).await;
    h.send(key(Char('i')));
    h.type_text(shared.to_str().unwrap());
    h.send(key(Enter));
    h.until(|s| s.ui.status.text.starts_with("imported") || s.ui.status.error)
        .await;
    assert!(
        h.status().starts_with("imported") && h.status().contains("SIGNING_SECRET"),
        "{}",
        h.status()
    );
    assert_eq!(h.app.state.bench.entries.len(), 1);
}

#[test]
fn a_signing_secret_from_an_unset_variable_is_a_note() {
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        r#"(name: "p", method: POST, url: "http://127.0.0.1:9/x", signing: Some(StandardWebhooks(secret: "{{env.HB_TEST_UNSET_WHSEC}}")))"#,
    );
    let out = ws.run(&["validate"], &[]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("HB_TEST_UNSET_WHSEC"), "{all}");
    // A malformed key written out is still refused.
    ws.write(
        "p.ron",
        r#"(name: "p", method: POST, url: "http://127.0.0.1:9/x", signing: Some(StandardWebhooks(secret: "not-a-key")))"#,
    );
    let out = ws.run(&["validate"], &[]);
    assert!(!out.status.success());
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("starts with `whsec_`"), "{all}");
}

// ---- 7. prompts open empty; a then Esc adds no header ------------------

#[tokio::test]
async fn prompts_open_empty_and_an_abandoned_header_is_not_sent() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}", headers: [("X-Journey", "orders")])"#,
            server.url("/in")
        ),
    );
    let mut h = open(&ws).await;
    h.goto(Field::Headers).await;
    h.send(key(Char('a')));
    h.settle().await;
    match &h.app.state.ui.mode {
        Mode::EditLine { area, .. } => assert_eq!(area.lines().join(""), ""),
        m => panic!("not editing: {m:?}"),
    }
    assert!(screen_has(&h, "Name: value"), "{}", h.screen());
    h.send(key(Esc));
    h.settle().await;
    assert_eq!(h.app.state.draft().unwrap().headers.len(), 1);
    assert!(!h.app.state.bench.current().unwrap().dirty);

    // Typed from empty: the header is exactly what was typed.
    h.send(key(Char('a')));
    h.type_text("X-Step: two");
    h.send(key(Enter));
    h.settle().await;
    let headers = &h.app.state.draft().unwrap().headers;
    assert_eq!(headers.len(), 2);
    assert_eq!(
        (headers[1].name.as_str(), headers[1].value.as_str()),
        ("X-Step", "two")
    );

    // Search opens empty too, with the current search as a hint.
    h.send(key(Char('f')));
    h.until_answered().await;
    h.send(key(ratatui::crossterm::event::KeyCode::Tab));
    h.send(key(ratatui::crossterm::event::KeyCode::Tab));
    h.send(key(Char('/')));
    h.type_text("ok");
    h.send(key(Enter));
    h.send(key(Char('/')));
    h.settle().await;
    match &h.app.state.ui.mode {
        Mode::Prompt { area, .. } => {
            assert_eq!(area.lines().join(""), "");
            assert!(area.placeholder_text().contains("ok"));
        }
        m => panic!("no prompt: {m:?}"),
    }
    h.send(key(Esc));
    h.settle().await;
    assert_eq!(h.status(), "cancelled");
}

// ---- 8. i takes a curl command -----------------------------------------

#[tokio::test]
async fn i_takes_a_curl_command_typed_or_pasted() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    let mut h = open(&ws).await;
    h.send(key(Char('i')));
    h.type_text(&format!(
        "curl -X PUT {} -H 'X-Journey: typed'",
        server.url("/typed")
    ));
    h.send(key(Enter));
    h.until(|s| !s.bench.entries.is_empty()).await;
    assert_eq!(h.app.state.draft().unwrap().url, server.url("/typed"));

    h.send(key(Esc));
    h.send(key(Char('i')));
    h.send(Event::Paste(format!(
        "curl {} -d '{{}}'",
        server.url("/pasted")
    )));
    h.until(|s| s.bench.entries.len() == 2).await;
    assert!(matches!(h.app.state.ui.mode, Mode::Normal));
    assert_eq!(h.app.state.draft().unwrap().url, server.url("/pasted"));
}

// ---- 14. one default for a token's scheme: the file's -------------------

#[tokio::test]
async fn a_token_scheme_follows_its_header_unless_written() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}", auth: Token(token: "t0k"))"#,
            server.url("/in")
        ),
    );
    let mut h = open(&ws).await;
    h.goto(Field::TokenHeader).await;
    h.send(key(Enter));
    for _ in 0.."Authorization".len() {
        h.send(key(ratatui::crossterm::event::KeyCode::Backspace));
    }
    h.type_text("X-API-Key");
    h.send(key(Enter));
    h.send(key(Char('f')));
    h.until_answered().await;
    assert_eq!(server.only().header("x-api-key"), Some("t0k"));

    // A scheme written out stays, whatever the header.
    h.goto(Field::TokenScheme).await;
    h.send(key(Enter));
    h.type_text("Key");
    h.send(key(Enter));
    h.send(support::tui::ctrl('s'));
    h.until(|s| !s.bench.current().unwrap().dirty).await;
    let saved = std::fs::read_to_string(ws.path().join("p.ron")).unwrap();
    assert!(saved.contains(r#"scheme: "Key""#), "{saved}");
    assert!(saved.contains(r#"header: "X-API-Key""#), "{saved}");
}

// ---- 5, 6. a received request replayed: no peer header, Host follows ----

#[tokio::test]
async fn a_received_request_replays_without_its_peer_and_host_follows_the_url() {
    let target = Server::start(Answer::status(200));
    let port = support::closed_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ws = Workspace::new();
    ws.write(
        "echo.ron",
        &format!(
            r#"(name: "echo", method: POST, url: "http://127.0.0.1:{port}/in", include_trigger: false,
                headers: [("X-API-Key", "k-123456789"), ("X-Journey", "orders")], payload: {{"plan": "pro", "seats": 3}})"#
        ),
    );
    let mut h = Harness::open_with(ws.path().to_path_buf(), 120, 40, Some(addr)).await;
    h.until(|s| s.receiver.running.is_some()).await;
    h.send(key(Char('f')));
    h.until(|s| s.bench.answered().is_some()).await;
    h.send(key(Char('3')));
    h.until(|s| !s.history.loading && s.history.total == 1 && s.history.open.is_some())
        .await;
    assert!(
        screen_has(&h, "as received from 127.0.0.1:"),
        "{}",
        h.screen()
    );
    assert!(!screen_has(&h, "x-hookbench-peer"), "{}", h.screen());

    h.send(key(Char('m')));
    h.settle().await;
    let text = match &h.app.state.ui.mode {
        Mode::EditJson { area, .. } => area.lines().join("\n"),
        m => panic!("not editing: {m:?}"),
    };
    // The JSON body is shown indented.
    assert!(text.contains("\n  \"plan\": \"pro\","), "{text}");
    assert!(text.contains(&format!("host: 127.0.0.1:{port}")), "{text}");
    // The first line pointed at the server; Host is left as it was.
    h.send(support::tui::ctrl('k'));
    h.type_text(&format!("POST {}", target.url("/in")));
    h.send(support::tui::ctrl('s'));
    h.until(|s| s.history.bulk.as_ref().is_some_and(|b| b.finished))
        .await;
    let got = target.only();
    let authority = target.url("").trim_start_matches("http://").to_string();
    assert_eq!(got.header("host"), Some(authority.trim_end_matches('/')));
    assert_eq!(got.header("x-hookbench-peer"), None);
    assert_eq!(got.header("x-journey"), Some("orders"));
    // Sent compact, as it was received.
    assert_eq!(got.body, br#"{"plan":"pro","seats":3}"#);
    // The masked key was not sent, and the status line says so.
    assert_eq!(got.header("x-api-key"), None);
    assert!(h.status().contains("x-api-key"), "{}", h.status());
}

// ---- 2. a secret set in another shell is seen at once -------------------

#[tokio::test]
async fn a_secret_set_in_another_shell_is_used_by_the_next_fire() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}", headers: [("X-Token", "{{{{secret.HOOK_TOKEN}}}}")])"#,
            server.url("/in")
        ),
    );
    let mut h = open(&ws).await;
    h.send(key(Char('f')));
    h.settle().await;
    assert!(
        h.status().contains("HOOK_TOKEN") && h.app.state.ui.status.error,
        "{}",
        h.status()
    );
    // Set in another process, after the workbench read the store.
    let out = ws.run_with_input(&["secret", "set", "HOOK_TOKEN"], "zz-tok-42");
    assert!(out.status.success(), "{}", stderr(&out));
    h.send(key(Char('f')));
    h.until_answered().await;
    assert_eq!(server.only().header("x-token"), Some("zz-tok-42"));
    assert!(!h.screen().contains("zz-tok-42"), "{}", h.screen());
}

// ---- 12. the help says where each key works ------------------------------

#[tokio::test]
async fn the_help_puts_each_key_where_it_works() {
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        r#"(name: "p", method: POST, url: "http://127.0.0.1:9/x")"#,
    );
    let mut h = open(&ws).await;
    h.send(key(Char('2')));
    h.send(key(Char('?')));
    h.settle().await;
    let screen = h.screen();
    let anywhere = screen
        .find("Anywhere (every view)")
        .expect("an Anywhere heading");
    let workbench = screen
        .find("Workbench view (any pane)")
        .expect("a Workbench heading");
    let fire = screen.find("fire the selected profile").unwrap();
    assert!(anywhere < workbench && workbench < fire, "{screen}");
    // Every key listed as Anywhere does something in History: none of
    // them is one the History view ignores.
    use hookbench::tui::keys::{self, BINDINGS, Scope};
    for b in BINDINGS.iter().filter(|b| b.scope == Scope::Global) {
        assert!(
            !matches!(
                b.action,
                keys::Action::Fire | keys::Action::Save | keys::Action::NextPane
            ),
            "{:?} is listed as Anywhere",
            b.action
        );
    }
    // f in History is no key at all now, as the help says.
    h.send(key(Esc));
    h.send(key(Char('f')));
    h.settle().await;
    assert!(!h.app.state.sending());
    // The Receiver view shows its own keys.
    h.send(key(Char('3')));
    h.settle().await;
    let last = h.screen().lines().last().unwrap_or_default().to_string();
    assert!(
        last.contains("a answer")
            && last.contains("Ctrl-k secrets")
            && last.contains("S stop/start"),
        "{last}"
    );
}

// ---- 4. CRLF bodies break into lines; long lines wrap; z zooms ----------

#[tokio::test]
async fn crlf_bodies_break_long_lines_wrap_and_a_pane_zooms() {
    let long = format!("start-{}-the-end", "x".repeat(300));
    let server = Server::start(Answer {
        status: 500,
        body: format!("<html>\r\n<p>first</p>\r\n<p>{long}</p>\r\n</html>\r\n").into_bytes(),
        headers: vec![("content-type".into(), "text/html".into())],
        delay: std::time::Duration::ZERO,
    });
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}")"#,
            server.url("/iis")
        ),
    );
    let mut h = open(&ws).await;
    h.send(key(Char('f')));
    h.until_answered().await;
    let screen = h.screen();
    assert!(!screen.contains('␊') && !screen.contains('␍'), "{screen}");
    assert!(
        screen.lines().any(|l| l.contains("│<p>first</p>")),
        "{screen}"
    );
    // The long line wraps: its end is on screen.
    assert!(screen.contains("-the-end</p>"), "{screen}");
    // A search finds what is seen.
    h.send(key(ratatui::crossterm::event::KeyCode::Tab));
    h.send(key(ratatui::crossterm::event::KeyCode::Tab));
    h.send(key(ratatui::crossterm::event::KeyCode::Tab));
    h.send(key(Char('/')));
    h.type_text("the-end");
    h.send(key(Enter));
    h.settle().await;
    assert!(h.status().contains("`the-end`: line"), "{}", h.status());
    assert!(h.screen().contains("-the-end</p>"), "{}", h.screen());
    // w cuts long lines again.
    h.send(key(Char('w')));
    h.settle().await;
    assert!(!h.screen().contains("-the-end</p>"), "{}", h.screen());
    h.send(key(Char('w')));
    // z: the response pane over the whole screen, and back.
    h.send(key(Char('z')));
    h.settle().await;
    let zoomed = h.screen();
    assert!(!zoomed.contains("Profiles (1)"), "{zoomed}");
    let title_row = zoomed.lines().nth(1).unwrap();
    assert!(title_row.starts_with("┏ Response"), "{zoomed}");
    assert_eq!(title_row.chars().count(), 120, "{zoomed}");
    h.send(key(Char('z')));
    h.settle().await;
    assert!(h.screen().contains("Profiles (1)"), "{}", h.screen());
}

// ---- 10. a signature verdict wraps in the Receiver inspector -----------

#[tokio::test]
async fn a_signature_verdict_is_shown_whole() {
    let port = support::closed_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ws = Workspace::new();
    // Signed with one secret, checked with another.
    let other = "whsec_YW5vdGhlciBrZXkgZW50aXJlbHkgZGlmZmVyZW50";
    ws.write(
        "s.ron",
        &format!(
            r#"(name: "s", method: POST, url: "http://127.0.0.1:{port}/in", signing: Some(StandardWebhooks(secret: "{WHSEC}")))"#
        ),
    );
    let mut h = Harness::open_with(ws.path().to_path_buf(), 120, 40, Some(addr)).await;
    h.until(|s| s.receiver.running.is_some()).await;
    h.send(key(Char('3')));
    h.send(support::tui::ctrl('k'));
    h.type_text(other);
    h.send(key(Enter));
    h.send(key(Char('1')));
    h.send(key(Char('f')));
    h.until(|s| s.bench.answered().is_some()).await;
    h.send(key(Char('3')));
    h.until(|s| !s.history.loading && s.history.open.is_some() && !s.receiver.verdicts.is_empty())
        .await;
    h.settle().await;
    let screen = h.screen();
    let cause = match h.app.state.receiver.verdicts.values().next().unwrap() {
        hookbench::signing::Verdict::Invalid(e) => e.likely_cause.clone(),
        v => panic!("{v:?}"),
    };
    // The last words of the cause are on screen, wrapped or not.
    let tail: String = cause
        .split_whitespace()
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join(" ");
    let flat: String = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(cause.len() > 40, "{cause}");
    assert!(flat.contains(&tail), "{tail}\n{screen}");
}

// ---- 9. long messages stay readable: the message log --------------------

#[tokio::test]
async fn a_long_message_is_cut_with_a_pointer_and_read_whole_in_the_log() {
    let ws = Workspace::new();
    ws.write(
        "crm.ron",
        r#"(name: "crm", method: POST, url: "http://127.0.0.1:9/x", auth: Basic(username: "ops", password: "pw-123456"),
            headers: [("X-API-Key", "key-123456789")])"#,
    );
    let mut h = Harness::open(ws.path().to_path_buf(), 80, 24).await;
    h.send(key(Char('S')));
    h.send(key(Enter));
    h.until(|s| s.ui.status.text.starts_with("shared")).await;
    let status = h.status().to_string();
    assert!(status.contains("CRM_PASSWORD"), "{status}");
    let screen = h.screen();
    let last = screen.lines().last().unwrap();
    assert!(last.contains("… (L)"), "{screen}");
    // The secrets to set come first: seen even when the path is cut.
    assert!(last.contains("CRM_PASSWORD"), "{screen}");
    h.send(key(Char('L')));
    h.settle().await;
    let flat: String = h.screen().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("CRM_X_API_KEY"), "{flat}");
    assert!(flat.contains("crm.ron"), "{flat}");
    h.send(key(Esc));
    h.settle().await;
    assert!(matches!(h.app.state.ui.mode, Mode::Normal));
}

// ---- found by using it: what a second hour turned up ---------------------

#[tokio::test]
async fn save_all_and_quit_never_drops_an_event_that_cannot_be_saved() {
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    ws.write(
        "p.ron",
        r#"(name: "p", method: POST, url: "http://127.0.0.1:9/x", event: "events/signup.json")"#,
    );
    let mut h = open(&ws).await;
    h.host.editor = Box::new(|text| Ok(text.replace("\"free\"", "free\"")));
    h.goto(Field::Event).await;
    h.send(key(Char('e')));
    h.until(|s| s.ui.status.text == "back from the editor")
        .await;
    h.send(key(Esc));
    h.send(key(Char('q')));
    h.send(key(Char('s')));
    h.settle().await;
    assert!(!h.app.state.ui.quit);
    assert!(h.status().contains("not quitting"), "{}", h.status());
    let text = std::fs::read_to_string(ws.path().join("events/signup.json")).unwrap();
    assert_eq!(text, support::SIGNUP_EVENT);
    assert_eq!(h.app.state.bench.any_dirty(), 1, "the edit is still there");
}

#[tokio::test]
async fn history_and_receiver_keep_their_own_filters_and_the_receiver_its_own_line() {
    let port = support::closed_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ws = Workspace::new();
    ws.write(
        "echo.ron",
        &format!(r#"(name: "echo", method: POST, url: "http://127.0.0.1:{port}/in")"#),
    );
    let mut h = Harness::open_with(ws.path().to_path_buf(), 120, 40, Some(addr)).await;
    h.until(|s| s.receiver.running.is_some()).await;
    h.send(key(Char('f')));
    h.until(|s| s.bench.answered().is_some_and(|a| a.record.is_some()))
        .await;
    h.send(key(Char('2')));
    h.until(|s| !s.history.loading && s.history.total == 2)
        .await;
    h.send(ratatui::crossterm::event::Event::Key(
        ratatui::crossterm::event::KeyEvent::new(
            Char('F'),
            ratatui::crossterm::event::KeyModifiers::SHIFT,
        ),
    ));
    h.until(|s| !s.history.loading && s.history.filter.failed)
        .await;
    // The Receiver view has its own: not failed-only.
    h.send(key(Char('3')));
    h.until(|s| !s.history.loading && s.history.total == 1)
        .await;
    assert!(!h.app.state.history.filter.failed);
    let screen = h.screen();
    let lines: Vec<&str> = screen.lines().collect();
    assert!(
        lines[1].contains(&format!("receiver on http://127.0.0.1:{port}")),
        "{screen}"
    );
    assert!(
        lines[2].contains("t time: all time") && lines[2].contains("/ text"),
        "{screen}"
    );
    // And back: History's filter is as it was left.
    h.send(key(Char('2')));
    h.until(|s| !s.history.loading && s.history.filter.failed)
        .await;
}

#[tokio::test]
async fn a_broken_file_says_why_it_cannot_be_shared_or_duplicated_and_names_stay_unique() {
    let ws = Workspace::new();
    ws.write("broken.ron", "(name: \"b\", method: GET, url: \"x\")");
    let mut h = open(&ws).await;
    h.send(key(Char('S')));
    h.settle().await;
    assert!(h.status().contains("e opens it"), "{}", h.status());
    assert!(matches!(h.app.state.ui.mode, Mode::Normal));
    h.send(key(Char('d')));
    h.settle().await;
    assert!(h.status().contains("e opens it"), "{}", h.status());
    // The same curl pasted twice: two names.
    for _ in 0..2 {
        h.send(Event::Paste(
            "curl -X POST http://127.0.0.1:9/hook -d '{}'".into(),
        ));
        h.send(key(Esc));
    }
    h.until(|s| s.bench.entries.len() == 3).await;
    let names: Vec<String> = h
        .app
        .state
        .bench
        .entries
        .iter()
        .filter_map(|e| match &e.kind {
            hookbench::tui::state::EntryKind::Ok { draft, .. } => Some(draft.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names.len(), 2);
    assert_ne!(names[0], names[1], "{names:?}");
    assert!(names[1].ends_with(" (2)"), "{names:?}");
}

#[tokio::test]
async fn o_makes_no_folder_and_an_empty_whsec_key_is_refused() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(r#"(name: "p", method: POST, url: "{}")"#, server.url("/x")),
    );
    let mut h = open(&ws).await;
    h.send(key(Char('f')));
    h.until_answered().await;
    h.send(key(ratatui::crossterm::event::KeyCode::Tab));
    h.send(key(ratatui::crossterm::event::KeyCode::Tab));
    h.send(key(ratatui::crossterm::event::KeyCode::Tab));
    h.send(key(Char('o')));
    let target = ws.path().join("no-such-folder").join("x.json");
    h.type_text(target.to_str().unwrap());
    h.send(key(Enter));
    h.until(|s| s.ui.status.error).await;
    assert!(h.status().contains("no folder"), "{}", h.status());
    assert!(!ws.path().join("no-such-folder").exists());
    assert!(hookbench::signing::standard_key("whsec_").is_err());
}

#[tokio::test]
async fn a_replay_says_when_the_saved_profile_lacks_what_the_record_sent() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}", auth: Basic(username: "ops", password: "pw"))"#,
            server.url("/x")
        ),
    );
    let mut h = open(&ws).await;
    // Fired from an unsaved form whose key the saved file does not have.
    h.goto(Field::Headers).await;
    h.send(key(Char('a')));
    h.type_text("X-API-Key: k-unsaved-123");
    h.send(key(Enter));
    h.send(key(Char('f')));
    h.until(|s| s.bench.answered().is_some_and(|a| a.record.is_some()))
        .await;
    h.send(key(Char('2')));
    h.until(|s| !s.history.loading && s.history.open.is_some())
        .await;
    h.send(key(Char('r')));
    h.until(|s| s.history.bulk.as_ref().is_some_and(|b| b.finished))
        .await;
    assert!(
        h.status()
            .contains("not among profile `p`'s credentials as saved")
            && h.status().contains("X-API-Key"),
        "{}",
        h.status()
    );
}

#[tokio::test]
async fn history_at_80_columns_still_shows_host_and_path() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}")"#,
            server.url("/orders/x")
        ),
    );
    let mut h = Harness::open(ws.path().to_path_buf(), 80, 24).await;
    h.send(key(Char('f')));
    h.until(|s| s.bench.answered().is_some_and(|a| a.record.is_some()))
        .await;
    h.send(key(Char('2')));
    h.until(|s| !s.history.loading && s.history.total == 1)
        .await;
    let screen = h.screen();
    assert!(screen.contains("/orders/x"), "{screen}");
}

#[tokio::test]
async fn tab_with_several_choices_lists_them() {
    let ws = Workspace::new();
    ws.write(
        "crm-a.ron",
        r#"(name: "a", method: POST, url: "http://127.0.0.1:9/a")"#,
    );
    ws.write(
        "crm-b.ron",
        r#"(name: "b", method: POST, url: "http://127.0.0.1:9/b")"#,
    );
    let mut h = open(&ws).await;
    h.send(key(Char('i')));
    h.type_text(&format!("{}/cr", ws.path().display()));
    h.send(key(ratatui::crossterm::event::KeyCode::Tab));
    h.until(|s| s.ui.status.text.contains("choices")).await;
    assert!(
        h.status().contains("crm-a.ron") && h.status().contains("crm-b.ron"),
        "{}",
        h.status()
    );
    match &h.app.state.ui.mode {
        Mode::Prompt { area, .. } => assert!(
            area.lines().join("").ends_with("/crm-"),
            "{:?}",
            area.lines()
        ),
        m => panic!("{m:?}"),
    }
}
