//! Profiles in and out of the workbench: share a copy with no credential,
//! import a profile file, paste a curl command as a new profile.

use std::path::PathBuf;

use serde_json::Value;

use super::message::Message;
use super::state::{Entry, Pane, PromptKind, State};
use crate::profile;

/// What a profile needs that is not set, in a few words for the status line.
fn needs_text(needs: &crate::share::Needs, store: &crate::secrets::Secrets) -> String {
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

impl State {
    /// Asks where to write the shared copy of the selected profile.
    pub(super) fn ask_share(&mut self) {
        let Some(entry) = self.current() else { return };
        let stem = entry
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "profile".into());
        let target = self.dir.join("shared").join(format!("{stem}.ron"));
        self.prompt(PromptKind::ShareTo, &target.display().to_string());
    }

    /// Writes the shared copy of the form as it stands, in a task.
    pub(super) fn share_to(&mut self, target: PathBuf) {
        let Some(draft) = self.draft() else { return };
        let profile = match draft.to_profile() {
            Ok(p) => p,
            Err(_) => {
                self.set_error("fix the profile's errors before sharing it");
                return;
            }
        };
        let event: Option<Value> = match self.event_path() {
            Some(path) => match self.events.get(&path).map(|d| &d.parsed) {
                Some(Ok(v)) => Some(v.clone()),
                _ => {
                    self.set_error("its sample event does not load: fix it before sharing");
                    return;
                }
            },
            None => profile.sample_event.clone().map(Value::Object),
        };
        let stem = self
            .current()
            .and_then(|e| e.path.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "profile".into());
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let shared = crate::share::share(&profile, &stem, event);
            let text = profile::to_ron(&shared.profile);
            let result = crate::files::write_atomic(&target, text.as_bytes())
                .map(|()| shared.needs.secrets.clone())
                .map_err(|e| crate::files::io_reason(&e));
            let _ = tx.send(Message::Shared {
                path: target,
                result,
            });
        });
    }

    pub(super) fn on_shared(&mut self, path: PathBuf, result: Result<Vec<String>, String>) {
        match result {
            Ok(secrets) if secrets.is_empty() => {
                self.set_status(format!("shared to {} (it needs no secret)", path.display()))
            }
            Ok(secrets) => self.set_status(format!(
                "shared to {}, credentials replaced; the receiver sets: {}",
                path.display(),
                secrets.join(", ")
            )),
            Err(e) => self.set_error(format!("cannot write {}: {e}", path.display())),
        }
    }

    /// Imports a profile file into the profiles folder, in a task.
    pub(super) fn import_profile(&mut self, file: PathBuf) {
        let dir = self.dir.clone();
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let result = (|| {
                let loaded = profile::load(&file).map_err(|d| d.to_string())?;
                if let Some(p) = crate::share::check(&loaded).into_iter().next() {
                    return Err(format!("not imported: {p}"));
                }
                let imported = crate::share::import_into(&loaded, &dir)?;
                let loaded = profile::load(&imported.path).map_err(|d| d.to_string())?;
                let event = imported.event.as_ref().map(|p| {
                    (
                        p.clone(),
                        std::fs::read_to_string(p).map_err(|e| e.to_string()),
                    )
                });
                Ok(Box::new((loaded, imported.needs, event)))
            })();
            let _ = tx.send(Message::ProfileImported(result));
        });
    }

    pub(super) fn on_profile_imported(&mut self, result: super::message::ImportResult) {
        let (loaded, needs, event) = match result {
            Ok(b) => *b,
            Err(e) => {
                self.set_error(e);
                return;
            }
        };
        if let Some((path, text)) = event {
            self.events.insert(path, super::state::EventDoc::read(text));
        }
        let path = loaded.path.clone();
        self.entries.push(Entry::saved(loaded));
        self.selected = usize::MAX;
        self.select(self.entries.len() - 1);
        let missing = needs_text(&needs, &self.secrets);
        self.set_status(if missing.is_empty() {
            format!("imported as {}", path.display())
        } else {
            format!("imported as {}; {missing}", path.display())
        });
    }

    /// A pasted curl command becomes a new, unsaved profile.
    pub(super) fn paste_curl(&mut self, text: &str) {
        match crate::curl::from_curl(text, &self.secrets) {
            Ok(p) => {
                let path = self.unique_path(&p.name);
                self.add_entry(path, p, "imported from curl");
                self.focus = Pane::Editor;
            }
            Err(m) => self.set_error(format!("curl command: {m}")),
        }
    }
}

/// Whether pasted text is a curl command.
pub fn is_curl(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("curl ") || t.starts_with("curl\t") || t.starts_with("curl\\")
}
