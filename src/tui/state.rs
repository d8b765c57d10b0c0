//! Everything the workbench shows, and how keys, mouse and messages change
//! it. Work that touches the network or the disk is spawned as a task that
//! reports back with a [`Message`]; nothing here waits on it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use ratatui::crossterm::event::{KeyEvent, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};
use ratatui_textarea::TextArea;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use super::draft::{Draft, Field, json_error};
use super::keys::{self, Action, Scope};
use super::message::Message;
use super::view;
use super::widgets::body::{self, FormattedBody};
use crate::deliver::{Deliverer, SendOptions};
use crate::diag::Diagnostic;
use crate::exchange::Exchange;
use crate::profile::{self, Header, Method, Profile};
use crate::request::{self, Assembled, Context};

/// The rate limits the bulk confirmation steps through.
pub const RATES: [Option<f64>; 7] = [
    None,
    Some(1.0),
    Some(5.0),
    Some(10.0),
    Some(50.0),
    Some(100.0),
    Some(500.0),
];

/// The views across the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Workbench,
    History,
    /// The History view of what the built-in receiver captured.
    Receiver,
}

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Profiles,
    Editor,
    Request,
    Response,
}

const PANES: [Pane; 4] = [Pane::Profiles, Pane::Editor, Pane::Request, Pane::Response];

/// One profile file in the list.
#[derive(Debug)]
pub struct Entry {
    pub path: PathBuf,
    pub kind: EntryKind,
    /// The form differs from the file (or there is no file yet).
    pub dirty: bool,
    /// The last exchange fired from this profile.
    pub exchange: Option<ExchangeView>,
}

impl Entry {
    /// A profile as its file has it: no unsaved changes.
    pub fn saved(l: profile::LoadedProfile) -> Entry {
        Entry {
            path: l.path,
            kind: EntryKind::Ok {
                draft: Box::new(Draft::from_profile(&l.profile)),
                saved: Some(Box::new(l.profile)),
            },
            dirty: false,
            exchange: None,
        }
    }
}

#[derive(Debug)]
pub enum EntryKind {
    Ok {
        draft: Box<Draft>,
        /// What the file holds; `None` before the first save.
        saved: Option<Box<Profile>>,
    },
    /// The file does not parse: listed, marked, with its error.
    Broken(Diagnostic),
}

/// An exchange and its bodies, formatted off the UI thread.
#[derive(Debug)]
pub struct ExchangeView {
    pub seq: u64,
    /// Its id in the history, once written.
    pub record: Option<i64>,
    pub exchange: Exchange,
    /// What the response pane shows of it until `v` reveals credentials.
    pub masked: MaskedHead,
    pub request_body: Option<FormattedBody>,
    pub response_body: Option<FormattedBody>,
}

/// The parts of an answer the response pane shows above the body, with
/// every credential masked.
#[derive(Debug, Default)]
pub struct MaskedHead {
    pub headers: Vec<(String, String)>,
    pub redirects: Vec<String>,
    pub error: Option<crate::exchange::TransportError>,
}

/// A sample event file as loaded and as edited.
#[derive(Debug, Clone)]
pub struct EventDoc {
    pub text: String,
    pub saved_text: String,
    pub parsed: Result<Value, String>,
}

impl EventDoc {
    fn new(text: String) -> EventDoc {
        let parsed = parse_event(&text);
        EventDoc {
            saved_text: text.clone(),
            text,
            parsed,
        }
    }

    pub fn dirty(&self) -> bool {
        self.text != self.saved_text
    }

    /// A file as read: its text, or why it could not be read.
    pub(super) fn read(text: Result<String, String>) -> EventDoc {
        match text {
            Ok(t) => EventDoc::new(t),
            Err(e) => EventDoc {
                text: String::new(),
                saved_text: String::new(),
                parsed: Err(e),
            },
        }
    }
}

fn parse_event(text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(other) => Err(format!(
            "an event must be a JSON object, not {}",
            crate::template::kind_of(&other)
        )),
        Err(e) => Err(json_error(&e)),
    }
}

/// What the JSON editor is editing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonTarget {
    Payload,
    Event(PathBuf),
    /// The profile's inline sample event.
    SampleEvent,
    /// A recorded request, edited before it is replayed.
    Replay(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    NewProfile,
    Rename,
    /// Save the event being edited (this file) under a new name.
    SaveEventAs(PathBuf),
    Search,
    FilterProfile,
    FilterText,
    ReceiverAnswer,
    ReceiverSecrets,
    /// Where to write the shared copy of the selected profile.
    ShareTo,
    /// A profile file to bring into the profiles folder.
    ImportProfile,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmKind {
    Delete,
    Quit,
    /// A bulk replay, with the hosts it sends to.
    Bulk {
        hosts: Vec<(String, u64)>,
    },
}

/// What has the keyboard.
#[derive(Debug)]
pub enum Mode {
    Normal,
    EditLine {
        field: Field,
        area: Box<TextArea<'static>>,
    },
    EditJson {
        target: JsonTarget,
        area: Box<TextArea<'static>>,
    },
    Prompt {
        kind: PromptKind,
        area: Box<TextArea<'static>>,
    },
    Confirm(ConfirmKind),
    Picker {
        items: Vec<String>,
        selected: usize,
    },
    Help {
        scroll: usize,
    },
}

/// Problems of the form, each at its field when it has one.
pub type FieldProblems = Vec<(Option<Field>, String)>;

/// The request the form would send now, or why it cannot.
#[derive(Debug)]
pub struct Preview {
    pub result: Result<Assembled, FieldProblems>,
    pub body: FormattedBody,
}

/// A request on its way.
#[derive(Debug)]
pub struct InFlight {
    pub seq: u64,
    pub path: PathBuf,
    pub started: Instant,
    handle: tokio::task::AbortHandle,
}

/// Something the loop must do with the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Copy to the clipboard (OSC 52).
    Copy(String),
    /// Hand the terminal to $EDITOR with this text.
    ExternalEdit { target: JsonTarget, text: String },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

pub struct State {
    pub dir: PathBuf,
    /// The history file, opened in a task at start.
    pub(super) history_path: Option<PathBuf>,
    pub(super) history: Option<Arc<std::sync::Mutex<crate::history::Store>>>,
    /// The history could not be opened.
    pub(super) history_failed: bool,
    body_cap: Option<usize>,
    /// Where the receiver should listen, and the receiver once it does.
    receiver_addr: Option<std::net::SocketAddr>,
    secrets_path: Option<PathBuf>,
    /// The secret store, read at start.
    pub secrets: Arc<crate::secrets::Secrets>,
    /// Its values, to mask in what the receiver captures.
    store_mask: crate::wire::SecretSet,
    pub receiver: Option<crate::receiver::Receiver>,
    /// How the receiver answers (kept across stop and start).
    pub receiver_script: crate::receiver::Script,
    /// Secrets the receiver checks Standard Webhooks signatures with (kept
    /// in memory only).
    pub receiver_secrets: Vec<String>,
    /// Signature verdicts of received records, by record id.
    pub verdicts: std::collections::HashMap<i64, crate::signing::Verdict>,
    /// Requests the receiver captured this session.
    pub received: u64,
    /// Which view is showing.
    pub view: View,
    /// The History view.
    pub hist: super::history::HistoryState,
    /// Records a confirmed bulk replay will send.
    pub(super) pending_bulk: Option<Vec<i64>>,
    /// Requests in flight at once when replaying from the History view.
    pub replay_concurrency: usize,
    /// At most this many requests per second (None: no limit).
    pub replay_rate: Option<f64>,
    pub loading: bool,
    pub load_error: Option<String>,
    pub entries: Vec<Entry>,
    pub selected: usize,
    pub focus: Pane,
    pub editor_row: usize,
    /// Sample events by path.
    pub events: BTreeMap<PathBuf, EventDoc>,
    pub mode: Mode,
    pub preview: Option<Preview>,
    /// Show the request as sent (after a fire) rather than the preview.
    pub show_sent: bool,
    pub request_scroll: usize,
    pub response_scroll: usize,
    pub search: Option<String>,
    pub status: Status,
    pub reveal: bool,
    pub inflight: Option<InFlight>,
    pub effects: Vec<Effect>,
    pub quit: bool,
    /// The area of the last frame.
    pub area: Rect,
    /// Input events handled so far (lets a driver know the loop caught up).
    pub inputs: u64,
    /// Saves still to finish before quitting ("save all and quit").
    quit_after_saves: Option<usize>,
    /// Files found made outside the workbench since the list was read: no
    /// new file goes there.
    outside: std::collections::HashSet<PathBuf>,
    seq: u64,
    pub(super) tx: UnboundedSender<Message>,
    deliverer: Arc<OnceLock<Deliverer>>,
}

impl State {
    pub fn new(options: super::Options, tx: UnboundedSender<Message>) -> State {
        State {
            dir: options.profiles,
            history_path: options.history,
            body_cap: options.body_cap,
            receiver_addr: options.receiver,
            secrets_path: options.secrets,
            secrets: Default::default(),
            store_mask: Default::default(),
            receiver: None,
            receiver_script: crate::receiver::Script::default(),
            receiver_secrets: Vec::new(),
            verdicts: Default::default(),
            received: 0,
            history: None,
            history_failed: false,
            view: View::Workbench,
            hist: Default::default(),
            pending_bulk: None,
            replay_concurrency: 4,
            replay_rate: None,
            loading: true,
            load_error: None,
            entries: Vec::new(),
            selected: 0,
            focus: Pane::Profiles,
            editor_row: 0,
            events: BTreeMap::new(),
            mode: Mode::Normal,
            preview: None,
            show_sent: false,
            request_scroll: 0,
            response_scroll: 0,
            search: None,
            status: Status {
                text: "loading profiles…".into(),
                error: false,
            },
            reveal: false,
            inflight: None,
            effects: Vec::new(),
            quit: false,
            area: Rect::new(0, 0, 120, 40),
            inputs: 0,
            quit_after_saves: None,
            outside: Default::default(),
            seq: 0,
            tx,
            deliverer: Arc::new(OnceLock::new()),
        }
    }

    /// Reads the profiles folder, and opens the history, in tasks.
    pub fn start(&self) {
        if let Some(path) = self.history_path.clone() {
            let tx = self.tx.clone();
            let cap = self.body_cap;
            tokio::task::spawn_blocking(move || {
                let result = crate::history::Store::open(&path)
                    .map(|mut s| {
                        if let Some(c) = cap {
                            s.set_body_cap(c);
                        }
                        Arc::new(std::sync::Mutex::new(s))
                    })
                    .map_err(|e| e.to_string());
                let _ = tx.send(Message::HistoryOpened(result));
            });
        }
        if let Some(addr) = self.receiver_addr {
            self.start_receiver(addr, crate::receiver::Script::default());
        }
        let dir = self.dir.clone();
        let tx = self.tx.clone();
        let secrets_path = self.secrets_path.clone();
        tokio::task::spawn_blocking(move || {
            let secrets = secrets_path
                .map(|p| crate::secrets::Secrets::load_for_lookup(&p))
                .unwrap_or_default();
            let (profiles, error) = match profile::scan_dir(&dir) {
                Ok(p) => (p, None),
                Err(e) => (
                    Vec::new(),
                    Some(format!(
                        "cannot read {}: {e}. Start with --profiles DIR, or press n to create a profile here",
                        dir.display()
                    )),
                ),
            };
            let mut events = Vec::new();
            if let Ok(rd) = std::fs::read_dir(dir.join("events")) {
                let mut paths: Vec<PathBuf> = rd
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect();
                paths.sort();
                for p in paths {
                    let text = std::fs::read_to_string(&p).map_err(|e| e.to_string());
                    events.push((p, text));
                }
            }
            let _ = tx.send(Message::Loaded {
                profiles,
                events,
                error,
                secrets,
            });
        });
    }

    /// Starts the built-in receiver in a task; what it captures comes back
    /// as messages.
    pub(super) fn start_receiver(
        &self,
        addr: std::net::SocketAddr,
        script: crate::receiver::Script,
    ) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let (etx, mut erx) = tokio::sync::mpsc::unbounded_channel();
            let started = crate::receiver::Receiver::start(addr, script, etx)
                .await
                .map_err(|e| {
                    format!(
                        "receiver: cannot listen on {addr}: {e} (start with --receiver-port N or --no-receiver)"
                    )
                });
            let ok = started.is_ok();
            let _ = tx.send(Message::ReceiverStarted(started));
            if ok {
                while let Some(ex) = erx.recv().await {
                    if tx.send(Message::Received(Box::new(ex))).is_err() {
                        break;
                    }
                }
            }
        });
    }

    /// `S` in the Receiver view: stop it, or start it again.
    pub(super) fn toggle_receiver(&mut self) {
        match self.receiver.take() {
            Some(r) => {
                let addr = r.addr;
                r.stop();
                self.set_status(format!("receiver on {addr} stopped: S starts it again"));
            }
            None => {
                let addr = self
                    .receiver_addr
                    .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 8787)));
                self.receiver_addr = Some(addr);
                self.start_receiver(addr, self.receiver_script.clone());
                self.set_status(format!("starting the receiver on {addr}…"));
            }
        }
    }

    /// Sets how the receiver answers: `500,500,200 delay=200 fail=0.1`.
    pub(super) fn set_receiver_answer(&mut self, text: &str) {
        let mut script = self.receiver_script.clone();
        if let Err(m) = script.apply_text(text) {
            self.set_error(format!("answer not changed: {m}"));
            return;
        }
        if let Some(r) = &self.receiver {
            r.set_script(script.clone());
        }
        self.set_status(format!("the receiver answers {}", script.summary()));
        self.receiver_script = script;
    }

    pub(super) fn set_status(&mut self, text: impl Into<String>) {
        self.status = Status {
            text: text.into(),
            error: false,
        };
    }

    pub(super) fn set_error(&mut self, text: impl Into<String>) {
        self.status = Status {
            text: text.into(),
            error: true,
        };
    }

    pub fn current(&self) -> Option<&Entry> {
        self.entries.get(self.selected)
    }

    pub fn draft(&self) -> Option<&Draft> {
        match &self.current()?.kind {
            EntryKind::Ok { draft, .. } => Some(draft),
            EntryKind::Broken(_) => None,
        }
    }

    fn draft_mut(&mut self) -> Option<&mut Draft> {
        match &mut self.entries.get_mut(self.selected)?.kind {
            EntryKind::Ok { draft, .. } => Some(draft),
            EntryKind::Broken(_) => None,
        }
    }

    /// The folder a profile's relative paths start from.
    fn profile_dir(&self) -> PathBuf {
        self.current()
            .and_then(|e| e.path.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| self.dir.clone())
    }

    /// The sample event file of the selected profile.
    pub fn event_path(&self) -> Option<PathBuf> {
        let rel = self.draft()?.event.as_ref()?;
        Some(self.profile_dir().join(rel))
    }

    /// What `c` composes: the event file, else the inline sample event.
    fn event_target(&self) -> Option<JsonTarget> {
        match self.event_path() {
            Some(p) => Some(JsonTarget::Event(p)),
            None => self
                .draft()?
                .sample_event
                .is_some()
                .then_some(JsonTarget::SampleEvent),
        }
    }

    /// The text of an editable JSON document.
    fn json_text(&self, target: &JsonTarget) -> Option<String> {
        match target {
            JsonTarget::Payload => self.draft().map(|d| d.payload.clone()),
            JsonTarget::Event(p) => self.events.get(p).map(|d| d.text.clone()),
            JsonTarget::SampleEvent => self.draft()?.sample_event.clone(),
            JsonTarget::Replay(_) => None,
        }
    }

    /// Writes every profile with unsaved changes beside its file as
    /// `NAME.ron.unsaved` (not read as a profile), for when the workbench
    /// is stopped with no chance to ask; returns the files written.
    pub fn keep_unsaved(&self) -> Vec<PathBuf> {
        let mut kept = Vec::new();
        for e in self.entries.iter().filter(|e| e.dirty) {
            let EntryKind::Ok { draft, .. } = &e.kind else {
                continue;
            };
            let mut name = e.path.clone().into_os_string();
            name.push(".unsaved");
            let path = PathBuf::from(name);
            let text = match draft.to_profile() {
                Ok(p) => profile::to_ron(&p),
                // A form that does not make a profile yet: its fields as text.
                Err(_) => format!("{draft:#?}\n"),
            };
            if crate::files::write_atomic(&path, text.as_bytes()).is_ok() {
                kept.push(path);
            }
        }
        kept
    }

    pub fn any_dirty(&self) -> usize {
        self.entries.iter().filter(|e| e.dirty).count()
            + self.events.values().filter(|d| d.dirty()).count()
    }

    /// After the form changed: dirty marker and preview.
    fn touch(&mut self) {
        if let Some(e) = self.entries.get_mut(self.selected)
            && let EntryKind::Ok { draft, saved } = &e.kind
        {
            e.dirty = match (draft.to_profile(), saved) {
                (Ok(p), Some(s)) => p != **s,
                _ => true,
            };
        }
        self.show_sent = false;
        self.refresh_preview();
    }

    /// Assembles the request the form describes, as the preview shows it.
    pub fn refresh_preview(&mut self) {
        self.preview = self.assemble().map(|result| {
            let body = match &result {
                Ok(a) => body::format(&a.request.redacted().body),
                Err(_) => body::format(b""),
            };
            Preview { result, body }
        });
    }

    fn assemble(&mut self) -> Option<Result<Assembled, FieldProblems>> {
        let draft = self.draft()?;
        let profile = match draft.to_profile() {
            Ok(p) => p,
            Err(errs) => {
                return Some(Err(errs
                    .into_iter()
                    .map(|e| (Some(e.field), e.message))
                    .collect()));
            }
        };
        let event = match self.event_path() {
            None => profile.sample_event.clone().map(Value::Object),
            Some(path) => match self.events.get(&path) {
                Some(doc) => match &doc.parsed {
                    Ok(v) => Some(v.clone()),
                    Err(m) => {
                        return Some(Err(vec![(Some(Field::Event), format!("event: {m}"))]));
                    }
                },
                None if self.loading => return None,
                None => {
                    self.load_event(path.clone());
                    return Some(Err(vec![(
                        Some(Field::Event),
                        format!("reading {}…", path.display()),
                    )]));
                }
            },
        };
        Some(
            request::assemble(
                &profile,
                event.as_ref(),
                &mut Context::system().with_secrets(self.secrets.clone()),
            )
            .map_err(|errs| {
                errs.into_iter()
                    .map(|e| match field_of(&e.field) {
                        // The payload's own path (payload.a.b) says where.
                        Some(Field::Payload) | None => (field_of(&e.field), e.to_string()),
                        Some(f) => (Some(f), e.message),
                    })
                    .collect()
            }),
        )
    }

    fn load_event(&mut self, path: PathBuf) {
        // A placeholder, so the file is read once.
        self.events
            .insert(path.clone(), EventDoc::read(Err("reading…".into())));
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                format!(
                    "cannot read {}: {}",
                    path.display(),
                    crate::files::io_reason(&e)
                )
            });
            let _ = tx.send(Message::EventLoaded { path, text });
        });
    }

    /// Inline errors of the form, by field.
    pub fn field_errors(&self) -> FieldProblems {
        match &self.preview {
            Some(Preview { result: Err(e), .. }) => e.clone(),
            _ => Vec::new(),
        }
    }

    // ---- messages ------------------------------------------------------

    pub fn on_message(&mut self, msg: Message) {
        match msg {
            Message::Loaded {
                profiles,
                events,
                error,
                secrets,
            } => {
                self.loading = false;
                if let Some(p) = secrets.problem() {
                    self.set_error(p.to_string());
                }
                self.store_mask = secrets.mask_set();
                self.secrets = Arc::new(secrets);
                for (path, text) in events {
                    self.events.insert(path, EventDoc::read(text));
                }
                self.entries = profiles
                    .into_iter()
                    .map(|r| match r {
                        Ok(l) => Entry::saved(l),
                        Err(d) => Entry {
                            path: d.path.clone(),
                            kind: EntryKind::Broken(d),
                            dirty: false,
                            exchange: None,
                        },
                    })
                    .collect();
                // Open on the profile that works offline, when it is there.
                self.selected = self
                    .entries
                    .iter()
                    .position(|e| e.path.file_stem().is_some_and(|s| s == "local-echo"))
                    .unwrap_or(0);
                match error {
                    Some(e) => {
                        self.load_error = Some(e.clone());
                        self.set_error(e);
                    }
                    None if self.entries.is_empty() => {
                        self.set_status(format!(
                            "no profiles in {}: press n to create one",
                            self.dir.display()
                        ));
                    }
                    None => {
                        let broken = self
                            .entries
                            .iter()
                            .filter(|e| matches!(e.kind, EntryKind::Broken(_)))
                            .count();
                        let text = format!(
                            "{} profile(s) from {}{}",
                            self.entries.len(),
                            self.dir.display(),
                            if broken > 0 {
                                format!(", {broken} with errors")
                            } else {
                                String::new()
                            }
                        );
                        self.set_status(text);
                    }
                }
                self.refresh_preview();
            }
            Message::EventLoaded { path, text } => {
                self.events.insert(path, EventDoc::read(text));
                self.refresh_preview();
            }
            Message::Fired {
                seq,
                exchange,
                earlier,
            } => self.on_fired(seq, *exchange, earlier),
            Message::Attempt { seq, text } => {
                if self.inflight.as_ref().is_some_and(|f| f.seq == seq) {
                    self.set_error(text);
                }
            }
            Message::HistoryPage {
                seq,
                rows,
                total,
                buckets,
            } => self.on_history_page(seq, rows, total, buckets),
            Message::RecordLoaded(open) => self.on_record_loaded(*open),
            Message::Compared(c) => self.on_compared(c),
            Message::BulkPreview { ids, hosts } => self.on_bulk_preview(ids, hosts),
            Message::BulkStarted { run, warnings } => self.on_bulk_started(run, warnings),
            Message::BulkProgress(t) => self.on_bulk_progress(t),
            Message::BulkDone { tally, error } => self.on_bulk_done(tally, error),
            Message::HistoryFailed(e) => {
                self.hist.loading = false;
                self.set_error(format!("history: {e}"));
            }
            Message::ReceiverStarted(result) => match result {
                Ok(r) => {
                    super::log::line(&format!("receiver listening on {}", r.addr));
                    self.receiver = Some(r);
                }
                Err(e) => self.set_error(e),
            },
            Message::Received(mut ex) => {
                self.received += 1;
                // The store's values are masked in what arrives too: a fire
                // from this workbench brings them.
                ex.request.secret_values = self.store_mask.clone();
                let summary = format!(
                    "received {} {} -> {}",
                    ex.request.method,
                    crate::history::host_and_path(&ex.request.url).1,
                    ex.response.as_ref().map_or(0, |r| r.status)
                );
                if self.inflight.is_none() {
                    self.set_status(summary);
                }
                // The signature is checked here, on the request as it came:
                // the history keeps signatures masked.
                let secrets = self.receiver_secrets.clone();
                let store = self.history.clone();
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let verdict = (!secrets.is_empty()).then(|| {
                        crate::signing::verify_standard(
                            &secrets,
                            &ex.request.headers,
                            &ex.request.body,
                            crate::clock::unix_seconds(std::time::SystemTime::now()),
                        )
                    });
                    let id = match store {
                        Some(store) => match store
                            .lock()
                            .map_err(|_| "the history is unavailable".to_string())
                            .and_then(|mut s| s.insert(&ex).map_err(|e| e.to_string()))
                        {
                            Ok(id) => Some(id),
                            Err(e) => {
                                let _ = tx.send(Message::HistoryFailed(e));
                                None
                            }
                        },
                        None => None,
                    };
                    let _ = tx.send(Message::ReceivedRecorded { id, verdict });
                });
            }
            Message::ReceivedRecorded { id, verdict } => {
                if let Some(v) = verdict {
                    let text = match &v {
                        crate::signing::Verdict::Invalid(e) => {
                            format!("signature INVALID: {}", e.likely_cause)
                        }
                        other => format!("signature {}", other.as_str()),
                    };
                    if self.inflight.is_none() {
                        let line = format!("{} · {text}", self.status.text);
                        if matches!(v, crate::signing::Verdict::Valid) {
                            self.set_status(line);
                        } else {
                            self.set_error(line);
                        }
                    }
                    if let Some(id) = id {
                        self.verdicts.insert(id, v);
                    }
                }
                if self.view == View::Receiver {
                    // One query at a time: a record that lands while one
                    // runs is picked up by the next.
                    if self.hist.loading {
                        self.hist.stale = true;
                    } else {
                        self.history_reload();
                    }
                }
            }
            Message::HistoryOpened(result) => {
                match result {
                    Ok(store) => self.history = Some(store),
                    Err(e) => {
                        self.history_failed = true;
                        self.set_error(format!("history: {e}"));
                    }
                }
                if std::mem::take(&mut self.hist.waiting) {
                    self.history_reload();
                }
            }
            Message::Recorded { seq, result } => match result {
                Ok(id) => {
                    for e in &mut self.entries {
                        if let Some(x) = e.exchange.as_mut().filter(|x| x.seq == seq) {
                            x.record = Some(id);
                        }
                    }
                }
                Err(e) => self.set_error(format!("not recorded in the history: {e}")),
            },
            Message::FireFailed { seq, error } => {
                if self.inflight.as_ref().is_some_and(|f| f.seq == seq) {
                    self.inflight = None;
                }
                self.set_error(error);
            }
            Message::Formatted {
                seq,
                request,
                response,
            } => {
                for e in &mut self.entries {
                    if let Some(x) = e.exchange.as_mut().filter(|x| x.seq == seq) {
                        x.request_body = Some(request);
                        x.response_body = Some(response);
                        break;
                    }
                }
            }
            Message::Saved {
                path,
                profile,
                result,
            } => self.on_saved(path, *profile, result),
            Message::EventSaved { path, result } => match result {
                Ok(()) => {
                    if let Some(doc) = self.events.get_mut(&path) {
                        doc.saved_text = doc.text.clone();
                    }
                    self.set_status(format!("saved {}", path.display()));
                }
                Err(e) if e == NOT_REPLACED => self.event_went_elsewhere(path),
                Err(e) => self.set_error(format!("cannot save {}: {e}", path.display())),
            },
            Message::Shared { path, result } => self.on_shared(path, result),
            Message::ProfileImported(result) => self.on_profile_imported(result),
            Message::Deleted { path, result } => match result {
                Ok(()) => {
                    self.entries.retain(|e| e.path != path);
                    self.selected = self.selected.min(self.entries.len().saturating_sub(1));
                    self.editor_row = 0;
                    self.set_status(format!("deleted {}", path.display()));
                    self.refresh_preview();
                }
                Err(e) => self.set_error(format!("cannot delete {}: {e}", path.display())),
            },
            Message::Renamed { from, to, result } => match result {
                Ok(()) => {
                    if let Some(e) = self.entries.iter_mut().find(|e| e.path == from) {
                        e.path = to.clone();
                        if let EntryKind::Ok { draft, saved } = &mut e.kind
                            && let Some(s) = saved
                        {
                            s.name = draft.name.clone();
                        }
                    }
                    self.set_status(format!("renamed to {}", to.display()));
                    self.touch();
                }
                Err(e) => {
                    if e == NOT_REPLACED {
                        self.outside.insert(to);
                    }
                    self.set_error(format!("cannot rename: {e}"));
                }
            },
        }
    }

    fn on_fired(&mut self, seq: u64, exchange: Exchange, earlier: Vec<Exchange>) {
        let Some(flight) = self.inflight.take_if(|f| f.seq == seq) else {
            return; // cancelled or superseded
        };
        let known = exchange.request.known_secrets();
        let masked = MaskedHead {
            headers: exchange
                .response
                .as_ref()
                .map(|r| r.masked_headers(&known))
                .unwrap_or_default(),
            redirects: exchange
                .response
                .as_ref()
                .map(|r| {
                    r.redirects
                        .iter()
                        .map(|u| known.mask(u).into_owned())
                        .collect()
                })
                .unwrap_or_default(),
            error: exchange.error.as_ref().map(|e| e.masked(&known)),
        };
        let ms = exchange.elapsed.as_millis();
        let summary = match (&exchange.response, &masked.error) {
            (_, Some(_)) | (None, None) => format!("{} after {ms} ms", exchange.outcome()),
            (Some(r), None) => format!(
                "{} in {ms} ms, {}",
                exchange.outcome(),
                crate::exchange::human_size(r.body.len())
            ),
        };
        if exchange.is_success() {
            self.set_status(summary);
        } else {
            self.set_error(summary);
        }
        let shown_request = exchange.request.redacted_with(&known);
        super::log::line(&format!(
            "fired {} {}: {}",
            exchange.request.method, shown_request.url, self.status.text
        ));
        // Into the history, off the UI thread.
        if let Some(store) = self.history.clone() {
            let tx = self.tx.clone();
            let mut all = earlier;
            all.push(exchange.clone());
            tokio::task::spawn_blocking(move || {
                // The first attempt as the fire, the others linked to it.
                let result = store
                    .lock()
                    .map_err(|_| "the history is unavailable".to_string())
                    .and_then(|mut s| {
                        let (first, retries) = all.split_first_mut().expect("the fire itself");
                        s.insert_attempts(first, retries).map_err(|e| e.to_string())
                    });
                let _ = tx.send(Message::Recorded { seq, result });
            });
        }
        // Format both bodies once, off the UI thread, credentials masked.
        let req_body = shown_request.body;
        let resp_body = exchange
            .response
            .as_ref()
            .map(|r| r.masked_cow(&known).shown_body().0.into_owned())
            .unwrap_or_default();
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let request = body::format(&req_body);
            let response = body::format(&resp_body);
            let _ = tx.send(Message::Formatted {
                seq,
                request,
                response,
            });
        });
        if let Some(e) = self.entries.iter_mut().find(|e| e.path == flight.path) {
            e.exchange = Some(ExchangeView {
                seq,
                record: None,
                exchange,
                masked,
                request_body: None,
                response_body: None,
            });
        }
        self.show_sent = true;
        self.request_scroll = 0;
        self.response_scroll = 0;
    }

    fn on_saved(&mut self, path: PathBuf, profile: Profile, result: Result<(), String>) {
        match result {
            Ok(()) => {
                if let Some(e) = self.entries.iter_mut().find(|e| e.path == path)
                    && let EntryKind::Ok { draft, saved } = &mut e.kind
                {
                    e.dirty = draft.to_profile().ok().as_ref() != Some(&profile);
                    *saved = Some(Box::new(profile));
                }
                self.set_status(format!("saved {}", path.display()));
            }
            Err(e) => {
                self.quit_after_saves = None;
                self.set_error(format!("cannot save {}: {e}", path.display()));
                if e == NOT_REPLACED {
                    self.profile_went_elsewhere(path);
                }
            }
        }
        if let Some(n) = self.quit_after_saves.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.quit = true;
            }
        }
    }

    // ---- input ---------------------------------------------------------

    /// The scope whose bindings apply now.
    pub fn scope(&self) -> Scope {
        match &self.mode {
            Mode::EditLine { .. } | Mode::Prompt { .. } => Scope::Text,
            Mode::EditJson { .. } => Scope::Json,
            _ if self.view != View::Workbench => Scope::History,
            _ => match self.focus {
                Pane::Profiles => Scope::Profiles,
                Pane::Editor => Scope::Editor,
                Pane::Request | Pane::Response => Scope::Inspector,
            },
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        let mode = std::mem::replace(&mut self.mode, Mode::Normal);
        self.mode = match mode {
            Mode::Normal => {
                if let Some(a) = keys::lookup(self.scope(), &key) {
                    self.act(a);
                }
                return;
            }
            Mode::Help { scroll } => match keys::lookup(Scope::Inspector, &key) {
                Some(Action::Down) => Mode::Help { scroll: scroll + 1 },
                Some(Action::Up) => Mode::Help {
                    scroll: scroll.saturating_sub(1),
                },
                _ => Mode::Normal,
            },
            Mode::Confirm(kind) => {
                self.on_confirm(kind, key);
                return;
            }
            Mode::Picker { items, selected } => {
                self.on_picker(items, selected, key);
                return;
            }
            Mode::Prompt { kind, mut area } => match keys::lookup(Scope::Text, &key) {
                Some(Action::Commit) => {
                    let text = area.lines().join("");
                    self.on_prompt(kind, text.trim().to_string());
                    return;
                }
                Some(Action::Escape) => {
                    self.set_status("cancelled");
                    Mode::Normal
                }
                _ => {
                    area.input(key);
                    Mode::Prompt { kind, area }
                }
            },
            Mode::EditLine { field, mut area } => match keys::lookup(Scope::Text, &key) {
                Some(Action::Commit) | Some(Action::Escape) => Mode::Normal,
                Some(Action::Save) => {
                    self.save();
                    Mode::Normal
                }
                _ => {
                    // One line: no tabs, no line breaks.
                    let ctrl_m = key.code == ratatui::crossterm::event::KeyCode::Char('m')
                        && key
                            .modifiers
                            .contains(ratatui::crossterm::event::KeyModifiers::CONTROL);
                    if key.code != ratatui::crossterm::event::KeyCode::Tab && !ctrl_m {
                        area.input(key);
                    }
                    let text = area.lines().join("");
                    if let Some(d) = self.draft_mut() {
                        d.set_text(field, text);
                    }
                    self.touch();
                    Mode::EditLine { field, area }
                }
            },
            Mode::EditJson { target, mut area } => {
                let action = keys::lookup(Scope::Json, &key)
                    .or_else(|| keys::lookup(Scope::Text, &key).filter(|a| *a != Action::Commit));
                match action {
                    Some(Action::Escape) => Mode::Normal,
                    Some(Action::Save) => {
                        match &target {
                            JsonTarget::Payload | JsonTarget::SampleEvent => {
                                self.save();
                            }
                            JsonTarget::Event(p) => self.save_event(p.clone()),
                            JsonTarget::Replay(id) => {
                                let (id, text) = (*id, area.lines().join("\n"));
                                self.mode = Mode::EditJson { target, area };
                                self.send_edited(id, &text);
                                return;
                            }
                        }
                        Mode::EditJson { target, area }
                    }
                    Some(Action::ExternalEditor) => {
                        self.effects.push(Effect::ExternalEdit {
                            target: target.clone(),
                            text: area.lines().join("\n"),
                        });
                        Mode::EditJson { target, area }
                    }
                    Some(Action::SaveAs) => match target {
                        JsonTarget::Event(path) => {
                            self.prompt(PromptKind::SaveEventAs(path), "");
                            return;
                        }
                        other => Mode::EditJson {
                            target: other,
                            area,
                        },
                    },
                    _ => {
                        area.input(key);
                        let text = area.lines().join("\n");
                        self.set_json(&target, text);
                        Mode::EditJson { target, area }
                    }
                }
            }
        };
    }

    fn set_json(&mut self, target: &JsonTarget, text: String) {
        match target {
            JsonTarget::Payload => {
                if let Some(d) = self.draft_mut() {
                    d.payload = text;
                }
            }
            JsonTarget::Event(p) => {
                if let Some(doc) = self.events.get_mut(p) {
                    doc.parsed = parse_event(&text);
                    doc.text = text;
                }
            }
            JsonTarget::SampleEvent => {
                if let Some(d) = self.draft_mut() {
                    d.sample_event = Some(text);
                }
            }
            // The text lives in the editor until it is sent.
            JsonTarget::Replay(_) => return,
        }
        self.touch();
    }

    /// The text came back from $EDITOR.
    pub fn external_edit_done(&mut self, target: JsonTarget, result: std::io::Result<String>) {
        match result {
            Ok(text) => {
                let text = text.trim_end_matches('\n').to_string();
                if let Mode::EditJson { target: t, area } = &mut self.mode
                    && *t == target
                {
                    **area = json_area(&text);
                }
                self.set_json(&target, text);
                self.set_status("back from the editor");
            }
            Err(e) => self.set_error(format!("the editor did not run: {e}")),
        }
    }

    pub(super) fn prompt(&mut self, kind: PromptKind, initial: &str) {
        let mut area = TextArea::new(vec![initial.to_string()]);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        self.mode = Mode::Prompt {
            kind,
            area: Box::new(area),
        };
    }

    fn act(&mut self, a: Action) {
        match a {
            Action::ViewWorkbench => {
                self.view = View::Workbench;
                return;
            }
            Action::ViewHistory | Action::ViewReceiver => {
                let (view, origin) = if a == Action::ViewHistory {
                    (View::History, None)
                } else {
                    (View::Receiver, Some("received".to_string()))
                };
                if self.view != view {
                    self.view = view;
                    self.hist.filter.origin = origin;
                    self.hist.open = None;
                    self.history_reload();
                }
                return;
            }
            _ => {}
        }
        if self.view != View::Workbench {
            match a {
                Action::Quit | Action::Help | Action::Reveal => {}
                Action::CopyCurl => {
                    match self.hist.open.as_ref() {
                        Some(o) => {
                            let cmd = crate::curl::to_curl(&o.record.exchange.request, false);
                            self.set_status(format!(
                                "copied a curl command for #{} ({} chars); credentials stay masked in the history",
                                o.record.id,
                                cmd.len()
                            ));
                            self.effects.push(Effect::Copy(cmd));
                        }
                        None => self.set_error("no record open"),
                    }
                    return;
                }
                Action::Fire | Action::Save => {
                    self.set_error("that is for the Workbench (1)");
                    return;
                }
                _ => {
                    self.act_history(a);
                    return;
                }
            }
        }
        match a {
            Action::Quit => {
                if self.any_dirty() > 0 {
                    self.mode = Mode::Confirm(ConfirmKind::Quit);
                } else {
                    self.quit = true;
                }
            }
            Action::Help => self.mode = Mode::Help { scroll: 0 },
            Action::NextPane | Action::PrevPane => {
                let i = PANES.iter().position(|p| *p == self.focus).unwrap_or(0);
                let n = PANES.len();
                self.focus = PANES[if a == Action::NextPane {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
            }
            Action::Fire => self.fire(),
            Action::Escape => {
                if let Some(f) = self.inflight.take() {
                    f.handle.abort();
                    self.set_status("request cancelled");
                } else if self.search.take().is_none() && self.focus != Pane::Profiles {
                    self.focus = Pane::Profiles;
                }
            }
            Action::Save => {
                self.save();
            }
            Action::CopyCurl => self.copy_curl(),
            Action::Reveal => {
                self.reveal = !self.reveal;
                self.set_status(if self.reveal {
                    "credentials shown (v masks them again)"
                } else {
                    "credentials masked"
                });
            }
            _ => match self.focus {
                Pane::Profiles => self.act_profiles(a),
                Pane::Editor => self.act_editor(a),
                Pane::Request | Pane::Response => self.act_inspector(a),
            },
        }
    }

    pub(super) fn select(&mut self, i: usize) {
        if i < self.entries.len() && i != self.selected {
            self.selected = i;
            self.editor_row = 0;
            self.show_sent = self.current().is_some_and(|e| e.exchange.is_some());
            self.request_scroll = 0;
            self.response_scroll = 0;
            self.refresh_preview();
        }
    }

    fn act_profiles(&mut self, a: Action) {
        match a {
            Action::Up => self.select(self.selected.saturating_sub(1)),
            Action::Down => self.select(self.selected + 1),
            Action::Enter if self.draft().is_some() => {
                self.focus = Pane::Editor;
            }
            Action::NewProfile => self.prompt(PromptKind::NewProfile, ""),
            Action::Duplicate => self.duplicate(),
            Action::Rename => {
                if let Some(name) = self.draft().map(|d| d.name.clone()) {
                    self.prompt(PromptKind::Rename, &name);
                }
            }
            Action::Delete if self.current().is_some() => {
                self.mode = Mode::Confirm(ConfirmKind::Delete);
            }
            Action::Share => self.ask_share(),
            Action::ImportProfile => self.prompt(PromptKind::ImportProfile, ""),
            _ => {}
        }
    }

    fn rows(&self) -> Vec<Field> {
        self.draft().map(Draft::rows).unwrap_or_default()
    }

    fn act_editor(&mut self, a: Action) {
        let rows = self.rows();
        let Some(field) = rows.get(self.editor_row).copied() else {
            return;
        };
        match a {
            Action::Up => self.editor_row = self.editor_row.saturating_sub(1),
            Action::Down => self.editor_row = (self.editor_row + 1).min(rows.len() - 1),
            Action::Enter => match field {
                Field::Headers => self.act_editor(Action::AddHeader),
                Field::Payload => self.edit_json(JsonTarget::Payload),
                Field::Event => self.pick_event(),
                f if f.is_text() => self.edit_line(f),
                f => {
                    if let Some(d) = self.draft_mut() {
                        d.cycle(f, true);
                    }
                    self.touch();
                }
            },
            Action::Left | Action::Right | Action::Toggle => {
                let forward = a != Action::Left;
                let is_choice = matches!(
                    field,
                    Field::Method | Field::Auth | Field::Signing | Field::HmacEncoding
                );
                if a == Action::Toggle || is_choice {
                    if let Some(d) = self.draft_mut() {
                        d.cycle(field, forward);
                    }
                    self.touch();
                }
            }
            Action::AddHeader => {
                let Some(d) = self.draft_mut() else { return };
                d.headers.push(Header::new("X-Header", ""));
                let i = d.headers.len() - 1;
                self.touch();
                if let Some(row) = self.rows().iter().position(|f| *f == Field::Header(i)) {
                    self.editor_row = row;
                    self.edit_line(Field::Header(i));
                }
            }
            Action::RemoveHeader => {
                if let Field::Header(i) = field {
                    if let Some(d) = self.draft_mut() {
                        d.headers.remove(i);
                    }
                    self.touch();
                    self.editor_row = self.editor_row.min(self.rows().len() - 1);
                }
            }
            Action::MoveUp | Action::MoveDown => {
                if let Field::Header(i) = field {
                    let up = a == Action::MoveUp;
                    let Some(d) = self.draft_mut() else { return };
                    let j = if up { i.checked_sub(1) } else { Some(i + 1) };
                    if let Some(j) = j.filter(|j| *j < d.headers.len()) {
                        d.headers.swap(i, j);
                        if up {
                            self.editor_row -= 1;
                        } else {
                            self.editor_row += 1;
                        }
                        self.touch();
                    }
                }
            }
            Action::ComposeEvent => match self.event_target() {
                Some(t) => self.edit_json(t),
                None => self.set_error("no sample event: pick one with Enter on Event"),
            },
            Action::ExternalEditor => {
                let target = match field {
                    Field::Payload => JsonTarget::Payload,
                    Field::Event => match self.event_target() {
                        Some(t) => t,
                        None => {
                            self.set_error("no sample event: pick one with Enter on Event");
                            return;
                        }
                    },
                    _ => {
                        self.set_error("e opens the payload or the event: move to one of them");
                        return;
                    }
                };
                let text = self.json_text(&target).unwrap_or_default();
                self.effects.push(Effect::ExternalEdit { target, text });
            }
            _ => {}
        }
    }

    fn edit_line(&mut self, field: Field) {
        let Some(d) = self.draft() else { return };
        let mut area = TextArea::new(vec![d.text(field)]);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        if matches!(field, Field::Password | Field::Token | Field::SigningSecret) && !self.reveal {
            area.set_mask_char('•');
        }
        self.mode = Mode::EditLine {
            field,
            area: Box::new(area),
        };
    }

    fn edit_json(&mut self, target: JsonTarget) {
        let Some(text) = self.json_text(&target) else {
            self.set_error("the sample event is not loaded yet");
            return;
        };
        self.mode = Mode::EditJson {
            target,
            area: Box::new(json_area(&text)),
        };
    }

    fn pick_event(&mut self) {
        let mut items = vec!["(none)".to_string()];
        items.extend(self.events.keys().map(|p| self.relative(p)));
        let current = self.draft().and_then(|d| d.event.clone());
        let selected = current
            .and_then(|c| items.iter().position(|i| *i == c))
            .unwrap_or(0);
        self.mode = Mode::Picker { items, selected };
    }

    fn on_picker(&mut self, items: Vec<String>, selected: usize, key: KeyEvent) {
        match keys::lookup(Scope::Profiles, &key) {
            Some(Action::Up) => {
                self.mode = Mode::Picker {
                    selected: selected.saturating_sub(1),
                    items,
                }
            }
            Some(Action::Down) => {
                self.mode = Mode::Picker {
                    selected: (selected + 1).min(items.len() - 1),
                    items,
                }
            }
            Some(Action::Enter) => {
                let choice = (selected > 0).then(|| items[selected].clone());
                if let Some(d) = self.draft_mut() {
                    d.event = choice;
                }
                self.touch();
            }
            _ => {}
        }
    }

    fn on_prompt(&mut self, kind: PromptKind, text: String) {
        let may_be_empty = matches!(
            kind,
            PromptKind::Search | PromptKind::FilterProfile | PromptKind::FilterText
        );
        if kind == PromptKind::ReceiverAnswer {
            self.set_receiver_answer(&text);
            return;
        }
        if kind == PromptKind::ReceiverSecrets {
            self.receiver_secrets = text.split_whitespace().map(str::to_string).collect();
            self.set_status(if self.receiver_secrets.is_empty() {
                "signatures are not checked".to_string()
            } else {
                format!(
                    "checking Standard Webhooks signatures with {} secret(s), from the next request on",
                    self.receiver_secrets.len()
                )
            });
            return;
        }
        if text.is_empty() && !may_be_empty {
            self.set_error("a name is needed");
            return;
        }
        match kind {
            PromptKind::NewProfile => {
                let mut p = Profile::new(
                    text.clone(),
                    Method::Post,
                    "http://127.0.0.1:8787/hooks/{{event.eventName}}",
                );
                let base = self.dir.clone();
                p.event = self.events.keys().next().map(|e| {
                    e.strip_prefix(&base)
                        .unwrap_or(e)
                        .to_string_lossy()
                        .into_owned()
                });
                let path = self.unique_path(&text);
                self.add_entry(path, p, "new profile");
            }
            PromptKind::Rename => self.rename(text),
            PromptKind::SaveEventAs(old) => self.save_event_as(old, &text),
            PromptKind::Search => {
                self.search = (!text.is_empty()).then_some(text);
                self.search_step(true, true);
            }
            PromptKind::FilterProfile | PromptKind::FilterText => {
                self.on_history_prompt(kind, text)
            }
            PromptKind::ReceiverAnswer => self.set_receiver_answer(&text),
            PromptKind::ReceiverSecrets => {}
            PromptKind::ShareTo => self.share_to(PathBuf::from(text)),
            PromptKind::ImportProfile => self.import_profile(PathBuf::from(text)),
        }
    }

    pub(super) fn add_entry(&mut self, path: PathBuf, p: Profile, what: &str) {
        self.entries.push(Entry {
            path: path.clone(),
            kind: EntryKind::Ok {
                draft: Box::new(Draft::from_profile(&p)),
                saved: None,
            },
            dirty: true,
            exchange: None,
        });
        let i = self.entries.len() - 1;
        self.selected = usize::MAX;
        self.select(i);
        self.focus = Pane::Editor;
        self.set_status(format!("{what}: Ctrl-s saves it to {}", path.display()));
    }

    /// A new profile's file turned out to be there already: the profile
    /// goes to a free name instead, saved with the next Ctrl-s.
    fn profile_went_elsewhere(&mut self, path: PathBuf) {
        self.outside.insert(path.clone());
        let Some(i) = self.entries.iter().position(|e| e.path == path) else {
            return;
        };
        let EntryKind::Ok { draft, saved: None } = &self.entries[i].kind else {
            return;
        };
        let to = self.unique_path(&draft.name);
        self.set_error(format!(
            "{} was made outside the workbench and is left as it is; this profile goes to {}: Ctrl-s saves it",
            path.display(),
            to.display()
        ));
        self.entries[i].path = to;
    }

    /// A new event file turned out to be there already: the text goes to a
    /// free name instead, which the profile then names.
    fn event_went_elsewhere(&mut self, path: PathBuf) {
        self.outside.insert(path.clone());
        let Some(doc) = self.events.remove(&path) else {
            return;
        };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        // The path itself is outside now: this gives `STEM-2.json` or on.
        let to = self.free_event_path(&dir, &stem);
        self.events.insert(to.clone(), doc);
        let (old_rel, new_rel) = (self.relative(&path), self.relative(&to));
        if let Some(d) = self.draft_mut()
            && d.event.as_deref() == Some(old_rel.as_str())
        {
            d.event = Some(new_rel);
        }
        if let Mode::EditJson {
            target: JsonTarget::Event(p),
            ..
        } = &mut self.mode
            && *p == path
        {
            *p = to.clone();
        }
        self.set_error(format!(
            "{} was made outside the workbench and is left as it is; this event goes to {}: Ctrl-s saves it",
            path.display(),
            to.display()
        ));
    }

    /// A path as the profile names it: relative to the profiles folder.
    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(self.profile_dir())
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned()
    }

    /// A file name for a profile name that no entry uses yet.
    pub(super) fn unique_path(&self, name: &str) -> PathBuf {
        let slug = crate::files::slug(name);
        // Only the list is asked (no disk on the UI thread); a file made
        // since it was read is never replaced: the save says so instead.
        crate::files::free_name(&self.dir, &slug, "ron", |p| {
            self.outside.contains(p) || self.entries.iter().any(|e| e.path == p)
        })
    }

    /// A file name for an event that no document and no file made outside
    /// uses yet.
    fn free_event_path(&self, dir: &Path, stem: &str) -> PathBuf {
        crate::files::free_name(dir, stem, "json", |p| {
            self.events.contains_key(p) || self.outside.contains(p)
        })
    }

    fn duplicate(&mut self) {
        let Some(d) = self.draft() else { return };
        let Ok(mut p) = d.to_profile() else {
            self.set_error("fix the profile's errors before duplicating it");
            return;
        };
        p.name = format!("{} copy", p.name);
        let path = self.unique_path(&p.name);
        self.add_entry(path, p, "duplicated");
    }

    fn rename(&mut self, name: String) {
        let Some(entry) = self.entries.get(self.selected) else {
            return;
        };
        let from = entry.path.clone();
        let saved = match &entry.kind {
            EntryKind::Ok { saved, .. } => saved.clone(),
            EntryKind::Broken(_) => return,
        };
        if let Some(d) = self.draft_mut() {
            d.name = name.clone();
        }
        let Some(mut saved) = saved else {
            // Never saved: only the name and the future file change.
            let to = self.unique_path(&name);
            self.entries[self.selected].path = to;
            self.touch();
            return;
        };
        let to = if crate::files::slug(&name)
            == from.file_stem().unwrap_or_default().to_string_lossy()
        {
            from.clone()
        } else {
            self.unique_path(&name)
        };
        saved.name = name;
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let result = if to == from {
                profile::save(&to, &saved)
            } else {
                profile::save_new(&to, &saved)
            }
            .map_err(|e| not_replaced(&e, e.to_string()))
            .and_then(|()| {
                if to != from {
                    std::fs::remove_file(&from).map_err(|e| e.to_string())
                } else {
                    Ok(())
                }
            });
            let _ = tx.send(Message::Renamed { from, to, result });
        });
    }

    fn on_confirm(&mut self, kind: ConfirmKind, key: KeyEvent) {
        use ratatui::crossterm::event::KeyCode::Char;
        match (kind, key.code) {
            (ConfirmKind::Delete, Char('y')) => {
                let Some(e) = self.current() else { return };
                let path = e.path.clone();
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    // A profile never saved has no file: gone already.
                    let result = match std::fs::remove_file(&path) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.to_string()),
                        _ => Ok(()),
                    };
                    let _ = tx.send(Message::Deleted { path, result });
                });
            }
            (ConfirmKind::Quit, Char('y')) => self.quit = true,
            (ConfirmKind::Bulk { .. }, Char('y')) => self.confirm_bulk(),
            // The bulk confirmation sets how fast: + and - concurrency, < and > rate.
            (kind @ ConfirmKind::Bulk { .. }, Char(c @ ('+' | '-' | '<' | '>'))) => {
                match c {
                    '+' => self.replay_concurrency = (self.replay_concurrency + 1).min(64),
                    '-' => {
                        self.replay_concurrency = self.replay_concurrency.saturating_sub(1).max(1)
                    }
                    _ => {
                        let i = RATES
                            .iter()
                            .position(|r| *r == self.replay_rate)
                            .unwrap_or(0);
                        let j = if c == '>' {
                            (i + 1).min(RATES.len() - 1)
                        } else {
                            i.saturating_sub(1)
                        };
                        self.replay_rate = RATES[j];
                    }
                }
                self.mode = Mode::Confirm(kind);
            }
            (ConfirmKind::Quit, Char('s')) => self.save_all_and_quit(),
            _ => self.set_status("cancelled"),
        }
    }

    fn save_all_and_quit(&mut self) {
        let mut n = 0;
        for i in 0..self.entries.len() {
            if self.entries[i].dirty {
                let before = self.selected;
                self.selected = i;
                if self.save() {
                    n += 1;
                } else {
                    self.selected = before;
                    return;
                }
                self.selected = before;
            }
        }
        let events: Vec<PathBuf> = self
            .events
            .iter()
            .filter(|(_, d)| d.dirty())
            .map(|(p, _)| p.clone())
            .collect();
        for p in events {
            self.save_event(p);
        }
        if n == 0 {
            self.quit = true;
        } else {
            self.quit_after_saves = Some(n);
        }
    }

    /// Saves the selected profile in a task; false when the form has errors.
    fn save(&mut self) -> bool {
        let Some(entry) = self.entries.get(self.selected) else {
            return false;
        };
        let EntryKind::Ok { draft, saved } = &entry.kind else {
            self.set_error("this file does not parse: fix it in an editor");
            return false;
        };
        let new = saved.is_none();
        match draft.to_profile() {
            Err(errs) => {
                self.set_error(format!(
                    "cannot save: {}: {}",
                    errs[0].field.describe(),
                    errs[0].message
                ));
                false
            }
            Ok(p) => {
                let path = entry.path.clone();
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = if new {
                        profile::save_new(&path, &p)
                    } else {
                        profile::save(&path, &p)
                    }
                    .map_err(|e| not_replaced(&e, e.to_string()));
                    let _ = tx.send(Message::Saved {
                        path,
                        profile: Box::new(p),
                        result,
                    });
                });
                true
            }
        }
    }

    fn save_event(&mut self, path: PathBuf) {
        self.write_event(path, false);
    }

    /// Writes an event document in a task; `new` never replaces a file.
    fn write_event(&mut self, path: PathBuf, new: bool) {
        let Some(doc) = self.events.get(&path) else {
            return;
        };
        if let Err(e) = &doc.parsed {
            self.set_error(format!("cannot save the event: {e}"));
            return;
        }
        let text = format!("{}\n", doc.text.trim_end());
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let result = if new {
                crate::files::write_new(&path, text.as_bytes())
            } else {
                crate::files::write_atomic(&path, text.as_bytes())
            }
            .map_err(|e| not_replaced(&e, e.to_string()));
            let _ = tx.send(Message::EventSaved { path, result });
        });
    }

    fn save_event_as(&mut self, old: PathBuf, name: &str) {
        let Some(doc) = self.events.get(&old).cloned() else {
            return;
        };
        let dir = old
            .parent()
            .map_or_else(|| self.dir.join("events"), Path::to_path_buf);
        let path = self.free_event_path(&dir, &crate::files::slug(name.trim_end_matches(".json")));
        let mut new_doc = doc;
        new_doc.saved_text = String::new();
        self.events.insert(path.clone(), new_doc);
        // The edited original goes back to what its file holds.
        if let Some(d) = self.events.get_mut(&old) {
            d.text = d.saved_text.clone();
            d.parsed = parse_event(&d.text);
        }
        let rel = self.relative(&path);
        if let Some(d) = self.draft_mut() {
            d.event = Some(rel);
        }
        self.touch();
        self.write_event(path.clone(), true);
        // Go on editing the new file.
        self.edit_json(JsonTarget::Event(path));
    }

    fn fire(&mut self) {
        if self.inflight.is_some() {
            self.set_error("a request is in flight: Esc cancels it");
            return;
        }
        let Some(entry) = self.current() else {
            self.set_error("no profile selected");
            return;
        };
        if let EntryKind::Broken(d) = &entry.kind {
            self.set_error(format!("cannot fire: {d}"));
            return;
        }
        let path = entry.path.clone();
        // Fresh assembly, so {{now}} and {{uuid}} are of this moment.
        self.refresh_preview();
        let (request, opts, retry, signing) =
            match (&self.preview, self.draft().map(Draft::to_profile)) {
                (Some(Preview { result: Ok(a), .. }), Some(Ok(p))) => (
                    a.request.clone(),
                    SendOptions::for_profile(&p),
                    p.retry.clone(),
                    a.signing.clone(),
                ),
                (Some(Preview { result: Err(e), .. }), _) => {
                    let (field, msg) = &e[0];
                    let at = field
                        .map(|f| format!("{}: ", f.describe()))
                        .unwrap_or_default();
                    self.set_error(format!("cannot fire: {at}{msg}"));
                    return;
                }
                _ => {
                    self.set_error("cannot fire yet: still loading");
                    return;
                }
            };
        self.seq += 1;
        let seq = self.seq;
        let tx = self.tx.clone();
        let cell = self.deliverer.clone();
        let handle = tokio::spawn(async move {
            let deliverer = match cell.get() {
                Some(d) => d.clone(),
                None => match Deliverer::new() {
                    Ok(d) => cell.get_or_init(|| d).clone(),
                    Err(e) => {
                        let _ = tx.send(Message::FireFailed {
                            seq,
                            error: e.to_string(),
                        });
                        return;
                    }
                },
            };
            let max = retry.as_ref().map_or(1, |r| r.max_attempts);
            let progress = tx.clone();
            let mut attempts = deliverer
                .send_with_retries(
                    &request,
                    &opts,
                    retry.as_ref(),
                    signing.as_ref(),
                    |n, ex, wait| {
                        if let Some(w) = wait {
                            let outcome = ex.outcome();
                            let ignored = crate::retry::RetryAfter::of(ex)
                                .warning()
                                .map_or_else(String::new, |w| format!(" ({w})"));
                            let _ = progress.send(Message::Attempt {
                            seq,
                            text: format!(
                                "attempt {n} of {max}: {outcome}; next in {:.1} s{ignored} (Esc cancels)",
                                w.as_secs_f64()
                            ),
                        });
                        }
                    },
                )
                .await;
            let exchange = attempts.pop().expect("at least one attempt");
            let _ = tx.send(Message::Fired {
                seq,
                exchange: Box::new(exchange),
                earlier: attempts,
            });
        });
        self.inflight = Some(InFlight {
            seq,
            path,
            started: Instant::now(),
            handle: handle.abort_handle(),
        });
        let retry = self
            .draft()
            .and_then(|d| crate::retry::Retry::parse_text(&d.retry).ok().flatten());
        self.set_status(match retry {
            Some(r) => format!(
                "sending… up to {} attempts, waiting {}{} (Esc cancels)",
                r.max_attempts,
                r.schedule()
                    .iter()
                    .map(|d| format!("{:.1} s", d.as_secs_f64()))
                    .collect::<Vec<_>>()
                    .join(", "),
                if r.jitter {
                    ", half of each random"
                } else {
                    ""
                }
            ),
            None => "sending… (Esc cancels)".to_string(),
        });
    }

    /// The request the inspector shows: as sent, or the preview.
    pub fn shown_request(&self) -> Option<&crate::wire::PreparedRequest> {
        if self.show_sent
            && let Some(x) = self.current().and_then(|e| e.exchange.as_ref())
        {
            return Some(&x.exchange.request);
        }
        match &self.preview {
            Some(Preview { result: Ok(a), .. }) => Some(&a.request),
            _ => None,
        }
    }

    fn copy_curl(&mut self) {
        match self.shown_request() {
            Some(r) => {
                let cmd = crate::curl::to_curl(r, self.reveal);
                self.set_status(format!(
                    "copied a curl command ({} chars) to the clipboard{}",
                    cmd.len(),
                    if self.reveal {
                        ""
                    } else {
                        ", credentials masked (v reveals)"
                    }
                ));
                self.effects.push(Effect::Copy(cmd));
            }
            None => self.set_error("no request to copy: fix the errors shown"),
        }
    }

    fn act_inspector(&mut self, a: Action) {
        let page = (self.area.height / 2).max(3) as usize;
        let scroll = match self.focus {
            Pane::Request => &mut self.request_scroll,
            _ => &mut self.response_scroll,
        };
        match a {
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::Down => *scroll += 1,
            Action::PageUp => *scroll = scroll.saturating_sub(page),
            Action::PageDown => *scroll += page,
            Action::Top => *scroll = 0,
            Action::Bottom => *scroll = usize::MAX / 2,
            Action::Left => self.focus = Pane::Request,
            Action::Right => self.focus = Pane::Response,
            Action::Search => self.prompt(
                PromptKind::Search,
                self.search.clone().as_deref().unwrap_or(""),
            ),
            Action::SearchNext => self.search_step(true, false),
            Action::SearchPrev => self.search_step(false, false),
            _ => {}
        }
        self.clamp_scroll();
    }

    /// Scroll offsets stay within the content.
    fn clamp_scroll(&mut self) {
        let (req, resp) = view::inspector::content_lengths(self);
        let areas = view::layout(self.area);
        let fit = |total: usize, r: Rect| total.saturating_sub(r.height.saturating_sub(2) as usize);
        self.request_scroll = self.request_scroll.min(fit(req, areas.request));
        self.response_scroll = self.response_scroll.min(fit(resp, areas.response));
    }

    /// Moves the focused pane to the next (or previous) line that matches.
    fn search_step(&mut self, forward: bool, from_here: bool) {
        let Some(needle) = self.search.clone() else {
            return;
        };
        let pane = if self.focus == Pane::Request {
            Pane::Request
        } else {
            Pane::Response
        };
        let Some((head, body)) = view::inspector::body_of(self, pane) else {
            self.set_error("no body to search");
            return;
        };
        let scroll = if pane == Pane::Request {
            self.request_scroll
        } else {
            self.response_scroll
        };
        let here = scroll.saturating_sub(head);
        let from = if from_here {
            here
        } else if forward {
            here + 1
        } else {
            here + body.len().saturating_sub(1)
        };
        match body.find(&needle, from % body.len().max(1), forward) {
            Some(i) => {
                let target = head + i;
                let total = body.len();
                if pane == Pane::Request {
                    self.request_scroll = target;
                } else {
                    self.response_scroll = target;
                }
                self.focus = pane;
                self.set_status(format!("`{needle}`: line {} of {total}", i + 1));
            }
            None => self.set_error(format!("`{needle}` not found")),
        }
    }

    pub fn on_mouse(&mut self, m: MouseEvent) {
        if !matches!(self.mode, Mode::Normal) {
            return;
        }
        if self.view != View::Workbench {
            let a = match m.kind {
                MouseEventKind::ScrollDown => Action::Down,
                MouseEventKind::ScrollUp => Action::Up,
                _ => return,
            };
            for _ in 0..3 {
                self.act_history(a);
            }
            return;
        }
        let at = Position::new(m.column, m.row);
        let areas = view::layout(self.area);
        let pane = [
            (areas.profiles, Pane::Profiles),
            (areas.editor, Pane::Editor),
            (areas.request, Pane::Request),
            (areas.response, Pane::Response),
        ]
        .into_iter()
        .find(|(r, _)| r.contains(at))
        .map(|(_, p)| p);
        let Some(pane) = pane else { return };
        match m.kind {
            MouseEventKind::Down(_) => {
                self.focus = pane;
                let inner_row = m.row.saturating_sub(areas.profiles.y + 1) as usize;
                if pane == Pane::Profiles {
                    let offset = view::list_offset(
                        self.selected,
                        areas.profiles.height.saturating_sub(2) as usize,
                    );
                    self.select(offset + inner_row);
                }
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = m.kind == MouseEventKind::ScrollDown;
                self.focus = pane;
                let a = if down { Action::Down } else { Action::Up };
                for _ in 0..3 {
                    match pane {
                        Pane::Profiles => self.act_profiles(a),
                        Pane::Editor => self.act_editor(a),
                        _ => self.act_inspector(a),
                    }
                }
            }
            _ => {}
        }
    }
}

fn json_area(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.lines().map(str::to_string).collect()
    };
    let mut area = TextArea::new(lines);
    area.set_tab_length(2);
    area
}

/// The form field an assembly error belongs to.
fn field_of(place: &request::Place) -> Option<Field> {
    use request::Place;
    Some(match place {
        Place::Url => Field::Url,
        Place::AuthUsername => Field::Username,
        Place::AuthPassword => Field::Password,
        Place::AuthToken => Field::Token,
        Place::AuthHeader => Field::TokenHeader,
        Place::SigningSecret => Field::SigningSecret,
        Place::SigningHeader => Field::HmacHeader,
        Place::Payload(_) => Field::Payload,
        Place::HeaderName(i) | Place::HeaderValue(i) => Field::Header(*i),
        Place::Field => return None,
    })
}

/// Said when a new file found one already there.
const NOT_REPLACED: &str = "a file of that name is already there, and was left as it is";

/// The message of a failed write; a new file that found one already there
/// says that nothing was replaced and what to do.
fn not_replaced(e: &(dyn std::error::Error + 'static), message: String) -> String {
    let mut src = Some(e);
    while let Some(err) = src {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::AlreadyExists
        {
            return NOT_REPLACED.into();
        }
        src = err.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembly_fields_map_to_rows() {
        use request::Place;
        assert_eq!(field_of(&Place::HeaderValue(3)), Some(Field::Header(3)));
        assert_eq!(
            field_of(&Place::Payload("a.b".into())),
            Some(Field::Payload)
        );
        assert_eq!(field_of(&Place::Url), Some(Field::Url));
        assert_eq!(field_of(&Place::Field), None);
    }
}
