//! The History view (and the Receiver view's list): records paged from
//! SQLite, filters, a chart of outcomes, the selected record in the
//! inspector, replay (one, edited, or the whole filtered set), and compare.
//! Every query runs in a task.

use std::path::PathBuf;

use std::time::Instant;

use tokio::sync::watch;

use super::Ui;
use super::modes::{self, ConfirmKind, Mode, PromptKind};
use super::profiles::ReplayContext;
use crate::exchange::Exchange;
use crate::history::{Bucket, Filter, StatusClass, Summary};
use crate::replay::Tally;
use crate::tui::keys::Action;
use crate::tui::message::HistoryMsg;
pub use crate::tui::message::{CompareView, OpenRecord, SharedStore};
use crate::tui::tasks::{Edited, Replay, Tasks};

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

/// Rows fetched per page.
const PAGE: usize = 200;
/// Intervals in the outcome chart.
pub const BUCKETS: usize = 60;
/// The time ranges `t` cycles through.
pub const RANGES: [(&str, Option<u64>); 4] = [
    ("all time", None),
    ("last hour", Some(3600)),
    ("last 24 h", Some(86_400)),
    ("last 7 days", Some(7 * 86_400)),
];

/// A bulk replay on its way.
#[derive(Debug)]
pub struct Bulk {
    pub run: i64,
    pub tally: Tally,
    pub started: Instant,
    pub finished: bool,
    /// What was said before sending (credentials withheld, ...): the
    /// summary repeats the first.
    pub warnings: Vec<String>,
    cancel: watch::Sender<bool>,
}

/// An exchange for the history.
#[derive(Debug)]
pub(super) enum Write {
    /// A fire's attempts: the first is the fire, the others linked to it.
    Fire { seq: u64, attempts: Vec<Exchange> },
    /// A received request, its signature checked with `secrets` (one
    /// verifier each).
    Received {
        exchange: Box<Exchange>,
        secrets: Vec<crate::signing::Verifier>,
    },
}

/// The History view's data.
#[derive(Debug)]
pub struct HistoryPane {
    /// The history file, opened in a task at start.
    path: Option<PathBuf>,
    body_cap: Option<usize>,
    pub store: Option<SharedStore>,
    /// Deliveries whose attempts are listed under them (by first attempt).
    pub expanded: std::collections::BTreeSet<i64>,
    /// The delivery just expanded by hand, whose attempts the status line
    /// announces when they come (a list read again says nothing).
    pub(super) announce: Option<i64>,
    /// The history could not be opened.
    failed: bool,
    /// Exchanges that came before the history was open, written once it is.
    pending: Vec<Write>,
    pub filter: Filter,
    pub range: usize,
    pub rows: Vec<Summary>,
    pub total: u64,
    pub buckets: Vec<Bucket>,
    pub selected: usize,
    /// The other view's filters (History's while the Receiver view is
    /// shown, and the other way round), and its time range.
    parked: Filter,
    parked_range: usize,
    /// The next page selects its newest record (the one a replay made).
    select_newest: bool,
    pub loading: bool,
    /// Records arrived while a query ran: query again when it answers.
    stale: bool,
    /// No older rows to fetch.
    exhausted: bool,
    pub open: Option<OpenRecord>,
    /// The detail panes have the keys (Enter), not the table.
    pub detail_focus: bool,
    pub request_scroll: usize,
    pub response_scroll: usize,
    /// A record marked with `c`, to compare with the next one.
    pub mark: Option<i64>,
    pub compare: Option<Box<CompareView>>,
    pub compare_scroll: usize,
    pub bulk: Option<Bulk>,
    /// A reload asked for before the history was open.
    waiting: bool,
    query_seq: u64,
    /// Records a confirmed bulk replay will send.
    pending_bulk: Option<Vec<i64>>,
    /// Requests in flight at once when replaying.
    pub replay_concurrency: usize,
    /// At most this many requests per second (None: no limit).
    pub replay_rate: Option<f64>,
}

impl HistoryPane {
    pub fn new(path: Option<PathBuf>, body_cap: Option<usize>) -> HistoryPane {
        HistoryPane {
            path,
            body_cap,
            store: None,
            expanded: Default::default(),
            announce: None,
            failed: false,
            pending: Vec::new(),
            filter: Filter::default(),
            range: 0,
            rows: Vec::new(),
            total: 0,
            buckets: Vec::new(),
            selected: 0,
            loading: false,
            stale: false,
            exhausted: false,
            open: None,
            detail_focus: false,
            request_scroll: 0,
            response_scroll: 0,
            select_newest: false,
            parked: Filter::default(),
            parked_range: 0,
            mark: None,
            compare: None,
            compare_scroll: 0,
            bulk: None,
            waiting: false,
            query_seq: 0,
            pending_bulk: None,
            replay_concurrency: 4,
            replay_rate: None,
        }
    }

    pub(super) fn open_store(&self, tasks: &Tasks) {
        if let Some(p) = &self.path {
            tasks.open_history(p.clone(), self.body_cap);
        }
    }

    /// The view was switched to: the History (all) or Receiver (received).
    pub(super) fn show(&mut self, received: bool, ui: &mut Ui, tasks: &Tasks) {
        // Each view keeps its own filters.
        let was_received = self.filter.origin.as_deref() == Some("received");
        if was_received != received {
            std::mem::swap(&mut self.filter, &mut self.parked);
            std::mem::swap(&mut self.range, &mut self.parked_range);
        }
        self.filter.origin = received.then(|| "received".to_string());
        // Every request the receiver got stays listed, replayed or not.
        if received {
            self.filter.attempts = true;
        }
        self.open = None;
        // Each view opens on its newest record.
        self.rows.clear();
        self.selected = 0;
        self.reload(ui, tasks);
    }

    /// Writes an exchange to the history; one that comes while the history
    /// is still opening waits for it, so no exchange goes unrecorded.
    pub(super) fn record(&mut self, w: Write, tasks: &Tasks) {
        let opening = self.path.is_some() && !self.failed;
        match (&self.store, w) {
            (None, w) if opening => self.pending.push(w),
            (Some(store), Write::Fire { seq, attempts }) => {
                tasks.record_fire(store.clone(), seq, attempts)
            }
            (None, Write::Fire { .. }) => {}
            (store, Write::Received { exchange, secrets }) => {
                tasks.record_received(store.clone(), exchange, secrets)
            }
        }
    }

    pub(super) fn store(&self, ui: &mut Ui) -> Option<SharedStore> {
        if self.store.is_none() {
            ui.set_error(if self.path.is_some() && !self.failed {
                "the history is still opening: a moment, then again"
            } else {
                "no history: it could not be opened (see the log), or is off"
            });
        }
        self.store.clone()
    }

    /// A record landed: reload, or (while a query runs) once it answers.
    pub(super) fn reload_soon(&mut self, tasks: &Tasks, ui: &mut Ui) {
        if self.loading {
            self.stale = true;
        } else {
            self.reload(ui, tasks);
        }
    }

    /// Reloads the list, the count and the chart for the current filter.
    pub fn reload(&mut self, ui: &mut Ui, tasks: &Tasks) {
        if self.store.is_none() && self.path.is_some() && !self.failed {
            // Still opening: the reload follows when it is open.
            self.loading = true;
            self.waiting = true;
            return;
        }
        let Some(store) = self.store(ui) else {
            self.loading = false;
            return;
        };
        self.query_seq += 1;
        self.loading = true;
        self.exhausted = false;
        let seq = self.query_seq;
        self.filter.since_ms = RANGES[self.range].1.map(|secs| {
            crate::clock::unix_millis(std::time::SystemTime::now()) - secs as i64 * 1000
        });
        let filter = self.filter.clone();
        tasks.query(store, move |s| {
            let total = s.count(&filter).map_err(|e| e.to_string())?;
            let rows = s.page(&filter, None, PAGE).map_err(|e| e.to_string())?;
            let buckets = s.buckets(&filter, BUCKETS).map_err(|e| e.to_string())?;
            Ok(HistoryMsg::Page {
                seq,
                rows,
                total,
                buckets: Some(buckets),
            })
        });
    }

    fn more(&mut self, ui: &mut Ui, tasks: &Tasks) {
        if self.loading || self.exhausted {
            return;
        }
        // The next page follows the last delivery (not an attempt under it).
        let Some(last) = self
            .rows
            .iter()
            .rev()
            .find(|r| !r.nested)
            .map(|r| (r.started_ms, r.id))
        else {
            return;
        };
        let Some(store) = self.store(ui) else { return };
        self.loading = true;
        let (seq, filter, total) = (self.query_seq, self.filter.clone(), self.total);
        tasks.query(store, move |s| {
            let rows = s
                .page(&filter, Some(last), PAGE)
                .map_err(|e| e.to_string())?;
            Ok(HistoryMsg::Page {
                seq,
                rows,
                total,
                buckets: None,
            })
        });
    }

    pub(super) fn on_message(&mut self, m: HistoryMsg, ui: &mut Ui, tasks: &Tasks) {
        match m {
            HistoryMsg::Opened(result) => {
                match result {
                    Ok(store) => self.store = Some(store),
                    Err(e) => {
                        self.failed = true;
                        let lost = self.pending.len();
                        let lost = if lost > 0 {
                            format!(" ({lost} exchanges not recorded)")
                        } else {
                            String::new()
                        };
                        ui.set_error(format!("history: {e}{lost}"));
                    }
                }
                for w in std::mem::take(&mut self.pending) {
                    self.record(w, tasks);
                }
                if std::mem::take(&mut self.waiting) {
                    self.reload(ui, tasks);
                }
            }
            HistoryMsg::Page {
                seq,
                rows,
                total,
                buckets,
            } => self.on_page(seq, rows, total, buckets, ui, tasks),
            HistoryMsg::RecordLoaded(open) => {
                if self.rows.get(self.selected).map(|r| r.id) == Some(open.record.id) {
                    self.open = Some(*open);
                    self.request_scroll = 0;
                    self.response_scroll = 0;
                }
            }
            HistoryMsg::Compared(c) => {
                ui.set_status(format!(
                    "comparing #{} with #{}: Esc closes",
                    c.left.id, c.right.id
                ));
                self.compare = Some(c);
                self.compare_scroll = 0;
            }
            HistoryMsg::Marked { root, resolved } => {
                ui.set_status(format!(
                    "delivery #{root} marked {} by hand (R again: {})",
                    if resolved { "resolved" } else { "open" },
                    if resolved { "open" } else { "resolved" }
                ));
                self.reload(ui, tasks);
            }
            HistoryMsg::Attempts { root, rows } => self.on_attempts(root, rows, ui),
            HistoryMsg::Names { env, names } => {
                let (any, now, kind) = match env {
                    false => (
                        "(any profile)",
                        &self.filter.profile,
                        modes::PickerKind::ProfileFilter,
                    ),
                    true => (
                        "(any environment)",
                        &self.filter.env,
                        modes::PickerKind::EnvFilter,
                    ),
                };
                let mut items = vec![any.to_string()];
                items.extend(names);
                let selected = now
                    .as_ref()
                    .and_then(|p| items.iter().position(|i| i == p))
                    .unwrap_or(0);
                ui.mode = Mode::Picker {
                    kind,
                    items,
                    selected,
                };
            }
            HistoryMsg::BulkPreview {
                ids,
                hosts,
                skipped,
            } => {
                if ids.is_empty() {
                    ui.set_error(if skipped > 0 {
                        format!("no delivery is still failing ({skipped} resolved already)")
                    } else {
                        "the filter selects no records".to_string()
                    });
                    return;
                }
                self.pending_bulk = Some(ids);
                ui.mode = Mode::Confirm(ConfirmKind::Bulk { hosts, skipped });
            }
            HistoryMsg::BulkStarted { run, warnings } => self.on_bulk_started(run, warnings, ui),
            HistoryMsg::BulkProgress(t) => {
                if let Some(b) = self.bulk.as_mut() {
                    b.tally = t;
                }
            }
            HistoryMsg::BulkDone { tally, error } => self.on_bulk_done(tally, error, ui, tasks),
            HistoryMsg::Failed(e) => {
                self.loading = false;
                ui.set_error(format!("history: {e}"));
            }
        }
    }

    fn on_page(
        &mut self,
        seq: u64,
        rows: Vec<Summary>,
        total: u64,
        buckets: Option<Vec<Bucket>>,
        ui: &mut Ui,
        tasks: &Tasks,
    ) {
        if seq != self.query_seq {
            return; // an older filter's answer
        }
        self.loading = false;
        self.exhausted = rows.len() < PAGE;
        self.total = total;
        match buckets {
            Some(b) => {
                // Keep the selected record selected when it is still listed.
                let keep = match std::mem::take(&mut self.select_newest) {
                    true => None,
                    false => self.rows.get(self.selected).map(|r| r.id),
                };
                self.buckets = b;
                self.rows = rows;
                self.selected = keep
                    .and_then(|id| self.rows.iter().position(|r| r.id == id))
                    .unwrap_or(self.selected)
                    .min(self.rows.len().saturating_sub(1));
            }
            None => self.rows.extend(rows),
        }
        self.refetch_groups(ui, tasks);
        if std::mem::take(&mut self.stale) {
            self.reload(ui, tasks);
        }
        self.open_selected(ui, tasks);
    }

    /// Loads the selected record into the inspector, bodies formatted.
    fn open_selected(&mut self, ui: &mut Ui, tasks: &Tasks) {
        let Some(id) = self.rows.get(self.selected).map(|r| r.id) else {
            self.open = None;
            return;
        };
        if self.open.as_ref().is_some_and(|o| o.record.id == id) {
            return;
        }
        if let Some(store) = self.store(ui) {
            tasks.open_record(store, id);
        }
    }

    fn select(&mut self, i: usize, ui: &mut Ui, tasks: &Tasks) {
        if self.rows.is_empty() {
            return;
        }
        self.selected = i.min(self.rows.len() - 1);
        if self.selected + 20 >= self.rows.len() {
            self.more(ui, tasks);
        }
        self.open_selected(ui, tasks);
    }

    pub(super) fn act(&mut self, a: Action, ui: &mut Ui, tasks: &Tasks, replay: &ReplayContext) {
        if self.detail_focus {
            let page = 10;
            let target = if self.compare.is_some() {
                &mut self.compare_scroll
            } else {
                &mut self.response_scroll
            };
            match a {
                Action::Up => *target = target.saturating_sub(1),
                Action::Down => *target += 1,
                Action::PageUp => *target = target.saturating_sub(page),
                Action::PageDown => *target += page,
                Action::Top => *target = 0,
                Action::Left => self.request_scroll = self.request_scroll.saturating_sub(page),
                Action::Right => self.request_scroll += page,
                Action::Enter | Action::Escape => self.detail_focus = false,
                _ => {}
            }
            return;
        }
        let sel = self.selected;
        match a {
            Action::Up => self.select(sel.saturating_sub(1), ui, tasks),
            Action::Down => self.select(sel + 1, ui, tasks),
            Action::PageUp => self.select(sel.saturating_sub(10), ui, tasks),
            Action::PageDown => self.select(sel + 10, ui, tasks),
            Action::Top => self.select(0, ui, tasks),
            Action::Bottom => self.select(usize::MAX, ui, tasks),
            Action::Enter => self.enter(ui, tasks),
            Action::Right if self.open.is_some() || self.compare.is_some() => {
                self.detail_focus = true;
            }
            Action::Escape => {
                if let Some(b) = self.bulk.as_ref().filter(|b| !b.finished) {
                    let _ = b.cancel.send(true);
                    ui.set_status("cancelling the replay…");
                } else if self.compare.take().is_some() || self.mark.take().is_some() {
                    ui.set_status("compare closed");
                }
            }
            Action::FilterFailed => {
                self.filter.failed = !self.filter.failed;
                self.reload(ui, tasks);
            }
            Action::FilterStatus => {
                let order = [
                    None,
                    Some(StatusClass::Status(2)),
                    Some(StatusClass::Status(4)),
                    Some(StatusClass::Status(5)),
                    Some(StatusClass::Error),
                ];
                let i = order
                    .iter()
                    .position(|s| *s == self.filter.status)
                    .unwrap_or(0);
                self.filter.status = order[(i + 1) % order.len()];
                self.reload(ui, tasks);
            }
            Action::FilterTime => {
                self.range = (self.range + 1) % RANGES.len();
                self.reload(ui, tasks);
            }
            Action::FilterProfile | Action::FilterEnv => {
                // Picked from the names the history holds.
                let Some(store) = self.store(ui) else { return };
                let env = a == Action::FilterEnv;
                tasks.query(store, move |s| {
                    let names = if env {
                        s.env_names(500)
                    } else {
                        s.profile_names(500)
                    };
                    names
                        .map(|names| HistoryMsg::Names { env, names })
                        .map_err(|e| e.to_string())
                });
            }
            Action::Search => {
                let hint = now_or_any(&self.filter.text);
                modes::prompt(ui, PromptKind::FilterText, &hint);
            }
            Action::Replay => {
                if let Some(id) = self.rows.get(sel).map(|r| r.id) {
                    self.start_replay(vec![id], None, ui, tasks, replay);
                }
            }
            Action::ReplayEdited => self.edit_replay(ui),
            Action::BulkReplay => self.preview_bulk(ui, tasks),
            Action::Compare => self.compare_step(ui, tasks),
            Action::Resolve => {
                let Some(row) = self.rows.get(sel) else {
                    return;
                };
                let (id, resolved) = (row.id, !row.resolved);
                let Some(store) = self.store(ui) else { return };
                tasks.query(store, move |s| {
                    let roots = s
                        .mark_resolved(&[id], resolved)
                        .map_err(|e| e.to_string())?;
                    Ok(HistoryMsg::Marked {
                        root: roots[0],
                        resolved,
                    })
                });
            }
            Action::SaveBody => match self.open.as_ref().and_then(|o| {
                let r = o.record.exchange.response.as_ref()?;
                Some(super::body_file_name(&format!("record-{}", o.record.id), r))
            }) {
                Some(hint) => modes::prompt(ui, PromptKind::SaveBody { history: true }, &hint),
                None => ui.set_error("no response body to save in this record"),
            },
            _ => {}
        }
    }

    /// The environment filter picked (none: any).
    pub(super) fn set_env_filter(&mut self, env: Option<String>, ui: &mut Ui, tasks: &Tasks) {
        self.filter.env = env;
        self.reload(ui, tasks);
    }

    pub(super) fn on_prompt(&mut self, kind: PromptKind, text: String, ui: &mut Ui, tasks: &Tasks) {
        let value = (!text.is_empty()).then_some(text);
        match kind {
            PromptKind::FilterProfile => self.filter.profile = value,
            PromptKind::FilterText => self.filter.text = value,
            _ => return,
        }
        self.reload(ui, tasks);
    }

    /// Writes the open record's response body (masked, as stored) to `path`.
    pub(super) fn save_body(&self, path: PathBuf, ui: &mut Ui, tasks: &Tasks) {
        if let Some(r) = self
            .open
            .as_ref()
            .and_then(|o| o.record.exchange.response.as_ref())
        {
            tasks.save_body(path, r.body.clone(), None);
            ui.set_status("saving the body…");
        }
    }

    /// `y`: the open record as a curl command (masked, as stored).
    pub(super) fn copy_curl(&self, ui: &mut Ui) {
        match self.open.as_ref() {
            Some(o) => {
                let cmd = crate::curl::to_curl(&o.record.exchange.request, false);
                ui.set_status(format!(
                    "copied a curl command for #{} ({} chars); credentials stay masked in the history",
                    o.record.id,
                    cmd.len()
                ));
                ui.effects.push(super::Effect::Copy(cmd));
            }
            None => ui.set_error("no record open"),
        }
    }

    /// `Y`: the open record's response body, as the pane shows it.
    pub(super) fn copy_body(&self, ui: &mut Ui) {
        match self.open.as_ref() {
            Some(o) => super::copy_body(ui, &o.response_body, &format!("#{}", o.record.id)),
            None => ui.set_error("no record open"),
        }
    }

    /// `m`: the selected request as editable text; Ctrl-s sends it.
    fn edit_replay(&mut self, ui: &mut Ui) {
        let Some(open) = &self.open else {
            ui.set_error("no record open");
            return;
        };
        let text = crate::replay::editable_text(&open.record.exchange.request);
        ui.mode = Mode::EditJson {
            target: super::JsonTarget::Replay(open.record.id),
            area: Box::new(ratatui_textarea::TextArea::new(
                text.lines().map(str::to_string).collect(),
            )),
        };
        ui.set_status("edit the request; Ctrl-s sends it as a replay, Esc leaves");
    }

    /// Sends the edited request text as a replay of `source`.
    pub(super) fn send_edited(
        &mut self,
        source: i64,
        text: &str,
        ui: &mut Ui,
        tasks: &Tasks,
        replay: &ReplayContext,
    ) {
        match crate::wire::PreparedRequest::from_text(text) {
            Ok(mut request) => {
                let record = self
                    .open
                    .as_ref()
                    .filter(|o| o.record.id == source)
                    .map(|o| &o.record.exchange);
                if let Some(x) = record {
                    crate::replay::follow_edits(&x.request, &mut request);
                }
                let profile = record.and_then(|x| x.profile.clone());
                let env = record.and_then(|x| x.env.clone());
                // A URL changed to another origin is the user pointing the
                // replay there, credentials and all.
                let origin = |u: &str| {
                    reqwest::Url::parse(u)
                        .ok()
                        .and_then(|u| crate::wire::origin_of(&u))
                };
                let retargeted =
                    record.is_some_and(|x| origin(&x.request.url) != origin(&request.url));
                ui.mode = Mode::Normal;
                self.start_replay(
                    vec![source],
                    Some(Edited {
                        request,
                        profile,
                        env,
                        retargeted,
                    }),
                    ui,
                    tasks,
                    replay,
                );
            }
            Err(m) => ui.set_error(format!("cannot send: {m}")),
        }
    }

    /// `B`: how many records the filter selects and where they go; asks.
    fn preview_bulk(&mut self, ui: &mut Ui, tasks: &Tasks) {
        if self.bulk.as_ref().is_some_and(|b| !b.finished) {
            ui.set_error("a replay is running: Esc cancels it");
            return;
        }
        let Some(store) = self.store(ui) else { return };
        let filter = self.filter.clone();
        tasks.query(store, move |s| {
            let ids = s.ids(&filter).map_err(|e| e.to_string())?;
            let hosts = s.hosts(&filter).map_err(|e| e.to_string())?;
            // Failed deliveries resolved already: left out, and said.
            let skipped = if filter.failed && !filter.attempts && !filter.include_resolved {
                let all = Filter {
                    include_resolved: true,
                    ..filter.clone()
                };
                let n = s.count(&all).map_err(|e| e.to_string())?;
                n.saturating_sub(ids.len() as u64)
            } else {
                0
            };
            Ok(HistoryMsg::BulkPreview {
                ids,
                hosts,
                skipped,
            })
        });
    }

    pub(super) fn confirm_bulk(&mut self, ui: &mut Ui, tasks: &Tasks, replay: &ReplayContext) {
        if let Some(ids) = self.pending_bulk.take() {
            self.start_replay(ids, None, ui, tasks, replay);
        }
    }

    /// The bulk confirmation's keys: concurrency and rate.
    pub(super) fn tune(&mut self, a: Action) {
        match a {
            Action::MoreConcurrency => {
                self.replay_concurrency = (self.replay_concurrency + 1).min(64)
            }
            Action::LessConcurrency => {
                self.replay_concurrency = self.replay_concurrency.saturating_sub(1).max(1)
            }
            Action::FasterRate | Action::SlowerRate => {
                let i = RATES
                    .iter()
                    .position(|r| *r == self.replay_rate)
                    .unwrap_or(0);
                let j = if a == Action::FasterRate {
                    (i + 1).min(RATES.len() - 1)
                } else {
                    i.saturating_sub(1)
                };
                self.replay_rate = RATES[j];
            }
            _ => {}
        }
    }

    /// Replays records (or one edited request) in tasks: loads them, puts
    /// credentials back from their profiles, sends, records.
    fn start_replay(
        &mut self,
        ids: Vec<i64>,
        edited: Option<Edited>,
        ui: &mut Ui,
        tasks: &Tasks,
        replay: &ReplayContext,
    ) {
        if self.bulk.as_ref().is_some_and(|b| !b.finished) {
            ui.set_error("a replay is running: Esc cancels it");
            return;
        }
        let Some(history) = self.path.clone() else {
            ui.set_error("no history");
            return;
        };
        let (cancel_tx, cancel_rx) = watch::channel(false);
        self.bulk = Some(Bulk {
            run: 0,
            tally: Tally {
                total: ids.len(),
                ..Tally::default()
            },
            started: Instant::now(),
            finished: false,
            warnings: Vec::new(),
            cancel: cancel_tx,
        });
        ui.set_status(format!("replaying {} record(s)… Esc cancels", ids.len()));
        tasks.replay(
            Replay {
                history,
                profiles: replay.profiles.clone(),
                secrets: replay.secrets.clone(),
                ids,
                edited,
                to: replay.to.clone(),
                sign: replay.sign.clone(),
                options: crate::replay::Options {
                    concurrency: self.replay_concurrency,
                    rate: self.replay_rate,
                    ..crate::replay::Options::default()
                },
            },
            cancel_rx,
        );
    }

    fn on_bulk_started(&mut self, run: i64, warnings: Vec<String>, ui: &mut Ui) {
        // Every warning goes to the log; the status line shows the first
        // and how many more there are.
        for w in &warnings {
            crate::tui::log::line(&format!("replay run #{run}: warning: {w}"));
        }
        match warnings.as_slice() {
            [] => {}
            [w] => ui.set_error(format!("warning: {w}")),
            [w, rest @ ..] => {
                ui.set_error(format!("warning: {w} (and {} more in the log)", rest.len()))
            }
        }
        if let Some(b) = self.bulk.as_mut() {
            b.run = run;
            b.warnings = warnings;
        }
    }

    fn on_bulk_done(&mut self, tally: Tally, error: Option<String>, ui: &mut Ui, tasks: &Tasks) {
        // One record replayed (r, m): its replay is the newest; show it.
        if tally.total == 1 && tally.done() == 1 {
            self.select_newest = true;
            self.selected = 0;
        }
        let mut warned = String::new();
        if let Some(b) = self.bulk.as_mut() {
            b.tally = tally;
            b.finished = true;
            if let Some(w) = b.warnings.first() {
                warned = format!(" · warning: {w}");
                if b.warnings.len() > 1 {
                    warned.push_str(&format!(" (and {} more in the log)", b.warnings.len() - 1));
                }
            }
        }
        match error {
            Some(e) => ui.set_error(format!("replay failed: {e}")),
            None => {
                let text = format!("{}{warned}", tally.summary());
                if tally.succeeded == tally.total {
                    ui.set_status(text);
                } else {
                    ui.set_error(text);
                }
            }
        }
        self.reload(ui, tasks);
    }
}

/// The filter bar's text.
pub fn filter_line(h: &HistoryPane) -> String {
    format!(
        "F failed: {}   s status: {}   p profile: {}   e env: {}   t time: {}   / text: {}",
        if h.filter.failed { "yes" } else { "no" },
        h.filter.status.map_or("any".to_string(), |s| s.label()),
        h.filter.profile.as_deref().unwrap_or("any"),
        h.filter.env.as_deref().unwrap_or("any"),
        RANGES[h.range].0,
        h.filter.text.as_deref().unwrap_or("—"),
    )
}

/// A filter prompt's hint: what the filter is now.
fn now_or_any(current: &Option<String>) -> String {
    match current {
        Some(now) => format!("now: {now} (Enter on empty: any)"),
        None => "now: any".to_string(),
    }
}
