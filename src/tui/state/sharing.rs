//! What a profile shares with the world: the secret store behind
//! `{{secret.NAME}}` (read again when it changes, set with Ctrl-k), shared
//! copies (`S`), imports (`i`) and pasted curl commands.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::Ui;
use super::editor::EventDoc;
use super::modes::{self, PromptKind};
use super::profiles::{Entry, Workbench, needs_text, stem_of};
use crate::tui::draft::Draft;
use crate::tui::message::Imported;
use crate::tui::tasks::Tasks;

impl Workbench {
    // ---- the secret store ------------------------------------------------

    /// Reads the secret store again when its file changed since it was
    /// read (a `secret set` in another shell): one `stat` each time, before
    /// a preview, a fire, a replay or an import.
    pub(super) fn refresh_secrets(&mut self) {
        if self.loading || !self.secrets.changed_on_disk() {
            return;
        }
        let secrets = crate::secrets::Secrets::load_for_lookup(self.secrets.path());
        crate::tui::log::line("the secret store changed on disk: read again");
        self.store_mask = secrets.mask_set();
        self.secrets = Arc::new(secrets);
    }

    /// A file name for a profile name that no entry uses yet. Only the list
    /// is asked (no disk on the UI thread); a file made since it was read
    /// is never replaced: the save says so instead.
    /// Ctrl-k: asks for the first secret the profile names that the store
    /// lacks, typed masked.
    pub(super) fn ask_secret(&mut self, ui: &mut Ui) {
        self.refresh_secrets();
        let Some(Ok(p)) = self.draft().map(Draft::to_profile) else {
            ui.set_error("fix the profile's errors first");
            return;
        };
        let needs = crate::share::needs(&p);
        let missing: Vec<String> = needs
            .missing_secrets(&self.secrets)
            .map(str::to_string)
            .collect();
        match missing.first() {
            Some(name) => {
                super::modes::prompt_masked(
                    ui,
                    super::PromptKind::SetSecret(name.clone()),
                    "typed masked; Enter writes it to the store",
                );
                if missing.len() > 1 {
                    ui.set_status(format!(
                        "{} unset: {} (Ctrl-k again for the next)",
                        missing.len(),
                        missing.join(", ")
                    ));
                }
            }
            None => ui.set_status("every secret this profile names is set"),
        }
    }

    /// Writes a secret's value to the store, in a task.
    pub(super) fn set_secret(&mut self, name: String, value: String, ui: &mut Ui, tasks: &Tasks) {
        let path = match self.secrets_path.clone() {
            Some(p) => p,
            None => {
                ui.set_error("no secret store for this session");
                return;
            }
        };
        ui.set_status(format!("setting secret {name}…"));
        tasks.set_secret(path, name, value);
    }

    /// Asks where to write the shared copy of the selected profile.
    pub(super) fn ask_share(&mut self, ui: &mut Ui) {
        let Some(entry) = self.current() else { return };
        if self.draft().is_none() {
            ui.set_error("this file has errors: e opens it in $EDITOR to fix it first");
            return;
        }
        let target = self
            .dir
            .join("shared")
            .join(format!("{}.ron", stem_of(entry)));
        modes::prompt(ui, PromptKind::ShareTo, &target.display().to_string());
    }

    /// Writes the shared copy of the form as it stands, in a task.
    pub(super) fn share_to(&mut self, target: PathBuf, ui: &mut Ui, tasks: &Tasks) {
        let Some(draft) = self.draft() else { return };
        let Ok(profile) = draft.to_profile() else {
            ui.set_error("fix the profile's errors before sharing it");
            return;
        };
        let event: Option<Value> = match self.event_path() {
            Some(path) => match self.events.get(&path).map(|d| &d.parsed) {
                Some(Ok(v)) => Some(v.clone()),
                _ => {
                    ui.set_error("its sample event does not load: fix it before sharing");
                    return;
                }
            },
            None => profile.sample_event.clone().map(Value::Object),
        };
        let stem = self
            .current()
            .map(stem_of)
            .unwrap_or_else(|| "profile".into());
        let used = crate::share::environments_used(&profile, &self.environments)
            .into_iter()
            .map(|l| l.environment.clone())
            .collect();
        tasks.share(profile, stem, event, target, used);
    }

    pub(super) fn import_profile(&mut self, file: PathBuf, tasks: &Tasks) {
        tasks.import_profile(file, self.dir.clone());
    }

    pub(super) fn on_imported(&mut self, imported: Imported, ui: &mut Ui, tasks: &Tasks) {
        let Imported {
            loaded,
            needs,
            event,
        } = imported;
        if let Some((path, text)) = event {
            self.events.insert(path, EventDoc::read(text));
        }
        let path = loaded.path.clone();
        self.refresh_secrets();
        self.entries.push(Entry::saved(loaded));
        self.selected = usize::MAX;
        self.select(self.entries.len() - 1, tasks);
        let missing = needs_text(&needs, &self.secrets);
        ui.set_status(if missing.is_empty() {
            format!("imported as {}", path.display())
        } else {
            format!("imported as {}; {missing}", path.display())
        });
    }

    /// A pasted curl command becomes a new, unsaved profile.
    pub(super) fn paste_curl(&mut self, text: &str, ui: &mut Ui, tasks: &Tasks) {
        self.refresh_secrets();
        match crate::curl::from_curl(text, &self.secrets) {
            Ok(mut p) => {
                // A name no other profile has, as an import gives.
                let taken = |n: &str| {
                    self.entries.iter().any(|e| match &e.kind {
                        super::EntryKind::Ok { draft, .. } => draft.name == n,
                        super::EntryKind::Broken(_) => false,
                    })
                };
                if taken(&p.name) {
                    let base = p.name.clone();
                    p.name = (2..)
                        .map(|n| format!("{base} ({n})"))
                        .find(|n| !taken(n))
                        .expect("some number is free");
                }
                let path = self.unique_path(&p.name);
                self.add_entry(path, p, "imported from curl", ui, tasks);
            }
            Err(m) => ui.set_error(format!("curl command: {m}")),
        }
    }
}
