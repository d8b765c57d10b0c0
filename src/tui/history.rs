//! The History view: records paged from SQLite, filters, a chart of
//! outcomes, the selected record in the inspector, replay (one, edited, or
//! the whole filtered set), and compare. Every query runs in a task.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ratatui_textarea::TextArea;
use tokio::sync::watch;

use super::keys::Action;
use super::message::Message;
use super::state::{ConfirmKind, JsonTarget, Mode, PromptKind, State};
use super::widgets::body::{self, FormattedBody};
use crate::deliver::Deliverer;
use crate::diff::Comparison;
use crate::history::{Filter, Record, StatusClass, Store, Summary};
use crate::replay::{self, Job, Tally};

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

/// A record opened in the inspector, bodies formatted.
#[derive(Debug)]
pub struct OpenRecord {
    pub record: Box<Record>,
    pub request_body: FormattedBody,
    pub response_body: FormattedBody,
}

/// Two records side by side, and what differs.
#[derive(Debug)]
pub struct CompareView {
    pub left: Box<Record>,
    pub right: Box<Record>,
    pub diff: Comparison,
}

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

#[derive(Debug, Default)]
pub struct HistoryState {
    pub filter: Filter,
    pub range: usize,
    pub rows: Vec<Summary>,
    pub total: u64,
    pub buckets: Vec<crate::history::Bucket>,
    pub selected: usize,
    pub loading: bool,
    /// Records arrived while a query ran: query again when it answers.
    pub stale: bool,
    /// No older rows to fetch.
    pub exhausted: bool,
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
    pub waiting: bool,
    query_seq: u64,
}

type Shared = Arc<Mutex<Store>>;

impl State {
    fn store(&mut self) -> Option<Shared> {
        if self.history.is_none() {
            self.set_error("no history: it could not be opened (see the log), or is off");
        }
        self.history.clone()
    }

    /// Runs `f` on the history in a task; its result comes back as a message.
    fn with_store(
        &mut self,
        f: impl FnOnce(&mut Store) -> Result<Message, String> + Send + 'static,
    ) {
        let Some(store) = self.store() else {
            self.hist.loading = false;
            return;
        };
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let msg = match store.lock() {
                Ok(mut s) => f(&mut s).unwrap_or_else(Message::HistoryFailed),
                Err(_) => Message::HistoryFailed("the history is unavailable".into()),
            };
            let _ = tx.send(msg);
        });
    }

    /// Reloads the list, the count and the chart for the current filter.
    pub fn history_reload(&mut self) {
        if self.history.is_none() && self.history_path.is_some() && !self.history_failed {
            // Still opening: the reload follows when it is open.
            self.hist.loading = true;
            self.hist.waiting = true;
            return;
        }
        let h = &mut self.hist;
        h.query_seq += 1;
        h.loading = true;
        h.exhausted = false;
        let seq = h.query_seq;
        let mut filter = h.filter.clone();
        filter.since_ms = RANGES[h.range].1.map(|secs| {
            crate::clock::unix_millis(std::time::SystemTime::now()) - secs as i64 * 1000
        });
        h.filter.since_ms = filter.since_ms;
        self.with_store(move |s| {
            let total = s.count(&filter).map_err(|e| e.to_string())?;
            let rows = s.page(&filter, None, PAGE).map_err(|e| e.to_string())?;
            let buckets = s.buckets(&filter, BUCKETS).map_err(|e| e.to_string())?;
            Ok(Message::HistoryPage {
                seq,
                rows,
                total,
                buckets: Some(buckets),
            })
        });
    }

    fn history_more(&mut self) {
        let h = &mut self.hist;
        if h.loading || h.exhausted {
            return;
        }
        let Some(last) = h.rows.last().map(|r| r.id) else {
            return;
        };
        h.loading = true;
        let (seq, filter, total) = (h.query_seq, h.filter.clone(), h.total);
        self.with_store(move |s| {
            let rows = s
                .page(&filter, Some(last), PAGE)
                .map_err(|e| e.to_string())?;
            Ok(Message::HistoryPage {
                seq,
                rows,
                total,
                buckets: None,
            })
        });
    }

    pub fn on_history_page(
        &mut self,
        seq: u64,
        rows: Vec<Summary>,
        total: u64,
        buckets: Option<Vec<crate::history::Bucket>>,
    ) {
        let h = &mut self.hist;
        if seq != h.query_seq {
            return; // an older filter's answer
        }
        h.loading = false;
        h.exhausted = rows.len() < PAGE;
        h.total = total;
        match buckets {
            Some(b) => {
                // Keep the selected record selected when it is still listed.
                let keep = h.rows.get(h.selected).map(|r| r.id);
                h.buckets = b;
                h.rows = rows;
                h.selected = keep
                    .and_then(|id| h.rows.iter().position(|r| r.id == id))
                    .unwrap_or(h.selected)
                    .min(h.rows.len().saturating_sub(1));
            }
            None => h.rows.extend(rows),
        }
        if std::mem::take(&mut h.stale) {
            self.history_reload();
        }
        self.history_open_selected();
    }

    /// Loads the selected record into the inspector, bodies formatted.
    fn history_open_selected(&mut self) {
        let Some(id) = self.hist.rows.get(self.hist.selected).map(|r| r.id) else {
            self.hist.open = None;
            return;
        };
        if self.hist.open.as_ref().is_some_and(|o| o.record.id == id) {
            return;
        }
        self.with_store(move |s| {
            let record = s.get(id).map_err(|e| e.to_string())?;
            let request_body = body::format(&record.exchange.request.body);
            let response_body = body::format(
                &record
                    .exchange
                    .response
                    .as_ref()
                    .map(|r| r.shown_body().0.into_owned())
                    .unwrap_or_default(),
            );
            Ok(Message::RecordLoaded(Box::new(OpenRecord {
                record: Box::new(record),
                request_body,
                response_body,
            })))
        });
    }

    pub fn on_record_loaded(&mut self, open: OpenRecord) {
        if self.hist.rows.get(self.hist.selected).map(|r| r.id) == Some(open.record.id) {
            self.hist.open = Some(open);
            self.hist.request_scroll = 0;
            self.hist.response_scroll = 0;
        }
    }

    fn history_select(&mut self, i: usize) {
        let h = &mut self.hist;
        if h.rows.is_empty() {
            return;
        }
        h.selected = i.min(h.rows.len() - 1);
        if h.selected + 20 >= h.rows.len() {
            self.history_more();
        }
        self.history_open_selected();
    }

    pub fn act_history(&mut self, a: Action) {
        if self.hist.detail_focus {
            let page = 10;
            let h = &mut self.hist;
            let target = if h.compare.is_some() {
                &mut h.compare_scroll
            } else {
                &mut h.response_scroll
            };
            match a {
                Action::Up => *target = target.saturating_sub(1),
                Action::Down => *target += 1,
                Action::PageUp => *target = target.saturating_sub(page),
                Action::PageDown => *target += page,
                Action::Top => *target = 0,
                Action::Left => h.request_scroll = h.request_scroll.saturating_sub(page),
                Action::Right => h.request_scroll += page,
                Action::Enter | Action::Escape => h.detail_focus = false,
                _ => {}
            }
            return;
        }
        let sel = self.hist.selected;
        match a {
            Action::Up => self.history_select(sel.saturating_sub(1)),
            Action::Down => self.history_select(sel + 1),
            Action::PageUp => self.history_select(sel.saturating_sub(10)),
            Action::PageDown => self.history_select(sel + 10),
            Action::Top => self.history_select(0),
            Action::Bottom => self.history_select(usize::MAX),
            Action::Enter if self.hist.open.is_some() || self.hist.compare.is_some() => {
                self.hist.detail_focus = true;
            }
            Action::Escape => {
                if let Some(b) = self.hist.bulk.as_ref().filter(|b| !b.finished) {
                    let _ = b.cancel.send(true);
                    self.set_status("cancelling the replay…");
                } else if self.hist.compare.take().is_some() || self.hist.mark.take().is_some() {
                    self.set_status("compare closed");
                }
            }
            Action::FilterFailed => {
                self.hist.filter.failed = !self.hist.filter.failed;
                self.history_reload();
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
                    .position(|s| *s == self.hist.filter.status)
                    .unwrap_or(0);
                self.hist.filter.status = order[(i + 1) % order.len()];
                self.history_reload();
            }
            Action::FilterTime => {
                self.hist.range = (self.hist.range + 1) % RANGES.len();
                self.history_reload();
            }
            Action::FilterProfile => {
                let current = self.hist.filter.profile.clone().unwrap_or_default();
                self.prompt(PromptKind::FilterProfile, &current);
            }
            Action::Search => {
                let current = self.hist.filter.text.clone().unwrap_or_default();
                self.prompt(PromptKind::FilterText, &current);
            }
            Action::Replay => {
                if let Some(id) = self.hist.rows.get(sel).map(|r| r.id) {
                    self.start_replay(vec![id], None);
                }
            }
            Action::ReplayEdited => self.edit_replay(),
            Action::BulkReplay => self.preview_bulk(),
            Action::Compare => self.compare_step(),
            Action::ReceiverToggle if self.view == super::state::View::Receiver => {
                self.toggle_receiver()
            }
            Action::ReceiverSecrets if self.view == super::state::View::Receiver => {
                self.prompt(PromptKind::ReceiverSecrets, "");
                if let Mode::Prompt { area, .. } = &mut self.mode {
                    area.set_mask_char('•');
                }
            }
            Action::ReceiverAnswer if self.view == super::state::View::Receiver => {
                let current = self
                    .receiver_script
                    .sequence
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                self.prompt(PromptKind::ReceiverAnswer, &current);
            }
            _ => {}
        }
    }

    pub fn on_history_prompt(&mut self, kind: PromptKind, text: String) {
        let value = (!text.is_empty()).then_some(text);
        match kind {
            PromptKind::FilterProfile => self.hist.filter.profile = value,
            PromptKind::FilterText => self.hist.filter.text = value,
            _ => return,
        }
        self.history_reload();
    }

    /// `c`: mark this record; on a second record, compare the two.
    fn compare_step(&mut self) {
        let Some(id) = self.hist.rows.get(self.hist.selected).map(|r| r.id) else {
            return;
        };
        match self.hist.mark {
            None => {
                self.hist.mark = Some(id);
                self.set_status(format!("#{id} marked: c on another record compares them"));
            }
            Some(m) if m == id => {
                self.hist.mark = None;
                self.set_status("mark cleared");
            }
            Some(m) => {
                self.hist.mark = None;
                self.with_store(move |s| {
                    let left = s.get(m).map_err(|e| e.to_string())?;
                    let right = s.get(id).map_err(|e| e.to_string())?;
                    let diff = crate::diff::compare(&left.exchange, &right.exchange);
                    Ok(Message::Compared(Box::new(CompareView {
                        left: Box::new(left),
                        right: Box::new(right),
                        diff,
                    })))
                });
            }
        }
    }

    pub fn on_compared(&mut self, c: Box<CompareView>) {
        self.set_status(format!(
            "comparing #{} with #{}: Esc closes",
            c.left.id, c.right.id
        ));
        self.hist.compare = Some(c);
        self.hist.compare_scroll = 0;
    }

    /// `m`: the selected request as editable text; Ctrl-s sends it.
    fn edit_replay(&mut self) {
        let Some(open) = &self.hist.open else {
            self.set_error("no record open");
            return;
        };
        let text = open.record.exchange.request.to_text();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        self.mode = Mode::EditJson {
            target: JsonTarget::Replay(open.record.id),
            area: Box::new(TextArea::new(lines)),
        };
        self.set_status("edit the request; Ctrl-s sends it as a replay, Esc leaves");
    }

    /// Sends the edited request text as a replay of `source`.
    pub fn send_edited(&mut self, source: i64, text: &str) {
        match crate::wire::PreparedRequest::from_text(text) {
            Ok(request) => {
                let record = self
                    .hist
                    .open
                    .as_ref()
                    .filter(|o| o.record.id == source)
                    .map(|o| &o.record.exchange);
                let profile = record.and_then(|x| x.profile.clone());
                // A URL changed to another origin is the user pointing the
                // replay there, credentials and all.
                let origin = |u: &str| {
                    reqwest::Url::parse(u)
                        .ok()
                        .and_then(|u| crate::wire::origin_of(&u))
                };
                let retargeted =
                    record.is_some_and(|x| origin(&x.request.url) != origin(&request.url));
                self.mode = Mode::Normal;
                self.start_replay(
                    vec![source],
                    Some(Edited {
                        request,
                        profile,
                        retargeted,
                    }),
                );
            }
            Err(m) => self.set_error(format!("cannot send: {m}")),
        }
    }

    /// `B`: how many records the filter selects and where they go; asks.
    fn preview_bulk(&mut self) {
        if self.hist.bulk.as_ref().is_some_and(|b| !b.finished) {
            self.set_error("a replay is running: Esc cancels it");
            return;
        }
        let filter = self.hist.filter.clone();
        self.with_store(move |s| {
            let ids = s.ids(&filter).map_err(|e| e.to_string())?;
            let hosts = s.hosts(&filter).map_err(|e| e.to_string())?;
            Ok(Message::BulkPreview { ids, hosts })
        });
    }

    pub fn on_bulk_preview(&mut self, ids: Vec<i64>, hosts: Vec<(String, u64)>) {
        if ids.is_empty() {
            self.set_error("the filter selects no records");
            return;
        }
        self.pending_bulk = Some(ids);
        self.mode = Mode::Confirm(ConfirmKind::Bulk { hosts });
    }

    pub fn confirm_bulk(&mut self) {
        if let Some(ids) = self.pending_bulk.take() {
            self.start_replay(ids, None);
        }
    }

    /// Replays records (or one edited request) in tasks: loads them, puts
    /// credentials back from their profiles, sends, records.
    fn start_replay(&mut self, ids: Vec<i64>, edited: Option<Edited>) {
        if self.hist.bulk.as_ref().is_some_and(|b| !b.finished) {
            self.set_error("a replay is running: Esc cancels it");
            return;
        }
        let Some(path) = self.history_path.clone() else {
            self.set_error("no history");
            return;
        };
        let profiles = self.dir.clone();
        let secrets = self.secrets.clone();
        let tx = self.tx.clone();
        let (cancel_tx, cancel_rx) = watch::channel(false);
        self.hist.bulk = Some(Bulk {
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
        self.set_status(format!("replaying {} record(s)… Esc cancels", ids.len()));
        let (concurrency, rate) = (self.replay_concurrency, self.replay_rate);
        tokio::spawn(async move {
            let prepared = tokio::task::spawn_blocking(move || {
                prepare_jobs(&path, &profiles, &secrets, ids, edited)
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
            let Ready {
                store,
                run,
                jobs,
                warnings,
            } = match prepared {
                Ok(p) => p,
                Err(e) => {
                    let _ = tx.send(Message::BulkDone {
                        tally: Tally::default(),
                        error: Some(e),
                    });
                    return;
                }
            };
            let _ = tx.send(Message::BulkStarted { run, warnings });
            let writer = replay::Writer::spawn(store, Some(run));
            let deliverer = match Deliverer::new() {
                Ok(d) => d,
                Err(e) => {
                    let _ = tx.send(Message::BulkDone {
                        tally: Tally::default(),
                        error: Some(e.to_string()),
                    });
                    return;
                }
            };
            let (ptx, prx) = watch::channel(Tally::default());
            let fwd = tx.clone();
            let forward = tokio::spawn(async move {
                // Twenty times a second until the senders are done.
                let mut tick = tokio::time::interval(Duration::from_millis(50));
                while prx.has_changed().is_ok() {
                    tick.tick().await;
                    let _ = fwd.send(Message::BulkProgress(*prx.borrow()));
                }
            });
            let opts = replay::Options {
                concurrency,
                rate,
                ..replay::Options::default()
            };
            let tally = replay::run(jobs, deliverer, opts, writer.sender(), ptx, cancel_rx).await;
            let _ = forward.await;
            let written = tokio::task::spawn_blocking(move || writer.finish().1)
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()));
            let _ = tx.send(Message::BulkDone {
                tally,
                error: written.err(),
            });
        });
    }

    pub fn on_bulk_started(&mut self, run: i64, warnings: Vec<String>) {
        if let Some(b) = self.hist.bulk.as_mut() {
            b.run = run;
            b.warnings = warnings.clone();
        }
        // Every warning goes to the log; the status line shows the first
        // and how many more there are.
        for w in &warnings {
            super::log::line(&format!("replay run #{run}: warning: {w}"));
        }
        match warnings.as_slice() {
            [] => {}
            [w] => self.set_error(format!("warning: {w}")),
            [w, rest @ ..] => {
                self.set_error(format!("warning: {w} (and {} more in the log)", rest.len()))
            }
        }
    }

    pub fn on_bulk_progress(&mut self, t: Tally) {
        if let Some(b) = self.hist.bulk.as_mut() {
            b.tally = t;
        }
    }

    pub fn on_bulk_done(&mut self, tally: Tally, error: Option<String>) {
        let mut warned = String::new();
        if let Some(b) = self.hist.bulk.as_mut() {
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
            Some(e) => self.set_error(format!("replay failed: {e}")),
            None => {
                let text = format!("{}{warned}", tally.summary());
                if tally.succeeded == tally.total {
                    self.set_status(text);
                } else {
                    self.set_error(text);
                }
            }
        }
        self.history_reload();
    }
}

/// A recorded request as the user edited it before replaying it.
pub struct Edited {
    pub request: crate::wire::PreparedRequest,
    pub profile: Option<String>,
    /// The user moved it to another origin.
    pub retargeted: bool,
}

/// A run ready to go: the store it records to, its number, its jobs and
/// what to say first.
struct Ready {
    store: Store,
    run: i64,
    jobs: Vec<Job>,
    warnings: Vec<String>,
}

/// Off the UI thread: the records as jobs, credentials back, a new run.
fn prepare_jobs(
    path: &std::path::Path,
    profiles: &std::path::Path,
    secrets: &Arc<crate::secrets::Secrets>,
    ids: Vec<i64>,
    edited: Option<Edited>,
) -> Result<Ready, String> {
    let mut store = Store::open(path).map_err(|e| e.to_string())?;
    let mut prepared = match edited {
        Some(e) => {
            let mut jobs = vec![Job {
                source: ids[0],
                request: e.request,
                profile: e.profile,
                insecure: false,
                retargeted: e.retargeted,
            }];
            let warnings = replay::restore_all(&mut jobs, profiles, secrets);
            replay::Prepared {
                jobs,
                cut: Vec::new(),
                warnings,
            }
        }
        None => replay::prepare(&store, &ids, &Default::default(), profiles, secrets)
            .map_err(|e| e.to_string())?,
    };
    if !prepared.cut.is_empty() {
        let list: Vec<String> = prepared.cut.iter().map(|id| format!("#{id}")).collect();
        prepared.warnings.push(format!(
            "not replayed, their request bodies were cut at the history's cap: {} (m edits one before sending)",
            list.join(", ")
        ));
    }
    let ids: Vec<i64> = prepared.jobs.iter().map(|j| j.source).collect();
    let run = store.new_run(&ids, None).map_err(|e| e.to_string())?;
    Ok(Ready {
        store,
        run,
        jobs: prepared.jobs,
        warnings: prepared.warnings,
    })
}

/// The filter bar's text.
pub fn filter_line(h: &HistoryState) -> String {
    format!(
        "F failed: {}   s status: {}   p profile: {}   t time: {}   / text: {}",
        if h.filter.failed { "yes" } else { "no" },
        h.filter.status.map_or("any".to_string(), |s| s.label()),
        h.filter.profile.as_deref().unwrap_or("any"),
        RANGES[h.range].0,
        h.filter.text.as_deref().unwrap_or("—"),
    )
}
