//! The Profiles pane: every profile file of the folder, and what is done
//! to a whole profile: new, duplicate, rename, delete, save, share, import,
//! a pasted curl command. The [`Workbench`] it owns is shared with the
//! editor and the inspector, which act on the selected entry.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::editor::{EventDoc, Preview};
use super::inspector::RequestState;
use super::modes::{self, ConfirmKind, Mode, PromptKind};
use super::{Pane, Ui};
use crate::diag::Diagnostic;
use crate::profile::{self, Method, Profile};
use crate::tui::draft::Draft;
use crate::tui::keys::Action;
use crate::tui::message::ProfilesMsg;
use crate::tui::message::WriteError;
use crate::tui::tasks::Tasks;

/// One profile file in the list.
#[derive(Debug)]
pub struct Entry {
    pub path: PathBuf,
    pub kind: EntryKind,
    /// The form differs from the file (or there is no file yet).
    pub dirty: bool,
    /// Its request: none yet, on its way, answered, cancelled, failed.
    pub request: RequestState,
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
            request: RequestState::None,
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

/// What a replay from the History view needs of the workbench.
#[derive(Debug, Clone)]
pub struct ReplayContext {
    pub profiles: PathBuf,
    pub secrets: Arc<crate::secrets::Secrets>,
    /// Send there instead of each record's URL (the Receiver view's app).
    pub to: Option<String>,
    /// Sign received requests again with these (the Receiver view's
    /// secrets): the history masked their signatures.
    pub sign: Vec<crate::signing::Signing>,
}

/// The Workbench view's data: the list, and for the selected entry the
/// form, its preview and its request.
#[derive(Debug)]
pub struct Workbench {
    pub dir: PathBuf,
    pub(super) secrets_path: Option<PathBuf>,
    /// The secret store, read at start.
    pub secrets: Arc<crate::secrets::Secrets>,
    /// Its values, to mask in what the receiver captures.
    pub(super) store_mask: crate::wire::SecretSet,
    /// The environments of the folder (`environments/`), as last read.
    pub environments: Vec<crate::environment::LoadedEnvironment>,
    /// The files of `environments/` that did not load.
    pub broken_environments: Vec<Diagnostic>,
    /// The selected environment's name (`E`).
    pub env: Option<String>,
    /// An environment's text back from `$EDITOR` that did not load: kept,
    /// so `e` opens it again as it was.
    pub(super) env_kept: Option<(PathBuf, String)>,
    /// Environment files changed here so far: a reading started before
    /// the last change is stale.
    pub(super) env_epoch: u64,
    pub loading: bool,
    /// Said once the folder is read (the first run made it).
    pub notice: Option<String>,
    pub load_error: Option<String>,
    pub entries: Vec<Entry>,
    pub selected: usize,
    /// The form row the editor is on.
    pub editor_row: usize,
    /// Sample events by path.
    pub events: BTreeMap<PathBuf, EventDoc>,
    pub preview: Option<Preview>,
    /// Show the request as sent (after a fire) rather than the preview.
    pub show_sent: bool,
    pub request_scroll: usize,
    pub response_scroll: usize,
    pub search: Option<String>,
    /// Saves still to finish before quitting ("save all and quit").
    quit_after_saves: Option<usize>,
    /// Files found made outside the workbench since the list was read: no
    /// new file goes there.
    outside: HashSet<PathBuf>,
    /// Fires so far, to tell their answers apart.
    pub(super) seq: u64,
    /// The folder is being read again (`R`): merge what comes back.
    reloading: bool,
}

impl Workbench {
    pub fn new(dir: PathBuf, secrets_path: Option<PathBuf>) -> Workbench {
        Workbench {
            notice: None,
            dir,
            secrets_path,
            secrets: Default::default(),
            store_mask: Default::default(),
            environments: Vec::new(),
            broken_environments: Vec::new(),
            env: None,
            env_kept: None,
            env_epoch: 0,
            loading: true,
            load_error: None,
            entries: Vec::new(),
            selected: 0,
            editor_row: 0,
            events: BTreeMap::new(),
            preview: None,
            show_sent: false,
            request_scroll: 0,
            response_scroll: 0,
            search: None,
            quit_after_saves: None,
            outside: HashSet::new(),
            seq: 0,
            reloading: false,
        }
    }

    pub(super) fn load(&self, tasks: &Tasks) {
        tasks.load_folder(self.dir.clone(), self.secrets_path.clone());
    }

    pub fn current(&self) -> Option<&Entry> {
        self.entries.get(self.selected)
    }

    pub(super) fn current_mut(&mut self) -> Option<&mut Entry> {
        self.entries.get_mut(self.selected)
    }

    pub fn draft(&self) -> Option<&Draft> {
        match &self.current()?.kind {
            EntryKind::Ok { draft, .. } => Some(draft),
            EntryKind::Broken(_) => None,
        }
    }

    pub(super) fn draft_mut(&mut self) -> Option<&mut Draft> {
        match &mut self.current_mut()?.kind {
            EntryKind::Ok { draft, .. } => Some(draft),
            EntryKind::Broken(_) => None,
        }
    }

    pub(super) fn replay_context(&mut self) -> ReplayContext {
        self.refresh_secrets();
        ReplayContext {
            profiles: self.dir.clone(),
            secrets: self.secrets.clone(),
            to: None,
            sign: Vec::new(),
        }
    }

    /// What has unsaved changes, by name: profiles by their file name,
    /// then sample events by theirs.
    pub fn dirty_names(&self) -> Vec<String> {
        let file = |p: &std::path::Path| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        let profiles = self
            .entries
            .iter()
            .filter(|e| e.dirty)
            .map(|e| file(&e.path));
        let events = self
            .events
            .iter()
            .filter(|(_, d)| d.dirty())
            .map(|(p, _)| format!("event {}", file(p)));
        profiles.chain(events).collect()
    }

    pub fn any_dirty(&self) -> usize {
        self.entries.iter().filter(|e| e.dirty).count()
            + self.events.values().filter(|d| d.dirty()).count()
    }

    pub(super) fn select(&mut self, i: usize, tasks: &Tasks) {
        if i < self.entries.len() && i != self.selected {
            self.selected = i;
            self.editor_row = 0;
            self.show_sent = self
                .current()
                .is_some_and(|e| matches!(e.request, RequestState::Answered(_)));
            self.request_scroll = 0;
            self.response_scroll = 0;
            self.refresh_preview(tasks);
        }
    }

    pub(super) fn act_profiles(&mut self, a: Action, ui: &mut Ui, tasks: &Tasks) {
        match a {
            Action::Up => self.select(self.selected.saturating_sub(1), tasks),
            Action::Down => self.select(self.selected + 1, tasks),
            Action::Reload => self.reload(ui, tasks),
            Action::ExternalEditor => match self.current() {
                Some(e) if matches!(e.kind, EntryKind::Broken(_)) => {
                    tasks.read_for_edit(e.path.clone());
                }
                Some(_) => ui.set_error("e opens a profile with errors; Enter edits this one"),
                None => {}
            },
            Action::Top => self.select(0, tasks),
            Action::Bottom => self.select(self.entries.len().saturating_sub(1), tasks),
            Action::Enter if self.draft().is_some() => ui.focus = Pane::Editor,
            Action::NewProfile => modes::prompt(ui, PromptKind::NewProfile, ""),
            Action::Duplicate => self.duplicate(ui, tasks),
            Action::Rename => {
                if let Some(name) = self.draft().map(|d| d.name.clone()) {
                    modes::prompt(ui, PromptKind::Rename, &format!("now: {name}"));
                }
            }
            Action::Delete if self.current().is_some() => {
                ui.mode = Mode::Confirm(ConfirmKind::Delete);
            }
            Action::Share => self.ask_share(ui),
            Action::ImportProfile => modes::prompt(
                ui,
                PromptKind::ImportProfile,
                "path/to/profile.ron (Tab completes), or curl …",
            ),
            _ => {}
        }
    }

    // ---- the folder, read ------------------------------------------------

    pub(super) fn on_profiles(&mut self, m: ProfilesMsg, ui: &mut Ui, tasks: &Tasks) {
        match m {
            ProfilesMsg::Loaded {
                profiles,
                events,
                error,
                secrets,
                environments,
            } => {
                self.on_loaded(profiles, events, error, secrets, ui, tasks);
                // After: a broken file's error is the last word.
                self.on_environments(environments, ui);
                self.refresh_preview(tasks);
            }
            ProfilesMsg::Environments { epoch, read } => {
                // Read before a change made here: stale.
                if epoch == self.env_epoch {
                    self.environments_read(read, ui);
                    self.refresh_preview(tasks);
                }
            }
            ProfilesMsg::Saved {
                path,
                profile,
                result,
            } => self.on_saved(path, *profile, result, ui),
            ProfilesMsg::Deleted { path, result } => match result {
                Ok(()) => {
                    self.entries.retain(|e| e.path != path);
                    self.selected = self.selected.min(self.entries.len().saturating_sub(1));
                    self.editor_row = 0;
                    ui.set_status(format!("deleted {}", path.display()));
                    self.refresh_preview(tasks);
                }
                Err(e) => ui.set_error(format!("cannot delete {}: {e}", path.display())),
            },
            ProfilesMsg::Renamed {
                from,
                to,
                written,
                result,
            } => match result {
                Ok(()) => {
                    if let Some(e) = self.entries.iter_mut().find(|e| e.path == from) {
                        e.path = to.clone();
                        if let EntryKind::Ok { saved, .. } = &mut e.kind {
                            *saved = Some(written);
                        }
                    }
                    ui.set_status(format!("renamed to {}", to.display()));
                    self.form_changed(tasks);
                }
                Err(e) => {
                    if e == WriteError::AlreadyThere {
                        self.outside.insert(to);
                    }
                    ui.set_error(format!("cannot rename: {e}"));
                }
            },
            ProfilesMsg::Shared { path, result } => match result {
                Ok(secrets) if secrets.is_empty() => {
                    ui.set_status(format!("shared to {} (it needs no secret)", path.display()))
                }
                Ok(secrets) => ui.set_status(format!(
                    "shared without credentials; the importer sets {} · {}",
                    secrets.join(", "),
                    path.display(),
                )),
                Err(e) => ui.set_error(format!("cannot write {}: {e}", path.display())),
            },
            ProfilesMsg::Completed {
                typed,
                completion,
                choices,
            } => super::modes::completed(ui, &typed, completion, choices),
            ProfilesMsg::SecretSet { name, result } => match result {
                Ok(path) => {
                    ui.set_status(format!("secret {name} set in {}", path.display()));
                    self.refresh_preview(tasks);
                }
                Err(e) => ui.set_error(format!("secret {name} not set: {e}")),
            },
            ProfilesMsg::EnvironmentCreated { path, text, result } => {
                self.environment_created(path, text, result, ui)
            }
            ProfilesMsg::ReadForEdit { path, result } => match result {
                Ok(text) => ui.effects.push(super::Effect::ExternalEdit {
                    target: if path.parent() == Some(&crate::environment::dir_of(&self.dir)) {
                        super::JsonTarget::EnvironmentFile(path)
                    } else {
                        super::JsonTarget::ProfileFile(path)
                    },
                    text,
                }),
                Err(e) => ui.set_error(format!("cannot read {}: {e}", path.display())),
            },
            ProfilesMsg::FileWritten { path, result } => match result {
                Ok(()) => {
                    ui.set_status(format!(
                        "{} written: reading the folder again",
                        path.display()
                    ));
                    self.reload(ui, tasks);
                }
                Err(e) => ui.set_error(format!("cannot write {}: {e}", path.display())),
            },
            ProfilesMsg::BodySaved { path, result } => match result {
                Ok(n) => ui.set_status(format!(
                    "saved the body ({}) to {}",
                    crate::exchange::human_size(n),
                    path.display()
                )),
                Err(e) => ui.set_error(format!("cannot write {}: {e}", path.display())),
            },
            ProfilesMsg::Imported(result) => match result {
                Ok(imported) => self.on_imported(*imported, ui, tasks),
                Err(e) => ui.set_error(e),
            },
        }
    }

    /// `R`: reads the folder again; what has unsaved changes or a request
    /// on its way is kept as it is.
    pub(super) fn reload(&mut self, ui: &mut Ui, tasks: &Tasks) {
        if self.loading {
            return;
        }
        self.loading = true;
        self.reloading = true;
        ui.set_status("reading the profiles folder again…");
        self.load(tasks);
    }

    /// The folder read again, merged into the list: a file changed outside
    /// replaces its entry unless that has unsaved changes; new files join;
    /// removed ones leave unless unsaved.
    fn merge_reloaded(
        &mut self,
        fresh: Vec<Entry>,
        events: Vec<(PathBuf, Result<String, String>)>,
    ) -> String {
        let selected = self.current().map(|e| e.path.clone());
        let mut old = std::mem::take(&mut self.entries);
        let (mut kept, mut added) = (0, 0);
        for mut f in fresh {
            match old.iter().position(|e| e.path == f.path) {
                Some(i) => {
                    let o = old.remove(i);
                    let busy = matches!(o.request, RequestState::Sending { .. });
                    if o.dirty || busy {
                        kept += usize::from(o.dirty);
                        self.entries.push(o);
                    } else {
                        f.request = o.request;
                        self.entries.push(f);
                    }
                }
                None => {
                    added += 1;
                    self.entries.push(f);
                }
            }
        }
        let mut gone = 0;
        for o in old {
            if o.dirty {
                kept += 1;
                self.entries.push(o);
            } else {
                gone += 1;
            }
        }
        for (path, text) in events {
            if !self.events.get(&path).is_some_and(EventDoc::dirty) {
                self.events.insert(path, EventDoc::read(text));
            }
        }
        self.selected = selected
            .and_then(|p| self.entries.iter().position(|e| e.path == p))
            .unwrap_or(0)
            .min(self.entries.len().saturating_sub(1));
        self.editor_row = 0;
        let mut parts = vec![format!("{} profile(s), read again", self.entries.len())];
        if added > 0 {
            parts.push(format!("{added} new"));
        }
        if gone > 0 {
            parts.push(format!("{gone} gone"));
        }
        if kept > 0 {
            parts.push(format!("{kept} with unsaved changes kept as they are"));
        }
        parts.join(" · ")
    }

    fn on_loaded(
        &mut self,
        profiles: Vec<Result<profile::LoadedProfile, Diagnostic>>,
        events: Vec<(PathBuf, Result<String, String>)>,
        error: Option<String>,
        secrets: crate::secrets::Secrets,
        ui: &mut Ui,
        tasks: &Tasks,
    ) {
        self.loading = false;
        if let Some(p) = secrets.problem() {
            ui.set_error(p.to_string());
        }
        self.store_mask = secrets.mask_set();
        self.secrets = Arc::new(secrets);
        let fresh: Vec<Entry> = profiles
            .into_iter()
            .map(|r| match r {
                Ok(l) => Entry::saved(l),
                Err(d) => Entry {
                    path: d.path.clone(),
                    kind: EntryKind::Broken(d),
                    dirty: false,
                    request: RequestState::None,
                },
            })
            .collect();
        if std::mem::take(&mut self.reloading) {
            let said = self.merge_reloaded(fresh, events);
            match error {
                Some(e) => ui.set_error(e),
                None => ui.set_status(said),
            }
            self.refresh_preview(tasks);
            return;
        }
        for (path, text) in events {
            self.events.insert(path, EventDoc::read(text));
        }
        self.entries = fresh;
        // Open on the profile that works offline, when it is there.
        self.selected = self
            .entries
            .iter()
            .position(|e| e.path.file_stem().is_some_and(|s| s == "local-echo"))
            .unwrap_or(0);
        match error {
            Some(e) => {
                self.load_error = Some(e.clone());
                ui.set_error(e);
            }
            None if self.entries.is_empty() => ui.set_status(format!(
                "no profiles in {}: press n to create one",
                self.dir.display()
            )),
            None => {
                let broken = self
                    .entries
                    .iter()
                    .filter(|e| matches!(e.kind, EntryKind::Broken(_)))
                    .count();
                ui.set_status(format!(
                    "{} profile(s) from {}{}",
                    self.entries.len(),
                    self.dir.display(),
                    if broken > 0 {
                        format!(", {broken} with errors")
                    } else {
                        String::new()
                    }
                ));
            }
        }
        if let Some(n) = self.notice.take() {
            ui.set_status(n);
        }
        self.refresh_preview(tasks);
    }

    // ---- new, duplicate, rename, delete ------------------------------------

    pub(super) fn new_profile(&mut self, name: String, ui: &mut Ui, tasks: &Tasks) {
        let mut p = Profile::new(
            name.clone(),
            Method::Post,
            "http://127.0.0.1:8787/hooks/{{event.eventName}}",
        );
        p.event = self.events.keys().next().map(|e| {
            e.strip_prefix(&self.dir)
                .unwrap_or(e)
                .to_string_lossy()
                .into_owned()
        });
        let path = self.unique_path(&name);
        self.add_entry(path, p, "new profile", ui, tasks);
    }

    pub(super) fn add_entry(
        &mut self,
        path: PathBuf,
        p: Profile,
        what: &str,
        ui: &mut Ui,
        tasks: &Tasks,
    ) {
        self.entries.push(Entry {
            path: path.clone(),
            kind: EntryKind::Ok {
                draft: Box::new(Draft::from_profile(&p)),
                saved: None,
            },
            dirty: true,
            request: RequestState::None,
        });
        self.selected = usize::MAX;
        self.select(self.entries.len() - 1, tasks);
        ui.focus = Pane::Editor;
        ui.set_status(format!("{what}: Ctrl-s saves it to {}", path.display()));
    }

    fn duplicate(&mut self, ui: &mut Ui, tasks: &Tasks) {
        let Some(d) = self.draft() else {
            if self.current().is_some() {
                ui.set_error("this file has errors: e opens it in $EDITOR to fix it first");
            }
            return;
        };
        let Ok(mut p) = d.to_profile() else {
            ui.set_error("fix the profile's errors before duplicating it");
            return;
        };
        p.name = format!("{} copy", p.name);
        let path = self.unique_path(&p.name);
        self.add_entry(path, p, "duplicated", ui, tasks);
    }

    pub(super) fn rename(&mut self, name: String, ui: &mut Ui, tasks: &Tasks) {
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
            self.form_changed(tasks);
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
        ui.set_status(format!("renaming to {}…", to.display()));
        tasks.rename_profile(from, to, *saved);
    }

    pub(super) fn delete_selected(&mut self, tasks: &Tasks) {
        if let Some(e) = self.current() {
            tasks.delete_profile(e.path.clone());
        }
    }

    /// A profile never saved takes its file name from its name as it is
    /// renamed (a duplicate, a new profile).
    pub(super) fn follow_name(&mut self) {
        let Some(e) = self.current() else { return };
        let EntryKind::Ok { draft, saved: None } = &e.kind else {
            return;
        };
        let slug = crate::files::slug(&draft.name);
        if e.path
            .file_stem()
            .is_some_and(|s| s.to_string_lossy() == slug)
        {
            return;
        }
        let own = e.path.clone();
        let to = crate::files::free_name(&self.dir, &slug, "ron", |p| {
            p != own && (self.outside.contains(p) || self.entries.iter().any(|e| e.path == p))
        });
        self.entries[self.selected].path = to;
    }

    pub(super) fn unique_path(&self, name: &str) -> PathBuf {
        let slug = crate::files::slug(name);
        crate::files::free_name(&self.dir, &slug, "ron", |p| {
            self.outside.contains(p) || self.entries.iter().any(|e| e.path == p)
        })
    }

    /// A file name for an event that no document and no file made outside
    /// uses yet.
    pub(super) fn free_event_path(&self, dir: &Path, stem: &str) -> PathBuf {
        crate::files::free_name(dir, stem, "json", |p| {
            self.events.contains_key(p) || self.outside.contains(p)
        })
    }

    pub(super) fn note_outside(&mut self, path: PathBuf) {
        self.outside.insert(path);
    }

    /// A new profile's file turned out to be there already: the profile
    /// goes to a free name instead, saved with the next Ctrl-s.
    fn profile_went_elsewhere(&mut self, path: PathBuf, ui: &mut Ui) {
        self.outside.insert(path.clone());
        let Some(i) = self.entries.iter().position(|e| e.path == path) else {
            return;
        };
        let EntryKind::Ok { draft, saved: None } = &self.entries[i].kind else {
            return;
        };
        let to = self.unique_path(&draft.name);
        ui.set_error(format!(
            "{} was made outside the workbench and is left as it is; this profile goes to {}: Ctrl-s saves it",
            path.display(),
            to.display()
        ));
        self.entries[i].path = to;
    }

    // ---- saving ----------------------------------------------------------

    /// Saves the selected profile in a task; false when the form has errors.
    /// Ctrl-s. A profile whose file was named after it and that was
    /// renamed asks first whether the file follows the name.
    pub(super) fn save_selected(&mut self, ui: &mut Ui, tasks: &Tasks) -> bool {
        // Its sample event too, when that has unsaved changes.
        if let Some(p) = self.current().and_then(Self::event_of)
            && self.events.get(&p).is_some_and(EventDoc::dirty)
        {
            self.save_event(p, ui, tasks);
            if !matches!(ui.mode, super::Mode::Normal) {
                // Asked about the event: the profile is saved as it is.
                return self.save_entry(self.selected, ui, tasks);
            }
        }
        if let Some(entry) = self.current()
            && let EntryKind::Ok {
                draft,
                saved: Some(saved),
            } = &entry.kind
        {
            let stem = entry.path.file_stem().unwrap_or_default().to_string_lossy();
            let followed = crate::files::slug(&saved.name) == stem;
            if followed && crate::files::slug(&draft.name) != stem && draft.to_profile().is_ok() {
                let (from, to) = (entry.path.clone(), self.unique_path(&draft.name));
                ui.mode = super::Mode::Confirm(super::ConfirmKind::RenameFile { from, to });
                return false;
            }
        }
        self.save_entry(self.selected, ui, tasks)
    }

    /// Saves the selected profile in its own file, whatever its name.
    pub(super) fn save_entry_in_place(&mut self, ui: &mut Ui, tasks: &Tasks) -> bool {
        self.save_entry(self.selected, ui, tasks)
    }

    /// Saves the selected profile as `to`, removing `from`.
    pub(super) fn save_renamed(&mut self, from: PathBuf, to: PathBuf, ui: &mut Ui, tasks: &Tasks) {
        let Some(Ok(p)) = self.draft().map(Draft::to_profile) else {
            return;
        };
        ui.set_status(format!("saving as {}…", to.display()));
        tasks.rename_profile(from, to, p);
    }

    fn save_entry(&mut self, i: usize, ui: &mut Ui, tasks: &Tasks) -> bool {
        let Some(entry) = self.entries.get(i) else {
            return false;
        };
        let EntryKind::Ok { draft, saved } = &entry.kind else {
            ui.set_error("this file does not parse: fix it in an editor");
            return false;
        };
        match draft.to_profile() {
            Err(errs) => {
                ui.set_error(format!(
                    "cannot save: {}: {}",
                    errs[0].field.describe(),
                    errs[0].message
                ));
                false
            }
            Ok(p) => {
                tasks.save_profile(entry.path.clone(), p, saved.is_none());
                true
            }
        }
    }

    pub(super) fn save_all_and_quit(&mut self, ui: &mut Ui, tasks: &Tasks) {
        // Nothing is quit away: an event that cannot be saved stops it.
        if let Some((p, e)) = self
            .events
            .iter()
            .filter(|(_, d)| d.dirty())
            .find_map(|(p, d)| d.parsed.as_ref().err().map(|e| (p, e)))
        {
            ui.set_error(format!(
                "not quitting: event {} cannot be saved ({e}); fix it, or q then y quits without saving",
                p.file_name().unwrap_or_default().to_string_lossy()
            ));
            return;
        }
        let mut n = 0;
        for i in 0..self.entries.len() {
            if self.entries[i].dirty {
                if !self.save_entry(i, ui, tasks) {
                    return;
                }
                n += 1;
            }
        }
        let events: Vec<PathBuf> = self
            .events
            .iter()
            .filter(|(_, d)| d.dirty())
            .map(|(p, _)| p.clone())
            .collect();
        for p in events {
            // Saving everything is the answer for shared events too.
            self.save_event_for_all(p, ui, tasks);
            n += 1;
        }
        if n == 0 {
            ui.quit = true;
        } else {
            self.quit_after_saves = Some(n);
        }
    }

    fn on_saved(
        &mut self,
        path: PathBuf,
        profile: Profile,
        result: Result<(), WriteError>,
        ui: &mut Ui,
    ) {
        match result {
            Ok(()) => {
                if let Some(e) = self.entries.iter_mut().find(|e| e.path == path)
                    && let EntryKind::Ok { draft, saved } = &mut e.kind
                {
                    e.dirty = draft.to_profile().ok().as_ref() != Some(&profile);
                    *saved = Some(Box::new(profile));
                }
                ui.set_status(format!("saved {}", path.display()));
            }
            Err(e) => {
                self.quit_after_saves = None;
                ui.set_error(format!("cannot save {}: {e}", path.display()));
                if e == WriteError::AlreadyThere {
                    self.profile_went_elsewhere(path, ui);
                }
            }
        }
        self.one_save_done(ui);
    }

    /// A save of "save all and quit" finished: quit after the last.
    pub(super) fn one_save_done(&mut self, ui: &mut Ui) {
        if let Some(n) = self.quit_after_saves.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                ui.quit = true;
            }
        }
    }

    /// A save of "save all and quit" failed: stay.
    pub(super) fn save_failed(&mut self) {
        self.quit_after_saves = None;
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
}

/// The file stem of an entry (`profile` when it has none).
pub(super) fn stem_of(e: &Entry) -> String {
    e.path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "profile".into())
}

/// What a profile needs that is not set, in a few words for the status line.
pub(super) fn needs_text(needs: &crate::share::Needs, store: &crate::secrets::Secrets) -> String {
    let secrets: Vec<&str> = needs.missing_secrets(store).collect();
    let env: Vec<&str> = needs.missing_env().collect();
    let mut parts = Vec::new();
    if !secrets.is_empty() {
        parts.push(format!("secrets to set: {}", secrets.join(", ")));
    }
    if !env.is_empty() {
        parts.push(format!("variables to set: {}", env.join(", ")));
    }
    parts.join("; ")
}

/// Whether pasted text is a curl command.
pub fn is_curl(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("curl ") || t.starts_with("curl\t") || t.starts_with("curl\\")
}
