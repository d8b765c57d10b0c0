//! The comfort people expect of a workbench (what slumber, posting and
//! Postman users look for), through the real loop on a TestBackend
//! against real servers and files.

mod support;

use hookbench::tui::draft::Field;
use hookbench::tui::state::Mode;
use ratatui::crossterm::event::KeyCode::{Char, Down, Enter, Right, Tab};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use support::tui::{Harness, ctrl, key};
use support::{Answer, Server, Workspace};

const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn shift(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT))
}

async fn open(ws: &Workspace) -> Harness {
    Harness::open(ws.path().to_path_buf(), 120, 40).await
}

#[tokio::test]
async fn g_and_shift_g_move_through_the_profile_list() {
    let ws = Workspace::new();
    for n in ["a", "b", "c", "d"] {
        ws.write(
            &format!("{n}.ron"),
            &format!(r#"(name: "{n}", method: POST, url: "http://127.0.0.1:9/{n}")"#),
        );
    }
    let mut h = open(&ws).await;
    h.send(shift('G'));
    h.settle().await;
    assert_eq!(h.app.state.bench.selected, 3);
    h.send(key(Char('g')));
    h.settle().await;
    assert_eq!(h.app.state.bench.selected, 0);
}

#[tokio::test]
async fn patch_is_a_method_the_form_offers_and_sends() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}")"#,
            server.url("/crm")
        ),
    );
    let mut h = open(&ws).await;
    h.goto(Field::Method).await;
    // POST, PUT, DELETE first, as the webhook block offers; then PATCH.
    h.keys(&[Right, Right, Right]);
    h.settle().await;
    assert_eq!(h.app.state.draft().unwrap().method.as_str(), "PATCH");
    h.send(key(Char('f')));
    h.until_answered().await;
    assert_eq!(server.only().method, "PATCH");
    h.send(ctrl('s'));
    h.until(|s| s.ui.status.text.starts_with("saved")).await;
    let text = std::fs::read_to_string(ws.path().join("p.ron")).unwrap();
    assert!(text.contains("method: PATCH"), "{text}");
}

#[tokio::test]
async fn a_retried_fire_says_how_many_attempts_it_took() {
    let server = Server::start(Answer::status(503));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}", retry: Some((max_attempts: 3, backoff: Fixed(ms: 10))))"#,
            server.url("/flaky")
        ),
    );
    let mut h = open(&ws).await;
    h.send(key(Char('f')));
    h.until_answered().await;
    assert_eq!(server.requests().len(), 3);
    assert!(h.status().contains("after 3 attempts"), "{}", h.status());
}

#[tokio::test]
async fn o_saves_the_response_body_masked_to_a_new_file() {
    let server = Server::start(Answer {
        body: br#"{"echo":"zz-token-778899","id":7}"#.to_vec(),
        ..Answer::status(200)
    });
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}", headers: [("X-Api-Token", "zz-token-778899")])"#,
            server.url("/x")
        ),
    );
    let mut h = open(&ws).await;
    h.send(key(Char('f')));
    h.until_answered().await;
    h.keys(&[Tab, Tab, Tab]);
    h.send(key(Char('o')));
    h.settle().await;
    match &h.app.state.ui.mode {
        Mode::Prompt { area, .. } => assert!(area.placeholder_text().ends_with("p-response.json")),
        m => panic!("no prompt: {m:?}"),
    }
    let target = ws.path().join("body.json");
    h.type_text(target.to_str().unwrap());
    h.send(key(Enter));
    h.until(|s| s.ui.status.text.starts_with("saved the body") || s.ui.status.error)
        .await;
    let saved = std::fs::read_to_string(&target).unwrap();
    assert!(saved.contains(r#""id":7"#), "{saved}");
    assert!(
        !saved.contains("zz-token-778899"),
        "the token is masked: {saved}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Never over a file that is there.
    h.send(key(Char('o')));
    h.type_text(target.to_str().unwrap());
    h.send(key(Enter));
    h.until(|s| s.ui.status.error).await;
    assert!(h.status().contains("give another name"), "{}", h.status());
}

#[tokio::test]
async fn r_selects_the_replay_it_made() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(r#"(name: "p", method: POST, url: "{}")"#, server.url("/x")),
    );
    let mut h = open(&ws).await;
    for id in 1..=3 {
        h.send(key(Char('f')));
        h.until(move |s| s.bench.answered().is_some_and(|a| a.record == Some(id)))
            .await;
    }
    h.send(key(Char('2')));
    h.until(|s| !s.history.loading && s.history.total == 3 && s.history.open.is_some())
        .await;
    // The oldest, replayed: the replay is the one selected after.
    h.keys(&[Down, Down]);
    h.settle().await;
    let oldest = h.app.state.history.rows[2].id;
    h.send(key(Char('r')));
    h.until(|s| {
        s.history.bulk.as_ref().is_some_and(|b| b.finished)
            && !s.history.loading
            && s.history.open.as_ref().map(|o| o.record.id) == Some(4)
    })
    .await;
    let open = h.app.state.history.open.as_ref().unwrap();
    assert_eq!(h.app.state.history.selected, 0);
    assert_eq!(
        open.record.exchange.origin,
        hookbench::exchange::Origin::Replay(Some(oldest))
    );
}

#[tokio::test]
async fn the_receiver_lists_signature_verdicts_and_refuses_a_bad_secret_as_typed() {
    let port = support::closed_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ws = Workspace::new();
    ws.write(
        "s.ron",
        &format!(
            r#"(name: "s", method: POST, url: "http://127.0.0.1:{port}/in", signing: Some(StandardWebhooks(secret: "{WHSEC}")))"#
        ),
    );
    let mut h = Harness::open_with(ws.path().to_path_buf(), 120, 40, Some(addr)).await;
    h.until(|s| s.receiver.running.is_some()).await;
    h.send(key(Char('3')));
    h.send(ctrl('k'));
    h.type_text("not-a-whsec-secret");
    h.send(key(Enter));
    h.settle().await;
    assert!(h.app.state.ui.status.error, "{}", h.status());
    assert!(h.status().contains("refused"), "{}", h.status());
    assert!(!h.status().contains("not-a-whsec-secret"), "{}", h.status());
    assert!(h.app.state.receiver.secrets.is_empty());
    h.send(ctrl('k'));
    h.type_text(WHSEC);
    h.send(key(Enter));
    h.send(key(Char('1')));
    h.send(key(Char('f')));
    h.until(|s| s.bench.answered().is_some()).await;
    h.send(key(Char('3')));
    h.until(|s| !s.history.loading && s.history.total == 1 && !s.receiver.verdicts.is_empty())
        .await;
    h.settle().await;
    let screen = h.screen();
    assert!(screen.contains("SIGNATURE"), "{screen}");
    assert!(
        screen
            .lines()
            .any(|l| l.contains("received") && l.contains("valid")),
        "{screen}"
    );
}

#[tokio::test]
async fn the_first_frame_already_shows_the_profile_list() {
    let ws = Workspace::new();
    ws.write(
        "crm.ron",
        r#"(name: "crm lead", method: POST, url: "http://127.0.0.1:9/x")"#,
    );
    let mut h = Harness::unstarted(ws.path().to_path_buf(), 120, 40, None);
    // One step of the loop: the first frame, nothing else.
    h.until(|_| true).await;
    let screen = h.screen();
    assert!(screen.contains("crm lead"), "{screen}");
    assert!(!screen.contains("loading profiles"), "{screen}");
}

#[tokio::test]
async fn shift_r_reads_the_folder_again_keeping_unsaved_changes() {
    let ws = Workspace::new();
    ws.write(
        "a.ron",
        r#"(name: "a", method: POST, url: "http://127.0.0.1:9/a")"#,
    );
    ws.write(
        "b.ron",
        r#"(name: "b", method: POST, url: "http://127.0.0.1:9/b")"#,
    );
    let mut h = open(&ws).await;
    // b gets an unsaved change here.
    h.send(key(Down));
    h.goto(Field::Url).await;
    h.send(key(Enter));
    h.type_text("/mine");
    h.send(key(Enter));
    h.send(key(KeyCode::Esc));
    h.settle().await;
    // Outside: a changes, b changes, c is new.
    ws.write(
        "a.ron",
        r#"(name: "a", method: PUT, url: "http://127.0.0.1:9/a2")"#,
    );
    ws.write(
        "b.ron",
        r#"(name: "b", method: PUT, url: "http://127.0.0.1:9/theirs")"#,
    );
    ws.write(
        "c.ron",
        r#"(name: "c", method: POST, url: "http://127.0.0.1:9/c")"#,
    );
    h.send(shift('R'));
    h.until(|s| !s.bench.loading && s.bench.entries.len() == 3)
        .await;
    let bench = &h.app.state.bench;
    let url_of = |stem: &str| {
        let e = bench
            .entries
            .iter()
            .find(|e| e.path.file_stem().unwrap() == stem)
            .unwrap();
        match &e.kind {
            hookbench::tui::state::EntryKind::Ok { draft, .. } => draft.url.clone(),
            k => panic!("{k:?}"),
        }
    };
    assert_eq!(url_of("a"), "http://127.0.0.1:9/a2");
    assert_eq!(
        url_of("b"),
        "http://127.0.0.1:9/b/mine",
        "unsaved changes are kept"
    );
    assert_eq!(url_of("c"), "http://127.0.0.1:9/c");
    assert!(h.status().contains("1 new"), "{}", h.status());
    assert!(
        h.status().contains("unsaved changes kept"),
        "{}",
        h.status()
    );
}

#[tokio::test]
async fn e_opens_a_broken_profile_in_the_editor_and_it_loads_once_fixed() {
    let ws = Workspace::new();
    ws.write(
        "broken.ron",
        "(name: \"broken\", method: GET, url: \"http://127.0.0.1:9/x\")",
    );
    let mut h = open(&ws).await;
    assert!(matches!(
        h.app.state.bench.entries[0].kind,
        hookbench::tui::state::EntryKind::Broken(_)
    ));
    h.host.editor = Box::new(|text| Ok(text.replace("GET", "POST")));
    h.send(key(Char('e')));
    h.until(|s| {
        !s.bench.loading
            && matches!(
                s.bench.entries.first().map(|e| &e.kind),
                Some(hookbench::tui::state::EntryKind::Ok { .. })
            )
    })
    .await;
    let text = std::fs::read_to_string(ws.path().join("broken.ron")).unwrap();
    assert!(text.contains("method: POST"), "{text}");
}

#[tokio::test]
async fn renaming_offers_to_rename_the_file_and_a_new_copy_follows_its_name() {
    let ws = Workspace::new();
    ws.write(
        "crm.ron",
        r#"(name: "crm", method: POST, url: "http://127.0.0.1:9/x")"#,
    );
    let mut h = open(&ws).await;
    h.goto(Field::Name).await;
    h.send(key(Enter));
    h.type_text(" leads");
    h.send(key(Enter));
    h.send(ctrl('s'));
    h.settle().await;
    assert!(
        h.screen().contains("y saves it as crm-leads.ron"),
        "{}",
        h.screen()
    );
    h.send(key(Char('y')));
    h.until(|s| s.ui.status.text.starts_with("renamed")).await;
    assert!(!ws.path().join("crm.ron").exists());
    let text = std::fs::read_to_string(ws.path().join("crm-leads.ron")).unwrap();
    assert!(text.contains(r#"name: "crm leads""#), "{text}");
    assert!(!h.app.state.bench.current().unwrap().dirty);

    // A duplicate renamed before its first save is saved under its name.
    h.send(key(KeyCode::Esc));
    h.send(key(Char('d')));
    h.goto(Field::Name).await;
    h.send(key(Enter));
    for _ in 0.." copy".len() {
        h.send(key(KeyCode::Backspace));
    }
    h.type_text(" v2");
    h.send(key(Enter));
    h.send(ctrl('s'));
    h.until(|s| s.ui.status.text.starts_with("saved")).await;
    assert!(ws.path().join("crm-leads-v2.ron").exists());
    assert!(!ws.path().join("crm-leads-copy.ron").exists());
}

#[tokio::test]
async fn two_profiles_of_one_name_show_their_files() {
    let ws = Workspace::new();
    ws.write(
        "a.ron",
        r#"(name: "crm", method: POST, url: "http://127.0.0.1:9/a")"#,
    );
    ws.write(
        "b.ron",
        r#"(name: "crm", method: PUT, url: "http://127.0.0.1:9/b")"#,
    );
    ws.write(
        "c.ron",
        r#"(name: "other", method: PUT, url: "http://127.0.0.1:9/c")"#,
    );
    let h = open(&ws).await;
    let screen = h.screen();
    assert!(
        screen.contains("a.ron · crm") && screen.contains("b.ron · crm"),
        "{screen}"
    );
    assert!(!screen.contains("c.ron · other"), "{screen}");
}

#[tokio::test]
async fn an_edited_event_is_marked_unsaved_and_saving_a_shared_one_says_who_shares_it() {
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    for n in ["crm", "mail"] {
        ws.write(
            &format!("{n}.ron"),
            &format!(
                r#"(name: "{n}", method: POST, url: "http://127.0.0.1:9/{n}", event: "events/signup.json")"#
            ),
        );
    }
    let mut h = open(&ws).await;
    // In $EDITOR (e on the Event row): the plan changes.
    h.host.editor = Box::new(|text| Ok(text.replace("\"free\"", "\"pro\"")));
    h.goto(Field::Event).await;
    h.send(key(Char('e')));
    h.until(|s| s.ui.status.text == "back from the editor")
        .await;
    h.settle().await;
    let screen = h.screen();
    assert!(screen.contains("(unsaved)"), "{screen}");
    assert!(screen.contains("*POST   crm"), "{screen}");
    // Ctrl-s saves the event too, once told which other profile uses it.
    h.send(ctrl('s'));
    h.settle().await;
    assert!(
        h.screen().contains("also the sample event of mail"),
        "{}",
        h.screen()
    );
    h.send(key(Char('y')));
    h.until(|s| s.bench.any_dirty() == 0).await;
    let text = std::fs::read_to_string(ws.path().join("events/signup.json")).unwrap();
    assert!(text.contains("\"pro\""), "{text}");
}

#[tokio::test]
async fn ctrl_k_sets_an_unset_secret_typed_masked() {
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
    h.send(ctrl('k'));
    h.type_text("zz-typed-secret-9");
    h.settle().await;
    let screen = h.screen();
    assert!(screen.contains("Secret HOOK_TOKEN"), "{screen}");
    assert!(!screen.contains("zz-typed"), "typed masked: {screen}");
    h.send(key(Enter));
    h.until(|s| s.ui.status.text.starts_with("secret HOOK_TOKEN set"))
        .await;
    let file = ws.config_dir().join("secrets.ron");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    h.send(key(Char('f')));
    h.until_answered().await;
    assert_eq!(server.only().header("x-token"), Some("zz-typed-secret-9"));
    assert!(!h.screen().contains("zz-typed"), "{}", h.screen());
    // Nothing left unset now.
    h.send(ctrl('k'));
    h.settle().await;
    assert!(matches!(h.app.state.ui.mode, Mode::Normal));
    assert!(h.status().contains("every secret"), "{}", h.status());
}

#[tokio::test]
async fn p_picks_the_profile_filter_from_the_names_the_history_holds() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    for n in ["alpha", "beta"] {
        ws.write(
            &format!("{n}.ron"),
            &format!(
                r#"(name: "{n}", method: POST, url: "{}")"#,
                server.url("/x")
            ),
        );
    }
    let mut h = open(&ws).await;
    h.send(key(Char('f')));
    h.until(|s| s.bench.answered().is_some_and(|a| a.record == Some(1)))
        .await;
    h.send(key(Down));
    h.send(key(Char('f')));
    h.until(|s| s.bench.answered().is_some_and(|a| a.record == Some(2)))
        .await;
    h.send(key(Char('2')));
    h.until(|s| !s.history.loading && s.history.total == 2)
        .await;
    h.send(key(Char('p')));
    h.until(|s| matches!(s.ui.mode, Mode::Picker { .. })).await;
    match &h.app.state.ui.mode {
        Mode::Picker { items, .. } => assert_eq!(items, &["(any profile)", "alpha", "beta"]),
        m => panic!("{m:?}"),
    }
    h.keys(&[Down, Down, Enter]);
    h.until(|s| !s.history.loading && s.history.total == 1)
        .await;
    assert_eq!(h.app.state.history.filter.profile.as_deref(), Some("beta"));
    assert!(h.screen().contains("p profile: beta"), "{}", h.screen());
}

#[tokio::test]
async fn text_fields_take_ctrl_u_show_the_terminal_cursor_and_complete_paths() {
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        r#"(name: "p", method: POST, url: "http://127.0.0.1:9/x")"#,
    );
    std::fs::create_dir_all(ws.path().join("incoming")).unwrap();
    ws.write(
        "incoming/crm-lead.shared.ron",
        r#"(name: "crm lead", method: POST, url: "http://127.0.0.1:9/crm")"#,
    );
    let mut h = open(&ws).await;
    // Ctrl-u clears the field back to its start.
    h.goto(Field::Url).await;
    h.send(key(Enter));
    h.send(ctrl('u'));
    h.type_text("http://127.0.0.1:9/new");
    h.settle().await;
    // The terminal's cursor is where typing goes: at the end of the URL.
    let cursor = h.app.terminal.get_cursor_position().unwrap();
    let row: String = {
        let buf = h.app.terminal.backend().buffer();
        (0..buf.area.width)
            .map(|x| buf[(x, cursor.y)].symbol().to_string())
            .collect()
    };
    assert!(row.contains("http://127.0.0.1:9/new"), "{row}");
    let url_end = row.find("/new").unwrap() + 4;
    assert_eq!(cursor.x as usize, row[..url_end].chars().count());
    h.send(key(Enter));
    h.settle().await;
    assert_eq!(h.app.state.draft().unwrap().url, "http://127.0.0.1:9/new");
    // Tab completes a path in the import prompt.
    h.send(key(KeyCode::Esc));
    h.send(key(Char('i')));
    h.type_text(&format!("{}/inc", ws.path().display()));
    h.send(key(Tab));
    h.until(|s| match &s.ui.mode {
        Mode::Prompt { area, .. } => area.lines().join("").ends_with("incoming/"),
        _ => false,
    })
    .await;
    h.send(key(Tab));
    h.until(|s| match &s.ui.mode {
        Mode::Prompt { area, .. } => area.lines().join("").ends_with("crm-lead.shared.ron"),
        _ => false,
    })
    .await;
    h.send(key(Enter));
    h.until(|s| s.ui.status.text.starts_with("imported")).await;
}

#[tokio::test]
async fn an_exchange_made_while_the_history_opens_is_recorded_once_it_is_open() {
    // Another process holds the history file: opening it waits.
    let port = support::closed_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ws = Workspace::new();
    ws.write(
        "s.ron",
        &format!(r#"(name: "s", method: POST, url: "http://127.0.0.1:{port}/in")"#),
    );
    std::fs::create_dir_all(ws.history().parent().unwrap()).unwrap();
    let holder = rusqlite::Connection::open(ws.history()).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let mut h = Harness::open_with(ws.path().to_path_buf(), 120, 40, Some(addr)).await;
    h.until(|s| s.receiver.running.is_some()).await;
    h.send(key(Char('f')));
    h.until(|s| s.bench.answered().is_some()).await;
    h.settle().await;
    assert!(
        h.app.state.history.store.is_none(),
        "the history opened early"
    );
    // The other process lets go: both the fire and what the receiver got
    // are written.
    holder.execute_batch("COMMIT").unwrap();
    drop(holder);
    h.until(|s| s.bench.answered().is_some_and(|a| a.record.is_some()))
        .await;
    h.send(key(Char('2')));
    h.until(|s| !s.history.loading && s.history.rows.len() == 2)
        .await;
    let mut origins: Vec<_> = h
        .app
        .state
        .history
        .rows
        .iter()
        .map(|r| r.origin.clone())
        .collect();
    origins.sort();
    assert_eq!(origins, ["fire", "received"], "{}", h.screen());
}

#[tokio::test]
async fn without_colour_the_workbench_says_in_bold_what_red_said() {
    use ratatui::style::{Color, Modifier};
    let ws = Workspace::new();
    let lines = ws.write(
        "in.jsonl",
        r#"{"method": "POST", "url": "http://127.0.0.1:9/a", "status": 500, "time": "2026-01-01T00:00:00Z"}
{"method": "POST", "url": "http://127.0.0.1:9/ok", "status": 200}"#,
    );
    assert_eq!(
        ws.run(&["import", lines.to_str().unwrap()], &[])
            .status
            .code(),
        Some(0)
    );
    let mut h = open(&ws).await;
    h.send(key(Char('2')));
    h.until(|s| !s.history.loading && s.history.rows.len() == 2)
        .await;
    // The failed record is not the selected one: nothing else makes it bold.
    assert_eq!(h.app.state.history.rows[1].path, "/a");
    let row_of = |h: &Harness| {
        let buf = h.app.terminal.backend().buffer().clone();
        let y = (0..buf.area.height)
            .find(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, *y)].symbol().to_string())
                    .collect::<String>()
                    .contains("127.0.0.1:9/a")
            })
            .expect("the record is listed");
        (buf, y)
    };
    let (buf, y) = row_of(&h);
    assert!(
        (0..buf.area.width).any(|x| buf[(x, y)].fg == Color::Red),
        "failed in red"
    );
    assert!(
        !(0..buf.area.width).any(|x| buf[(x, y)].modifier.contains(Modifier::BOLD)),
        "not bold in colour"
    );
    h.app.set_plain(true);
    h.send(key(Char('t')));
    h.send(key(Char('t')));
    h.send(key(Char('t')));
    h.send(key(Char('t')));
    h.until(|s| !s.history.loading && s.history.rows.len() == 2)
        .await;
    h.settle().await;
    let (buf, y) = row_of(&h);
    assert!(
        buf.content
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "no colour left"
    );
    let x = (0..buf.area.width)
        .find(|x| buf[(*x, y)].symbol() == "5")
        .unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    // And the count line says so.
    assert!(
        h.screen().contains("still failing in bold"),
        "{}",
        h.screen()
    );
}

#[tokio::test]
async fn config_ron_moves_keys_and_recolours_and_help_shows_the_keys_as_configured() {
    let server = Server::start(Answer::status(200));
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "{}", include_trigger: false)"#,
            server.url("/x")
        ),
    );
    let config = hookbench::tui::config::parse(
        std::path::Path::new("config.ron"),
        r##"(theme: (accent: "#112233"), keys: {"fire": ["F5"]})"##,
    )
    .unwrap();
    let mut h = Harness::open(ws.path().to_path_buf(), 120, 40).await;
    h.app.state.ui.keys = config.keys.clone();
    h.app.set_theme(config.theme.clone());
    // `f` no longer fires; F5 does.
    h.send(key(KeyCode::Char('f')));
    h.settle().await;
    assert!(server.requests().is_empty());
    h.send(key(KeyCode::F(5)));
    h.until_answered().await;
    assert_eq!(server.requests().len(), 1);
    // The status bar's hints and `?` say F5.
    use hookbench::tui::keys::{Action, Scope};
    assert_eq!(
        h.app.state.ui.keys.hints(Scope::Profiles, &[Action::Fire]),
        "F5 fire"
    );
    h.send(key(KeyCode::Char('?')));
    h.settle().await;
    let screen = h.screen();
    assert!(
        screen
            .lines()
            .any(|l| l.contains("F5") && l.contains("fire the selected profile")),
        "{screen}"
    );
    // The accent colour is the configured one.
    let buf = h.app.terminal.backend().buffer();
    let rgb = ratatui::style::Color::Rgb(0x11, 0x22, 0x33);
    assert!(buf.content.iter().any(|c| c.bg == rgb || c.fg == rgb));
    assert!(
        !buf.content
            .iter()
            .any(|c| c.bg == ratatui::style::Color::Cyan)
    );
}
