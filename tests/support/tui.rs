//! Driving the real workbench loop: a host that feeds injected events and
//! records what the app asked of the terminal, and screen dumps.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use hookbench::tui::state::State;
use hookbench::tui::{App, Host};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// Stands in for `$EDITOR`: gets the text, returns what was "saved".
pub type FakeEditor = Box<dyn FnMut(&str) -> io::Result<String>>;

/// Feeds events from a channel; records clipboard copies; "edits" with a
/// function instead of a real editor.
pub struct TestHost {
    rx: UnboundedReceiver<Event>,
    pub copies: Vec<String>,
    pub editor: FakeEditor,
}

impl Host for TestHost {
    async fn next_event(&mut self) -> Option<io::Result<Event>> {
        self.rx.recv().await.map(Ok)
    }
    fn external_edit(&mut self, _name: &str, text: &str) -> io::Result<String> {
        (self.editor)(text)
    }
    fn copy(&mut self, text: &str) -> String {
        self.copies.push(text.to_string());
        "sent to the test".into()
    }
}

pub struct Harness {
    pub app: App<TestBackend>,
    pub host: TestHost,
    tx: UnboundedSender<Event>,
    sent: u64,
}

pub fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn click(column: u16, row: u16) -> Event {
    Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

impl Harness {
    /// The app on a `width`x`height` test terminal over `dir`, loaded.
    pub async fn open(dir: PathBuf, width: u16, height: u16) -> Harness {
        Self::open_with(dir, width, height, None).await
    }

    /// The same, with the built-in receiver on `receiver`.
    pub async fn open_with(
        dir: PathBuf,
        width: u16,
        height: u16,
        receiver: Option<std::net::SocketAddr>,
    ) -> Harness {
        let mut h = Self::unstarted(dir, width, height, receiver);
        h.until(|s| !s.bench.loading).await;
        h
    }

    /// The app before its loop ran: nothing loaded, nothing opened.
    pub fn unstarted(
        dir: PathBuf,
        width: u16,
        height: u16,
        receiver: Option<std::net::SocketAddr>,
    ) -> Harness {
        let (tx, rx) = unbounded_channel();
        Harness {
            app: App::new(
                TestBackend::new(width, height),
                hookbench::tui::Options {
                    history: Some(dir.join(".data/history.sqlite")),
                    body_cap: None,
                    receiver,
                    secrets: Some(dir.join(".config/secrets.ron")),
                    profiles: dir,
                    plain: false,
                    notice: None,
                    env: None,
                    config: Default::default(),
                },
            )
            .unwrap(),
            host: TestHost {
                rx,
                copies: Vec::new(),
                editor: Box::new(|t| Ok(t.to_string())),
            },
            tx,
            sent: 0,
        }
    }

    pub fn send(&mut self, ev: Event) {
        self.sent += 1;
        self.tx.send(ev).unwrap();
    }

    /// Types text, one key per character.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(key(KeyCode::Char(c)));
        }
    }

    pub fn keys(&mut self, codes: &[KeyCode]) {
        for c in codes {
            self.send(key(*c));
        }
    }

    /// Runs the real loop until `done` holds (at most 10 s).
    pub async fn until(&mut self, done: impl Fn(&State) -> bool) {
        let r = tokio::time::timeout(
            Duration::from_secs(10),
            self.app.run_until(&mut self.host, &done),
        )
        .await;
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("the loop failed: {e:#}"),
            Err(_) => panic!("timed out; screen:\n{}", self.screen()),
        }
    }

    /// Runs the loop until the selected profile's last fire is answered and
    /// its bodies are formatted.
    pub async fn until_answered(&mut self) {
        self.until(|s| {
            s.bench
                .answered()
                .is_some_and(|x| x.response_body.is_some())
        })
        .await;
    }

    /// Processes every event sent so far.
    pub async fn settle(&mut self) {
        let sent = self.sent;
        self.until(move |s| s.ui.inputs >= sent).await;
    }

    /// Moves the editor to `field` with the keys a user presses (the
    /// editor pane gets the focus first): no counting of Down presses in
    /// the tests.
    pub async fn goto(&mut self, field: hookbench::tui::draft::Field) {
        if self.app.state.ui.focus != hookbench::tui::state::Pane::Editor {
            self.send(key(KeyCode::Enter));
            self.settle().await;
        }
        let row = self
            .app
            .state
            .bench
            .row_of(field)
            .unwrap_or_else(|| panic!("the form has no {field:?} row"));
        let now = self.app.state.bench.editor_row;
        let code = if row > now {
            KeyCode::Down
        } else {
            KeyCode::Up
        };
        for _ in 0..row.abs_diff(now) {
            self.send(key(code));
        }
        self.settle().await;
        assert_eq!(self.app.state.bench.editor_row, row, "on {field:?}");
    }

    /// The status line's text.
    pub fn status(&self) -> &str {
        &self.app.state.ui.status.text
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        let buf = self.app.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            for x in 0..buf.area.width {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// Compares the screen with the snapshot `name` in `tests/snapshots`,
/// with what changes from run to run filtered out: the profiles folder, a
/// port, durations in milliseconds, dates.
pub fn snapshot(name: &str, h: &Harness, port: Option<u16>) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(
        &regex_escape(&h.app.state.bench.dir.display().to_string()),
        "<dir>",
    );
    if let Some(p) = port {
        settings.add_filter(&format!(":{p}\\b"), ":PORT");
    }
    settings.add_filter(r"date: [^│]*?GMT", "date: <date>");
    settings.add_filter(r" +\d+ ms\b", " N ms");
    let screen = h.screen();
    settings.bind(|| insta::assert_snapshot!(name, screen));
}

/// Text as a pattern that matches it literally.
fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
