//! Everything the workbench shows, one room per pane, and the routing that
//! hands each key, click and message to the pane it belongs to.
//!
//! - [`Ui`]: what every pane shares: the view, the focus, the mode (what
//!   has the keyboard), the status line, effects for the terminal.
//! - [`profiles`], [`editor`], [`inspector`]: the Workbench view's three
//!   panes, over one [`Workbench`] (the list, the form of the selected
//!   profile, its request and answer).
//! - [`history`]: the History view (and the Receiver view's list).
//! - [`receiver`]: the built-in receiver.
//! - [`modes`]: typing in a field, prompts, confirmations, the picker.
//!
//! A pane writes its own part and the shared [`Ui`]; work that touches the
//! network or the disk starts in [`super::tasks`] and comes back as a
//! [`Message`]. Nothing here draws, and nothing here imports the drawing.

mod compare;
pub mod editor;
mod environments;
mod groups;
pub mod history;
pub mod inspector;
pub mod modes;
pub mod profiles;
pub mod receiver;
pub mod sharing;

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyEvent, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

pub use editor::{EventDoc, FieldProblems, JsonTarget, Preview};
pub use history::HistoryPane;
pub use inspector::{ExchangeView, MaskedHead, RequestState};
pub use modes::{ConfirmKind, Mode, PromptKind};
pub use profiles::{Entry, EntryKind, Workbench};
pub use receiver::ReceiverPane;

use super::keys::{Action, Scope};
use super::layout;
use super::message::{HistoryMsg, Message};
use super::tasks::Tasks;

/// The views across the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Workbench,
    History,
    /// The History view of what the built-in receiver captured.
    Receiver,
}

/// The panes of the Workbench view, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Profiles,
    Editor,
    Request,
    Response,
}

const PANES: [Pane; 4] = [Pane::Profiles, Pane::Editor, Pane::Request, Pane::Response];

/// Something the loop must do with the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Copy to the clipboard (OSC 52).
    Copy(String),
    /// Hand the terminal to $EDITOR with this text.
    ExternalEdit { target: JsonTarget, text: String },
}

/// The status line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// What every pane shares.
#[derive(Debug)]
pub struct Ui {
    pub view: View,
    pub focus: Pane,
    pub mode: Mode,
    pub status: Status,
    pub effects: Vec<Effect>,
    /// Show credentials instead of masking them (`v`).
    pub reveal: bool,
    /// Long lines wrap to the pane's width (`w` cuts them instead).
    pub wrap: bool,
    /// The focused pane fills the screen (`z`).
    pub zoom: bool,
    pub quit: bool,
    /// The area of the last frame.
    pub area: Rect,
    /// Input events handled so far (lets a driver know the loop caught up).
    pub inputs: u64,
    /// Where the terminal's cursor goes after a frame: where typing goes,
    /// set by the drawing of a text area (none: hidden).
    pub cursor: std::cell::Cell<Option<Position>>,
    /// Every status message of this session, oldest first (the last
    /// [`MESSAGES_KEPT`]), for the message log (`L`).
    pub messages: std::collections::VecDeque<(String, Status)>,
    /// The key table, as `config.ron` has it.
    pub keys: crate::tui::keymap::KeyMap,
    /// Drawn without colour (what is red is bold).
    pub plain: bool,
}

/// How many status messages the message log keeps.
pub const MESSAGES_KEPT: usize = 200;

impl Ui {
    /// Where each pane of the Workbench view goes in `area`, with the
    /// focused one over all when zoomed: drawing and the mouse both ask.
    pub fn areas(&self, area: Rect) -> layout::Areas {
        let a = layout::layout(area);
        match self.zoom {
            true => layout::zoomed(a, PANES.iter().position(|p| *p == self.focus).unwrap_or(0)),
            false => a,
        }
    }

    pub fn set_status(&mut self, text: impl Into<String>) {
        self.say(text.into(), false);
    }

    pub fn set_error(&mut self, text: impl Into<String>) {
        self.say(text.into(), true);
    }

    /// Adds to what the status line says now, in the message log too.
    pub fn add_to_status(&mut self, more: &str) {
        self.status.text = format!("{} · {more}", self.status.text);
        if let Some((_, last)) = self.messages.back_mut() {
            *last = self.status.clone();
        }
    }

    fn say(&mut self, text: String, error: bool) {
        let status = Status { text, error };
        if self.messages.back().map(|(_, s)| s) != Some(&status) {
            if self.messages.len() == MESSAGES_KEPT {
                self.messages.pop_front();
            }
            // The time of day (UTC), as the history shows times.
            let now = crate::clock::rfc3339(std::time::SystemTime::now());
            let time = now.get(11..19).unwrap_or_default().to_string();
            self.messages.push_back((time, status.clone()));
        }
        self.status = status;
    }
}

/// A file name for a response body: `stem` and an extension that fits
/// its content type, in the folder hookbench was started in.
pub(super) fn body_file_name(stem: &str, response: &crate::exchange::Response) -> String {
    let kind = response
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    let ext = if kind.contains("json") {
        "json"
    } else if kind.contains("html") {
        "html"
    } else if kind.contains("xml") {
        "xml"
    } else if kind.starts_with("text/") || std::str::from_utf8(&response.body).is_ok() {
        "txt"
    } else {
        "bin"
    };
    format!("{}-response.{ext}", crate::files::slug(stem))
}

pub struct State {
    pub ui: Ui,
    pub bench: Workbench,
    pub history: HistoryPane,
    pub receiver: ReceiverPane,
    pub(super) tasks: Tasks,
}

impl State {
    pub fn new(options: super::Options, tx: tokio::sync::mpsc::UnboundedSender<Message>) -> State {
        State {
            ui: Ui {
                view: View::Workbench,
                focus: Pane::Profiles,
                mode: Mode::Normal,
                status: Status {
                    text: "loading profiles…".into(),
                    error: false,
                },
                effects: Vec::new(),
                reveal: false,
                wrap: true,
                zoom: false,
                quit: false,
                area: Rect::new(0, 0, 120, 40),
                inputs: 0,
                messages: Default::default(),
                cursor: Default::default(),
                keys: options.config.keys.clone(),
                plain: options.plain,
            },
            bench: {
                let mut bench = Workbench::new(options.profiles, options.secrets);
                bench.notice = options.notice;
                bench.env = options.env;
                bench
            },
            history: HistoryPane::new(options.history, options.body_cap),
            receiver: ReceiverPane::new(options.receiver),
            tasks: Tasks::new(tx),
        }
    }

    /// Reads the profiles folder, opens the history and starts the
    /// receiver, in tasks.
    pub fn start(&mut self) {
        self.history.open_store(&self.tasks);
        self.receiver.start(&self.tasks);
        self.bench.load(&self.tasks);
    }

    // ---- what tests and drawing read ------------------------------------

    pub fn current(&self) -> Option<&Entry> {
        self.bench.current()
    }

    pub fn draft(&self) -> Option<&super::draft::Draft> {
        self.bench.draft()
    }

    /// Whether any profile's request is on its way.
    pub fn sending(&self) -> bool {
        self.bench.in_flight().is_some()
    }

    /// Reloads the History view's list, count and chart.
    pub fn reload_history(&mut self) {
        self.history.reload(&mut self.ui, &self.tasks);
    }

    /// Writes every profile with unsaved changes beside its file (see
    /// [`Workbench::keep_unsaved`]).
    pub fn keep_unsaved(&self) -> Vec<PathBuf> {
        self.bench.keep_unsaved()
    }

    // ---- messages -------------------------------------------------------

    pub fn on_message(&mut self, msg: Message) {
        let (ui, tasks) = (&mut self.ui, &self.tasks);
        match msg {
            Message::Profiles(m) => self.bench.on_profiles(m, ui, tasks),
            Message::Editor(m) => self.bench.on_editor(m, ui, tasks),
            Message::Fire(m) => self.bench.on_fire(m, ui, tasks, &mut self.history),
            Message::History(m) => {
                // A comparison made from the Workbench (`C`) is shown in
                // the History view, where its records are.
                if matches!(m, HistoryMsg::Compared(_)) && ui.view == View::Workbench {
                    ui.view = View::History;
                    self.history.show(false, ui, tasks);
                }
                self.history.on_message(m, ui, tasks)
            }
            Message::Receiver(m) => {
                let quiet = self.bench.in_flight().is_some();
                let recorded = self.receiver.on_message(
                    m,
                    ui,
                    tasks,
                    &mut self.history,
                    quiet,
                    &self.bench.store_mask,
                );
                if recorded && ui.view == View::Receiver {
                    self.history.reload_soon(tasks, ui);
                }
            }
        }
    }

    // ---- keys and the mouse ---------------------------------------------

    /// The scope whose bindings apply now.
    pub fn scope(&self) -> Scope {
        match &self.ui.mode {
            Mode::EditLine { .. } | Mode::Prompt { .. } => Scope::Text,
            Mode::EditJson { .. } => Scope::Json,
            Mode::Confirm(_) => Scope::Confirm,
            _ if self.ui.view != View::Workbench => Scope::History,
            _ => match self.ui.focus {
                Pane::Profiles => Scope::Profiles,
                Pane::Editor => Scope::Editor,
                Pane::Request | Pane::Response => Scope::Inspector,
            },
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        if matches!(self.ui.mode, Mode::Normal) {
            if let Some(a) = self.ui.keys.lookup(self.scope(), &key) {
                self.act(a);
            }
        } else {
            self.on_mode_key(key);
        }
    }

    fn act(&mut self, a: Action) {
        let (ui, tasks) = (&mut self.ui, &self.tasks);
        match a {
            Action::ViewWorkbench => {
                ui.view = View::Workbench;
                return;
            }
            Action::ViewHistory | Action::ViewReceiver => {
                let view = if a == Action::ViewHistory {
                    View::History
                } else {
                    View::Receiver
                };
                if ui.view != view {
                    ui.view = view;
                    self.history.show(view == View::Receiver, ui, tasks);
                }
                return;
            }
            Action::Quit => {
                if self.bench.any_dirty() > 0 {
                    ui.mode = Mode::Confirm(ConfirmKind::Quit);
                } else {
                    ui.quit = true;
                }
                return;
            }
            Action::Help => {
                ui.mode = Mode::Help { scroll: 0 };
                return;
            }
            Action::Messages => {
                ui.mode = Mode::Messages { scroll: 0 };
                return;
            }
            Action::Wrap | Action::Zoom | Action::Reveal => {
                let (flag, on, off) = match a {
                    Action::Wrap => (
                        &mut ui.wrap,
                        "long lines wrap (w cuts them at the pane's edge)",
                        "long lines are cut at the pane's edge (w wraps them)",
                    ),
                    Action::Zoom => (
                        &mut ui.zoom,
                        "zoomed: z again shows every pane",
                        "every pane shown",
                    ),
                    _ => (
                        &mut ui.reveal,
                        "credentials shown (v masks them again)",
                        "credentials masked",
                    ),
                };
                *flag = !*flag;
                let now = *flag;
                if a == Action::Reveal && now && ui.view != View::Workbench {
                    // Records are stored masked: nothing here to reveal.
                    ui.set_status(
                        "credentials shown in the Workbench; the history stores them masked, so records stay masked",
                    );
                } else {
                    ui.set_status(if now { on } else { off });
                }
                return;
            }
            _ => {}
        }
        if ui.view != View::Workbench {
            match a {
                Action::CopyCurl => self.history.copy_curl(ui),
                Action::CopyBody => self.history.copy_body(ui),
                Action::ReceiverToggle if ui.view == View::Receiver => {
                    self.receiver.toggle(ui, tasks)
                }
                Action::ReceiverSecrets if ui.view == View::Receiver => {
                    let hint = match self.receiver.secrets.len() {
                        0 => "now: none (whsec_… or github:SECRET …, space-separated)".to_string(),
                        n => format!("now: {n} secret(s); Enter on empty stops checking"),
                    };
                    modes::prompt_masked(ui, PromptKind::ReceiverSecrets, &hint)
                }
                Action::ReceiverAnswer if ui.view == View::Receiver => {
                    let hint = format!("now: {}", self.receiver.script.summary());
                    modes::prompt(ui, PromptKind::ReceiverAnswer, &hint);
                }
                _ => {
                    let mut replay = self.bench.replay_context();
                    // `r` on what the receiver got sends it on to the app.
                    if ui.view == View::Receiver {
                        if a == Action::Replay {
                            replay.to =
                                self.receiver.script.forward.as_ref().map(|f| f.url.clone());
                        }
                        replay.sign = self.receiver.secrets.iter().map(|v| v.signing()).collect();
                    }
                    self.history.act(a, ui, tasks, &replay);
                }
            }
            return;
        }
        match a {
            Action::NextPane | Action::PrevPane => {
                let i = PANES.iter().position(|p| *p == ui.focus).unwrap_or(0);
                let n = PANES.len();
                ui.focus = PANES[if a == Action::NextPane {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
            }
            Action::Fire => self.bench.fire(ui, tasks),
            Action::Escape => {
                if !self.bench.cancel(ui)
                    && !self.bench.clear_search()
                    && ui.focus != Pane::Profiles
                {
                    ui.focus = Pane::Profiles;
                }
            }
            Action::Save => {
                self.bench.save_selected(ui, tasks);
            }
            Action::SetSecret => self.bench.ask_secret(ui),
            Action::Environment => {
                self.bench
                    .pick_environment(modes::PickerKind::Environment, ui, tasks)
            }
            Action::CompareEnvironments => self.bench.ask_compare(ui),
            Action::CopyCurl => self.bench.copy_curl(ui),
            Action::CopyBody => self.bench.copy_body(ui),
            _ => match ui.focus {
                Pane::Profiles => self.bench.act_profiles(a, ui, tasks),
                Pane::Editor => self.bench.act_editor(a, ui, tasks),
                Pane::Request | Pane::Response => self.bench.act_inspector(a, ui),
            },
        }
    }

    pub fn on_mouse(&mut self, m: MouseEvent) {
        if !matches!(self.ui.mode, Mode::Normal) {
            return;
        }
        let (ui, tasks) = (&mut self.ui, &self.tasks);
        let a = match m.kind {
            MouseEventKind::ScrollDown => Some(Action::Down),
            MouseEventKind::ScrollUp => Some(Action::Up),
            _ => None,
        };
        if ui.view != View::Workbench {
            if let Some(a) = a {
                let replay = self.bench.replay_context();
                for _ in 0..3 {
                    self.history.act(a, ui, tasks, &replay);
                }
            }
            return;
        }
        let at = Position::new(m.column, m.row);
        let areas = ui.areas(ui.area);
        let Some(pane) = [
            (areas.profiles, Pane::Profiles),
            (areas.editor, Pane::Editor),
            (areas.request, Pane::Request),
            (areas.response, Pane::Response),
        ]
        .into_iter()
        .find(|(r, _)| r.contains(at))
        .map(|(_, p)| p) else {
            return;
        };
        ui.focus = pane;
        match (m.kind, a) {
            (MouseEventKind::Down(_), _) if pane == Pane::Profiles => {
                let row = m.row.saturating_sub(areas.profiles.y + 1) as usize;
                let offset =
                    layout::list_offset(self.bench.selected, layout::inner_height(areas.profiles));
                self.bench.select(offset + row, tasks);
            }
            (_, Some(a)) => {
                for _ in 0..3 {
                    match pane {
                        Pane::Profiles => self.bench.act_profiles(a, ui, tasks),
                        Pane::Editor => self.bench.act_editor(a, ui, tasks),
                        _ => self.bench.act_inspector(a, ui),
                    }
                }
            }
            _ => {}
        }
    }

    /// Pasted text: a curl command on the list (or as a new profile's
    /// name) becomes a profile; otherwise it goes into the field being
    /// edited.
    pub fn on_paste(&mut self, text: &str) {
        let naming_new = matches!(
            &self.ui.mode,
            Mode::Prompt {
                kind: PromptKind::NewProfile | PromptKind::ImportProfile,
                ..
            }
        );
        if profiles::is_curl(text)
            && self.ui.view == View::Workbench
            && (naming_new || matches!(self.ui.mode, Mode::Normal))
        {
            self.ui.mode = Mode::Normal;
            self.bench.paste_curl(text, &mut self.ui, &self.tasks);
            return;
        }
        self.paste_into_mode(text);
    }

    /// The text came back from $EDITOR.
    pub fn external_edit_done(&mut self, target: JsonTarget, result: std::io::Result<String>) {
        match result {
            Ok(text) if matches!(target, JsonTarget::EnvironmentFile(_)) => {
                if let JsonTarget::EnvironmentFile(p) = target {
                    self.bench
                        .environment_edited(p, text, &mut self.ui, &self.tasks);
                }
            }
            Ok(text) => {
                let text = text.trim_end_matches('\n').to_string();
                if let Mode::EditJson { target: t, area } = &mut self.ui.mode
                    && *t == target
                {
                    **area = modes::json_area(&text);
                }
                self.bench.set_json(&target, text, &self.tasks);
                self.ui.set_status("back from the editor");
            }
            Err(e) => self.ui.set_error(format!("the editor did not run: {e}")),
        }
    }
}

/// Puts a formatted body on the clipboard (credentials masked as shown).
fn copy_body(ui: &mut Ui, body: &crate::tui::widgets::body::FormattedBody, what: &str) {
    let text = body.text();
    if text.is_empty() {
        ui.set_error(format!("{what} has no body"));
        return;
    }
    ui.set_status(format!(
        "copied the response body of {what} ({})",
        crate::exchange::human_size(text.len())
    ));
    ui.effects.push(Effect::Copy(text.to_string()));
}
