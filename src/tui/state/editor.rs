//! The Editor pane: the selected profile as a form, its payload and sample
//! event as JSON documents, and the live preview of what it would send.

use std::path::{Path, PathBuf};

use ratatui_textarea::TextArea;
use serde_json::Value;

use super::Ui;
use super::modes::{self, Mode, PromptKind};
use super::profiles::{EntryKind, Workbench};
use crate::profile::Header;
use crate::request::{self, Assembled, Context, Place};
use crate::tui::draft::{Draft, Field, json_error};
use crate::tui::keys::Action;
use crate::tui::message::EditorMsg;
use crate::tui::message::WriteError;
use crate::tui::tasks::Tasks;
use crate::tui::widgets::body::{self, FormattedBody};
use crate::wire::PreparedRequest;

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
    pub fn read(text: Result<String, String>) -> EventDoc {
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
    /// The profile's variable defaults.
    Variables,
    Event(PathBuf),
    /// The profile's inline sample event.
    SampleEvent,
    /// A recorded request, edited before it is replayed.
    Replay(i64),
    /// A profile file that does not load, edited as text in $EDITOR.
    ProfileFile(PathBuf),
    /// An environment file, edited as text in $EDITOR: checked before it
    /// is written.
    EnvironmentFile(PathBuf),
}

impl JsonTarget {
    /// The name of the file `$EDITOR` gets (its extension picks the
    /// editor's highlighting).
    pub fn file_name(&self) -> String {
        match self {
            JsonTarget::ProfileFile(p) | JsonTarget::EnvironmentFile(p) => p
                .file_name()
                .map_or("edit.ron".into(), |n| n.to_string_lossy().into_owned()),
            JsonTarget::Replay(_) => "request.txt".into(),
            _ => "edit.json".into(),
        }
    }
}

/// Problems of the form, each at its field when it has one.
pub type FieldProblems = Vec<(Option<Field>, String)>;

/// The request the form would send now, or why it cannot.
#[derive(Debug)]
pub struct Preview {
    pub result: Result<Assembled, FieldProblems>,
    /// The request with its credentials masked, made once for drawing.
    pub masked: Option<PreparedRequest>,
    pub body: FormattedBody,
}

/// The form field an assembly error belongs to.
fn field_of(place: &Place) -> Option<Field> {
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

impl Workbench {
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
            JsonTarget::Variables => self.draft().map(|d| d.variables.clone()),
            JsonTarget::Event(p) => self.events.get(p).map(|d| d.text.clone()),
            JsonTarget::SampleEvent => self.draft()?.sample_event.clone(),
            JsonTarget::Replay(_) | JsonTarget::ProfileFile(_) | JsonTarget::EnvironmentFile(_) => {
                None
            }
        }
    }

    /// A path as the profile names it: relative to the profiles folder.
    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(self.profile_dir())
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned()
    }

    /// After the form changed: the dirty marker and the preview.
    pub(super) fn form_changed(&mut self, tasks: &Tasks) {
        if let Some(e) = self.current_mut()
            && let EntryKind::Ok { draft, saved } = &e.kind
        {
            e.dirty = match (draft.to_profile(), saved) {
                (Ok(p), Some(s)) => p != **s,
                _ => true,
            };
        }
        self.show_sent = false;
        self.refresh_preview(tasks);
    }

    /// Assembles the request the form describes, as the preview shows it.
    pub(super) fn refresh_preview(&mut self, tasks: &Tasks) {
        self.refresh_secrets();
        self.preview = self.assemble(tasks).map(|result| {
            let masked = result.as_ref().ok().map(|a| a.request.redacted());
            let body = body::format(masked.as_ref().map_or(&b""[..], |m| &m.body));
            Preview {
                result,
                masked,
                body,
            }
        });
    }

    fn assemble(&mut self, tasks: &Tasks) -> Option<Result<Assembled, FieldProblems>> {
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
                    // A placeholder, so the file is read once.
                    self.events
                        .insert(path.clone(), EventDoc::read(Err("reading…".into())));
                    tasks.load_event(path.clone());
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
                &mut Context::system()
                    .with_secrets(self.secrets.clone())
                    .with_variables(self.variables()),
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

    /// The form's profile and its sample event, when both are ready.
    pub(super) fn profile_and_event(&self) -> Option<(crate::profile::Profile, Option<Value>)> {
        let profile = self.draft()?.to_profile().ok()?;
        let event = match self.event_path() {
            None => profile.sample_event.clone().map(Value::Object),
            Some(path) => Some(self.events.get(&path)?.parsed.as_ref().ok()?.clone()),
        };
        Some((profile, event))
    }

    /// Inline errors of the form, by field.
    pub fn field_errors(&self) -> FieldProblems {
        match &self.preview {
            Some(Preview { result: Err(e), .. }) => e.clone(),
            _ => Vec::new(),
        }
    }

    pub(super) fn on_editor(&mut self, m: EditorMsg, ui: &mut Ui, tasks: &Tasks) {
        match m {
            EditorMsg::EventLoaded { path, text } => {
                self.events.insert(path, EventDoc::read(text));
                self.refresh_preview(tasks);
            }
            EditorMsg::EventSaved { path, result } => match result {
                Ok(()) => {
                    if let Some(doc) = self.events.get_mut(&path) {
                        doc.saved_text = doc.text.clone();
                    }
                    ui.set_status(format!("saved {}", path.display()));
                    self.one_save_done(ui);
                }
                Err(WriteError::AlreadyThere) => {
                    self.save_failed();
                    self.event_went_elsewhere(path, ui)
                }
                Err(e) => {
                    self.save_failed();
                    ui.set_error(format!("cannot save {}: {e}", path.display()))
                }
            },
        }
    }

    /// The form rows of the selected profile.
    pub fn rows(&self) -> Vec<Field> {
        self.draft().map(Draft::rows).unwrap_or_default()
    }

    /// The row a field is on, when the form shows it.
    pub fn row_of(&self, field: Field) -> Option<usize> {
        self.rows().iter().position(|f| *f == field)
    }

    pub(super) fn act_editor(&mut self, a: Action, ui: &mut Ui, tasks: &Tasks) {
        let rows = self.rows();
        let Some(field) = rows.get(self.editor_row).copied() else {
            return;
        };
        let cycle = |b: &mut Workbench, f: Field, forward: bool| {
            if let Some(d) = b.draft_mut() {
                d.cycle(f, forward);
            }
            b.form_changed(tasks);
        };
        match a {
            Action::Up => self.editor_row = self.editor_row.saturating_sub(1),
            Action::Down => self.editor_row = (self.editor_row + 1).min(rows.len() - 1),
            Action::Enter => match field {
                Field::Headers => self.act_editor(Action::AddHeader, ui, tasks),
                Field::Payload => self.edit_json(JsonTarget::Payload, ui),
                Field::Variables => self.edit_json(JsonTarget::Variables, ui),
                Field::Event => self.pick_event(ui),
                f if f.is_text() => self.edit_line(f, ui),
                f => cycle(self, f, true),
            },
            Action::Left | Action::Right | Action::Toggle => {
                let is_choice = matches!(
                    field,
                    Field::Method | Field::Auth | Field::Signing | Field::HmacEncoding
                );
                if a == Action::Toggle || is_choice {
                    cycle(self, field, a != Action::Left);
                }
            }
            Action::AddHeader => {
                let Some(d) = self.draft_mut() else { return };
                d.headers.push(Header::new("", ""));
                let i = d.headers.len() - 1;
                self.form_changed(tasks);
                if let Some(row) = self.row_of(Field::Header(i)) {
                    self.editor_row = row;
                    self.edit_line(Field::Header(i), ui);
                }
            }
            Action::RemoveHeader => {
                if let Field::Header(i) = field {
                    if let Some(d) = self.draft_mut() {
                        d.headers.remove(i);
                    }
                    self.form_changed(tasks);
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
                        self.form_changed(tasks);
                    }
                }
            }
            Action::ComposeEvent => match self.event_target() {
                Some(t) => self.edit_json(t, ui),
                None => ui.set_error("no sample event: pick one with Enter on Event"),
            },
            Action::ExternalEditor => {
                let target = match field {
                    Field::Payload => JsonTarget::Payload,
                    Field::Variables => JsonTarget::Variables,
                    Field::Event => match self.event_target() {
                        Some(t) => t,
                        None => {
                            ui.set_error("no sample event: pick one with Enter on Event");
                            return;
                        }
                    },
                    _ => {
                        ui.set_error("e opens the payload or the event: move to one of them");
                        return;
                    }
                };
                let text = self.json_text(&target).unwrap_or_default();
                ui.effects
                    .push(super::Effect::ExternalEdit { target, text });
            }
            _ => {}
        }
    }

    /// Typing in `field` ended: a header left empty (one just added with
    /// `a`, say) is no header, and is not sent.
    pub(super) fn line_done(&mut self, field: Field, tasks: &Tasks) {
        if field == Field::Name {
            return self.follow_name();
        }
        let Field::Header(i) = field else { return };
        let Some(d) = self.draft_mut() else { return };
        if d.headers
            .get(i)
            .is_some_and(|h| h.name.is_empty() && h.value.is_empty())
        {
            d.headers.remove(i);
            self.form_changed(tasks);
            self.editor_row = self.editor_row.min(self.rows().len() - 1);
        }
    }

    fn edit_line(&mut self, field: Field, ui: &mut Ui) {
        let Some(d) = self.draft() else { return };
        let text = d.text(field);
        let mut area = TextArea::new(vec![text.clone()]);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        if text.is_empty() && matches!(field, Field::Header(_)) {
            area.set_placeholder_text("Name: value");
        }
        if matches!(field, Field::Password | Field::Token | Field::SigningSecret) && !ui.reveal {
            area.set_mask_char('•');
        }
        ui.mode = Mode::EditLine {
            field,
            area: Box::new(area),
        };
    }

    pub(super) fn edit_json(&mut self, target: JsonTarget, ui: &mut Ui) {
        let Some(text) = self.json_text(&target) else {
            ui.set_error("the sample event is not loaded yet");
            return;
        };
        ui.mode = Mode::EditJson {
            target,
            area: Box::new(modes::json_area(&text)),
        };
    }

    /// What was typed in a field goes into the form.
    pub(super) fn set_field_text(&mut self, field: Field, text: String, tasks: &Tasks) {
        if let Some(d) = self.draft_mut() {
            d.set_text(field, text);
        }
        self.form_changed(tasks);
    }

    /// What was typed in a JSON document goes into it.
    pub(super) fn set_json(&mut self, target: &JsonTarget, text: String, tasks: &Tasks) {
        match target {
            JsonTarget::Payload => {
                if let Some(d) = self.draft_mut() {
                    d.payload = text;
                }
            }
            JsonTarget::Variables => {
                if let Some(d) = self.draft_mut() {
                    d.variables = text;
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
            // Written back, then the folder is read again.
            JsonTarget::ProfileFile(p) => return tasks.write_profile_text(p.clone(), text),
            // Checked and written by `environment_edited`.
            JsonTarget::EnvironmentFile(_) => return,
        }
        self.form_changed(tasks);
    }

    fn pick_event(&mut self, ui: &mut Ui) {
        let mut items = vec!["(none)".to_string()];
        items.extend(self.events.keys().map(|p| self.relative(p)));
        let current = self.draft().and_then(|d| d.event.clone());
        let selected = current
            .and_then(|c| items.iter().position(|i| *i == c))
            .unwrap_or(0);
        ui.mode = Mode::Picker {
            kind: super::modes::PickerKind::Event,
            items,
            selected,
        };
    }

    /// The event picked for the profile (none: no event file).
    pub(super) fn set_event(&mut self, choice: Option<String>, tasks: &Tasks) {
        if let Some(d) = self.draft_mut() {
            d.event = choice;
        }
        self.form_changed(tasks);
    }

    /// The sample event file an entry names.
    pub fn event_of(entry: &super::Entry) -> Option<PathBuf> {
        let super::EntryKind::Ok { draft, .. } = &entry.kind else {
            return None;
        };
        Some(entry.path.parent()?.join(draft.event.as_ref()?))
    }

    /// Whether an entry has unsaved changes: its own, or its event's.
    pub fn unsaved(&self, entry: &super::Entry) -> bool {
        entry.dirty
            || Self::event_of(entry)
                .is_some_and(|p| self.events.get(&p).is_some_and(EventDoc::dirty))
    }

    /// Saves an event; one that other profiles use too is saved only once
    /// the user has heard which (and said yes).
    pub(super) fn save_event(&mut self, path: PathBuf, ui: &mut Ui, tasks: &Tasks) {
        let others: Vec<String> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(i, e)| *i != self.selected && Self::event_of(e).as_ref() == Some(&path))
            .filter_map(|(_, e)| match &e.kind {
                super::EntryKind::Ok { draft, .. } => Some(draft.name.clone()),
                super::EntryKind::Broken(_) => None,
            })
            .collect();
        if others.is_empty() {
            self.write_event(path, false, ui, tasks);
        } else {
            ui.mode = Mode::Confirm(super::ConfirmKind::SaveSharedEvent { path, others });
        }
    }

    /// Saves an event, however many profiles use it.
    pub(super) fn save_event_for_all(&mut self, path: PathBuf, ui: &mut Ui, tasks: &Tasks) {
        self.write_event(path, false, ui, tasks);
    }

    /// Writes an event document in a task; `new` never replaces a file.
    fn write_event(&mut self, path: PathBuf, new: bool, ui: &mut Ui, tasks: &Tasks) {
        let Some(doc) = self.events.get(&path) else {
            return;
        };
        if let Err(e) = &doc.parsed {
            ui.set_error(format!("cannot save the event: {e}"));
            return;
        }
        tasks.write_event(path, format!("{}\n", doc.text.trim_end()), new);
    }

    pub(super) fn save_event_as(&mut self, old: PathBuf, name: &str, ui: &mut Ui, tasks: &Tasks) {
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
        self.form_changed(tasks);
        self.write_event(path.clone(), true, ui, tasks);
        // Go on editing the new file.
        self.edit_json(JsonTarget::Event(path), ui);
    }

    /// A new event file turned out to be there already: the text goes to a
    /// free name instead, which the profile then names.
    fn event_went_elsewhere(&mut self, path: PathBuf, ui: &mut Ui) {
        self.note_outside(path.clone());
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
        } = &mut ui.mode
            && *p == path
        {
            *p = to.clone();
        }
        ui.set_error(format!(
            "{} was made outside the workbench and is left as it is; this event goes to {}: Ctrl-s saves it",
            path.display(),
            to.display()
        ));
    }

    /// `/` in the inspector: what to look for.
    pub(super) fn set_search(&mut self, text: String, ui: &mut Ui) {
        self.search = (!text.is_empty()).then_some(text);
        self.search_step(true, true, ui);
    }

    /// Esc: the search ends; false when there was none.
    pub(super) fn clear_search(&mut self) -> bool {
        self.search.take().is_some()
    }

    /// `/` opens the search prompt.
    pub(super) fn ask_search(&self, ui: &mut Ui) {
        let hint = match &self.search {
            Some(now) => format!("now: {now} (Enter on empty clears it)"),
            None => "text to find in the body".to_string(),
        };
        modes::prompt(ui, PromptKind::Search, &hint);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembly_places_map_to_rows() {
        assert_eq!(field_of(&Place::HeaderValue(3)), Some(Field::Header(3)));
        assert_eq!(
            field_of(&Place::Payload("a.b".into())),
            Some(Field::Payload)
        );
        assert_eq!(field_of(&Place::Url), Some(Field::Url));
        assert_eq!(field_of(&Place::Field), None);
    }
}
