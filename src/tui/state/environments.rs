//! The workbench's environments: the one selected (the title bar shows it,
//! `E` picks another and the preview follows), new and edited environment
//! files, and `C`: the selected profile sent in two environments at once,
//! the two exchanges compared.

use std::path::PathBuf;

use super::modes::{Mode, PickerKind, PromptKind};
use super::profiles::Workbench;
use super::{JsonTarget, Ui};
use crate::deliver::SendOptions;
use crate::diag::Diagnostic;
use crate::environment::{Environment, LoadedEnvironment, Variables};
use crate::tui::tasks::{Compare, Tasks};
use crate::wire::PreparedRequest;

impl Workbench {
    /// What `{{var.NAME}}` reads: the selected environment.
    pub fn variables(&self) -> Variables {
        Variables::of(self.environment().cloned())
    }

    /// The selected environment, when it is (still) in the folder.
    pub fn environment(&self) -> Option<&Environment> {
        let name = self.env.as_deref()?;
        self.environments
            .iter()
            .map(|l| &l.environment)
            .find(|e| e.name == name)
    }

    /// The environments read with the folder.
    pub(super) fn on_environments(
        &mut self,
        (found, broken): (Vec<LoadedEnvironment>, Vec<Diagnostic>),
        ui: &mut Ui,
    ) {
        self.environments = found;
        if let Some(d) = broken.first() {
            ui.set_error(format!("environment not loaded: {d}"));
        }
        self.broken_environments = broken;
        if let Some(name) = self.env.clone()
            && self.environment().is_none()
        {
            let broken = self
                .broken_environments
                .iter()
                .any(|d| d.path == self.environment_path(&name));
            let why = if broken {
                format!("environment `{name}`: its file has an error")
            } else {
                format!(
                    "no environment `{name}` in {}",
                    crate::environment::dir_of(&self.dir).display()
                )
            };
            ui.set_error(format!("{why}: none is selected (E picks one)"));
            self.env = None;
        }
    }

    /// The file an environment of this name is written in.
    pub(super) fn environment_path(&self, name: &str) -> PathBuf {
        self.environments
            .iter()
            .find(|l| l.environment.name == name)
            .map(|l| l.path.clone())
            .unwrap_or_else(|| crate::environment::dir_of(&self.dir).join(format!("{name}.ron")))
    }

    /// `E`, and `C`'s second environment: a list to pick from, made from
    /// what was read, and read again meanwhile (files made or changed
    /// outside the workbench join it).
    pub(super) fn pick_environment(&self, kind: PickerKind, ui: &mut Ui, tasks: &Tasks) {
        tasks.scan_environments(self.dir.clone(), self.env_epoch);
        self.environment_list(kind, ui);
    }

    /// The environments read again: the list follows, if it is open.
    pub(super) fn environments_read(
        &mut self,
        read: (Vec<LoadedEnvironment>, Vec<Diagnostic>),
        ui: &mut Ui,
    ) {
        self.on_environments(read, ui);
        if let Mode::Picker {
            kind: kind @ (PickerKind::Environment | PickerKind::CompareWith),
            items,
            selected,
        } = &ui.mode
        {
            let (kind, on) = (*kind, items.get(*selected).cloned());
            self.environment_list(kind, ui);
            if let (
                Mode::Picker {
                    items, selected, ..
                },
                Some(on),
            ) = (&mut ui.mode, on)
                && let Some(i) = items.iter().position(|i| *i == on)
            {
                *selected = i;
            }
        }
    }

    fn environment_list(&self, kind: PickerKind, ui: &mut Ui) {
        let mut items = vec!["(no environment)".to_string()];
        items.extend(
            self.environments
                .iter()
                .map(|l| l.environment.name.clone())
                .filter(|n| kind == PickerKind::Environment || Some(n) != self.env.as_ref()),
        );
        if kind == PickerKind::CompareWith && items.len() < 2 {
            ui.set_error(format!(
                "no other environment to compare with: add one in {} (E, then n)",
                crate::environment::dir_of(&self.dir).display()
            ));
            return;
        }
        let selected = self
            .env
            .as_ref()
            .filter(|_| kind == PickerKind::Environment)
            .and_then(|e| items.iter().position(|i| i == e))
            .unwrap_or(usize::from(kind == PickerKind::CompareWith));
        ui.mode = Mode::Picker {
            kind,
            items,
            selected,
        };
    }

    /// An environment picked (none: no environment); the preview follows.
    pub(super) fn set_environment(&mut self, choice: Option<String>, ui: &mut Ui, tasks: &Tasks) {
        ui.set_status(match &choice {
            Some(n) => format!("environment: {n} · the preview renders in it (E picks another)"),
            None => "no environment: variables come from the profile's defaults".into(),
        });
        self.env = choice;
        self.refresh_preview(tasks);
    }

    /// The variables of an environment as the picker shows them: credentials
    /// masked unless revealed.
    pub fn environment_lines(&self, name: &str, reveal: bool) -> Vec<(String, String)> {
        let Some(env) = self
            .environments
            .iter()
            .map(|l| &l.environment)
            .find(|e| e.name == name)
        else {
            return Vec::new();
        };
        env.variables
            .iter()
            .map(|(k, v)| {
                let hidden = !reveal
                    && crate::wire::is_credential_name(k)
                    && !v.trim_start().starts_with("{{");
                (
                    k.clone(),
                    if hidden {
                        crate::wire::MASK.to_string()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    }

    /// `n` in the picker: a new environment file, with the variables the
    /// selected profile uses, opened in `$EDITOR`.
    pub(super) fn new_environment(&mut self, name: String, ui: &mut Ui, tasks: &Tasks) {
        if !crate::environment::is_valid_name(&name) {
            ui.set_error(format!(
                "`{name}`: an environment's name is letters, digits, `-` and `_`"
            ));
            return;
        }
        if self.environments.iter().any(|l| l.environment.name == name) {
            ui.set_error(format!(
                "there is an environment `{name}` already: e edits it"
            ));
            return;
        }
        let path = crate::environment::dir_of(&self.dir).join(format!("{name}.ron"));
        let wanted = self
            .draft()
            .and_then(|d| d.to_profile().ok())
            .map(|p| crate::share::needs_in(&p, Some(&self.variables())).vars)
            .unwrap_or_default();
        let env = Environment {
            name: name.clone(),
            variables: wanted.into_iter().map(|v| (v, String::new())).collect(),
        };
        let text = format!(
            "// Variables for {{{{var.NAME}}}}. Credentials go in the secret store\n// (`hookbench secret set NAME --env {name}`), never here.\n{}",
            crate::environment::to_ron(&env)
        );
        tasks.new_environment(path, text);
    }

    /// `e` in the picker: the environment's file in `$EDITOR` (with the
    /// text kept from an edit that did not load, when there is one).
    pub(super) fn edit_environment(&mut self, name: &str, ui: &mut Ui, tasks: &Tasks) {
        let path = self.environment_path(name);
        match self.env_kept.take() {
            Some((kept, text)) if kept == path => ui.effects.push(super::Effect::ExternalEdit {
                target: JsonTarget::EnvironmentFile(path),
                text,
            }),
            _ => tasks.read_for_edit(path),
        }
    }

    /// Back from `$EDITOR` with an environment's text: written when it
    /// loads and its name is its own (the selection follows a rename);
    /// else nothing is written, the error says where, and `e` opens the
    /// text again.
    pub(super) fn environment_edited(
        &mut self,
        path: PathBuf,
        text: String,
        ui: &mut Ui,
        tasks: &Tasks,
    ) {
        let was = self
            .environments
            .iter()
            .find(|l| l.path == path)
            .map(|l| l.environment.name.clone());
        let checked = crate::environment::load_str(&path, &text)
            .map_err(|d| d.to_string())
            .and_then(|env| {
                match self
                    .environments
                    .iter()
                    .find(|l| l.path != path && l.environment.name == env.name)
                {
                    Some(other) => Err(format!(
                        "{}: the name `{}` is taken by {}: give it another",
                        path.display(),
                        env.name,
                        other.path.display()
                    )),
                    None => Ok(env),
                }
            });
        match checked {
            Ok(env) => {
                self.env_epoch += 1;
                if self.env == was {
                    self.env = Some(env.name.clone());
                }
                ui.set_status(format!(
                    "environment {} saved in {}",
                    env.name,
                    path.display()
                ));
                tasks.write_profile_text(path, text);
            }
            Err(e) => {
                ui.set_error(format!(
                    "not saved: {e} (E, then e on it, opens your text again)"
                ));
                self.env_kept = Some((path, text));
            }
        }
    }

    /// The file made: it goes to `$EDITOR`, then the folder is read again.
    pub(super) fn environment_created(
        &mut self,
        path: PathBuf,
        text: String,
        result: Result<(), String>,
        ui: &mut Ui,
    ) {
        match result {
            Ok(()) => {
                // Listed and selected at once; saved again from the editor.
                self.env_epoch += 1;
                if let Ok(env) = crate::environment::load_str(&path, &text) {
                    self.env = Some(env.name.clone());
                    self.environments.push(LoadedEnvironment {
                        path: path.clone(),
                        environment: env,
                    });
                }
                ui.set_status(format!("{} made: fill in its variables", path.display()));
                ui.effects.push(super::Effect::ExternalEdit {
                    target: JsonTarget::EnvironmentFile(path),
                    text,
                });
            }
            Err(e) => ui.set_error(format!("cannot make {}: {e}", path.display())),
        }
    }

    /// `C`: the second environment, asked for.
    pub(super) fn ask_compare(&self, ui: &mut Ui) {
        if self.environment().is_none() {
            ui.set_error("select an environment first (E): C compares it with another");
            return;
        }
        self.environment_list(PickerKind::CompareWith, ui);
    }

    /// The selected profile's request in the selected environment and in
    /// `right`, made for one event (the same instant and ids).
    pub(super) fn compare_with(&self, right: &str, ui: &mut Ui) -> Option<Compare> {
        let left_env = self.environment()?.clone();
        let Some(right_env) = self
            .environments
            .iter()
            .map(|l| &l.environment)
            .find(|e| e.name == right)
            .cloned()
        else {
            ui.set_error(format!("no environment `{right}`"));
            return None;
        };
        let Some((profile, event)) = self.profile_and_event() else {
            ui.set_error("the profile has errors, or its event is not read yet: fix them first");
            return None;
        };
        let (mut lctx, mut rctx) = crate::request::twins(
            Variables::of(Some(left_env.clone())),
            Variables::of(Some(right_env.clone())),
            self.secrets.clone(),
        );
        let mut sides: Vec<(PreparedRequest, SendOptions)> = Vec::new();
        for (env, ctx) in [(&left_env, &mut lctx), (&right_env, &mut rctx)] {
            match crate::request::assemble(&profile, event.as_ref(), ctx) {
                Ok(a) => sides.push((
                    a.request,
                    SendOptions {
                        env: Some(env.name.clone()),
                        ..SendOptions::for_profile(&profile)
                    },
                )),
                Err(errs) => {
                    ui.set_error(format!("not compared: in {}: {}", env.name, errs[0]));
                    return None;
                }
            }
        }
        let right_side = sides.pop().expect("two sides");
        let left_side = sides.pop().expect("two sides");
        ui.set_status(format!(
            "sending to {} and {}, to compare…",
            left_env.name, right_env.name
        ));
        Some(Compare {
            left: left_side,
            right: right_side,
        })
    }
}

/// What the environment prompt asks.
pub(super) fn prompt_new(ui: &mut Ui) {
    super::modes::prompt(
        ui,
        PromptKind::NewEnvironment,
        "staging, production, local-2…",
    );
}
