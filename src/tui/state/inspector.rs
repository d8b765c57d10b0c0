//! The Request and Response panes: a profile's request on its way and
//! back (one [`RequestState`] per profile), scrolling and search, and the
//! view-model both panes are drawn from — the lines above each body, as
//! data, so that scrolling, search and drawing count the same lines.

use std::time::{Duration, Instant};

use super::editor::Preview;
use super::profiles::{Entry, EntryKind, Workbench};
use super::{Pane, Ui};
use crate::deliver::SendOptions;
use crate::exchange::{Exchange, TransportError, human_size};
use crate::tui::draft::{Draft, Field};
use crate::tui::keys::Action;
use crate::tui::layout;
use crate::tui::message::FireMsg;
use crate::tui::tasks::{Fire, Handle, Tasks};
use crate::tui::widgets::body::{BodyKind, FormattedBody};
use crate::wire::PreparedRequest;

/// Where a profile's request is.
#[derive(Debug, Default)]
pub enum RequestState {
    /// Not fired yet.
    #[default]
    None,
    /// On its way; Esc cancels it.
    Sending {
        seq: u64,
        started: Instant,
        handle: Handle,
    },
    /// It came back: an answer, or a transport error.
    Answered(Box<ExchangeView>),
    /// Cancelled this long after it was sent.
    Cancelled { after: Duration },
    /// It could not be sent at all (the HTTP client could not be made).
    Failed(String),
}

/// An exchange and its bodies, formatted off the UI thread.
#[derive(Debug)]
pub struct ExchangeView {
    pub seq: u64,
    /// Its id in the history, once written.
    pub record: Option<i64>,
    pub exchange: Exchange,
    /// The request as the panes show it until `v` reveals credentials.
    pub masked_request: PreparedRequest,
    /// What the response pane shows of the answer until `v`.
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
    pub error: Option<TransportError>,
}

/// One line above a body, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head<'a> {
    /// `METHOD URL`.
    Request {
        method: &'a str,
        url: &'a str,
    },
    Header(&'a str, &'a str),
    /// Allowed, but probably not meant.
    Warning(&'a str),
    /// The request cannot be made: this says so.
    Cannot,
    /// A problem of the form, at a field when it has one.
    Problem {
        at: String,
        message: &'a str,
    },
    /// Said dimly: a note about the body, "loading…".
    Note(String),
    /// The answer's status line.
    Status {
        code: u16,
        reason: &'a str,
        detail: String,
    },
    Redirect(&'a str),
    /// A transport error, or a request that went nowhere.
    Failure(String),
    /// On its way since then (the view turns it into a spinner).
    Sending(Instant),
}

/// What a pane shows: a title, the lines above the body, the body.
#[derive(Debug)]
pub struct PaneView<'a> {
    pub title: String,
    pub head: Vec<Head<'a>>,
    pub body: Option<&'a FormattedBody>,
}

impl PaneView<'_> {
    /// Lines in all, the body's included.
    pub fn len(&self) -> usize {
        self.head.len() + self.body.map_or(0, FormattedBody::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first line to show so that the last screenful of a pane of
    /// `rows` by `width` ends with the last line; with `wrap`, a body line
    /// takes the rows its length needs (only the last screenful is
    /// measured; head lines count one row).
    pub fn last_start(&self, rows: usize, width: usize, wrap: bool) -> usize {
        let total = self.len();
        if !wrap {
            return total.saturating_sub(rows);
        }
        let (head, mut used, mut first) = (self.head.len(), 0, total);
        while first > 0 {
            let i = first - 1;
            let need = match self.body {
                Some(b) if i >= head => b.line(i - head).chars().count().div_ceil(width.max(1)),
                _ => 1,
            }
            .max(1);
            if used + need > rows {
                break;
            }
            used += need;
            first = i;
        }
        first.min(total.saturating_sub(1))
    }
}

/// The line about a body under its head.
pub fn body_note(len: usize, body: Option<&FormattedBody>) -> Head<'static> {
    Head::Note(match body.map(|b| b.kind) {
        _ if len == 0 => "── no body ──".to_string(),
        None => format!("── body {} · formatting… ──", human_size(len)),
        Some(BodyKind::Json) => format!("── body {} · JSON, shown indented ──", human_size(len)),
        Some(BodyKind::Hex) => format!("── body {} · not UTF-8, shown as hex ──", human_size(len)),
        Some(_) => format!("── body {} ──", human_size(len)),
    })
}

/// The head of a request pane.
pub fn request_head<'a>(
    req: &'a PreparedRequest,
    body: Option<&FormattedBody>,
    warnings: &'a [String],
) -> Vec<Head<'a>> {
    let mut head = vec![Head::Request {
        method: &req.method,
        url: &req.url,
    }];
    head.extend(req.headers.iter().map(|(n, v)| Head::Header(n, v)));
    head.extend(warnings.iter().map(|w| Head::Warning(w)));
    head.push(body_note(req.body.len(), body));
    head
}

/// The head of a response pane: status, redirects, error, headers, then a
/// line about the body; `masked` stands in for the credentials until they
/// are revealed (a record from the history is masked already).
pub fn response_head<'a>(
    x: &'a Exchange,
    body: Option<&FormattedBody>,
    masked: Option<&'a MaskedHead>,
) -> Vec<Head<'a>> {
    let mut head = Vec::new();
    let ms = x.elapsed.as_millis();
    if let Some(r) = &x.response {
        head.push(Head::Status {
            code: r.status,
            reason: &r.reason,
            detail: format!(
                "{ms} ms · {}{}",
                human_size(r.body.len()),
                if r.truncated { " (cut at the cap)" } else { "" }
            ),
        });
        let redirects = masked.map_or(&r.redirects[..], |m| &m.redirects[..]);
        head.extend(redirects.iter().map(|u| Head::Redirect(u)));
    }
    if let Some(e) = masked.map_or(x.error.as_ref(), |m| m.error.as_ref()) {
        head.push(Head::Failure(format!(
            "{}: {}  ({ms} ms)",
            e.kind.as_str(),
            e.message
        )));
    }
    if let Some(r) = &x.response {
        let headers = masked.map_or(&r.headers, |m| &m.headers);
        head.extend(headers.iter().map(|(n, v)| Head::Header(n, v)));
        head.push(body_note(r.body.len(), body));
    }
    head
}

impl Workbench {
    /// The entry whose request is on its way.
    pub fn in_flight(&self) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| matches!(e.request, RequestState::Sending { .. }))
    }

    /// The last answer of the selected profile.
    pub fn answered(&self) -> Option<&ExchangeView> {
        match &self.current()?.request {
            RequestState::Answered(x) => Some(x),
            _ => None,
        }
    }

    /// What the request pane shows: as sent, or the preview.
    pub fn request_pane(&self, reveal: bool) -> PaneView<'_> {
        if self.show_sent
            && let Some(x) = self.answered()
        {
            let req = if reveal {
                &x.exchange.request
            } else {
                &x.masked_request
            };
            return PaneView {
                title: " Request · as sent ".into(),
                head: request_head(req, x.request_body.as_ref(), &[]),
                body: x.request_body.as_ref(),
            };
        }
        let (title, head, body) = match &self.preview {
            Some(Preview {
                result: Ok(a),
                masked,
                body,
            }) => {
                let req = match masked {
                    Some(m) if !reveal => m,
                    _ => &a.request,
                };
                (
                    " Request · preview ",
                    request_head(req, Some(body), &a.warnings),
                    Some(body),
                )
            }
            Some(Preview {
                result: Err(errs), ..
            }) => {
                let mut head = vec![Head::Cannot];
                head.extend(errs.iter().map(|(f, m)| Head::Problem {
                    at: match f {
                        Some(Field::Payload) | None => String::new(),
                        Some(f) => format!("{}: ", f.describe()),
                    },
                    message: m,
                }));
                (" Request · preview ", head, None)
            }
            None if self.loading => (" Request ", vec![Head::Note("loading…".into())], None),
            None => (
                " Request ",
                vec![Head::Note("no profile selected".into())],
                None,
            ),
        };
        PaneView {
            title: title.into(),
            head,
            body,
        }
    }

    /// What the response pane shows.
    pub fn response_pane(&self, reveal: bool) -> PaneView<'_> {
        let (head, body) = match self.current().map(|e| &e.request) {
            Some(RequestState::Sending { started, .. }) => (vec![Head::Sending(*started)], None),
            Some(RequestState::Answered(x)) => (
                response_head(
                    &x.exchange,
                    x.response_body.as_ref(),
                    (!reveal).then_some(&x.masked),
                ),
                x.response_body
                    .as_ref()
                    .filter(|_| x.exchange.response.is_some()),
            ),
            Some(RequestState::Cancelled { after }) => (
                vec![Head::Failure(format!(
                    "cancelled after {:.1} s: no answer was read (f fires again)",
                    after.as_secs_f64()
                ))],
                None,
            ),
            Some(RequestState::Failed(e)) => (vec![Head::Failure(format!("not sent: {e}"))], None),
            _ => (
                vec![Head::Note("no response yet: f fires the profile".into())],
                None,
            ),
        };
        PaneView {
            title: " Response ".into(),
            head,
            body,
        }
    }

    /// The request the panes show (for `y`): as sent, or the preview.
    pub fn shown_request(&self) -> Option<&PreparedRequest> {
        if self.show_sent
            && let Some(x) = self.answered()
        {
            return Some(&x.exchange.request);
        }
        match &self.preview {
            Some(Preview { result: Ok(a), .. }) => Some(&a.request),
            _ => None,
        }
    }

    // ---- firing ------------------------------------------------------------

    pub(super) fn fire(&mut self, ui: &mut Ui, tasks: &Tasks) {
        if self.in_flight().is_some() {
            ui.set_error("a request is in flight: Esc cancels it");
            return;
        }
        let Some(entry) = self.current() else {
            ui.set_error("no profile selected");
            return;
        };
        if let EntryKind::Broken(d) = &entry.kind {
            ui.set_error(format!("cannot fire: {d}"));
            return;
        }
        // Fresh assembly, so {{now}} and {{uuid}} are of this moment.
        self.refresh_preview(tasks);
        let fire = match (&self.preview, self.draft().map(Draft::to_profile)) {
            (Some(Preview { result: Ok(a), .. }), Some(Ok(p))) => Fire {
                request: a.request.clone(),
                opts: SendOptions {
                    env: self.env.clone().filter(|_| self.environment().is_some()),
                    ..SendOptions::for_profile(&p)
                },
                retry: p.retry.clone(),
                signing: a.signing.clone(),
            },
            (Some(Preview { result: Err(e), .. }), _) => {
                let (field, msg) = &e[0];
                let at = field
                    .map(|f| format!("{}: ", f.describe()))
                    .unwrap_or_default();
                ui.set_error(format!("cannot fire: {at}{msg}"));
                return;
            }
            _ => {
                ui.set_error("cannot fire yet: still loading");
                return;
            }
        };
        let retry = fire.retry.clone();
        self.seq += 1;
        let seq = self.seq;
        let handle = tasks.fire(seq, fire);
        if let Some(e) = self.current_mut() {
            e.request = RequestState::Sending {
                seq,
                started: Instant::now(),
                handle,
            };
        }
        self.show_sent = false;
        ui.set_status(match retry {
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

    /// Esc: cancels the request on its way; false when there is none.
    pub(super) fn cancel(&mut self, ui: &mut Ui) -> bool {
        let Some(e) = self
            .entries
            .iter_mut()
            .find(|e| matches!(e.request, RequestState::Sending { .. }))
        else {
            return false;
        };
        if let RequestState::Sending {
            handle, started, ..
        } = &e.request
        {
            handle.cancel();
            let after = started.elapsed();
            e.request = RequestState::Cancelled { after };
        }
        ui.set_status("request cancelled");
        true
    }

    fn sending_seq(e: &Entry) -> Option<u64> {
        match e.request {
            RequestState::Sending { seq, .. } => Some(seq),
            _ => None,
        }
    }

    fn view_of(&mut self, seq: u64) -> Option<&mut ExchangeView> {
        self.entries.iter_mut().find_map(|e| match &mut e.request {
            RequestState::Answered(x) if x.seq == seq => Some(&mut **x),
            _ => None,
        })
    }

    pub(super) fn on_fire(
        &mut self,
        m: FireMsg,
        ui: &mut Ui,
        tasks: &Tasks,
        history: &mut super::history::HistoryPane,
    ) {
        match m {
            FireMsg::Answered {
                seq,
                exchange,
                earlier,
            } => self.on_answered(seq, *exchange, earlier, ui, tasks, history),
            FireMsg::Attempt { seq, text } => {
                if self.in_flight().and_then(Self::sending_seq) == Some(seq) {
                    ui.set_error(text);
                }
            }
            FireMsg::Formatted {
                seq,
                request,
                response,
            } => {
                if let Some(x) = self.view_of(seq) {
                    x.request_body = Some(request);
                    x.response_body = Some(response);
                }
            }
            FireMsg::Recorded { seq, result } => match result {
                Ok(id) => {
                    if let Some(x) = self.view_of(seq) {
                        x.record = Some(id);
                    }
                }
                Err(e) => ui.set_error(format!("not recorded in the history: {e}")),
            },
            FireMsg::Failed { seq, error } => {
                if let Some(e) = self
                    .entries
                    .iter_mut()
                    .find(|e| Self::sending_seq(e) == Some(seq))
                {
                    e.request = RequestState::Failed(error.clone());
                }
                ui.set_error(error);
            }
        }
    }

    fn on_answered(
        &mut self,
        seq: u64,
        exchange: Exchange,
        earlier: Vec<Exchange>,
        ui: &mut Ui,
        tasks: &Tasks,
        history: &mut super::history::HistoryPane,
    ) {
        let Some(i) = self
            .entries
            .iter()
            .position(|e| Self::sending_seq(e) == Some(seq))
        else {
            return; // cancelled
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
        let mut summary = match (&exchange.response, &masked.error) {
            (_, Some(_)) | (None, None) => format!("{} after {ms} ms", exchange.outcome()),
            (Some(r), None) => format!(
                "{} in {ms} ms, {}",
                exchange.outcome(),
                human_size(r.body.len())
            ),
        };
        if !earlier.is_empty() {
            summary.push_str(&format!(" · after {} attempts", earlier.len() + 1));
        }
        if exchange.is_success() {
            ui.set_status(summary);
        } else {
            ui.set_error(summary);
        }
        let masked_request = exchange.request.redacted_with(&known);
        crate::tui::log::line(&format!(
            "fired {} {}: {}",
            exchange.request.method, masked_request.url, ui.status.text
        ));
        let mut attempts = earlier;
        attempts.push(exchange.clone());
        history.record(super::history::Write::Fire { seq, attempts }, tasks);
        // Both bodies masked and formatted once, off the UI thread (an
        // answer of tens of MB takes a while to scan).
        tasks.format_bodies(
            seq,
            masked_request.body.clone(),
            exchange.response.clone(),
            known,
        );
        self.entries[i].request = RequestState::Answered(Box::new(ExchangeView {
            seq,
            record: None,
            exchange,
            masked_request,
            masked,
            request_body: None,
            response_body: None,
        }));
        if i == self.selected {
            self.show_sent = true;
            self.request_scroll = 0;
            self.response_scroll = 0;
        }
    }

    /// `o`: asks where to write the answer's body.
    fn ask_save_body(&self, ui: &mut Ui) {
        let Some((entry, x)) = self.current().zip(self.answered()) else {
            ui.set_error("no response to save: f fires the profile");
            return;
        };
        let Some(r) = &x.exchange.response else {
            ui.set_error("no response to save: the request got no answer");
            return;
        };
        let stem = entry.path.file_stem().unwrap_or_default().to_string_lossy();
        let hint = super::body_file_name(&stem, r);
        super::modes::prompt(ui, super::PromptKind::SaveBody { history: false }, &hint);
    }

    /// Writes the answer's body to `path`, in a task: masked unless the
    /// credentials are shown.
    pub(super) fn save_body(&self, path: std::path::PathBuf, ui: &mut Ui, tasks: &Tasks) {
        let Some(x) = self.answered() else { return };
        let Some(r) = &x.exchange.response else {
            return;
        };
        let mask = (!ui.reveal).then(|| x.exchange.request.known_secrets());
        tasks.save_body(path, r.body.clone(), mask);
        ui.set_status("saving the body…");
    }

    /// `Y`: the answer's body, as the response pane shows it.
    pub(super) fn copy_body(&self, ui: &mut Ui) {
        match self.answered() {
            Some(ExchangeView {
                response_body: Some(body),
                ..
            }) => super::copy_body(ui, body, "the answer"),
            Some(_) => ui.set_error("the body is still being formatted"),
            None => ui.set_error("nothing answered yet: f fires"),
        }
    }

    pub(super) fn copy_curl(&mut self, ui: &mut Ui) {
        // Masked, the command still works: credentials and variables are
        // read from the shell, as `hookbench curl` writes them.
        if !ui.reveal
            && let Some((profile, event)) = self.profile_and_event()
            && let Some(entry) = self.current()
        {
            let stem = entry
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Ok(c) = crate::curl::profile_to_curl(
                &profile,
                &stem,
                event.as_ref(),
                self.secrets.clone(),
                &self.variables(),
            ) {
                let vars: Vec<String> = c.vars.iter().map(|(n, _)| format!("${n}")).collect();
                ui.set_status(if vars.is_empty() {
                    format!("copied a curl command ({} chars)", c.command.len())
                } else {
                    format!(
                        "copied a curl command; it reads {} from the shell (v then y copies the values)",
                        vars.join(", ")
                    )
                });
                ui.effects.push(super::Effect::Copy(c.command));
                return;
            }
        }
        match self.shown_request() {
            Some(r) => {
                let cmd = crate::curl::to_curl(r, ui.reveal);
                ui.set_status(format!(
                    "copied a curl command ({} chars) to the clipboard{}",
                    cmd.len(),
                    if ui.reveal {
                        ""
                    } else {
                        ", credentials masked (v reveals)"
                    }
                ));
                ui.effects.push(super::Effect::Copy(cmd));
            }
            None => ui.set_error("no request to copy: fix the errors shown"),
        }
    }

    // ---- scrolling and search ------------------------------------------------

    pub(super) fn act_inspector(&mut self, a: Action, ui: &mut Ui) {
        let page = (ui.area.height / 2).max(3) as usize;
        let scroll = match ui.focus {
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
            Action::Left => ui.focus = Pane::Request,
            Action::Right => ui.focus = Pane::Response,
            Action::Search => self.ask_search(ui),
            Action::SearchNext => self.search_step(true, false, ui),
            Action::SearchPrev => self.search_step(false, false, ui),
            Action::SaveBody => self.ask_save_body(ui),
            _ => {}
        }
        self.clamp_scroll(ui);
    }

    /// Scroll offsets stay within the content.
    fn clamp_scroll(&mut self, ui: &Ui) {
        let areas = ui.areas(ui.area);
        let fit = |v: PaneView<'_>, r: ratatui::layout::Rect| {
            v.last_start(
                layout::inner_height(r),
                r.width.saturating_sub(2) as usize,
                ui.wrap,
            )
        };
        let req = fit(self.request_pane(ui.reveal), areas.request);
        let resp = fit(self.response_pane(ui.reveal), areas.response);
        self.request_scroll = self.request_scroll.min(req);
        self.response_scroll = self.response_scroll.min(resp);
    }

    /// Moves the focused pane to the next (or previous) line that matches.
    pub(super) fn search_step(&mut self, forward: bool, from_here: bool, ui: &mut Ui) {
        let Some(needle) = self.search.clone() else {
            return;
        };
        let request = ui.focus == Pane::Request;
        let (head, found) = {
            let view = if request {
                self.request_pane(ui.reveal)
            } else {
                self.response_pane(ui.reveal)
            };
            let Some(body) = view.body else {
                ui.set_error("no body to search");
                return;
            };
            let head = view.head.len();
            let scroll = if request {
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
            (
                head,
                body.find(&needle, from % body.len().max(1), forward)
                    .map(|i| (i, body.len())),
            )
        };
        match found {
            Some((i, total)) => {
                if request {
                    self.request_scroll = head + i;
                } else {
                    self.response_scroll = head + i;
                }
                ui.focus = if request {
                    Pane::Request
                } else {
                    Pane::Response
                };
                ui.set_status(format!("`{needle}`: line {} of {total}", i + 1));
            }
            None => ui.set_error(format!("`{needle}` not found")),
        }
    }
}
