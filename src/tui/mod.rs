//! The workbench: a terminal UI over the same core as the command line.
//!
//! [`App`] is generic over the ratatui backend and takes its input from a
//! [`Host`], so tests drive the real loop with a `TestBackend` and injected
//! keys. Async work reports back through one [`message::Message`] channel;
//! the loop selects on messages and input (biased to messages) and draws when
//! the queue is empty.

pub mod config;
pub mod draft;
pub mod keymap;
pub mod keys;
pub mod layout;
pub mod log;
pub mod message;
mod prompt;
pub mod state;
pub mod tasks;
pub mod view;
pub mod widgets;

use std::future::Future;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use ratatui::crossterm::{cursor, event, execute, terminal};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use message::Message;
pub use prompt::read_hidden;
use state::{Effect, State};

/// What the loop needs from the world around it: input events, a terminal to
/// hand over to `$EDITOR`, a clipboard.
pub trait Host {
    /// The next input event; `None` when input has ended.
    fn next_event(&mut self) -> impl Future<Output = Option<io::Result<Event>>>;
    /// Hands the terminal to an editor on `text` and returns what it saved.
    /// `name` is the file's name (its extension tells the editor the
    /// kind of text).
    fn external_edit(&mut self, name: &str, text: &str) -> io::Result<String>;
    /// Puts text on the clipboard; says where it went.
    fn copy(&mut self, text: &str) -> String;
}

/// Where the workbench finds its files.
#[derive(Debug, Clone)]
pub struct Options {
    /// The profiles folder.
    pub profiles: PathBuf,
    /// The history file; `None` records nothing.
    pub history: Option<PathBuf>,
    /// Bodies longer than this are stored cut (default 10 MiB).
    pub body_cap: Option<usize>,
    /// Where the built-in receiver listens; `None` leaves it off.
    pub receiver: Option<std::net::SocketAddr>,
    /// The secrets file; `None` means no secrets.
    pub secrets: Option<PathBuf>,
    /// Drawn without colour (`NO_COLOR`, `--color never`): bold, reverse
    /// and underline only.
    pub plain: bool,
    /// Said on the status line once the profiles are read (the first run
    /// made their folder).
    pub notice: Option<String>,
    /// The environment to open in (`--env`, `HOOKBENCH_ENV`).
    pub env: Option<String>,
    /// The theme and keys of `config.ron`.
    pub config: config::Config,
}

/// The terminal's width in columns, when there is one (the command line
/// asks, so its progress line fits).
pub fn terminal_columns() -> Option<usize> {
    crossterm::terminal::size().ok().map(|(c, _)| c as usize)
}

/// Most input events taken before a frame is drawn.
const INPUT_BATCH: usize = 1024;

/// How long the first frame waits for the profiles folder to be read.
const FIRST_FRAME_WAIT: Duration = Duration::from_millis(100);

/// The workbench over any backend.
pub struct App<B: Backend> {
    pub terminal: Terminal<B>,
    pub state: State,
    rx: UnboundedReceiver<Message>,
    started: bool,
    plain: bool,
    /// The colours of `config.ron`, put on each frame.
    theme: config::Theme,
}

impl<B: Backend> App<B>
where
    B::Error: Send + Sync + 'static,
{
    pub fn new(backend: B, options: Options) -> anyhow::Result<App<B>> {
        let (tx, rx) = unbounded_channel();
        let plain = options.plain;
        let theme = options.config.theme.clone();
        Ok(App {
            terminal: Terminal::new(backend)?,
            state: State::new(options, tx),
            rx,
            started: false,
            plain,
            theme,
        })
    }

    /// Draws with these colours from now on.
    pub fn set_theme(&mut self, theme: config::Theme) {
        self.theme = theme;
    }

    /// Draws without colour from now on (or with it again).
    pub fn set_plain(&mut self, plain: bool) {
        self.plain = plain;
        self.state.ui.plain = plain;
    }

    fn draw(&mut self) -> anyhow::Result<()> {
        let size = self.terminal.size()?;
        self.state.ui.area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
        let (state, plain, theme) = (&self.state, self.plain, &self.theme);
        self.terminal.draw(|f| {
            f.render_widget(state, f.area());
            theme.apply(f.buffer_mut());
            if plain {
                view::without_colour(f.buffer_mut());
            }
            if let Some(p) = state.ui.cursor.get() {
                f.set_cursor_position(p);
            }
        })?;
        Ok(())
    }

    /// Repaints every cell after the screen was handed away. (Terminal::clear
    /// would ask the terminal for the cursor position and wait for its
    /// answer; clearing through the backend and drawing a blank frame first
    /// needs no answer.)
    fn redraw_all(&mut self) -> anyhow::Result<()> {
        self.terminal.backend_mut().clear()?;
        self.terminal.draw(|_| {})?;
        self.draw()
    }

    /// Runs until the user quits (or input ends).
    pub async fn run<H: Host>(&mut self, host: &mut H) -> anyhow::Result<()> {
        self.run_until(host, |s| s.ui.quit).await
    }

    /// The loop, until `done` holds after a step. Tests use this to wait for
    /// a state (a response arrived) with the same loop the user runs.
    pub async fn run_until<H: Host>(
        &mut self,
        host: &mut H,
        done: impl Fn(&State) -> bool,
    ) -> anyhow::Result<()> {
        if !self.started {
            self.started = true;
            self.state.start();
            // The first frame shows the profile list: the folder is read in
            // a task, and waited for a moment (a slow disk gets a frame that
            // says "loading…" first; keys are never held up longer).
            let deadline = tokio::time::Instant::now() + FIRST_FRAME_WAIT;
            while self.state.bench.loading {
                match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                    Ok(Some(msg)) => self.state.on_message(msg),
                    _ => break,
                }
            }
        }
        self.draw()?;
        // A test build can be made to panic here, to prove the terminal is
        // restored on a panic (see tests/pty.rs).
        #[cfg(debug_assertions)]
        if std::env::var_os("HOOKBENCH_TEST_PANIC").is_some() {
            panic!("a panic injected for testing");
        }
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            if done(&self.state) {
                return Ok(());
            }
            tokio::select! {
                biased;
                Some(msg) = self.rx.recv() => self.state.on_message(msg),
                ev = host.next_event() => match ev {
                    Some(Ok(ev)) => {
                        self.on_event(ev);
                        // Keys that are already there (a paste the terminal
                        // did not bracket, typing faster than a frame) are
                        // taken before drawing, not one frame each.
                        for _ in 0..INPUT_BATCH {
                            if done(&self.state) || !self.state.ui.effects.is_empty() {
                                break;
                            }
                            match tokio::time::timeout(Duration::ZERO, host.next_event()).await {
                                Ok(Some(Ok(ev))) => self.on_event(ev),
                                Ok(Some(Err(e))) => return Err(e.into()),
                                Ok(None) => return Ok(()),
                                Err(_) => break,
                            }
                        }
                    }
                    Some(Err(e)) => return Err(e.into()),
                    None => return Ok(()),
                },
                _ = tick.tick(), if self.state.sending() => {}
            }
            while let Ok(msg) = self.rx.try_recv() {
                self.state.on_message(msg);
            }
            for effect in std::mem::take(&mut self.state.ui.effects) {
                match effect {
                    Effect::Copy(text) => {
                        let to = host.copy(&text);
                        self.state.ui.add_to_status(&to);
                    }
                    Effect::ExternalEdit { target, text } => {
                        let result = host.external_edit(&target.file_name(), &text);
                        self.redraw_all()?;
                        self.state.external_edit_done(target, result);
                    }
                }
            }
            self.draw()?;
        }
    }

    fn on_event(&mut self, ev: Event) {
        self.state.ui.inputs += 1;
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => self.state.on_key(k),
            Event::Mouse(m) => self.state.on_mouse(m),
            Event::Paste(text) => self.state.on_paste(&text),
            _ => {}
        }
    }
}

/// The real terminal: crossterm events, `$EDITOR`, OSC 52.
#[derive(Default)]
pub struct TerminalHost {
    events: Option<EventStream>,
}

impl Host for TerminalHost {
    async fn next_event(&mut self) -> Option<io::Result<Event>> {
        self.events
            .get_or_insert_with(EventStream::new)
            .next()
            .await
    }

    fn external_edit(&mut self, name: &str, text: &str) -> io::Result<String> {
        // Stop reading input, so the editor gets every key.
        self.events = None;
        // A private folder of its own, the file owner-only: another user
        // cannot read it, or put a link where it is written.
        let file = crate::files::PrivateFile::new(name, text)?;
        let path = file.path().to_path_buf();
        restore_terminal()?;
        let editor = std::env::var("VISUAL")
            .or_else(|_| std::env::var("EDITOR"))
            .unwrap_or_else(|_| "vi".into());
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("sh")
            .arg(&path)
            .status();
        enter_terminal()?;
        let result = match status {
            Ok(s) if s.success() => std::fs::read_to_string(&path),
            Ok(s) => Err(io::Error::other(format!("`{editor}` exited with {s}"))),
            Err(e) => Err(e),
        };
        drop(file);
        result
    }

    fn copy(&mut self, text: &str) -> String {
        // OSC 52 always (it crosses SSH); the system clipboard too where
        // one is reachable, for terminals that ignore OSC 52.
        let b64 = base64::engine::general_purpose::STANDARD.encode(text);
        let mut out = io::stdout();
        let _ = write!(out, "\x1b]52;c;{b64}\x07");
        let _ = out.flush();
        match tasks::system_clipboard(text) {
            Some(tool) => format!("to {tool} + OSC 52"),
            None if std::env::var_os("TMUX").is_some() => {
                "to OSC 52 only (in tmux: set-clipboard on)".into()
            }
            None => "to OSC 52 only (no wl-copy, xclip, xsel or pbcopy)".into(),
        }
    }
}

/// Raw mode, the alternate screen, mouse and paste reporting, no cursor.
pub fn enter_terminal() -> io::Result<()> {
    terminal::enable_raw_mode()?;
    execute!(
        io::stdout(),
        terminal::EnterAlternateScreen,
        event::EnableMouseCapture,
        event::EnableBracketedPaste,
        cursor::Hide
    )
}

/// Everything `enter_terminal` changed, undone. Safe to call twice.
pub fn restore_terminal() -> io::Result<()> {
    let r = terminal::disable_raw_mode();
    execute!(
        io::stdout(),
        event::DisableBracketedPaste,
        event::DisableMouseCapture,
        terminal::LeaveAlternateScreen,
        cursor::Show
    )?;
    r
}

/// Restores the terminal before the previous panic hook prints.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = restore_terminal();
        previous(info);
    }));
}

/// How the workbench ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The user quit.
    Quit,
    /// A signal stopped it: its name, its number, and the files unsaved
    /// profiles were written to (`NAME.ron.unsaved`).
    Signal {
        name: &'static str,
        number: i32,
        kept: Vec<PathBuf>,
    },
}

/// Resolves when SIGTERM, SIGINT or SIGHUP arrives (in raw mode Ctrl-C is a
/// key, so SIGINT only comes from another process).
#[cfg(unix)]
async fn stop_signal() -> io::Result<(&'static str, i32)> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    Ok(tokio::select! {
        _ = term.recv() => ("SIGTERM", 15),
        _ = int.recv() => ("SIGINT", 2),
        _ = hup.recv() => ("SIGHUP", 1),
    })
}

#[cfg(not(unix))]
async fn stop_signal() -> io::Result<(&'static str, i32)> {
    tokio::signal::ctrl_c().await?;
    Ok(("SIGINT", 2))
}

/// Opens the workbench on a real terminal; restores it however this ends,
/// a signal included.
pub fn main(options: Options) -> anyhow::Result<Ended> {
    // The log belongs with the history, in the data folder.
    let log_path = options
        .history
        .as_deref()
        .and_then(std::path::Path::parent)
        .map(|d| d.join("hookbench.log"))
        .or_else(log::default_path);
    if let Some(p) = log_path {
        log::init(&p);
    }
    log::line(&format!(
        "start, profiles in {}",
        options.profiles.display()
    ));
    install_panic_hook();
    enter_terminal()?;
    let result = (|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let backend = ratatui::backend::CrosstermBackend::new(io::stdout());
            let mut app = App::new(backend, options)?;
            let mut host = TerminalHost::default();
            let signals = stop_signal();
            tokio::pin!(signals);
            tokio::select! {
                r = app.run(&mut host) => r.map(|()| Ended::Quit),
                s = &mut signals => {
                    let (name, number) = s?;
                    log::line(&format!("stopped by {name}"));
                    Ok(Ended::Signal {
                        name,
                        number,
                        kept: app.state.keep_unsaved(),
                    })
                }
            }
        })
    })();
    let restored = restore_terminal();
    if let Err(e) = &result {
        log::line(&format!("fatal: {e:#}"));
    }
    let ended = result?;
    restored?;
    Ok(ended)
}
