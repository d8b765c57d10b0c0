//! Environments in the workbench, through the real loop: the title bar,
//! `E` and its list, the preview that follows, a new environment made in
//! `$EDITOR`, `C` (one event in two environments, compared, recorded as a
//! pair) and the History view's environment filter.

mod support;

use ratatui::crossterm::event::KeyCode;
use support::tui::{Harness, key};
use support::{Answer, Server, Workspace};

fn workspace(local: &Server, staging: &Server) -> Workspace {
    let ws = Workspace::new();
    ws.write("events/signup.json", support::SIGNUP_EVENT);
    std::fs::create_dir_all(ws.path().join("environments")).unwrap();
    ws.write(
        "crm.ron",
        r#"(
    name: "crm",
    method: POST,
    url: "{{var.BASE_URL}}/lists/{{var.LIST_ID}}",
    variables: {"LIST_ID": "default-list"},
    headers: [("X-Trace", "{{uuid}}"), ("X-Api-Key", "{{var.API_KEY}}")],
    payload: {"list": "{{var.LIST_ID}}"},
    event: "events/signup.json",
)"#,
    );
    for (name, server, list) in [
        ("local", local, "local-list"),
        ("staging", staging, "stg-list"),
    ] {
        ws.write(
            &format!("environments/{name}.ron"),
            &format!(
                r#"(name: "{name}", variables: {{"BASE_URL": "{}", "LIST_ID": "{list}", "API_KEY": "key-of-{name}"}})"#,
                server.url("")
            ),
        );
    }
    ws
}

fn preview_url(h: &Harness) -> Option<String> {
    match &h.app.state.bench.preview.as_ref()?.result {
        Ok(a) => Some(a.request.url.clone()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn e_picks_the_environment_the_title_shows_and_the_preview_follows() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(200)),
    );
    let ws = workspace(&a, &b);
    let mut h = Harness::open(ws.path().to_path_buf(), 160, 40).await;
    h.settle().await;
    assert!(h.screen().contains("env: none (E)"), "{}", h.screen());
    // No environment: the profile cannot render its URL, and says why.
    assert_eq!(preview_url(&h), None);

    h.send(key(KeyCode::Char('E')));
    h.settle().await;
    let screen = h.screen();
    assert!(
        screen.contains("(no environment)") && screen.contains("staging"),
        "{screen}"
    );
    h.send(key(KeyCode::Down));
    h.settle().await;
    // The highlighted environment's variables, credentials masked.
    let screen = h.screen();
    assert!(
        screen.contains(&format!("BASE_URL = {}", a.url(""))),
        "{screen}"
    );
    assert!(screen.contains("API_KEY = [redacted]"), "{screen}");
    assert!(!screen.contains("key-of-local"), "{screen}");
    h.send(key(KeyCode::Enter));
    h.settle().await;
    assert!(h.screen().contains(" env: local "), "{}", h.screen());
    assert_eq!(preview_url(&h), Some(a.url("/lists/local-list")));

    // Another: the preview follows at once.
    h.send(key(KeyCode::Char('E')));
    h.keys(&[KeyCode::Down, KeyCode::Enter]);
    h.settle().await;
    assert!(h.screen().contains(" env: staging "), "{}", h.screen());
    assert_eq!(preview_url(&h), Some(b.url("/lists/stg-list")));

    // A fire goes there, and is recorded in that environment.
    h.send(key(KeyCode::Char('f')));
    h.until_answered().await;
    assert_eq!(b.only().header("x-api-key"), Some("key-of-staging"));
    assert!(a.requests().is_empty());
    h.send(key(KeyCode::Char('2')));
    h.until(|s| {
        s.history
            .rows
            .iter()
            .any(|r| r.env.as_deref() == Some("staging"))
    })
    .await;
}

#[tokio::test]
async fn n_in_the_list_makes_an_environment_in_the_editor_and_it_can_be_picked() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(200)),
    );
    let ws = workspace(&a, &b);
    let mut h = Harness::open(ws.path().to_path_buf(), 160, 40).await;
    let url = a.url("/prod");
    // The editor gets the new file with the profile's variables, empty.
    h.host.editor = Box::new(move |text| {
        assert!(text.contains("\"BASE_URL\": \"\""), "{text}");
        assert!(
            text.contains("(name: \"prod\"") || text.contains("name: \"prod\""),
            "{text}"
        );
        Ok(text
            .replace("\"BASE_URL\": \"\"", &format!("\"BASE_URL\": \"{url}\""))
            .replace("\"API_KEY\": \"\"", "\"API_KEY\": \"{{secret.PROD_KEY}}\""))
    });
    h.send(key(KeyCode::Char('E')));
    h.send(key(KeyCode::Char('n')));
    h.type_text("prod");
    h.send(key(KeyCode::Enter));
    // Listed and selected at once, and written as edited.
    let file = ws.path().join("environments/prod.ron");
    let want = a.url("/prod");
    h.until(move |s| {
        s.bench.env.as_deref() == Some("prod")
            && std::fs::read_to_string(&file).is_ok_and(|t| t.contains(&want))
    })
    .await;
    h.settle().await;
    assert!(h.screen().contains(" env: prod "), "{}", h.screen());
    // A bad name is refused, with the rule.
    h.send(key(KeyCode::Char('E')));
    h.send(key(KeyCode::Char('n')));
    h.type_text("a b");
    h.send(key(KeyCode::Enter));
    h.until(|s| {
        s.ui.messages
            .iter()
            .any(|(_, m)| m.error && m.text.contains("letters, digits"))
    })
    .await;
}

#[tokio::test]
async fn c_sends_one_event_in_two_environments_and_shows_the_comparison_again_from_history() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(500)),
    );
    let ws = workspace(&a, &b);
    let mut h = Harness::open(ws.path().to_path_buf(), 160, 40).await;
    h.until(|s| s.history.store.is_some()).await;
    // Without an environment there is nothing to compare from.
    h.send(key(KeyCode::Char('C')));
    h.settle().await;
    assert!(
        h.status().contains("select an environment first"),
        "{}",
        h.status()
    );

    h.send(key(KeyCode::Char('E')));
    h.keys(&[KeyCode::Down, KeyCode::Enter]);
    h.send(key(KeyCode::Char('C')));
    h.settle().await;
    // The second is asked for; the selected one is not offered.
    let screen = h.screen();
    assert!(
        screen.contains("Compare with which environment?"),
        "{screen}"
    );
    h.send(key(KeyCode::Enter));
    h.until(|s| s.history.compare.is_some()).await;
    let screen = h.screen();
    assert!(screen.contains("2 History"), "{screen}");
    assert!(screen.contains("outcome: 1 difference(s)"), "{screen}");
    assert!(
        screen.contains("~ $.list: \"local-list\" → \"stg-list\""),
        "{screen}"
    );
    // One event: the same id on both sides; the keys never on screen.
    assert_eq!(a.only().header("x-trace"), b.only().header("x-trace"));
    assert!(!screen.contains("key-of-"), "{screen}");

    // From the History view, c on either record opens it again.
    let (left, right) = {
        let c = h.app.state.history.compare.as_ref().unwrap();
        (c.left.id, c.right.id)
    };
    assert_eq!(left + 1, right);
    h.send(key(KeyCode::Esc));
    h.until(|s| s.history.compare.is_none() && s.history.rows.len() >= 2)
        .await;
    h.app.state.history.selected = 0;
    h.send(key(KeyCode::Char('c')));
    h.until(|s| s.history.compare.is_some()).await;
    let c = h.app.state.history.compare.as_ref().unwrap();
    assert_eq!((c.left.id, c.right.id), (left, right));

    // The environment filter picks from what the history holds.
    h.send(key(KeyCode::Esc));
    h.settle().await;
    h.send(key(KeyCode::Char('e')));
    h.settle().await;
    h.until(|s| matches!(s.ui.mode, hookbench::tui::state::modes::Mode::Picker { .. }))
        .await;
    assert!(h.screen().contains("(any environment)"), "{}", h.screen());
    h.keys(&[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
    h.until(|s| {
        s.history.filter.env.as_deref() == Some("staging")
            && !s.history.loading
            && s.history
                .rows
                .iter()
                .all(|r| r.env.as_deref() == Some("staging"))
            && !s.history.rows.is_empty()
    })
    .await;
    assert!(h.screen().contains("e env: staging"), "{}", h.screen());
}

#[tokio::test]
async fn an_edited_environment_is_checked_before_it_is_written_and_the_text_is_kept() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(200)),
    );
    let ws = workspace(&a, &b);
    let file = ws.path().join("environments/staging.ron");
    let before = std::fs::read_to_string(&file).unwrap();
    let mut h = Harness::open(ws.path().to_path_buf(), 160, 40).await;
    h.send(key(KeyCode::Char('E')));
    h.keys(&[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
    h.settle().await;
    assert_eq!(h.app.state.bench.env.as_deref(), Some("staging"));

    // A comma lost: nothing written, the place said, the selection kept.
    h.host.editor = Box::new(|text| Ok(text.replacen(", \"LIST_ID\"", " \"LIST_ID\"", 1)));
    h.send(key(KeyCode::Char('E')));
    h.keys(&[KeyCode::Down, KeyCode::Down]);
    h.send(key(KeyCode::Char('e')));
    h.until(|s| s.ui.status.text.contains("not saved")).await;
    assert!(h.status().contains("staging.ron:1:"), "{}", h.status());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    assert_eq!(h.app.state.bench.env.as_deref(), Some("staging"));
    assert!(h.screen().contains(" env: staging "), "{}", h.screen());

    // A name another file has: refused too.
    h.host.editor = Box::new(|text| {
        // The kept text comes back: fixed, and renamed onto `local`.
        assert!(text.contains(" \"LIST_ID\""), "{text}");
        Ok(text
            .replacen(" \"LIST_ID\"", ", \"LIST_ID\"", 1)
            .replace("name: \"staging\"", "name: \"local\""))
    });
    h.send(key(KeyCode::Char('E')));
    h.keys(&[KeyCode::Down, KeyCode::Down]);
    h.send(key(KeyCode::Char('e')));
    h.until(|s| s.ui.status.text.contains("is taken by")).await;
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    // Renamed to a free name: written, and the selection follows.
    h.host.editor = Box::new(|text| Ok(text.replace("name: \"local\"", "name: \"qa\"")));
    h.send(key(KeyCode::Char('E')));
    h.keys(&[KeyCode::Down, KeyCode::Down]);
    h.send(key(KeyCode::Char('e')));
    h.until(|s| {
        s.bench
            .environments
            .iter()
            .any(|l| l.environment.name == "qa")
    })
    .await;
    assert_eq!(h.app.state.bench.env.as_deref(), Some("qa"));
    assert!(std::fs::read_to_string(&file).unwrap().contains("\"qa\""));
    h.settle().await;
    assert!(h.screen().contains(" env: qa "), "{}", h.screen());
}

#[tokio::test]
async fn the_receiver_view_passes_requests_on_to_the_app_and_r_sends_one_again() {
    let app = Server::start(Answer::status(202));
    let port = support::closed_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ws = Workspace::new();
    ws.write(
        "p.ron",
        &format!(
            r#"(name: "p", method: POST, url: "http://127.0.0.1:{port}/hooks/gh", include_trigger: false,
               payload: {{"ref": "main"}}, signing: GitHub(secret: "gh-secret"))"#
        ),
    );
    let mut h = Harness::open_with(ws.path().to_path_buf(), 160, 40, Some(addr)).await;
    h.until(|s| s.receiver.running.is_some()).await;
    h.send(key(KeyCode::Char('3')));
    h.send(key(KeyCode::Char('a')));
    h.type_text(&format!("forward={}", app.url("")));
    h.send(key(KeyCode::Enter));
    h.settle().await;
    assert!(
        h.status().contains("passes each request on to"),
        "{}",
        h.status()
    );
    // Checked with the provider's scheme, as it passes.
    h.send(support::tui::ctrl('k'));
    h.type_text("github:gh-secret");
    h.send(key(KeyCode::Enter));
    h.settle().await;

    h.send(key(KeyCode::Char('1')));
    h.send(key(KeyCode::Char('f')));
    h.until_answered().await;
    // The sender got the app's answer; the app got the signed request.
    let x = h.app.state.bench.answered().unwrap();
    assert_eq!(x.exchange.response.as_ref().unwrap().status, 202);
    assert!(app.only().header("x-hub-signature-256").is_some());
    h.send(key(KeyCode::Char('3')));
    h.until(|s| {
        s.history
            .rows
            .iter()
            .any(|r| r.origin == "forwarded" && r.status == Some(202))
    })
    .await;
    h.until(|s| s.receiver.verdicts.values().any(|v| v.as_str() == "valid"))
        .await;
    // Its inspector says whose answer it shows.
    h.app.state.history.selected = 0;
    h.send(key(KeyCode::Right));
    h.until(|s| s.history.open.is_some()).await;
    h.settle().await;
    assert!(
        h.screen().contains("Response · the app's answer"),
        "{}",
        h.screen()
    );
    h.send(key(KeyCode::Esc));
    h.settle().await;
    // r sends it again, on to the app.
    h.app.state.history.selected = 0;
    h.send(key(KeyCode::Char('r')));
    h.until(|_| app.requests().len() == 2).await;
    let again = &app.requests()[1];
    assert_eq!(again.target, "/hooks/gh");
    // Signed again with the receiver's secret (the history masked it).
    assert_eq!(
        again.header("x-hub-signature-256"),
        app.requests()[0].header("x-hub-signature-256")
    );
    // And still listed in the Receiver view.
    h.until(|s| s.history.rows.iter().any(|r| r.origin == "forwarded"))
        .await;
}

#[tokio::test]
async fn a_profiles_own_variable_defaults_are_edited_in_the_form() {
    let (a, b) = (
        Server::start(Answer::status(200)),
        Server::start(Answer::status(200)),
    );
    let ws = workspace(&a, &b);
    let mut h = Harness::open(ws.path().to_path_buf(), 160, 40).await;
    assert!(
        h.screen()
            .contains(r#"Variables   { "LIST_ID": "default-list" }"#),
        "{}",
        h.screen()
    );
    h.goto(hookbench::tui::draft::Field::Variables).await;
    let url = a.url("");
    h.host.editor = Box::new(move |text| {
        assert!(text.contains("\"LIST_ID\": \"default-list\""), "{text}");
        Ok(format!(
            r#"{{"BASE_URL": "{url}", "LIST_ID": "mine", "API_KEY": "k"}}"#
        ))
    });
    h.send(key(KeyCode::Char('e')));
    h.settle().await;
    // No environment selected: the defaults alone render the URL.
    assert_eq!(preview_url(&h), Some(a.url("/lists/mine")));
    h.send(support::tui::ctrl('s'));
    h.until(|s| s.bench.current().is_some_and(|e| !e.dirty))
        .await;
    let saved = std::fs::read_to_string(ws.path().join("crm.ron")).unwrap();
    assert!(saved.contains(r#""LIST_ID": "mine""#), "{saved}");

    // A value that is not text is refused at its row.
    h.host.editor = Box::new(|_| Ok(r#"{"LIST_ID": 42}"#.into()));
    h.send(key(KeyCode::Char('e')));
    h.settle().await;
    assert!(
        h.screen()
            .contains("variable `LIST_ID` is a number: a variable's value is text"),
        "{}",
        h.screen()
    );
}
