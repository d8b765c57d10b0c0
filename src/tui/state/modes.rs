//! What has the keyboard when it is not the panes: a field being typed
//! in, the JSON editor, a prompt, a confirmation, the event picker, help.
//! Each key goes to the mode's handler, which changes the mode in place or
//! ends it; what was typed goes to the pane it belongs to.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::{JsonTarget, State};
use crate::tui::draft::Field;
use crate::tui::keys::{Action, Scope};

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
        kind: PickerKind,
        items: Vec<String>,
        selected: usize,
    },
    Help {
        scroll: usize,
    },
    /// The message log, `scroll` rows up from its newest.
    Messages {
        scroll: usize,
    },
}

/// What a picker picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKind {
    /// The profile's sample event.
    Event,
    /// The History's profile filter.
    ProfileFilter,
    /// The History's environment filter.
    EnvFilter,
    /// The environment the Workbench renders in (`E`).
    Environment,
    /// The second environment to compare the selected one with (`C`).
    CompareWith,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    NewProfile,
    Rename,
    /// Save the event being edited (this file) under a new name.
    SaveEventAs(std::path::PathBuf),
    Search,
    FilterProfile,
    FilterText,
    ReceiverAnswer,
    ReceiverSecrets,
    /// Where to write the shared copy of the selected profile.
    ShareTo,
    /// A profile file to bring into the profiles folder.
    ImportProfile,
    /// The value of a secret the profile needs, for the store.
    SetSecret(String),
    /// The name of a new environment file.
    NewEnvironment,
    /// Where to write the response body: of the Workbench's answer, or of
    /// the History's open record.
    SaveBody {
        history: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmKind {
    Delete,
    Quit,
    /// A bulk replay, with the hosts it sends to.
    Bulk {
        hosts: Vec<(String, u64)>,
        /// Failed deliveries left out as resolved already.
        skipped: u64,
    },
    /// Saving a profile whose file was named after it, renamed: the file
    /// may follow the new name.
    RenameFile {
        from: std::path::PathBuf,
        to: std::path::PathBuf,
    },
    /// Saving a sample event that other profiles use too (their names).
    SaveSharedEvent {
        path: std::path::PathBuf,
        others: Vec<String>,
    },
}

/// Opens an empty one-line prompt. `hint` is shown as a placeholder until
/// something is typed; for a prompt with a default (where to share to, the
/// name being replaced) it is what Enter on an empty prompt takes.
pub fn prompt(ui: &mut super::Ui, kind: PromptKind, hint: &str) {
    let mut area = TextArea::default();
    if !hint.is_empty() {
        area.set_placeholder_text(hint);
    }
    ui.mode = Mode::Prompt {
        kind,
        area: Box::new(area),
    };
}

/// What an empty prompt means: its hint when the hint is a default, else
/// nothing typed.
fn default_of(kind: &PromptKind, area: &TextArea<'_>) -> String {
    match kind {
        PromptKind::ShareTo | PromptKind::SaveBody { .. } => area.placeholder_text().to_string(),
        _ => String::new(),
    }
}

/// A prompt whose text is masked as typed (secrets), with a hint.
pub fn prompt_masked(ui: &mut super::Ui, kind: PromptKind, hint: &str) {
    prompt(ui, kind, hint);
    if let Mode::Prompt { area, .. } = &mut ui.mode {
        area.set_mask_char('•');
    }
}

/// A key typed into a text field: Ctrl-u deletes back to the line's start,
/// as in a shell; everything else is the text area's own.
fn type_into(area: &mut TextArea<'static>, key: KeyEvent) {
    if key.code == KeyCode::Char('u') && key.modifiers.contains(KeyModifiers::CONTROL) {
        area.delete_line_by_head();
    } else {
        area.input(key);
    }
}

impl PromptKind {
    /// Prompts whose answer is a path (Tab completes it).
    pub fn takes_path(&self) -> bool {
        matches!(
            self,
            PromptKind::ShareTo | PromptKind::ImportProfile | PromptKind::SaveBody { .. }
        )
    }
}

/// A completion came back: it goes into the prompt when the prompt still
/// holds what was completed.
pub fn completed(ui: &mut super::Ui, typed: &str, completion: String, choices: Vec<String>) {
    if let Mode::Prompt { kind, area } = &mut ui.mode
        && kind.takes_path()
        && area.lines().join("") == typed
    {
        if completion != typed {
            let mut fresh = TextArea::new(vec![completion]);
            fresh.move_cursor(ratatui_textarea::CursorMove::End);
            **area = fresh;
        }
        match choices.len() {
            0 => ui.set_error("no file or folder there starts so"),
            1 => {}
            n => ui.set_status(format!("{n} choices: {}", choices.join("  "))),
        }
    }
}

/// A text area for JSON.
pub fn json_area(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.lines().map(str::to_string).collect()
    };
    let mut area = TextArea::new(lines);
    area.set_tab_length(2);
    area
}

/// What a key did to a mode that is not Normal.
enum Then {
    /// The mode stays (changed in place, or not at all).
    Stay,
    /// The mode ends.
    Close,
    /// The mode ends with the text typed: hand it on.
    Prompted(PromptKind, String),
    /// The field's text changed: the form takes it.
    LineChanged(Field, String),
    /// The JSON document changed.
    JsonChanged(JsonTarget, String),
    /// Ctrl-s in the JSON editor.
    JsonSave(JsonTarget, String),
    /// Typing in the field ended.
    LineDone(Field),
    /// Ctrl-s while typing in a field.
    LineSave(Field),
    /// Ctrl-e in the JSON editor.
    External(JsonTarget, String),
    /// Ctrl-n on an event: save it under a new name.
    SaveAs(std::path::PathBuf),
    /// Tab in a path prompt: complete this text.
    Complete(String),
    /// A choice in the picker.
    Picked(PickerKind, Option<String>),
    /// `n` in the environment list.
    NewEnvironment,
    /// `e` on an environment in the list.
    EditEnvironment(String),
    /// A confirmation's answer.
    Confirmed(ConfirmKind, Action),
}

impl State {
    /// A key while a mode has the keyboard.
    pub(super) fn on_mode_key(&mut self, key: KeyEvent) {
        let keys = &self.ui.keys;
        let then = match &mut self.ui.mode {
            Mode::Normal => Then::Stay,
            Mode::Help { scroll } | Mode::Messages { scroll } => {
                match keys.lookup(Scope::Inspector, &key) {
                    Some(Action::Down) => {
                        *scroll += 1;
                        Then::Stay
                    }
                    Some(Action::Up) => {
                        *scroll = scroll.saturating_sub(1);
                        Then::Stay
                    }
                    _ => Then::Close,
                }
            }
            Mode::Confirm(kind) => match keys.lookup(Scope::Confirm, &key) {
                Some(a) => Then::Confirmed(kind.clone(), a),
                None => Then::Confirmed(kind.clone(), Action::Escape),
            },
            Mode::Picker {
                kind,
                items,
                selected,
            } => match keys.lookup(Scope::Profiles, &key) {
                Some(Action::Up) => {
                    *selected = selected.saturating_sub(1);
                    Then::Stay
                }
                Some(Action::Down) => {
                    *selected = (*selected + 1).min(items.len().saturating_sub(1));
                    Then::Stay
                }
                Some(Action::Enter) => {
                    Then::Picked(*kind, (*selected > 0).then(|| items[*selected].clone()))
                }
                // The environment list makes and edits environments too.
                Some(Action::NewProfile) if *kind == PickerKind::Environment => {
                    Then::NewEnvironment
                }
                Some(Action::ExternalEditor) if *kind == PickerKind::Environment => {
                    match (*selected > 0).then(|| items[*selected].clone()) {
                        Some(name) => Then::EditEnvironment(name),
                        None => Then::Stay,
                    }
                }
                _ => Then::Close,
            },
            Mode::Prompt { kind, area } => match keys.lookup(Scope::Text, &key) {
                Some(Action::Commit) => {
                    let typed = area.lines().join("").trim().to_string();
                    let text = if typed.is_empty() {
                        default_of(kind, area)
                    } else {
                        typed
                    };
                    Then::Prompted(kind.clone(), text)
                }
                Some(Action::Escape) => {
                    self.ui.status = super::Status {
                        text: "cancelled".into(),
                        error: false,
                    };
                    Then::Close
                }
                // Tab in a prompt for a path: completed from the folder.
                _ if key.code == KeyCode::Tab && kind.takes_path() => {
                    Then::Complete(area.lines().join(""))
                }
                _ => {
                    type_into(area, key);
                    Then::Stay
                }
            },
            Mode::EditLine { field, area } => match keys.lookup(Scope::Text, &key) {
                Some(Action::Commit) | Some(Action::Escape) => Then::LineDone(*field),
                Some(Action::Save) => Then::LineSave(*field),
                _ => {
                    // One line: no tabs, no line breaks.
                    let ctrl_m = key.code == KeyCode::Char('m')
                        && key.modifiers.contains(KeyModifiers::CONTROL);
                    if key.code != KeyCode::Tab && !ctrl_m {
                        type_into(area, key);
                    }
                    Then::LineChanged(*field, area.lines().join(""))
                }
            },
            Mode::EditJson { target, area } => {
                let action = keys.lookup(Scope::Json, &key).or_else(|| {
                    keys.lookup(Scope::Text, &key)
                        .filter(|a| *a != Action::Commit)
                });
                match action {
                    Some(Action::Escape) => Then::Close,
                    Some(Action::Save) => Then::JsonSave(target.clone(), area.lines().join("\n")),
                    Some(Action::ExternalEditor) => {
                        Then::External(target.clone(), area.lines().join("\n"))
                    }
                    Some(Action::SaveAs) => match target {
                        JsonTarget::Event(path) => Then::SaveAs(path.clone()),
                        _ => Then::Stay,
                    },
                    _ => {
                        area.input(key);
                        Then::JsonChanged(target.clone(), area.lines().join("\n"))
                    }
                }
            }
        };
        self.then(then);
    }

    /// Pasted text goes into the field being edited, as typing it would.
    pub(super) fn paste_into_mode(&mut self, text: &str) {
        let then = match &mut self.ui.mode {
            Mode::EditLine { field, area } => {
                area.insert_str(text.replace(['\r', '\n'], " "));
                Then::LineChanged(*field, area.lines().join(""))
            }
            Mode::Prompt { area, .. } => {
                area.insert_str(text.replace(['\r', '\n'], " "));
                Then::Stay
            }
            Mode::EditJson { target, area } => {
                area.insert_str(text.replace('\r', ""));
                Then::JsonChanged(target.clone(), area.lines().join("\n"))
            }
            _ => Then::Stay,
        };
        self.then(then);
    }

    fn then(&mut self, then: Then) {
        let (ui, tasks) = (&mut self.ui, &self.tasks);
        match then {
            Then::Stay => {}
            Then::Complete(text) => tasks.complete_path(text),
            Then::Close => ui.mode = Mode::Normal,
            Then::Prompted(kind, text) => {
                ui.mode = Mode::Normal;
                self.on_prompt(kind, text);
            }
            Then::LineChanged(field, text) => self.bench.set_field_text(field, text, tasks),
            Then::LineDone(field) => {
                ui.mode = Mode::Normal;
                self.bench.line_done(field, tasks);
            }
            Then::LineSave(field) => {
                ui.mode = Mode::Normal;
                self.bench.line_done(field, tasks);
                self.bench.save_selected(ui, tasks);
            }
            Then::JsonChanged(target, text) => self.bench.set_json(&target, text, tasks),
            Then::JsonSave(target, text) => match target {
                JsonTarget::Payload | JsonTarget::Variables | JsonTarget::SampleEvent => {
                    self.bench.save_selected(ui, tasks);
                }
                JsonTarget::Event(p) => self.bench.save_event(p, ui, tasks),
                JsonTarget::ProfileFile(p) => {
                    self.bench
                        .set_json(&JsonTarget::ProfileFile(p), text, tasks)
                }
                JsonTarget::EnvironmentFile(p) => {
                    self.bench
                        .set_json(&JsonTarget::EnvironmentFile(p), text, tasks)
                }
                JsonTarget::Replay(id) => {
                    let replay = self.bench.replay_context();
                    self.history.send_edited(id, &text, ui, tasks, &replay);
                }
            },
            Then::External(target, text) => ui
                .effects
                .push(super::Effect::ExternalEdit { target, text }),
            Then::SaveAs(path) => prompt(ui, PromptKind::SaveEventAs(path), ""),
            Then::Picked(PickerKind::Event, choice) => {
                ui.mode = Mode::Normal;
                self.bench.set_event(choice, tasks);
            }
            Then::Picked(PickerKind::ProfileFilter, choice) => {
                ui.mode = Mode::Normal;
                let text = choice.unwrap_or_default();
                self.history
                    .on_prompt(PromptKind::FilterProfile, text, ui, tasks);
            }
            Then::Picked(PickerKind::EnvFilter, choice) => {
                ui.mode = Mode::Normal;
                self.history.set_env_filter(choice, ui, tasks);
            }
            Then::Picked(PickerKind::Environment, choice) => {
                ui.mode = Mode::Normal;
                self.bench.set_environment(choice, ui, tasks);
            }
            Then::Picked(PickerKind::CompareWith, None) => {
                ui.mode = Mode::Normal;
                ui.set_status("not compared");
            }
            Then::Picked(PickerKind::CompareWith, Some(right)) => {
                ui.mode = Mode::Normal;
                if let Some(c) = self.bench.compare_with(&right, ui)
                    && let Some(store) = self.history.store(ui)
                {
                    tasks.compare(store, c);
                }
            }
            Then::NewEnvironment => super::environments::prompt_new(ui),
            Then::EditEnvironment(name) => {
                ui.mode = Mode::Normal;
                self.bench.edit_environment(&name, ui, tasks);
            }
            Then::Confirmed(kind, action) => {
                ui.mode = Mode::Normal;
                self.on_confirm(kind, action);
            }
        }
    }

    fn on_confirm(&mut self, kind: ConfirmKind, action: Action) {
        let (ui, tasks) = (&mut self.ui, &self.tasks);
        match (kind, action) {
            (ConfirmKind::Delete, Action::Yes) => self.bench.delete_selected(tasks),
            (ConfirmKind::Quit, Action::Yes) => ui.quit = true,
            (ConfirmKind::Quit, Action::SaveAllQuit) => self.bench.save_all_and_quit(ui, tasks),
            (ConfirmKind::RenameFile { from, to }, Action::Yes) => {
                self.bench.save_renamed(from, to, ui, tasks)
            }
            (ConfirmKind::SaveSharedEvent { path, .. }, Action::Yes) => {
                self.bench.save_event_for_all(path, ui, tasks)
            }
            (ConfirmKind::SaveSharedEvent { .. }, _) => {
                ui.set_status("the event is not saved (still unsaved)")
            }
            // No: saved all the same, in the file it has.
            (ConfirmKind::RenameFile { .. }, _) => {
                self.bench.save_entry_in_place(ui, tasks);
            }
            (ConfirmKind::Bulk { .. }, Action::Yes) => {
                let replay = self.bench.replay_context();
                self.history.confirm_bulk(ui, tasks, &replay);
            }
            (
                kind @ ConfirmKind::Bulk { .. },
                a @ (Action::MoreConcurrency
                | Action::LessConcurrency
                | Action::FasterRate
                | Action::SlowerRate),
            ) => {
                self.history.tune(a);
                ui.mode = Mode::Confirm(kind);
            }
            _ => ui.set_status("cancelled"),
        }
    }

    fn on_prompt(&mut self, kind: PromptKind, text: String) {
        let (ui, tasks) = (&mut self.ui, &self.tasks);
        match kind {
            PromptKind::ReceiverAnswer if text.is_empty() => {
                return ui.set_status("the answer is unchanged");
            }
            PromptKind::Rename if text.is_empty() => return ui.set_status("the name is unchanged"),
            PromptKind::SetSecret(_) if text.is_empty() => return ui.set_status("nothing set"),
            PromptKind::SetSecret(name) => return self.bench.set_secret(name, text, ui, tasks),
            PromptKind::ReceiverAnswer => return self.receiver.set_answer(&text, ui),
            PromptKind::ReceiverSecrets => return self.receiver.set_secrets(&text, ui),
            _ => {}
        }
        let may_be_empty = matches!(
            kind,
            PromptKind::Search | PromptKind::FilterProfile | PromptKind::FilterText
        );
        if text.is_empty() && !may_be_empty {
            ui.set_error("a name is needed");
            return;
        }
        match kind {
            PromptKind::NewProfile => self.bench.new_profile(text, ui, tasks),
            PromptKind::NewEnvironment => self.bench.new_environment(text, ui, tasks),
            PromptKind::Rename => self.bench.rename(text, ui, tasks),
            PromptKind::SaveEventAs(old) => self.bench.save_event_as(old, &text, ui, tasks),
            PromptKind::Search => self.bench.set_search(text, ui),
            PromptKind::FilterProfile | PromptKind::FilterText => {
                self.history.on_prompt(kind, text, ui, tasks)
            }
            PromptKind::ShareTo => self
                .bench
                .share_to(crate::files::expand_home(&text), ui, tasks),
            PromptKind::ImportProfile if super::profiles::is_curl(&text) => {
                self.bench.paste_curl(&text, ui, tasks)
            }
            PromptKind::ImportProfile => self
                .bench
                .import_profile(crate::files::expand_home(&text), tasks),
            PromptKind::SaveBody { history: false } => {
                self.bench
                    .save_body(crate::files::expand_home(&text), ui, tasks)
            }
            PromptKind::SaveBody { history: true } => {
                self.history
                    .save_body(crate::files::expand_home(&text), ui, tasks)
            }
            PromptKind::ReceiverAnswer | PromptKind::ReceiverSecrets | PromptKind::SetSecret(_) => {
            }
        }
    }
}
